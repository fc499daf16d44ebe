"""Planning a loading wave."""

from __future__ import annotations

from collections import Counter

from dispatch.orders import Order
from dispatch.priority import plan_wave, spike_order


def orders(n: int) -> list[Order]:
    services = ["standard", "express"]
    return [Order(f"O-{i}", created_at=float(100 - i), service=services[i % 2],
                  perishable=(i % 3 == 0)) for i in range(n)]


def test_spike_order_keeps_every_order_exactly_once() -> None:
    batch = orders(9)
    assert Counter(o.id for o in spike_order(batch)) == Counter(o.id for o in batch)


def test_on_a_quiet_day_the_oldest_orders_leave_first() -> None:
    wave = plan_wave(orders(5), load=0.2)
    assert [o.created_at for o in wave] == sorted(o.created_at for o in wave)


def test_a_wave_is_cut_to_the_loading_bay() -> None:
    assert len(plan_wave(orders(100), load=0.3)) == 40


def test_an_empty_backlog_gives_an_empty_wave() -> None:
    assert plan_wave([], load=0.0) == []
