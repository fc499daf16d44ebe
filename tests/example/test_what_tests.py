"""The example's own what-tests pass on the service and on the rewrite (real pytest runs)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.example.conftest import EXAMPLE


def run_what_tests(impl: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DISPATCH_IMPL": str(impl)}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rN",
         str(EXAMPLE / "tests")],
        cwd=EXAMPLE, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("impl", ["", "regenerated"], ids=["service", "rewrite"])
def test_what_tests_pass_on_both_implementations(impl: str) -> None:
    root = (EXAMPLE / impl).resolve()
    result = run_what_tests(root)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    # The run really imported the implementation asked for, not the other one.
    assert f"dispatch under test: {root / 'dispatch'}" in out, out
    passed = re.search(r"(\d+) passed", out)
    assert passed and int(passed.group(1)) >= 30, out
    assert not re.search(r"\d+ (failed|errors?)\b", out), out


def test_the_what_tests_can_fail(tmp_path: Path) -> None:
    """A broken implementation fails them: they are tests, not decoration."""
    broken = tmp_path / "broken"
    shutil.copytree(EXAMPLE / "dispatch", broken / "dispatch",
                    ignore=shutil.ignore_patterns("__pycache__"))
    limits = broken / "dispatch" / "limits.py"
    limits.write_text(limits.read_text().replace("return min(pending, WAVE_CAP)",
                                                 "return pending"))
    result = run_what_tests(broken)
    assert result.returncode == 1
    assert "test_a_wave_never_holds_more_than_the_loading_bay" in result.stdout
