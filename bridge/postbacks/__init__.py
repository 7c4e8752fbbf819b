"""Postbacks: what CallFire used to POST to its customers (cloud/1 call-finished and
campaign-finished XML, SubscriptionService notifications), made from v2 events and delivered
from a durable outbox.

    events.py    V2Event, Delivery, Listener: the interface every source and listener shares
    pipeline.py  Pipeline.ingest: an event, once, into the outbox (with its deliveries)
    store.py     every SQL statement of the postback tables (one module: a second backend later)
    outbox.py    the delivery policy: leases, backoff with full jitter, maximum age, dead letters
    deliver.py   the delivery loop and its HTTP POST (bounded timeouts, X-CallFire-Bridge-Delivery)
    safety.py    which postUrls may be called (http/https, no private targets unless allowed)
    cloud1.py    POST /cloud/1/reports/callback/...: registrations and their listener
    payloads.py  call-finished / campaign-finished XML from v2 JSON, driven by mappings/postbacks.yaml
    apikeys.py   the cloud/1 API key registry (v2 credentials, encrypted at rest)
    poller.py    the polling fallback: finished calls, texts and broadcasts since a watermark
    service.py   what a serving process runs: the store, the pipeline, the threads
    webhooks.py  POST /webhooks/v2/{subscription id}: v2 webhooks, signature checked before parsing
    notifications.py  SubscriptionService's listener: v1.1 notifications (mappings/subscription.yaml)
"""
