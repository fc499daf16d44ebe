"""One dispatch run, end to end over scripted clients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dispatch.carrier import CarrierClient
from dispatch.orders import Order
from dispatch.partner import PartnerClient
from dispatch.service import DispatchRun
from dispatch.warehouse import WarehouseClient


def labels_for(method: str, path: str, payload: Mapping[str, Any],
               timeout: float) -> tuple[int, Mapping[str, Any]]:
    return 201, {"labels": [f"L-{o['order']}" for o in payload["orders"]]}


def test_a_wave_books_labels_and_reports_out_of_stock_orders() -> None:
    sent = []
    run = DispatchRun(
        carrier=CarrierClient(labels_for, sleep=lambda s: None),
        warehouse=WarehouseClient(lambda order_id: order_id != "B", clock=lambda: 0.0),
        partner=PartnerClient(lambda path, payload: sent.append(payload) or 204,
                              clock=lambda: 0.0),
    )
    result = run.dispatch([Order("A", 1.0), Order("B", 2.0), Order("C", 3.0)])
    assert result.labels == {"A": "L-A", "C": "L-C"}
    assert result.held_back == {"B": "out of stock"}
    assert [p["order"] for p in sent] == ["A", "C"]


def test_a_carrier_refusal_holds_the_wave_back() -> None:
    run = DispatchRun(
        carrier=CarrierClient(lambda *a: (400, {"error": "bad batch"}), sleep=lambda s: None),
        warehouse=WarehouseClient(lambda order_id: True, clock=lambda: 0.0),
    )
    result = run.dispatch([Order("A", 1.0)])
    assert result.labels == {}
    assert set(result.held_back) == {"A"}
