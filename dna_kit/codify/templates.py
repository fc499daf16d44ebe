"""Property-test templates: the registry, and what each template needs and checks.

A template is a named property pattern. :func:`build_template_registry` returns a fresh
:class:`~dna_kit.registry.Registry` of :class:`TemplateSpec` (a test can add its own without
touching anyone else's); the source each one renders lives in
``templates/property/<name>.py.tmpl`` and holds no logic: the values it needs are worked out
here and in :mod:`dna_kit.codify._derive`.

>>> registry = build_template_registry()
>>> registry.get("backoff_schedule").call_shape
'delay(attempt: int) -> float (seconds), attempt >= 1'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dna_kit.codify import _derive
from dna_kit.codify.domains import Domain
from dna_kit.codify.params import ParamSpec, Resolved
from dna_kit.finding import Finding
from dna_kit.registry import Registry, build_registry

__all__ = ["DECISION_RECORD", "Derived", "TemplateSpec", "build_template_registry",
           "suggest_template", "template_source_path"]

Derived = _derive.Derived
Deriver = Callable[[Mapping[str, Resolved], Domain | None], "_derive.Derived"]

_DIRECTIONS = {"increasing": "increasing", "inc": "increasing", "up": "increasing",
               "asc": "increasing", "ascending": "increasing", "non-decreasing": "increasing",
               "decreasing": "decreasing", "dec": "decreasing", "down": "decreasing",
               "desc": "decreasing", "descending": "decreasing",
               "non-increasing": "decreasing"}
_ORDERS = {"desc": "desc", "descending": "desc", "highest first": "desc",
           "asc": "asc", "ascending": "asc", "lowest first": "asc"}
_ITEMS = {"dict": "dict", "mapping": "dict", "object": "object", "attribute": "object"}

# Names that look like a template's parameter but count something else: refused with the
# reason rather than read as it (a silent rename would test another rule).
_RETRIES = ("it counts the retries after the first call, max_attempts counts every call "
            "(urllib3's total=5 or 5 retries make 6 calls)")
_NOT_ATTEMPTS = {"retries": _RETRIES, "max_retries": _RETRIES, "total": _RETRIES}
_NOT_FACTOR = {
    "multiplier": "in tenacity's wait_exponential the multiplier scales every wait (it is "
                  "the first wait, base), while factor is how much each wait grows "
                  "(tenacity's exp_base); elsewhere a multiplier is the growth",
    "backoff_factor": "urllib3's backoff_factor scales the waits (it is base; the growth "
                      "is 2), it is not how much each wait grows",
}


@dataclass(frozen=True)
class TemplateSpec:
    """One property template: the ``rule`` it encodes, the target's ``call_shape``, its
    ``params``, the names (``roles``) its targets are bound to in the generated test, and
    an ``example`` command."""

    name: str
    rule: str
    call_shape: str
    params: tuple[ParamSpec, ...]
    example: str
    roles: tuple[str, ...] = ("f",)
    #: "none" (the rule fixes the inputs), "required", or a default domain text.
    domain: str = "none"
    domain_kinds: tuple[str, ...] | None = None
    derive: Deriver = field(default=_derive.nothing)

    @property
    def needs_domain(self) -> bool:
        return self.domain != "none"

    def source_path(self) -> Path:
        return template_source_path(f"property/{self.name}.py.tmpl")


def template_source_path(relative: str) -> Path:
    """``templates/<relative>`` in a checkout, or its copy in an installed wheel."""
    from dna_kit._resources import templates_dir

    return templates_dir() / relative


def _p(name: str, kind: str, help: str, **kw: object) -> ParamSpec:
    return ParamSpec(name, kind, help, **kw)  # type: ignore[arg-type]


def build_template_registry() -> Registry[TemplateSpec]:
    """A fresh registry holding the ten built-in property templates, then those of
    installed ``dna_kit.templates`` plugins (see :mod:`dna_kit.registry`).

    >>> build_template_registry().names()[:3]
    ['bounded', 'monotonic', 'backoff_schedule']
    """
    return build_registry("template", "dna_kit.templates", register_builtin_templates,
                          item_type=TemplateSpec)


def register_builtin_templates(registry: Registry[TemplateSpec]) -> None:
    """Add the shipped templates, the way a ``dna_kit.templates`` plugin adds its own.

    >>> registry = Registry("template")
    >>> register_builtin_templates(registry)
    >>> len(registry)
    10
    """
    for spec in _builtin_templates():
        registry.register(spec.name, spec)


def _builtin_templates() -> list[TemplateSpec]:
    return [
        TemplateSpec(
            "bounded",
            rule="for every x in the domain, min <= f(x) <= max",
            call_shape="f(x) -> number",
            params=(_p("min", "value", "the smallest allowed result (omit: no lower bound)",
                       default=None, aliases=("minimum", "low")),
                    _p("max", "value", "the largest allowed result (omit: no upper bound)",
                       default=None, aliases=("maximum", "high", "limit", "cap"))),
            example="dna codify F-0002 --template bounded --target dispatch.eta:eta_minutes "
                    "--param max=90 --domain int:0..500",
            domain="required", derive=_derive.bounded),
        TemplateSpec(
            "monotonic",
            rule="x <= y implies f(x) <= f(y) (increasing) or f(x) >= f(y) (decreasing)",
            call_shape="f(x) -> number",
            params=(_p("direction", "word", "which way f moves as x grows",
                       default="increasing", choices=_DIRECTIONS),),
            example="dna codify F-0005 --template monotonic --target dispatch.pricing:surcharge"
                    " --param direction=increasing --domain float:0..100",
            domain="required", domain_kinds=("int", "float", "text", "bytes", "bool"),
            derive=_derive.monotonic),
        TemplateSpec(
            "backoff_schedule",
            rule="for attempt n, delay(n) = min(base * factor^(n-1), cap) within +/- jitter "
                 "(jitter 100%: anywhere from 0 to that value), delay(1) = first when first "
                 "is given; checked from attempt 1 to past the attempt where the cap starts "
                 "to bind, so the start, the factor and the cap are all pinned",
            call_shape="delay(attempt: int) -> float (seconds), attempt >= 1",
            params=(_p("base", "duration", "the delay of attempt 1 by the pattern (the "
                       "first delay, unless first says otherwise)", above=0.0,
                       aliases=("initial", "start", "initial_delay")),
                    _p("factor", "number", "how much each delay grows", above=0.0,
                       default=2.0, aliases=("exp_base", "growth"), refused=_NOT_FACTOR),
                    _p("cap", "duration", "the longest delay", above=0.0,
                       aliases=("max_delay", "ceiling", "backoff_max")),
                    _p("jitter", "fraction", "allowed spread around each delay (10%: within "
                       "+/-10%); 100% is full jitter: each delay anywhere from 0 to its "
                       "value, backoff's default", default=0.0, minimum=0.0, maximum=1.0),
                    _p("max_attempts", "count", "attempts the policy makes, the first one "
                       "included", minimum=1, maximum=1000, aliases=("attempts",),
                       refused=_NOT_ATTEMPTS),
                    _p("first", "duration", "the delay after the first failure when it "
                       "breaks the pattern (urllib3 retries the first time at once: 0); "
                       "later delays follow base * factor^(n-1)", default=None,
                       minimum=0.0)),
            example="dna codify F-0007 --template backoff_schedule "
                    "--target dispatch.carrier:backoff_delay",
            roles=("delay",), derive=_derive.backoff_schedule),
        TemplateSpec(
            "retry_limit",
            rule="over any scripted run of failures and successes: op is called at most "
                 "max_attempts times; a give_up_on error is never retried; a success within "
                 "the limit is returned; when every attempt fails an error is raised",
            call_shape="call(op) -> value: the retry wrapper around a zero-argument callable "
                       "(its sleeping is switched off: time.sleep is patched, or it is "
                       "passed through sleep_arg)",
            params=(_p("max_attempts", "count", "attempts in all, the first one included",
                       minimum=1, maximum=100, aliases=("attempts",), refused=_NOT_ATTEMPTS),
                    _p("retry_on", "words", "exception names that are retried",
                       default=("Exception",)),
                    _p("give_up_on", "words", "exception names that are never retried",
                       default=()),
                    _p("sleep_arg", "name", "keyword argument taking the sleep function "
                       "(omit: time.sleep is patched)", default=None)),
            example="dna codify F-0003 --template retry_limit --target dispatch.carrier:"
                    "call_with_retries --param retry_on=ConnectionError,TimeoutError",
            roles=("call",), derive=_derive.retry_limit),
        TemplateSpec(
            "rate_limit",
            rule="for any sequence of request times, no window of that length allows more "
                 "than limit requests; after a quiet window a request is allowed again",
            call_shape="make() -> limiter, with limiter.allow(now: float seconds) -> bool",
            params=(_p("limit", "count", "requests allowed per window", minimum=1,
                       maximum=10000, aliases=("max_requests", "requests")),
                    _p("window", "duration", "the window length", above=0.0,
                       aliases=("period", "per"))),
            example="dna codify F-0009 --template rate_limit --target dispatch.limits:"
                    "make_limiter --param limit=20 --param window=1s",
            roles=("make",), derive=_derive.rate_limit),
        TemplateSpec(
            "priority_order",
            rule="the output is a permutation of the input, ordered by key (desc: the "
                 "highest first)",
            call_shape="f(items: list) -> list",
            params=(_p("key", "word", "the attribute or dict key ordered by",
                       aliases=("field", "by")),
                    _p("order", "word", "desc or asc", default="desc", choices=_ORDERS),
                    _p("item", "word", "how items hold the key: dict or object",
                       default="dict", choices=_ITEMS)),
            example="dna codify F-0011 --template priority_order --target dispatch.queue:"
                    "next_batch --param key=priority --param order=desc",
            domain="int:0..5", domain_kinds=("int", "float", "text", "bool"),
            derive=_derive.priority_order),
        TemplateSpec(
            "circuit_breaker",
            rule="after failure_threshold consecutive failures, calls are refused without "
                 "calling op until reset_timeout has passed on the clock (a stateful test)",
            call_shape="make(clock) -> breaker, with breaker.call(op); clock() returns "
                       "seconds",
            params=(_p("failure_threshold", "count", "consecutive failures that open it",
                       minimum=1, maximum=1000, aliases=("threshold", "failures")),
                    _p("reset_timeout", "duration", "how long it stays open", above=0.0,
                       aliases=("timeout", "cooldown", "open_for"))),
            example="dna codify F-0012 --template circuit_breaker --target dispatch.breaker:"
                    "make_breaker --param failure_threshold=5 --param reset_timeout=30s",
            roles=("make",), derive=_derive.circuit_breaker),
        TemplateSpec(
            "idempotent",
            rule="f(f(x)) == f(x)",
            call_shape="f(x) -> same kind as x",
            params=(),
            example="dna codify F-0013 --template idempotent --target dispatch.address:"
                    "normalise --domain text",
            domain="required", derive=_derive.domain_examples),
        TemplateSpec(
            "roundtrip",
            rule="decode(encode(x)) == x",
            call_shape="encode(x) -> y and decode(y) -> x (two targets: the second is "
                       "--target decode=MODULE:CALLABLE)",
            params=(),
            example="dna codify F-0014 --template roundtrip --target dispatch.labels:encode "
                    "--target decode=dispatch.labels:decode --domain text",
            roles=("encode", "decode"), domain="required", derive=_derive.domain_examples),
        TemplateSpec(
            "equivalent",
            rule="f(x) == reference(x): an old and a regenerated implementation agree "
                 "(the same value, or the same exception type), pinned at the ends of the "
                 "domain and on both sides of each edge where the behaviour changes",
            call_shape="f(x) and reference(x) (the second is --target "
                       "reference=MODULE:CALLABLE)",
            params=(_p("tolerance", "fraction", "relative difference allowed between "
                       "numbers", default=0.0, minimum=0.0, below=1.0),
                    _p("edges", "values", "inputs where the behaviour changes (a TTL of "
                       "300 s: [300s]); each is pinned with the values just either side "
                       "(omit: the finding's numbers that lie in the domain)", default=(),
                       aliases=("boundaries",))),
            example="dna codify F-0015 --template equivalent --target dispatch.v2:quote "
                    "--target reference=dispatch.v1:quote --domain int:0..1000",
            roles=("f", "reference"), domain="required", derive=_derive.equivalent),
    ]


# -- which template fits a finding ----------------------------------------------------------

#: What :func:`suggest_template` says when a decision record fits better than any test.
DECISION_RECORD = "(decision record)"

# Kinds whose knowledge is a reason or an agreement: a record says it better than a test.
_RECORD_KINDS = frozenset({"decision", "agreement", "heuristic", "action_item"})


def suggest_template(finding: Finding) -> str:
    """The property template that fits a finding (its binding's, else one chosen from its
    kind, parameter names and wording), or :data:`DECISION_RECORD` for reasons and
    agreements.

    >>> suggest_template(Finding.from_dict({"id": "F-0001", "title": "t", "statement": "s",
    ...     "layer": "how", "kind": "retry_policy", "params": {"base": "0.5 s", "cap": "5 s"}}))
    'backoff_schedule'
    """
    # "linked" (dna_kit.codify.stale.LINKED_TEMPLATE): hand-written tests, no template.
    if finding.binding is not None and finding.binding.template != "linked":
        return finding.binding.template
    names = set(finding.params)
    text = f"{finding.title} {finding.statement}".lower()
    if finding.kind in _RECORD_KINDS:
        return DECISION_RECORD
    if finding.kind == "retry_policy":
        if names & {"base", "factor", "cap", "jitter"} or "backoff" in text:
            return "backoff_schedule"
        return "retry_limit"
    if "breaker" in text or names & {"failure_threshold", "reset_timeout"}:
        return "circuit_breaker"
    if finding.kind == "rate_limit":
        return "rate_limit"
    if finding.kind == "ordering_rule":
        return "priority_order"
    if finding.kind in ("threshold", "timeout", "capacity"):
        return "bounded"
    return "idempotent" if "idempotent" in text else "bounded"
