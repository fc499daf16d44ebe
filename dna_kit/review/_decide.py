"""Deciding on candidates: identity, redaction, the fields a person may change, and the
ledger writes of accept, reject, save and edit (the package docstring tells the story)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dna_kit.errors import InvalidFinding
from dna_kit.extract.candidate import Candidate
from dna_kit.fileio import relative_path
from dna_kit.finding import Finding, Provenance, parse_param
from dna_kit.ledger import add_finding, find_entry, load_ledger, locked, update_finding
from dna_kit.project import Project, find_project, redaction_settings
from dna_kit.redact import redact

#: The fields of a finding a reviewer changes: one widget each in the panels, and
#: ``dna set FIELD=VALUE`` (``params.NAME=VALUE`` for one parameter).
EDITABLE: tuple[str, ...] = ("title", "statement", "layer", "kind", "params", "rationale")
#: Bookkeeping fields ``dna set`` changes as well (``tags`` comma-separated); the panels
#: set ``status`` and ``rejected_reason`` through their accept and reject buttons.
LEDGER_FIELDS: tuple[str, ...] = ("owner", "area", "tags", "status", "rejected_reason")
#: Fields whose text is stored as written, so it is redacted first.
_TEXT_FIELDS = ("title", "statement", "rationale", "rejected_reason")


# -- identity ------------------------------------------------------------------------------

def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def candidate_key(candidate: Candidate) -> tuple[str, str]:
    """What makes two candidates the same proposal: the source's file name and the quote,
    whitespace collapsed and case folded (lines are left out: see the module docstring).

    >>> from dna_kit.extract import Candidate, CandidateSource
    >>> a = Candidate("Cap at 5 s.", "t", "s", "how", "threshold", CandidateSource("a/pm.md", 1, 1))
    >>> b = Candidate("cap  at\\n5 S.", "t", "s", "how", "threshold", CandidateSource("pm.md", 9, 10))
    >>> candidate_key(a) == candidate_key(b)
    True
    """
    return Path(candidate.source.path).name, _normal(candidate.quote)


def _provenance_keys(finding: Finding) -> set[tuple[str, str]]:
    return {(Path(p.source).name, _normal(p.quote)) for p in finding.provenance
            if p.source and p.quote}


def _in_ledger(project: Project) -> dict[tuple[str, str], Finding]:
    return {key: f for f in load_ledger(project) for key in _provenance_keys(f)}


# -- redaction -----------------------------------------------------------------------------

def redacted(candidates: Iterable[Candidate], project: Project | None) -> list[Candidate]:
    """The candidates as a shell shows them: secrets and personal data replaced by typed
    placeholders (:func:`dna_kit.extract.llm_extractor.redact_candidate`).

    >>> from dna_kit.extract import Candidate, CandidateSource
    >>> c = Candidate("Page ana@example.com.", "t", "s", "how", "threshold",
    ...               CandidateSource("pm.md", 1, 1))
    >>> redacted([c], None)[0].quote
    'Page [REDACTED:email].'
    """
    from dna_kit.extract.llm_extractor import redact_candidate

    settings = redaction_settings(project)
    return [redact_candidate(c, **settings) for c in candidates]


def _redact_value(value: Any, settings: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        return redact(value, **settings).text
    if isinstance(value, list | tuple):
        return type(value)(_redact_value(v, settings) for v in value)
    return value


def redact_fields(project: Project | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    """``fields`` (as :func:`~dna_kit.ledger.add_finding` and
    :func:`~dna_kit.ledger.update_finding` take them) with every stored text redacted:
    title, statement, rationale, rejected reason, parameter values given as text, and the
    quotes of the provenance. What every review entry point calls before it writes.

    >>> redact_fields(None, {"statement": "Page ana@example.com", "layer": "how",
    ...                      "params": {"cap": "5 s", "who": "ana@example.com"}})
    {'statement': 'Page [REDACTED:email]', 'layer': 'how', 'params': {'cap': '5 s', 'who': '[REDACTED:email]'}}
    """
    settings = redaction_settings(project)
    out = dict(fields)
    for name in _TEXT_FIELDS:
        if isinstance(out.get(name), str):
            out[name] = _redact_value(out[name], settings)
    if isinstance(out.get("params"), Mapping):
        out["params"] = {k: _redact_value(v, settings) for k, v in out["params"].items()}
    if out.get("provenance"):
        provenance = []
        for prov in out["provenance"]:
            data = prov.to_dict() if isinstance(prov, Provenance) else dict(prov)
            if isinstance(data.get("quote"), str):
                data["quote"] = _redact_value(data["quote"], settings)
            provenance.append(data)
        out["provenance"] = provenance
    return out


# -- what a person may change --------------------------------------------------------------

def check_changes(changes: Mapping[str, Any],
                  allowed: Sequence[str] = EDITABLE + LEDGER_FIELDS) -> dict[str, Any]:
    """``changes`` as a plain dict, or :class:`InvalidFinding` naming the first field that
    is not in ``allowed``. Values are checked when the finding is built.

    >>> check_changes({"colour": "red"}, EDITABLE)
    Traceback (most recent call last):
    ...
    dna_kit.errors.InvalidFinding: colour: 'colour' cannot be changed in review; editable: title, statement, layer, kind, params, rationale
    """
    for name, value in changes.items():
        if name not in allowed:
            raise InvalidFinding(f"{name!r} cannot be changed in review; editable: "
                                 f"{', '.join(allowed)}", field=name, value=value)
    return dict(changes)


def parse_assignments(finding: Finding, assignments: Iterable[str]) -> dict[str, Any]:
    """``["params.cap=5s", "owner=ana"]`` → the changes to ``finding`` they make
    (``params.NAME=`` removes a parameter, ``tags`` is comma-separated, an empty value
    clears a field); names outside :data:`EDITABLE` and :data:`LEDGER_FIELDS` are refused.

    >>> f = Finding.from_dict({"id": "F-0001", "title": "t", "statement": "s", "layer": "how",
    ...                        "kind": "threshold", "params": {"cap": "5 s"}})
    >>> parse_assignments(f, ["params.cap=6 s", "tags=a, b", "owner="])
    {'params': {'cap': '6 s'}, 'tags': ['a', 'b'], 'owner': None}
    """
    from dna_kit.finding import param_to_data

    changes: dict[str, Any] = {}
    for text in assignments:
        name, sep, value = text.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise InvalidFinding(f"{text!r} must look like FIELD=VALUE", value=text)
        if name.startswith("params."):
            current = {k: param_to_data(v) for k, v in finding.params.items()}
            params = dict(changes.get("params", current))
            key = name.removeprefix("params.")
            if value:
                params[key] = value
            else:
                params.pop(key, None)
            changes["params"] = params
        elif name == "tags":
            changes["tags"] = [t.strip() for t in value.split(",") if t.strip()]
        elif name in EDITABLE + LEDGER_FIELDS and name != "params":
            changes[name] = value or None
        else:
            raise InvalidFinding(f"{name!r} cannot be set here; settable: "
                                 f"{', '.join(n for n in EDITABLE + LEDGER_FIELDS if n != 'params')}"
                                 ", params.NAME", field=name, value=value)
    return changes


def parse_params_text(text: str) -> dict[str, str]:
    """``"cap = 5 s"`` lines (or ``;``-separated) → ``{"cap": "5 s"}``; each value checked.

    >>> parse_params_text("cap = 5 s\\nmax_attempts: 4")
    {'cap': '5 s', 'max_attempts': '4'}
    """
    out: dict[str, str] = {}
    for n, raw in enumerate(re.split(r"[\n;]", text), start=1):
        line = raw.strip()
        if not line:
            continue
        m = re.match(r"^([A-Za-z_]\w*)\s*[=:]\s*(.+)$", line)
        if not m:
            raise InvalidFinding(f"params line {n}: {line!r} is not 'name = value'",
                                 field="params", value=line)
        name, value = m.group(1), m.group(2).strip()
        parse_param(name, value)  # raises naming the value, e.g. an unknown unit
        out[name] = value
    return out


def params_text(params: Mapping[str, Any]) -> str:
    """The inverse of :func:`parse_params_text`, one ``name = value`` a line.

    >>> params_text({"cap": "5 s", "factor": 2})
    'cap = 5 s\\nfactor = 2'
    """
    return "\n".join(f"{k} = {v}" for k, v in params.items())


# -- candidate → finding -------------------------------------------------------------------

def _repo_path(project: Project, path: str) -> str:
    """A candidate's source path as the ledger stores it: relative to the repository. A
    relative path is taken as relative to the repository when the file is there."""
    if not Path(path).is_absolute() and (project.root / path).exists():
        return relative_path(project.root / path, project.root)
    return relative_path(path, project.root)


def candidate_fields(project: Project, candidate: Candidate,
                     edits: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The fields a candidate is stored with (status ``candidate``), a reviewer's
    ``edits`` (:data:`EDITABLE` fields only) applied, the source path relative to the
    repository, and every text redacted (:func:`redact_fields`).

    >>> candidate_fields(project, candidate, {"layer": "why"})["layer"]   # doctest: +SKIP
    'why'
    """
    fields = candidate.to_finding_fields()
    for prov in fields.get("provenance", []):
        if prov.get("source"):
            prov["source"] = _repo_path(project, prov["source"])
    for key, value in check_changes(edits or {}, EDITABLE).items():
        if key == "rationale" and value in (None, ""):
            fields.pop(key, None)
        elif key == "params":
            fields[key] = dict(value or {})
        else:
            fields[key] = value
    return redact_fields(project, fields)


