"""The extractor's quality on the annotated write-ups of the public postmortem corpus.

Measured leaving one write-up out (``dna eval-extract --gold ../shared/corpus/gold-dev
--corpus ../shared/corpus --cv``): the weights are refitted without the write-up being
scored, so the figures estimate how the extractor does on write-ups it has never seen.
On the 30 annotated write-ups they were F1 0.486, recall 0.673, layer accuracy 0.603 at
first; then F1 0.495, recall 0.671, layer accuracy 0.596 with mining v2's units and value
rules. A sentence's score then lost its section, the features that earned nothing, and most
of its document-size term (a long write-up is no longer written off: recall on the
write-ups over 10 KB went from 0.40 to 0.62), and the threshold keeps recall at 0.70 or more:
F1 0.482, recall 0.726, layer accuracy 0.599. The floors below are those figures, so a
change that makes extraction worse fails here; the other goals of the mining v2 issue (F1
0.60, layer accuracy 0.75) are above them and are reported in BENCHMARKS.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dna_kit.extract.fit import cross_validate_extraction

pytestmark = pytest.mark.corpus

FLOOR = {"f1": 0.482, "recall": 0.726, "layer_accuracy": 0.599}


@pytest.fixture(scope="module")
def held_out(corpus: Path):  # type: ignore[no-untyped-def]
    return cross_validate_extraction(corpus / "gold-dev", corpus)


@pytest.mark.parametrize("figure", sorted(FLOOR))
def test_leave_one_out_figure_holds_its_floor(held_out, figure: str) -> None:  # type: ignore[no-untyped-def]
    assert len(held_out.files) >= 30, "the annotated corpus has 30 write-ups"
    assert round(getattr(held_out, figure), 3) >= FLOOR[figure], held_out.to_text()


def test_every_candidate_quote_is_verbatim(corpus: Path) -> None:
    from dna_kit.extract import extract_findings
    from dna_kit.ingest import ingest

    for path in sorted((corpus / "postmortems").glob("*.md")):
        [doc] = ingest(path)
        for c in extract_findings(doc):
            assert c.quote in doc.text
            lines = doc.text.split("\n")
            assert c.quote.split("\n")[0] in lines[c.source.line_start - 1]
