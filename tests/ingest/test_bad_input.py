"""Every kind of bad source gets a clear message naming the file; the others still go."""

from __future__ import annotations

from pathlib import Path

import pytest

from dna_kit.errors import SourceError
from dna_kit.ingest import ingest, scan
from dna_kit.ingest._read import MAX_LINE_CHARS


def _error(path: Path) -> str:
    with pytest.raises(SourceError) as info:
        ingest(path)
    message = str(info.value)
    assert message.startswith(str(path)), message  # every message names the file
    return message


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "diagram.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "binary file" in _error(path)


def test_empty_and_blank_files(tmp_path: Path) -> None:
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "blank.md").write_text("\n  \n", encoding="utf-8")
    assert "empty file" in _error(tmp_path / "empty.md")
    assert "empty file" in _error(tmp_path / "blank.md")


def test_non_utf8_is_decoded_with_a_warning_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("Summary\n\nThe café timeout is 5 s.\n".encode("cp1252"))
    [doc] = ingest(path)
    assert "café" in doc.text
    assert doc.warnings == [f"{path}:3: not UTF-8 (byte 0xe9 at offset 16); decoded as "
                            "Windows-1252, check accented characters"]


def test_malformed_chat_export_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "day.json"
    path.write_text('[\n  {"user": "U1", "ts": "1.0", "text": "hi"},\n  {"user": }\n]\n',
                    encoding="utf-8")
    message = _error(path)
    assert message.startswith(f"{path}:3: malformed chat export")


def test_chat_message_without_ts(tmp_path: Path) -> None:
    path = tmp_path / "day.json"
    path.write_text('[{"user": "U1", "text": "hi", "ts": "1.0"}, {"user": "U1", '
                    '"text": "no time"}]', encoding="utf-8")
    message = _error(path)
    assert "message 1 has no 'ts' field" in message


def test_json_lines_with_only_broken_lines(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text("{not json}\n{also not}\n", encoding="utf-8")
    assert "no usable JSON-lines records (2 broken line(s))" in _error(path)


def test_json_lines_with_too_many_broken_lines_summarises(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    good = '{"ts": "2026-01-01T00:00:00Z", "msg": "ok"}\n'
    path.write_text(good + "garbage\n" * 30 + good, encoding="utf-8")
    [doc] = ingest(path)
    assert len(doc.events) == 2
    assert len(doc.warnings) == 21 and doc.warnings[-1].endswith("and 10 more broken lines")


def test_csv_missing_its_time_column(tmp_path: Path) -> None:
    path = tmp_path / "timeline.csv"
    path.write_text("who,what\nana,paged\n", encoding="utf-8")
    message = _error(path)
    assert message.startswith(f"{path}:1: time: no time column: the columns are 'who', "
                              "'what'")
    # The library speaks of the source; the command line adds its own flag (test_cli).
    assert "say which column holds the time" in message and "--" not in message


def test_a_100_mb_single_line_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    with path.open("wb") as fh:
        chunk = b"x" * (1 << 20)
        for _ in range(100):
            fh.write(chunk)
    message = _error(path)
    assert f"a line longer than {MAX_LINE_CHARS >> 20} MiB" in message
    assert message.startswith(f"{path}:1:")


def test_missing_path(tmp_path: Path) -> None:
    assert "no such file" in _error(tmp_path / "nope.md")


def test_bad_files_do_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "a-good.md").write_text("## Summary\n\nRetries must stop after 3 attempts.\n",
                                        encoding="utf-8")
    (tmp_path / "b-empty.md").write_bytes(b"")
    (tmp_path / "c-binary.txt").write_bytes(b"\x00\x01\x02")
    (tmp_path / "d-good.csv").write_text("time,event\n10:00,paged\n", encoding="utf-8")
    results = list(scan([tmp_path]))
    assert [(r.path.name, r.ok) for r in results] == [
        ("a-good.md", True), ("b-empty.md", False), ("c-binary.txt", False),
        ("d-good.csv", True)]
    assert all(str(r.path) in str(r.error) for r in results if not r.ok)


def test_a_source_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    from dna_kit.ingest._read import MAX_FILE_BYTES

    path = tmp_path / "huge.md"
    line = b"Retries are capped at 5 s in this very long but ordinary write-up.\n"
    with path.open("wb") as fh:
        for _ in range(MAX_FILE_BYTES // len(line) + 2):
            fh.write(line)
    assert f"over the {MAX_FILE_BYTES >> 20} MiB limit for one source" in _error(path)


def test_json_nested_twenty_thousand_deep_fails_alone(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text("[" * 20_000 + "]" * 20_000, encoding="utf-8")
    (tmp_path / "ok.md").write_text("# Summary\n\nRetries are capped at 3.\n", encoding="utf-8")
    results = {r.path.name: r for r in scan([tmp_path])}
    assert "nested too deeply" in str(results["deep.json"].error)
    assert str(results["deep.json"].error).startswith(str(tmp_path / "deep.json"))
    assert results["ok.md"].ok and results["ok.md"].documents


def test_a_fifo_is_skipped_with_a_warning_not_waited_on(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.md")
    (tmp_path / "ok.md").write_text("# Summary\n\nRetries are capped at 3.\n", encoding="utf-8")
    results = {r.path.name: r for r in scan([tmp_path])}  # would block forever on the FIFO
    assert results["pipe.md"].ok and not results["pipe.md"].documents
    assert "not a regular file" in results["pipe.md"].warnings[0]
    assert results["ok.md"].documents
    assert ingest(tmp_path / "pipe.md") == []


def test_a_failing_reader_is_an_error_of_its_file_only(tmp_path: Path) -> None:
    from dna_kit.ingest import Reader, build_readers

    def broken(path: Path, text: str, options: dict) -> list:
        raise ValueError("converter choked")

    readers = build_readers()
    readers.register("broken", Reader("broken", broken, (".brk",)), replace=True)
    (tmp_path / "a.brk").write_text("x\n", encoding="utf-8")
    (tmp_path / "ok.md").write_text("# Summary\n\nRetries are capped at 3.\n", encoding="utf-8")
    results = {r.path.name: r for r in scan([tmp_path / "a.brk", tmp_path / "ok.md"],
                                            readers=readers)}
    assert "the broken reader failed: ValueError: converter choked" in str(
        results["a.brk"].error)
    assert results["ok.md"].documents
