"""The warehouse client and its breaker."""

from __future__ import annotations

import pytest

from dispatch.warehouse import BreakerOpen, WarehouseClient, make_breaker


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def failing() -> None:
    raise OSError("warehouse down")


def test_a_closed_breaker_passes_results_through() -> None:
    assert make_breaker(Clock()).call(lambda: "held") == "held"


def test_five_failures_in_a_row_open_the_breaker() -> None:
    clock = Clock()
    breaker = make_breaker(clock)
    for _ in range(5):
        with pytest.raises(OSError):
            breaker.call(failing)
    calls = []
    with pytest.raises(BreakerOpen):
        breaker.call(lambda: calls.append(1))
    assert calls == []


def test_after_thirty_seconds_a_call_goes_through_again() -> None:
    clock = Clock()
    breaker = make_breaker(clock)
    for _ in range(5):
        with pytest.raises(OSError):
            breaker.call(failing)
    clock.now = 30.0
    assert breaker.call(lambda: "back") == "back"


def test_hold_stock_asks_the_warehouse() -> None:
    asked = []
    client = WarehouseClient(lambda order_id: asked.append(order_id) or True,
                             clock=Clock())
    assert client.hold_stock("A-1") is True
    assert asked == ["A-1"]
