"""Interview transcripts in the Markdown format the interview notebook writes
(:mod:`dna_kit.transcript`): one section per question, holding the answer's lines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dna_kit.document import Document, Section, TimelineEvent

__all__ = ["looks_like_transcript", "read_transcript"]

_QUESTION_HEADING = re.compile(r"^## Q\d+ · \S+", re.M)


def looks_like_transcript(head: str) -> bool:
    """True when the text has a ``## Q1 · question-id`` heading."""
    return bool(_QUESTION_HEADING.search(head))


def read_transcript(path: Path, text: str, options: dict[str, Any]) -> list[Document]:
    """A transcript as one document; each answer is a section carrying its question id."""
    from dna_kit.transcript import parse_transcript

    transcript = parse_transcript(text, path)
    starts = [0]
    for line in text.split("\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    sections: list[Section] = []
    events: list[TimelineEvent] = []
    for entry in transcript.entries:
        if entry.answer_lines is None:
            continue
        first, last = entry.answer_lines
        end = starts[last] if last < len(starts) else len(text)
        sections.append(Section(title=entry.question, kind="answer", start=starts[first - 1],
                                end=end, line=first, level=2, question=entry.question_id))
        if entry.asked_at:
            events.append(TimelineEvent(time=entry.asked_at,
                                        actor=transcript.meta.get("interviewee"),
                                        text=entry.question, line=first))
    return [Document(path=str(path), text=text, kind="transcript", sections=sections,
                     events=events)]
