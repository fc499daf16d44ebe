"""One Markdown lexer: the postmortem reader and the segmenter agree on every line."""

from __future__ import annotations

import pytest

from dna_kit.extract.segment import segment
from dna_kit.ingest.lexer import is_setext_underline, line_kind
from dna_kit.ingest.markdown import read_postmortem

# Each case: a heading written some way, then a rule under it. The reader must see the
# heading (so the rule is in "action_items"), and the segmenter must not make a sentence
# of the heading, whatever the style.
HEADINGS = [
    "## Action items",
    "   ## Action items",        # ATX, indented up to three spaces
    "Action items\n=====",
    "Action items\n  -----",     # an indented setext underline
    "**Action items**",
    "ACTION ITEMS",
]


@pytest.mark.parametrize("heading", HEADINGS)
def test_reader_and_segmenter_agree_on_headings(heading: str) -> None:
    text = f"Intro line.\n\n{heading}\n\n- Retries must be capped at 3 attempts.\n"
    [doc] = read_postmortem("pm.md", text, {})  # type: ignore[arg-type]
    assert [s.kind for s in doc.sections] == ["action_items"]
    sentences = [(s.text, s.section.kind if s.section else None) for s in segment(doc)]
    assert sentences == [("Intro line.", None),
                         ("Retries must be capped at 3 attempts.", "action_items")]


def test_bullets_and_rules_are_not_headings() -> None:
    """A "•" item is a list item to both, so an underline below it makes no heading; a
    thematic break is no underline."""
    text = "Intro.\n\n• Retries are capped at 3\n---\n\n***\n---\n\nEnd of notes here.\n"
    [doc] = read_postmortem("pm.md", text, {})  # type: ignore[arg-type]
    assert doc.sections == []
    assert [(s.text, s.block) for s in segment(doc)] == [
        ("Intro.", "paragraph"), ("Retries are capped at 3", "list"),
        ("End of notes here.", "paragraph")]


def test_line_kinds() -> None:
    assert [line_kind(x) for x in ("```py", "~~~", "#### Notes ####", "• a", "12) b",
                                   "> > c", "|---|---|", "![x](y.png)", "===", "", "x")] \
        == ["fence", "fence", "heading", "list", "list", "quote", "table", "html", "rule",
            "blank", "text"]
    assert not is_setext_underline("- item") and is_setext_underline("--")
