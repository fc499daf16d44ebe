"""Fixtures for the mining tests: the sources in ``data/``, written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def data() -> Path:
    """The folder of hand-written sources (a postmortem, notes, a chat export, logs)."""
    return DATA
