"""The finding: one piece of a system's knowledge, with where it came from.

A finding is plain data. :meth:`Finding.from_dict` validates what a file or a command gives
and raises :class:`~dna_kit.errors.InvalidFinding` naming the field and the value;
:meth:`Finding.to_dict` gives back what :meth:`from_dict` takes, so the two round-trip.

>>> f = Finding.from_dict({"id": "F-0001", "title": "Retry cap", "layer": "how",
...     "kind": "retry_policy", "statement": "Carrier retries back off, capped at 5 s.",
...     "params": {"cap": "5 s"}})
>>> f.params["cap"].value
5.0
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dna_kit.errors import InvalidFields, InvalidFinding
from dna_kit.units import Quantity, is_quantity_text, parse_quantity

__all__ = [
    "KINDS",
    "LAYERS",
    "STATUSES",
    "Binding",
    "Finding",
    "Links",
    "ParamValue",
    "Provenance",
    "Site",
    "slugify",
]

LAYERS: tuple[str, ...] = ("what", "how", "why")
KINDS: tuple[str, ...] = (
    "threshold", "retry_policy", "timeout", "rate_limit", "capacity", "ordering_rule",
    "decision", "agreement", "heuristic", "invariant", "action_item",
)
STATUSES: tuple[str, ...] = ("candidate", "accepted", "codified", "rejected")

#: A parameter is a quantity ("5 s"), a plain word ("desc"), a yes/no, or a list of words.
ParamValue = Quantity | str | bool | tuple[str, ...]

ID_RE = re.compile(r"^F-[0-9]{4,}$")  # ASCII digits: \d also takes fullwidth ones
_TARGET_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_PARAM_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_FIELDS = (
    "id", "title", "statement", "layer", "kind", "status", "params", "rationale",
    "provenance", "owner", "area", "tags", "created", "updated", "rejected_reason",
    "confidence", "links", "binding",
)


def slugify(text: str, max_len: int = 48) -> str:
    """A file-name-safe slug: ``"Carrier retry cap (5 s)!"`` → ``"carrier-retry-cap-5-s"``."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rsplit("-", 1)[0] or slug[:max_len]
    return slug or "finding"


def _fail(field_name: str, message: str, value: Any = None) -> InvalidFinding:
    return InvalidFinding(message, field=field_name, value=value)


# Control characters (escape sequences, bells, backspaces, NUL) but line breaks and tabs.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable_text(text: str) -> str:
    r"""``text`` with its control characters dropped (line breaks and tabs stay): what a
    finding stores, so no title, statement or quote can act on a terminal that shows it.

    >>> printable_text("Cap\x1b[2J at 5 s\x07")
    'Cap[2J at 5 s'
    """
    return _CONTROL_RE.sub("", text) if _CONTROL_RE.search(text) else text


def _text(data: Mapping[str, Any], key: str, *, required: bool = False,
          where: str | None = None) -> str | None:
    name = where or key
    value = data.get(key)
    if isinstance(value, str) and key != "id":
        value = printable_text(value)
    if value is None or value == "":
        if required:
            raise _fail(name, "is required", value)
        return None
    if not isinstance(value, str):
        raise _fail(name, f"must be text, got {value!r}", value)
    return value


def _choice(data: Mapping[str, Any], key: str, choices: tuple[str, ...],
            default: str | None = None) -> str:
    value = data.get(key, default)
    if value not in choices:
        raise _fail(key, f"{key}={value!r} is not one of {', '.join(choices)}", value)
    return str(value)


def _date(data: Mapping[str, Any], key: str) -> _dt.date | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail(key, f"{key}={value!r} is not a date (YYYY-MM-DD)", value)


def _words(data: Mapping[str, Any], key: str, where: str | None = None) -> tuple[str, ...]:
    name = where or key
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _fail(name, f"must be a list of text, got {value!r}", value)
    return tuple(printable_text(v) for v in value)


