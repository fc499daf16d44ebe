"""dispatch: the depot's dispatch service.

It turns the day's orders into loading waves, books a carrier label for each parcel, holds
stock with the warehouse, and pushes tracking updates to the marketplace partner.

Modules:

- :mod:`dispatch.orders`: the order model and the depot's load.
- :mod:`dispatch.priority`: which orders go into the next loading wave.
- :mod:`dispatch.carrier`: the carrier API client and its retry policy.
- :mod:`dispatch.partner`: the partner API client and its rate limiter.
- :mod:`dispatch.warehouse`: the warehouse client and its circuit breaker.
- :mod:`dispatch.limits`: capacity and timeout values.
- :mod:`dispatch.service`: one dispatch run, tying the above together.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "3.4.1"
