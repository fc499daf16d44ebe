"""Wave size and label timeout."""

from __future__ import annotations

__all__ = ["WAVE_CAP", "label_timeout", "wave_size"]

WAVE_CAP = 40


def wave_size(pending: int) -> int:
    """Orders in the next wave: all of them, up to WAVE_CAP."""
    if pending < 0:
        raise ValueError("pending must be >= 0")
    return pending if pending < WAVE_CAP else WAVE_CAP


def label_timeout(items: int) -> float:
    """Timeout in seconds for a label request of ``items`` parcels (2 s to 8 s)."""
    if items < 0:
        raise ValueError("items must be >= 0")
    return max(2.0, min(8.0, 2.0 + items / 20))