def parse_param(name: str, value: Any) -> ParamValue:
    """Validate one parameter value; numbers with units become :class:`Quantity`."""
    where = f"params.{name}"
    if not isinstance(name, str) or not _PARAM_NAME_RE.match(name):
        raise _fail(where, f"parameter name {name!r} must be an identifier", name)
    if isinstance(value, Quantity):
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, list | tuple):
        if not all(isinstance(v, str) for v in value):
            raise _fail(where, f"{name}={value!r}: a list parameter holds text only", value)
        return tuple(printable_text(v) for v in value)
    if is_quantity_text(value):
        return parse_quantity(value, field=where)
    if isinstance(value, str) and printable_text(value).strip():
        return printable_text(value)
    raise _fail(where, f"{name}={value!r} is not a quantity, a word or a list of words",
                value)


def param_to_data(value: ParamValue) -> Any:
    """The file form of a parameter: quantities as the text their author wrote."""
    if isinstance(value, Quantity):
        # A bare number stays a number in YAML ("max_attempts: 4", not '4').
        for kind in (int, float):
            try:
                if repr(kind(value.text)) == value.text:
                    return kind(value.text)
            except ValueError:
                pass
        return value.text
    if isinstance(value, tuple):
        return list(value)
    return value


@dataclass(frozen=True)
class Provenance:
    """Where a finding came from: a source file's lines and a verbatim quote, or an
    interview transcript and the question that drew it out."""

    source: str | None = None
    line_start: int | None = None
    line_end: int | None = None
    quote: str | None = None
    interview: str | None = None
    question: str | None = None

    @classmethod
    def from_dict(cls, data: Any, index: int = 0) -> Provenance:
        where = f"provenance[{index}]"
        if not isinstance(data, Mapping):
            raise _fail(where, f"must be a mapping, got {data!r}", data)
        unknown = set(data) - {"source", "line_start", "line_end", "quote", "interview",
                               "question"}
        if unknown:
            raise _fail(where, f"unknown key(s) {sorted(unknown)!r}", sorted(unknown))
        source = _text(data, "source", where=f"{where}.source")
        interview = _text(data, "interview", where=f"{where}.interview")
        if not source and not interview:
            raise _fail(where, "needs a source (with lines and quote) or an interview", data)
        start, end = data.get("line_start"), data.get("line_end")
        for key, value in (("line_start", start), ("line_end", end)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                      or value < 1):
                raise _fail(f"{where}.{key}", f"{key}={value!r} must be a line number ≥ 1",
                            value)
        if start is not None and end is None:
            end = start
        if start is not None and end is not None and end < start:
            raise _fail(f"{where}.line_end", f"line_end={end!r} is before line_start={start!r}",
                        end)
        return cls(
            source=source,
            line_start=start,
            line_end=end,
            quote=_text(data, "quote", where=f"{where}.quote"),
            interview=interview,
            question=_text(data, "question", where=f"{where}.question"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in (
            ("source", self.source), ("line_start", self.line_start),
            ("line_end", self.line_end), ("quote", self.quote),
            ("interview", self.interview), ("question", self.question),
        ) if v is not None}

    def describe(self) -> str:
        """``incidents/pm.md:12-14`` or ``interview dna/interviews/ana.md (cdm-3)``."""
        if self.source:
            if self.line_start is None:
                return self.source
            if self.line_end in (None, self.line_start):
                return f"{self.source}:{self.line_start}"
            return f"{self.source}:{self.line_start}-{self.line_end}"
        return f"interview {self.interview}" + (f" ({self.question})" if self.question else "")


@dataclass(frozen=True)
class Links:
    """Artifacts and findings a finding points at; each artifact points back."""

    tests: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()
    supersedes: tuple[str, ...] = ()
    superseded_by: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Any) -> Links:
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise _fail("links", f"must be a mapping, got {data!r}", data)
        unknown = set(data) - {"tests", "decisions", "supersedes", "superseded_by"}
        if unknown:
            raise _fail("links", f"unknown key(s) {sorted(unknown)!r}", sorted(unknown))
        links = cls(**{k: _words(data, k, where=f"links.{k}") for k in data})
        for key in ("supersedes", "superseded_by"):
            for ref in getattr(links, key):
                if not ID_RE.match(ref):
                    raise _fail(f"links.{key}", f"{ref!r} is not a finding id (F-0001)", ref)
        return links

    def to_dict(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in (
            ("tests", self.tests), ("decisions", self.decisions),
            ("supersedes", self.supersedes), ("superseded_by", self.superseded_by),
        ) if v}

    def __bool__(self) -> bool:
        return bool(self.tests or self.decisions or self.supersedes or self.superseded_by)


