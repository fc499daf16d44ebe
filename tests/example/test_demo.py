"""`python -m dna_kit.demo`: the whole path on a copy of the example, as `make demo` runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dna_kit.ledger import load_ledger
from tests.example.conftest import EXAMPLE, LOST_TARGETS, REPO
from tests.fakes.openai_server import FakeOpenAI

CACHES = {"__pycache__", ".hypothesis", ".pytest_cache"}


def committed_files() -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in EXAMPLE.rglob("*")
            if p.is_file() and not CACHES & set(p.parts)}


def run_demo(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # The environment is the test's own: with fake_llm it points at a model on loopback.
    return subprocess.run([sys.executable, "-m", "dna_kit.demo", "--out", str(out), *args],
                          cwd=REPO, env=dict(os.environ), capture_output=True, text=True,
                          timeout=600)


@pytest.mark.slow
def test_the_demo_tells_the_story(tmp_path: Path, fake_llm: FakeOpenAI) -> None:
    """End to end, offline even when a model is configured: the endpoint hears nothing."""
    before = committed_files()
    result = run_demo(tmp_path / "out")
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    scores = dict(re.findall(r"regeneration score of the (service|rewrite): (\d+)%", out))
    assert set(scores) == {"service", "rewrite"}, out
    assert int(scores["rewrite"]) < int(scores["service"]), out
    # The lost rules are named, and they are exactly the rules bound to the lost targets.
    ledger = load_ledger(EXAMPLE)
    expected = {f.id: f.title for f in ledger
                if f.binding is not None and f.binding.target in LOST_TARGETS}
    section = out.split("rules the rewrite lost", 1)[1]
    named = dict(re.findall(r"^  (F-\d{4})  (.+)$", section, re.M))
    assert named == expected, out
    # Every path it points at exists.
    for path in re.findall(r"^(?:HTML report|scorecard|executed notebook)[^:]*: (.+)$", out,
                           re.M):
        assert (REPO / path).is_file(), path
    # The committed example is untouched, and no model was asked anything.
    assert committed_files() == before
    assert fake_llm.requests == []
    assert len(re.findall(r"^executed notebook: ", out, re.M)) == 4, out


def test_the_demo_never_replaces_a_folder_it_did_not_make(tmp_path: Path) -> None:
    mine = tmp_path / "out" / "logistics"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("mine")
    result = run_demo(tmp_path / "out", "--no-prove", "--no-notebooks")
    assert result.returncode == 1
    assert "was not made by the demo" in result.stderr
    assert (mine / "notes.txt").read_text() == "mine"
