"""Sentence segmentation that follows how the source is written.

Markdown is read block by block: paragraphs (hard-wrapped lines joined), list items (with
their continuation lines), block quotes (``>`` markers dropped), table cells; headings,
code fences, HTML and image lines are skipped. What each line is comes from the one
Markdown lexer, :mod:`dna_kit.ingest.lexer`, that the postmortem reader uses too. Each
block is split into sentences, and each sentence keeps the exact span of the source text
it came from, so its quote is verbatim.
Chat and timeline documents are one block per message or record, after its time and actor.
Units are kept as written: in Markdown too, a line that opens a chat message or a log or
timeline entry (``<ana> ...``, ``**<ana>** ...``, ``[14:03] ana: ...``, ``14:20 raised
...``, ``2024-01-16 14:20 UTC ...``) starts a unit of its own, and so does a line after a
hard line break (two spaces or a backslash at the end of the line before); a list item
that continues over lines stays one unit.

>>> from dna_kit.document import Document
>>> doc = Document("pm.md", "Retries were capped\\nat 3. Timeouts were\\nraised to 5 s.\\n")
>>> [doc.text[s.start:s.end] for s in segment(doc)]
['Retries were capped\\nat 3.', 'Timeouts were\\nraised to 5 s.']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from dna_kit.document import Document, Section
from dna_kit.ingest.lexer import (
    BLOCK_QUOTE,
    LIST_ITEM,
    TABLE_RULE,
    is_setext_underline,
    line_kind,
)

__all__ = ["Sentence", "clean_markup", "segment"]

# A lead-in label: "**Retry storm**: ...", "**Retry storm:** ...", "Owner: ...", or a time.
_LABEL = re.compile(
    r"^(?:(?:\*\*|__)(?P<bold>[^*_\n]{1,80}?)(?::)?(?:\*\*|__)[ \t]*[:\-–—]?"
    r"|(?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]*[A-Za-z]{1,4})?|\d{4}-\d{2}-\d{2}"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?Z?)?)[ \t]*[:\-–—|][ \t]*)[ \t]*")
_CHAT_PREFIX = re.compile(r"^[ \t]*(?:↳ )?\[[^\]\n]{1,40}\] [^:\n]{1,60}: ")
# A line of a Markdown write-up that opens a chat message or a log or timeline entry: an
# IRC nick (``<ana>``, bold or escaped), a bracketed time and speaker, or a time or date
# first. Group ``speaker`` is the part left out of the unit's text.
_ENTRY = re.compile(
    r"^[ \t]*(?:(?P<speaker>(?:\*\*|__)?\\?<[^<>\n]{1,40}\\?>(?:\*\*|__)?[ \t]*"
    r"|\[[^\]\n]{0,30}\d{1,2}:\d{2}[^\]\n]{0,20}\][ \t]+[^:\s][^:\n]{0,40}:[ \t]+)"
    r"|(?=\[?(?:\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2})\b))")
_RECORD_PREFIX = re.compile(r"^\S+(?: \d{1,2}:\d{2}(?::\d{2})?)?(?: [^:\n]{1,40}:)? ")
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]*_]*\s+(?=[\"'“‘(\[*_`]*[A-Z0-9])")
_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|approx|incl|no|fig|mr|mrs|ms|dr|st|jr|"
                     r"inc|ltd|co|cf|al|resp|est|min|max|avg|ca)|\b[A-Z]|\.\.)\.$", re.I)
_MARKUP_CHARS = frozenset("*_`~[<>")
_MARKUP_ANY = re.compile("[" + re.escape("".join(sorted(_MARKUP_CHARS))) + "]").search
_MARKUP = re.compile(r"\*\*|__|`|~~|\[([^\]\n]*)\]\([^)\n]*\)|<(https?://[^>]+)>|^[ \t]*>+")


@dataclass(frozen=True)
class Sentence:
    """A sentence: ``text`` (markup and line breaks removed) and its span in the document."""

    start: int
    end: int
    text: str
    block: str
    section: Section | None = None
    label: str | None = None


def clean_markup(text: str) -> str:
    """Inline Markdown removed and whitespace collapsed: what a person reads.

    >>> clean_markup("**Cap** the [retries](http://x) at `3`\\n> now")
    'Cap the retries at 3 now'
    """
    if not _MARKUP_ANY(text):  # most sentences: nothing to remove
        return " ".join(text.split())
    text = re.sub(r"\n[ \t]*>+[ \t]?", "\n", text)
    text = _MARKUP.sub(lambda m: m.group(1) or m.group(2) or "", text)
    return " ".join(text.split())


class _Block:
    __slots__ = ("kind", "pieces")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.pieces: list[tuple[int, int]] = []  # (start, end) spans of content


def _blocks(text: str, kind: str, headings: frozenset[int] = frozenset()
            ) -> Iterator[_Block]:
    """The prose blocks of a document, as spans of ``text``; ``headings`` are the
    0-based numbers of lines that are section headings (skipped)."""
    record_like = kind in ("chat", "timeline")
    block: _Block | None = None
    in_fence = False
    hard_break = False
    pos = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        start, end = pos, pos + len(line)
        pos = end + 1
        if record_like:
            if block is not None and (line.startswith("    ")
                                      or line.startswith("  ↳     ")):  # a message's next line
                lead = 8 if line.startswith("  ↳ ") else 4
                block.pieces.append((start + lead, end))
                continue
            if block is not None:
                yield block
            m = (_CHAT_PREFIX if kind == "chat" else _RECORD_PREFIX).match(line)
            block = _Block("message")
            block.pieces.append((start + (m.end() if m else 0), end))
            continue
        first_char = line.lstrip()[:1]
        if (not in_fence and i not in headings and first_char in _ENTRY_FIRST
                and (entry := _ENTRY.match(line)) is not None and entry.end() < len(line)
                and (first_char != "<" or entry.group("speaker"))):
            # A chat message or a log line: a unit of its own, never merged with the next.
            if block is not None:
                yield block
            block = _Block("message")
            block.pieces.append((start + entry.end(), end))
            hard_break = line.endswith(("  ", "\\"))
            continue
        if block is not None and hard_break and block.kind in ("paragraph", "message"):
            # The line before ended with a hard break: this one starts a unit of its own.
            yield block
            block = None
        hard_break = line.endswith(("  ", "\\")) and bool(line.strip())
        if first_char.isalpha() and not in_fence and i not in headings:
            # Most lines are prose: every Markdown marker starts with a symbol or a digit,
            # so only the next line can make this one a (setext) heading.
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if is_setext_underline(nxt):
                if block is not None:
                    yield block
                    block = None
                continue
            if block is None or block.kind == "quote":
                if block is not None:
                    yield block
                block = _Block("paragraph")
            block.pieces.append((start + len(line) - len(line.lstrip()), end))
            continue
        what = line_kind(line)
        if what == "fence":
            in_fence = not in_fence
            if block is not None:
                yield block
                block = None
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if (in_fence or i in headings
                or what in ("blank", "heading", "html", "link_definition", "rule")
                or (what != "list" and is_setext_underline(nxt))):
            if block is not None:
                yield block
                block = None
            continue
        if what == "table":
            if block is not None:
                yield block
                block = None
            if TABLE_RULE.match(line):
                continue
            cell_start = start
            for cell in line.split("|"):
                cell_end = cell_start + len(cell)
                if len(cell.split()) >= 3:
                    lead = len(cell) - len(cell.lstrip())
                    yield _single("cell", cell_start + lead, cell_end - (len(cell)
                                                                         - len(cell.rstrip())))
                cell_start = cell_end + 1
            continue
        m = LIST_ITEM.match(line) if what == "list" else None
        if m:
            if block is not None:
                yield block
            block = _Block("list")
            block.pieces.append((start + m.end(), end))
            continue
        q = BLOCK_QUOTE.match(line) if what == "quote" else None
        if q:
            if block is None or block.kind != "quote":
                if block is not None:
                    yield block
                block = _Block("quote")
            block.pieces.append((start + q.end(), end))
            continue
        if block is None or block.kind == "quote":
            if block is not None:
                yield block
            block = _Block("paragraph")
        block.pieces.append((start + len(line) - len(line.lstrip()), end))
    if block is not None:
        yield block


_REPLY_MARK = re.compile(r"\n[ \t]*↳[ \t]+")
_ENTRY_FIRST = frozenset("*_\\<[0123456789")


def _single(kind: str, start: int, end: int) -> _Block:
    block = _Block(kind)
    block.pieces.append((start, end))
    return block


def _split(text: str, block: _Block) -> Iterator[tuple[int, int, str | None]]:
    """Sentence spans ``(start, end, label)`` of one block, in document offsets."""
    pieces = block.pieces
    if len(pieces) == 1:  # a list item, cell or message on one line: offsets shift only
        first_start, first_end = pieces[0]
        joined = text[first_start:first_end].rstrip()

        def raw(offset: int) -> int:
            return first_start + offset
    else:
        # The block's content joined with single spaces, and where each piece starts in both.
        joined_parts: list[str] = []
        starts_clean: list[int] = []
        starts_raw: list[int] = []
        at = 0
        for start, end in pieces:
            piece = text[start:end].rstrip()
            starts_clean.append(at)
            starts_raw.append(start)
            joined_parts.append(piece)
            at += len(piece) + 1
        joined = " ".join(joined_parts)

        def raw(offset: int) -> int:
            k = bisect_right(starts_clean, offset) - 1
            return starts_raw[k] + offset - starts_clean[k]

    label = None
    begin = 0
    m = _LABEL.match(joined)
    if m and block.kind in ("list", "paragraph", "cell", "message") and m.end() < len(joined):
        label = (m.group("bold") or m.group("time") or "").strip()
        begin = m.end()
    for b in _BOUNDARY.finditer(joined, begin):
        stop = b.start() + len(b.group().rstrip())
        if _ABBREV.search(joined[max(begin, b.start() - 8):b.start() + 1]):
            continue
        if stop - begin > 1:
            yield raw(begin), raw(stop - 1) + 1, label
        begin = b.end()
        label = None
    tail = joined[begin:].rstrip()
    if tail:
        yield raw(begin), raw(begin + len(tail) - 1) + 1, label


def segment(document: Document) -> list[Sentence]:
    """Every sentence of ``document``, in order, each with its exact source span.

    Interview transcripts are segmented only inside answers.
    """
    text = document.text
    answers = [s for s in document.sections if s.kind == "answer"]
    out: list[Sentence] = []
    sections = sorted(document.sections, key=lambda s: s.start)
    starts = [s.start for s in sections]
    headings = frozenset(s.line - 1 for s in document.sections if s.kind != "answer")
    body = document.body_start  # front matter is about the file, not the system
    for block in _blocks(text, document.kind, headings):
        for start, end, label in _split(text, block):
            if start < body:
                continue
            section = _innermost(sections, starts, start)
            if document.kind == "transcript" and not (section and section.kind == "answer"):
                continue
            if answers and section is None:
                continue
            raw = text[start:end]
            if "↳" in raw and document.kind == "chat":  # a reply's next line: its marker
                raw = _REPLY_MARK.sub("\n", raw)
            out.append(Sentence(start=start, end=end, text=clean_markup(raw),
                                block=block.kind, section=section, label=label))
    return out


def _innermost(sections: list[Section], starts: list[int], offset: int) -> Section | None:
    # Sections nest, so the innermost holding ``offset`` is the last one starting at or
    # before it that has not ended yet.
    for k in range(bisect_right(starts, offset) - 1, -1, -1):  # no copy of the list
        if offset < sections[k].end:
            return sections[k]
    return None
