"""Interview transcripts: Markdown a person can read, and a format the tools can parse.

One ``##`` section per question and answer, written after every answer so a crashed kernel
loses nothing::

    ---
    interviewee: Ana
    interviewer: Sam
    date: 2026-11-20
    incident: 2026-03 carrier retry storm
    ---

    # Interview with Ana, 2026-11-20

    ## Q1 · cdm-incident · 2026-11-20T14:03:10

    **Asked** (Critical Decision Method · incident): Pick an incident you handled ...

    **Answer:**

    The March retry storm. ...

>>> t = parse_transcript(render_transcript({"interviewee": "Ana"}, [TranscriptEntry(
...     number=1, question_id="cdm-incident", method="Critical Decision Method",
...     phase="incident", question="Which incident?", answer="The retry storm.")]))
>>> t.entries[0].answer
'The retry storm.'
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dna_kit.document import Document, Section, TimelineEvent
from dna_kit.errors import SourceError

__all__ = ["Transcript", "TranscriptEntry", "looks_like_transcript", "parse_transcript",
           "read_transcript", "render_transcript", "transcript_path"]

_HEADING_RE = re.compile(
    r"^## Q(?P<number>\d+) · (?P<qid>\S+)(?: · (?P<at>\S+))?(?: · follow-up of Q(?P<of>\d+))?\s*$"
)
_ASKED_RE = re.compile(r"^\*\*Asked\*\*(?: \((?P<method>[^·)]*?)(?: · (?P<phase>[^)]*))?\))?: "
                       r"(?P<question>.*)$")
_ANSWER_MARK = "**Answer:**"


@dataclass(frozen=True)
class TranscriptEntry:
    """One question and its answer. ``answer_lines`` are the file lines of the answer."""

    number: int
    question_id: str
    question: str
    answer: str
    method: str | None = None
    phase: str | None = None
    asked_at: str | None = None
    follow_up_of: int | None = None
    answer_lines: tuple[int, int] | None = None


@dataclass(frozen=True)
class Transcript:
    """A parsed transcript: its ``meta`` (front matter) and its ``entries``."""

    meta: Mapping[str, Any]
    entries: tuple[TranscriptEntry, ...] = field(default_factory=tuple)
    path: str | None = None


def _escape(line: str) -> str:
    # A line starting with "## " inside an answer would read as a new question.
    return "\\" + line if line.startswith("#") else line


def _unescape(line: str) -> str:
    return line[1:] if line.startswith("\\#") else line


def render_transcript(meta: Mapping[str, Any], entries: Sequence[TranscriptEntry]) -> str:
    """The Markdown text of a transcript; :func:`parse_transcript` reads it back."""
    import yaml

    clean_meta = {k: (v.isoformat() if isinstance(v, _dt.date) else v)
                  for k, v in meta.items() if v is not None}
    front = yaml.safe_dump(clean_meta, sort_keys=False, allow_unicode=True, width=88)
    who = meta.get("interviewee") or "an engineer"
    when = meta.get("date")
    lines = ["---", front.rstrip("\n"), "---", "",
             f"# Interview with {who}" + (f", {when}" if when else ""), ""]
    if meta.get("incident"):
        lines += [f"Incident: {meta['incident']}", ""]
    for e in entries:
        heading = f"## Q{e.number} · {e.question_id}"
        if e.asked_at:
            heading += f" · {e.asked_at}"
        if e.follow_up_of is not None:
            heading += f" · follow-up of Q{e.follow_up_of}"
        label = ""
        if e.method:
            label = f" ({e.method}" + (f" · {e.phase}" if e.phase else "") + ")"
        lines += [heading, "", f"**Asked**{label}: {' '.join(e.question.split())}", "",
                  _ANSWER_MARK, ""]
        lines += [_escape(x) for x in (e.answer.strip("\n").splitlines() or [""])]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def parse_transcript(text: str, path: str | Path | None = None) -> Transcript:
    """Parse a transcript written by :func:`render_transcript` (or by hand in that shape).

    Raises :class:`~dna_kit.errors.SourceError` naming the path and line of the problem.
    """
    import yaml

    lines = text.splitlines()
    meta: dict[str, Any] = {}
    start = 0
    if lines and lines[0].strip() == "---":
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        except StopIteration:
            raise SourceError("front matter is not closed by a '---' line", path=path,
                              line=1) from None
        try:
            loaded = yaml.safe_load("\n".join(lines[1:end])) or {}
        except yaml.YAMLError as exc:
            raise SourceError(f"malformed front matter: {exc}", path=path, line=2) from None
        if not isinstance(loaded, dict):
            raise SourceError("front matter must be a mapping", path=path, line=2)
        meta = {k: (v.isoformat() if isinstance(v, _dt.date) else v)
                for k, v in loaded.items()}
        start = end + 1

    entries: list[TranscriptEntry] = []
    heads = [(i, m) for i in range(start, len(lines))
             if (m := _HEADING_RE.match(lines[i]))]
    for n, (i, m) in enumerate(heads):
        stop = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        block = list(range(i + 1, stop))
        asked = next(((j, a) for j in block if (a := _ASKED_RE.match(lines[j]))), None)
        if asked is None:
            raise SourceError("question section has no '**Asked**: ...' line", path=path,
                              line=i + 1, field=f"Q{m.group('number')}")
        mark = next((j for j in block if lines[j].strip() == _ANSWER_MARK), None)
        if mark is None:
            raise SourceError("question section has no '**Answer:**' line", path=path,
                              line=i + 1, field=f"Q{m.group('number')}")
        body = [j for j in range(mark + 1, stop)]
        while body and not lines[body[0]].strip():
            body.pop(0)
        while body and not lines[body[-1]].strip():
            body.pop()
        a = asked[1]
        entries.append(TranscriptEntry(
            number=int(m.group("number")),
            question_id=m.group("qid"),
            question=a.group("question").strip(),
            answer="\n".join(_unescape(lines[j]) for j in body),
            method=(a.group("method") or "").strip() or None,
            phase=(a.group("phase") or "").strip() or None,
            asked_at=m.group("at"),
            follow_up_of=int(m.group("of")) if m.group("of") else None,
            answer_lines=(body[0] + 1, body[-1] + 1) if body else None,
        ))
    return Transcript(meta=meta, entries=tuple(entries),
                      path=str(path) if path is not None else None)


def transcript_path(interviews_dir: str | Path, interviewee: str,
                    day: _dt.date | None = None) -> Path:
    """``dna/interviews/2026-11-20-ana.md`` for a new interview."""
    from dna_kit.finding import slugify

    day = day or _dt.date.today()
    return Path(interviews_dir) / f"{day.isoformat()}-{slugify(interviewee, 32)}.md"


# -- reading a transcript as a source ------------------------------------------------------

_QUESTION_HEADING = re.compile(r"^## Q\d+ · \S+", re.M)


def looks_like_transcript(head: str) -> bool:
    """True when the text has a ``## Q1 · question-id`` heading."""
    return bool(_QUESTION_HEADING.search(head))


def read_transcript(path: Path, text: str, options: dict[str, Any]) -> list[Document]:
    """A transcript as one document; each answer is a section carrying its question id."""
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
