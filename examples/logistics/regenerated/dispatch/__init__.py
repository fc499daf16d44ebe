"""dispatch: the depot's dispatch service (rewritten from its contracts and tests).

Plans loading waves, books carrier labels, holds warehouse stock and sends tracking
updates to the marketplace partner.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "4.0.0"
