import com.callfire.api.data.Call;
import com.callfire.api.data.ContactHistory;
import com.callfire.api.service.wsdl.http.soap11.CallFireApi;
import com.callfire.api.service.wsdl.http.soap11.CallServicePortType;
import com.callfire.api.service.wsdl.http.soap11.ContactServicePortType;
import com.callfire.api.service.wsdl.http.soap11.ServiceFault;
import com.callfire.api.service.xsd.ActionQuery;
import com.callfire.api.service.xsd.CallQueryResult;
import com.callfire.api.service.xsd.GetContactHistory;
import com.callfire.api.service.xsd.IdRequest;
import com.callfire.api.service.xsd.SendCall;
import com.callfire.api.service.xsd.ServiceFaultInfo;
import java.net.URL;

/** Stubs from the SOAP 1.1 WSDL (bare style throughout): java Soap11Client WSDL_URL LOGIN. */
public final class Soap11Client implements CallFireClient.Port {
    private final CallServicePortType calls;
    private final ContactServicePortType contacts;

    Soap11Client(URL wsdl, String login) {
        CallFireApi service = new CallFireApi(wsdl);  // endpoints: the served WSDL's addresses
        calls = service.getCallServicePort();
        contacts = service.getContactServicePort();
        CallFireClient.configure(calls, login);
        CallFireClient.configure(contacts, login);
    }

    public static void main(String[] args) throws Exception {
        CallFireClient.run(new Soap11Client(new URL(args[0]), args[1]));
    }

    @Override
    public CallQueryResult queryCalls(ActionQuery query) throws ServiceFault {
        return calls.queryCalls(query);
    }

    @Override
    public Call getCall(IdRequest request) throws ServiceFault {
        return calls.getCall(request);
    }

    @Override
    public long sendCall(SendCall request) throws ServiceFault {
        return calls.sendCall(request);
    }

    @Override
    public ContactHistory getContactHistory(GetContactHistory request) throws ServiceFault {
        return contacts.getContactHistory(request);
    }

    @Override
    public ServiceFaultInfo faultInfo(Exception error) {
        return error instanceof ServiceFault ? ((ServiceFault) error).getFaultInfo() : null;
    }
}
