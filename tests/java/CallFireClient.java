import com.callfire.api.data.Action;
import com.callfire.api.data.ActionState;
import com.callfire.api.data.AnsweringMachineConfig;
import com.callfire.api.data.BroadcastConfig;
import com.callfire.api.data.Call;
import com.callfire.api.data.ContactHistory;
import com.callfire.api.data.Result;
import com.callfire.api.data.RetryPhoneType;
import com.callfire.api.data.ToNumber;
import com.callfire.api.data.VoiceBroadcastConfig;
import com.callfire.api.service.xsd.ActionQuery;
import com.callfire.api.service.xsd.CallQueryResult;
import com.callfire.api.service.xsd.GetContactHistory;
import com.callfire.api.service.xsd.IdRequest;
import com.callfire.api.service.xsd.SendCall;
import com.callfire.api.service.xsd.ServiceFaultInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.datatype.DatatypeFactory;
import javax.xml.namespace.QName;
import javax.xml.soap.SOAPException;
import javax.xml.ws.BindingProvider;
import javax.xml.ws.handler.Handler;
import javax.xml.ws.handler.MessageContext;
import javax.xml.ws.handler.soap.SOAPHandler;
import javax.xml.ws.handler.soap.SOAPMessageContext;

/**
 * JAX-WS stubs (wsimport of the bridge's served WSDL) as a CallFire v1.1 client, run by
 * tests/test_java.py. The four operations and a NOT_FOUND fault; one JSON line per step.
 *
 * The data classes are the same for both WSDLs; the port interfaces are not (their own
 * packages, and wsimport makes QueryCalls wrapper-style from the SOAP 1.2 WSDL, bare from
 * the SOAP 1.1 one), so Soap12Client and Soap11Client adapt them to {@link Port}.
 */
public final class CallFireClient {

    /** The operations under test, as one WSDL's stubs offer them. */
    interface Port {
        CallQueryResult queryCalls(ActionQuery query) throws Exception;

        Call getCall(IdRequest request) throws Exception;

        long sendCall(SendCall request) throws Exception;

        ContactHistory getContactHistory(GetContactHistory request) throws Exception;

        /** The fault's getFaultInfo() if {@code error} is the WSDL's ServiceFault, else null. */
        ServiceFaultInfo faultInfo(Exception error);
    }

    /** The envelope namespaces sent and received: which SOAP version really went over the wire. */
    static final class EnvelopeRecorder implements SOAPHandler<SOAPMessageContext> {
        private final Set<String> sent = new TreeSet<>();
        private final Set<String> received = new TreeSet<>();

        @Override
        public boolean handleMessage(SOAPMessageContext context) {
            try {
                String namespace = context.getMessage().getSOAPPart().getEnvelope().getNamespaceURI();
                (Boolean.TRUE.equals(context.get(MessageContext.MESSAGE_OUTBOUND_PROPERTY)) ? sent : received)
                        .add(namespace);
            } catch (SOAPException error) {
                throw new IllegalStateException(error);
            }
            return true;
        }

        @Override
        public boolean handleFault(SOAPMessageContext context) {
            return handleMessage(context);
        }

        @Override
        public void close(MessageContext context) {
        }

        @Override
        public Set<QName> getHeaders() {
            return Set.of();
        }
    }

    static final EnvelopeRecorder ENVELOPES = new EnvelopeRecorder();

    private CallFireClient() {
    }

    /** Basic credentials and the envelope recorder on a port; its endpoint stays the served WSDL's. */
    @SuppressWarnings("rawtypes")  // the JAX-WS API itself types the handler chain as List<Handler>
    static void configure(Object port, String login) {
        BindingProvider provider = (BindingProvider) port;
        provider.getRequestContext().put(BindingProvider.USERNAME_PROPERTY, login);
        provider.getRequestContext().put(BindingProvider.PASSWORD_PROPERTY, "secret");
        List<Handler> chain = new ArrayList<>(provider.getBinding().getHandlerChain());
        chain.add(ENVELOPES);
        provider.getBinding().setHandlerChain(chain);
    }

