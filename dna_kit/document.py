"""The document: a parsed source, with every character traceable to a line of the file.

A reader (:mod:`dna_kit.ingest`) turns a source into one or more documents. A document's
``text`` is what extraction reads; ``line_of(offset)`` says which line of the source file a
character came from (for a Markdown postmortem the text *is* the file, for a chat export it is
one line per message, each mapped back to the message in the JSON file). ``sections`` are
the recognised parts (summary, root cause, timeline, ...) and ``events`` the timeline.

>>> doc = Document(path="pm.md", text="# Summary\\nIt broke.\\n", kind="postmortem")
>>> doc.line_of(12)
2
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["DOCUMENT_KINDS", "Document", "Section", "TimelineEvent"]

DOCUMENT_KINDS = ("postmortem", "chat", "timeline", "transcript")


@dataclass(frozen=True)
class Section:
    """A titled part of a document: ``text[start:end]``, starting at source ``line``.

    ``kind`` is the canonical name when the title is a known one (``root_cause``,
    ``action_items``, ...), else None. Interview answers carry their ``question`` id.
    """

    title: str
    kind: str | None
    start: int
    end: int
    line: int
    level: int = 2
    question: str | None = None


@dataclass(frozen=True)
class TimelineEvent:
    """One thing that happened: when (as written), who (if known), what, and where."""

    time: str
    actor: str | None
    text: str
    line: int


@dataclass
class Document:
    """A parsed source: ``text``, its map back to source lines, sections and events.

    ``line_map[i]`` is the source line of text line ``i`` (0-based); without a map, text
    line ``i`` is source line ``i + 1``. ``metadata`` holds a leading front matter's
    ``key: value`` pairs, and ``body_start`` is where the text after it begins: what comes
    before is about the file, not about the system, and is never read as prose.
    """

    path: str
    text: str
    kind: str = "postmortem"
    sections: list[Section] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)
    line_map: Sequence[int] | None = None
    warnings: list[str] = field(default_factory=list)
    reader: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    body_start: int = 0
    _starts: list[int] | None = field(default=None, repr=False, compare=False)

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos >= 0:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._starts = starts
        return self._starts

    def line_of(self, offset: int) -> int:
        """The 1-based source line holding the character at ``offset`` of ``text``.

        >>> Document("a.md", "one\\ntwo\\n").line_of(4)
        2
        """
        index = bisect.bisect_right(self._line_starts(), max(offset, 0)) - 1
        if self.line_map is None:
            return index + 1
        if not self.line_map:
            return 1
        return self.line_map[min(index, len(self.line_map) - 1)]

    def section_at(self, offset: int) -> Section | None:
        """The innermost section holding ``offset``, or None before the first heading."""
        found = None
        for section in self.sections:
            if section.start <= offset < section.end and (
                    found is None or section.start >= found.start):
                found = section
        return found

    @property
    def size(self) -> int:
        return len(self.text)

    def summary(self) -> dict[str, object]:
        """Counts for ``dna ingest``: kind, characters, sections, events, warnings."""
        return {"path": self.path, "kind": self.kind, "reader": self.reader,
                "chars": len(self.text), "sections": len(self.sections),
                "events": len(self.events), "metadata": sorted(self.metadata),
                "warnings": list(self.warnings)}
