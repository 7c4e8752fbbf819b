<?php
// CallFire's "Parsing Call Reports" snippet, changed only where PHP 8 needs it
// ($xml->stored-data is a subtraction there: $xml->{'stored-data'}), plus lines that write what it
// read to received.jsonl for the test. RECEIVER_DOWN in the folder makes it answer 503;
// RECEIVER_SLOW makes it note the arrival and take 3 s.
if (file_exists(__DIR__ . '/RECEIVER_DOWN')) { http_response_code(503); echo "down"; exit; }
if (file_exists(__DIR__ . '/RECEIVER_SLOW')) { file_put_contents(__DIR__ . '/arrived.log', "x\n", FILE_APPEND | LOCK_EX); sleep(3); }
$inputSocket = fopen('php://input','rb');
$contents = stream_get_contents($inputSocket);
fclose($inputSocket);
$xml = simplexml_load_string($contents);
$seen = array('delivery' => $_SERVER['HTTP_X_CALLFIRE_BRIDGE_DELIVERY'] ?? '', 'root' => $xml->getName());
if ($xml->getName() == 'call-finished') {
$callstart = $xml->callstart;
$phonenumber = $xml->phonenumber;
$disposition = $xml->disposition;
// for anything that was "stash"ed from IVR campaigns
$vars = array();
foreach ($xml->{'stored-data'}->var as $var) {
$varName = $var['name'];
$varValue = $var;
$vars[(string)$varName] = (string)$varValue;
}
// for sms replies
if (isset($xml->smsReceived))
$smsReply = $xml->smsReceived;
$seen += array('callid' => (string)$xml->callid, 'callstart' => (string)$callstart,
               'phonenumber' => (string)$phonenumber, 'disposition' => (string)$disposition, 'vars' => $vars);
} else {
$stats = array();
foreach ($xml->campaign->{'campaign-stats'}->children() as $stat) { $stats[$stat->getName()] = (int)$stat; }
$seen += array('id' => (string)$xml->campaign->id, 'status' => (string)$xml->campaign->status,
               'cost' => (string)$xml->campaign->cost, 'stats' => $stats);
}
file_put_contents(__DIR__ . '/received.jsonl', json_encode($seen) . "\n", FILE_APPEND | LOCK_EX);
?>
