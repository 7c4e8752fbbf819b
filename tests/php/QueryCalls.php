<?php
require __DIR__ . '/bridge_options.php';
/**
* You'll need your login/password pair when you create the SOAP client.
* Don't use the fake login/password provided here; it's just for show and
* won't work.
*/
$wsdl = getenv('BRIDGE_WSDL'); // was "http://callfire.com/api/1.1/wsdl/callfire-service-http-soap12.wsdl"
$client = new SoapClient($wsdl, bridge_options(array(
'soap_version' => SOAP_1_2,
'login' => 'YourLoginId',
'password' => 'YourPassword')));
/**
* QueryCalls. Determine status of calls filtered by BroadcastId, BatchId, etc...
*/
$query = new stdclass();
$query->MaxResults = 100; // long
$query->FirstResult = 0; // long
$query->BroadcastId = 327; // long
$response = $client->QueryCalls($query);
print_r($response);
