"""Every guided notebook runs headless under papermill on a copy of the bundled example;
the committed notebooks are clean (that they match their jupytext sources, the
``notebooks/NN_name.py`` files, is checked in test_notebook_sources.py)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
EXAMPLE = REPO / "examples" / "logistics"
OURS = ["01_start_here.ipynb", "02_postmortem_session.ipynb",
        "03_engineer_interview.ipynb", "04_codify.ipynb", "06_workshop.ipynb"]


def _present(name: str) -> bool:
    return (NOTEBOOKS / name).is_file()


def _tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and ".ruff_cache" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("name", [n for n in OURS if _present(n)])
def test_committed_clean_with_one_parameters_cell(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), name
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "interactive = True" in tagged[0].source
    first = "\n".join(x for x in code[0].source.splitlines() if not x.startswith("%"))
    assert first.lstrip().startswith(("from ", "import ")), "imports come first"
    # Thin: logic lives in the library, not in notebook-defined functions.
    assert not any("\ndef " in "\n" + c.source for c in code), name


def _run(name: str, tmp_path: Path, **parameters: object) -> nbformat.NotebookNode:
    import papermill

    project = tmp_path / "logistics"
    if not project.exists():
        shutil.copytree(EXAMPLE, project,
                        ignore=shutil.ignore_patterns("__pycache__", ".ruff_cache"))
    out = tmp_path / f"out-{name}"
    papermill.execute_notebook(
        str(NOTEBOOKS / name), str(out), kernel_name="python3", cwd=str(tmp_path),
        parameters={"project_dir": str(project), "interactive": False, **parameters},
        progress_bar=False, execution_timeout=300)
    return nbformat.read(out, as_version=4)


def _text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(str(output.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


@pytest.mark.slow
def test_start_here_runs_headless(tmp_path: Path) -> None:
    before = _tree_hash(EXAMPLE)
    nb = _run("01_start_here.ipynb", tmp_path)
    assert "dna/findings" in _text(nb)
    assert (tmp_path / "logistics" / "dna" / "findings").is_dir()
    assert _tree_hash(EXAMPLE) == before, "the committed example must not change"


@pytest.mark.slow
def test_postmortem_session_runs_headless_and_saves_candidates(tmp_path: Path) -> None:
    from dna_kit.ledger import load_ledger

    nb = _run("02_postmortem_session.ipynb", tmp_path)
    text = _text(nb)
    assert "2026-03-14-carrier-retry-storm.timeline.jsonl" in text
    assert any(o.get("data", {}).get("image/png") for c in nb.cells
               for o in c.get("outputs", [])), "the timeline plot is shown"
    ledger = load_ledger(tmp_path / "logistics")
    candidates = ledger.filter(status="candidate")
    assert candidates and f"saved {len(candidates)} new candidate(s)" in text
    sources = {p.source for f in candidates for p in f.provenance}
    assert any(s.startswith("incidents/") for s in sources)


@pytest.mark.slow
def test_interview_replays_a_transcript_headless(tmp_path: Path) -> None:
    from dna_kit.interview import replay_transcript
    from dna_kit.ledger import load_ledger

    nb = _run("03_engineer_interview.ipynb", tmp_path)
    transcript = tmp_path / "logistics" / "interviews" / "2026-09-17-ana-ruiz.md"
    expected = replay_transcript(transcript)
    assert expected, "the bundled transcript proposes candidates"
    assert f"{len(expected)} candidates from interviews/2026-09-17-ana-ruiz.md" in _text(nb)
    questions = {p.question for f in load_ledger(tmp_path / "logistics") for p in f.provenance}
    assert "cdm-decision-points" in questions or len(questions - {None}) > 0


@pytest.mark.slow
def test_interview_resumes_a_transcript(tmp_path: Path) -> None:
    from dna_kit.interview import InterviewSession

    _run("01_start_here.ipynb", tmp_path)  # makes the copy
    name = "interviews/2026-09-18-sam-okafor.md"
    before = (tmp_path / "logistics" / name).read_bytes()
    nb = _run("03_engineer_interview.ipynb", tmp_path, interactive=True, resume=name)
    assert f"transcript: {tmp_path / 'logistics' / name}" in _text(nb)
    assert (tmp_path / "logistics" / name).read_bytes() == before  # nothing lost or added
    session = InterviewSession.resume(tmp_path / "logistics" / name, llm=None)
    # An ACTA interview carries on with the first ACTA probe it has not asked yet.
    assert session.current is not None and session.current.id == "acta-past-future"
    assert len(session.entries) == 5


@pytest.mark.slow
def test_codify_runs_headless_tests_live_and_writes_a_record(tmp_path: Path) -> None:
    from dna_kit.ledger import load_ledger

    nb = _run("04_codify.ipynb", tmp_path)
    text = _text(nb)
    assert "F-0001 with backoff_schedule on dispatch.carrier:backoff_delay: passed" in text
    assert "unchanged" in text  # the example's test is exactly what codify writes
    ledger = load_ledger(tmp_path / "logistics")
    (record,) = ledger["F-0011"].links.decisions
    assert record in text and (tmp_path / "logistics" / record).is_file()


@pytest.mark.slow
def test_workshop_runs_headless_with_before_and_after(tmp_path: Path) -> None:
    nb = _run("06_workshop.ipynb", tmp_path)
    text = _text(nb)
    assert "accepted findings: 9; verified" in text
    assert "rule(s) a rewrite would lose today" in text
    images = [o for c in nb.cells for o in c.get("outputs", [])
              if o.get("data", {}).get("image/png")]
    assert len(images) >= 4  # score, map, change, trend
    history = (tmp_path / "logistics" / "dna" / "regen-history.jsonl").read_text()
    assert len(history.splitlines()) >= 2  # before and after were both recorded
