"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins: list[str] = ["tests.fakes.fixtures"]

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
#: Hand-written sources for the ingest and extract tests (a postmortem, notes, a chat export,
#: logs), written for these tests.
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A fresh repository with `dna init` done."""
    from dna_kit.project import init_project

    return init_project(tmp_path / "repo")


@pytest.fixture
def in_dir(tmp_path: Path) -> Iterator[Path]:
    """Run the test with the current directory set to a fresh folder."""
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


@pytest.fixture
def dna_cmd() -> list[str]:
    """The `dna` command of the environment running the tests."""
    return [sys.executable, "-m", "dna_kit"]


@pytest.fixture(scope="session")
def corpus() -> Path:
    """`../shared/corpus`, or a skip that says why."""
    if not (CORPUS / "postmortems").is_dir():
        pytest.skip(f"the public postmortem corpus is not at {CORPUS} (it is only beside "
                    "a development checkout)")
    return CORPUS


@pytest.fixture
def shipping(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A fresh copy of the regen fixture project (tests/regen/shipping.py), findings
    written."""
    from tests.regen.shipping import build_shipping_project

    return build_shipping_project(tmp_path / "shipping")


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
