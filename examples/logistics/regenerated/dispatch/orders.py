"""Orders and depot load."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEPOT_CAPACITY", "SERVICES", "Order", "depot_load"]

SERVICES = ("standard", "express")
DEPOT_CAPACITY = 1200  # parcels per hour


@dataclass(frozen=True)
class Order:
    """A customer order (one parcel)."""

    id: str
    created_at: float
    service: str = "standard"
    perishable: bool = False
    postcode: str = ""
    weight_kg: float = 1.0

    def __post_init__(self) -> None:
        if self.service not in SERVICES:
            raise ValueError(f"unknown service level {self.service!r}")
        if not self.weight_kg > 0:
            raise ValueError(f"weight_kg must be > 0, got {self.weight_kg!r}")

    @property
    def urgency(self) -> int:
        """1 if the order is express or perishable, else 0."""
        return int(self.service == "express" or self.perishable)


def depot_load(pending: int, capacity: int = DEPOT_CAPACITY) -> float:
    """Pending orders as a fraction of hourly capacity."""
    if pending < 0 or capacity <= 0:
        raise ValueError("pending must be >= 0 and capacity > 0")
    return pending / capacity
