"""CallFire v2 REST side of the bridge: the client (`bridge.v2.client`), its errors, its retry
policy and circuit breaker (`bridge.v2.retry`) and the check of its answers (`bridge.v2.answers`)."""