    static void run(Port port) throws Exception {
        ActionQuery documented = new ActionQuery();  // CallFire's documented QueryCalls example
        documented.setMaxResults(100L);
        documented.setFirstResult(0L);
        documented.setBroadcastId(327L);
        print("documented", port.queryCalls(documented));

        ActionQuery filtered = new ActionQuery();
        filtered.setMaxResults(50L);
        filtered.getState().addAll(List.of(ActionState.FINISHED, ActionState.INVALID));
        filtered.getResult().addAll(List.of(Result.LA, Result.AM));
        filtered.setIntervalBegin(DatatypeFactory.newInstance().newXMLGregorianCalendar("2026-10-20T00:00:00Z"));
        print("filtered", port.queryCalls(filtered));

        IdRequest get = new IdRequest();
        get.setId(9652L);
        System.out.println(object("step", quote("GetCall"), "call", action(port.getCall(get))));

        long broadcastId = port.sendCall(sendCall());
        System.out.println(object("step", quote("SendCall"), "id", Long.toString(broadcastId)));
        ActionQuery sent = new ActionQuery();
        sent.setBroadcastId(broadcastId);
        print("sentCalls", port.queryCalls(sent));

        GetContactHistory history = new GetContactHistory();
        history.setContactId(3L);
        history.setMaxResults(5L);
        List<String> entries = new ArrayList<>();
        for (Action entry : port.getContactHistory(history).getCallOrText()) {
            entries.add(action(entry));
        }
        System.out.println(object("step", quote("GetContactHistory"), "entries", "[" + String.join(",", entries) + "]"));

        IdRequest missing = new IdRequest();
        missing.setId(987654321L);
        try {
            port.getCall(missing);
            System.out.println(object("step", quote("fault"), "faultCode", "null"));
        } catch (Exception error) {
            ServiceFaultInfo info = port.faultInfo(error);
            if (info == null) {
                throw error;
            }
            System.out.println(object("step", quote("fault"), "faultCode", quote(info.getFaultCode().value()),
                    "message", quote(info.getMessage())));
        }
        System.out.println(object("step", quote("envelopes"), "sent", strings(ENVELOPES.sent),
                "received", strings(ENVELOPES.received)));
    }

    private static String strings(Set<String> texts) {
        List<String> quoted = new ArrayList<>();
        for (String text : texts) {
            quoted.add(quote(text));
        }
        return "[" + String.join(",", quoted) + "]";
    }

    private static SendCall sendCall() {
        SendCall request = new SendCall();
        request.setBroadcastName("java jax-ws");
        ToNumber pair = new ToNumber();  // a space-separated list inside one element, with ClientData
        pair.setValue("12135550101 12135550102");
        pair.setClientData("order-7");
        ToNumber single = new ToNumber();
        single.setValue("12135550103");
        request.getToNumber().addAll(List.of(pair, single));
        VoiceBroadcastConfig voice = new VoiceBroadcastConfig();
        voice.setFromNumber("13105551212");
        BroadcastConfig.RetryConfig retry = new BroadcastConfig.RetryConfig();
        retry.setMaxAttempts(2);
        retry.getRetryResults().addAll(List.of(Result.BUSY, Result.NO_ANS));
        retry.getRetryPhoneTypes().add(RetryPhoneType.MOBILE_PHONE);
        voice.setRetryConfig(retry);
        voice.setAnsweringMachineConfig(AnsweringMachineConfig.AM_AND_LIVE);
        voice.setLiveSoundText("Your order is ready");
        request.setVoiceBroadcastConfig(voice);
        return request;
    }

    private static void print(String step, CallQueryResult result) {
        List<String> calls = new ArrayList<>();
        for (Call call : result.getCall()) {
            calls.add(action(call));
        }
        System.out.println(object("step", quote(step), "totalResults", Long.toString(result.getTotalResults()),
                "calls", "[" + String.join(",", calls) + "]"));
    }

    private static String action(Action action) {
        ToNumber to = action.getToNumber();
        return object(
                "kind", quote(action.getClass().getSimpleName()),
                "id", Long.toString(action.getId()),
                "fromNumber", quote(action.getFromNumber()),
                "toNumber", quote(to == null ? null : to.getValue()),
                "clientData", quote(to == null ? null : to.getClientData()),
                "state", quote(action.getState() == null ? null : action.getState().value()),
                "broadcastId", String.valueOf(action.getBroadcastId()),
                "contactId", Long.toString(action.getContactId()),
                "inbound", Boolean.toString(action.isInbound()),
                "created", quote(action.getCreated().toXMLFormat()),
                "finalResult", quote(action.getFinalResult() == null ? null : action.getFinalResult().value()),
                "callRecords", action instanceof Call ? Integer.toString(((Call) action).getCallRecord().size()) : "0");
    }

    /** A JSON object from key, JSON-value pairs. */
    private static String object(String... pairs) {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            members.add(quote(pairs[i]) + ":" + pairs[i + 1]);
        }
        return "{" + String.join(",", members) + "}";
    }

    private static String quote(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
