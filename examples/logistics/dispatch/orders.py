"""Orders and the depot's load.

>>> order = Order("A-1", created_at=0.0, service="express")
>>> order.urgency
1
>>> depot_load(pending=600)
0.5
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEPOT_CAPACITY", "SERVICES", "Order", "depot_load"]

#: Service levels a customer can buy.
SERVICES = ("standard", "express")

#: Parcels the depot's sorter handles in an hour.
DEPOT_CAPACITY = 1200


@dataclass(frozen=True)
class Order:
    """One customer order, shipped as one parcel.

    ``created_at`` is seconds since the epoch; ``perishable`` marks chilled goods.
    """

    id: str
    created_at: float
    service: str = "standard"
    perishable: bool = False
    postcode: str = ""
    weight_kg: float = 1.0

    def __post_init__(self) -> None:
        if self.service not in SERVICES:
            raise ValueError(f"service={self.service!r} is not one of {', '.join(SERVICES)}")
        if self.weight_kg <= 0:
            raise ValueError(f"weight_kg={self.weight_kg!r} must be positive")

    @property
    def urgency(self) -> int:
        """1 for orders that cannot wait (express or perishable), 0 for the rest."""
        return 1 if self.service == "express" or self.perishable else 0


def depot_load(pending: int, capacity: int = DEPOT_CAPACITY) -> float:
    """The depot's load: orders waiting, as a fraction of an hour of sorting capacity.

    >>> depot_load(pending=1080)
    0.9
    """
    if pending < 0:
        raise ValueError(f"pending={pending!r} cannot be negative")
    if capacity <= 0:
        raise ValueError(f"capacity={capacity!r} must be positive")
    return pending / capacity