@dataclass(frozen=True)
class Site:
    """Where one of a finding's values lives in the code: the ``param`` it carries, the
    file (``path``, relative to the repository) and ``line``, and that line's ``code`` as
    found. Codify locates sites for a person to review; regen --prove changes each one.

    >>> Site.from_dict({"param": "cap", "path": "app/settings.py", "line": 5,
    ...                 "code": "RETRY_CAP = 5"}).to_dict()["line"]
    5
    """

    param: str
    path: str
    line: int
    code: str = ""

    @classmethod
    def from_dict(cls, data: Any, index: int = 0) -> Site:
        where = f"binding.sites[{index}]"
        if not isinstance(data, Mapping):
            raise _fail(where, f"must be a mapping with param, path, line, got {data!r}", data)
        unknown = set(data) - {"param", "path", "line", "code"}
        if unknown:
            raise _fail(where, f"unknown key(s) {sorted(unknown)!r}", sorted(unknown))
        param = _text(data, "param", required=True, where=f"{where}.param")
        path = _text(data, "path", required=True, where=f"{where}.path")
        assert param is not None and path is not None
        if not _PARAM_NAME_RE.match(param):
            raise _fail(f"{where}.param", f"param={param!r} is not a parameter name", param)
        if path.startswith("/") or ".." in path.split("/"):
            raise _fail(f"{where}.path", f"path={path!r} must be relative to the repository "
                        "and stay inside it", path)
        line = data.get("line")
        if isinstance(line, bool) or not isinstance(line, int) or line < 1:
            raise _fail(f"{where}.line", f"line={line!r} must be a line number (1 or more)",
                        line)
        code = data.get("code") or ""
        if not isinstance(code, str):
            raise _fail(f"{where}.code", f"code={code!r} must be text", code)
        return cls(param=param, path=path, line=line, code=code)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"param": self.param, "path": self.path, "line": self.line}
        if self.code:
            out["code"] = self.code
        return out

    def describe(self) -> str:
        """``app/settings.py:5`` and the code, as a report shows a site."""
        return f"{self.path}:{self.line}" + (f" {self.code}" if self.code else "")


@dataclass(frozen=True)
class Binding:
    """How a property test reaches the code: a template, a ``module:callable`` target,
    parameter overrides, and an optional input domain (``int:0..1000``)."""

    template: str
    target: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    domain: str | None = None
    targets: Mapping[str, str] = field(default_factory=dict)
    #: Where the finding's values live in the code (see :class:`Site`).
    sites: tuple[Site, ...] = ()

    @classmethod
    def from_dict(cls, data: Any) -> Binding | None:
        if data is None:
            return None
        if not isinstance(data, Mapping):
            raise _fail("binding", f"must be a mapping, got {data!r}", data)
        unknown = set(data) - {"template", "target", "params", "domain", "targets", "sites"}
        if unknown:
            raise _fail("binding", f"unknown key(s) {sorted(unknown)!r}", sorted(unknown))
        template = _text(data, "template", required=True, where="binding.template")
        target = _text(data, "target", required=True, where="binding.target")
        assert template is not None and target is not None
        targets = data.get("targets") or {}
        if not isinstance(targets, Mapping):
            raise _fail("binding.targets", f"must be a mapping, got {targets!r}", targets)
        for role, ref in {"target": target, **targets}.items():
            if not isinstance(ref, str) or not _TARGET_RE.match(ref):
                raise _fail(f"binding.{role}", f"{role}={ref!r} is not module:callable", ref)
        params = data.get("params") or {}
        if not isinstance(params, Mapping):
            raise _fail("binding.params", f"must be a mapping, got {params!r}", params)
        sites = data.get("sites") or []
        if not isinstance(sites, list):
            raise _fail("binding.sites", f"must be a list, got {sites!r}", sites)
        return cls(
            template=template,
            target=target,
            params={k: parse_param(k, v) for k, v in params.items()},
            domain=_text(data, "domain", where="binding.domain"),
            targets=dict(targets),
            sites=tuple(Site.from_dict(item, i) for i, item in enumerate(sites)),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"template": self.template, "target": self.target}
        if self.targets:
            out["targets"] = dict(self.targets)
        if self.params:
            out["params"] = {k: param_to_data(v) for k, v in self.params.items()}
        if self.domain:
            out["domain"] = self.domain
        if self.sites:
            out["sites"] = [site.to_dict() for site in self.sites]
        return out


