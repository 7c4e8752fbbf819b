<?php
/**
 * Test harness: buying a number with NumberService, as a v1.1 integration did it.
 * Search a region, order the first number offered, poll the order until FINISHED, configure
 * call tracking on it, read it back (GetNumber, QueryNumbers) and release it.  Between polls
 * it moves the simulator's clock (BRIDGE_SIM_ADVANCE: its /__sim/advance URL) where a real
 * integration would sleep.  Prints one JSON object of what it saw.
 *   php numbers.php ZIPCODE
 */
require __DIR__ . '/bridge_options.php';
$client = new SoapClient(getenv('BRIDGE_WSDL'), bridge_options(array(
    'soap_version' => SOAP_1_2, 'login' => 'YourLoginId', 'password' => 'YourPassword')));
$seen = array();

$search = new stdclass();
$search->Region = new stdclass();
$search->Region->Zipcode = $argv[1];
$search->Count = 2;
$available = $client->SearchAvailableNumbers($search);
$seen['available'] = $available;
$numbers = is_array($available->Number) ? $available->Number : array($available->Number);
$number = $numbers[0]->Number;

$order = new stdclass();
$order->Numbers = $number;
$orderId = $client->CreateNumberOrder($order);
$seen['order_id'] = $orderId;

$statuses = array();
for ($poll = 0; $poll < 10; $poll++) {
    $request = new stdclass();
    $request->Id = $orderId;
    $numberOrder = $client->GetNumberOrder($request);
    $statuses[] = $numberOrder->Status;
    if ($numberOrder->Status == 'FINISHED') { break; }
    file_get_contents(getenv('BRIDGE_SIM_ADVANCE'), false, stream_context_create(
        array('http' => array('method' => 'POST'))));   // a real integration: sleep(30)
}
$seen['statuses'] = $statuses;
$seen['order'] = $numberOrder;

$configure = new stdclass();
$configure->Number = $number;
$configure->NumberConfiguration = new stdclass();
$configure->NumberConfiguration->CallFeature = 'ENABLED';
$configure->NumberConfiguration->InboundCallConfigurationType = 'TRACKING';
$configure->NumberConfiguration->InboundCallConfiguration = new stdclass();
$tracking = new stdclass();
$tracking->TransferNumber = '12135550100 12135550101';
$tracking->Record = true;
$tracking->IntroSoundId = 3;
$configure->NumberConfiguration->InboundCallConfiguration->CallTrackingConfig = $tracking;
$client->ConfigureNumber($configure);

$get = new stdclass();
$get->Number = $number;
$seen['configured'] = $client->GetNumber($get);

$query = new stdclass();
$query->MaxResults = 10;
$query->Region = new stdclass();
$query->Region->Zipcode = $argv[1];
$seen['query'] = $client->QueryNumbers($query);

$release = new stdclass();
$release->Number = $number;
$client->Release($release);
$seen['released'] = $client->GetNumber($get);
$seen['released_print_r'] = print_r($seen['released'], true);
echo json_encode($seen), "\n";
