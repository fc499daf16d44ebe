"""What each template needs beyond its parameters: derived constants and pinned examples.

Everything a template file shows that is not a plain parameter is worked out here, in Python,
and reaches the file only as literals (via :func:`~dna_kit.codify.literals.emit`) or as
strategy source built from a parsed :class:`~dna_kit.codify.domains.Domain`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from dna_kit.codify.domains import Domain
from dna_kit.codify.literals import emit
from dna_kit.codify.params import Resolved
from dna_kit.errors import CodifyError

__all__ = ["Derived", "assign", "call_source"]

LINE = 88  # the line length ruff and black format to by default
#: The field the priority_order test tags each item with, to check the output is a
#: permutation of the input.
ITEM_TAG = "dna_item"


@dataclass(frozen=True)
class Derived:
    """Extra constant lines (rendered) and ``@example(...)`` decorator lines."""

    constants: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


def call_source(func: str, args: list[str], *, prefix: str = "", indent: str = "") -> str:
    """``prefix + func(args)`` laid out the way ruff format would: one line if it fits,
    else the arguments on one indented line, else one argument per line."""
    one = f"{indent}{prefix}{func}({', '.join(args)})"
    if len(one) <= LINE:
        return one
    inner = indent + "    "
    joined = inner + ", ".join(args)
    if len(joined) <= LINE:
        return f"{indent}{prefix}{func}(\n{joined}\n{indent})"
    body = "".join(f"{inner}{a},\n" for a in args)
    return f"{indent}{prefix}{func}(\n{body}{indent})"


def assign(name: str, source: str, comment: str | None = None) -> str:
    """``NAME = source  # comment`` (the comment goes above when the line would be long)."""
    line = f"{name} = {source}"
    if comment is None:
        return line
    if len(line) + 4 + len(comment) <= LINE and "\n" not in source:
        return f"{line}  # {comment}"
    return f"# {name}: {comment}\n{line}"


def strategy_assign(name: str, domain: Domain, origin: str) -> str:
    """``INPUTS = st.integers(...)`` with a comment naming the domain and its origin."""
    source = _layout_strategy(name, domain)
    return f"# {origin}: {domain.text}\n{source}"


def _layout_strategy(name: str, domain: Domain) -> str:
    if domain.kind == "json":
        return (
            f"{name} = st.recursive(\n"
            "    st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=10),\n"
            "    lambda inner: (\n"
            "        st.lists(inner, max_size=4)\n"
            "        | st.dictionaries(st.text(max_size=5), inner, max_size=4)\n"
            "    ),\n"
            "    max_leaves=10,\n"
            ")"
        )
    source = domain.strategy()
    func, _, rest = source.partition("(")
    if len(f"{name} = {source}") <= LINE or domain.kind == "list":
        return f"{name} = {source}"
    args = [a.strip() for a in rest[:-1].split(",")]
    return call_source(func, args, prefix=f"{name} = ")


def _const(params: Mapping[str, Resolved], name: str) -> str:
    p = params[name]
    value = p.value
    return assign(name.upper(), emit(value), p.comment())


def _params(params: Mapping[str, Resolved]) -> list[str]:
    return [_const(params, name) for name in params]


def _example(**values: str) -> str:
    return "@example(" + ", ".join(f"{k}={v}" for k, v in values.items()) + ")"


# -- one function per template -------------------------------------------------------------

def nothing(params: Mapping[str, Resolved], domain: Domain | None) -> Derived:
    return Derived(_params(params))


def domain_examples(params: Mapping[str, Resolved], domain: Domain | None) -> Derived:
    assert domain is not None
    lines = [*_params(params), strategy_assign("INPUTS", domain, "input domain")]
    return Derived(lines, [_example(x=v) for v in domain.examples()])


def bounded(params: Mapping[str, Resolved], domain: Domain | None) -> Derived:
    low, high = params["min"].value, params["max"].value
    if low is None and high is None:
        raise CodifyError("template 'bounded' needs min, max or both (e.g. max=90)",
                          field="params.max")
    if low is not None and high is not None and low > high:
        raise CodifyError(f"min={params['min'].text!r} is above max={params['max'].text!r}")
    return domain_examples(params, domain)


def monotonic(params: Mapping[str, Resolved], domain: Domain | None) -> Derived:
    assert domain is not None
    ends = domain.examples()
    low, high = ends[0], ends[1] if len(ends) > 1 else ends[0]
    pairs = dict.fromkeys([(low, low), (low, high), (high, low)])
    lines = [*_params(params), strategy_assign("INPUTS", domain, "input domain")]
    return Derived(lines, [_example(a=a, b=b) for a, b in pairs])


def _first_capped_attempt(base: float, factor: float, cap: float, limit: int) -> int | None:
    """The first attempt whose uncapped delay reaches the cap, if one comes by ``limit``."""
    for attempt in range(1, limit + 1):
        try:
            if base * factor ** (attempt - 1) >= cap:
                return attempt
        except OverflowError:
            return attempt
    return None


