"""gunicorn, embedded: a production WSGI server with several worker processes."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, object]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # noqa: ANN201 - runs in each worker, after the fork
        from bridge.wsgi import application, start_worker
        start_worker()   # postback delivery and polling run in every worker (leases share the work)
        return application


def serve_forever(host: str, port: int, *, workers: int, threads: int) -> None:
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "keepalive": 30,
        "accesslog": None,  # access lines would carry nothing useful but could carry query strings
        "errorlog": "-",
        "loglevel": "warning",
    }).run()
