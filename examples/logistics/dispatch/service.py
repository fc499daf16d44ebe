"""One dispatch run: plan a wave, hold stock, book labels, tell the partner.

>>> from dispatch.orders import Order
>>> run = DispatchRun(
...     carrier=CarrierClient(lambda m, p, body, t: (201, {"labels": ["L-1"]})),
...     warehouse=WarehouseClient(lambda order_id: True, clock=lambda: 0.0),
...     partner=None)
>>> run.dispatch([Order("A-1", created_at=0.0)]).labels
{'A-1': 'L-1'}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dispatch.carrier import CarrierClient, CarrierError
from dispatch.orders import Order, depot_load
from dispatch.partner import PartnerClient, PartnerThrottled
from dispatch.priority import plan_wave
from dispatch.warehouse import BreakerOpen, WarehouseClient

__all__ = ["DispatchRun", "WaveResult"]


@dataclass
class WaveResult:
    """What one wave did: labels booked, orders held back and why, updates deferred."""

    labels: dict[str, str] = field(default_factory=dict)
    held_back: dict[str, str] = field(default_factory=dict)
    tracking_deferred: list[str] = field(default_factory=list)


@dataclass
class DispatchRun:
    """The clients one run talks to; ``partner`` is None for depots without partner sales."""

    carrier: CarrierClient
    warehouse: WarehouseClient
    partner: PartnerClient | None = None

    def dispatch(self, pending: Sequence[Order]) -> WaveResult:
        """Dispatch the next wave out of ``pending`` orders."""
        result = WaveResult()
        wave = plan_wave(pending, load=depot_load(len(pending)))
        ready: list[Order] = []
        for order in wave:
            try:
                held = self.warehouse.hold_stock(order.id)
            except BreakerOpen:
                result.held_back[order.id] = "warehouse unavailable"
                continue
            except Exception as exc:  # one order's failure must not stop the wave
                result.held_back[order.id] = f"warehouse error: {exc}"
                continue
            if held:
                ready.append(order)
            else:
                result.held_back[order.id] = "out of stock"
        if not ready:
            return result
        try:
            labels = self.carrier.book_labels(ready)
        except CarrierError as exc:
            for order in ready:
                result.held_back[order.id] = f"carrier: {exc}"
            return result
        for order, label in zip(ready, labels, strict=True):
            result.labels[order.id] = label
            if self.partner is None:
                continue
            try:
                self.partner.push_tracking(order.id, label)
            except PartnerThrottled:
                result.tracking_deferred.append(order.id)
        return result
