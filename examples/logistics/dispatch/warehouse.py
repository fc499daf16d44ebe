"""The warehouse service: holding stock for the parcels of a wave.

Calls go through a :class:`CircuitBreaker`: after a run of failures it stops calling the
warehouse for a while and fails fast instead, then lets one call through to see whether the
warehouse is back.

>>> now = [0.0]
>>> breaker = make_breaker(lambda: now[0])
>>> breaker.call(lambda: "held")
'held'
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["FAILURE_THRESHOLD", "RESET_TIMEOUT", "BreakerOpen", "CircuitBreaker",
           "WarehouseClient", "make_breaker"]

T = TypeVar("T")

#: Consecutive failures that open the breaker.
FAILURE_THRESHOLD = 5
#: Seconds the breaker stays open before it lets one trial call through.
RESET_TIMEOUT = 30.0


class BreakerOpen(Exception):
    """The breaker is open: the warehouse was not called."""


class CircuitBreaker:
    """Fails fast after ``failure_threshold`` consecutive failures, for ``reset_timeout``
    seconds of ``clock``; then one trial call decides whether to close again.

    >>> t = [0.0]
    >>> b = CircuitBreaker(lambda: t[0], failure_threshold=1, reset_timeout=10.0)
    >>> b.state
    'closed'
    """

    def __init__(self, clock: Callable[[], float], *, failure_threshold: int,
                 reset_timeout: float) -> None:
        self._clock = clock
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._failures = 0
        self._opened_at: float | None = None

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half-open`` (open, and a trial call is due)."""
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.reset_timeout:
            return "half-open"
        return "open"

    def call(self, op: Callable[[], T]) -> T:
        """Call ``op`` unless the breaker is open; raises BreakerOpen when it is."""
        if self.state == "open":
            raise BreakerOpen("warehouse breaker is open")
        try:
            result = op()
        except Exception:
            self._failures += 1
            # A failed trial call re-opens at once: the warehouse is not back yet.
            if self._opened_at is not None or self._failures >= self.failure_threshold:
                self._opened_at = self._clock()
            raise
        self._failures = 0
        self._opened_at = None
        return result


def make_breaker(clock: Callable[[], float] = time.monotonic) -> CircuitBreaker:
    """The breaker around the warehouse service."""
    return CircuitBreaker(clock, failure_threshold=FAILURE_THRESHOLD,
                          reset_timeout=RESET_TIMEOUT)


class WarehouseClient:
    """Holds stock for parcels over ``hold(order_id) -> bool``, behind a breaker.

    >>> client = WarehouseClient(lambda order_id: True, clock=lambda: 0.0)
    >>> client.hold_stock("A-1")
    True
    """

    def __init__(self, hold: Callable[[str], bool], *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._hold = hold
        self.breaker = make_breaker(clock)

    def hold_stock(self, order_id: str) -> bool:
        """True when the warehouse holds the stock for ``order_id``."""
        return self.breaker.call(lambda: self._hold(order_id))
