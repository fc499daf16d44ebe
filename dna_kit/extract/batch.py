"""Ingest and extract whole archives: one file at a time, on a process pool.

:func:`extract_paths` yields one :class:`FileExtraction` per source file, in file order, as
soon as it is ready. Only a few files are in flight at once, so memory stays flat however
large the archive is; nothing about the archive as a whole is held. A progress bar (tqdm)
appears on stderr when a run takes more than a second.

>>> for result in extract_paths(["incidents/"], workers=2):   # doctest: +SKIP
...     print(result.path, len(result.candidates), result.error)
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dna_kit.extract.candidate import Candidate
from dna_kit.extract.scorer import DEFAULT, Weights

if TYPE_CHECKING:
    from dna_kit.ingest import Reader
    from dna_kit.registry import Registry

__all__ = ["FileExtraction", "extract_paths"]


@dataclass
class FileExtraction:
    """What one source file gave: counts, candidates, warnings, or the error."""

    path: Path
    reader: str | None = None
    documents: int = 0
    sections: int = 0
    events: int = 0
    #: Keys of the documents' front matter (``title``, ``date``...), in order.
    metadata: list[str] = field(default_factory=list)
    size: int = 0
    candidates: list[Candidate] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    #: The field of the source the error is about (``time``: no time column), if any.
    error_field: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _one(path: Path, format: str | None, fields: Mapping[str, str] | None,
         extract: bool, llm: Any = None, weights: Weights = DEFAULT,
         readers: Registry[Reader] | None = None) -> FileExtraction:
    from dna_kit.extract import extract_findings
    from dna_kit.ingest import read_one

    result = read_one(path, format=format, fields=fields, readers=readers)
    out = FileExtraction(path=path, reader=result.reader, warnings=list(result.warnings))
    with contextlib.suppress(OSError):
        out.size = path.stat().st_size
    if result.error is not None:
        out.error = str(result.error)
        out.error_field = getattr(result.error, "field", None)
        return out
    out.documents = len(result.documents)
    for document in result.documents:
        out.sections += len(document.sections)
        out.events += len(document.events)
        out.metadata += [k for k in document.metadata if k not in out.metadata]
        if extract:
            seen = len(document.warnings)
            out.candidates += extract_findings(document, llm=llm, weights=weights)
            # What extraction had to say (a model that failed, and the offline fallback).
            out.warnings += document.warnings[seen:]
    return out


#: Files one task of the process pool reads: the readers' registry (which looks for
#: installed plugins, a scan of every installed package's metadata) is built once per task,
#: not once per file; on a folder of small write-ups that scan cost as much as reading them.
_FILES_PER_TASK = 8


def _some_packed(args: tuple[list[Path], str | None, Mapping[str, str] | None, bool, Weights]
                 ) -> list[FileExtraction]:
    from dna_kit.ingest import build_readers

    paths, format, fields, extract, weights = args
    readers = build_readers()
    return [_one(path, format, fields, extract, None, weights, readers) for path in paths]


def extract_paths(paths: Iterable[str | Path], *, workers: int | None = None,
                  format: str | None = None, fields: Mapping[str, str] | None = None,
                  extract: bool = True, llm: Any = None,
                  progress: bool | None = None,
                  weights: Weights = DEFAULT) -> Iterator[FileExtraction]:
    """Read (and, unless ``extract=False``, extract) every source under ``paths``.

    ``workers`` processes share the work (default: every core; 1 runs in this process;
    a model client always runs in this process). Bad files give a result with ``error``
    set; the rest go on. ``progress`` shows a bar on stderr (default: when stderr is a
    terminal), only once the run has taken a second. ``weights`` are the offline
    extractor's (see :func:`~dna_kit.extract.extract_findings`).
    """
    import sys

    from dna_kit.ingest import build_readers, iter_source_files

    files = list(iter_source_files(paths))
    if workers is None:
        workers = os.cpu_count() or 1
    workers = max(1, min(workers, len(files) or 1))
    if progress is None:
        progress = sys.stderr.isatty()
    bar = _bar(files, progress)
    try:
        if workers == 1 or llm is not None:
            readers = build_readers()
            for path in files:
                result = _one(path, format, fields, extract, llm, weights, readers)
                _tick(bar, result)
                yield result
            return
        # Small tasks, so the cores stay evenly busy, but not one file each (see
        # _FILES_PER_TASK); a bounded window of tasks in flight keeps memory flat.
        per_task = max(1, min(_FILES_PER_TASK, len(files) // (workers * 4)))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            pending: deque[Future[list[FileExtraction]]] = deque()
            for start in range(0, len(files), per_task):
                pending.append(pool.submit(_some_packed, (files[start:start + per_task],
                                                          format, fields, extract, weights)))
                if len(pending) >= workers * 4:
                    for result in pending.popleft().result():
                        _tick(bar, result)
                        yield result
            while pending:
                for result in pending.popleft().result():
                    _tick(bar, result)
                    yield result
    finally:
        if bar is not None:
            bar.close()


def _bar(files: list[Path], enabled: bool) -> Any:
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # the bar is a nicety; tqdm comes with the notebooks extra
        return None
    total = 0
    for path in files:
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return tqdm(total=total, unit="B", unit_scale=True, delay=1.0, desc="extract",
                leave=False)


def _tick(bar: Any, result: FileExtraction) -> None:
    if bar is not None:
        bar.update(result.size)
