"""Hostile envelopes never become internal errors: a hypothesis-driven mutation fuzzer over the
served operations' valid envelopes (tests/envelope_fuzz.py; bench/fuzz_envelopes.py runs 10,000)."""
from __future__ import annotations

import logging

from hypothesis import HealthCheck, given, settings

from conftest import InProcess, basic
from envelope_fuzz import Seed, cases, problem


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                   HealthCheck.data_too_large])
@given(case=cases())
def test_mutated_envelopes_get_a_soap_answer_and_no_internal_error(inproc: InProcess, case: tuple[Seed, bytes],
                                                                    caplog) -> None:
    seed, envelope = case
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bridge"):
        response = inproc.client.post("/api/1.1/soap12/call", content=envelope, headers={
            "Content-Type": seed.content_type, "Authorization": basic("fuzz")})
    assert problem(response) is None, (seed.operation, seed.version, envelope[:300], problem(response))
    # A client's mistake is logged at info, never as an error with a traceback.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info], caplog.text
