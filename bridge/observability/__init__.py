"""Operations: what a load balancer, Prometheus and a log pipeline read from a running bridge.

- `context`: the record of the request being served (its id and operation), for log lines.
- `requests`: the request id of each HTTP request (the client's X-Request-Id when sane, else a
  new one, echoed in the answer) and the WSGI middleware that counts and times SOAP operations.
- `metrics`: the Prometheus metrics (multiprocess mode under gunicorn) and `/metrics`' text.
- `instrument`: hooks a worker's v1.1 operations, v2 client and circuit breaker into the metrics.
- `readiness`: `/readyz`' checks (the store answers, v2 is reachable).
- `logs`: text or JSON log lines carrying the request id, never credentials.
"""
