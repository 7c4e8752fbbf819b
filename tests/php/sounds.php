<?php
/**
 * Test harness: a sound operation as a PHP integration writes it, files in and out.
 *   php sounds.php OPERATION 'JSON request' [DATA_FILE] [OUT_FILE]
 * DATA_FILE: read with file_get_contents into the request's Data (SoapClient base64-encodes it);
 * OUT_FILE: the binary answer (SoapClient has decoded the base64Binary) written with file_put_contents.
 * Prints JSON: {ok, response | size} or the SoapFault's fields.
 */
require __DIR__ . '/bridge_options.php';
$client = new SoapClient(getenv('BRIDGE_WSDL'), bridge_options(array(
    'soap_version' => SOAP_1_2, 'login' => 'YourLoginId', 'password' => 'YourPassword', 'exceptions' => true)));
$request = json_decode($argv[2]);
if (isset($argv[3]) && $argv[3] !== '') {
    $request->Data = file_get_contents($argv[3]);
}
try {
    $response = $client->{$argv[1]}($request);
    if (isset($argv[4])) {
        file_put_contents($argv[4], $response);
        echo json_encode(array('ok' => true, 'size' => strlen($response))), "\n";
    } else {
        echo json_encode(array('ok' => true, 'response' => $response)), "\n";
    }
} catch (SoapFault $fault) {
    $info = isset($fault->detail->ServiceFaultInfo) ? $fault->detail->ServiceFaultInfo : null;
    echo json_encode(array('ok' => false, 'faultcode' => $fault->faultcode, 'faultstring' => $fault->faultstring,
        'ServiceFaultInfo' => $info)), "\n";
}
