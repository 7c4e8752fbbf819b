<?php
/**
 * One PHP SoapClient sending a mixed load to the bridge for N seconds (bench/bench_load.py runs a few):
 * GetCall, QueryCalls (MaxResults 100) and SendCall with a RequestId, a quarter of the SendCalls
 * repeating the previous one's RequestId and content (a client retry).  One JSON line per request.
 *   BRIDGE_WSDL=... BRIDGE_LOGIN=... php php_load.php SECONDS PREFIX
 */
$client = new SoapClient(getenv('BRIDGE_WSDL'), array(
    'soap_version' => SOAP_1_2, 'login' => getenv('BRIDGE_LOGIN'), 'password' => 'bench',
    'exceptions' => true, 'cache_wsdl' => WSDL_CACHE_NONE, 'connection_timeout' => 30));
ini_set('default_socket_timeout', 60);
$end = microtime(true) + floatval($argv[1]);
$prefix = $argv[2];
$writes = 0;
$previous = null;
for ($i = 0; microtime(true) < $end; $i++) {
    $kind = $i % 10;
    $line = array('client' => 'php');
    try {
        $start = microtime(true);
        if ($kind < 4) {
            $line['op'] = 'GetCall';
            $client->GetCall((object) array('Id' => 9652));
        } elseif ($kind < 7) {
            $line['op'] = 'QueryCalls';
            $client->QueryCalls((object) array('MaxResults' => 100, 'BroadcastId' => 500));
        } else {
            $line['op'] = 'SendCall';
            $writes++;
            $rid = ($writes % 4 == 0 && $previous !== null) ? $previous : $prefix . '-' . $writes;
            $previous = $rid;
            $line['request_id'] = $rid;
            $line['created_id'] = $client->SendCall((object) array(
                'RequestId' => $rid, 'BroadcastName' => 'bench ' . $rid, 'ToNumber' => array('18185551212'),
                'VoiceBroadcastConfig' => (object) array('FromNumber' => '13105551212',
                    'AnsweringMachineConfig' => 'LIVE_IMMEDIATE', 'LiveSoundId' => 9)));
        }
        $line['ok'] = true;
    } catch (SoapFault $fault) {
        $line['ok'] = false;
        $line['error'] = $fault->faultstring;
    }
    $line['ms'] = (microtime(true) - $start) * 1000;
    echo json_encode($line), "\n";
}
