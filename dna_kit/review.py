"""Saving candidates to the ledger as ``candidate`` findings, once each."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from dna_kit.errors import ProjectError
from dna_kit.extract.candidate import Candidate
from dna_kit.finding import Finding
from dna_kit.project import Project

__all__ = ["redacted", "redaction_settings", "save_candidates"]


def _key(quote: str) -> str:
    return re.sub(r"\s+", " ", quote).strip().lower()


def redaction_settings(project: Project | None) -> dict[str, Any]:
    """``names`` and ``ip_addresses`` for redaction, from ``llm.redact_names`` and
    ``llm.redact_ip_addresses`` in ``dna/config.yaml`` (none without a project).

    >>> redaction_settings(None)
    {'names': (), 'ip_addresses': False}
    """
    section = (project.config().get("llm") or {}) if project is not None else {}
    if not isinstance(section, dict):
        raise ProjectError(f"{project.config_path if project else 'config'}: llm must be a "
                           "mapping of settings")
    names = section.get("redact_names") or ()
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise ProjectError(f"dna/config.yaml: llm.redact_names={names!r} must be a list of "
                           "names")
    return {"names": tuple(names), "ip_addresses": bool(section.get("redact_ip_addresses"))}


def redacted(candidates: Iterable[Candidate], project: Project | None) -> list[Candidate]:
    """The candidates with secrets and personal data replaced by typed placeholders."""
    from dna_kit.extract.llm_extractor import redact_candidate

    settings = redaction_settings(project)
    return [redact_candidate(c, **settings) for c in candidates]


def save_candidates(project: Project, candidates: Iterable[Candidate]
                    ) -> tuple[list[Finding], int]:
    """Add each candidate whose quote is not in the ledger yet; ``(added, skipped)``.

    Secrets and personal data are redacted first (:mod:`dna_kit.redact`): nothing
    secret reaches the ledger. Quotes are then compared with whitespace collapsed and
    case folded, so running the same extraction twice adds nothing the second time.
    Source paths are stored relative to the repository root when the source lies inside
    it.

    >>> save_candidates(project, extract_findings(doc))   # doctest: +SKIP
    ([Finding(id='F-0001', ...)], 0)
    """
    from dna_kit.ledger import add_finding, load_ledger

    seen = {_key(p.quote) for f in load_ledger(project) for p in f.provenance if p.quote}
    added: list[Finding] = []
    skipped = 0
    for candidate in redacted(candidates, project):
        key = _key(candidate.quote)
        if key in seen:
            skipped += 1
            continue
        seen.add(key)
        path = Path(candidate.source.path)
        try:
            rel = str(path.resolve().relative_to(project.root))
        except ValueError:
            rel = str(path)
        candidate = replace(candidate, source=replace(candidate.source, path=rel))
        added.append(add_finding(project, candidate.to_finding_fields()))
    return added, skipped
