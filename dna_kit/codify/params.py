"""Template parameters: what each one means, its unit, and how a finding's value becomes one.

A finding says ``cap: "5 s"``; a template needs ``CAP = 5.0`` seconds. :func:`resolve_params`
takes the finding's params, lets the binding's (``--param``) override them, normalises each
to its base unit (seconds, bytes, fractions, counts) with :mod:`dna_kit.units`, checks it,
and keeps the text it came from for the comment beside the constant.

>>> spec = ParamSpec("cap", "duration", "the longest delay")
>>> spec.normalise(parse_param("cap", "5 s")).value
5.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from dna_kit.codify.literals import comment_text, identifier, is_dotted_name
from dna_kit.errors import CodifyError, InvalidFinding
from dna_kit.finding import ParamValue, parse_param
from dna_kit.units import Quantity

__all__ = ["UNIT_LABELS", "ParamSpec", "Resolved", "parse_override", "resolve_params"]

#: The unit each kind of parameter is held in, as `dna templates` and comments say it.
UNIT_LABELS: dict[str, str] = {
    "duration": "seconds",
    "size": "bytes",
    "fraction": "fraction (0.1 = 10%)",
    "count": "count",
    "number": "number",
    "value": "number in base units (seconds, bytes, fractions)",
    "word": "word",
    "words": "names",
    "values": "list of numbers in base units",
    "name": "identifier",
}
# The dimension of a Quantity each kind accepts (a bare number is taken in base units).
_DIMENSIONS = {
    "duration": ("duration",),
    "size": ("size",),
    "fraction": ("fraction",),
    "count": ("count",),
    "number": ("count",),
    "value": ("duration", "size", "fraction", "count", "rate"),
}
_REQUIRED = object()


@dataclass(frozen=True)
class Resolved:
    """A parameter ready for a template: its ``value`` in base units, and where it came
    from (``origin``: finding, binding or default) with the ``text`` written there."""

    name: str
    value: Any
    kind: str
    origin: str
    text: str | None = None
    #: The name the value was given under when it was an alias (``attempts`` for
    #: ``max_attempts``); None when it was given under the parameter's own name.
    alias: str | None = None

    @property
    def unit(self) -> str:
        return UNIT_LABELS[self.kind]

    def comment(self) -> str:
        """The words beside the constant: its unit and the text it was written as."""
        if self.origin == "default":
            return f"{self.unit}; the template's default"
        said = "the finding says" if self.origin == "finding" else "the binding says"
        named = f"{self.alias} = " if self.alias else ""
        return f"{self.unit}; {said} {named}{comment_text(self.text or '')}"

    def note(self) -> str | None:
        """``attempts → max_attempts: 3 (the finding's name for it)`` when the value came
        in under an alias, else None: what codify shows so a renamed value is seen.

        >>> Resolved("max_attempts", 3, "count", "finding", "3", alias="attempts").note()
        "attempts → max_attempts: 3 (the finding's name for it)"
        """
        if self.alias is None:
            return None
        whose = "the finding's" if self.origin == "finding" else "the binding's"
        return f"{self.alias} → {self.name}: {self.text} ({whose} name for it)"


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a template: ``kind`` is duration, size, fraction, count, number,
    value (any of those), values (a list of them), word, words or name.

    ``aliases`` are other names for the same meaning; ``refused`` maps names that look
    like this parameter but mean something else to the reason (``retries`` counts the
    calls after the first one, ``max_attempts`` every call)."""

    name: str
    kind: str
    help: str
    default: Any = _REQUIRED
    choices: Mapping[str, str] | None = None  # accepted word -> canonical word
    aliases: Sequence[str] = ()
    refused: Mapping[str, str] | None = None
    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None  # strictly greater than
    below: float | None = None  # strictly less than

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    @property
    def unit(self) -> str:
        return UNIT_LABELS[self.kind]

    def describe(self) -> str:
        """One line for ``dna templates``: name, unit, default and meaning."""
        extra = "" if self.required else f", default {self.default!r}"
        choices = f" (one of {', '.join(sorted(set(self.choices.values())))})" \
            if self.choices else ""
        aliases = f"; also read as {', '.join(self.aliases)}" if self.aliases else ""
        refused = (f"; never read from {', '.join(self.refused)} (another meaning)"
                   if self.refused else "")
        return f"{self.name} [{self.unit}{extra}]: {self.help}{choices}{aliases}{refused}"

    def normalise(self, raw: ParamValue) -> Resolved:
        """``raw`` (as a finding holds it) → :class:`Resolved`, or a CodifyError naming the
        parameter and the value."""
        text = raw.text if isinstance(raw, Quantity) else _text(raw)
        value = self._value(raw)
        self._check_range(value, text)
        return Resolved(self.name, value, self.kind, "finding", text)

    def _value(self, raw: ParamValue) -> Any:
        name = self.name
        if self.kind in _DIMENSIONS:
            if not isinstance(raw, Quantity):
                raise CodifyError(f"{name}={_text(raw)!r} is not a number; {name} is a "
                                  f"{self.unit} value such as {_example(self.kind)}")
            allowed = _DIMENSIONS[self.kind]
            bare = raw.dimension == "count" and _is_bare_number(raw.text)
            if raw.dimension not in allowed and not bare:
                raise CodifyError(f"{name}={raw.text!r} is a {raw.dimension}; {name} needs "
                                  f"a {self.kind} such as {_example(self.kind)}")
            if not math.isfinite(raw.value):
                raise CodifyError(f"{name}={raw.text!r} is not a finite number")
            if self.kind == "count":
                if raw.value != int(raw.value):
                    raise CodifyError(f"{name}={raw.text!r} must be a whole number")
                return int(raw.value)
            return float(raw.value)
        if self.kind == "values":
            return self._values(raw)
        if self.kind == "words":
            words = _listed(raw) if isinstance(raw, str) else raw
            if not isinstance(words, tuple) or not all(isinstance(w, str) for w in words):
                raise CodifyError(f"{name}={raw!r} must be a list of names")
            for word in words:
                if not is_dotted_name(word):
                    raise CodifyError(f"{name}: {word!r} is not a name such as "
                                      "ConnectionError or package.module.Error")
            return tuple(words)
        if not isinstance(raw, str):
            raise CodifyError(f"{name}={_text(raw)!r} must be a word")
        word = raw.strip()
        if self.kind == "name":
            return identifier(word, what=name)
        if self.choices is not None:
            canonical = self.choices.get(word.lower())
            if canonical is None:
                raise CodifyError(f"{name}={word!r} is not one of "
                                  f"{', '.join(sorted(self.choices))}")
            return canonical
        return word

    def _values(self, raw: ParamValue) -> tuple[float, ...]:
        items = _listed(raw) if isinstance(raw, str) else raw
        if isinstance(items, Quantity):
            items = (items.text,)
        if not isinstance(items, tuple):
            raise CodifyError(f"{self.name}={_text(raw)!r} must be a list of numbers such "
                              "as [300s, 600s]")
        out = []
        one = replace(self, kind="value")
        for item in items:
            try:
                quantity = parse_param(self.name, item)
            except InvalidFinding as exc:
                raise CodifyError(f"{self.name}: {item!r}: {exc.reason}") from None
            out.append(float(one._value(quantity)))
        return tuple(out)

    def _check_range(self, value: Any, text: str) -> None:
        if not isinstance(value, int | float) or isinstance(value, bool):
            return
        bad = ((self.minimum is not None and value < self.minimum, f"at least {self.minimum}"),
               (self.maximum is not None and value > self.maximum, f"at most {self.maximum}"),
               (self.above is not None and value <= self.above, f"above {self.above}"),
               (self.below is not None and value >= self.below, f"below {self.below}"))
        for failed, need in bad:
            if failed:
                raise CodifyError(f"{self.name}={text!r} must be {need} ({self.unit})")


def _listed(text: str) -> tuple[str, ...] | str:
    """``[A, B]`` (as a person writes a list on a command line) → ``("A", "B")``; any
    other text is returned as it is."""
    stripped = text.strip()
    if stripped.startswith("[") and stripped.endswith("]"):
        return tuple(w.strip().strip("'\"") for w in stripped[1:-1].split(",") if w.strip())
    return text


def _text(raw: Any) -> str:
    if isinstance(raw, Quantity):
        return raw.text
    if isinstance(raw, tuple):
        return ", ".join(raw)
    return str(raw)


def _is_bare_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _example(kind: str) -> str:
    return {"duration": "5s or 300ms", "size": "2 GiB", "fraction": "10%",
            "count": "4", "number": "2", "value": "30s or 80%"}.get(kind, "a word")


def parse_override(name: str, text: str, spec: ParamSpec | None = None) -> ParamValue:
    """A ``--param name=value`` from the command line, as a finding would hold it.

    Lists are written in brackets, ``--param edges=[300s, 600s]``, or (for names) with
    commas: ``--param retry_on=ConnectionError,TimeoutError``.

    >>> parse_override("cap", "6s").value
    6.0
    """
    try:
        listed = _listed(text)
        if isinstance(listed, tuple):
            return parse_param(name, list(listed))
        if spec is not None and spec.kind in ("words", "values"):
            return parse_param(name, [w.strip() for w in text.split(",") if w.strip()])
        return parse_param(name, text)
    except InvalidFinding as exc:
        raise CodifyError(f"params {name}={text!r}: {exc.reason}", field=f"params.{name}",
                          value=text) from None


def resolve_params(specs: Sequence[ParamSpec], finding_params: Mapping[str, ParamValue],
                   overrides: Mapping[str, ParamValue], *, template: str,
                   finding_id: str) -> dict[str, Resolved]:
    """Every parameter of a template, in its order: binding overrides first, then the
    finding's params, each by name or alias, then the default; a missing one is an error
    that says how to give it. A value given under an alias keeps the alias
    (:meth:`Resolved.note` shows it); one given under a name that would change its
    meaning (``retries`` for ``max_attempts``) is refused with the reason.

    >>> spec = ParamSpec("cap", "duration", "the longest delay")
    >>> resolve_params([spec], {"cap": parse_param("cap", "5 s")}, {}, template="t",
    ...                finding_id="F-0001")["cap"].value
    5.0
    """
    names = {n: s for s in specs for n in (s.name, *s.aliases)}
    refused = {n: (s, why) for s in specs for n, why in (s.refused or {}).items()}
    for name, value in overrides.items():
        if name in refused and refused[name][0].name not in overrides:
            spec, why = refused[name]
            raise CodifyError(_refusal(name, value, spec, why, "the binding"),
                              field=f"params.{spec.name}", value=_text(value))
    unknown = sorted(set(overrides) - set(names))
    if unknown:
        raise CodifyError(f"template {template!r} has no parameter {unknown[0]!r}; its "
                          f"parameters: {', '.join(s.name for s in specs) or '(none)'}")
    out: dict[str, Resolved] = {}
    for spec in specs:
        given = next((n for n in (spec.name, *spec.aliases) if n in overrides), None)
        if given is not None:
            resolved = spec.normalise(overrides[given])
            out[spec.name] = Resolved(spec.name, resolved.value, spec.kind, "binding",
                                      resolved.text,
                                      alias=None if given == spec.name else given)
            continue
        found = next((n for n in (spec.name, *spec.aliases) if n in finding_params), None)
        if found is not None:
            try:
                resolved = spec.normalise(finding_params[found])
            except CodifyError as exc:
                raise CodifyError(f"{finding_id} params.{found}: {exc} (fix it in the "
                                  f"finding, or override {spec.name} in the binding)",
                                  field=f"params.{spec.name}") from None
            out[spec.name] = replace(resolved, alias=None if found == spec.name else found)
            continue
        wrong = next((n for n in (spec.refused or {}) if n in finding_params), None)
        if wrong is not None:
            raise CodifyError(f"{finding_id} params.{wrong}: "
                              + _refusal(wrong, finding_params[wrong], spec,
                                         (spec.refused or {})[wrong], "the finding"),
                              field=f"params.{spec.name}", value=_text(finding_params[wrong]))
        if spec.required:
            raise CodifyError(f"template {template!r} needs {spec.name} ({spec.unit}: "
                              f"{spec.help}); {finding_id} has no params.{spec.name}: add "
                              "it to the finding, or give it in the binding",
                              field=f"params.{spec.name}")
        out[spec.name] = Resolved(spec.name, spec.default, spec.kind, "default")
    return out


def _refusal(name: str, raw: ParamValue, spec: ParamSpec, why: str, where: str) -> str:
    """Why ``name`` is not taken as ``spec.name``, and what to write instead."""
    return (f"{name}={_text(raw)!r} is not {spec.name}: {why}; give {spec.name} in "
            f"{where} (it is never read from {name})")
