"""Saving candidates to the ledger as ``candidate`` findings, once each."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from dna_kit.extract.candidate import Candidate
from dna_kit.finding import Finding
from dna_kit.project import Project

__all__ = ["save_candidates"]


def _key(quote: str) -> str:
    return re.sub(r"\s+", " ", quote).strip().lower()


def save_candidates(project: Project, candidates: Iterable[Candidate]
                    ) -> tuple[list[Finding], int]:
    """Add each candidate whose quote is not in the ledger yet; ``(added, skipped)``.

    Quotes are compared with whitespace collapsed and case folded, so running the same
    extraction twice adds nothing the second time. Source paths are stored relative to
    the repository root when the source lies inside it.

    >>> save_candidates(project, extract_findings(doc))   # doctest: +SKIP
    ([Finding(id='F-0001', ...)], 0)
    """
    from dna_kit.ledger import add_finding, load_ledger

    seen = {_key(p.quote) for f in load_ledger(project) for p in f.provenance if p.quote}
    added: list[Finding] = []
    skipped = 0
    for candidate in candidates:
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
