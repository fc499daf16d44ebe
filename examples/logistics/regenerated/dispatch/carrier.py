"""Carrier API client with retries."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from dispatch.limits import label_timeout
from dispatch.orders import Order

__all__ = ["BACKOFF_BASE", "MAX_ATTEMPTS", "CarrierClient", "CarrierError",
           "CarrierRejected", "CarrierUnavailable", "backoff_delay", "call_with_retries"]

T = TypeVar("T")

BACKOFF_BASE = 0.5  # seconds
MAX_ATTEMPTS = 6


class CarrierError(Exception):
    """Base class for carrier failures."""

    def __init__(self, message: str = "", status: int | None = None) -> None:
        super().__init__(message or f"carrier error {status}")
        self.status = status


class CarrierRejected(CarrierError):
    """4xx from the carrier."""


class CarrierUnavailable(CarrierError):
    """5xx from the carrier."""


def backoff_delay(attempt: int) -> float:
    """Exponential backoff: 0.5 s, 1 s, 2 s, ..."""
    if attempt < 1:
        raise ValueError("attempt starts at 1")
    return BACKOFF_BASE * 2 ** (attempt - 1)


def call_with_retries(op: Callable[[], T], *,
                      sleep: Callable[[float], object] = time.sleep) -> T:
    """Run ``op``, retrying transient failures up to MAX_ATTEMPTS times in all."""
    attempt = 1
    while True:
        try:
            return op()
        except (CarrierError, ConnectionError, TimeoutError):
            if attempt >= MAX_ATTEMPTS:
                raise
            sleep(backoff_delay(attempt))
            attempt += 1


class CarrierClient:
    """Client for the carrier's label API."""

    def __init__(self, transport: Callable[..., tuple[int, Mapping[str, Any]]], *,
                 sleep: Callable[[float], object] = time.sleep) -> None:
        self.transport = transport
        self.sleep = sleep

    def _post(self, path: str, payload: Mapping[str, Any], timeout: float) -> Mapping[str, Any]:
        def once() -> Mapping[str, Any]:
            status, body = self.transport("POST", path, payload, timeout)
            if status >= 500:
                raise CarrierUnavailable(str(body.get("error", "")), status)
            if status >= 400:
                raise CarrierRejected(str(body.get("error", "")), status)
            return body

        return call_with_retries(once, sleep=self.sleep)

    @staticmethod
    def _line(order: Order) -> dict[str, Any]:
        return {"order": order.id, "postcode": order.postcode, "weight_kg": order.weight_kg,
                "service": order.service}

    def book_label(self, order: Order) -> str:
        """Book one label; returns its id."""
        return str(self._post("/v2/labels", self._line(order), label_timeout(1))["label"])

    def book_labels(self, orders: list[Order]) -> list[str]:
        """Book labels for ``orders`` in one request."""
        body = self._post("/v2/labels:batch", {"orders": [self._line(o) for o in orders]},
                          label_timeout(len(orders)))
        labels = [str(x) for x in body["labels"]]
        if len(labels) != len(orders):
            raise CarrierError(f"expected {len(orders)} labels, got {len(labels)}")
        return labels
