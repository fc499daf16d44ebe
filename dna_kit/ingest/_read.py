"""Reading a source file safely: size and line limits, binary detection, decoding.

Text sources go through :func:`read_source`, which refuses binary files. Word and PDF
documents are binary by nature: :func:`peek_source` gives a file's first bytes so the
ingest dispatch can send them (``%PDF``, ``PK\\x03\\x04``) to their readers, which get the
bytes from :func:`read_document_bytes`.
"""

from __future__ import annotations

import re
from pathlib import Path

from dna_kit.errors import SourceError

#: A line longer than this is not prose: a minified blob, a dump, or a corrupt file.
MAX_LINE_CHARS = 1 << 20
#: A single source larger than this is refused: one document is read whole, and the
#: extractor's working memory grows with it (archives of many files stay flat).
MAX_FILE_BYTES = 48 << 20
_CHUNK = 1 << 20
#: A Word or PDF document larger than this is refused: images make them big, but the
#: converters still hold the whole file in memory.
MAX_DOCUMENT_BYTES = 256 << 20

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"PK\x03\x04", b"\x7fELF", b"GIF8", b"\xff\xd8\xff",
                 b"\x1f\x8b", b"BZh", b"\xfd7zXZ")


def read_source_bytes(path: Path) -> bytes:
    """The bytes of ``path``, refusing binary files, empty files, huge files and files with
    a line longer than :data:`MAX_LINE_CHARS`, each with a message naming the file.

    The file is read in chunks, so a 100 MB single line is refused after the first MiB,
    not after loading it all.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", path=path) from None
    chunks: list[bytes] = []
    line_no, line_len = 1, 0
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                if not chunks:
                    _refuse_binary(path, chunk)
                last = chunk.rfind(b"\n")
                if last < 0:
                    line_len += len(chunk)
                else:
                    first = chunk.find(b"\n")
                    line_len += first
                    if line_len <= MAX_LINE_CHARS:
                        line_len = _longest_inner(chunk, first, last)
                    if line_len <= MAX_LINE_CHARS:
                        line_no += chunk.count(b"\n")
                        line_len = len(chunk) - last - 1
                if line_len > MAX_LINE_CHARS:
                    raise SourceError(
                        f"a line longer than {MAX_LINE_CHARS >> 20} MiB (no line breaks); "
                        "this is not a text source (minified or binary data?)",
                        path=path, line=line_no)
                chunks.append(chunk)
                # Look at the start first: a one-line dump says more than its size does.
                if size > MAX_FILE_BYTES and len(chunks) >= 2:
                    raise SourceError(f"file is {size / 2**20:.0f} MiB, over the "
                                      f"{MAX_FILE_BYTES >> 20} MiB limit for one source; "
                                      "split it", path=path)
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", path=path) from None
    raw = b"".join(chunks)
    if not raw.strip():
        raise SourceError("empty file; nothing to read", path=path)
    return raw


def _longest_inner(chunk: bytes, first: int, last: int) -> int:
    """Longest line strictly between the first and last newline of ``chunk``."""
    longest, pos = 0, first
    while pos < last:
        nxt = chunk.find(b"\n", pos + 1)
        longest = max(longest, nxt - pos - 1)
        if longest > MAX_LINE_CHARS:
            break
        pos = nxt
    return longest


#: Every byte but the control characters (below tab, and from after CR to before space).
_NOT_CONTROL = bytes(b for b in range(256) if not (b < 9 or 13 < b < 32))


def peek_source(path: Path, size: int = 8) -> bytes:
    """The first ``size`` bytes of ``path`` (to tell a PDF or a Word document by its magic
    number); :class:`SourceError` naming the file if it cannot be read.

    >>> peek_source(Path("missing.pdf"))
    Traceback (most recent call last):
    ...
    dna_kit.errors.SourceError: missing.pdf: cannot read: No such file or directory
    """
    try:
        with path.open("rb") as fh:
            return fh.read(size)
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", path=path) from None


def read_document_bytes(path: Path) -> bytes:
    """The bytes of a binary document (Word, PDF), refusing empty and huge files.

    >>> read_document_bytes(Path("missing.docx"))
    Traceback (most recent call last):
    ...
    dna_kit.errors.SourceError: missing.docx: cannot read: No such file or directory
    """
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise SourceError(f"file is {size / 2**20:.0f} MiB, over the "
                              f"{MAX_DOCUMENT_BYTES >> 20} MiB limit for one document",
                              path=path)
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", path=path) from None
    if not raw.strip():
        raise SourceError("empty file; nothing to read", path=path)
    return raw


def _refuse_binary(path: Path, head: bytes) -> None:
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head[:8192]:
        raise SourceError("binary file (not text); sources are Markdown, text, HTML, JSON, "
                          "JSON lines, CSV, Word .docx or PDF", path=path, line=1)
    sample = head[:8192]
    control = len(sample.translate(None, _NOT_CONTROL))  # one C pass, not one per byte
    if sample and control / len(sample) > 0.1:
        raise SourceError("binary file (mostly control characters)", path=path, line=1)


def decode_source(raw: bytes, path: Path) -> tuple[str, list[str]]:
    """``(text, warnings)``: UTF-8 (a BOM is dropped); anything else is decoded as
    Windows-1252 with a warning naming the file and the first bad byte."""
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        warning = (f"{path}:{line}: not UTF-8 (byte {raw[exc.start]:#04x} at offset "
                   f"{exc.start}); decoded as Windows-1252, check accented characters")
        return raw.decode("cp1252", errors="replace"), [warning]


def read_source(path: str | Path) -> tuple[str, list[str]]:
    """Read and decode a source: ``(text, warnings)``; :class:`SourceError` if unusable.

    >>> read_source("missing.md")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dna_kit.errors.SourceError: missing.md: cannot read: No such file or directory
    """
    path = Path(path)
    text, warnings = decode_source(read_source_bytes(path), path)
    # Normalise line ends once, so offsets and line numbers agree everywhere.
    if "\r" in text:
        text = _CRLF.sub("\n", text)
    return text, warnings


_CRLF = re.compile(r"\r\n?")
