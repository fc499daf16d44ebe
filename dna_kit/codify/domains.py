"""Input domains: a small vocabulary that becomes a *bounded* hypothesis strategy.

A domain is parsed from text (``--domain int:0..1000``) or worked out from a target's type
hints, never by evaluating anything. Every domain draws from a bounded set: hypothesis left
to itself writes ``st.integers()`` for an attempt number, and the test then hangs computing
``2 ** huge``.

=================  ==========================================================
domain             values
=================  ==========================================================
``int:A..B``       integers from A to B (both included)
``float:A..B``     finite floats from A to B (no NaN, no infinities)
``text``           text up to 20 characters (``text:N`` for up to N, N ≤ 1000)
``bytes``          bytes up to 20 long (``bytes:N``)
``bool``           True or False
``list:D``         lists of up to 10 values of domain D (``list:int:0..9``)
``json``           JSON-like values: None, bools, small ints, short text, and lists
                   and string-keyed dicts of those, at most 3 levels deep
=================  ==========================================================

>>> parse_domain("int:0..1000").strategy()
'st.integers(min_value=0, max_value=1000)'
>>> parse_domain("float:0..60").examples()
('0.0', '60.0')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dna_kit.codify.literals import emit
from dna_kit.errors import CodifyError

__all__ = ["DOMAIN_HELP", "Domain", "domain_from_hint", "parse_domain"]

DOMAIN_HELP = ("int:A..B, float:A..B, text[:N], bytes[:N], bool, list:DOMAIN, json "
               "(e.g. int:0..1000, float:0..60, list:int:0..9)")

_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE_RE = re.compile(rf"^(int|float):\s*({_NUM})\s*\.\.\s*({_NUM})$")
_SIZED_RE = re.compile(r"^(text|bytes)(?::(\d{1,4}))?$")
_MAX_SIZE = 1000
_LIST_SIZE = 10
#: What a bare type hint means, so generated tests stay bounded.
HINT_RANGE = 1000


@dataclass(frozen=True)
class Domain:
    """A parsed domain: ``kind`` (int, float, text, bytes, bool, list, json) and bounds."""

    kind: str
    low: float | int | None = None
    high: float | int | None = None
    size: int | None = None
    item: Domain | None = None

    @property
    def text(self) -> str:
        """The canonical text form, stored in the finding's binding."""
        if self.kind in ("int", "float"):
            return f"{self.kind}:{self.low!r}..{self.high!r}"
        if self.kind in ("text", "bytes"):
            return self.kind if self.size == 20 else f"{self.kind}:{self.size}"
        if self.kind == "list":
            assert self.item is not None
            return f"list:{self.item.text}"
        return self.kind

    def strategy(self) -> str:
        """Python source for a bounded hypothesis strategy (``st`` is the module)."""
        if self.kind == "int":
            return f"st.integers(min_value={emit(self.low)}, max_value={emit(self.high)})"
        if self.kind == "float":
            return (f"st.floats(min_value={emit(self.low)}, max_value={emit(self.high)}, "
                    "allow_nan=False, allow_infinity=False)")
        if self.kind == "text":
            return f"st.text(max_size={emit(self.size)})"
        if self.kind == "bytes":
            return f"st.binary(max_size={emit(self.size)})"
        if self.kind == "bool":
            return "st.booleans()"
        if self.kind == "list":
            assert self.item is not None
            return f"st.lists({self.item.strategy()}, max_size={_LIST_SIZE})"
        return ("st.recursive(st.none() | st.booleans() | st.integers(-1000, 1000) | "
                "st.text(max_size=10), lambda inner: st.lists(inner, max_size=4) | "
                "st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=10)")

    def examples(self) -> tuple[str, ...]:
        """Python source of the boundary values pinned with ``@example``: the ends of a
        range (and zero when it lies inside), the empty text, bytes or list."""
        if self.kind in ("int", "float"):
            assert self.low is not None and self.high is not None
            values: list[int | float] = [self.low, self.high]
            if self.low < 0 < self.high:
                values.append(0 if self.kind == "int" else 0.0)
            return tuple(emit(v) for v in dict.fromkeys(values))
        return {"text": ('""',), "bytes": ('b""',), "bool": ("False", "True"),
                "list": ("[]",)}.get(self.kind, ("None",))


def _number(text: str, kind: str, domain: str) -> int | float:
    try:
        value = float(text)
    except ValueError:
        raise CodifyError(f"domain={domain!r}: {text!r} is not a number") from None
    if kind == "int":
        if value != int(value):
            raise CodifyError(f"domain={domain!r}: {text!r} is not a whole number")
        return int(value)
    if abs(value) > 1e300:
        raise CodifyError(f"domain={domain!r}: {text!r} is too large")
    return value


def parse_domain(text: str) -> Domain:
    """Parse a domain from the documented vocabulary; anything else is a clear error.

    >>> parse_domain("list:text:5").text
    'list:text:5'
    """
    raw = text
    text = text.strip()
    if text.startswith("list:"):
        return Domain("list", item=parse_domain(text[len("list:"):]))
    m = _RANGE_RE.match(text)
    if m:
        kind = m.group(1)
        low, high = _number(m.group(2), kind, raw), _number(m.group(3), kind, raw)
        if low > high:
            raise CodifyError(f"domain={raw!r}: the low end {low!r} is above the high end "
                              f"{high!r}")
        return Domain(kind, low=low, high=high)
    m = _SIZED_RE.match(text)
    if m:
        size = int(m.group(2)) if m.group(2) else 20
        if size > _MAX_SIZE:
            raise CodifyError(f"domain={raw!r}: size {size} is above {_MAX_SIZE}")
        return Domain(m.group(1), size=size)
    if text in ("bool", "json"):
        return Domain(text)
    if text in ("int", "float"):
        raise CodifyError(f"domain={raw!r} needs bounds, e.g. {text}:0..1000 (every "
                          "generated strategy is bounded)")
    raise CodifyError(f"domain={raw!r} is not a known domain; known: {DOMAIN_HELP}")


def domain_from_hint(hint: Any) -> Domain | None:
    """The domain a type hint implies (bounded), or None when it implies none we know.

    ``int`` and ``float`` become ``-1000..1000``; ``str`` text; ``list[int]`` a list.

    >>> domain_from_hint(list[int]).text
    'list:int:-1000..1000'
    """
    import typing

    if hint is bool:
        return Domain("bool")
    if hint is int:
        return Domain("int", low=-HINT_RANGE, high=HINT_RANGE)
    if hint is float:
        return Domain("float", low=float(-HINT_RANGE), high=float(HINT_RANGE))
    if hint is str:
        return Domain("text", size=20)
    if hint is bytes:
        return Domain("bytes", size=20)
    origin = typing.get_origin(hint)
    if origin in (list, tuple) or hint in (list,):
        args = typing.get_args(hint)
        item = domain_from_hint(args[0]) if args else None
        return Domain("list", item=item) if item is not None else None
    return None
