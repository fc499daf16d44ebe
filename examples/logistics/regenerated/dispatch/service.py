"""A dispatch run."""

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
    """Outcome of a wave."""

    labels: dict[str, str] = field(default_factory=dict)
    held_back: dict[str, str] = field(default_factory=dict)
    tracking_deferred: list[str] = field(default_factory=list)


@dataclass
class DispatchRun:
    """Runs dispatch waves against the carrier, warehouse and partner."""

    carrier: CarrierClient
    warehouse: WarehouseClient
    partner: PartnerClient | None = None

    def _hold(self, order: Order, result: WaveResult) -> bool:
        try:
            if self.warehouse.hold_stock(order.id):
                return True
            result.held_back[order.id] = "out of stock"
        except BreakerOpen:
            result.held_back[order.id] = "warehouse unavailable"
        except Exception as exc:
            result.held_back[order.id] = f"warehouse error: {exc}"
        return False

    def dispatch(self, pending: Sequence[Order]) -> WaveResult:
        """Plan and ship one wave from ``pending``."""
        result = WaveResult()
        ready = [o for o in plan_wave(pending, depot_load(len(pending)))
                 if self._hold(o, result)]
        if not ready:
            return result
        try:
            labels = self.carrier.book_labels(ready)
        except CarrierError as exc:
            result.held_back.update({o.id: f"carrier: {exc}" for o in ready})
            return result
        result.labels = {o.id: label for o, label in zip(ready, labels, strict=True)}
        if self.partner is not None:
            for order_id, label in result.labels.items():
                try:
                    self.partner.push_tracking(order_id, label)
                except PartnerThrottled:
                    result.tracking_deferred.append(order_id)
        return result
