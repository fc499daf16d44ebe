"""Ingest: sources in, documents out.

A registry of readers (:func:`build_readers`) turns each source file into documents. The
reader is chosen by content first (a PDF's or a Word document's magic number, a
transcript's ``## Q1 ·`` headings, a chat export's ``"ts"`` fields, JSON lines, an HTML
page's ``<!doctype html>``), then by extension, and can be forced with ``format=``.
Directories are walked. :func:`ingest` is strict (the first bad file raises
:class:`~dna_kit.errors.SourceError` naming it); :func:`scan` reports each file's outcome
and goes on, which is what ``dna ingest`` and ``dna extract`` use.

>>> docs = ingest("incidents/2026-03-retry-storm.md")  # doctest: +SKIP
>>> docs[0].sections[0].kind                            # doctest: +SKIP
'summary'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dna_kit.document import Document
from dna_kit.errors import DnaKitError, SourceError, clip
from dna_kit.ingest._read import peek_source, read_document_bytes, read_source
from dna_kit.ingest.chat import SLACK_METADATA, looks_like_chat, read_chat
from dna_kit.ingest.docx import read_docx
from dna_kit.ingest.html import looks_like_html, read_html
from dna_kit.ingest.markdown import read_postmortem
from dna_kit.ingest.pdf import read_pdf
from dna_kit.ingest.records import looks_like_jsonl, read_csv, read_jsonl
from dna_kit.ingest.transcript import looks_like_transcript, read_transcript
from dna_kit.registry import Registry, build_registry

__all__ = ["Reader", "SourceResult", "build_readers", "choose_reader", "ingest",
           "iter_source_files", "scan"]

ReadFn = Callable[[Path, str, dict[str, Any]], list[Document]]

#: Extensions a directory walk picks up; a file named explicitly is always tried.
SOURCE_EXTENSIONS = frozenset({".md", ".markdown", ".txt", ".text", ".rst", ".json",
                               ".jsonl", ".ndjson", ".log", ".csv", ".tsv", "", ".html",
                               ".htm", ".xhtml", ".docx", ".pdf"})


@dataclass(frozen=True)
class Reader:
    """A named source reader: the extensions it claims, a content test, and ``read``.

    A reader of a binary format (Word, PDF) names the ``magic`` numbers its files start
    with and sets ``binary``: its ``read`` gets ``""`` as text and the file's bytes as
    ``options["data"]``.
    """

    name: str
    read: ReadFn
    extensions: tuple[str, ...] = ()
    sniff: Callable[[str], bool] | None = None
    description: str = ""
    magic: tuple[bytes, ...] = ()
    binary: bool = False


def build_readers() -> Registry[Reader]:
    """A fresh registry of the built-in readers, in the order content tests are tried, then
    those of installed ``dna_kit.readers`` plugins (see :mod:`dna_kit.registry`).

    >>> build_readers().names()
    ['transcript', 'chat', 'jsonl', 'html', 'csv', 'markdown', 'docx', 'pdf']
    """
    return build_registry("source format", "dna_kit.readers", register_builtin_readers,
                          item_type=Reader)


def register_builtin_readers(readers: Registry[Reader]) -> None:
    """Add the shipped readers, the way a ``dna_kit.readers`` plugin adds its own.

    >>> readers = Registry("source format")
    >>> register_builtin_readers(readers)
    >>> readers.get("csv").extensions
    ('.csv', '.tsv')
    """
    readers.register("transcript", Reader(
        "transcript", read_transcript, (), looks_like_transcript,
        "interview transcripts written by the interview notebook"))
    readers.register("chat", Reader(
        "chat", read_chat, (), looks_like_chat,
        "Slack-shaped chat exports (a channel folder of daily JSON files, or one file)"))
    readers.register("jsonl", Reader(
        "jsonl", read_jsonl, (".jsonl", ".ndjson", ".log"), looks_like_jsonl,
        "JSON-lines logs: one event per line"))
    readers.register("html", Reader(
        "html", read_html, (".html", ".htm", ".xhtml"), looks_like_html,
        "HTML pages: Confluence, Notion and Google Docs exports (main content only)"))
    readers.register("csv", Reader("csv", read_csv, (".csv", ".tsv"), None,
                                   "CSV timelines with a time column"))
    readers.register("markdown", Reader(
        "markdown", read_postmortem, (".md", ".markdown", ".txt", ".text", ".rst", ""),
        None, "Markdown or plain-text postmortems"))
    # Binary documents, told by their magic number before any text test runs.
    readers.register("docx", Reader(
        "docx", read_docx, (".docx",), None, "Word .docx documents", magic=(b"PK\x03\x04",),
        binary=True))
    readers.register("pdf", Reader(
        "pdf", read_pdf, (".pdf",), None, "PDF documents, one document per page "
        "(report.pdf#page=3)", magic=(b"%PDF",), binary=True))


def choose_reader(path: Path, head: str, readers: Registry[Reader],
                  format: str | None = None, *, magic: bytes = b"") -> Reader:
    """The reader for a source: ``format`` if given, else by content (``magic``, the
    file's first bytes, then the text's ``head``), else by extension, else Markdown (any
    text reads as prose).

    >>> choose_reader(Path("log.txt"), '{"ts": 1}\\n{"ts": 2}\\n', build_readers()).name
    'jsonl'
    >>> choose_reader(Path("report"), "", build_readers(), magic=b"%PDF-1.7").name
    'pdf'
    """
    if format:
        return readers.get(format)
    suffix = path.suffix.lower()
    for _, reader in readers.items():
        if magic and reader.magic and magic.startswith(reader.magic):
            return reader
    for _, reader in readers.items():
        if reader.sniff is not None and reader.sniff(head):
            # JSON that is not chat or JSON lines is not prose either; keep looking.
            return reader
    for _, reader in readers.items():
        if suffix and suffix in reader.extensions:
            return reader
    if suffix == ".json":
        return readers.get("chat") if "chat" in readers else readers.get("markdown")
    return readers.get("markdown")


@dataclass
class SourceResult:
    """What reading one source file gave: its documents, warnings, or the error."""

    path: Path
    documents: list[Document] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: DnaKitError | None = None
    reader: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def iter_source_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and the source files under directories named (sorted, hidden files and
    Slack workspace metadata skipped). A missing path is yielded so its read reports it.

    >>> [p.name for p in iter_source_files(["incidents/"])]    # doctest: +SKIP
    ['2026-03-14-retry-storm.md', '2026-03-14.json', 'timeline.csv']
    """
    for item in paths:
        path = Path(item)
        if not path.is_dir():
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
            for name in sorted(files):
                if name.startswith(".") or name in SLACK_METADATA:
                    continue
                child = Path(root) / name
                if child.suffix.lower() in SOURCE_EXTENSIONS:
                    yield child


