"""Workers serve requests in threads, and the XSD layouts (the reader's and writer's) and the
comparison's schema types are compiled on first use.  A thread arriving while another compiles
must get the whole layout, never a half-built one: CI once read a SendCall of a burst as empty
("ToNumber: is required") because the second thread saw the first one's placeholder."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from lxml import etree

from bridge.compare.schema import Schema
from bridge.contract import SVC
from bridge.contract.variants import Contract, served_files
from bridge.soap import reader, writer

SEND_CALL = (f'<SendCall xmlns="{SVC}"><RequestId>urn:x</RequestId><ToNumber>13105551212</ToNumber>'
             "</SendCall>")


def _paused_first_build(monkeypatch, owner: type, method: str) -> tuple[threading.Event, threading.Event]:
    """Makes the first call of owner.method wait until released, once it has started."""
    started, release = threading.Event(), threading.Event()
    original = getattr(owner, method)
    first = threading.Lock()

    def paused(self, *args, **kwargs):
        if first.acquire(blocking=False):
            started.set()
            release.wait(10)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(owner, method, paused)
    return started, release


def test_a_request_read_while_its_layout_is_compiled_keeps_its_fields(monkeypatch) -> None:
    fresh = writer._Schemas(served_files(Contract.LIVE))
    monkeypatch.setattr(reader, "schemas", lambda contract: fresh)
    started, release = _paused_first_build(monkeypatch, writer._Schemas, "_element")
    element = etree.fromstring(SEND_CALL)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(reader.read_request, element)
        assert started.wait(10)
        second = pool.submit(reader.read_request, element)
        _finished_within(second, 0.3)                     # the unlocked code answered here, empty
        release.set()
        requests = [first.result(10), second.result(10)]
    assert all(r.get("ToNumber") == [{"_": "13105551212"}] and r["RequestId"] == "urn:x" for r in requests), requests


def test_an_answer_typed_while_its_type_is_built_has_all_its_children(monkeypatch) -> None:
    schema = Schema(served_files(Contract.LIVE))
    started, release = _paused_first_build(monkeypatch, Schema, "_complex")

    def query_fields() -> set[str]:  # what the thread saw when it was answered (a named type: ActionQuery)
        typed = schema.element(SVC, "QueryCalls")
        return set(typed.leaves) | set(typed.children)

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(query_fields)
        assert started.wait(10)
        second = pool.submit(query_fields)
        _finished_within(second, 0.3)
        release.set()
        seen = [first.result(10), second.result(10)]
    assert all({"ToNumber", "State", "IntervalBegin"} <= fields for fields in seen), seen


def _finished_within(future, seconds: float) -> bool:
    try:
        future.result(seconds)
        return True
    except TimeoutError:
        return False