def _fields_key(fields: Mapping[str, Any]) -> tuple[str, str]:
    """:func:`candidate_key` of the candidate as it is stored (its quote redacted), so it
    compares with the ledger's provenance."""
    prov = (fields.get("provenance") or [{}])[0]
    return Path(str(prov.get("source") or "")).name, _normal(str(prov.get("quote") or ""))


def _decide(project: Project | str | Path, candidate: Candidate, status: str,
            edits: Mapping[str, Any] | None, reason: str | None = None) -> Finding:
    project = project if isinstance(project, Project) else find_project(project)
    fields = candidate_fields(project, candidate, edits)
    fields["status"] = status
    if reason:
        fields.update(redact_fields(project, {"rejected_reason": reason}))
    Finding.from_dict({**fields, "id": "F-0000"})  # bad edits fail before the lock
    with locked(project):
        existing = _in_ledger(project).get(_fields_key(fields))
        if existing is None:
            return add_finding(project, fields)
        fields.pop("created", None)
        if reason is None:
            fields["rejected_reason"] = None
        if status == "accepted" and existing.status == "codified":
            fields["status"] = "codified"  # accepting again does not undo its test
        return update_finding(project, existing.id, fields)


def accept_candidate(project: Project | str | Path, candidate: Candidate, *,
                     edits: Mapping[str, Any] | None = None) -> Finding:
    """Write ``candidate`` (with a reviewer's ``edits``) to the ledger as ``accepted``.

    A candidate already in the ledger (same :func:`candidate_key`) is updated, not
    duplicated. Every text is redacted before it is written.

    >>> accept_candidate(project, candidate, edits={"layer": "why"}).status  # doctest: +SKIP
    'accepted'
    """
    return _decide(project, candidate, "accepted", edits)


