"""Fixtures of the regen tests. ``fixtures/`` holds a project's files, not tests; the
``shipping`` project fixture is in tests/conftest.py (the CLI tests use it too)."""

from __future__ import annotations

collect_ignore = ["fixtures"]
