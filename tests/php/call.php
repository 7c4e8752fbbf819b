<?php
/**
 * Test harness: one operation with a request given as JSON, printing the result as
 * print_r and as JSON, or the SoapFault's fields.  Used for the fault and shape cases.
 *   php call.php OPERATION 'JSON request'
 */
require __DIR__ . '/bridge_options.php';
$client = new SoapClient(getenv('BRIDGE_WSDL'), bridge_options(array(
    'soap_version' => SOAP_1_2, 'login' => 'YourLoginId', 'password' => 'YourPassword',
    'exceptions' => true, 'trace' => true)));
$request = json_decode($argv[2]);
try {
    $response = $client->{$argv[1]}($request);
    echo json_encode(array('ok' => true, 'response' => $response, 'print_r' => print_r($response, true))), "\n";
} catch (SoapFault $fault) {
    $info = isset($fault->detail->ServiceFaultInfo) ? $fault->detail->ServiceFaultInfo : null;
    echo json_encode(array('ok' => false, 'faultcode' => $fault->faultcode, 'faultstring' => $fault->faultstring,
        'ServiceFaultInfo' => $info, 'last_request' => $client->__getLastRequest(),
        'last_headers' => $client->__getLastRequestHeaders())), "\n";
}
