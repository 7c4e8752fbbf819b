import com.callfire.api.data.Call;
import com.callfire.api.data.ContactHistory;
import com.callfire.api.service.wsdl.http.soap12.CallFireApi;
import com.callfire.api.service.wsdl.http.soap12.CallServicePortType;
import com.callfire.api.service.wsdl.http.soap12.ContactServicePortType;
import com.callfire.api.service.wsdl.http.soap12.ServiceFault;
import com.callfire.api.service.xsd.ActionQuery;
import com.callfire.api.service.xsd.CallQueryResult;
import com.callfire.api.service.xsd.GetContactHistory;
import com.callfire.api.service.xsd.IdRequest;
import com.callfire.api.service.xsd.SendCall;
import com.callfire.api.service.xsd.ServiceFaultInfo;
import java.net.URL;
import java.util.List;
import javax.xml.ws.Holder;

/** Stubs from the SOAP 1.2 WSDL (QueryCalls wrapper-style, the rest bare): java Soap12Client WSDL_URL LOGIN. */
public final class Soap12Client implements CallFireClient.Port {
    private final CallServicePortType calls;
    private final ContactServicePortType contacts;

    Soap12Client(URL wsdl, String login) {
        CallFireApi service = new CallFireApi(wsdl);  // endpoints: the served WSDL's addresses
        calls = service.getCallServicePort();
        contacts = service.getContactServicePort();
        CallFireClient.configure(calls, login);
        CallFireClient.configure(contacts, login);
    }

    public static void main(String[] args) throws Exception {
        CallFireClient.run(new Soap12Client(new URL(args[0]), args[1]));
    }

    @Override
    public CallQueryResult queryCalls(ActionQuery query) throws ServiceFault {
        // Wrapper style: the request's children are parameters, the response's are holders.
        Holder<Long> totalResults = new Holder<>();
        Holder<List<Call>> found = new Holder<>();
        calls.queryCalls(query.getMaxResults(), query.getFirstResult(), query.getBroadcastId(), query.getBatchId(),
                query.getState(), query.getResult(), query.isInbound(), query.getIntervalBegin(),
                query.getIntervalEnd(), query.getFromNumber(), query.getToNumber(), query.getLabelName(),
                totalResults, found);
        CallQueryResult result = new CallQueryResult();
        result.setTotalResults(totalResults.value);
        if (found.value != null) {
            result.getCall().addAll(found.value);
        }
        return result;
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
