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
