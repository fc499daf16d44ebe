"""Word ``.docx`` postmortems, read with python-docx.

The body is read in document order, paragraphs and tables interleaved as they sit in the
file, and written as Markdown-shaped text so the Markdown postmortem reader's sections
and timeline apply: ``Title`` and ``Heading N`` paragraphs become ``#`` headings, list
paragraphs (``List …`` styles or Word numbering) become ``- `` items indented by level,
a paragraph that is one bold run becomes ``**…**`` (a heading made by hand), every table
row becomes ``| a | b |`` (cells merged across columns written once) and a manual line
break starts a new line. Headers, footers, footnotes, comments and text boxes are not read.

Provenance is by paragraph: ``Document.line_map`` maps each line of the text to the
1-based number of the body item it came from, counting the body in document order where
each paragraph (empty ones included) is one item and each table row is one item. So
"line 12" of ``report.docx`` is the 12th paragraph or table row from the top of the
document. Timeline events carry that number too; sections keep the line of the text,
which is where the extractor looks for their headings. The core properties' title and
author, when set, go to ``Document.metadata``.

>>> import docx as _docx, io
>>> word = _docx.Document(); _ = word.add_heading("Root cause", 1)
>>> _ = word.add_paragraph("Retries are capped at 3.")
>>> buffer = io.BytesIO(); word.save(buffer)
>>> [doc] = read_docx(Path("pm.docx"), "", {"data": buffer.getvalue()})
>>> doc.text, list(doc.line_map)
('# Root cause\\n\\nRetries are capped at 3.\\n', [1, 1, 2])
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from dna_kit.document import Document
from dna_kit.errors import SourceError
from dna_kit.ingest.markdown import read_postmortem

__all__ = ["read_docx"]

_HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.I)
_LIST_STYLE = re.compile(r"^list\b.*?(\d)?$", re.I)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\xad"))


def _words(text: str) -> str:
    return " ".join(text.translate(_INVISIBLE).split())


def _open(data: bytes, path: Path) -> Any:
    import docx

    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # zipfile, lxml and python-docx each raise their own types
        reason = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise SourceError(f"not a readable Word .docx document ({reason})",
                          path=path) from None


class _Reader:
    """Markdown-shaped lines of one Word document, each with its body item number."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.items: list[int] = []
        self.item = 0
        self.in_list = False

    def add(self, line: str) -> None:
        self.lines.append(line)
        self.items.append(self.item)

    def blank(self) -> None:
        if self.lines and self.lines[-1]:
            self.add("")

    def paragraph(self, paragraph: Any) -> None:
        self.item += 1
        parts = [_words(part) for part in paragraph.text.split("\n")]
        parts = [part for part in parts if part]
        if not parts:
            return
        level = self.heading_level(paragraph)
        if level:
            self.end_list()
            self.blank()
            self.add("#" * level + " " + " ".join(parts))
            self.blank()
            return
        depth = self.list_depth(paragraph)
        if depth is not None:
            if not self.in_list:
                self.blank()
            self.in_list = True
            self.add("  " * depth + "- " + parts[0])
            for part in parts[1:]:
                self.add("  " * depth + "  " + part)
            return
        self.end_list()
        self.blank()
        runs = [run for run in paragraph.runs if run.text.strip()]
        if (len(parts) == 1 and runs and all(run.bold for run in runs)
                and len(parts[0]) <= 80):
            self.add(f"**{parts[0]}**")
        else:
            for part in parts:
                self.add(part)
        self.blank()

    def table(self, table: Any) -> None:
        self.end_list()
        self.blank()
        for n, row in enumerate(table.rows):
            self.item += 1
            cells, seen = [], set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # a merged cell repeats across its columns
                    continue
                seen.add(id(cell._tc))
                cells.append(_words(cell.text).replace("|", "\\|"))
            if not any(cells):
                continue
            self.add("| " + " | ".join(cells) + " |")
            if n == 0 and len(table.rows) > 1:
                self.add("|" + " --- |" * len(cells))
        self.blank()

    def end_list(self) -> None:
        if self.in_list:
            self.in_list = False
            self.blank()

    def heading_level(self, paragraph: Any) -> int:
        style = paragraph.style
        names = [] if style is None else [style.name or "", style.style_id or ""]
        for name in names:
            if name.lower() == "title":
                return 1
            m = _HEADING_STYLE.match(re.sub(r"(?i)^heading(?=\d)", "Heading ", name))
            if m:
                # Under a Title, "Heading 1" is the second level, as in the outline.
                return min(6, int(m.group(1)) + (1 if self.titled else 0))
        return 0

    @property
    def titled(self) -> bool:
        return any(line.startswith("# ") for line in self.lines[:3])

    def list_depth(self, paragraph: Any) -> int | None:
        ppr = paragraph._p.pPr
        num = ppr.numPr if ppr is not None else None
        if num is not None and num.numId is not None and num.numId.val != 0:
            return int(num.ilvl.val) if num.ilvl is not None else 0
        style = paragraph.style
        m = _LIST_STYLE.match(style.name or "") if style is not None else None
        if m and (style.name or "").lower() != "list paragraph":
            return max(0, int(m.group(1)) - 1) if m.group(1) else 0
        return None


def read_docx(path: Path, text: str, options: dict[str, Any]) -> list[Document]:
    """A Word document (its bytes in ``options["data"]``) as one postmortem document, each
    line mapped to the paragraph or table row it came from."""
    data = options.get("data")
    if not isinstance(data, bytes):
        data = path.read_bytes()
    word = _open(data, path)
    reader = _Reader()
    try:
        for block in word.iter_inner_content():
            if hasattr(block, "rows"):
                reader.table(block)
            else:
                reader.paragraph(block)
    except (KeyError, ValueError, AttributeError) as exc:  # a damaged part of the file
        raise SourceError(f"damaged Word document ({exc})", path=path,
                          line=reader.item or None) from None
    while reader.lines and not reader.lines[-1]:
        reader.lines.pop()
        reader.items.pop()
    if not reader.lines:
        raise SourceError("no text in the Word document's body", path=path)
    body = "\n".join(reader.lines) + "\n"
    [doc] = read_postmortem(path, body, options)
    doc.line_map = reader.items
    doc.events = [replace(e, line=reader.items[e.line - 1]) for e in doc.events]
    props = word.core_properties
    for key in ("title", "author"):
        value = _words(str(getattr(props, key, "") or ""))
        if value and key not in doc.metadata:
            doc.metadata[key] = value
    return [doc]
