"""The PDF reader: one document per page (``report.pdf#page=N``), lines within the page.

The PDFs are printed from HTML by headless Chromium; without /usr/bin/chromium those
tests skip (CI installs Debian's chromium)."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from dna_kit.errors import SourceError
from dna_kit.ingest import ingest, scan
from tests.ingest._postmortem import CHROMIUM, RULES, TIMELINE, print_pdf

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.is_file(), reason="needs /usr/bin/chromium to print PDFs "
                                   "(apt-get install chromium)")
printed = pytest.mark.slow  # each print is a real Chromium run


def _page_lines(pdf: Path, page: int) -> list[str]:
    """The page's lines as pdfplumber lays them out: what "line N of page P" counts."""
    with pdfplumber.open(pdf) as document:
        return [line["text"] for line in document.pages[page - 1].extract_text_lines()]


@printed
def test_printed_postmortem_reads_as_its_markdown(printed_pdf: Path) -> None:
    [doc] = ingest(printed_pdf)
    assert doc.path == f"{printed_pdf}#page=1" and doc.reader == "pdf"
    lines = doc.text.splitlines()
    assert {"## Summary", "## Timeline", "## Root cause", "## Action items"} <= set(lines)
    assert [f"- {rule}" for rule in RULES] == [ln for ln in lines if ln[2:] in RULES]
    kinds = [s.kind for s in doc.sections]
    assert kinds[-4:] == ["summary", "timeline", "root_cause", "action_items"]
    assert [e.text for e in doc.events] == [t[6:] for t in TIMELINE]
    # Chromium's running header (date, title) and footer (file URL, "1/1") are dropped
    assert "file://" not in doc.text and "1/1" not in doc.text


@printed
def test_lines_are_counted_within_the_page(printed_pdf: Path) -> None:
    [doc] = ingest(printed_pdf)
    page = _page_lines(printed_pdf, 1)
    for needle in (RULES[0], RULES[2], TIMELINE[1]):
        line = doc.line_of(doc.text.index(needle))
        assert page[line - 1] == needle
    assert [page[e.line - 1] for e in doc.events] == TIMELINE
    # By hand: on the printed page the running header is line 1, the page chrome comes
    # next, and the first rule sits a little above the table, on line 18.
    assert doc.line_of(doc.text.index(RULES[0])) == 18


@printed
@needs_chromium
def test_a_section_runs_on_across_pages(tmp_path: Path) -> None:
    filler = "".join(f"<p>Observation {n} about the queue.</p>" for n in range(30))
    page = tmp_path / "long.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>Long one</title></head><body>"
        "<h2>Summary</h2><p>The queue backed up.</p>"
        f"<h2>Root cause</h2>{filler}"
        "<p>Consumers must ack within 30 seconds.</p>"
        '<div style="break-before: page"></div><p>The broker redelivers after 60 seconds.</p>'
        "</body></html>", encoding="utf-8")
    pdf = print_pdf(page, tmp_path / "long.pdf", tmp_path / "profile")
    docs = ingest(pdf)
    assert [d.path for d in docs] == [f"{pdf}#page={n}" for n in range(1, len(docs) + 1)]
    assert len(docs) >= 2
    last = docs[-1]
    assert last.text.startswith("The broker redelivers after 60 seconds.")
    [carried] = last.sections
    assert (carried.title, carried.kind, carried.start) == ("Root cause", "root_cause", 0)
    assert _page_lines(pdf, len(docs))[last.line_of(0) - 1].startswith("The broker")
    for doc in docs:  # the running header and the page numbers are gone from every page
        assert "Long one" not in doc.text and f"/{len(docs)}" not in doc.text


def test_a_corrupt_pdf_is_one_error_and_the_folder_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a-broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n"
                                            b"garbage\n%%EOF\n")
    (tmp_path / "b-named.pdf").write_text("not a pdf at all\n", encoding="utf-8")
    (tmp_path / "c-good.md").write_text("Retries are capped at 3.\n", encoding="utf-8")
    results = list(scan([tmp_path]))
    assert [(r.path.name, r.ok, r.reader) for r in results] == [
        ("a-broken.pdf", False, "pdf"), ("b-named.pdf", False, "pdf"),
        ("c-good.md", True, "markdown")]
    for bad in results[:2]:
        message = str(bad.error)
        assert "\n" not in message and message.startswith(f"{bad.path}: not a readable PDF (")
    with pytest.raises(SourceError, match="binary file"):
        ingest(tmp_path / "a-broken.pdf", format="markdown")
