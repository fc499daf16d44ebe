"""Quantities as people write them: "300ms", "5 s", "2 GiB", "80%", "20+ tx/s", "3 retries".

:func:`parse_quantity` turns such text into a :class:`Quantity` holding the canonical value
(seconds, bytes, a fraction, events per second, or a plain count) *and* the original text, so
a finding file keeps reading the way its author wrote it.

>>> parse_quantity("1.5h").value
5400.0
>>> parse_quantity("80%").value
0.8
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from dna_kit.errors import InvalidUnit

__all__ = ["DIMENSIONS", "Quantity", "is_quantity_text", "parse_quantity"]

#: The canonical unit of each dimension.
DIMENSIONS: dict[str, str] = {
    "duration": "s",
    "size": "B",
    "fraction": "1",
    "rate": "1/s",
    "count": "1",
}

_SECONDS = {
    "ns": 1e-9, "nanosecond": 1e-9,
    "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "microsecond": 1e-6,
    "ms": 1e-3, "msec": 1e-3, "millisecond": 1e-3,
    "s": 1.0, "sec": 1.0, "second": 1.0,
    "m": 60.0, "min": 60.0, "minute": 60.0,
    "h": 3600.0, "hr": 3600.0, "hour": 3600.0,
    "d": 86400.0, "day": 86400.0,
    "w": 604800.0, "wk": 604800.0, "week": 604800.0,
}

_BYTES = {
    "b": 1, "byte": 1,
    "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4, "pb": 1000**5,
    "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4, "pib": 1024**5,
    "k": 1000, "kilobyte": 1000, "megabyte": 1000**2, "gigabyte": 1000**3,
    "terabyte": 1000**4,
}

_PERCENT = {"%": 0.01, "percent": 0.01, "pct": 0.01, "permille": 0.001, "‰": 0.001}

# Things people count. Singular forms; a trailing "s" or "es" is accepted too.
_COUNT_WORDS = {
    "", "x", "×", "retry", "attempt", "try", "time", "request", "req", "call", "item",
    "order", "node", "pod", "instance", "replica", "connection", "conn", "thread",
    "worker", "process", "message", "msg", "event", "error", "failure", "task", "job",
    "user", "host", "server", "file", "row", "record", "entry", "tx", "transaction",
    "query", "packet", "page", "step", "batch", "shard", "partition", "core", "cpu",
    "vcpu", "slot", "lease", "token", "hit", "miss", "crate", "package", "block",
    "ip", "address", "sample", "check", "probe", "restart", "release", "member",
    "team", "account", "key", "line", "spend", "deploy", "deployment", "container",
}

_RATE_PERIOD = {
    "s": 1.0, "sec": 1.0, "second": 1.0,
    "m": 60.0, "min": 60.0, "minute": 60.0,
    "h": 3600.0, "hr": 3600.0, "hour": 3600.0,
    "d": 86400.0, "day": 86400.0,
}
_RATE_SHORTHAND = {"rps": 1.0, "qps": 1.0, "tps": 1.0, "rpm": 1 / 60, "qpm": 1 / 60,
                   "rph": 1 / 3600}

# ASCII digits only: Python's \d also matches fullwidth and other scripts' digits
_NUMBER = r"[-+]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9]+"
_QUANTITY_RE = re.compile(
    rf"^\s*(?P<cmp>(?:<=|>=|≤|≥|<|>|~|≈|up to|at most|at least|max|min)\s*)?"
    rf"(?P<num>{_NUMBER})\s*(?P<plus>\+)?\s*(?P<unit>.*?)\s*$",
    re.IGNORECASE,
)
_COMPOUND_DURATION_RE = re.compile(r"^\s*(?:[0-9]+(?:\.[0-9]+)?\s*(?:d|h|m|s|ms)\s*){2,}$", re.I)
_COMPOUND_PART_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(ms|d|h|m|s)", re.I)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A value with a unit: the canonical ``value`` in the ``dimension``'s base unit,
    and the ``text`` exactly as written.

    >>> q = parse_quantity("5 s")
    >>> (q.value, q.dimension, q.text)
    (5.0, 'duration', '5 s')
    """

    text: str
    value: float
    dimension: str
    at_least: bool = False

    @property
    def unit(self) -> str:
        """The canonical unit of this quantity's dimension (``s``, ``B``, ``1``, ``1/s``)."""
        return DIMENSIONS[self.dimension]

    def __str__(self) -> str:
        return self.text


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("es") and word[:-2] in _COUNT_WORDS:
        return word[:-2]
    if word.endswith("s") and len(word) > 1:
        return word[:-1]
    return word


def _duration_factor(unit: str) -> float | None:
    u = unit.lower()
    if u in _SECONDS:
        return _SECONDS[u]
    if u in ("m", "ms"):
        return _SECONDS[u]
    s = _singular(u)
    return _SECONDS.get(s) if s not in ("m",) else None


