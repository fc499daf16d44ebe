"""Each notebook's source is a jupytext percent-format ``notebooks/NN_name.py`` (read by ruff
and mypy); the committed ``NN_name.ipynb`` is built from it with ``make notebooks``. These
tests fail when the two drift apart, when a committed notebook carries outputs or execution
counts, and when a notebook does not take ``project_dir`` in exactly one ``parameters`` cell.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jupytext
import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
NAMES = ["01_start_here", "02_postmortem_session", "03_engineer_interview", "04_codify",
         "05_regeneration_test", "06_workshop"]


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


def drift(source: Path, notebook: Path) -> list[str]:
    """How ``notebook`` (.ipynb) differs from ``source`` (percent .py): cell by cell, in
    type, source and tags. Empty when they agree."""
    want = _cells(jupytext.read(source, fmt="py:percent"))
    have = _cells(nbformat.read(notebook, as_version=4))
    found = [f"cell {i} {field}: {w!r} in {source.name}, {h!r} in {notebook.name}"
             for i, (a, b) in enumerate(zip(want, have, strict=False))
             for field, w, h in zip(("type", "source", "tags"), a, b, strict=True) if w != h]
    if len(want) != len(have):
        found.append(f"{len(want)} cells in {source.name}, {len(have)} in {notebook.name}")
    return found


def unclean(notebook: Path) -> list[str]:
    """The code cells of a committed notebook that carry outputs or an execution count."""
    nb = nbformat.read(notebook, as_version=4)
    return [f"cell {i}: outputs or execution count" for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count"))]


def parameter_problems(notebook: Path) -> list[str]:
    """Unless there is exactly one cell tagged ``parameters`` and it assigns ``project_dir``
    (and not the retired ``dna_dir``), what is wrong."""
    nb = nbformat.read(notebook, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    if len(tagged) != 1:
        return [f"{len(tagged)} cells tagged parameters, want 1"]
    names = {t.id for node in ast.parse(tagged[0].source).body
             for t in (node.targets if isinstance(node, ast.Assign) else
                       [node.target] if isinstance(node, ast.AnnAssign) else [])
             if isinstance(t, ast.Name)}
    problems = [] if "project_dir" in names else ["the parameters cell sets no project_dir"]
    if "dna_dir" in names:
        problems.append("the parameters cell still sets dna_dir (use project_dir)")
    return problems


def test_every_notebook_has_a_percent_source() -> None:
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == NAMES
    assert sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.py")) == NAMES
    assert not (NOTEBOOKS / "_build.py").exists(), "notebooks are built from their .py"


@pytest.mark.parametrize("name", NAMES)
def test_ipynb_matches_its_source(name: str) -> None:
    assert drift(NOTEBOOKS / f"{name}.py", NOTEBOOKS / f"{name}.ipynb") == [], \
        "run `make notebooks`"


@pytest.mark.parametrize("name", NAMES)
def test_committed_ipynb_is_clean(name: str) -> None:
    assert unclean(NOTEBOOKS / f"{name}.ipynb") == []


@pytest.mark.parametrize("name", NAMES)
def test_one_parameters_cell_that_takes_project_dir(name: str) -> None:
    assert parameter_problems(NOTEBOOKS / f"{name}.ipynb") == []


def test_committed_ipynb_is_byte_for_byte_what_make_notebooks_writes() -> None:
    # Stable ids and metadata too: rebuilding an unchanged source changes nothing in git.
    result = subprocess.run([sys.executable, str(NOTEBOOKS / "_to_ipynb.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# The checks above can fail: each one against a deliberately damaged copy of notebook 04
# (cell 2 is its parameters cell, cell 3 code, cell 4 markdown).

@pytest.fixture
def copy(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copy(NOTEBOOKS / "04_codify.py", tmp_path)
    shutil.copy(NOTEBOOKS / "04_codify.ipynb", tmp_path)
    return tmp_path / "04_codify.py", tmp_path / "04_codify.ipynb"


def _edit(path: Path, change: Callable[[nbformat.NotebookNode], None]) -> None:
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)


def _edit_code(nb: nbformat.NotebookNode) -> None:
    nb.cells[3].source += "\nprint('edited in Jupyter, not in the .py')"


def _drop_tag(nb: nbformat.NotebookNode) -> None:
    nb.cells[2].metadata.pop("tags")


def _second_tag(nb: nbformat.NotebookNode) -> None:
    nb.cells[3].metadata["tags"] = ["parameters"]


def _to_code(nb: nbformat.NotebookNode) -> None:
    nb.cells[4] = nbformat.v4.new_code_cell(nb.cells[4].source)


def _extra_cell(nb: nbformat.NotebookNode) -> None:
    nb.cells.append(nbformat.v4.new_code_cell("1 + 1"))


def _run_a_cell(nb: nbformat.NotebookNode) -> None:
    nb.cells[3].execution_count = 3
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", text="hello\n")]


def _rename_parameter(nb: nbformat.NotebookNode) -> None:
    nb.cells[2].source = nb.cells[2].source.replace("project_dir =", "dna_dir =")


@pytest.mark.parametrize(("change", "expected"), [
    (_edit_code, "cell 3 source:"), (_drop_tag, "cell 2 tags:"), (_second_tag, "cell 3 tags:"),
    (_to_code, "cell 4 type:"), (_extra_cell, "9 cells in 04_codify.py, 10 in")])
def test_drift_is_caught(copy: tuple[Path, Path],
                         change: Callable[[nbformat.NotebookNode], None], expected: str) -> None:
    source, notebook = copy
    assert drift(source, notebook) == []
    _edit(notebook, change)
    found = drift(source, notebook)
    assert any(line.startswith(expected) for line in found), found


def test_a_source_edited_but_not_rebuilt_is_caught(copy: tuple[Path, Path]) -> None:
    source, notebook = copy
    text = source.read_text(encoding="utf-8")
    assert 'record_format = "madr"' in text
    source.write_text(text.replace('record_format = "madr"', 'record_format = "nygard"'),
                      encoding="utf-8")
    assert [line[:15] for line in drift(source, notebook)] == ["cell 2 source: "]


def test_outputs_and_execution_counts_are_caught(copy: tuple[Path, Path]) -> None:
    _, notebook = copy
    assert unclean(notebook) == []
    _edit(notebook, _run_a_cell)
    assert unclean(notebook) == ["cell 3: outputs or execution count"]


@pytest.mark.parametrize(("change", "expected"), [
    (_rename_parameter, ["the parameters cell sets no project_dir",
                         "the parameters cell still sets dna_dir (use project_dir)"]),
    (_second_tag, ["2 cells tagged parameters, want 1"]),
    (_drop_tag, ["0 cells tagged parameters, want 1"])])
def test_a_missing_or_wrong_parameters_cell_is_caught(
        copy: tuple[Path, Path], change: Callable[[nbformat.NotebookNode], None],
        expected: list[str]) -> None:
    _, notebook = copy
    assert parameter_problems(notebook) == []
    _edit(notebook, change)
    assert parameter_problems(notebook) == expected
