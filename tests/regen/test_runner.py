"""dna_kit.regen.runner.run_test_source: the one pytest runner, for a test not written yet
(the codify panel's live run). Real pytest subprocesses against a real project."""

from __future__ import annotations

import textwrap

import pytest

from dna_kit.errors import RegenError
from dna_kit.regen.runner import run_test_files, run_test_source

pytestmark = pytest.mark.slow  # each run is a pytest subprocess

CODE = """\
def cap(attempt: int) -> float:
    return min(0.5 * 2 ** (attempt - 1), 5.0)
"""

TEST = """\
from hypothesis import given, strategies as st

from carrier import cap

LIMIT = {limit}


@given(attempt=st.integers(min_value=1, max_value=40))
def test_f0001_cap(attempt):
    delay = cap(attempt)
    assert delay <= LIMIT, f"delay({{attempt}}) = {{delay}} is above {{LIMIT}}"


def test_f0001_first():
    assert cap(1) == 0.5
"""


@pytest.fixture
def carrier(project):
    (project.root / "carrier.py").write_text(CODE, encoding="utf-8")
    return project


def _files(project) -> dict[str, bytes]:
    return {str(p.relative_to(project.root)): p.read_bytes()
            for p in sorted(project.root.rglob("*")) if p.is_file()}


def test_a_passing_source_passes_and_nothing_is_written(carrier):
    before = _files(carrier)
    run = run_test_source(carrier, TEST.format(limit=5.0))
    assert run.passed and run.outcome == "passed", run.output
    assert (run.tests_passed, run.tests_failed) == (2, 0)
    assert run.failing_example is None
    assert _files(carrier) == before  # no file, no __pycache__, no .hypothesis


def test_a_failing_source_reports_hypothesis_example(carrier):
    run = run_test_source(carrier, TEST.format(limit=4.0))
    assert not run.passed and run.outcome == "failed"
    assert (run.tests_passed, run.tests_failed) == (1, 1)
    assert run.failing_example is not None
    assert "delay(4) = 4.0 is above 4.0" in run.failing_example or \
        "is above 4.0" in run.failing_example
    assert "attempt=" in run.failing_example
    assert "<preview>" in run.output or "test_preview.py" in run.output


def test_a_source_that_does_not_import_is_an_error_with_its_message(carrier):
    run = run_test_source(carrier, "from carrier import nothing_here\n\n\ndef test_x():\n"
                                   "    pass\n")
    assert not run.passed and run.outcome == "error"
    assert (run.tests_passed, run.tests_failed) == (0, 0)
    assert "nothing_here" in run.output


def test_a_hanging_test_is_stopped_at_the_limit(carrier):
    source = textwrap.dedent("""\
        import time


        def test_f0001_hangs():
            time.sleep(600)
        """)
    run = run_test_source(carrier, source, timeout=2)
    assert not run.passed and run.outcome == "timeout"
    assert run.tests_failed == 1


def test_a_bad_scratch_name_is_refused(carrier):
    with pytest.raises(RegenError, match=r"name='../x.py' must look like test_<name>.py"):
        run_test_source(carrier, "", name="../x.py")


def test_run_test_files_takes_the_project(carrier):
    test = carrier.tests_dir / "test_f0001_cap.py"
    test.write_text(TEST.format(limit=5.0), encoding="utf-8")
    results = run_test_files(carrier, [test])
    assert results[test.resolve()].outcome == "passed"
    assert run_test_files(carrier.root, [test])[test.resolve()].outcome == "passed"