def backoff_schedule(params: Mapping[str, Resolved], domain: Domain | None) -> Derived:
    base, factor, cap = params["base"].value, params["factor"].value, params["cap"].value
    max_attempts = params["max_attempts"].value
    cap_attempt = _first_capped_attempt(base, factor, cap, 1000)
    limit = max(max_attempts, cap_attempt + 2 if cap_attempt else max_attempts)
    try:
        base * factor ** (limit - 1)
    except OverflowError:
        raise CodifyError(f"factor={params['factor'].text!r} overflows by attempt "
                          f"{limit}; is it a factor?") from None
    lines = _params(params)
    lines.append(assign("CAP_ATTEMPT", emit(cap_attempt),
                        "the first attempt whose delay reaches the cap (None: never)"))
    lines.append(assign("ATTEMPT_LIMIT", emit(limit),
                        "attempts checked: max_attempts, or past CAP_ATTEMPT if later"))
    lines.append(assign("FULL_JITTER_SAMPLES", emit(100),
                        "with full jitter, the delays drawn to see one near its value"))
    pinned = {1, 2, max_attempts, limit}
    if cap_attempt:
        pinned |= {cap_attempt - 1, cap_attempt, cap_attempt + 1}
    return Derived(lines, [_example(attempt=emit(n)) for n in sorted(pinned)
                           if 1 <= n <= limit])


def equivalent(params: Mapping[str, Resolved], domain: Domain | None) -> Derived:
    """The domain's ends, and each edge with the values just either side of it (an int
    one below and above; a float the nearest floats), so a rewrite that moves a boundary
    by one (a TTL of 301 s for 300 s) fails on a pinned example, not by luck."""
    assert domain is not None
    derived = domain_examples(params, domain)
    edges = params["edges"].value
    if not edges:
        return derived
    if domain.kind not in ("int", "float"):
        raise CodifyError(f"edges={params['edges'].text!r} need a numeric domain "
                          f"(int:A..B or float:A..B), not {domain.text!r}",
                          field="params.edges")
    assert domain.low is not None and domain.high is not None
    values: list[int | float] = []
    for edge in edges:
        if domain.kind == "int":
            values += [math.floor(edge) - 1, math.floor(edge), math.ceil(edge),
                       math.ceil(edge) + 1]
        else:
            values += [math.nextafter(edge, -math.inf), float(edge),
                       math.nextafter(edge, math.inf)]
    inside = [v for v in dict.fromkeys(values) if domain.low <= v <= domain.high]
    if not inside:
        raise CodifyError(f"edges={params['edges'].text!r} lie outside the domain "
                          f"{domain.text!r}", field="params.edges")
    known = set(derived.examples)
    pinned = [e for e in (_example(x=emit(v)) for v in inside) if e not in known]
    return Derived(derived.constants, [*derived.examples, *pinned])


def retry_limit(params: Mapping[str, Resolved], domain: Domain | None) -> Derived:
    retry_on, give_up_on = params["retry_on"].value, params["give_up_on"].value
    if not retry_on:
        raise CodifyError("retry_on names no exception; a retry rule retries something "
                          "(e.g. retry_on=ConnectionError,TimeoutError)",
                          field="params.retry_on")
    both = sorted(set(retry_on) & set(give_up_on))
    if both:
        raise CodifyError(f"{both[0]!r} is in both retry_on and give_up_on")
    lines = _params(params)
    outcomes = ("ok", "retry", "give_up") if give_up_on else ("ok", "retry")
    lines.append(assign("OUTCOMES", emit(outcomes), "what one attempt can do"))
    return Derived(lines)


def rate_limit(params: Mapping[str, Resolved], domain: Domain | None) -> Derived:
    limit = params["limit"].value
    lines = _params(params)
    lines.append(assign("REQUESTS_MAX", emit(min(3 * limit + 3, 600)),
                        "requests per generated run (bursts past LIMIT, kept bounded)"))
    return Derived(lines)


def priority_order(params: Mapping[str, Resolved], domain: Domain | None) -> Derived:
    assert domain is not None
    key = params["key"].value
    if key == ITEM_TAG:
        raise CodifyError(f"key={key!r} is the name the test tags items with; rename it")
    if params["item"].value == "object" and not (key.isidentifier() and key.isascii()):
        raise CodifyError(f"key={key!r} must be an attribute name when item=object")
    lines = _params(params)
    lines.append(assign("TAG", emit(ITEM_TAG), "marks each item to check nothing is lost"))
    lines.append(strategy_assign("KEYS", domain, "key values"))
    ends = list(domain.examples())
    mixed = "[" + ", ".join(ends + ends[::-1] + ends) + "]"
    return Derived(lines, [_example(keys="[]"), _example(keys=mixed)])


def circuit_breaker(params: Mapping[str, Resolved], domain: Domain | None) -> Derived:
    return Derived(_params(params))
