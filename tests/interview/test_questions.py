"""The interview question bank: the methods it cites, its shape, and bad banks."""

from __future__ import annotations

from pathlib import Path

import pytest

from dna_kit import _resources
from dna_kit.errors import SourceError
from dna_kit.interview import load_question_bank

# The decision-point probes of the Critical Decision Method's third sweep, as the issue
# lists them, and the knowledge-audit probes of ACTA.
CDM_DEEPENING = {"cdm-cues", "cdm-knowledge", "cdm-analogues", "cdm-goals", "cdm-options",
                 "cdm-basis", "cdm-mental-simulation", "cdm-experience", "cdm-aiding",
                 "cdm-time-pressure", "cdm-situation-assessment", "cdm-errors",
                 "cdm-novice"}
ACTA_AUDIT = {"acta-past-future", "acta-big-picture", "acta-noticing", "acta-job-smarts",
              "acta-improvising", "acta-self-monitoring", "acta-anomalies", "acta-equipment"}


def test_bank_cites_both_methods() -> None:
    bank = load_question_bank()
    assert "Klein" in bank.methods["cdm"]["citation"]
    assert "1989" in bank.methods["cdm"]["citation"]
    assert "Militello" in bank.methods["acta"]["citation"]
    assert "1998" in bank.methods["acta"]["citation"]


def test_cdm_runs_four_sweeps_in_order() -> None:
    bank = load_question_bank()
    cdm = bank.select(["cdm"])
    phases = [q.phase for q in cdm]
    assert phases == sorted(phases)  # sweeps 1..4 in file order
    assert {"cdm-1", "cdm-2", "cdm-3", "cdm-4"} == set(phases)
    assert {q.id for q in cdm if q.phase == "cdm-3"} == CDM_DEEPENING
    assert cdm[0].id == "cdm-incident"


def test_acta_starts_with_a_task_diagram_then_audits() -> None:
    bank = load_question_bank()
    acta = bank.select(["acta"])
    assert acta[0].id == "acta-task-diagram"
    assert "three and six" in acta[0].text
    audit = [q for q in acta if q.phase == "acta-2"]
    assert {q.id for q in audit} == ACTA_AUDIT
    for question in audit:  # each probe asks for an example, the cues, why it is hard
        joined = " ".join(question.follow_ups).lower()
        assert "example" in joined and "cues" in joined and "someone new" in joined


ANCHORS = ("{incident}", "that point", "that decision point", "that moment", "that call",
           "you just marked", "those signals", "that choice")


def test_every_question_is_anchored_and_complete() -> None:
    bank = load_question_bank()
    for question in bank.questions:
        assert question.elicits, question.id
        assert question.phase in bank.phases, question.id
        # Unanchored questions draw policy, not practice: every one after the first names
        # the incident or points back at the decision point being deepened.
        if question.id != "cdm-incident":
            anchored = any(a in question.text for a in ANCHORS)
            assert anchored, question.id
    assert {"number", "always_never"} <= set(bank.probes)
    assert "{value}" in bank.probes["number"].text
    assert "{phrase}" in bank.probes["always_never"].text


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_HEAD = "methods:\n  cdm: {name: CDM, citation: x}\nquestions:\n"


def test_bad_method_names_file_line_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_HEAD + "  - id: q-one\n    method: cdm\n    phase: p\n"
                  "    question: fine\n  - id: q-two\n    method: xyz\n    phase: p\n"
                  "    question: hm\n")
    with pytest.raises(SourceError) as info:
        load_question_bank(path)
    assert info.value.line == 8
    assert info.value.field == "questions[1].method"
    assert "method='xyz'" in str(info.value) and str(path) in str(info.value)


def test_duplicate_ids_and_missing_questions_are_refused(tmp_path: Path) -> None:
    item = "  - id: q-one\n    method: cdm\n    phase: p\n    question: fine\n"
    with pytest.raises(SourceError, match="duplicate id='q-one'"):
        load_question_bank(_write(tmp_path, GOOD_HEAD + item + item))
    with pytest.raises(SourceError, match="question=None is required"):
        load_question_bank(_write(tmp_path, GOOD_HEAD + "  - id: q-one\n    method: cdm\n"
                                  "    phase: p\n"))
    with pytest.raises(SourceError, match="not valid YAML") as info:
        load_question_bank(_write(tmp_path, GOOD_HEAD + "  - id: [\n"))
    assert info.value.line is not None


def test_templates_found_in_an_installed_layout(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # After a wheel install the package holds _templates/ and there is no checkout around.
    package = tmp_path / "site-packages" / "dna_kit"
    (package / "_templates" / "interview").mkdir(parents=True)
    src = Path(_resources.__file__).resolve().parent.parent / "templates"
    (package / "_templates" / "interview" / "questions.yaml").write_bytes(
        (src / "interview" / "questions.yaml").read_bytes())
    monkeypatch.setattr(_resources, "_PACKAGE", package)
    assert _resources.templates_dir() == package / "_templates"
    assert _resources.repo_root() is None
    assert load_question_bank().questions
    (package / "_templates" / "interview" / "questions.yaml").unlink()
    (package / "_templates" / "interview").rmdir()
    (package / "_templates").rmdir()
    with pytest.raises(Exception, match="templates are missing"):
        _resources.templates_dir()


@pytest.mark.slow
def test_the_wheel_ships_the_question_bank(tmp_path: Path) -> None:
    import subprocess
    import sys
    import zipfile

    repo = Path(_resources.__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path),
                    str(repo)], check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("dna_kit-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        data = zf.read("dna_kit/_templates/interview/questions.yaml")
    copy = tmp_path / "questions.yaml"
    copy.write_bytes(data)
    assert load_question_bank(copy).questions == load_question_bank().questions
