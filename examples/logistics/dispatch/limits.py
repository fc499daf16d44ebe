"""Capacity and timeout values for one dispatch run.

>>> wave_size(pending=12)
12
>>> label_timeout(items=10)
2.5
"""

from __future__ import annotations

__all__ = ["LABEL_TIMEOUT_BASE", "LABEL_TIMEOUT_CAP", "LABEL_TIMEOUT_PER_ITEM", "WAVE_CAP",
           "label_timeout", "wave_size"]

#: Orders released to the loading bay in one wave: 8 docks, 5 roll cages each.
WAVE_CAP = 40

#: Seconds a label request may take: a fixed part, a part per parcel, and a ceiling.
LABEL_TIMEOUT_BASE = 2.0
LABEL_TIMEOUT_PER_ITEM = 0.05
# The carrier's gateway drops connections after 10 s; waiting longer only buys a reset.
LABEL_TIMEOUT_CAP = 8.0


def wave_size(pending: int) -> int:
    """How many of ``pending`` orders the next loading wave takes.

    >>> wave_size(pending=100)
    40
    """
    if pending < 0:
        raise ValueError(f"pending={pending!r} cannot be negative")
    return min(pending, WAVE_CAP)


def label_timeout(items: int) -> float:
    """Seconds to wait for the carrier to answer a label request for ``items`` parcels.

    >>> label_timeout(items=1000)
    8.0
    """
    if items < 0:
        raise ValueError(f"items={items!r} cannot be negative")
    return min(LABEL_TIMEOUT_BASE + LABEL_TIMEOUT_PER_ITEM * items, LABEL_TIMEOUT_CAP)
