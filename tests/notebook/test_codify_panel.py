"""The codify panel without a browser, on a copy of the bundled example: the suggested
template, a live run that passes and one that fails with hypothesis' example, saving a new
test, and a decision record."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from dna_kit.finding import Finding
from dna_kit.ledger import add_finding, load_ledger
from dna_kit.notebook.codify_panel import DECISION_RECORD, CodifyPanel, suggest_template
from dna_kit.notebook.setup import open_project

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # each live run is a pytest subprocess


@pytest.fixture
def example(tmp_path: Path):  # type: ignore[no-untyped-def]
    shutil.copytree(REPO / "examples" / "logistics", tmp_path / "logistics",
                    ignore=shutil.ignore_patterns("__pycache__", ".ruff_cache"))
    return open_project(tmp_path / "logistics")


def _finding(kind: str, params: dict[str, str], title: str = "t") -> Finding:
    return Finding.from_dict({"id": "F-0001", "title": title, "statement": "s",
                              "layer": "how", "kind": kind, "params": params})


def test_templates_are_suggested_from_kind_and_params() -> None:
    assert suggest_template(_finding("retry_policy", {"base": "0.5s", "cap": "5s"})) == \
        "backoff_schedule"
    assert suggest_template(_finding("retry_policy", {"max_attempts": "6"})) == "retry_limit"
    assert suggest_template(_finding("rate_limit", {"limit": "5"})) == "rate_limit"
    assert suggest_template(_finding("ordering_rule", {})) == "priority_order"
    assert suggest_template(_finding("timeout", {"max": "8s"})) == "bounded"
    assert suggest_template(_finding("threshold", {}, "Breaker opens after 5 failures")) == \
        "circuit_breaker"
    assert suggest_template(_finding("decision", {})) == DECISION_RECORD


def test_run_live_passes_then_fails_with_hypothesis_example(example) -> None:
    files = sorted((example.root / "dna").rglob("*.*"))
    before = {p: p.read_bytes() for p in files}
    panel = CodifyPanel(example)
    panel.finding.value = "F-0001"
    assert panel.template.value == "backoff_schedule"
    assert panel.target.value == "dispatch.carrier:backoff_delay"
    panel.run_button.click()
    assert panel.result.passed, panel.result.output
    assert "passed" in panel.status.value
    assert re.search(r"DNA_FINDING = [\"']F-0001[\"']", html.unescape(panel.code.value))
    panel.params.value = panel.params.value.replace("5s", "6s").replace("5 s", "6 s")
    panel.run_button.click()
    run = panel.result
    assert not run.passed
    assert "delay(" in run.failing_example and "attempt=" in run.failing_example
    assert "failed" in panel.status.value
    # Nothing was written by preview or run.
    assert {p: p.read_bytes() for p in sorted((example.root / "dna").rglob("*.*"))} == before


def test_save_codifies_a_newly_accepted_finding(example) -> None:
    new = add_finding(example, {
        "title": "Label timeout never above 8 s", "statement": "label_timeout <= 8 s",
        "layer": "how", "kind": "timeout", "status": "accepted", "params": {"max": "8s"}})
    panel = CodifyPanel(example)
    panel.finding.value = new.id
    assert panel.template.value == "bounded" and panel.target.value == ""
    panel.save_button.click()
    assert "--target" in panel.status.value or "target" in panel.error
    panel.target.value = "dispatch.limits:label_timeout"
    panel.domain.value = "int:0..100000"
    panel.save_button.click()
    assert panel.error is None, panel.error
    artifact = panel.result
    assert artifact.path.is_file() and artifact.finding.status == "codified"
    finding = load_ledger(example)[new.id]
    assert finding.links.tests == (artifact.path.relative_to(example.root).as_posix(),)
    assert finding.binding.target == "dispatch.limits:label_timeout"


def test_a_heuristic_gets_a_decision_record(example) -> None:
    panel = CodifyPanel(example)
    panel.finding.value = "F-0011"
    assert panel.template.value == DECISION_RECORD
    panel.fmt.value = "nygard"
    panel.preview_button.click()  # see it first: nothing written
    assert "## Decision" in html.unescape(panel.code.value)
    assert not load_ledger(example)["F-0011"].links.decisions
    panel.run_button.click()
    assert panel.result is None and "read, not run" in panel.status.value
    panel.save_button.click()  # for a record, saving writes it
    path = panel.result
    assert path.is_file() and path.parent == example.adr_dir
    assert "## Decision" in path.read_text(encoding="utf-8")
    assert load_ledger(example)["F-0011"].links.decisions
