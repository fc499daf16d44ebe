"""Stale tests: after a finding's statement, params or binding change, its generated test
is ``stale`` (not counted) until ``dna codify`` writes it again; ``dna list --status stale``
finds it."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

from dna_kit.codify import codify
from dna_kit.codify.stale import generated_from, source_hash, stale_tests
from dna_kit.finding import Site
from dna_kit.ledger import find_entry
from dna_kit.project import Project
from dna_kit.regen.core import regenerate


def _codified(shipping: Project) -> Path:
    """F-0002 (batch bounds) codified by dna_kit itself, its test linked."""
    artifact = codify(shipping, "F-0002", template="bounded",
                      target="shipping.batching:batch_size",
                      params={"min": "1", "max": "50"}, domain="int:0..2000")
    return artifact.path


def _dna(dna_cmd: list[str], project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*dna_cmd, "-C", str(project.root), *args], capture_output=True,
                          text=True, timeout=300)


def test_a_generated_test_records_what_it_was_generated_from(shipping: Project) -> None:
    path = _codified(shipping)
    finding = find_entry(shipping, "F-0002").finding
    assert generated_from(path.read_text(encoding="utf-8")) == source_hash(finding)
    assert stale_tests(shipping, finding) == []


def test_sites_do_not_make_a_test_stale_but_the_rule_does(shipping: Project) -> None:
    _codified(shipping)
    finding = find_entry(shipping, "F-0002").finding
    assert finding.binding is not None
    sited = replace(finding, binding=replace(finding.binding, sites=(
        Site(param="max", path="shipping/batching.py", line=6, code="MAX_BATCH = 50"),)))
    assert source_hash(sited) == source_hash(finding)
    for changed in (replace(finding, statement="A dispatch batch holds 1 to 60 orders."),
                    replace(finding, binding=replace(finding.binding, domain="int:0..10")),
                    replace(finding, binding=replace(finding.binding,
                                                     target="shipping.batching:other"))):
        assert source_hash(changed) != source_hash(finding)
        assert stale_tests(shipping, changed) == [finding.links.tests[-1]]


def test_regen_calls_a_changed_finding_stale_until_it_is_codified_again(
        shipping: Project, dna_cmd: list[str]) -> None:
    _codified(shipping)
    card = regenerate(shipping, findings=["2"], history=False)
    assert card.finding("F-0002").status == "verified"

    done = _dna(dna_cmd, shipping, "set", "F-0002", "params.high=60")
    assert done.returncode == 0, done.stderr
    card = regenerate(shipping, findings=["2"], history=False)
    result = card.finding("F-0002")
    assert result.status == "stale"
    assert "re-run dna codify F-0002" in result.errors[0]
    assert card.verified_score == 0.0 and card.counts["stale"] == 1
    assert card.to_json()["counts"]["stale"] == 1

    listed = _dna(dna_cmd, shipping, "list", "--status", "stale")
    assert listed.returncode == 0, listed.stderr
    assert "F-0002" in listed.stdout and "F-0001" not in listed.stdout
    shown = _dna(dna_cmd, shipping, "regen", "--finding", "2", "--no-history")
    assert "stale" in shown.stdout and "re-run dna codify F-0002" in shown.stdout

    done = _dna(dna_cmd, shipping, "codify", "F-0002")
    assert done.returncode == 0, done.stderr
    assert regenerate(shipping, findings=["2"], history=False).finding(
        "F-0002").status == "verified"
    assert "F-0002" not in _dna(dna_cmd, shipping, "list", "--status", "stale").stdout


def test_a_stale_test_is_never_proven(shipping: Project, dna_cmd: list[str]) -> None:
    _codified(shipping)
    assert _dna(dna_cmd, shipping, "set", "F-0002",
                "statement=A batch holds 1 to 50 orders, always.").returncode == 0
    result = regenerate(shipping, findings=["2"], prove=True, history=False).finding("F-0002")
    assert result.status == "stale"
    assert result.mutants_total is None


def test_a_hand_written_test_is_never_stale(shipping: Project, dna_cmd: list[str]) -> None:
    # F-0001's test is written by hand to the codify contract: it records no source.
    assert _dna(dna_cmd, shipping, "set", "F-0001", "params.cap=16s").returncode == 0
    assert regenerate(shipping, findings=["1"], history=False).finding(
        "F-0001").status == "verified"
