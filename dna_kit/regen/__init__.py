"""The regeneration test: what share of a system's DNA would survive a rewrite, proven.

:func:`regenerate` runs each accepted finding's tests (optionally against an alternate
implementation), proves them with mutants of their targets, and returns a
:class:`Scorecard`; :mod:`dna_kit.regen.report` renders it as HTML or Markdown, and
:mod:`dna_kit.regen.notebooks` runs the notebook series under papermill.

>>> from dna_kit.regen import regenerate
>>> card = regenerate(".", prove=True)      # doctest: +SKIP
>>> card.score                              # doctest: +SKIP
0.75
"""

from __future__ import annotations

from dna_kit.regen.core import regenerate
from dna_kit.regen.mutate import Mutant, make_mutants, question_for
from dna_kit.regen.notebooks import NotebookRun, glue, read_results, run_notebooks
from dna_kit.regen.report import render_html, render_markdown, write_html, write_report
from dna_kit.regen.scorecard import (
    REGEN_STATUSES,
    FindingResult,
    MutantResult,
    Scorecard,
    read_history,
    scorecard_schema,
)

__all__ = [
    "REGEN_STATUSES",
    "FindingResult",
    "Mutant",
    "MutantResult",
    "NotebookRun",
    "Scorecard",
    "glue",
    "make_mutants",
    "question_for",
    "read_history",
    "read_results",
    "regenerate",
    "render_html",
    "render_markdown",
    "run_notebooks",
    "scorecard_schema",
    "write_html",
    "write_report",
]
