<?php
// A legacy receiver of SubscriptionService notifications: it reads the posted XML with simplexml, as
// CallFire's PHP integrations did, and writes what it read (and the raw body) to received.jsonl for the
// test. ?tag=NAME tells the subscriptions apart.
$contents = file_get_contents('php://input');
$xml = simplexml_load_string($contents);
$notification = $xml->children('http://api.callfire.com/notification/xsd');
$data = $xml->children('http://api.callfire.com/data');
$seen = array('tag' => $_GET['tag'] ?? '', 'root' => $xml->getName(),
              'subscription' => (string)$notification->SubscriptionId,
              'delivery' => $_SERVER['HTTP_X_CALLFIRE_BRIDGE_DELIVERY'] ?? '', 'body' => $contents);
if ($xml->getName() == 'CallFinished') {
    $call = $data->Call;
    $seen += array('call' => (string)$call->attributes()['id'], 'result' => (string)$call->FinalResult,
                   'to' => (string)$call->ToNumber, 'state' => (string)$call->State);
}
file_put_contents(__DIR__ . '/received.jsonl', json_encode($seen) . "\n", FILE_APPEND | LOCK_EX);
?>
