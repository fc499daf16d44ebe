"""The quality goals on the annotated half of the public postmortem corpus.

The goals (issue 6): F1 >= 0.55, recall >= 0.70, layer accuracy >= 0.75, measured by
`dna eval-extract --gold ../shared/corpus/gold-dev --corpus ../shared/corpus`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dna_kit.evaluate import evaluate_extraction

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def report(corpus: Path):  # type: ignore[no-untyped-def]
    return evaluate_extraction(corpus / "gold-dev", corpus)


def test_recall_goal(report) -> None:  # type: ignore[no-untyped-def]
    assert report.recall >= 0.70, report.to_text()


def test_layer_accuracy_goal(report) -> None:  # type: ignore[no-untyped-def]
    assert report.layer_accuracy >= 0.75, report.to_text()


def test_f1_goal(report) -> None:  # type: ignore[no-untyped-def]
    assert report.f1 >= 0.55, report.to_text()


def test_every_candidate_quote_is_verbatim(corpus: Path) -> None:
    from dna_kit.extract import extract_findings
    from dna_kit.ingest import ingest

    for path in sorted((corpus / "postmortems").glob("*.md")):
        [doc] = ingest(path)
        for c in extract_findings(doc):
            assert c.quote in doc.text
            lines = doc.text.split("\n")
            assert c.quote.split("\n")[0] in lines[c.source.line_start - 1]
