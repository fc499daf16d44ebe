"""Extraction: documents in, candidate findings out.

>>> from dna_kit.extract import Candidate   # doctest: +SKIP
"""

from __future__ import annotations

from dna_kit.extract.candidate import CANDIDATE_SCHEMA, Candidate, CandidateSource

__all__ = ["CANDIDATE_SCHEMA", "Candidate", "CandidateSource"]
