"""Fixtures of the regen tests. ``fixtures/`` holds a project's files, not tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from dna_kit.project import Project
from tests.regen.shipping import build_shipping_project

collect_ignore = ["fixtures"]


@pytest.fixture
def shipping(tmp_path: Path) -> Project:
    """A fresh copy of the fixture project, findings written."""
    return build_shipping_project(tmp_path / "shipping")
