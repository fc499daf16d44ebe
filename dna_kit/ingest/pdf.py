"""PDF postmortems: one document per page, read with pdfplumber (on pdfminer.six), which
gives every character's font size and position.

Provenance: page ``N`` of ``report.pdf`` is the document ``report.pdf#page=N`` (the
standard PDF fragment, which browsers and PDF viewers open at that page), and its lines
are counted within the page: line ``k`` is the ``k``-th line of text from the top of the
page as the PDF lays it out, running headers included. A candidate's source therefore
reads ``report.pdf#page=3`` lines ``12``-``13``. Timeline events carry the page's line
too; sections keep the line of the text (where the extractor looks for their headings),
and ``Document.metadata["page"]`` is the page number.

The text of a page is written Markdown-shaped so the Markdown postmortem reader's
sections and timeline apply: a line set in a larger font than the body is a heading
(``#`` by size rank), a vertical gap wider than half a line starts a new paragraph, and a
line starting with a bullet glyph, or indented from the body's left edge after a finished
line, is a list item (``- ``). Everything else is the page's text as extracted, so quotes
are verbatim; words hyphenated across line ends are left as printed (a hyphen at a line
end cannot be told apart from a real one). A section that runs on to the next page is
carried over: the next page starts inside it, with the same title and kind.

Running headers and footers are dropped: lines in the top or bottom 6 % of a page set
smaller than the body, that recur on other pages (digits aside), or that are only a page
number (``3``, ``3/12``, ``Page 3 of 12``).
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from dna_kit.document import Document, Section
from dna_kit.errors import SourceError
from dna_kit.ingest.markdown import find_events, find_sections

__all__ = ["read_pdf"]

_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$", re.I)
_BULLETS = "•◦▪‣∙●○■□➢►–\uf0b7\uf0a7\uf076\uf0d8"
_FINISHED = ".!?:;)"
_BAND = 0.06  # of the page height: where running headers and footers sit


def _size(line: dict[str, Any]) -> float:
    sizes = Counter(round(float(c.get("size", 0)), 1) for c in line.get("chars") or [])
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _pages(data: bytes, path: Path) -> list[tuple[float, list[dict[str, Any]]]]:
    """``(page height, text lines)`` of every page."""
    try:
        import pdfplumber

        pages = []
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                lines = page.extract_text_lines(layout=False, strip=True, return_chars=True)
                pages.append((float(page.height), [ln for ln in lines if ln["text"].strip()]))
                page.close()  # pdfplumber caches each page's objects until closed
    except Exception as exc:  # pdfminer raises many types on a damaged file
        name = type(exc).__name__
        reason = " ".join(str(exc).split())[:160] or name
        if "password" in name.lower() or "encrypt" in (name + reason).lower():
            reason = "the PDF is encrypted"
        raise SourceError(f"not a readable PDF ({reason})", path=path) from None
    return pages


def _running(pages: Sequence[tuple[float, list[dict[str, Any]]]], body: float
             ) -> set[tuple[int, int]]:
    """``(page, line index)`` of running headers, footers and page numbers."""
    def key(text: str) -> str:
        return re.sub(r"\d+", "#", " ".join(text.split()).lower())

    edges: list[tuple[int, int, str, bool]] = []
    for p, (height, lines) in enumerate(pages):
        for i, line in enumerate(lines):
            if line["top"] < height * _BAND or line["bottom"] > height * (1 - _BAND):
                small = _size(line) < body - 0.5
                edges.append((p, i, key(line["text"]), small))
    by_key = Counter(k for _, k in {(p, k) for p, _, k, _ in edges})
    recurring = {k for k, n in by_key.items() if n >= 2}
    return {(p, i) for p, i, k, small in edges
            if small or k in recurring or _PAGE_NUMBER.match(k.replace("#", "1"))}


def _page_text(lines: list[dict[str, Any]], skip: set[int], body: float, left: float,
               heading_sizes: list[float]) -> tuple[list[str], list[int]]:
    """Markdown-shaped lines of one page and, for each, its line number on the page."""
    out: list[str] = []
    numbers: list[int] = []

    def add(text: str, number: int) -> None:
        out.append(text)
        numbers.append(number)

    def blank(number: int) -> None:
        if out and out[-1]:
            add("", number)

    prev: dict[str, Any] | None = None
    in_item = False
    for i, line in enumerate(lines):
        if i in skip:
            continue
        number = i + 1
        text = " ".join(line["text"].split())
        size = _size(line)
        if size >= body * 1.15 and size in heading_sizes and len(text) <= 120:
            blank(number)
            add("#" * min(6, heading_sizes.index(size) + 1) + " " + text, number)
            blank(number)
            prev, in_item = None, False
            continue
        gap = line["top"] - prev["bottom"] if prev is not None else 0.0
        if prev is not None and gap > body * 0.5:
            blank(number)
            in_item = False
        indented = line["x0"] - left >= body * 0.8
        if text[:1] in _BULLETS and len(text) > 1:
            add("- " + text[1:].lstrip(), number)
            in_item = True
        elif indented and (prev is None or not in_item or prev["x0"] < line["x0"] - 1
                           or prev["text"].rstrip()[-1:] in _FINISHED):
            if not in_item:
                blank(number)
            add("- " + text, number)
            in_item = True
        elif in_item and indented:
            add("  " + text, number)
        else:
            if in_item:
                blank(number)
                in_item = False
            add(text, number)
        prev = line
    while out and not out[-1]:
        out.pop()
        numbers.pop()
    return out, numbers


def _carried(sections: list[Section], text: str) -> Section | None:
    """The innermost section still open at the end of a page."""
    open_ = [s for s in sections if s.end >= len(text)]
    return max(open_, key=lambda s: s.start) if open_ else None


def read_pdf(path: Path, text: str, options: dict[str, Any]) -> list[Document]:
    """A PDF (its bytes in ``options["data"]``) as one postmortem document per page, each
    named ``<path>#page=N`` with its lines counted within the page.

    >>> read_pdf(Path("pm.pdf"), "", {"data": b"%PDF-1.7 broken"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dna_kit.errors.SourceError: pm.pdf: not a readable PDF (...)
    """
    data = options.get("data")
    if not isinstance(data, bytes):
        data = path.read_bytes()
    pages = _pages(data, path)
    sizes: Counter[float] = Counter()
    for _, lines in pages:
        for line in lines:
            sizes[_size(line)] += len(line["text"])
    if not sizes:
        raise SourceError("no text in the PDF (a scanned document? it needs OCR first)",
                          path=path)
    body = sizes.most_common(1)[0][0]
    running = _running(pages, body)
    # The body's left edge: the leftmost x where a good share of the text starts, running
    # headers aside (they often sit in the margin).
    lefts: Counter[float] = Counter()
    for p, (_, lines) in enumerate(pages):
        for i, line in enumerate(lines):
            if (p, i) not in running:
                lefts[round(float(line["x0"]))] += len(line["text"])
    top = lefts.most_common(1)[0][1] if lefts else 0
    left = float(min((x for x, n in lefts.items() if n >= top / 4), default=0))
    heading_sizes = sorted((s for s in sizes if s >= body * 1.15), reverse=True)
    documents: list[Document] = []
    open_section: Section | None = None
    for p, (_, lines) in enumerate(pages, start=1):
        skip = {i for q, i in running if q == p - 1}
        out, numbers = _page_text(lines, skip, body, left, heading_sizes)
        if not out:
            continue
        page_text = "\n".join(out) + "\n"
        sections = find_sections(page_text)
        if open_section is not None:
            first = sections[0].start if sections else len(page_text)
            if first > 0:
                # The page starts inside the previous page's last section: line 0 is no
                # line of this page, so no line of it is taken for that heading.
                sections.insert(0, Section(title=open_section.title, kind=open_section.kind,
                                           start=0, end=first, line=0,
                                           level=open_section.level))
        documents.append(Document(
            path=f"{path}#page={p}", text=page_text, kind="postmortem", sections=sections,
            events=[], line_map=numbers, metadata={"page": str(p)}))
        documents[-1].events = [replace(e, line=numbers[e.line - 1])
                                for e in find_events(page_text, sections)]
        open_section = _carried(sections, page_text) or open_section
    if not documents:
        raise SourceError("no text in the PDF outside running headers and footers",
                          path=path)
    return documents
