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
  (see :func:`proof_strength`).

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
from collections.abc import Sequence
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
    "ProofResult",
    "Scorecard",
    "merge_scorecards",
    "proof_strength",
    "read_scorecard",
    "scorecard_schema",
]

SCHEMA_VERSION = 1
#: Regeneration statuses, lost rules first (the order reports use).
REGEN_STATUSES: tuple[str, ...] = ("failing", "stale", "tacit", "documented", "verified",
                                   "proven")
#: How much a proof shows (see :func:`proof_strength`).
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
class ProofResult:
    """What the proof of one finding gave: its mutants, the sites' value mutants, and the
    errors that kept any of it from running. A shard's proof of a finding split across
    shards holds only that shard's share of the mutants (see
    :func:`merge_scorecards`)."""

    finding_id: str
    mutants: list[MutantResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: Per site (and per parameter with none): what its value mutants gave.
    sites: list[dict[str, Any]] = field(default_factory=list)
    #: Read back from the proof cache, nothing run.
    cached: bool = False
    #: The proof stopped before its mutants (the tests failed or could not run in the
    #: proof worker, or the worker could not be started again).
    stopped: bool = False
    #: The checks' run on the real code in the proof worker, when it passed: ``{"tests":
    #: how many ran, "duration": seconds}``.
    baseline: dict[str, Any] | None = None

    @property
    def counted(self) -> list[MutantResult]:
        return [m for m in self.mutants if m.error is None]

    @property
    def killed(self) -> int:
        return sum(m.killed for m in self.counted)

    @property
    def total(self) -> int:
        return len(self.counted)


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

    def apply_proof(self, proof: ProofResult | None, *,
                    value_params: Sequence[str] = ()) -> None:
        """Record what the proof of this finding gave (its tests already scored): its
        mutants and kills, the questions its survivors raise, the proof's strength
        (:func:`proof_strength`) and so the status, ``proven`` for a strong proof. One
        rule for a whole run and for shards merged (:func:`merge_scorecards`).

        >>> result = FindingResult(id="F-0001", title="t", layer="how", kind="k",
        ...                        status="verified")
        >>> result.apply_proof(ProofResult("F-0001", errors=["proof: the worker died"]))
        >>> result.proof["strength"], result.proof["reason"]
        ('none', 'the worker died')
        """
        self.proof = proof_strength(proof, passed=self.status in ("verified", "proven"),
                                    value_params=value_params)
        if proof is None:
            if self.status == "verified":
                self.proof["reason"] = "no binding target to mutate"
            elif self.status != "failing":
                self.proof["reason"] = f"no check to prove ({self.status})"
            return
        self.mutants = proof.mutants
        self.errors += proof.errors
        self.errors += [f"proof: mutant {m.id} ({m.original} → {m.mutated}): {m.error}"
                        for m in proof.mutants if m.error]
        if proof.errors and not proof.mutants:
            return
        self.mutants_killed, self.mutants_total = proof.killed, proof.total
        self.questions = [m.question for m in proof.mutants if m.question]
        if self.proof["strength"] == "strong":
            self.status = "proven"
        elif proof.killed == 0 and proof.total:
            self.errors.append("proof: the check kills no mutant of its target, so it "
                               "proves nothing")


def proof_strength(result: ProofResult | None, *, passed: bool,
                   value_params: Sequence[str] = ()) -> dict[str, Any]:
    """How much a finding's proof shows: ``strong``, ``weak`` or ``none``, the sites and
    the reason, and how many mutants of each kind of code (``target``: the target or
    adapter; ``settings``: a site's file elsewhere in the project; ``library``) were
    killed.

    *Strong*: the checks pass, kill a value mutant at every site that holds a number or
    a boolean, and kill a behavioural mutant other than ``return None``. *Weak*: they
    pass, but every value mutant of some site survives (or a site could not be changed),
    or no site was located for any of ``value_params``, or ``return None`` is the only
    behavioural mutant killed (or none is). *None*: the checks do not pass or the proof
    could not run.

    >>> only_none = ProofResult("F-0001", mutants=[MutantResult(
    ...     1, "app.retry:delay", "return", 3, "return x", "return None", killed=True)])
    >>> print(proof_strength(only_none, passed=True, value_params=["cap"])["reason"])
    no site was located for any parameter (cap): the values were never changed where they live; `return None` is the only behavioural mutant the checks kill
    """
    counts: dict[str, dict[str, int]] = {}
    if result is not None:
        for m in result.counted:
            into = counts.setdefault(m.kind, {"killed": 0, "total": 0})
            into["total"] += 1
            into["killed"] += m.killed
    base: dict[str, Any] = {"sites": list(result.sites) if result else [],
                            "mutants": counts, "cached": bool(result and result.cached)}
    if not passed:
        return {"strength": "none", "reason": "the checks do not pass", **base}
    if result is None:
        return {"strength": "none", "reason": "no proof was run", **base}
    if not result.mutants:
        why = result.errors[0] if result.errors else "no mutant could be made"
        return {"strength": "none", "reason": why.removeprefix("proof: "), **base}
    weak: list[str] = []
    sites = [s for s in result.sites if "path" in s]
    if not sites and value_params:
        library = [s for s in result.sites if "library" in s]
        weak.append("no site was located for any parameter ("
                    + ", ".join(value_params)
                    + "): the values were never changed where they live"
                    + (f"; {', '.join(s['param'] for s in library)} lives in "
                       f"{library[0]['library']}'s own behaviour" if library else ""))
    for s in sites:
        where = f"{s['path']}:{s['line']}"
        if s.get("error"):
            weak.append(f"the site {where} ({s['param']}) could not be changed: "
                        f"{s['error']}")
        elif not s.get("skipped") and s["mutants"] and not s["killed"]:
            values = " or ".join(repr(v["value"]) for v in s.get("values", []))
            weak.append(f"every value mutant of {where} ({s['param']}) survives: the "
                        f"checks still pass with {values}")
    behaviour = [m for m in result.counted if m.operator != "value"]
    killed = [m for m in behaviour if m.killed]
    if not killed:
        weak.append("the checks kill no behavioural mutant of the target"
                    if behaviour else "there was no behavioural mutant to run")
    elif all(m.operator == "return" for m in killed):
        weak.append("`return None` is the only behavioural mutant the checks kill")
    if weak:
        return {"strength": "weak", "reason": "; ".join(weak), **base}
    changed = [m for m in result.counted if m.operator == "value"]
    shown = (f"a changed value at every site ({sum(m.killed for m in changed)} of "
             f"{len(changed)} value mutants killed) and " if changed else "")
    return {"strength": "strong",
            "reason": f"the checks notice {shown}{len(killed)} behavioural mutant(s) "
                      "beyond `return None`", **base}


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
                                       "killed": {"type": "boolean"},
                                       "mutant": {"type": "integer", "minimum": 1,
                                                  "description": "the value mutant's id "
                                                  "in the finding's mutants"}}}},
                    "error": {"type": "string"}, "skipped": {"type": "string"},
                    "located": {"type": "boolean"}, "library": {"type": "string"}}}},
            "mutants": {"type": "object", "propertyNames": {"enum": list(MUTANT_KINDS)},
                        "additionalProperties": kill_count},
            "cached": {"type": "boolean", "description": "read from the proof cache"},
            "share": {
                "type": "object", "additionalProperties": False,
                "required": ["part", "parts", "errors", "stopped"],
                "description": "on a shard's card (--shard K/N), for a finding whose proof "
                               "is split across shards: this card holds part `part` of "
                               "`parts` of it, a share of its mutants (numbered as one "
                               "whole run numbers them) with the sites' counts for that "
                               "share; strength and status are that share's alone until "
                               "`dna regen merge` joins the parts. Part 1 also scored the "
                               "tests.",
                "properties": {
                    "part": {"type": "integer", "minimum": 1},
                    "parts": {"type": "integer", "minimum": 2},
                    "errors": {**text_list, "description": "the errors of this part's "
                               "proof run"},
                    "stopped": {"type": "boolean", "description": "this part's proof "
                                "stopped before its mutants (its checks failed or could "
                                "not run in the proof worker)"}}},
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
    jobs), as if one run had scored every finding.

    A finding whose proof was split across shards is on the card of each shard that
    proved a part of it (``proof.share``): the parts' mutants are put together and the
    finding's proof strength, status, questions and errors worked out again from all of
    them, by the rule of a whole run (:meth:`FindingResult.apply_proof`); its test results
    are those of part 1, which scored its tests. When a part's proof stopped before its
    mutants (its checks failed or could not run there), the finding's proof is none, as
    in a whole run whose proof stops so. Cards that overlap (a finding in two, not as
    parts of its proof), that do not fit together (one proved and one not, other
    implementations, other shard counts, other projects) or that leave a shard (or a
    part of a proof) out are a :class:`~dna_kit.errors.RegenError` in one line naming
    them (``names``, e.g. their files). ``min_score`` gates the result (default: the
    shards' own, when they agree).

    >>> merged = merge_scorecards([card_1, card_2])           # doctest: +SKIP
    >>> merged.counts == whole_run.counts                     # doctest: +SKIP
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
    groups: dict[str, list[tuple[FindingResult, str]]] = {}
    for card, name in zip(cards, names, strict=True):
        for f in card.findings:
            held = groups.setdefault(f.id, [])
            if held and not (_part_of(f) and _part_of(held[0][0])):
                raise RegenError(f"{name} overlaps {held[0][1]}: both score {f.id}")
            held.append((f, name))
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
    findings = [held[0][0] if len(held) == 1 and not _part_of(held[0][0])
                else _join_parts(finding_id, held) for finding_id, held in groups.items()]
    gates = {c.min_score for c in cards}
    if min_score is None and len(gates) == 1:
        min_score = gates.pop()
    return Scorecard(
        findings=findings, proved=first.proved,
        project=first.project, impl=first.impl, min_score=min_score,
        # The shards ran side by side: the run took as long as the slowest.
        duration=max(c.duration for c in cards),
        errors=[f"{name}: {e}" for card, name in zip(cards, names, strict=True)
                for e in card.errors])


def _part_of(result: FindingResult) -> dict[str, Any] | None:
    """The ``proof.share`` of a finding whose proof is split across shards."""
    share = result.proof.get("share") if isinstance(result.proof, dict) else None
    return share if isinstance(share, dict) else None


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _join_parts(finding_id: str, held: list[tuple[FindingResult, str]]) -> FindingResult:
    """One finding's result from the parts of its proof that shards ran."""
    from dataclasses import replace

    from dna_kit.errors import RegenError

    by_part: dict[int, tuple[FindingResult, str]] = {}
    parts = 0
    for result, name in held:
        share = _part_of(result)
        assert share is not None
        if parts and share.get("parts") != parts:
            raise RegenError(f"{name} does not fit with {held[0][1]}: {finding_id}'s proof "
                             f"in {share.get('parts')!r} parts vs {parts}")
        parts = int(share.get("parts") or 0)
        part = int(share.get("part") or 0)
        if part in by_part:
            raise RegenError(f"{name} overlaps {by_part[part][1]}: both hold part "
                             f"{part}/{parts} of {finding_id}'s proof")
        by_part[part] = (result, name)
    missing = [f"{k}/{parts}" for k in range(1, parts + 1) if k not in by_part]
    if missing or len(by_part) != parts:
        raise RegenError(f"part {', '.join(missing) or '?'} of {finding_id}'s proof is "
                         "missing: merge the scorecard of every shard that proves a part")
    ordered = [by_part[k][0] for k in range(1, parts + 1)]
    home = ordered[0]  # part 1 scored the tests
    if home.status not in ("verified", "proven"):  # nothing was proven, in any part
        return replace(home, proof={k: v for k, v in (home.proof or {}).items()
                                    if k != "share"})
    proofs: list[ProofResult] = []
    for k, result in enumerate(ordered, start=1):
        share = _part_of(result) or {}
        proof = result.proof or {}
        if result.status not in ("verified", "proven"):
            proofs.append(ProofResult(finding_id, stopped=True, errors=[
                f"proof: part {k}/{parts} of the proof did not run: the checks are "
                f"{result.status} there"]))
            continue
        proofs.append(ProofResult(finding_id, mutants=list(result.mutants),
                                  errors=[str(e) for e in share.get("errors") or []],
                                  sites=list(proof.get("sites") or []),
                                  cached=bool(proof.get("cached")),
                                  stopped=bool(share.get("stopped"))))
    stopped = [p for p in proofs if p.stopped]
    if stopped:  # as a whole run whose proof stops before its mutants
        whole = ProofResult(finding_id, errors=_unique([e for p in stopped for e in p.errors]),
                            stopped=True)
    else:
        mutants = sorted((m for p in proofs for m in p.mutants), key=lambda m: m.id)
        ids = [m.id for m in mutants]
        if len(set(ids)) != len(ids):
            raise RegenError(f"{held[0][1]}: the parts of {finding_id}'s proof do not fit "
                             "together (two hold the same mutant)")
        whole = ProofResult(finding_id, mutants=mutants,
                            errors=_unique([e for p in proofs for e in p.errors]),
                            sites=_join_sites(finding_id, proofs),
                            cached=all(p.cached for p in proofs))
    merged = replace(home, status="verified", mutants=[], questions=[], proof=None,
                     mutants_killed=None, mutants_total=None,
                     errors=[e for e in home.errors if not e.startswith("proof:")])
    # The parameters that should each have a site: when none was located, the proof
    # lists every one of them, in order, as a site entry without a path.
    value_params = [s["param"] for s in whole.sites if "path" not in s]
    merged.apply_proof(whole, value_params=value_params)
    return merged


def _join_sites(finding_id: str, proofs: list[ProofResult]) -> list[dict[str, Any]]:
    """The sites of a split proof: each part lists the same sites, with the counts of
    its own value mutants."""
    from dna_kit.errors import RegenError

    def where(site: dict[str, Any]) -> tuple[Any, ...]:
        return site.get("param"), site.get("path"), site.get("line")

    first = proofs[0].sites
    if any([where(s) for s in p.sites] != [where(s) for s in first] for p in proofs):
        raise RegenError(f"the parts of {finding_id}'s proof do not fit together: they "
                         "changed different sites")
    joined = []
    for i, site in enumerate(first):
        entries = [(p, p.sites[i]) for p in proofs]
        out = dict(site)
        if "mutants" in site:
            out["mutants"] = sum(int(e.get("mutants") or 0) for _, e in entries)
            out["killed"] = sum(int(e.get("killed") or 0) for _, e in entries)
            values = sorted((v for _, e in entries for v in e.get("values") or []),
                            key=lambda v: int(v.get("mutant") or 0))
            out.pop("values", None)
            if values:
                out["values"] = values
            # A whole run keeps the error of the first value mutant that could not run.
            errors = []
            for p, e in entries:
                if "error" in e:
                    failed = {m.id for m in p.mutants if m.error}
                    first_failed = min((int(v.get("mutant") or 0) for v in
                                        e.get("values") or [] if v.get("mutant") in failed),
                                       default=0)
                    errors.append((first_failed, str(e["error"])))
            out.pop("error", None)
            if errors:
                out["error"] = min(errors)[1]
        joined.append(out)
    return joined


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
