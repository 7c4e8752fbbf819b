// Node's `soap` package as a CallFire v1.1 client of the bridge (run by tests/test_node_soap.py).
//
//   node client.js WSDL_URL LOGIN soap12|soap11
//
// soap12 sets forceSoap12Headers (SOAP 1.2 envelope, application/soap+xml); soap11 leaves it
// out, so `soap` sends a SOAP 1.1 envelope even to the SOAP 1.2 binding. Runs QueryCalls,
// GetCall, SendCall, GetContactHistory and a NOT_FOUND fault, then prints one JSON object:
// every result as `soap` decoded it, plus the wire facts the test asserts on.
'use strict';

const soap = require('soap');

async function invoke(client, port, operation, args) {
  // Through the named port: the client-level shortcuts do not say which port they use.
  const method = client.CallFireApi[port][operation];
  const result = await new Promise((resolve, reject) => {
    method(args, (error, decoded) => (error ? reject(error) : resolve(decoded)));
  });
  return {
    result,
    request: client.lastRequest,
    contentType: client.lastRequestHeaders['Content-Type'],
    response: client.lastResponse,
  };
}

async function main() {
  const [wsdl, login, mode] = process.argv.slice(2);
  const client = await soap.createClientAsync(wsdl, { forceSoap12Headers: mode === 'soap12' });
  client.setSecurity(new soap.BasicAuthSecurity(login, 'secret'));
  const out = {};

  // CallFire's documented QueryCalls example.
  out.documented = await invoke(client, 'CallServicePort', 'QueryCalls',
    { MaxResults: 100, FirstResult: 0, BroadcastId: 327 });
  // xs:list filters given as arrays (sent as repeated elements); dateTimes as strings,
  // since `soap` writes a JS Date as an empty element.
  out.filtered = await invoke(client, 'CallServicePort', 'QueryCalls', {
    MaxResults: 50, State: ['FINISHED', 'INVALID'], Result: ['LA', 'AM'],
    IntervalBegin: '2026-10-20T00:00:00Z',
  });
  out.call = await invoke(client, 'CallServicePort', 'GetCall', { Id: 9652 });
  out.sent = await invoke(client, 'CallServicePort', 'SendCall', {
    BroadcastName: 'node soap',
    ToNumber: [{ attributes: { ClientData: 'order-7' }, $value: '12135550101 12135550102' }, '12135550103'],
    VoiceBroadcastConfig: {
      FromNumber: '13105551212',
      RetryConfig: { MaxAttempts: 2, RetryResults: ['BUSY', 'NO_ANS'], RetryPhoneTypes: ['MOBILE_PHONE'] },
      AnsweringMachineConfig: 'AM_AND_LIVE',
      LiveSoundText: 'Your order is ready',
    },
  });
  out.sentCalls = await invoke(client, 'CallServicePort', 'QueryCalls', { BroadcastId: out.sent.result });
  out.history = await invoke(client, 'ContactServicePort', 'GetContactHistory', { ContactId: 3, MaxResults: 5 });
  try {
    await invoke(client, 'CallServicePort', 'GetCall', { Id: 987654321 });
    out.fault = null;
  } catch (error) {
    out.fault = { message: error.message, detail: error.root.Envelope.Body.Fault.detail
                                                  || error.root.Envelope.Body.Fault.Detail };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((error) => {
  process.stderr.write((error.stack || String(error)) + '\n' + (error.body || '') + '\n');
  process.exit(1);
});