def _size_factor(unit: str) -> int | None:
    u = unit.lower()
    if u in _BYTES:
        # "b" alone is ambiguous with bits; people writing sizes write "B". Keep the case.
        if u == "b" and unit != "B":
            return None
        return _BYTES[u]
    return _BYTES.get(_singular(u)) if _singular(u) not in ("b",) else None


def _rate_factor(unit: str) -> float | None:
    u = unit.lower().strip()
    if u in _RATE_SHORTHAND:
        return _RATE_SHORTHAND[u]
    m = re.fullmatch(r"(?P<what>[a-zµμ._ -]*?)\s*(?:/|per\s+|an?\s+)(?P<per>[a-z]+)", u)
    if not m:
        return None
    what = _singular(m.group("what").strip())
    if what not in _COUNT_WORDS:
        return None
    period = _RATE_PERIOD.get(m.group("per")) or _RATE_PERIOD.get(_singular(m.group("per")))
    return None if period is None else 1.0 / period


def _to_number(text: str) -> float:
    return float(text.replace(",", ""))


def parse_quantity(text: str | int | float, *, field: str | None = None) -> Quantity:
    """Parse a quantity as people write it into its canonical value, keeping the text.

    Durations become seconds, sizes bytes (KB = 1000, KiB = 1024), percentages a
    fraction, rates events per second, and counts ("3 retries", "4", "2x") a number.
    A trailing ``+`` ("20+ tx/s") marks a lower bound.

    >>> parse_quantity("20+ tx/s")
    Quantity(text='20+ tx/s', value=20.0, dimension='rate', at_least=True)

    Raises :class:`~dna_kit.errors.InvalidUnit` naming the value when the unit is unknown.
    """
    quantity = _parse(text, field)
    if not math.isfinite(quantity.value):
        raise InvalidUnit(f"value={quantity.text!r} is not a finite number", field=field,
                          value=quantity.text)
    if quantity.value < 0 and quantity.dimension in _NEVER_NEGATIVE:
        raise InvalidUnit(f"value={quantity.text!r} is a negative {quantity.dimension}",
                          field=field, value=quantity.text)
    return quantity


#: Dimensions whose values cannot be below zero (a count or fraction can: a change).
_NEVER_NEGATIVE = frozenset({"duration", "size", "rate"})


def _parse(text: str | int | float, field: str | None) -> Quantity:
    if isinstance(text, bool):
        raise InvalidUnit(f"{text!r} is a yes/no value, not a quantity", field=field,
                          value=text)
    if isinstance(text, int | float):
        return Quantity(text=repr(text), value=float(text), dimension="count")
    raw = str(text)
    if _COMPOUND_DURATION_RE.match(raw):
        total = sum(_to_number(n) * _SECONDS[u.lower()]
                    for n, u in _COMPOUND_PART_RE.findall(raw))
        return Quantity(text=raw, value=total, dimension="duration")
    m = _QUANTITY_RE.match(raw)
    if not m:
        raise InvalidUnit(f"value={raw!r} is not a number with a unit", field=field,
                          value=raw)
    number = _to_number(m.group("num"))
    unit = m.group("unit").strip().rstrip(".")
    at_least = bool(m.group("plus")) or (m.group("cmp") or "").strip().lower() in (
        ">=", "≥", ">", "at least", "min")

    if unit in _PERCENT or unit.lower() in _PERCENT:
        return Quantity(raw, number * _PERCENT.get(unit, _PERCENT.get(unit.lower(), 0.01)),
                        "fraction", at_least)
    factor: float | None = _duration_factor(unit) if unit else None
    if factor is not None:
        return Quantity(raw, number * factor, "duration", at_least)
    size = _size_factor(unit) if unit else None
    if size is not None:
        return Quantity(raw, number * size, "size", at_least)
    rate = _rate_factor(unit) if unit else None
    if rate is not None:
        return Quantity(raw, number * rate, "rate", at_least)
    if _singular(unit.lower()) in _COUNT_WORDS or unit.lower() in _COUNT_WORDS:
        return Quantity(raw, number, "count", at_least)
    raise InvalidUnit(f"unknown unit {unit!r} in value={raw!r}", field=field, value=raw)


def is_quantity_text(text: object) -> bool:
    """True when ``text`` starts like a quantity (a number), so it must parse as one.

    Parameter values that do not start with a number ("desc", "ConnectionError") are
    plain text and are kept as written.
    """
    if isinstance(text, bool):
        return False
    if isinstance(text, int | float):
        return True
    return bool(re.match(rf"^\s*(?:<=|>=|≤|≥|<|>|~|≈)?\s*(?:{_NUMBER})", str(text)))
