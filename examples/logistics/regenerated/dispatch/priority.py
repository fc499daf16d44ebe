"""Wave planning."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dispatch.limits import wave_size
from dispatch.orders import Order

__all__ = ["SPIKE_LOAD", "in_spike", "plan_wave", "spike_order"]

SPIKE_LOAD = 0.80  # from the depot runbook


def in_spike(load: float) -> bool:
    """True when the depot is overloaded."""
    return load > SPIKE_LOAD


def spike_order(items: list[Any]) -> list[Any]:
    """Order the items of a wave during a spike.

    Arrival order is kept, so that no order waits longer than one that came after it.
    """
    return list(items)


def plan_wave(orders: Sequence[Order], load: float) -> list[Order]:
    """The next wave: oldest orders first, cut to the wave size."""
    queue = sorted(orders, key=lambda o: o.created_at)
    if in_spike(load):
        queue = spike_order(queue)
    return queue[: wave_size(len(queue))]
