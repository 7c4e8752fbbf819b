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
* SendCall. Asynchronous operation that starts a call campaign to
* specified numbers.
*/
$request = new stdclass();
$request->BroadcastName = 'Test API SendCall Broadcast';
$request->ToNumber = array('18185551212');
$request->VoiceBroadcastConfig = new stdClass();
$request->VoiceBroadcastConfig->FromNumber = '13105551212'; // PhoneNumber
$request->VoiceBroadcastConfig->AnsweringMachineConfig = 'LIVE_IMMEDIATE'; // [AM_ONLY, AM_AND_LIVE, LIVE_WITH_AMD, LIVE_IMMEDIATE]
$request->VoiceBroadcastConfig->LiveSoundId = 9; // long
$broadcastId = $client->SendCall($request);
echo "Broadcast ID: $broadcastId\n";
