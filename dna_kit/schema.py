"""The JSON Schema of a finding's front matter, built from the model's own constants.

The committed copy (``schema/finding.schema.json``) is checked against this function by the
test suite, so the schema cannot drift from the code. Regenerate it with
``python -m dna_kit.schema > schema/finding.schema.json``.
"""

from __future__ import annotations

import json
from typing import Any

from dna_kit.finding import KINDS, LAYERS, STATUSES

__all__ = ["finding_schema"]

_TEXT = {"type": "string", "minLength": 1}
_WORDS = {"type": "array", "items": {"type": "string"}}
_PARAM = {
    "description": "A quantity as written (\"5 s\", \"80%\", \"20+ tx/s\"), a plain word, "
                   "a yes/no, or a list of words.",
    "anyOf": [
        {"type": "string", "minLength": 1},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "array", "items": {"type": "string"}},
    ],
}
_TARGET = {"type": "string", "pattern": r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$"}


def finding_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a finding file's front matter."""
    provenance = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "source": {**_TEXT, "description": "source file the quote comes from"},
            "line_start": {"type": "integer", "minimum": 1},
            "line_end": {"type": "integer", "minimum": 1},
            "quote": {"type": "string", "description": "verbatim text from the source"},
            "interview": {**_TEXT, "description": "interview transcript path"},
            "question": {"type": "string", "description": "the question that drew it out"},
        },
        "anyOf": [{"required": ["source"]}, {"required": ["interview"]}],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://dna-kit.invalid/schema/finding.schema.json",
        "title": "dna_kit finding",
        "description": "Front matter of a dna/findings/F-NNNN-slug.md file.",
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "title", "statement", "layer", "kind"],
        "properties": {
            "id": {"type": "string", "pattern": r"^F-[0-9]{4,}$"},
            "title": _TEXT,
            "statement": {**_TEXT, "description": "the rule, in one sentence"},
            "layer": {"enum": list(LAYERS)},
            "kind": {"enum": list(KINDS)},
            "status": {"enum": list(STATUSES), "default": "candidate"},
            "params": {"type": "object", "propertyNames": {"pattern": r"^[A-Za-z_]\w*$"},
                       "additionalProperties": _PARAM},
            "rationale": {"type": "string", "description": "the why"},
            "provenance": {"type": "array", "items": provenance},
            "owner": {"type": "string"},
            "area": {"type": "string"},
            "tags": _WORDS,
            "created": {"type": "string", "format": "date"},
            "updated": {"type": "string", "format": "date"},
            "rejected_reason": {"type": "string"},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "links": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "tests": _WORDS,
                    "decisions": _WORDS,
                    "supersedes": {"type": "array", "items": {"pattern": r"^F-[0-9]{4,}$"}},
                    "superseded_by": {"type": "array", "items": {"pattern": r"^F-[0-9]{4,}$"}},
                },
            },
            "binding": {
                "type": "object",
                "additionalProperties": False,
                "required": ["template", "target"],
                "properties": {
                    "template": _TEXT,
                    "target": _TARGET,
                    "targets": {"type": "object", "additionalProperties": _TARGET},
                    "params": {"type": "object", "additionalProperties": _PARAM},
                    "domain": {"type": "string"},
                    "sites": {
                        "type": "array",
                        "description": "where the finding's values live in the code: found "
                                       "by dna codify / dna locate, reviewable by hand; "
                                       "regen --prove changes each one",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["param", "path", "line"],
                            "properties": {
                                "param": {"type": "string",
                                          "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
                                "path": {**_TEXT, "description": "relative to the "
                                         "repository, with / separators"},
                                "line": {"type": "integer", "minimum": 1},
                                "code": {"type": "string"},
                            },
                        },
                    },
                },
            },
        },
        "if": {"properties": {"status": {"const": "rejected"}}, "required": ["status"]},
        "then": {"required": ["rejected_reason"]},
    }


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(finding_schema(), indent=2))
