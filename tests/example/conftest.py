"""Fixtures for the bundled example: every test works on a copy, never on the checkout."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLE = REPO / "examples" / "logistics"

#: The rules the rewrite in examples/logistics/regenerated/ lost, by the code they bind to.
#: examples/logistics/README.md says why each loss is plausible.
LOST_TARGETS = {
    "dispatch.carrier:backoff_delay",
    "dispatch.carrier:call_with_retries",
    "dispatch.priority:spike_order",
    "dispatch.partner:make_limiter",
}


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A fresh copy of examples/logistics, DNA included."""
    target = tmp_path / "logistics"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(
        "__pycache__", ".pytest_cache", ".hypothesis", "regen-history.jsonl"))
    return target