def reject_candidate(project: Project | str | Path, candidate: Candidate, reason: str, *,
                     edits: Mapping[str, Any] | None = None) -> Finding:
    """Record ``candidate`` as ``rejected`` with the reviewer's ``reason``, so it is not
    proposed again.

    >>> reject_candidate(project, candidate, "a one-off").status  # doctest: +SKIP
    'rejected'
    """
    if not reason or not reason.strip():
        raise InvalidFinding("rejecting a candidate needs a reason", field="rejected_reason",
                             value=reason)
    return _decide(project, candidate, "rejected", edits, reason.strip())


def save_candidates(project: Project | str | Path, candidates: Iterable[Candidate]
                    ) -> tuple[list[Finding], int]:
    """Save candidates for a person to review later (status ``candidate``), each once:
    ``(added, skipped)``, skipped being those already in the ledger (by
    :func:`candidate_key`, whatever their status). What a headless run does instead of
    asking a person; running it twice adds nothing the second time.

    >>> save_candidates(project, extract_findings(doc))   # doctest: +SKIP
    ([Finding(id='F-0001', ...)], 0)
    """
    project = project if isinstance(project, Project) else find_project(project)
    prepared = [candidate_fields(project, c) for c in candidates]
    added: list[Finding] = []
    skipped = 0
    with locked(project):
        seen = set(_in_ledger(project))
        for fields in prepared:
            key = _fields_key(fields)
            if key in seen:
                skipped += 1
                continue
            seen.add(key)
            added.append(add_finding(project, fields))
    return added, skipped


