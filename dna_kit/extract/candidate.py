"""The candidate finding: what extraction proposes and a person reviews.

A :class:`Candidate` is a finding that does not exist yet: a verbatim ``quote`` from a
source, where it sits (``source``: path and lines), and the extractor's guess at its
``layer``, ``kind``, ``params`` and ``confidence``. ``to_json()`` is what
``dna extract --json`` prints; ``to_finding_fields()`` is what ``dna extract --save``
hands to :func:`dna_kit.ledger.add_finding`.

>>> c = Candidate(quote="Retries are capped at 5 s.", title="Retries capped at 5 s",
...               statement="Retries are capped at 5 s.", layer="how", kind="retry_policy",
...               params={"cap": "5 s"}, confidence=0.8,
...               source=CandidateSource("pm.md", 12, 12))
>>> c.to_json()["source"]
{'path': 'pm.md', 'line_start': 12, 'line_end': 12}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dna_kit.errors import InvalidFinding
from dna_kit.finding import KINDS, LAYERS

__all__ = ["CANDIDATE_SCHEMA", "Candidate", "CandidateSource"]


@dataclass(frozen=True)
class CandidateSource:
    """Where a candidate's quote sits: a source path and 1-based, inclusive lines."""

    path: str
    line_start: int
    line_end: int

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line_start": self.line_start, "line_end": self.line_end}


@dataclass(frozen=True)
class Candidate:
    """One proposed finding, with a verbatim quote and its place in the source."""

    quote: str
    title: str
    statement: str
    layer: str
    kind: str
    source: CandidateSource
    params: Mapping[str, str] = field(default_factory=dict)
    confidence: float = 0.5
    question: str | None = None
    rationale: str | None = None
    extractor: str = "offline"

    def __post_init__(self) -> None:
        # Fail here, naming the value, rather than later in the ledger.
        if self.layer not in LAYERS:
            raise InvalidFinding(f"layer={self.layer!r} is not one of {', '.join(LAYERS)}",
                                 field="layer", value=self.layer, path=self.source.path,
                                 line=self.source.line_start)
        if self.kind not in KINDS:
            raise InvalidFinding(f"kind={self.kind!r} is not one of {', '.join(KINDS)}",
                                 field="kind", value=self.kind, path=self.source.path,
                                 line=self.source.line_start)
        if not 0.0 <= float(self.confidence) <= 1.0:
            raise InvalidFinding(f"confidence={self.confidence!r} must be between 0 and 1",
                                 field="confidence", value=self.confidence)
        if not self.quote.strip():
            raise InvalidFinding("quote is empty", field="quote", value=self.quote,
                                 path=self.source.path, line=self.source.line_start)

    def to_json(self) -> dict[str, Any]:
        """The JSON object ``dna extract --json`` prints for this candidate.

        >>> sorted(Candidate("q", "t", "s", "why", "decision",
        ...                  CandidateSource("a.md", 1, 1)).to_json())[:4]
        ['confidence', 'extractor', 'kind', 'layer']
        """
        return {
            "quote": self.quote,
            "title": self.title,
            "statement": self.statement,
            "layer": self.layer,
            "kind": self.kind,
            "params": dict(self.params),
            "confidence": round(float(self.confidence), 3),
            "source": self.source.to_json(),
            "question": self.question,
            "rationale": self.rationale,
            "extractor": self.extractor,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Candidate:
        """The inverse of :meth:`to_json` (unknown keys are ignored)."""
        src = data.get("source") or {}
        if not isinstance(src, Mapping) or "path" not in src:
            raise InvalidFinding(f"source={src!r} needs path, line_start, line_end",
                                 field="source", value=src)
        start = int(src.get("line_start") or 1)
        return cls(
            quote=str(data.get("quote") or ""),
            title=str(data.get("title") or ""),
            statement=str(data.get("statement") or data.get("quote") or ""),
            layer=str(data.get("layer")),
            kind=str(data.get("kind")),
            source=CandidateSource(str(src["path"]), start, int(src.get("line_end") or start)),
            params={str(k): str(v) for k, v in (data.get("params") or {}).items()},
            confidence=float(data.get("confidence", 0.5)),
            question=data.get("question"),
            rationale=data.get("rationale"),
            extractor=str(data.get("extractor") or "offline"),
        )

    def to_finding_fields(self) -> dict[str, Any]:
        """Fields for :func:`dna_kit.ledger.add_finding`: status ``candidate``, provenance
        pointing at the quote. Parameters that do not parse are dropped, not guessed.

        >>> Candidate("Cap is 5 s.", "Cap", "Cap is 5 s.", "how", "threshold",
        ...           CandidateSource("pm.md", 3, 3), {"cap": "5 s"}).to_finding_fields()["params"]
        {'cap': '5 s'}
        """
        from dna_kit.finding import parse_param

        params: dict[str, str] = {}
        for name, value in self.params.items():
            try:
                parse_param(name, value)
            except InvalidFinding:
                continue
            params[name] = value
        provenance: dict[str, Any] = {
            "source": self.source.path,
            "line_start": self.source.line_start,
            "line_end": self.source.line_end,
            "quote": self.quote,
        }
        if self.question:
            provenance["question"] = self.question
        fields: dict[str, Any] = {
            "title": self.title or self.statement[:60],
            "statement": self.statement or self.quote,
            "layer": self.layer,
            "kind": self.kind,
            "status": "candidate",
            "confidence": round(float(self.confidence), 3),
            "provenance": [provenance],
            "tags": [f"extracted:{self.extractor}"],
        }
        if params:
            fields["params"] = params
        if self.rationale:
            fields["rationale"] = self.rationale
        return fields


#: JSON Schema of one candidate as :meth:`Candidate.to_json` writes it (the model
#: extractor asks the model for this shape).
CANDIDATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["quote", "title", "statement", "layer", "kind", "params", "confidence"],
    "properties": {
        "quote": {"type": "string", "minLength": 1},
        "title": {"type": "string"},
        "statement": {"type": "string"},
        "layer": {"enum": list(LAYERS)},
        "kind": {"enum": list(KINDS)},
        "params": {"type": "object", "additionalProperties": {"type": "string"}},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "rationale": {"type": ["string", "null"]},
        "question": {"type": ["string", "null"]},
    },
}
