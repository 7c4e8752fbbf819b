<?php
require __DIR__ . '/bridge_options.php';
/**
* You'll need your login/password pair when you create the SOAP client.
* Don't use the fake login/password provided here; it's just for show and won't work.
*/
$wsdl = getenv('BRIDGE_WSDL'); // was "http://callfire.com/api/1.1/wsdl/callfire-service-http-soap12.wsdl"
$client = new SoapClient($wsdl, bridge_options(array(
'soap_version' => SOAP_1_2,
'login' => 'YourLoginId',
'password' => 'YourPassword')));
/**
* GetContactHistory.
*/
$request = new stdClass();
$request->ContactId = 3; // long required
$response = $client->GetContactHistory($request);
print_r($response);
