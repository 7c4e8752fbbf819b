<?php
require __DIR__ . '/bridge_options.php';
/**
* ContactService in the style of CallFire's v1.1 PHP examples: stdClass requests, print_r answers.
* UpdateContacts (one new contact), QueryContacts by an attribute, CreateContactList from the
* found contact's id, GetContactList.
*/
$wsdl = getenv('BRIDGE_WSDL');
$client = new SoapClient($wsdl, bridge_options(array(
'soap_version' => SOAP_1_2,
'login' => 'YourLoginId',
'password' => 'YourPassword')));

$contact = new stdClass();
$contact->firstName = 'Mary';
$contact->lastName = 'Jackson';
$contact->homePhone = '12135550951';
$update = new stdClass();
$update->Contact = array($contact);
$client->UpdateContacts($update);

$query = new stdClass();
$query->Field = 'lastName';
$query->String = 'Jackson';
$found = $client->QueryContacts($query);
print_r($found);

$source = new stdClass();
$source->ContactId = $found->Contact->id;
$create = new stdClass();
$create->Name = 'Jacksons';
$create->ContactSource = $source;
$listId = $client->CreateContactList($create);

$get = new stdClass();
$get->Id = $listId;
print_r($client->GetContactList($get));