@dataclass(frozen=True)
class Finding:
    """One piece of knowledge: a rule (``statement``) in a ``layer`` (what/how/why), of a
    ``kind``, with ``params``, its ``rationale`` and its ``provenance``."""

    id: str
    title: str
    statement: str
    layer: str
    kind: str
    status: str = "candidate"
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    rationale: str | None = None
    provenance: tuple[Provenance, ...] = ()
    owner: str | None = None
    area: str | None = None
    tags: tuple[str, ...] = ()
    created: _dt.date | None = None
    updated: _dt.date | None = None
    rejected_reason: str | None = None
    confidence: float | None = None
    links: Links = field(default_factory=Links)
    binding: Binding | None = None

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Any) -> Finding:
        """Validate ``data`` (as read from a file's front matter) into a finding.

        Every bad field is reported, not only the first: one problem raises
        :class:`~dna_kit.errors.InvalidFinding`, several raise
        :class:`~dna_kit.errors.InvalidFields` listing each.
        """
        if not isinstance(data, Mapping):
            raise _fail("(front matter)", f"must be a mapping of fields, got {data!r}", data)
        errors: list[InvalidFinding] = []

        def check(make: Any, default: Any = None) -> Any:
            try:
                return make()
            except InvalidFinding as exc:
                errors.append(exc)
                return default

        def require(ok: bool, name: str, message: str, value: Any) -> None:
            if not ok:
                errors.append(_fail(name, message, value))

        for name in sorted(set(data) - set(_FIELDS)):
            errors.append(_fail(name, f"unknown field {name!r}; known fields: "
                                      f"{', '.join(_FIELDS)}", name))
        finding_id = check(lambda: _text(data, "id", required=True))
        if finding_id is not None:
            require(bool(ID_RE.match(finding_id)), "id",
                    f"id={finding_id!r} must look like F-0001", finding_id)
        status = check(lambda: _choice(data, "status", STATUSES, default="candidate"))
        rejected_reason = check(lambda: _text(data, "rejected_reason"))
        require(status != "rejected" or bool(rejected_reason), "rejected_reason",
                "a rejected finding needs rejected_reason", None)
        params = data.get("params") or {}
        if not isinstance(params, Mapping):
            errors.append(_fail("params", f"must be a mapping of name: value, got {params!r}",
                                params))
            params = {}
        provenance = data.get("provenance") or []
        if isinstance(provenance, Mapping):
            provenance = [provenance]
        if not isinstance(provenance, list):
            errors.append(_fail("provenance", f"must be a list, got {provenance!r}",
                                provenance))
            provenance = []
        confidence = data.get("confidence")
        if confidence is not None and (
            isinstance(confidence, bool) or not isinstance(confidence, int | float)
            or not 0.0 <= float(confidence) <= 1.0
        ):
            errors.append(_fail("confidence", f"confidence={confidence!r} must be between "
                                              "0 and 1", confidence))
            confidence = None
        title = check(lambda: _text(data, "title", required=True))
        statement = check(lambda: _text(data, "statement", required=True))
        fields = {
            "layer": check(lambda: _choice(data, "layer", LAYERS)),
            "kind": check(lambda: _choice(data, "kind", KINDS)),
            "params": {str(k): v for k, v in (
                (k, check(lambda k=k, v=v: parse_param(str(k), v))) for k, v in params.items())
                if v is not None},
            "rationale": check(lambda: _text(data, "rationale")),
            "provenance": tuple(p for p in (check(lambda i=i, p=p: Provenance.from_dict(p, i))
                                            for i, p in enumerate(provenance)) if p),
            "owner": check(lambda: _text(data, "owner")),
            "area": check(lambda: _text(data, "area")),
            "tags": check(lambda: _words(data, "tags"), ()),
            "created": check(lambda: _date(data, "created")),
            "updated": check(lambda: _date(data, "updated")),
            "links": check(lambda: Links.from_dict(data.get("links")), Links()),
            "binding": check(lambda: Binding.from_dict(data.get("binding"))),
        }
        if errors:
            raise errors[0] if len(errors) == 1 else InvalidFields(errors)
        return cls(
            id=finding_id,
            title=title.strip(),
            statement=statement,
            status=status,
            rejected_reason=rejected_reason,
            confidence=None if confidence is None else float(confidence),
            **fields,
        )

    def to_dict(self) -> dict[str, Any]:
        """The front-matter form: what :meth:`from_dict` takes back unchanged."""
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "layer": self.layer,
            "kind": self.kind,
            "status": self.status,
            "statement": self.statement,
        }
        optional: list[tuple[str, Any]] = [
            ("rejected_reason", self.rejected_reason),
            ("params", {k: param_to_data(v) for k, v in self.params.items()} or None),
            ("rationale", self.rationale),
            ("owner", self.owner),
            ("area", self.area),
            ("tags", list(self.tags) or None),
            ("confidence", self.confidence),
            ("created", self.created.isoformat() if self.created else None),
            ("updated", self.updated.isoformat() if self.updated else None),
            ("provenance", [p.to_dict() for p in self.provenance] or None),
            ("links", self.links.to_dict() or None),
            ("binding", self.binding.to_dict() if self.binding else None),
        ]
        out.update((k, v) for k, v in optional if v is not None)
        return out

    def to_json(self) -> dict[str, Any]:
        """Every field, for ``dna list --format json``: quantities carry their canonical
        value and unit beside the text."""
        out = self.to_dict()
        out["params"] = {
            k: ({"text": v.text, "value": v.value, "unit": v.unit, "dimension": v.dimension}
                if isinstance(v, Quantity) else param_to_data(v))
            for k, v in self.params.items()
        }
        for key in ("rationale", "owner", "area", "rejected_reason", "confidence",
                    "created", "updated", "binding"):
            out.setdefault(key, None)
        out.setdefault("tags", [])
        out.setdefault("provenance", [])
        out.setdefault("links", {})
        return out

    # -- derived ------------------------------------------------------------------------

    @property
    def slug(self) -> str:
        return slugify(self.title)

    @property
    def filename(self) -> str:
        """``F-0007-carrier-retry-cap.md``"""
        return f"{self.id}-{self.slug}.md"

    def evolve(self, **changes: Any) -> Finding:
        """A copy with ``changes`` applied, validated like a new finding."""
        return Finding.from_dict({**self.to_dict(), **_to_data(changes)})

    def with_status(self, status: str, *, reason: str | None = None,
                    today: _dt.date | None = None) -> Finding:
        """Move along ``candidate → accepted → codified`` (or to ``rejected`` with a reason)."""
        if status not in STATUSES:
            raise _fail("status", f"status={status!r} is not one of {', '.join(STATUSES)}",
                        status)
        if status == "rejected" and not reason:
            raise _fail("rejected_reason", "rejecting a finding needs a reason, so it is not proposed again blindly", None)
        return replace(
            self,
            status=status,
            rejected_reason=reason if status == "rejected" else None,
            updated=today or _dt.date.today(),
        )


def _to_data(changes: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "params" and isinstance(value, Mapping):
            out[key] = {k: param_to_data(v) for k, v in value.items()}
        elif key == "provenance":
            out[key] = [p.to_dict() if isinstance(p, Provenance) else p for p in value]
        elif key in ("links", "binding") and hasattr(value, "to_dict"):
            out[key] = value.to_dict()
        elif isinstance(value, _dt.date):
            out[key] = value.isoformat()
        elif isinstance(value, tuple):
            out[key] = list(value)
        else:
            out[key] = value
    return out
