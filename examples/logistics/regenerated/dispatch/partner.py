"""Partner API client with a rate limiter."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["PARTNER_LIMIT", "PartnerClient", "PartnerThrottled", "RateLimiter",
           "make_limiter"]

PARTNER_LIMIT = 5  # requests per second


class PartnerThrottled(Exception):
    """Rate limit reached."""


class RateLimiter:
    """Allows ``limit`` requests per second."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._second: int | None = None
        self._count = 0

    def allow(self, now: float) -> bool:
        """Count a request at ``now``; False when this second's quota is spent."""
        second = math.floor(now)
        if second != self._second:
            self._second, self._count = second, 0
        if self._count >= self.limit:
            return False
        self._count += 1
        return True


def make_limiter() -> RateLimiter:
    """The partner API's limiter."""
    return RateLimiter(PARTNER_LIMIT)


class PartnerClient:
    """Sends tracking updates to the partner."""

    def __init__(self, send: Callable[[str, Mapping[str, Any]], int], *,
                 clock: Callable[[], float] = time.monotonic,
                 limiter: RateLimiter | None = None) -> None:
        self.send = send
        self.clock = clock
        self.limiter = limiter or make_limiter()

    def push_tracking(self, order_id: str, label: str) -> None:
        """Send the tracking number for an order."""
        if not self.limiter.allow(self.clock()):
            raise PartnerThrottled(order_id)
        status = self.send("/tracking", {"order": order_id, "tracking": label})
        if status >= 400:
            raise RuntimeError(f"partner returned {status}")
