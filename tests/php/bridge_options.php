<?php
/**
 * Test harness only (not part of CallFire's examples): the variants a test asks for
 * through the environment, applied to the example's own SoapClient options.
 *   BRIDGE_SOAP_VERSION = 1_2 (as documented) | 1_1 | none (option left out: PHP sends SOAP 1.1)
 *   BRIDGE_SINGLE_ELEMENT_ARRAYS = 1 adds 'features' => SOAP_SINGLE_ELEMENT_ARRAYS
 *   BRIDGE_LOGIN / BRIDGE_PASSWORD replace the example's placeholder credentials
 * The WSDL is never cached (php -d soap.wsdl_cache_enabled=0), so each run sees today's contract.
 */
function bridge_options(array $options) {
    $version = getenv('BRIDGE_SOAP_VERSION') ?: '1_2';
    if ($version === '1_1') { $options['soap_version'] = SOAP_1_1; }
    if ($version === 'none') { unset($options['soap_version']); }
    if (getenv('BRIDGE_SINGLE_ELEMENT_ARRAYS') === '1') { $options['features'] = SOAP_SINGLE_ELEMENT_ARRAYS; }
    if (getenv('BRIDGE_LOGIN') !== false) { $options['login'] = getenv('BRIDGE_LOGIN'); }
    if (getenv('BRIDGE_PASSWORD') !== false) { $options['password'] = getenv('BRIDGE_PASSWORD'); }
    $options['cache_wsdl'] = WSDL_CACHE_NONE;
    return $options;
}
