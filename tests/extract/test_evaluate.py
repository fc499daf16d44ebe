"""The matching rule of `dna eval-extract`, on cases worked out by hand, and the
leave-one-write-up-out run at a chosen threshold."""

from __future__ import annotations

from pathlib import Path

from dna_kit.document import Document
from dna_kit.extract import Candidate, CandidateSource
from dna_kit.extract.evaluate import (
    EvalReport,
    FileScore,
    GoldItem,
    evaluate_extraction,
    match_candidates,
    value_key,
)

TAIL = ("Nobody was paged, and the dashboards stayed green the whole time, because the alert "
        "thresholds had been raised the week before for a migration that was later cancelled "
        "without anyone lowering them again.")
TEXT = ("Retries are capped at 5 s. The pool holds 20 connections,\nand the queue holds "
        "500 jobs. " + TAIL + "\n")


def _c(quote: str) -> Candidate:
    return Candidate(quote, "t", quote, "how", "threshold", CandidateSource("x.md", 1, 1))


def test_whitespace_is_collapsed_before_comparing() -> None:
    gold = [GoldItem("The pool holds 20 connections, and the queue holds 500 jobs.", "how",
                     "capacity")]
    cand = [_c("The pool holds 20 connections,\nand the queue holds 500 jobs.")]
    assert match_candidates(TEXT, cand, gold) == [(0, 0)]


def test_a_candidate_must_cover_half_the_gold_and_be_a_quarter_gold() -> None:
    gold = [GoldItem("The pool holds 20 connections, and the queue holds 500 jobs.", "how",
                     "capacity")]
    assert match_candidates(TEXT, [_c("the queue holds 500 jobs.")], gold) == []  # too little
    whole = _c("Retries are capped at 5 s. The pool holds 20 connections,\nand the queue "
               "holds 500 jobs. " + TAIL)
    assert match_candidates(TEXT, [whole], gold) == []  # gold is under a quarter of it
    sentence = _c("Retries are capped at 5 s. The pool holds 20 connections,\nand the queue "
                  "holds 500 jobs.")
    assert match_candidates(TEXT, [sentence], gold) == [(0, 0)]  # holds it, 70% gold
    assert match_candidates(TEXT, [_c("The pool holds 20 connections,\nand the queue")],
                            gold) == [(0, 0)]


def test_matching_is_one_to_one_best_overlap_first() -> None:
    gold = [GoldItem("Retries are capped at 5 s.", "how", "retry_policy")]
    cands = [_c("Retries are capped at 5 s. The pool"), _c("Retries are capped at 5 s.")]
    assert match_candidates(TEXT, cands, gold) == [(1, 0)]


def test_report_arithmetic() -> None:
    report = EvalReport([
        FileScore("a", candidates=4, gold=3, matched=2, layer_agree=1, kind_agree=0,
                  gold_by_layer={"how": 2, "why": 1}, matched_by_layer={"how": 2}),
        FileScore("b", candidates=1, gold=1, matched=1, layer_agree=1, kind_agree=1,
                  gold_by_layer={"why": 1}, matched_by_layer={"why": 1}),
    ])
    assert (report.precision, report.recall) == (3 / 5, 3 / 4)
    assert abs(report.f1 - 2 * 0.6 * 0.75 / 1.35) < 1e-12
    assert report.layer_accuracy == 2 / 3
    assert report.recall_by_layer() == {"what": 0.0, "how": 1.0, "why": 0.5}


def test_cross_validation_at_a_given_threshold(two_source_gold: tuple[Path, Path]) -> None:
    """The threshold a leave-one-out run uses is the one given: nothing passes an
    unreachable one, more passes a lower one, and the defaults are never touched."""
    from dataclasses import replace

    from dna_kit.extract.fit import cross_validate_extraction
    from dna_kit.extract.scorer import DEFAULT

    gold, corpus = two_source_gold
    before = replace(DEFAULT)
    default = cross_validate_extraction(gold, corpus).to_json()
    nothing = cross_validate_extraction(gold, corpus, threshold=1e9).to_json()
    everything = cross_validate_extraction(gold, corpus, threshold=-1e9).to_json()
    assert nothing["candidates"] == 0 and nothing["recall"] == 0.0
    assert everything["candidates"] > default["candidates"]
    assert everything["recall"] >= default["recall"]
    assert everything["recall"] == 1.0  # both annotated sentences are proposed
    assert before == DEFAULT


def test_parameter_values_compare_by_meaning() -> None:
    assert value_key("1s") == value_key("1000 ms") == ("duration", 1.0)
    assert value_key("~85%") == value_key("85 percent")
    assert value_key("2KB compressed") == value_key("2000B")
    assert value_key("quarterly") is None and value_key("1.270.0") is None


def test_parameter_value_recall_and_precision(tmp_path: Path) -> None:
    """Worked out by hand: two matched items name three values with units (one a word
    only, left out); the candidates give four values, two of them annotated."""
    import yaml

    (tmp_path / "pm.md").write_text(
        "The connect timeout was cut from 1 s to 300 ms.\n\n"
        "Backups run quarterly and keep 30 days.\n", encoding="utf-8")
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "pm.yaml").write_text(yaml.safe_dump({"postmortem": "pm.md", "items": [
        {"quote": "The connect timeout was cut from 1 s to 300 ms.", "layer": "how",
         "kind": "timeout", "params": {"before": "1s", "after": "300ms"}},
        {"quote": "Backups run quarterly and keep 30 days.", "layer": "how",
         "kind": "invariant", "params": {"every": "quarterly", "keep": "30d"}},
    ]}), encoding="utf-8")
    given = [{"timeout": "0.3s", "timeout_before": "1000ms"}, {"keep": "31d", "count": "4"}]

    def extractor(document: Document) -> list[Candidate]:
        lines = [line for line in document.text.split("\n") if line]
        return [Candidate(line, "t", line, "how", "threshold",
                          CandidateSource("pm.md", 1, 1), params=params)
                for line, params in zip(lines, given, strict=True)]

    values = evaluate_extraction(gold, tmp_path, extractor=extractor).to_json()["param_values"]
    assert values == {"gold": 3, "found": 2, "given": 4, "right": 2,
                      "recall": round(2 / 3, 4), "precision": 0.5}
