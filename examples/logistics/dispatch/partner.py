"""The marketplace partner's API: tracking updates for orders sold through the partner.

The partner limits how often we may call it; :class:`RateLimiter` keeps us inside that
limit, and :func:`make_limiter` builds the one the partner agreement asks for.

>>> limiter = make_limiter()
>>> [limiter.allow(now=100.0) for _ in range(6)]
[True, True, True, True, True, False]
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["PARTNER_LIMIT", "PARTNER_WINDOW", "PartnerClient", "PartnerThrottled",
           "RateLimiter", "make_limiter"]

#: Calls the partner accepts in any window of PARTNER_WINDOW seconds.
PARTNER_LIMIT = 5
PARTNER_WINDOW = 1.0


class PartnerThrottled(Exception):
    """We are at the partner's rate limit; the update waits for the next run."""


class RateLimiter:
    """At most ``limit`` calls in any window of ``window`` seconds (a rolling window).

    >>> limiter = RateLimiter(limit=2, window=1.0)
    >>> limiter.allow(0.0), limiter.allow(0.5), limiter.allow(0.9), limiter.allow(1.6)
    (True, True, False, True)
    """

    def __init__(self, limit: int, window: float) -> None:
        if limit < 1 or window <= 0:
            raise ValueError(f"limit={limit!r} and window={window!r} must be positive")
        self.limit = limit
        self.window = window
        self._allowed: deque[float] = deque()

    def allow(self, now: float) -> bool:
        """True (and counted) when a call at time ``now`` stays within the limit."""
        # A call exactly one window ago still counts: the partner measures closed windows.
        while self._allowed and self._allowed[0] < now - self.window:
            self._allowed.popleft()
        if len(self._allowed) >= self.limit:
            return False
        self._allowed.append(now)
        return True


def make_limiter() -> RateLimiter:
    """The limiter for the partner's API, as the partner agreement sets it."""
    return RateLimiter(limit=PARTNER_LIMIT, window=PARTNER_WINDOW)


class PartnerClient:
    """Sends tracking updates to the partner over ``send(path, payload) -> status``.

    >>> sent = []
    >>> client = PartnerClient(lambda path, payload: sent.append(payload) or 204,
    ...                        clock=lambda: 0.0)
    >>> client.push_tracking("A-1", "L-1")
    >>> sent
    [{'order': 'A-1', 'tracking': 'L-1'}]
    """

    def __init__(self, send: Callable[[str, Mapping[str, Any]], int], *,
                 clock: Callable[[], float] = time.monotonic,
                 limiter: RateLimiter | None = None) -> None:
        self._send = send
        self._clock = clock
        self._limiter = limiter or make_limiter()

    def push_tracking(self, order_id: str, label: str) -> None:
        """Tell the partner which label ships ``order_id``; raises PartnerThrottled when
        the limit is spent."""
        if not self._limiter.allow(self._clock()):
            raise PartnerThrottled(f"partner rate limit reached; {order_id} waits")
        status = self._send("/tracking", {"order": order_id, "tracking": label})
        if status >= 400:
            raise RuntimeError(f"partner answered {status} for {order_id}")
