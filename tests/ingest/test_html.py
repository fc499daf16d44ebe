"""The HTML reader: main content only, Markdown-shaped text, lines back to the HTML."""

from __future__ import annotations

from pathlib import Path

import pytest

from dna_kit.errors import SourceError
from dna_kit.ingest import ingest
from dna_kit.ingest.html import looks_like_html
from tests.ingest._postmortem import CAUSE, CHROME, RULES, TIMELINE, html_text


def _html_line(page: Path, doc_line: int) -> str:
    return page.read_text(encoding="utf-8").splitlines()[doc_line - 1]


def _text_line(text: str, needle: str) -> int:
    """The 0-based line of ``text`` holding ``needle``."""
    [index] = [i for i, line in enumerate(text.splitlines()) if needle in line]
    return index


def test_confluence_page_keeps_the_content_and_drops_the_chrome(
        sources: dict[str, Path]) -> None:
    [doc] = ingest(sources["html"])
    assert doc.reader == "html" and doc.kind == "postmortem"
    for chrome in CHROME:
        assert chrome not in doc.text, chrome
    lines = doc.text.splitlines()
    assert "## Root cause" in lines and "## Timeline" in lines
    assert [f"- {rule}" for rule in RULES] == [ln for ln in lines if ln[2:] in RULES]
    assert ("| carrier timeout | 2 s | The carrier answers within 800 ms at the 99th "
            "percentile. |") in lines
    assert CAUSE in lines  # &nbsp; decoded to a plain space, whitespace collapsed
    assert [s.kind for s in doc.sections] == ["summary", "timeline", "root_cause",
                                              "action_items"]
    assert [e.time for e in doc.events] == ["14:02", "14:20", "14:35"]
    assert doc.metadata["title"].endswith("Retry storm on the carrier API")


def test_every_line_maps_to_the_html_line_of_its_element(sources: dict[str, Path]) -> None:
    page = sources["html"]
    [doc] = ingest(page)
    assert len(doc.line_map or []) == len(doc.text.splitlines())
    for needle in (RULES[0], RULES[2], TIMELINE[1], "99th percentile"):
        index = _text_line(doc.text, needle)
        assert needle in _html_line(page, doc.line_of(doc.text.index(needle)))
        assert doc.line_map is not None and needle in _html_line(page, doc.line_map[index])
    # Checked by hand: the first rule is the 29th line of the page, the table's data row
    # the 35th, and the 14:20 event the 22nd.
    assert doc.line_of(doc.text.index(RULES[0])) == 29
    assert doc.line_of(doc.text.index("2 s |")) == 35
    assert [e.line for e in doc.events if e.time == "14:20"] == [22]


GOOGLE_DOCS = """<html><head><meta content="text/html; charset=UTF-8" http-equiv="content-type">
<style type="text/css">ol{margin:0;padding:0}.c1{color:#000000;font-weight:400}
.c3{padding-top:0pt;line-height:1.15}.lst-kix_a1-0>li:before{content:"\\0025cf  "}</style></head>
<body class="c7 doc-content"><p class="c3 title" id="h.t1"><span class="c1">Carrier outage</span></p>
<h2 class="c3" id="h.x1"><span class="c1">Root cause</span></h2>
<p class="c3"><span class="c1">The pool was too small</span><span class="c1">&nbsp;for the peak.</span></p>
<ul class="c2 lst-kix_a1-0 start"><li class="c3 li-bullet-0"><span class="c1">Retries are capped at 3 attempts.</span></li></ul>
<ul class="c2 lst-kix_a1-1 start"><li class="c3 li-bullet-0"><span class="c1">The cap applies per host.</span></li></ul>
<ul class="c2 lst-kix_a1-0"><li class="c3 li-bullet-0"><span class="c1">Timeouts are 2 s.</span></li></ul>
<p class="c3 c5"><span class="c1"></span></p>
<table class="c8"><tr class="c4"><td class="c9" colspan="1" rowspan="1"><p class="c3"><span class="c1">Setting</span></p></td>
<td class="c9"><p class="c3"><span class="c1">Value</span></p></td></tr>
<tr class="c4"><td class="c9"><p class="c3"><span class="c1">backoff cap</span></p></td>
<td class="c9"><p class="c3"><span class="c1">5 s</span></p></td></tr></table>
<p class="c3"><span class="c1">Line one</span><br><span class="c1">line two.</span></p>
</body></html>
"""


