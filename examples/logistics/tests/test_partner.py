"""The partner client and its limiter."""

from __future__ import annotations

import pytest

from dispatch.partner import PartnerClient, PartnerThrottled, make_limiter


def test_a_fresh_limiter_allows_a_call() -> None:
    assert make_limiter().allow(now=0.0)


def test_the_sixth_call_at_one_instant_is_refused() -> None:
    limiter = make_limiter()
    assert [limiter.allow(now=50.0) for _ in range(6)] == [True] * 5 + [False]


def test_calls_are_allowed_again_later() -> None:
    limiter = make_limiter()
    for _ in range(5):
        limiter.allow(now=50.0)
    assert limiter.allow(now=60.0)


def test_push_tracking_sends_the_label() -> None:
    sent = []
    client = PartnerClient(lambda path, payload: sent.append((path, payload)) or 204,
                           clock=lambda: 0.0)
    client.push_tracking("A-1", "L-1")
    assert sent == [("/tracking", {"order": "A-1", "tracking": "L-1"})]


def test_push_tracking_defers_when_throttled() -> None:
    client = PartnerClient(lambda path, payload: 204, clock=lambda: 0.0)
    for i in range(5):
        client.push_tracking(f"A-{i}", "L")
    with pytest.raises(PartnerThrottled):
        client.push_tracking("A-9", "L")
