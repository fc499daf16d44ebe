"""The committed JSON Schema of a finding matches the code."""

from __future__ import annotations

import dataclasses
import json

import jsonschema
import pytest

from dna_kit.finding import Finding
from dna_kit.ledger import render_finding_file
from dna_kit.schema import finding_schema
from tests.conftest import REPO

COMMITTED = REPO / "schema" / "finding.schema.json"


def test_committed_schema_is_what_the_code_generates():
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == finding_schema(), (
        "schema/finding.schema.json is stale: python -m dna_kit.schema > "
        "schema/finding.schema.json")


def test_schema_covers_exactly_the_model_fields():
    fields = {f.name for f in dataclasses.fields(Finding)}
    assert set(finding_schema()["properties"]) == fields


def test_a_full_finding_validates_and_invalid_ones_do_not():
    data = Finding.from_dict({
        "id": "F-0007", "title": "t", "statement": "s", "layer": "how", "kind": "timeout",
        "status": "rejected", "rejected_reason": "r", "params": {"t": "3 s", "n": 4},
        "provenance": [{"source": "a.md", "line_start": 1, "line_end": 2, "quote": "q"}],
        "links": {"tests": ["dna/tests/test_f0007_t.py"], "supersedes": ["F-0001"]},
        "binding": {"template": "bounded", "target": "pkg.mod:fn", "params": {"max": "5 s"}},
        "created": "2026-01-01", "tags": ["x"], "confidence": 0.5,
    }).to_dict()
    jsonschema.validate(data, finding_schema())
    for bad in ({"layer": "hwo"}, {"status": "rejected", "rejected_reason": None},
                {"id": "F-1"}, {"colour": "red"}):
        broken = {k: v for k, v in {**data, **bad}.items() if v is not None}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, finding_schema())
    assert render_finding_file(Finding.from_dict(data))
