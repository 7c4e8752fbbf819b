"""The per-request deadline (bridge.deadline): what upstream work reads to know when to stop."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bridge import deadline
from bridge.errors import FaultCode


def test_outside_a_request_there_is_no_deadline() -> None:
    assert deadline.remaining() is None
    assert not deadline.expired() and not deadline.client_gone()
    deadline.check()  # nothing to stop


def test_a_passed_deadline_stops_work_with_unavailable_naming_it() -> None:
    with deadline.request_deadline(0):
        assert deadline.remaining() == 0 and deadline.expired()
        with pytest.raises(deadline.DeadlineExceeded) as raised:
            deadline.check()
    assert raised.value.code is FaultCode.UNAVAILABLE
    assert "deadline of 0 s" in raised.value.message and "CALLFIRE_BRIDGE_REQUEST_DEADLINE" in raised.value.message
    assert deadline.remaining() is None  # the request's deadline ends with it


def test_remaining_counts_down_from_the_configured_seconds() -> None:
    with deadline.request_deadline(60):
        assert 0 < deadline.remaining() <= 60
        assert not deadline.expired()
        deadline.check()


def test_a_gone_client_stops_work_before_the_deadline() -> None:
    gone = threading.Event()
    with deadline.request_deadline(60, gone.is_set):
        deadline.check()
        gone.set()
        assert deadline.client_gone()
        with pytest.raises(deadline.ClientGone):
            deadline.check()


def test_threads_see_the_deadline_only_through_in_context() -> None:
    with deadline.request_deadline(0), ThreadPoolExecutor(1) as pool:
        assert pool.submit(deadline.expired).result() is False  # a bare thread: no deadline
        assert pool.submit(deadline.in_context(deadline.expired)).result() is True
