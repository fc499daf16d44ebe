"""Widgets and helpers for the guided notebooks; every panel wraps plain functions.

The panels hold no logic of their own: each reads its widgets and calls a library function,
the way ipywidgets' ``interactive(f)`` wraps ``f``. Tests (and papermill, with
``interactive=False``) call the same functions without a browser.

>>> from dna_kit.notebook import ReviewPanel, InterviewPanel, open_project  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ReviewPanel": "dna_kit.notebook.review_panel",
    "accept_candidate": "dna_kit.notebook.review_panel",
    "reject_candidate": "dna_kit.notebook.review_panel",
    "save_candidates": "dna_kit.notebook.review_panel",
    "quote_context": "dna_kit.notebook.review_panel",
    "highlight_html": "dna_kit.notebook.review_panel",
    "parse_params_text": "dna_kit.notebook.review_panel",
    "InterviewPanel": "dna_kit.notebook.interview_panel",
    "CodifyPanel": "dna_kit.notebook.codify_panel",
    "preview_test": "dna_kit.codify",
    "run_test_source": "dna_kit.regen.runner",
    "suggest_template": "dna_kit.codify.templates",
    "open_project": "dna_kit.notebook.setup",
    "bank_frame": "dna_kit.notebook.display",
    "candidates_frame": "dna_kit.notebook.display",
    "findings_map": "dna_kit.notebook.display",
    "plot_timeline": "dna_kit.notebook.display",
    "project_summary": "dna_kit.notebook.display",
    "propose_candidates": "dna_kit.notebook.display",
    "tally": "dna_kit.notebook.display",
    "score_change": "dna_kit.notebook.display",
    "plot_score_change": "dna_kit.notebook.display",
    "timeline_frame": "dna_kit.notebook.display",
    "scratch_example": "dna_kit.notebook.setup",
    "example_dir": "dna_kit.notebook.setup",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dna_kit.notebook' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
