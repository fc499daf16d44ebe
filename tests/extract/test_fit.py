"""Refitting builds new weights and passes them; evaluation never depends on fitting."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import dna_kit.extract.evaluate as evaluate_module
from dna_kit.extract.fit import Row, cross_validate_layers, fit, fit_layers, fit_weights
from dna_kit.extract.scorer import DEFAULT

ROWS = [
    Row("a.md", {"modal": 1.0, "quantity": 1.0}, 1, "how", {"how_words": 1.0}),
    Row("a.md", {"noise": 1.0}, 0, None, {}),
    Row("b.md", {"decision": 1.0}, 1, "why", {"why_words": 1.0}),
    Row("b.md", {"noise": 1.0, "short": 1.0}, 0, None, {}),
]


def test_fit_returns_weights_and_leaves_the_defaults_alone() -> None:
    before = replace(DEFAULT)
    weights = fit(ROWS, threshold=-0.5)
    bias, feature_weights = fit_weights(ROWS)
    assert weights.bias == bias and dict(weights.weights) == feature_weights
    assert {k: dict(v) for k, v in weights.layer_weights.items()} == fit_layers(ROWS)
    assert weights.threshold == -0.5
    assert weights.weights["noise"] <= 0 <= weights.weights["decision"]  # cue signs hold
    assert before == DEFAULT
    assert cross_validate_layers(ROWS) in (0.0, 0.5, 1.0)
    assert before == DEFAULT


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_evaluate_never_imports_fit() -> None:
    """fit uses evaluate (its matching rule and report); the reverse would be a cycle."""
    assert not {n for n in _imports(Path(evaluate_module.__file__)) if "fit" in n}
    # And at run time: scoring an extractor loads no fitting code.
    code = ("import sys; from dna_kit.extract.evaluate import evaluate_extraction, "
            "match_candidates, value_key; value_key('1s'); "
            "print('dna_kit.extract.fit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"
