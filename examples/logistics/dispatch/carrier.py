"""The carrier API client: labels and pickups, with the retry policy around every call.

A call that fails for a reason that may pass (the carrier is down or slow, the network
dropped) is tried again after :func:`backoff_delay` seconds, at most :data:`MAX_ATTEMPTS`
times in all. A call the carrier refused (any 4xx answer) is never sent again.

>>> backoff_delay(1), backoff_delay(3), backoff_delay(10)
(0.5, 2.0, 5.0)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from dispatch.limits import label_timeout
from dispatch.orders import Order

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "BACKOFF_FACTOR",
    "MAX_ATTEMPTS",
    "CarrierClient",
    "CarrierError",
    "CarrierRejected",
    "CarrierUnavailable",
    "Transport",
    "backoff_delay",
    "call_with_retries",
]

T = TypeVar("T")

#: Seconds before the first retry; each later wait is BACKOFF_FACTOR times longer.
BACKOFF_BASE = 0.5
BACKOFF_FACTOR = 2.0
#: The longest wait between two attempts, in seconds.
BACKOFF_CAP = 5.0
#: Attempts per call, the first one included.
MAX_ATTEMPTS = 6

#: ``transport(method, path, payload, timeout) -> (status, body)``: one HTTP exchange.
Transport = Callable[[str, str, Mapping[str, Any], float], tuple[int, Mapping[str, Any]]]


class CarrierError(Exception):
    """The carrier did not do what was asked; ``status`` is its HTTP status, if any."""

    def __init__(self, message: str = "", status: int | None = None) -> None:
        super().__init__(message or f"carrier answered {status}")
        self.status = status


class CarrierRejected(CarrierError):
    """The carrier refused the request (a 4xx answer): sending it again cannot help."""


class CarrierUnavailable(CarrierError):
    """The carrier failed (a 5xx answer): a later attempt may succeed."""


# Failures that may pass on their own; everything else goes straight to the caller.
RETRYABLE: tuple[type[BaseException], ...] = (CarrierUnavailable, ConnectionError,
                                             TimeoutError)


def backoff_delay(attempt: int) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1 for the first).

    >>> [backoff_delay(n) for n in range(1, 7)]
    [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    """
    if attempt < 1:
        raise ValueError(f"attempt={attempt!r} must be 1 or more")
    return min(BACKOFF_BASE * BACKOFF_FACTOR ** (attempt - 1), BACKOFF_CAP)


def call_with_retries(op: Callable[[], T], *,
                      sleep: Callable[[float], object] = time.sleep) -> T:
    """Call ``op`` until it succeeds, retrying failures that may pass.

    Raises the last error when every attempt failed, and a refusal (4xx) at once.

    >>> call_with_retries(lambda: "label-123")
    'label-123'
    """
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return op()
        except RETRYABLE:
            if attempt == MAX_ATTEMPTS:
                raise
            sleep(backoff_delay(attempt))
    raise AssertionError("unreachable: the loop returns or raises")


class CarrierClient:
    """Books labels with the carrier over ``transport``.

    >>> client = CarrierClient(lambda m, p, body, t: (201, {"label": "L-1"}))
    >>> client.book_label(Order("A-1", created_at=0.0))
    'L-1'
    """

    def __init__(self, transport: Transport, *,
                 sleep: Callable[[float], object] = time.sleep) -> None:
        self._transport = transport
        self._sleep = sleep

    def _request(self, method: str, path: str, payload: Mapping[str, Any],
                 timeout: float) -> Mapping[str, Any]:
        status, body = self._transport(method, path, payload, timeout)
        if 400 <= status < 500:
            raise CarrierRejected(str(body.get("error", "")), status=status)
        if status >= 500:
            raise CarrierUnavailable(str(body.get("error", "")), status=status)
        return body

    def book_label(self, order: Order) -> str:
        """Book a label for ``order``; returns the carrier's label id."""
        payload = {"order": order.id, "postcode": order.postcode,
                   "weight_kg": order.weight_kg, "service": order.service}
        body = call_with_retries(
            lambda: self._request("POST", "/v2/labels", payload, label_timeout(1)),
            sleep=self._sleep)
        return str(body["label"])

    def book_labels(self, orders: list[Order]) -> list[str]:
        """Book labels for several orders in one request; ids in the orders' order."""
        payload = {"orders": [{"order": o.id, "postcode": o.postcode,
                               "weight_kg": o.weight_kg, "service": o.service}
                              for o in orders]}
        body = call_with_retries(
            lambda: self._request("POST", "/v2/labels:batch", payload,
                                  label_timeout(len(orders))),
            sleep=self._sleep)
        labels = [str(label) for label in body["labels"]]
        if len(labels) != len(orders):
            raise CarrierError(f"asked for {len(orders)} labels, got {len(labels)}")
        return labels
