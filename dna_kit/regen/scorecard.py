"""The scorecard: what the regeneration test found, per finding and overall.

A :class:`Scorecard` is plain data with :meth:`Scorecard.to_json`; its JSON Schema is built
by :func:`scorecard_schema` from the same constants, and the committed copy
(``schema/scorecard.schema.json``) is checked against it by the tests. Regenerate it with
``python -m dna_kit.regen.scorecard > schema/scorecard.schema.json``.

Statuses, from worst to best:

- ``failing``: a test exists and does not pass on this implementation (the rule was lost),
  or it could not run (the target does not import, the test hangs or crashes);
- ``stale``: its generated test was written from an earlier version of the finding (the
  statement, params or binding changed since); not counted until ``dna codify`` rewrites it;
- ``tacit``: no artifact at all, the rule lives only in the finding;
- ``documented``: a decision record, no executable check;
- ``verified``: its test passes (with ``--prove``: its proof is weak, and ``proof``
  says why);
- ``proven``: its test passes and its proof is strong: it fails when a site's value
  changes, at every site, and on a change of behaviour other than ``return None``
  (see :func:`dna_kit.regen.prove.proof_strength`).

Score = proven / accepted (accepted or codified findings), also per layer; the verified
score counts verified and proven.

>>> card = Scorecard(findings=[FindingResult(id="F-0001", title="cap", layer="how",
...     kind="retry_policy", status="verified")], proved=False)
>>> (card.score, card.verified_score)
(0.0, 1.0)
"""

from __future__ import annotations

import datetime as _dt
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dna_kit.finding import LAYERS
from dna_kit.project import Project, find_project

__all__ = [
    "MUTANT_KINDS",
    "OUTCOMES",
    "PROOF_STRENGTHS",
    "REGEN_STATUSES",
    "SCHEMA_VERSION",
    "FindingResult",
    "MutantResult",
    "Scorecard",
    "merge_scorecards",
    "read_scorecard",
    "scorecard_schema",
]

SCHEMA_VERSION = 1
#: Regeneration statuses, lost rules first (the order reports use).
REGEN_STATUSES: tuple[str, ...] = ("failing", "stale", "tacit", "documented", "verified",
                                   "proven")
#: How much a proof shows (see :func:`dna_kit.regen.prove.proof_strength`).
PROOF_STRENGTHS: tuple[str, ...] = ("strong", "weak", "none")
#: What code a mutant changed.
MUTANT_KINDS: tuple[str, ...] = ("target", "settings", "library")
#: What running a finding's tests gave.
OUTCOMES: tuple[str, ...] = ("passed", "failed", "error", "timeout", "crashed", "not_run")