def read_one(path: Path, *, format: str | None = None,
             fields: Mapping[str, str] | None = None,
             readers: Registry[Reader] | None = None) -> SourceResult:
    """Read one source file, catching its :class:`SourceError` into the result.

    >>> read_one(Path("missing.md")).error is not None
    True
    """
    readers = readers or build_readers()
    result = SourceResult(path=path)
    if path.exists() and not path.is_file():
        # A FIFO, socket or device would block the read forever, or never end.
        result.reader = "skipped"
        result.warnings = [f"{path}: not a regular file (a FIFO, socket or device); skipped"]
        return result
    reader: Reader | None = None
    options: dict[str, Any] = {"fields": dict(fields or {})}
    try:
        # Word and PDF files are told by their first bytes (or their extension) before
        # anything is decoded: they are binary, and only their own reader takes them.
        reader = choose_reader(path, "", readers, format, magic=peek_source(path))
        warnings: list[str] = []
        if reader.binary:
            text = ""
            options["data"] = read_document_bytes(path)
        else:
            text, warnings = read_source(path)
            reader = choose_reader(path, text[:8192], readers, format)
        result.reader = reader.name
        documents = reader.read(path, text, options)
    except DnaKitError as exc:
        result.error = exc
        return result
    except (RecursionError, MemoryError) as exc:
        result.error = SourceError(f"nested too deeply or too large to read "
                                   f"({type(exc).__name__})", path=path)
        return result
    except Exception as exc:  # a reader's own failure (a plugin's too) stays with its file
        name = reader.name if reader is not None else "source"
        result.error = SourceError(f"the {name} reader failed: {type(exc).__name__}: "
                                   f"{clip(str(exc))}", path=path)
        return result
    for doc in documents:
        doc.reader = reader.name
        doc.warnings[:0] = warnings
    result.documents = documents
    result.warnings = warnings + [w for d in documents for w in d.warnings[len(warnings):]]
    return result


def scan(paths: Iterable[str | Path], *, format: str | None = None,
         fields: Mapping[str, str] | None = None,
         readers: Registry[Reader] | None = None) -> Iterator[SourceResult]:
    """Read every source under ``paths``, one :class:`SourceResult` per file, going on past
    bad files. Files are read one at a time, so memory stays flat in archive size.

    >>> [r.ok for r in scan(["postmortems/"])]  # doctest: +SKIP
    [True, True, False]
    """
    readers = readers or build_readers()
    for path in iter_source_files(paths):
        yield read_one(path, format=format, fields=fields, readers=readers)


def ingest(path: str | Path, *, format: str | None = None,
           fields: Mapping[str, str] | None = None) -> list[Document]:
    """The documents of one source file, or of every source under a directory.

    Raises :class:`~dna_kit.errors.SourceError` naming the first file that cannot be read.

    >>> ingest("incidents/retry-storm.md")[0].kind  # doctest: +SKIP
    'postmortem'
    """
    if not Path(path).exists():
        raise SourceError("no such file or directory", path=path)
    documents: list[Document] = []
    for result in scan([path], format=format, fields=fields):
        if result.error is not None:
            raise result.error
        documents += result.documents
    return documents
