"""Warehouse client behind a circuit breaker."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["BreakerOpen", "CircuitBreaker", "WarehouseClient", "make_breaker"]

T = TypeVar("T")


class BreakerOpen(Exception):
    """The circuit is open."""


class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; retries after ``cooldown`` seconds."""

    def __init__(self, clock: Callable[[], float], threshold: int = 5,
                 cooldown: float = 30.0) -> None:
        self.clock = clock
        self.threshold = threshold
        self.cooldown = cooldown
        self.failures = 0
        self.open_until: float | None = None

    def call(self, op: Callable[[], T]) -> T:
        """Run ``op`` through the breaker."""
        if self.open_until is not None and self.clock() < self.open_until:
            raise BreakerOpen("circuit open")
        try:
            value = op()
        except Exception:
            self.failures += 1
            if self.failures >= self.threshold:
                self.open_until = self.clock() + self.cooldown
            raise
        self.failures = 0
        self.open_until = None
        return value


def make_breaker(clock: Callable[[], float] = time.monotonic) -> CircuitBreaker:
    """Breaker for warehouse calls."""
    return CircuitBreaker(clock, threshold=5, cooldown=30.0)


class WarehouseClient:
    """Holds stock at the warehouse."""

    def __init__(self, hold: Callable[[str], bool], *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.hold = hold
        self.breaker = make_breaker(clock)

    def hold_stock(self, order_id: str) -> bool:
        """Ask the warehouse to hold stock for an order."""
        return self.breaker.call(lambda: self.hold(order_id))
