"""Refitting builds new weights and passes them; evaluation never depends on fitting."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import dna_kit.extract.evaluate as evaluate_module
from dna_kit.extract.fit import (
    UNSCORED,
    Row,
    average_precision,
    cross_validate_layers,
    feature_gains,
    fit,
    fit_layers,
    fit_weights,
    layer_feature_gains,
)
from dna_kit.extract.scorer import DEFAULT

ROWS = [
    Row("a.md", {"modal": 1.0, "quantity": 1.0}, 1, "how", {"how_words": 1.0}),
    Row("a.md", {"noise": 1.0}, 0, None, {}),
    Row("b.md", {"comparison": 1.0, "decision": 1.0}, 1, "why", {"why_words": 1.0}),
    Row("b.md", {"noise": 1.0, "short": 1.0}, 0, None, {}),
]


def test_fit_returns_weights_and_leaves_the_defaults_alone() -> None:
    before = replace(DEFAULT)
    weights = fit(ROWS, threshold=-0.5)
    bias, feature_weights = fit_weights(ROWS)
    assert weights.bias == bias and dict(weights.weights) == feature_weights
    assert {k: dict(v) for k, v in weights.layer_weights.items()} == fit_layers(ROWS)
    assert weights.threshold == -0.5
    assert weights.weights["noise"] <= 0 <= weights.weights["comparison"]  # cue signs hold
    assert before == DEFAULT
    assert cross_validate_layers(ROWS) in (0.0, 0.5, 1.0)
    assert before == DEFAULT


def test_the_score_leaves_out_the_families_that_earned_nothing() -> None:
    assert "decision" in UNSCORED
    _, feature_weights = fit_weights(ROWS)
    assert "decision" not in feature_weights and "modal" in feature_weights
    _, everything = fit_weights(ROWS, leave_out=frozenset())
    assert everything["decision"] > 0
    assert not set(DEFAULT.weights) & UNSCORED


def test_feature_gains_toggle_each_family_once() -> None:
    rows = [*ROWS, Row("c.md", {"modal": 1.0, "decision": 1.0}, 1, "how", {}),
            Row("c.md", {"short": 1.0, "noise": 1.0}, 0, None, {})]
    gains = feature_gains(rows, steps=50)
    assert sorted(g.feature for g in gains) == ["comparison", "decision", "modal", "noise",
                                                "quantity", "short"]
    by_name = {g.feature: g for g in gains}
    assert not by_name["decision"].scored and by_name["modal"].scored
    assert len({g.current for g in gains}) == 1
    assert [g.gain for g in gains] == sorted((g.gain for g in gains), reverse=True)


def test_layer_feature_gains_leave_each_family_out_once() -> None:
    rows = [Row(src, {}, 1, layer, {**words, "section:none": 1.0, "section:summary": 1.0})
            for src in ("a.md", "b.md", "c.md")
            for layer, words in (("why", {"why_words": 1.0}), ("how", {}))]
    gains = {g.feature: g for g in layer_feature_gains(rows)}
    assert sorted(gains) == ["section", "why_words"]  # every section: is one family
    assert gains["why_words"].current == 1.0
    # Without the only words that tell them apart, the two layers cannot both be right.
    assert gains["why_words"].toggled <= 0.5 and gains["why_words"].gain >= 0.5
    assert gains["section"].gain == 0.0
    assert list(gains) == ["why_words", "section"]  # the most useful first


def test_average_precision_ranks_and_counts_unranked_positives() -> None:
    assert average_precision([3.0, 2.0, 1.0], [1, 1, 0]) == 1.0
    assert average_precision([3.0, 2.0, 1.0], [0, 0, 1]) == 1 / 3
    assert average_precision([3.0, 2.0], [1, 0], positives=2) == 0.5


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
