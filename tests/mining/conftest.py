"""Fixtures for the mining tests: the sources in ``data/``, written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def data() -> Path:
    """The folder of hand-written sources (a postmortem, notes, a chat export, logs)."""
    return DATA


@pytest.fixture
def two_source_gold(data: Path, tmp_path: Path) -> tuple[Path, Path]:
    """``(gold, corpus)``: two of the sources, each with one annotated item, laid out the
    way ``../shared/corpus`` is (the fewest a leave-one-source-out run accepts)."""
    import yaml

    corpus = tmp_path / "corpus"
    gold = corpus / "gold"
    gold.mkdir(parents=True)
    for name in ("retry-storm.md", "notes.txt"):
        (corpus / name).write_text((data / name).read_text(encoding="utf-8"),
                                   encoding="utf-8")
    (gold / "a.yaml").write_text(yaml.safe_dump({"postmortem": "retry-storm.md", "items": [
        {"quote": "After the incident we agreed with the carrier team that bulk label runs "
                  "happen\nonly between 01:00 and 05:00 UTC.", "layer": "why",
         "kind": "agreement"}]}), encoding="utf-8")
    (gold / "b.yaml").write_text(yaml.safe_dump({"postmortem": "notes.txt", "items": [
        {"quote": "Stream rows in batches of 500 so memory stays under 512 MiB.",
         "layer": "how", "kind": "capacity"}]}), encoding="utf-8")
    return gold, corpus
