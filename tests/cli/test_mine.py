"""`dna ingest`, `dna extract`, `dna eval-extract` as a user runs them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from dna_kit.cli import main
from dna_kit.ledger import load_ledger


def test_ingest_reports_each_file_and_fails_when_one_does(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "broken.csv").write_text("who,what\nana,paged\n", encoding="utf-8")
    code = main(["ingest", str(data / "retry-storm.md"), str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 1
    assert (f"{data / 'retry-storm.md'}: markdown, 1 document(s), 7 section(s), 5 event(s)"
            in out)
    assert f"{tmp_path / 'broken.csv'}: FAILED (csv)" in out
    assert f"dna ingest: {tmp_path / 'broken.csv'}:1: time: no time column" in err
    assert "(name it with --time-field)" in err
    assert out.strip().endswith("1 of 2 file(s) read, 1 failed")
    assert list(tmp_path.iterdir()) == [tmp_path / "broken.csv"]  # nothing copied


def test_ingest_json_lines(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", "--json", str(data / "events.jsonl")]) == 0
    [line] = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert (record["reader"], record["events"], record["ok"]) == ("jsonl", 3, True)
    assert len(record["warnings"]) == 1


def test_ingest_names_the_front_matter_it_set_aside(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "pm.md"
    path.write_text("---\ntitle: Retry storm\ndate: 2026-03-14\n---\n\n## Summary\n\n"
                    "Retries must be capped at 3.\n", encoding="utf-8")
    assert main(["ingest", str(path)]) == 0
    assert (f"{path}: markdown, 1 document(s), 1 section(s), 0 event(s), front matter "
            "(title, date)") in capsys.readouterr().out
    assert main(["ingest", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["metadata"] == ["title", "date"]


def test_extract_json_prints_exactly_a_list_of_candidates(
        data: Path, tmp_path: Path, dna_cmd: list[str]) -> None:
    (tmp_path / "empty.md").write_bytes(b"")
    run = subprocess.run([*dna_cmd, "extract", "--json", "--workers", "2",
                          str(data / "retry-storm.md"), str(tmp_path / "empty.md")],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1  # one file failed, the other was still processed
    candidates = json.loads(run.stdout)  # stdout is nothing but the JSON list
    assert isinstance(candidates, list) and len(candidates) >= 5
    for c in candidates:
        assert set(c) >= {"quote", "layer", "kind", "params", "confidence", "source"}
        assert set(c["source"]) == {"path", "line_start", "line_end"}
        assert c["layer"] in ("what", "how", "why")
    assert "empty file" in run.stderr


def test_extract_json_with_no_candidates_is_an_empty_list(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.md").write_text("Hello there.\n", encoding="utf-8")
    assert main(["extract", "--json", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_extract_save_is_idempotent(data: Path, project, capsys) -> None:  # type: ignore[no-untyped-def]
    source = project.root / "incidents" / "retry-storm.md"
    source.parent.mkdir()
    source.write_text((data / "retry-storm.md").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["-C", str(project.root), "extract", "--save", "incidents"]) == 0
    first = capsys.readouterr().out
    ledger = load_ledger(project)
    assert len(ledger) >= 5 and f"saved {len(ledger)} to the ledger, 0 already there" in first
    finding = ledger.findings[0]
    assert finding.status == "candidate"
    assert finding.provenance[0].source == "incidents/retry-storm.md"
    assert finding.provenance[0].quote in source.read_text(encoding="utf-8")
    assert main(["-C", str(project.root), "extract", "--save", "incidents"]) == 0
    second = capsys.readouterr().out
    assert f"saved 0 to the ledger, {len(ledger)} already there" in second
    assert len(load_ledger(project)) == len(ledger)


def test_extract_save_needs_a_project(data: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(tmp_path), "extract", "--save", str(data / "notes.txt")]) == 1
    assert "run `dna init` first" in capsys.readouterr().err


def test_extract_llm_without_a_model_says_how_to_configure_one(
        data: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("DNA_LLM_MODEL", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    code = main(["-C", str(tmp_path), "extract", "--llm", str(data / "notes.txt")])
    assert code == 1
    err = capsys.readouterr().err
    assert "DNA_LLM_MODEL" in err or "model client is not available" in err


def test_eval_extract_on_hand_made_gold(data: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "postmortems").mkdir(parents=True)
    (corpus / "postmortems" / "pm.md").write_text(
        (data / "retry-storm.md").read_text(encoding="utf-8"), encoding="utf-8")
    gold = corpus / "gold"
    gold.mkdir()
    (gold / "pm.yaml").write_text(yaml.safe_dump({"postmortem": "postmortems/pm.md", "items": [
        {"quote": "Carrier API retries must be capped at 5 s, with at\n   most 4 attempts "
                  "per label.", "layer": "how", "kind": "retry_policy"},
        {"quote": "Backups never lose data written before the cutover.", "layer": "what",
         "kind": "invariant"},
    ]}), encoding="utf-8")
    assert main(["eval-extract", "--gold", str(gold), "--corpus", str(corpus), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["gold"] == 2 and report["matched"] == 1
    assert report["recall"] == 0.5 and report["layer_accuracy"] == 1.0
    assert report["precision"] == round(1 / report["candidates"], 4)


def test_eval_extract_names_a_bad_gold_file(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.yaml").write_text("items: []\n", encoding="utf-8")
    assert main(["eval-extract", "--gold", str(tmp_path), "--corpus", str(tmp_path)]) == 1
    assert f"{tmp_path / 'x.yaml'}: postmortem: gold file needs" in capsys.readouterr().err


def test_help_ends_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("ingest", "extract", "eval-extract"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "Example:\n  dna " + command in capsys.readouterr().out


def test_extract_redacts_secrets_in_output_and_ledger(project, capsys) -> None:  # type: ignore[no-untyped-def]
    source = project.root / "pm.md"
    source.write_text("## Action items\n\n- Retries must be capped at 5 s; ask "
                      "ana.costa@example.com before raising the cap above 10 s.\n",
                      encoding="utf-8")
    assert main(["-C", str(project.root), "extract", "--json", "pm.md"]) == 0
    out = capsys.readouterr().out
    [candidate] = json.loads(out)
    assert "ana.costa@example.com" not in out and "[REDACTED:" in candidate["quote"]
    assert main(["-C", str(project.root), "extract", "--save", "pm.md"]) == 0
    assert main(["-C", str(project.root), "extract", "--save", "pm.md"]) == 0  # no twin
    [finding] = load_ledger(project).findings
    assert "ana.costa@example.com" not in finding.provenance[0].quote  # type: ignore[operator]
    stored = "".join(p.read_text(encoding="utf-8")
                     for p in project.findings_dir.glob("F-*.md"))
    assert "ana.costa@example.com" not in stored


def test_eval_extract_cv_refits_per_source_and_leaves_the_defaults(
        two_source_gold: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from dataclasses import replace

    from dna_kit.extract.scorer import DEFAULT

    gold, corpus = two_source_gold
    before = replace(DEFAULT)  # a copy, compared field by field
    assert main(["eval-extract", "--cv", "--json", "--gold", str(gold),
                 "--corpus", str(corpus)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == 2 and report["gold"] == 2
    assert 0.0 <= report["f1"] <= 1.0
    assert before == DEFAULT
    (gold / "b.yaml").unlink()
    assert main(["eval-extract", "--cv", "--gold", str(gold), "--corpus", str(corpus)]) == 1
    assert "at least two annotated sources" in capsys.readouterr().err
