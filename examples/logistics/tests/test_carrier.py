"""The carrier client: happy paths and the shape of its errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from dispatch.carrier import (
    MAX_ATTEMPTS,
    CarrierClient,
    CarrierRejected,
    CarrierUnavailable,
    backoff_delay,
    call_with_retries,
)
from dispatch.orders import Order


class ScriptedTransport:
    """Answers each request with the next (status, body) of a script, and records calls."""

    def __init__(self, *answers: tuple[int, Mapping[str, Any]]) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, str, Mapping[str, Any], float]] = []

    def __call__(self, method: str, path: str, payload: Mapping[str, Any],
                 timeout: float) -> tuple[int, Mapping[str, Any]]:
        self.calls.append((method, path, payload, timeout))
        return self.answers.pop(0)


def test_the_first_wait_is_half_a_second_and_waits_grow() -> None:
    assert backoff_delay(1) == pytest.approx(0.5)
    assert backoff_delay(2) > backoff_delay(1)


def test_attempt_numbers_start_at_one() -> None:
    with pytest.raises(ValueError):
        backoff_delay(0)


def test_a_successful_call_is_returned_without_sleeping() -> None:
    slept: list[float] = []
    assert call_with_retries(lambda: 42, sleep=slept.append) == 42
    assert slept == []


def test_a_dropped_connection_is_tried_again() -> None:
    outcomes: list[Any] = [ConnectionError("reset"), "ok"]

    def op() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return str(outcome)

    slept: list[float] = []
    assert call_with_retries(op, sleep=slept.append) == "ok"
    assert slept == [backoff_delay(1)]


def test_when_every_attempt_fails_the_last_error_is_raised() -> None:
    calls = []

    def op() -> None:
        calls.append(1)
        raise CarrierUnavailable(status=503)

    with pytest.raises(CarrierUnavailable):
        call_with_retries(op, sleep=lambda s: None)
    assert len(calls) == MAX_ATTEMPTS


def test_booking_a_label_returns_the_carrier_label_id() -> None:
    transport = ScriptedTransport((201, {"label": "L-9"}))
    client = CarrierClient(transport, sleep=lambda s: None)
    assert client.book_label(Order("A-1", 0.0, postcode="1011 AB")) == "L-9"
    method, path, payload, _ = transport.calls[0]
    assert (method, path, payload["order"]) == ("POST", "/v2/labels", "A-1")


def test_a_carrier_outage_that_passes_still_books_the_label() -> None:
    transport = ScriptedTransport((503, {"error": "busy"}), (201, {"label": "L-2"}))
    client = CarrierClient(transport, sleep=lambda s: None)
    assert client.book_label(Order("A-2", 0.0)) == "L-2"


def test_a_refused_request_raises_carrier_rejected_with_the_status() -> None:
    transport = ScriptedTransport(*[(422, {"error": "bad postcode"})] * MAX_ATTEMPTS)
    client = CarrierClient(transport, sleep=lambda s: None)
    with pytest.raises(CarrierRejected) as info:
        client.book_label(Order("A-3", 0.0, postcode="??"))
    assert info.value.status == 422


def test_a_batch_returns_one_label_per_order_in_order() -> None:
    transport = ScriptedTransport((201, {"labels": ["L-1", "L-2"]}))
    client = CarrierClient(transport, sleep=lambda s: None)
    assert client.book_labels([Order("A", 0.0), Order("B", 1.0)]) == ["L-1", "L-2"]
