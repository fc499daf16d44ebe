"""The Word reader: document order, headings, lists, tables, paragraph provenance."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from dna_kit.errors import SourceError
from dna_kit.ingest import ingest, scan
from tests.ingest._postmortem import RULES, TIMELINE


def test_headings_lists_and_tables_in_document_order(sources: dict[str, Path]) -> None:
    [doc] = ingest(sources["docx"])
    assert doc.reader == "docx" and doc.kind == "postmortem"
    lines = [line for line in doc.text.splitlines() if line]
    assert lines[:3] == ["# Retry storm on the carrier API", "## Summary",
                         lines[2]]  # Title, then Heading 1 one level under it
    assert [f"- {rule}" for rule in RULES] == [ln for ln in lines if ln[2:] in RULES]
    # the table sits between the rules and the action items, as in the file
    table = lines.index("| Setting | Value | Reason |")
    assert lines[table - 1] == f"- {RULES[-1]}" and lines[table + 1] == "| --- | --- | --- |"
    assert lines[table + 3] == "## Action items"
    assert [s.kind for s in doc.sections] == [None, "summary", "timeline", "root_cause",
                                              "action_items"]
    assert [e.text for e in doc.events] == [t[6:] for t in TIMELINE]


def test_lines_map_to_paragraph_and_row_numbers(sources: dict[str, Path]) -> None:
    [doc] = ingest(sources["docx"])
    # Counted by hand in conftest.write_docx: title 1, "Summary" 2, summary 3, "Timeline"
    # 4, events 5-7, "Root cause" 8, cause 9, "We agreed" 10, rules 11-13, table rows
    # 14-15, "Action items" 16, actions 17-18.
    assert doc.line_of(doc.text.index(RULES[0])) == 11
    assert doc.line_of(doc.text.index(RULES[2])) == 13
    assert doc.line_of(doc.text.index("99th percentile")) == 15
    assert [e.line for e in doc.events] == [5, 6, 7]


def test_nesting_breaks_merged_cells_and_bold_headings(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_paragraph("Retries are capped at 3.", style="List Bullet")
    word.add_paragraph("Per host.", style="List Bullet 2")
    word.add_paragraph("")
    word.add_paragraph().add_run("Root cause").bold = True
    para = word.add_paragraph("First line")
    para.add_run().add_break()
    para.add_run("second line.")
    table = word.add_table(rows=2, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "Setting"
    table.cell(0, 2).text = "Value"
    for cell, value in zip(table.rows[1].cells, ["pool", "size", "40"], strict=True):
        cell.text = value
    path = tmp_path / "notes.docx"
    word.save(str(path))
    [doc] = ingest(path)
    assert doc.text == ("- Retries are capped at 3.\n  - Per host.\n\n**Root cause**\n\n"
                        "First line\nsecond line.\n\n| Setting | Value |\n| --- | --- |\n"
                        "| pool | size | 40 |\n")
    assert doc.sections[0].kind == "root_cause"  # the bold line is a heading
    # the empty paragraph counts: "Root cause" is paragraph 4, the broken one 5
    assert doc.line_of(doc.text.index("second line")) == 5
    assert doc.line_of(doc.text.index("| pool")) == 7


def test_a_corrupt_docx_is_one_error_and_the_folder_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a-good.md").write_text("Retries are capped at 3.\n", encoding="utf-8")
    (tmp_path / "b-truncated.docx").write_bytes(b"PK\x03\x04\x14\x00\x00\x00broken")
    with zipfile.ZipFile(tmp_path / "c-not-word.docx", "w") as archive:
        archive.writestr("notes.txt", "a zip, but not a Word document")
    (tmp_path / "d-good.docx").write_bytes(b"")
    word = docx.Document()
    word.add_paragraph("Timeouts are 2 s.")
    word.save(str(tmp_path / "d-good.docx"))
    results = list(scan([tmp_path]))
    assert [(r.path.name, r.ok) for r in results] == [
        ("a-good.md", True), ("b-truncated.docx", False), ("c-not-word.docx", False),
        ("d-good.docx", True)]
    for bad in results[1:3]:
        message = str(bad.error)
        assert "\n" not in message and bad.reader == "docx"
        assert message.startswith(f"{bad.path}: not a readable Word .docx document (")
    assert results[3].documents[0].text == "Timeouts are 2 s.\n"


def test_zip_magic_reaches_the_word_reader_whatever_the_name(
        sources: dict[str, Path], tmp_path: Path) -> None:
    renamed = tmp_path / "postmortem"
    renamed.write_bytes(sources["docx"].read_bytes())
    [doc] = ingest(renamed)
    assert doc.reader == "docx" and RULES[0] in doc.text
    with pytest.raises(SourceError, match="binary file"):
        ingest(renamed, format="markdown")  # a text reader still refuses it
