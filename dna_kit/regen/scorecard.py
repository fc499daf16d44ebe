"""The scorecard: what the regeneration test found, per finding and overall.

A :class:`Scorecard` is plain data with :meth:`Scorecard.to_json`; its JSON Schema is built
by :func:`scorecard_schema` from the same constants, and the committed copy
(``schema/scorecard.schema.json``) is checked against it by the tests. Regenerate it with
``python -m dna_kit.regen.scorecard > schema/scorecard.schema.json``.

Statuses, from worst to best:

- ``failing``: a test exists and does not pass on this implementation (the rule was lost),
  or it could not run (the target does not import, the test hangs or crashes);
- ``tacit``: no artifact at all, the rule lives only in the finding;
- ``documented``: a decision record, no executable check;
- ``verified``: its test passes;
- ``proven``: its test passes, and fails on at least one mutant of its target.

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
    "OUTCOMES",
    "REGEN_STATUSES",
    "SCHEMA_VERSION",
    "FindingResult",
    "MutantResult",
    "Scorecard",
    "scorecard_schema",
]

SCHEMA_VERSION = 1
#: Regeneration statuses, lost rules first (the order reports use).
REGEN_STATUSES: tuple[str, ...] = ("failing", "tacit", "documented", "verified", "proven")
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
            "findings": [f.to_json() for f in self.ordered()],
        }

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
        lost = ", ".join(f"{c[s]} {s}" for s in ("failing", "tacit", "documented") if c[s])
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
                         "boolean, minmax, condition or return"},
            "line": {"type": "integer", "minimum": 1},
            "original": {"type": "string"},
            "mutated": {"type": "string"},
            "killed": {"type": "boolean", "description": "the finding's tests failed"},
            "killed_by": _nullable({"type": "string", "description": "test id, or "
                                    "'time limit'"}),
            "question": _nullable({"type": "string", "description": "for a survivor"}),
            "error": _nullable({"type": "string"}),
            "duration": {"type": "number", "minimum": 0},
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
            "findings": {"type": "array", "items": finding},
        },
    }


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
