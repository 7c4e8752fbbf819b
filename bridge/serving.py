"""A waitress server run from a daemon thread: how the simulators run in-process (tests, `make compare`)."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ServerThread:
    server: Any = field(repr=False)  # a waitress server (create_server), already bound
    thread: threading.Thread = field(repr=False)

    @property
    def port(self) -> int:
        return self.server.effective_port

    def stop(self) -> None:
        """Close every socket from inside the server loop, then wait for it to end."""
        if not self.thread.is_alive():
            return
        server = self.server
        try:
            server.trigger.pull_trigger(lambda: [d.close() for d in list(server._map.values())])
        except OSError:  # the trigger is already closed: the loop is ending on its own
            pass
        self.thread.join(timeout=10)
        server.task_dispatcher.shutdown()


def run_in_thread(server: Any, name: str) -> ServerThread:
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    return ServerThread(server, thread)
