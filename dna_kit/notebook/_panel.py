"""What every panel shares: it shows its ``widget`` when displayed, nothing more."""

from __future__ import annotations

from typing import Any


class Panel:
    """A thin shell of widgets over plain functions; ``widget`` is what the notebook shows."""

    widget: Any

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        return self.widget._repr_mimebundle_(include=include, exclude=exclude)
