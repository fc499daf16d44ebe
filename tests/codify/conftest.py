"""Shared by the codify tests: the golden-file update switch and a project with findings.

Refresh every golden file after a deliberate change to a template or record format with
``DNA_UPDATE_GOLDEN=1 pytest tests/codify`` (or ``pytest tests/codify --update-golden``),
then read the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"

# Golden files and example implementations are data, run in subprocesses; never collect them.
collect_ignore = ["golden", "impls"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/codify/golden/ from the current templates")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    option = request.config.getoption("--update-golden", default=False)
    return bool(option) or os.environ.get("DNA_UPDATE_GOLDEN") == "1"


def check_golden(path: Path, text: str, update: bool) -> None:
    """Compare ``text`` with the golden file at ``path``, or rewrite it when updating."""
    if update or not path.exists():
        if not update:
            pytest.fail(f"{path} is missing; run with DNA_UPDATE_GOLDEN=1 to create it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (f"{path.name} differs from what the template renders now; if "
                              "the change is intended, rerun with DNA_UPDATE_GOLDEN=1")
