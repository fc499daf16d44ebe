"""Units as written: a chat message, a log line, a timeline entry or a table row is one
unit, never merged with the next; a list item that continues over lines is one."""

from __future__ import annotations

import json
from pathlib import Path

from dna_kit.document import Document
from dna_kit.extract.segment import segment


def _units(text: str, kind: str = "postmortem") -> list[str]:
    return [s.text for s in segment(Document("pm.md", text, kind=kind))]


def test_irc_lines_in_markdown_are_one_unit_each() -> None:
    text = ("# Meeting log\n\n"
            "**\\<ana\\>** the pool is capped at 40 connections  \n"
            "**\\<bo\\>** agreed, and we keep it there  \n"
            "<cy> fine by me\n")
    assert _units(text) == ["the pool is capped at 40 connections",
                            "agreed, and we keep it there", "fine by me"]


def test_timeline_lines_are_one_unit_each() -> None:
    text = ("## Timeline\n\n"
            "14:20 raised the replication slots from 3 to 32\n"
            "14:31 lowered the limit to 2000\n"
            "2024-01-16 09:00 UTC the backlog drained\n"
            "[10:02] ana: the queue is empty\n")
    assert _units(text) == ["14:20 raised the replication slots from 3 to 32",
                            "14:31 lowered the limit to 2000",
                            "2024-01-16 09:00 UTC the backlog drained",
                            "the queue is empty"]


def test_a_hard_line_break_ends_a_unit_and_a_soft_one_does_not() -> None:
    text = ("Retries are capped at 3  \n"
            "Timeouts are 5 s\n\n"
            "A paragraph wrapped\nover two lines.\n")
    assert _units(text) == ["Retries are capped at 3", "Timeouts are 5 s",
                            "A paragraph wrapped over two lines."]


def test_a_list_item_that_continues_over_lines_is_one_unit() -> None:
    text = ("- The pool is capped at 40 connections\n"
            "  per worker, and never raised by hand\n"
            "- 14:20 the limit was lowered to 2000\n")
    assert _units(text) == ["The pool is capped at 40 connections per worker, and never "
                            "raised by hand", "14:20 the limit was lowered to 2000"]


def test_table_rows_are_units() -> None:
    text = ("| time | change |\n|---|---|\n"
            "| 14:20 | raised the replication slots to 32 |\n"
            "| 14:31 | lowered the connection limit to 2000 |\n")
    assert _units(text) == ["raised the replication slots to 32",
                            "lowered the connection limit to 2000"]


def test_chat_messages_are_never_merged(tmp_path: Path) -> None:
    from dna_kit.ingest import ingest

    path = tmp_path / "incident.json"
    path.write_text(json.dumps([
        {"ts": "1700000000.0", "user": "U1", "text": "the pool is capped at 40"},
        {"ts": "1700000060.0", "user": "U2", "text": "raising it to 80 now"},
        {"ts": "1700000120.0", "user": "U1", "text": "first line\nsecond line of it",
         "thread_ts": "1700000000.0"},
        {"ts": "1700000180.0", "user": "U3", "text": "no"},
    ]), encoding="utf-8")
    [document] = ingest(path)
    assert document.kind == "chat"
    units = [s.text for s in segment(document)]
    assert units == ["the pool is capped at 40", "first line second line of it",
                     "raising it to 80 now", "no"]


def test_a_bracket_without_a_time_is_not_a_speaker() -> None:
    assert _units("[1] Some footnote: the pool is capped at 40.\n") == \
        ["[1] Some footnote: the pool is capped at 40."]