def test_google_docs_export_reads_well(tmp_path: Path) -> None:
    page = tmp_path / "outage.html"
    page.write_text(GOOGLE_DOCS, encoding="utf-8")
    [doc] = ingest(page)
    assert doc.text == (
        "# Carrier outage\n\n## Root cause\n\nThe pool was too small for the peak.\n\n"
        "- Retries are capped at 3 attempts.\n\n  - The cap applies per host.\n\n"
        "- Timeouts are 2 s.\n\n| Setting | Value |\n| backoff cap | 5 s |\n\n"
        "Line one\nline two.\n")
    assert "color" not in doc.text and "content-type" not in doc.text
    lines = page.read_text(encoding="utf-8").splitlines()
    # the <br> line maps to the line of the <br>, the nested item to its own <ul>
    assert "line two" in lines[doc.line_of(doc.text.index("line two")) - 1]
    assert "per host" in lines[doc.line_of(doc.text.index("per host")) - 1]
    assert doc.sections[1].kind == "root_cause"


def test_notion_export_keeps_the_title_in_the_article_header(tmp_path: Path) -> None:
    page = tmp_path / "notion.html"
    page.write_text(
        '<html><body><nav class="sidebar">Workspace</nav><article class="page sans">'
        '<header><h1 class="page-title">Queue backlog</h1></header>\n'
        '<div class="page-body"><h2>Action items</h2>\n<ol><li>Drain the queue within '
        '<code>15 min</code> of an alert.<ol><li>Page the owner.</li></ol></li></ol>\n'
        '<pre>retries: 3\nbackoff: 5s</pre></div></article>'
        '<footer>© Notion</footer></body></html>', encoding="utf-8")
    [doc] = ingest(page)
    assert doc.text == ("# Queue backlog\n\n## Action items\n\n"
                        "- Drain the queue within `15 min` of an alert.\n  - Page the owner.\n\n"
                        "```\nretries: 3\nbackoff: 5s\n```\n")
    assert "Workspace" not in doc.text and "Notion" not in doc.text
    # the <pre> starts on line 4 of the page: its second line is line 5
    assert doc.line_of(doc.text.index("retries: 3")) == 4
    assert doc.line_of(doc.text.index("backoff: 5s")) == 5


WORD_WEB_PAGE = """<html xmlns:o="urn:schemas-microsoft-com:office:office">
<head><style>p.MsoNormal {margin:0in}</style></head>
<body lang=EN-US><div class=WordSection1>
<h1>Root cause<o:p></o:p></h1>
<p class=MsoNormal>The pool was small.<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style="mso-list:l0 level1 lfo1"><![if !supportLists]><span
style="font-family:Symbol"><span style="mso-list:Ignore">·<span>&nbsp;&nbsp;</span></span></span><![endif]>Retries
are capped at 3.<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style="mso-list:l0 level1 lfo1"><span style="mso-list:Ignore">·</span>Timeouts are 2 s.</p>
</div></body></html>
"""


def test_word_web_page_export_lists_lose_their_drawn_bullets(tmp_path: Path) -> None:
    page = tmp_path / "word.htm"
    page.write_text(WORD_WEB_PAGE, encoding="utf-8")
    [doc] = ingest(page)
    assert doc.text == ("# Root cause\n\nThe pool was small.\n\n"
                        "- Retries are capped at 3.\n- Timeouts are 2 s.\n")
    # each item maps to the line its <p> starts on
    assert doc.line_of(doc.text.index("Retries")) == 6
    assert doc.line_of(doc.text.index("Timeouts")) == 9


def test_html_is_told_by_its_content_and_can_be_forced(tmp_path: Path) -> None:
    assert looks_like_html("\ufeff  <!doctype HTML>\n<html>")
    assert looks_like_html("<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'>")
    assert not looks_like_html("# Notes\n\n<html> in a sentence")
    export = tmp_path / "export"  # no extension: sniffed
    export.write_text(html_text(), encoding="utf-8")
    assert ingest(export)[0].reader == "html"
    fragment = tmp_path / "fragment.txt"
    fragment.write_text("<p>Requests time out after <b>2 s</b>.</p>\n", encoding="utf-8")
    assert ingest(fragment)[0].reader == "markdown"
    [forced] = ingest(fragment, format="html")
    assert forced.reader == "html" and forced.text == "Requests time out after 2 s.\n"


def test_a_page_without_content_is_one_error_naming_the_file(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text("<!DOCTYPE html><html><body><nav>Home</nav><script>x()</script>"
                    "</body></html>", encoding="utf-8")
    with pytest.raises(SourceError) as info:
        ingest(page)
    assert str(info.value) == f"{page}:1: no text in the page's main content"
