"""The examples in the mining modules' docstrings run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["dna_kit.document", "dna_kit.evaluate", "dna_kit.ingest", "dna_kit.ingest._read",
           "dna_kit.ingest.markdown", "dna_kit.extract", "dna_kit.extract.candidate",
           "dna_kit.extract.lexicon", "dna_kit.extract.offline", "dna_kit.extract.params",
           "dna_kit.extract.rules", "dna_kit.extract.save", "dna_kit.extract.segment"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
