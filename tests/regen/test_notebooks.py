"""``dna notebooks run`` and notebook 05: real papermill executions on real kernels."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from dna_kit.errors import NotebookError
from dna_kit.project import Project
from dna_kit.regen.notebooks import read_results, run_notebooks
from tests.conftest import REPO

pytestmark = pytest.mark.slow

NOTEBOOK_05 = REPO / "notebooks" / "05_regeneration_test.ipynb"


def _notebook(path: Path, *cells: str) -> Path:
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, str(path))
    return path


def test_a_series_runs_in_parallel_and_each_failure_is_named(
        tmp_path: Path, dna_cmd: list[str]) -> None:
    _notebook(tmp_path / "ok.ipynb", "x = 1",
              "from dna_kit.regen.notebooks import glue\nglue('double', {'x': x * 2})")
    _notebook(tmp_path / "fails.ipynb", "x = 1", "y = x + 1", "y / 0")
    _notebook(tmp_path / "hangs.ipynb", "x = 1", "import time\ntime.sleep(600)")
    _notebook(tmp_path / "dies.ipynb", "x = 1", "import os, signal\n"
              "os.kill(os.getpid(), signal.SIGKILL)")
    done = subprocess.run(
        [*dna_cmd, "-C", str(tmp_path), "notebooks", "run", "ok.ipynb", "fails.ipynb",
         "hangs.ipynb", "dies.ipynb", "--parallel", "2", "--cell-timeout", "8",
         "-p", "x=21", "--out", "out", "--json", "runs.json"],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("ok      ok.ipynb: ok in")
    assert lines[1] == "FAILED  fails.ipynb: cell 3 (`y / 0`): ZeroDivisionError: division by zero"
    assert lines[2] == ("FAILED  hangs.ipynb: cell 2 (`import time`): the cell ran past its "
                        "time limit of 8.0 s")
    assert lines[3].startswith("FAILED  dies.ipynb: cell 2 (`import os, signal`): the kernel "
                               "died")
    assert "1 of 4 notebook(s) ran" in lines[4]
    assert "notebook/s" in done.stderr  # the progress bar
    runs = json.loads((tmp_path / "runs.json").read_text(encoding="utf-8"))
    assert [r["kind"] for r in runs] == [None, "error", "timeout", "dead_kernel"]
    # The parameter reached the notebook, and its result is read back from the output file.
    assert runs[0]["results"] == {"double": {"x": 42}}
    assert read_results(tmp_path / "out" / "ok.ipynb") == {"double": {"x": 42}}
    for name in ("ok", "fails", "hangs", "dies"):
        assert (tmp_path / "out" / f"{name}.ipynb").is_file()


def test_a_notebook_that_is_not_there_is_refused_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(NotebookError, match="does not exist"):
        run_notebooks([tmp_path / "nope.ipynb"], out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_notebook_05_is_committed_clean() -> None:
    nb = nbformat.read(str(NOTEBOOK_05), as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for name in ("project_dir", "impl", "prove", "min_score", "interactive"):
        assert f"\n{name} = " in "\n" + params[0].source


def test_notebook_05_runs_headless_and_publishes_the_scorecard(
        shipping: Project, tmp_path: Path) -> None:
    before = NOTEBOOK_05.read_bytes()
    runs = run_notebooks([NOTEBOOK_05], out_dir=tmp_path / "out", cwd=tmp_path,
                         parameters={"project_dir": str(shipping.root), "prove": True,
                                     "interactive": False, "min_score": 0.9})
    run = runs[0]
    # Below min_score the notebook fails at the gate, after publishing its results.
    assert not run.ok and run.kind == "error"
    assert run.error == "RegenError: score=0.50 is below min_score=0.9"
    assert run.cell_source == 'glue("scorecard", card.to_json())'
    assert run.results["score"] == 0.5
    assert run.results["scorecard"]["counts"]["proven"] == 2
    executed = nbformat.read(str(tmp_path / "out" / NOTEBOOK_05.name), as_version=4)
    images = [o for c in executed.cells for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the score by layer and status, and the trend
    assert NOTEBOOK_05.read_bytes() == before  # the committed notebook is untouched


def test_a_kernel_that_dies_before_it_answers_is_a_dead_kernel(
        tmp_path: Path, dna_cmd: list[str]) -> None:
    """jupyter_client tells this death with a RuntimeError, not nbclient's
    DeadKernelError (as when a kernel killed in a cell is restarted and dies again)."""
    import os
    import sys

    spec = tmp_path / "jupyter" / "kernels" / "dies-at-start"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", "import sys; sys.exit(3)", "{connection_file}"],
        "display_name": "dies at start", "language": "python"}), encoding="utf-8")
    _notebook(tmp_path / "nb.ipynb", "x = 1", "y = x + 1")
    done = subprocess.run(
        [*dna_cmd, "-C", str(tmp_path), "notebooks", "run", "nb.ipynb", "--kernel",
         "dies-at-start", "--cell-timeout", "20", "--out", "out", "--json", "runs.json"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "JUPYTER_PATH": str(tmp_path / "jupyter")})
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("FAILED  nb.ipynb: "), done.stdout
    assert "the kernel died: Kernel died before replying to kernel_info" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
