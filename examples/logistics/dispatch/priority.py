"""Which orders go into the next loading wave.

On a normal day orders leave in the order they came in. During a demand spike the depot
cannot ship everything before the vans leave, so the orders that cannot wait go first.

>>> from dispatch.orders import Order
>>> orders = [Order("A", 1.0), Order("B", 2.0, service="express"), Order("C", 3.0)]
>>> [o.id for o in plan_wave(orders, load=0.5)]
['A', 'B', 'C']
>>> [o.id for o in plan_wave(orders, load=0.95)]
['B', 'A', 'C']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dispatch.limits import wave_size
from dispatch.orders import Order

__all__ = ["SPIKE_LOAD", "in_spike", "plan_wave", "spike_order"]

#: Depot load above which the depot is in a demand spike (see depot_load).
SPIKE_LOAD = 0.80


def in_spike(load: float) -> bool:
    """True when the depot's ``load`` means a demand spike.

    >>> in_spike(0.8), in_spike(0.81)
    (False, True)
    """
    return load > SPIKE_LOAD


def spike_order(items: list[Any]) -> list[Any]:
    """``items`` with the urgent ones (highest ``urgency``) first, otherwise as they came.

    The sort is stable, so within one urgency orders keep their arrival order.

    >>> from types import SimpleNamespace as O
    >>> [o.urgency for o in spike_order([O(urgency=0), O(urgency=1), O(urgency=0)])]
    [1, 0, 0]
    """
    return sorted(items, key=lambda item: -item.urgency)


def plan_wave(orders: Sequence[Order], load: float) -> list[Order]:
    """The orders of the next loading wave, at most :func:`~dispatch.limits.wave_size`.

    Oldest first; during a spike (:func:`in_spike`) the urgent orders first.
    """
    queue = sorted(orders, key=lambda order: order.created_at)
    if in_spike(load):
        queue = spike_order(queue)
    return queue[:wave_size(len(queue))]
