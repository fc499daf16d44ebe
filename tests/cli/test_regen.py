"""``dna regen`` and ``dna drill`` as a person runs them (real subprocesses; the model is the
loopback fake)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from dna_kit.project import Project
from dna_kit.regen.drill import dna_brief, drill
from tests.regen.shipping import LOST_CAP

pytestmark = pytest.mark.slow

REWRITE_KEEPS = '''\
def backoff_delay(attempt: int) -> float:
    if attempt < 1:
        raise ValueError("attempt starts at 1")
    return min(0.2 * (2 ** (attempt - 1)), 5.0)
'''
REWRITE_LOSES_CAP = REWRITE_KEEPS.replace("5.0)", "60.0)")


def _run(cmd: list[str], *args: str, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=300,
                          env=env)


def test_dna_regen_writes_reports_and_fails_under_the_threshold(
        shipping: Project, dna_cmd: list[str]) -> None:
    root = str(shipping.root)
    done = _run(dna_cmd, "-C", root, "regen", "--prove", "--min-score", "0.6",
                "--json", "out/card.json", "--html", "out/report.html",
                "--markdown", "out/summary.md")
    assert done.returncode == 1, done.stderr
    assert "score 50% is below --min-score 60%" in done.stderr
    assert "F-0001  proven     how  Carrier retry backoff  mutants" in done.stdout
    assert "F-0004  tacit" in done.stdout
    assert "? F-0002: The checks still pass if" in done.stdout
    card = json.loads((shipping.root / "out/card.json").read_text(encoding="utf-8"))
    assert card["score"] == 0.5 and card["gate"]["passed"] is False
    assert (shipping.root / "out/report.html").is_file()
    assert "50% proven" in (shipping.root / "out/summary.md").read_text(encoding="utf-8")

    done = _run(dna_cmd, "-C", root, "regen", "--min-score", "0.5", "--no-history")
    assert done.returncode == 0, done.stderr
    assert len((shipping.dna_dir / "regen-history.jsonl").read_text().splitlines()) == 1


def test_dna_regen_impl_names_the_lost_rule(shipping: Project, dna_cmd: list[str]) -> None:
    done = _run(dna_cmd, "-C", str(shipping.root), "regen", "--impl", str(LOST_CAP))
    assert done.returncode == 0, done.stderr
    assert "F-0001  failing    how  Carrier retry backoff" in done.stdout
    assert "        test_f0001_backoff_schedule: assert 1.0 <= 1e-09" in done.stdout
    assert "1 failing" in done.stdout


def test_dna_regen_on_a_bad_impl_is_one_clear_line(shipping: Project,
                                                   dna_cmd: list[str]) -> None:
    done = _run(dna_cmd, "-C", str(shipping.root), "regen", "--impl", "missing-dir")
    assert done.returncode == 1
    assert done.stderr.strip().startswith("dna regen: impl=") and "not a directory" in \
        done.stderr


def test_dna_drill_without_a_model_says_so_and_exits_cleanly(
        shipping: Project, dna_cmd: list[str]) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DNA_LLM_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY")}
    done = _run(dna_cmd, "-C", str(shipping.root), "drill", "--target", "shipping.retry",
                env=env)
    assert done.returncode == 0, done.stderr
    assert "no model is configured" in done.stdout and "nothing was sent" in done.stdout


def _answer(code: str) -> Any:
    return lambda request: f"Here is the module.\n\n```python\n{code}```\n"


def test_dna_drill_over_loopback_reports_the_rule_the_rewrite_lost(
        shipping: Project, dna_cmd: list[str], fake_llm: Any, tmp_path: Path) -> None:
    fake_llm.responder = _answer(REWRITE_LOSES_CAP)
    done = _run(dna_cmd, "-C", str(shipping.root), "drill", "--target", "shipping.retry",
                "--out", str(tmp_path / "scratch"))
    assert done.returncode == 0, done.stderr
    assert "LOST  F-0001  Carrier retry backoff" in done.stdout
    assert "0 of 1 rule(s) survived the rewrite" in done.stdout
    written = (tmp_path / "scratch" / "shipping" / "retry.py").read_text(encoding="utf-8")
    assert written == REWRITE_LOSES_CAP
    # The rest of the package came along, so sibling modules still import.
    assert (tmp_path / "scratch" / "shipping" / "batching.py").is_file()
    sent = fake_llm.sent_content()
    assert "capped at 5 s" in sent and "def test_f0001_backoff_schedule" in sent
    assert "def backoff_delay(attempt: int) -> float:" in sent
    # The DNA only: never the body of the code under test.
    assert "min(0.2 * 2 ** (attempt - 1), 5.0)" not in sent
    assert "must be at least 1" not in sent


def test_drill_keeps_the_rules_a_faithful_rewrite_keeps(shipping: Project, fake_llm: Any,
                                                        tmp_path: Path) -> None:
    fake_llm.responder = _answer(REWRITE_KEEPS)
    result = drill(shipping, "shipping.retry", out_dir=tmp_path / "scratch")
    assert [f.id for f in result.survived] == ["F-0001"] and result.lost == []
    assert result.scorecard.impl == str((tmp_path / "scratch").resolve())
    assert not (shipping.dna_dir / "regen-history.jsonl").exists()


def test_the_brief_holds_decisions_and_test_outlines_not_code(shipping: Project) -> None:
    brief = dna_brief(shipping, "shipping.batching")
    assert "### F-0002: Dispatch batch bounds" in brief
    assert "def test_f0002_bounded(queued: int) -> None:" in brief
    assert "a batch holds between 1 and 50 orders" in brief
    assert "queued // 10" not in brief


def test_a_model_answer_that_is_not_python_writes_nothing(
        shipping: Project, fake_llm: Any, tmp_path: Path) -> None:
    from dna_kit.errors import ModelError

    fake_llm.responder = lambda request: "```python\ndef backoff_delay(:\n```"
    with pytest.raises(ModelError, match="not valid Python: line 1"):
        drill(shipping, "shipping.retry", out_dir=tmp_path / "scratch")
    assert not (tmp_path / "scratch").exists()


def test_drill_refuses_a_module_no_rule_is_bound_to(shipping: Project, fake_llm: Any) -> None:
    from dna_kit.errors import RegenError

    with pytest.raises(RegenError, match=r"target='shipping\.nothing'"):
        drill(shipping, "shipping.nothing")
    assert fake_llm.chat_requests == []