def edit_finding(project: Project | str | Path, finding_id: str,
                 changes: Mapping[str, Any]) -> Finding:
    """Change fields of a finding in the ledger: :data:`EDITABLE` and
    :data:`LEDGER_FIELDS` only, texts redacted, the person's edits to the file's body
    kept. What ``dna set`` calls, and ``dna accept``/``dna reject`` with a ``status``
    (rejecting needs a ``rejected_reason``).

    >>> edit_finding(project, "F-0007", {"params": {"cap": "5 s"}, "owner": "ana"})  # doctest: +SKIP
    Finding(id='F-0007', ...)
    """
    project = project if isinstance(project, Project) else find_project(project)
    checked = _checked_changes(project, changes)
    with locked(project):
        finding_id = find_entry(project, finding_id).finding.id
        return update_finding(project, finding_id, checked)


def _checked_changes(project: Project, changes: Mapping[str, Any]) -> dict[str, Any]:
    checked = redact_fields(project, check_changes(changes))
    status = checked.get("status")
    if status == "rejected" and not str(checked.get("rejected_reason") or "").strip():
        raise InvalidFinding("rejecting a finding needs a reason", field="rejected_reason",
                             value=checked.get("rejected_reason"))
    if status is not None and status != "rejected":
        checked["rejected_reason"] = None  # a reason belongs to a rejection only
    return checked


def apply_assignments(project: Project | str | Path, finding_id: str,
                      assignments: Iterable[str]) -> tuple[Finding, dict[str, Any]]:
    """Apply ``FIELD=VALUE`` assignments (:func:`parse_assignments`) to a finding:
    ``(the finding as written, the changes)``. The finding is read, changed and written
    under the ledger's lock, so concurrent edits of one finding (``params.a`` here,
    ``params.b`` there, a status elsewhere) all survive. What ``dna set`` calls.

    >>> apply_assignments(project, "F-0007", ["params.cap=5s", "owner=ana"])[1]  # doctest: +SKIP
    {'params': {'cap': '5s'}, 'owner': 'ana'}
    """
    project = project if isinstance(project, Project) else find_project(project)
    assignments = list(assignments)
    with locked(project):
        entry = find_entry(project, finding_id)
        changes = parse_assignments(entry.finding, assignments)
        return edit_finding(project, entry.finding.id, changes), changes


def decide_findings(project: Project | str | Path, finding_ids: Sequence[str],
                    status: str, *, reason: str | None = None
                    ) -> list[tuple[Finding, bool]]:
    """Accept (``status="accepted"``) or reject (with a ``reason``) several findings, all
    or nothing: under the ledger's lock every id is found and every change checked before
    any file is written, so one missing id writes nothing. Returns each finding with
    whether it changed: accepting a finding already accepted or codified leaves it as it
    is (its test stays). What ``dna accept`` and ``dna reject`` call.

    >>> decide_findings(project, ["F-0001", "F-0002"], "accepted")  # doctest: +SKIP
    [(Finding(id='F-0001', ...), True), (Finding(id='F-0002', ...), False)]
    """
    if status not in ("accepted", "rejected"):
        raise InvalidFinding(f"status={status!r}: a decision accepts or rejects",
                             field="status", value=status)
    project = project if isinstance(project, Project) else find_project(project)
    changes: dict[str, Any] = {"status": status}
    if status == "rejected":
        changes["rejected_reason"] = reason
    checked = _checked_changes(project, changes)
    with locked(project):
        entries = [find_entry(project, finding_id) for finding_id in finding_ids]
        plan: list[tuple[Finding, bool]] = []
        for entry in entries:
            unchanged = status == "accepted" and entry.finding.status in ("accepted",
                                                                          "codified")
            if not unchanged:
                entry.finding.evolve(**checked)  # raises before anything is written
            plan.append((entry.finding, not unchanged))
        return [(update_finding(project, finding.id, checked) if change else finding, change)
                for finding, change in plan]
