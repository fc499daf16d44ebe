"""Extraction: documents in, candidate findings out.

:func:`extract_findings` runs the offline extractor (rule cues, no network), or, given a
model client, the model extractor (:mod:`dna_kit.extract.llm_extractor`), which falls back to the
offline one when the model fails. :func:`extract_paths` reads and extracts whole archives,
one file at a time, on a process pool. Both take the offline extractor's
:class:`~dna_kit.extract.scorer.Weights` (default: the fitted ones), so a refit is passed
in, never written over the defaults.

>>> from dna_kit.ingest import ingest                       # doctest: +SKIP
>>> [c.to_json() for c in extract_findings(ingest("pm.md")[0])]  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dna_kit.extract.batch import FileExtraction, extract_paths
from dna_kit.extract.candidate import CANDIDATE_SCHEMA, Candidate, CandidateSource
from dna_kit.extract.offline import extract_offline
from dna_kit.extract.scorer import DEFAULT, Weights

if TYPE_CHECKING:
    from dna_kit.document import Document

__all__ = ["CANDIDATE_SCHEMA", "Candidate", "CandidateSource", "FileExtraction",
           "Weights", "extract_findings", "extract_offline", "extract_paths"]


def extract_findings(document: Document, *, llm: Any = None,
                     weights: Weights = DEFAULT) -> list[Candidate]:
    """Candidate findings of one document, in source order.

    Without ``llm`` the offline extractor runs with ``weights``. With an ``LLMClient`` the
    model extractor runs (it falls back to the offline extractor with ``weights``, and a
    warning, if the model fails).

    >>> from dna_kit.document import Document
    >>> doc = Document("pm.md", "We decided to cap carrier retries at 3 attempts.\\n")
    >>> extract_findings(doc)[0].params
    {'max_attempts': '3'}
    """
    if llm is not None:
        from dna_kit.extract.llm_extractor import extract_with_model

        result: list[Candidate] = extract_with_model(document, llm, weights=weights)
        return result
    return extract_offline(document, weights)
