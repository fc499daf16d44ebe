"""The examples in the codify modules' docstrings are true (the ones not marked SKIP)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["literals", "domains", "params", "templates", "render", "core", "adr"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    module = importlib.import_module(f"dna_kit.codify.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    if name in ("literals", "domains", "params", "templates", "render"):
        assert result.attempted > 0
