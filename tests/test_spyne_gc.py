"""spyne's once-a-second full garbage collection is off: no request pays for a `gc.collect()`."""
from __future__ import annotations

import gc

import pytest

from tests.conftest import InProcess


def test_serving_requests_never_runs_a_full_collection(inproc: InProcess, login: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    collections: list[int] = []
    real_collect = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *args: collections.append(1) or real_collect(*args))
    for _ in range(3):
        response = inproc.soap("<ns1:QueryCalls><ns1:MaxResults>5</ns1:MaxResults></ns1:QueryCalls>", login=login)
        assert response.status_code == 200, response.text
    assert collections == []