@dataclass
class MutantResult:
    """One mutant of a finding's target and whether the finding's tests noticed it."""

    id: int
    target: str
    operator: str
    line: int
    original: str
    mutated: str
    killed: bool
    killed_by: str | None = None
    question: str | None = None
    error: str | None = None
    duration: float = 0.0
    #: What code the mutant changed: ``target`` (the target or adapter), ``settings`` (a
    #: site's file elsewhere in the project) or ``library`` (installed code).
    kind: str = "target"
    #: A value mutant (``operator`` ``value``): the site's file, parameter and new value.
    path: str | None = None
    param: str | None = None
    value: Any = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FindingResult:
    """The regeneration result of one accepted or codified finding."""

    id: str
    title: str
    layer: str
    kind: str
    status: str
    finding_status: str = "accepted"
    statement: str = ""
    path: str | None = None
    target: str | None = None
    tests: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    outcome: str = "not_run"
    tests_passed: int = 0
    tests_failed: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    duration: float = 0.0
    mutants_killed: int | None = None
    mutants_total: int | None = None
    mutants: list[MutantResult] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: With ``--prove``: ``{"strength", "reason", "sites", "mutants", "cached"}``.
    proof: dict[str, Any] | None = None

    @property
    def lost(self) -> bool:
        return self.status in ("failing", "tacit")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["mutants"] = [m.to_json() for m in self.mutants]
        return data


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class Scorecard:
    """Every finding's result, the scores, and how the run was made."""

    findings: list[FindingResult] = field(default_factory=list)
    proved: bool = False
    project: str = ""
    impl: str | None = None
    created: str = field(default_factory=lambda: _dt.datetime.now(_dt.UTC).isoformat(
        timespec="seconds"))
    duration: float = 0.0
    min_score: float | None = None
    errors: list[str] = field(default_factory=list)
    #: ``[K, N]`` when this card holds part K of N of the findings (``--shard K/N``).
    shard: list[int] | None = None

    # -- scores -------------------------------------------------------------------------

    @property
    def accepted(self) -> int:
        return len(self.findings)

    @property
    def counts(self) -> dict[str, int]:
        got = Counter(f.status for f in self.findings)
        return {s: got.get(s, 0) for s in REGEN_STATUSES}

    @property
    def score(self) -> float | None:
        """Proven / accepted; None when there is no accepted finding."""
        return _share(self.counts["proven"], self.accepted)

    @property
    def verified_score(self) -> float | None:
        """(Verified + proven) / accepted."""
        c = self.counts
        return _share(c["verified"] + c["proven"], self.accepted)

    @property
    def gate_on(self) -> str:
        """Which score ``min_score`` is held against: without a proof nothing can be
        proven, so it falls back to the verified score (and says so)."""
        return "score" if self.proved else "verified_score"

    @property
    def passed(self) -> bool:
        """False when ``min_score`` is set and the gated score is below it (or missing)."""
        if self.min_score is None:
            return True
        value = self.score if self.proved else self.verified_score
        return value is not None and value + 1e-9 >= self.min_score

    def check(self) -> None:
        """Raise :class:`~dna_kit.errors.RegenError` when ``min_score`` is not met, so a
        notebook or script run under CI fails the way ``dna regen --min-score`` does."""
        if not self.passed:
            from dna_kit.errors import RegenError

            value = self.score if self.proved else self.verified_score
            shown = "n/a" if value is None else f"{value:.2f}"
            raise RegenError(f"{self.gate_on}={shown} is below min_score={self.min_score}")

    def layers(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for layer in LAYERS:
            mine = [f for f in self.findings if f.layer == layer]
            proven = sum(f.status == "proven" for f in mine)
            verified = sum(f.status in ("verified", "proven") for f in mine)
            out[layer] = {"accepted": len(mine), "proven": proven, "verified": verified,
                          "score": _share(proven, len(mine)),
                          "verified_score": _share(verified, len(mine))}
        return out

    def lost(self) -> list[FindingResult]:
        """Failing findings, then tacit ones: the rules a rewrite would lose."""
        return [f for f in self.ordered() if f.lost]

    def ordered(self) -> list[FindingResult]:
        """Findings with lost rules first, then by id."""
        return sorted(self.findings, key=lambda f: (REGEN_STATUSES.index(f.status), f.id))

    def questions(self) -> list[tuple[str, str]]:
        """``(finding id, question)`` for every surviving mutant."""
        return [(f.id, q) for f in self.ordered() for q in f.questions]

    def finding(self, finding_id: str) -> FindingResult:
        for f in self.findings:
            if f.id == finding_id:
                return f
        raise KeyError(finding_id)

    # -- output -------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The scorecard as JSON data; ``schema/scorecard.schema.json`` describes it."""
        return {
            "schema_version": SCHEMA_VERSION,
            "created": self.created,
            "project": self.project,
            "impl": self.impl,
            "proved": self.proved,
            "score": self.score,
            "verified_score": self.verified_score,
            "accepted": self.accepted,
            "counts": self.counts,
            "layers": self.layers(),
            "gate": None if self.min_score is None else {
                "min_score": self.min_score, "on": self.gate_on, "passed": self.passed},
            "duration": round(self.duration, 3),
            "errors": list(self.errors),
            "shard": list(self.shard) if self.shard else None,
            "findings": [f.to_json() for f in self.ordered()],
        }

    @classmethod
    def from_json(cls, data: Any, *, where: str = "scorecard") -> Scorecard:
        """A scorecard back from :meth:`to_json` data (``dna regen --json``); anything
        else is a :class:`~dna_kit.errors.RegenError` naming ``where`` and the field.

        >>> Scorecard.from_json(Scorecard().to_json()).accepted
        0
        """
        from dataclasses import fields

        from dna_kit.errors import RegenError

        if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
            raise RegenError(f"{where}: not a dna_kit scorecard (no findings list)")
        if data.get("schema_version") != SCHEMA_VERSION:
            raise RegenError(f"{where}: schema_version={data.get('schema_version')!r}, "
                             f"this dna_kit reads {SCHEMA_VERSION}")
        known = {f.name for f in fields(FindingResult)}
        mutant_fields = {f.name for f in fields(MutantResult)}
        results = []
        for i, item in enumerate(data["findings"]):
            try:
                values = {k: v for k, v in item.items() if k in known}
                values["mutants"] = [MutantResult(**{k: v for k, v in m.items()
                                                     if k in mutant_fields})
                                     for m in item.get("mutants") or []]
                result = FindingResult(**values)
            except (TypeError, AttributeError) as exc:
                raise RegenError(f"{where}: findings[{i}]: {exc}") from None
            if result.status not in REGEN_STATUSES:
                raise RegenError(f"{where}: findings[{i}].status={result.status!r} is not "
                                 f"one of {', '.join(REGEN_STATUSES)}")
            results.append(result)
        shard = data.get("shard")
        gate = data.get("gate") or {}
        return cls(findings=results, proved=bool(data.get("proved")),
                   project=str(data.get("project") or ""), impl=data.get("impl"),
                   created=str(data.get("created") or ""),
                   duration=float(data.get("duration") or 0.0),
                   min_score=gate.get("min_score") if isinstance(gate, dict) else None,
                   errors=[str(e) for e in data.get("errors") or []],
                   shard=list(shard) if isinstance(shard, list) else None)

    def to_dataframe(self) -> Any:
        """One row per finding (pandas), lost rules first."""
        import pandas as pd

        rows = [{"id": f.id, "title": f.title, "layer": f.layer, "status": f.status,
                 "outcome": f.outcome, "mutants_killed": f.mutants_killed,
                 "mutants_total": f.mutants_total, "tests": ", ".join(f.tests),
                 "decisions": ", ".join(f.decisions), "errors": "; ".join(f.errors)}
                for f in self.ordered()]
        return pd.DataFrame(rows, columns=["id", "title", "layer", "status", "outcome",
                                           "mutants_killed", "mutants_total", "tests",
                                           "decisions", "errors"])

    def history_entry(self) -> dict[str, Any]:
        """The line this run adds to ``dna/regen-history.jsonl``."""
        return {"created": self.created, "impl": self.impl, "proved": self.proved,
                "score": self.score, "verified_score": self.verified_score,
                "accepted": self.accepted, "counts": self.counts,
                "layers": {k: v["score"] for k, v in self.layers().items()},
                "duration": round(self.duration, 3)}

    def summary(self) -> str:
        """One line: ``score 0.50 (3/6 proven), verified 0.83; 1 failing, 1 tacit``."""
        c = self.counts
        def pct(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.2f}"
        lost = ", ".join(f"{c[s]} {s}" for s in ("failing", "stale", "tacit", "documented")
                         if c[s])
        return (f"score {pct(self.score)} ({c['proven']}/{self.accepted} proven), verified "
                f"{pct(self.verified_score)}" + (f"; {lost}" if lost else ""))


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def scorecard_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :meth:`Scorecard.to_json`."""
    share = _nullable({"type": "number", "minimum": 0, "maximum": 1})
    count = {"type": "integer", "minimum": 0}
    text_list = {"type": "array", "items": {"type": "string"}}
    mutant = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "target", "operator", "line", "original", "mutated", "killed"],
        "properties": {
            "id": {"type": "integer", "minimum": 1},
            "target": {"type": "string", "description": "module:callable mutated"},
            "operator": {"type": "string", "description": "constant, compare, arithmetic, "
                         "boolean, minmax, condition, return, or value (a site's value "
                         "changed where it lives)"},
            "line": {"type": "integer", "minimum": 1},
            "original": {"type": "string"},
            "mutated": {"type": "string"},
            "killed": {"type": "boolean", "description": "the finding's tests failed"},
            "killed_by": _nullable({"type": "string", "description": "test id, or "
                                    "'time limit'"}),
            "question": _nullable({"type": "string", "description": "for a survivor"}),
            "error": _nullable({"type": "string"}),
            "duration": {"type": "number", "minimum": 0},
            "kind": {"enum": list(MUTANT_KINDS), "description": "the code changed: the "
                     "target (or adapter), a site's file of the project, or a library"},
            "path": _nullable({"type": "string", "description": "a value mutant's file, "
                               "relative to the repository"}),
            "param": _nullable({"type": "string", "description": "the parameter whose "
                                "value a value mutant changed"}),
            "value": {"description": "a value mutant's new value",
                      "type": ["number", "boolean", "null"]},
        },
    }
    kill_count = {"type": "object", "additionalProperties": False,
                  "required": ["killed", "total"],
                  "properties": {"killed": count, "total": count}}
    proof = {
        "type": "object",
        "additionalProperties": False,
        "required": ["strength", "reason", "sites"],
        "properties": {
            "strength": {"enum": list(PROOF_STRENGTHS)},
            "reason": {"type": "string"},
            "sites": {"type": "array", "items": {
                "type": "object", "required": ["param"],
                "description": "a located site and what its value mutants gave, a "
                               "parameter with no site ({param, located: false}), or one "
                               "whose value lives in a library's own behaviour "
                               "({param, library})",
                "properties": {
                    "param": {"type": "string"}, "path": {"type": "string"},
                    "line": {"type": "integer", "minimum": 1}, "code": {"type": "string"},
                    "name": _nullable({"type": "string"}),
                    "mutants": count, "killed": count,
                    "values": {"type": "array", "items": {
                        "type": "object", "required": ["value", "killed"],
                        "properties": {"value": {"type": ["number", "boolean"]},
                                       "killed": {"type": "boolean"}}}},
                    "error": {"type": "string"}, "skipped": {"type": "string"},
                    "located": {"type": "boolean"}, "library": {"type": "string"}}}},
            "mutants": {"type": "object", "propertyNames": {"enum": list(MUTANT_KINDS)},
                        "additionalProperties": kill_count},
            "cached": {"type": "boolean", "description": "read from the proof cache"},
        },
    }
    finding = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "title", "layer", "kind", "status", "tests", "decisions",
                     "outcome", "mutants_killed", "mutants_total", "errors"],
        "properties": {
            "id": {"type": "string", "pattern": r"^F-\d{4,}$"},
            "title": {"type": "string"},
            "layer": {"enum": list(LAYERS)},
            "kind": {"type": "string"},
            "status": {"enum": list(REGEN_STATUSES)},
            "finding_status": {"enum": ["accepted", "codified"]},
            "statement": {"type": "string"},
            "path": _nullable({"type": "string", "description": "the finding file, "
                               "relative to the repository root"}),
            "target": _nullable({"type": "string"}),
            "tests": {**text_list, "description": "test files, relative to the root"},
            "decisions": {**text_list, "description": "decision records"},
            "outcome": {"enum": list(OUTCOMES)},
            "tests_passed": count,
            "tests_failed": count,
            "failures": {"type": "array", "items": {
                "type": "object", "required": ["test", "message"],
                "properties": {"test": {"type": "string"}, "message": {"type": "string"}}}},
            "duration": {"type": "number", "minimum": 0},
            "mutants_killed": _nullable(count),
            "mutants_total": _nullable(count),
            "mutants": {"type": "array", "items": mutant},
            "questions": text_list,
            "errors": text_list,
            "proof": _nullable(proof),
        },
    }
    layer = {
        "type": "object",
        "additionalProperties": False,
        "required": ["accepted", "proven", "verified", "score", "verified_score"],
        "properties": {"accepted": count, "proven": count, "verified": count,
                       "score": share, "verified_score": share},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://dna-kit.invalid/schema/scorecard.schema.json",
        "title": "dna_kit regeneration scorecard",
        "description": "Output of `dna regen --json`: the score (proven / accepted), the "
                       "verified score, per-layer scores, and per finding its status, "
                       "artifacts, test outcome, mutants killed and total, and errors.",
        "type": "object",
        "additionalProperties": False,
        "required": ["schema_version", "created", "proved", "score", "verified_score",
                     "accepted", "counts", "layers", "findings", "errors"],
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "created": {"type": "string", "format": "date-time"},
            "project": {"type": "string"},
            "impl": _nullable({"type": "string", "description": "--impl directory"}),
            "proved": {"type": "boolean", "description": "mutants were run (--prove)"},
            "score": {**share, "description": "proven / accepted"},
            "verified_score": {**share, "description": "(verified + proven) / accepted"},
            "accepted": count,
            "counts": {"type": "object", "additionalProperties": False,
                       "required": list(REGEN_STATUSES),
                       "properties": {s: count for s in REGEN_STATUSES}},
            "layers": {"type": "object", "additionalProperties": False,
                       "required": list(LAYERS),
                       "properties": {name: layer for name in LAYERS}},
            "gate": _nullable({
                "type": "object", "additionalProperties": False,
                "required": ["min_score", "on", "passed"],
                "properties": {"min_score": {"type": "number"},
                               "on": {"enum": ["score", "verified_score"]},
                               "passed": {"type": "boolean"}}}),
            "duration": {"type": "number", "minimum": 0},
            "errors": text_list,
            "shard": _nullable({"type": "array", "items": {"type": "integer", "minimum": 1},
                                "minItems": 2, "maxItems": 2,
                                "description": "[K, N]: this card holds part K of N "
                                               "(--shard K/N)"}),
            "findings": {"type": "array", "items": finding},
        },
    }


# -- shards ---------------------------------------------------------------------------------

def merge_scorecards(cards: list[Scorecard], *, names: list[str] | None = None,
                     min_score: float | None = None) -> Scorecard:
    """One scorecard from the scorecards of shards (``dna regen --shard K/N`` in several CI
    jobs), as if one run had scored every finding. Cards that overlap (a finding in two),
    that do not fit together (one proved and one not, other implementations, other
    shard counts, other projects) or that leave a shard out are a
    :class:`~dna_kit.errors.RegenError` in one line naming them (``names``, e.g. their
    files). ``min_score`` gates the result (default: the shards' own, when they agree).

    >>> merged = merge_scorecards([card_1, card_2])           # doctest: +SKIP
    >>> merged.accepted == card_1.accepted + card_2.accepted  # doctest: +SKIP
    True
    """
    from dna_kit.errors import RegenError

    if not cards:
        raise RegenError("no scorecard to merge")
    names = names or [f"scorecard {i + 1}" for i in range(len(cards))]
    first, first_name = cards[0], names[0]
    for card, name in zip(cards[1:], names[1:], strict=True):
        for what, mine, theirs in (
                ("proved", card.proved, first.proved), ("impl", card.impl, first.impl),
                ("project", Path(card.project).name, Path(first.project).name),
                ("shard count", card.shard and card.shard[1],
                 first.shard and first.shard[1])):
            if mine != theirs:
                raise RegenError(f"{name} does not fit with {first_name}: {what} "
                                 f"{mine!r} vs {theirs!r}")
    seen: dict[str, str] = {}
    for card, name in zip(cards, names, strict=True):
        for f in card.findings:
            if f.id in seen:
                raise RegenError(f"{name} overlaps {seen[f.id]}: both score {f.id}")
            seen[f.id] = name
    if first.shard:
        count = first.shard[1]
        have: dict[int, str] = {}
        for card, name in zip(cards, names, strict=True):
            assert card.shard is not None
            if card.shard[0] in have:
                raise RegenError(f"{name} overlaps {have[card.shard[0]]}: both are shard "
                                 f"{card.shard[0]}/{count}")
            have[card.shard[0]] = name
        missing = [f"{k}/{count}" for k in range(1, count + 1) if k not in have]
        if missing:
            raise RegenError(f"shard {', '.join(missing)} is missing: merge the scorecard "
                             "of every shard, or the score would leave its findings out")
    gates = {c.min_score for c in cards}
    if min_score is None and len(gates) == 1:
        min_score = gates.pop()
    return Scorecard(
        findings=[f for card in cards for f in card.findings], proved=first.proved,
        project=first.project, impl=first.impl, min_score=min_score,
        # The shards ran side by side: the run took as long as the slowest.
        duration=max(c.duration for c in cards),
        errors=[f"{name}: {e}" for card, name in zip(cards, names, strict=True)
                for e in card.errors])


def read_scorecard(path: str | Path) -> Scorecard:
    """A scorecard from a ``dna regen --json`` file; a file that is not one is a
    :class:`~dna_kit.errors.RegenError` naming it.

    >>> read_scorecard("dna-report/scorecard-1.json").shard      # doctest: +SKIP
    [1, 2]
    """
    from dna_kit.errors import RegenError

    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RegenError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RegenError(f"{path}: not JSON ({exc})") from None
    except RecursionError:
        raise RegenError(f"{path}: not a scorecard (nested too deeply)") from None
    return Scorecard.from_json(data, where=str(path))


# -- history --------------------------------------------------------------------------------

HISTORY_NAME = "regen-history.jsonl"


def append_history(project: str | Path | Project, card: Scorecard) -> Path:
    """Add this run's scores as one line of ``dna/regen-history.jsonl`` (atomically).

    >>> append_history(".", regenerate("."))            # doctest: +SKIP
    PosixPath('.../dna/regen-history.jsonl')
    """
    from dna_kit.fileio import atomic_write

    project = project if isinstance(project, Project) else find_project(project)
    path = project.dna_dir / HISTORY_NAME
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    atomic_write(path, old + json.dumps(card.history_entry(), sort_keys=True) + "\n")
    return path


def read_history(project: str | Path | Project) -> list[dict[str, Any]]:
    """Every recorded run of the project, oldest first; lines that are not JSON are
    skipped. ``project`` may also be given as its ``dna/`` folder.

    >>> read_history(".")[-1]["score"]                  # doctest: +SKIP
    0.62
    """
    project = project if isinstance(project, Project) else find_project(project)
    path = project.dna_dir / HISTORY_NAME
    if not path.is_file():
        return []
    runs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict):
            runs.append(entry)
    return runs


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(scorecard_schema(), indent=2))
