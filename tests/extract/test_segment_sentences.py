"""Sentence segmentation follows Markdown structure and keeps verbatim spans."""

from __future__ import annotations

from dna_kit.document import Document
from dna_kit.extract.segment import clean_markup, segment
from dna_kit.ingest.markdown import find_sections


def _quotes(text: str, kind: str = "postmortem") -> list[str]:
    doc = Document("x.md", text, kind=kind, sections=find_sections(text)
                   if kind == "postmortem" else [])
    return [doc.text[s.start:s.end] for s in segment(doc)]


def test_hard_wrapped_paragraph_splits_on_sentences_not_lines() -> None:
    text = "The pool was sized for\n20 connections. It ran out at\nnoon, e.g. at peak. Done!\n"
    assert _quotes(text) == ["The pool was sized for\n20 connections.",
                             "It ran out at\nnoon, e.g. at peak.", "Done!"]


def test_list_items_with_continuation_lines_and_labels() -> None:
    text = ("- **Cap the backoff**: Retries stop at 5 s,\n  doubling from 0.2 s.\n"
            "- Second item\n1. Numbered item here.\n")
    doc = Document("x.md", text)
    sentences = segment(doc)
    assert [doc.text[s.start:s.end] for s in sentences] == [
        "Retries stop at 5 s,\n  doubling from 0.2 s.", "Second item", "Numbered item here."]
    assert sentences[0].label == "Cap the backoff"
    assert sentences[0].text == "Retries stop at 5 s, doubling from 0.2 s."
    assert {s.block for s in sentences} == {"list"}


def test_block_quotes_keep_their_markers_in_the_quote_only() -> None:
    text = "> Never send more than 20 requests\n> per second. Ask first.\n"
    doc = Document("x.md", text)
    sentences = segment(doc)
    assert doc.text[sentences[0].start:sentences[0].end] == (
        "Never send more than 20 requests\n> per second.")
    assert sentences[0].text == "Never send more than 20 requests per second."
    assert sentences[0].block == "quote"


def test_code_headings_html_and_link_definitions_are_skipped() -> None:
    text = ("## Summary\n\n```\nretry(cap=5)  # Not prose.\n```\n\n<img src='a.png'/>\n"
            "[docs]: https://example.org/x\n\nReal sentence here.\n")
    assert _quotes(text) == ["Real sentence here."]


def test_table_cells_are_separate_units() -> None:
    text = "| time | event |\n|---|---|\n| 14:41 | Backoff cap set to 5 s by hand |\n"
    assert _quotes(text) == ["Backoff cap set to 5 s by hand"]


def test_chat_lines_skip_time_and_author() -> None:
    text = "[2026-03-14 14:02:00] ana: carrier times out. We cap it.\n    second line here\n"
    assert _quotes(text, kind="chat") == ["carrier times out.",
                                          "We cap it.\n    second line here"]


def test_every_span_is_verbatim_and_in_order(data) -> None:  # type: ignore[no-untyped-def]
    from dna_kit.ingest import ingest

    [doc] = ingest(data / "retry-storm.md")
    sentences = segment(doc)
    starts = [s.start for s in sentences]
    assert starts == sorted(starts)
    for s in sentences:
        assert clean_markup(doc.text[s.start:s.end]) == s.text
    assert not any("not a sentence to extract" in s.text for s in sentences)
