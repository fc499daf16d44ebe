"""Orders and the depot's load."""

from __future__ import annotations

import pytest

from dispatch.orders import Order, depot_load


def test_express_and_perishable_orders_are_urgent() -> None:
    assert Order("A", 0.0, service="express").urgency == 1
    assert Order("B", 0.0, perishable=True).urgency == 1
    assert Order("C", 0.0).urgency == 0


def test_an_unknown_service_level_is_refused() -> None:
    with pytest.raises(ValueError, match="overnight"):
        Order("A", 0.0, service="overnight")


def test_a_parcel_must_weigh_something() -> None:
    with pytest.raises(ValueError, match="weight_kg"):
        Order("A", 0.0, weight_kg=0)


def test_load_is_pending_orders_over_hourly_capacity() -> None:
    assert depot_load(pending=600, capacity=1200) == pytest.approx(0.5)
    assert depot_load(pending=0) == 0.0


def test_negative_pending_is_an_error() -> None:
    with pytest.raises(ValueError):
        depot_load(pending=-1)
