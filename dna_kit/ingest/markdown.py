"""Markdown and plain-text postmortems: sections in any heading style, and the timeline.

The document text is the file itself (so every quote is verbatim and every offset maps to
its own line). Headings are recognised as ATX (``## Root cause``), setext (underlined with
``===`` or ``---``), a line that is only bold (``**Root cause**``), an ALL-CAPS line, or a
known section name ending with a colon (``Root cause:``). Code fences are skipped, and so
is a leading front matter (:func:`find_front_matter`). What a line is (a fence, an ATX
heading, an underline, a list item) comes from :mod:`dna_kit.ingest.lexer`, the lexer the
extractor's segmenter uses too.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from pathlib import Path
from typing import Any

from dna_kit.document import Document, Section, TimelineEvent
from dna_kit.ingest.lexer import ATX_HEADING, FENCE, LIST_ITEM, RULE_LINE, is_setext_underline

__all__ = ["SECTION_KINDS", "classify_heading", "find_events", "find_front_matter",
           "find_sections", "read_postmortem"]

# Order matters: the first pattern that matches a heading names its kind, so specific
# names ("mitigators", "contributing factors") come before the general ones they contain.
SECTION_KINDS: tuple[tuple[str, str], ...] = (
    ("timeline", r"timeline|chronolog|sequence of events|events? log|log of events"),
    ("went_well", r"went (well|right)|what worked"),
    ("went_wrong", r"went (wrong|badly|poorly)|didn.?t go well|did not go well"),
    ("lucky", r"lucky|\bluck"),
    ("mitigators", r"mitigator|mitigating"),
    ("contributors", r"contribut"),
    ("risks", r"\brisks?\b"),
    ("lessons", r"lesson|learn|takeaway|reflection|retrospective|post.?mortem|insight|"
                r"conclusion"),
    ("action_items", r"action|next steps?|follow.?ups?|improvement|prevent|corrective|"
                     r"future|what.?s next|going forward|to.?do|remediation items|plans?\b|"
                     r"changes|recommendation"),
    ("root_cause", r"root.?causes?|\bcauses?\b|why (it|this|did)|analysis|technical details|"
                   r"what went on|investigation|explanation"),
    ("trigger", r"trigger"),
    ("detection", r"detect|alert|discover|how we (found|noticed)"),
    ("resolution", r"resolution|resolv|remediat|mitigation|fix|recover|response|workaround"),
    ("impact", r"impact|affected|customer|user.?facing|consequence|severity"),
    ("summary", r"summary|overview|tl;?dr|introduction|background|what happened|"
                r"description|incident|context|abstract|details"),
)
_KIND_RES = tuple((kind, re.compile(pattern, re.I)) for kind, pattern in SECTION_KINDS)

_BOLD_LINE = re.compile(r"^(?:\*\*|__)([^*_].{0,80}?)(?:\*\*|__):?[ \t]*$")
_COLON_LINE = re.compile(r"^([A-Z][\w '’/&()-]{1,50}):[ \t]*$")
_CAPS_LINE = re.compile(r"^[A-Z][A-Z0-9 '’/&-]{2,50}$")
_FENCE_FIRST = " \t`~"
_FENCE_OR_ATX_FIRST = " \t`~#"  # "" is in it too: an empty line takes the long way

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[ap]\.?m\.?|z|utc|gmt|[a-z]{2,4}t)?"
_DATE = (rf"\d{{4}}-\d{{2}}-\d{{2}}(?:[ t]{_CLOCK})?|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?"
         rf"(?:,?\s+{_CLOCK})?|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
         rf"(?:,?\s+(?:at\s+)?{_CLOCK})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?"
         rf"(?:,?\s+{_CLOCK})?")
_EVENT = re.compile(
    rf"^[ \t]*(?:[-*+][ \t]+|\d+[.)][ \t]+|\|[ \t]*)?(?:\*\*|__)?[ \t]*"
    rf"(?P<time>(?:{_DATE}|{_CLOCK})(?:\s*(?:-|–|to)\s*{_CLOCK})?)[ \t]*(?:\*\*|__)?"
    rf"[ \t]*(?:[-–—:|,]|\*\*)?[ \t]*(?P<text>\S.*)$",
    re.I,
)


def classify_heading(title: str) -> str | None:
    """The canonical section kind of a heading, or None.

    >>> classify_heading("Root Cause(s)"), classify_heading("Where we got lucky")
    ('root_cause', 'lucky')
    """
    clean = re.sub(r"[*_`#:]", "", title).strip()
    for kind, pattern in _KIND_RES:
        if pattern.search(clean):
            return kind
    return None


_FRONT_FENCES = {"---": ("---", "..."), "+++": ("+++",)}
_FRONT_KEY = re.compile(r"^([A-Za-z_][\w.-]*)[ \t]*[:=][ \t]*(.*?)[ \t]*$")
_META_LINE = re.compile(r"^([A-Za-z][\w-]*(?:[ \t][\w-]+){0,2}):[ \t]+(\S.*?)[ \t]*$")


def find_front_matter(text: str) -> tuple[int, dict[str, str]]:
    """``(offset where the body starts, key/value pairs)`` of a leading front matter; ``(0,
    {})`` without one.

    Three forms are read: YAML between ``---`` lines (Jekyll, Hugo, Docusaurus...), TOML
    between ``+++`` lines, and MultiMarkdown's ``Key: value`` lines from the first line to
    the first blank one. The last form is only taken when it is clearly about the file: at
    least two lines, a body after them, no key naming a section ("Summary: ..." stays
    prose) and no value that reads as a sentence.

    >>> find_front_matter("---\\ntitle: Retry storm\\n---\\n# Retry storm\\n")
    (27, {'title': 'Retry storm'})
    >>> find_front_matter("Summary: the pool ran dry.\\nImpact: 5xx\\n\\nText.\\n")
    (0, {})
    """
    first, _, rest = text.partition("\n")
    closers = _FRONT_FENCES.get(first.rstrip())
    if closers is not None:
        offset = len(first) + 1
        pairs: dict[str, str] = {}
        for line in rest.split("\n")[:500]:
            if line.rstrip() in closers:
                # Without a single key it was two rules around text, not front matter.
                return (offset + len(line) + 1, pairs) if pairs else (0, {})
            offset += len(line) + 1
            m = _FRONT_KEY.match(line)
            if m:
                pairs[m.group(1)] = m.group(2).strip("\"'")
        return 0, {}  # never closed: not front matter
    pairs, offset, lines = {}, 0, text.split("\n", 50)
    for line in lines[:50]:
        if not line.strip():
            offset += len(line) + 1  # the body starts after the blank line
            break
        m = _META_LINE.match(line)
        if m:
            key, value = m.group(1), m.group(2)
            words = value.split()
            if classify_heading(key) or (value[-1] in ".!?" and len(words) >= 6):
                return 0, {}
            pairs[key.lower()] = value
        elif not (line[:1] in " \t" and pairs):  # an indented line continues a value
            return 0, {}
        offset += len(line) + 1
    else:
        return 0, {}  # no blank line: the whole file, or an over-long header
    if len(pairs) < 2 or not text[offset:].strip():
        return 0, {}
    return offset, pairs


def _headings(lines: list[str], first: int = 0) -> list[tuple[int, int, str]]:
    """``(line index, level, title)`` of every heading, outside code fences, from line
    ``first`` on (the lines before it are front matter)."""
    found: list[tuple[int, int, str]] = []
    in_fence = False
    for i, line in enumerate(lines):
        if i < first:
            continue
        # Most lines follow a non-blank line (wrapped prose, list items, table rows): every
        # heading form below but "#" and an underline needs a blank line before it, so a
        # line that cannot start a fence or a "#" heading is skipped at once.
        if i and line[:1] not in _FENCE_OR_ATX_FIRST and lines[i - 1].strip():
            continue
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        m = ATX_HEADING.match(line)
        if m and m.group(2).strip():
            found.append((i, len(m.group(1)), m.group(2).strip()))
            continue
        stripped = line.strip()
        if not stripped:
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        prev_blank = i == 0 or not lines[i - 1].strip()
        if (is_setext_underline(nxt) and not LIST_ITEM.match(line) and prev_blank
                and not RULE_LINE.match(line) and len(stripped) <= 100):
            found.append((i, 1 if nxt.lstrip().startswith("=") else 2, stripped))
            continue
        if not prev_blank:
            continue
        m = _BOLD_LINE.match(stripped)
        if m:
            found.append((i, 3, m.group(1).strip().rstrip(":")))
            continue
        m = _COLON_LINE.match(stripped)
        if m and classify_heading(m.group(1)):
            found.append((i, 3, m.group(1).strip()))
            continue
        if (_CAPS_LINE.match(stripped) and any(c.isalpha() for c in stripped)
                and len(stripped.split()) <= 6 and stripped.upper() == stripped):
            found.append((i, 2, stripped.title()))
            continue
        # A short plain line naming a known section ("What went well") and then its text.
        if (len(stripped.split()) <= 5 and stripped[-1].isalnum() and nxt.strip()
                and not LIST_ITEM.match(line) and stripped[0].isupper()
                and classify_heading(stripped)):
            found.append((i, 3, stripped))
    return found


def find_sections(text: str, body_start: int = 0) -> list[Section]:
    """The sections of a Markdown or plain-text document, nested by level; a heading with
    no known name inherits its parent's kind ("Immediate actions" under "Remediation").
    Headings before ``body_start`` (front matter) are not looked for."""
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    heads = _headings(lines, text.count("\n", 0, body_start) if body_start else 0)
    sections: list[Section] = []
    stack: list[tuple[int, str | None]] = []  # (level, kind) of the open parents
    # Each heading's section ends at the next heading of the same or a higher level: one
    # pass from the end with a stack, instead of a scan of the later headings per heading.
    ends = [len(lines)] * len(heads)
    later: list[tuple[int, int]] = []  # (level, line) of later headings, levels rising
    for n in range(len(heads) - 1, -1, -1):
        i, level, _ = heads[n]
        while later and later[-1][0] > level:
            later.pop()
        if later:
            ends[n] = later[-1][1]
        later.append((level, i))
    for n, (i, level, title) in enumerate(heads):
        end_line = ends[n]
        end = starts[end_line] if end_line < len(lines) else len(text)
        while stack and stack[-1][0] >= level:
            stack.pop()
        # A long level-1 heading is the document's title, not a section name.
        kind = None if level == 1 and len(title.split()) > 4 else classify_heading(title)
        if kind is None and stack:
            kind = stack[-1][1]
        stack.append((level, kind))
        sections.append(Section(title=title, kind=kind, start=starts[i], end=end,
                                line=i + 1, level=level))
    return sections


def find_events(text: str, sections: list[Section], body_start: int = 0
                ) -> list[TimelineEvent]:
    """Timeline events: lines inside a timeline section that start with a time or date
    (list items, table rows or plain lines). Without a timeline section, lines anywhere
    after the front matter (``body_start``) that start with a full date and time."""
    timeline = [s for s in sections if s.kind == "timeline"]
    # A line is inside a timeline section when, of the sections starting at or before
    # it, the one reaching furthest ends after it: one bisection per line.
    spans = sorted((s.start, s.end) for s in timeline)
    starts = [start for start, _ in spans]
    reach = list(accumulate((end for _, end in spans), max))
    events: list[TimelineEvent] = []
    offset = 0
    in_fence = False
    for number, line in enumerate(text.split("\n"), start=1):
        here = offset
        offset += len(line) + 1
        if here < body_start:
            continue
        if line[:1] in _FENCE_FIRST and FENCE.match(line):  # a fence starts with one of them
            in_fence = not in_fence
            continue
        if in_fence or not line.strip() or line.lstrip().startswith("#"):
            continue
        if timeline:
            k = bisect_right(starts, here) - 1
            if k < 0 or here >= reach[k]:
                continue
        m = _EVENT.match(line)
        if not m:
            continue
        time = m.group("time").strip()
        if not timeline and not re.search(r"\d:\d", time):
            continue
        body = re.sub(r"\s*\|\s*", " | ", m.group("text").strip().strip("|").strip())
        body = re.sub(r"^(?:\*\*|__)|(?:\*\*|__)$", "", body).strip()
        if body:
            events.append(TimelineEvent(time=time, actor=None, text=body, line=number))
    return events


def read_postmortem(path: Path, text: str, options: dict[str, Any]) -> list[Document]:
    """A Markdown or plain-text postmortem as one document."""
    body, metadata = find_front_matter(text)
    sections = find_sections(text, body)
    return [Document(path=str(path), text=text, kind="postmortem", sections=sections,
                     events=find_events(text, sections, body), metadata=metadata,
                     body_start=body)]
