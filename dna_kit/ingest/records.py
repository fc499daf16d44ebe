"""Timelines as records: JSON-lines logs and CSV files, one event per record.

The time, message and actor fields are found by name (``timestamp``/``time``/``ts``...,
``message``/``msg``/``text``..., ``user``/``actor``/``service``...) unless given with
``fields={"time": ..., "message": ..., "actor": ...}``. Each record becomes one line of
text, ``2026-03-14T14:03:00Z api: retries exhausted``, mapped to its line in the file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dna_kit.document import Document, TimelineEvent
from dna_kit.errors import SourceError

__all__ = ["TIME_FIELDS", "looks_like_jsonl", "read_csv", "read_jsonl"]

TIME_FIELDS = ("timestamp", "time", "ts", "@timestamp", "datetime", "date", "when",
               "created_at", "occurred_at", "start", "at", "t")
MESSAGE_FIELDS = ("message", "msg", "text", "event", "description", "summary", "log",
                  "details", "what", "body", "action", "note", "notes")
ACTOR_FIELDS = ("actor", "user", "author", "who", "by", "owner", "person", "service",
                "host", "source", "logger", "component", "name")
_MAX_WARNINGS = 20


def looks_like_jsonl(head: str) -> bool:
    """True when the first two non-blank lines are each a whole JSON object."""
    lines = [ln.strip() for ln in head.split("\n")[:-1] if ln.strip()][:2]
    return len(lines) == 2 and all(ln.startswith("{") and ln.endswith("}") for ln in lines)


def _pick(columns: Sequence[str], wanted: str | None, known: Sequence[str]) -> str | None:
    if wanted:
        return wanted if wanted in columns else None
    lower = {c.lower().strip(): c for c in columns}
    return next((lower[name] for name in known if name in lower), None)


def _fields(columns: Sequence[str], options: Mapping[str, Any], path: Path,
            line: int) -> tuple[str, str | None, str | None]:
    given = options.get("fields") or {}
    time = _pick(columns, given.get("time"), TIME_FIELDS)
    if time is None:
        asked = f" {given['time']!r} is not among them" if given.get("time") else (
            " none is named like a time (timestamp, time, ts, date, ...); say which column "
            "holds the time")
        raise SourceError(f"no time column: the columns are {', '.join(map(repr, columns))};"
                          + asked, path=path, line=line, field="time")
    message = _pick(columns, given.get("message"), MESSAGE_FIELDS)
    if given.get("message") and message is None:
        raise SourceError(f"no message column {given['message']!r}; the columns are "
                          f"{', '.join(map(repr, columns))}", path=path, line=line,
                          field="message")
    actor = _pick(columns, given.get("actor"), ACTOR_FIELDS)
    return time, message, actor


def _line_of(record: Mapping[str, Any], time: str, message: str | None,
             actor: str | None) -> tuple[str, str | None, str]:
    when = str(record.get(time) or "").strip()
    who = str(record.get(actor) or "").strip() or None if actor else None
    if message is not None:
        what = str(record.get(message) or "")
    else:  # no message field: everything but the time and actor, as name=value
        what = " ".join(f"{k}={v}" for k, v in record.items() if k not in (time, actor))
    return when, who, " ".join(what.split())


def _document(path: Path, rows: list[tuple[int, str, str | None, str]], kind: str,
              warnings: list[str]) -> Document:
    lines, line_map, events = [], [], []
    for line, when, who, what in rows:
        lines.append(f"{when} {who}: {what}" if who else f"{when} {what}")
        line_map.append(line)
        events.append(TimelineEvent(time=when, actor=who, text=what, line=line))
    return Document(path=str(path), text="\n".join(lines) + "\n", kind=kind, events=events,
                    line_map=line_map, warnings=warnings)


def read_jsonl(path: Path, text: str, options: dict[str, Any]) -> list[Document]:
    """A JSON-lines log; broken lines are skipped, each with a warning naming its line."""
    warnings: list[str] = []
    broken = 0
    rows: list[tuple[int, str, str | None, str]] = []
    chosen: tuple[str, str | None, str | None] | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            record, problem = None, f"not JSON ({exc.msg})"
        else:
            problem = "" if isinstance(record, dict) else "not a JSON object"
        if problem or not isinstance(record, dict):
            broken += 1
            if broken <= _MAX_WARNINGS:
                warnings.append(f"{path}:{number}: skipped a broken line: {problem}")
            continue
        if chosen is None:
            chosen = _fields(list(record), options, path, number)
        when, who, what = _line_of(record, *chosen)
        if not when:
            broken += 1
            if broken <= _MAX_WARNINGS:
                warnings.append(f"{path}:{number}: skipped a record with no "
                                f"{chosen[0]!r} value")
            continue
        rows.append((number, when, who, what))
    if broken > _MAX_WARNINGS:
        warnings.append(f"{path}: ... and {broken - _MAX_WARNINGS} more broken lines")
    if not rows:
        raise SourceError(f"no usable JSON-lines records ({broken} broken line(s))",
                          path=path, line=1)
    return [_document(path, rows, "timeline", warnings)]


def read_csv(path: Path, text: str, options: dict[str, Any]) -> list[Document]:
    """A CSV (or TSV) timeline with a header row naming a time column."""
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise SourceError(f"no header row ({exc})", path=path, line=1) from None
    header = [h.strip() for h in header]
    time, message, actor = _fields(header, options, path, 1)
    rows: list[tuple[int, str, str | None, str]] = []
    warnings: list[str] = []
    start = reader.line_num + 1
    try:
        for values in reader:
            line, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header) and len(warnings) < _MAX_WARNINGS:
                warnings.append(f"{path}:{line}: {len(values)} values for {len(header)} "
                                "columns")
            record = dict(zip(header, values, strict=False))
            when, who, what = _line_of(record, time, message, actor)
            if when:
                rows.append((line, when, who, what))
            elif len(warnings) < _MAX_WARNINGS:
                warnings.append(f"{path}:{line}: skipped a row with no {time!r} value")
    except csv.Error as exc:
        raise SourceError(f"malformed CSV: {exc}", path=path, line=reader.line_num) from None
    if not rows:
        raise SourceError(f"no rows with a {time!r} value", path=path, line=2, field=time)
    return [_document(path, rows, "timeline", warnings)]
