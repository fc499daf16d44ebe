"""The Markdown line lexer: what kind of block line a line of a source is.

One set of rules for every reader of Markdown in dna_kit: the postmortem reader
(:mod:`dna_kit.ingest.markdown`) finds headings with it, and the extractor's segmenter
(:mod:`dna_kit.extract.segment`) finds paragraphs, list items, quotes and table rows with
it, so the two never disagree about what a line is. The rules follow CommonMark where
write-ups do (up to three spaces before a fence, a heading or a quote marker) and are
lenient where write-ups are (a ``•`` bullet is a list item; a setext underline may be
indented).

>>> [line_kind(line) for line in ("## Root cause", "- Retry 3 times", "> quoted", "```",
...                                "| a | b |", "---", "Plain prose.")]
['heading', 'list', 'quote', 'fence', 'table', 'rule', 'text']
"""

from __future__ import annotations

import re

__all__ = ["ATX_HEADING", "BLOCK_QUOTE", "FENCE", "HTML_LINE", "LINK_DEFINITION",
           "LIST_ITEM", "RULE_LINE", "TABLE_RULE", "is_setext_underline", "line_kind"]

#: A code fence opening or closing: ```` ``` ```` or ``~~~``.
FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
#: An ATX heading: ``## Root cause ##``; group 1 the marks, group 2 the title.
ATX_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
#: A list item's marker and the blanks after it (``- ``, ``* ``, ``• ``, ``12. ``, ``3) ``).
LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,9}[.)])[ \t]+")
#: The ``>`` markers of a block quote (nested ones too) and the blank after them.
BLOCK_QUOTE = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+")
#: The line under a table's header row: ``|---|:--:|``.
TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{2,}")
#: A line of HTML or an image: ``<details>``, ``<!-- -->``, ``![graph](...)``.
HTML_LINE = re.compile(r"^[ \t]*(?:<[a-zA-Z/!]|!\[)")
#: A link reference definition: ``[1]: https://...``.
LINK_DEFINITION = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S+")
#: A line that is only a rule: a setext underline (``===``, ``---``) or a thematic break
#: (``***``, ``___``).
RULE_LINE = re.compile(r"^[ \t]*(=+|-{2,}|\*{3,}|_{3,})[ \t]*$")
# The first characters a rule line can have once leading blanks are counted ("" too:
# an empty line goes to the pattern).
_RULE_FIRST = " \t=-*_"


def is_setext_underline(line: str) -> bool:
    """Whether ``line`` underlines the line above it into a heading (``===`` or ``---``).

    >>> is_setext_underline("======"), is_setext_underline("  ---"), is_setext_underline("***")
    (True, True, False)
    """
    # Cheap first: most lines start with a letter, and no underline does.
    return (line[:1] in _RULE_FIRST and RULE_LINE.match(line) is not None
            and line.strip().startswith(("=", "--")))


def line_kind(line: str) -> str:
    """What one line is on its own (without the lines around it): ``"fence"``,
    ``"heading"`` (ATX), ``"rule"``, ``"html"``, ``"link_definition"``, ``"table"``,
    ``"list"``, ``"quote"``, ``"blank"`` or ``"text"``. Whether a text line is a setext
    heading depends on the next line (:func:`is_setext_underline`).

    >>> line_kind("   "), line_kind("[1]: https://example.com"), line_kind("<details>")
    ('blank', 'link_definition', 'html')
    """
    if not line.strip():
        return "blank"
    if FENCE.match(line):
        return "fence"
    if ATX_HEADING.match(line):
        return "heading"
    if RULE_LINE.match(line):
        return "rule"
    if HTML_LINE.match(line):
        return "html"
    if LINK_DEFINITION.match(line):
        return "link_definition"
    if line.strip().startswith("|"):
        return "table"
    if LIST_ITEM.match(line):
        return "list"
    if BLOCK_QUOTE.match(line):
        return "quote"
    return "text"
