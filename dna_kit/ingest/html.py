"""HTML postmortems: Confluence, Notion and Google Docs exports, or any saved web page.

The page is parsed with BeautifulSoup and the standard library's ``html.parser`` (which
records the source line of every tag). Only the main content is read: the first of
``<main>``, ``<article>``, ``[role=main]``, Confluence's ``#main-content`` /
``.wiki-content`` and Notion's ``.notion-page-content`` that holds text, else ``<body>``.
Page chrome is dropped: navigation, headers, footers, sidebars, scripts, styles, forms,
buttons, hidden elements, and anything whose class, id or role names a menu, breadcrumbs,
a sidebar, a table of contents or a cookie banner.

What remains is written as Markdown-shaped text: headings as ``#`` lines by level, list
items as ``- `` (nested lists indented, Google Docs' flat ``lst-kix_…-N`` lists too), table
rows as ``| a | b |``, paragraphs as lines, ``<br>`` as a line break, entities decoded
and whitespace collapsed. The Markdown postmortem reader then finds the sections and the
timeline in that text, so an HTML postmortem reads like its Markdown twin.

Provenance: ``Document.line_map`` maps every line of the text to the line of the ``.html``
file where its element starts (a paragraph's ``<p>``, a list item's ``<li>``, a row's
``<tr>``, the ``<br>`` a broken line follows), so a candidate's lines point into the HTML
file. Timeline events carry that HTML line too; sections keep the line of the text, which
is where the extractor looks for their headings.

>>> [doc] = read_html(Path("pm.html"), "<body><h2>Root cause</h2>\\n<p>Retries are "
...                   "capped at 3.</p></body>", {})
>>> doc.text, list(doc.line_map)
('## Root cause\\n\\nRetries are capped at 3.\\n', [1, 1, 2])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dna_kit.document import Document
from dna_kit.errors import SourceError
from dna_kit.ingest.markdown import read_postmortem

if TYPE_CHECKING:  # bs4 is imported when a page is read: `import dna_kit.ingest` stays fast
    from bs4 import BeautifulSoup, Tag

__all__ = ["looks_like_html", "read_html"]

#: Where the main content is, most specific first; ``<body>`` when none holds text.
MAIN_SELECTORS = ("main", "article", "[role=main]", "#main-content", ".wiki-content",
                  ".notion-page-content")
_DROP_TAGS = frozenset({
    "nav", "aside", "script", "style", "noscript", "form", "button", "template", "svg",
    "iframe", "head", "title", "meta", "link", "select", "input", "textarea", "canvas",
    "object", "embed", "dialog", "menu", "img", "video", "audio", "picture", "map"})
# Headers and footers are chrome, unless a header inside the main content holds its title.
_EDGE_TAGS = frozenset({"header", "footer"})
_CHROME = re.compile(
    r"(?:^|[-_])(?:nav|navbar|navigation|menu|menubar|breadcrumbs?|sidebar|side-bar|toc|"
    r"footer|cookies?|cookie-banner|skip-link|skip-to-content|page-metadata|share|social|"
    r"expand-control)"
    r"(?:$|[-_])", re.I)
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search",
                           "menu", "menubar", "toolbar", "dialog"})
# Word's "Web Page" export draws bullets and numbers as text in "mso-list:Ignore" spans.
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-list\s*:\s*ignore",
                           re.I)
_HEADING = {f"h{n}": n for n in range(1, 7)}
_LISTS = frozenset({"ul", "ol"})
_CONTAINERS = frozenset({
    "div", "section", "article", "main", "body", "html", "header", "footer", "figure",
    "figcaption", "address", "details", "summary", "center", "dl", "dt", "dd", "fieldset",
    "li", "td", "th", "caption", "hgroup", "search"})
_BLOCKS = frozenset({"p", "pre", "blockquote", "table", "hr", *_HEADING, *_LISTS,
                     *_CONTAINERS})
_GDOCS_LEVEL = re.compile(r"^lst-kix_\w+-(\d+)$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\xad"))
_BOLD = frozenset({"strong", "b"})


def looks_like_html(head: str) -> bool:
    """True when a text starts like an HTML page (``<!doctype html>``, ``<html``).

    >>> looks_like_html("<!DOCTYPE html>\\n<html>"), looks_like_html("# Retry storm")
    (True, False)
    """
    start = head.lstrip("\ufeff \t\r\n")[:2048].lower()
    if start.startswith(("<!doctype html", "<html")):
        return True
    return start.startswith(("<?xml", "<!--")) and ("<html" in start
                                                    or "<!doctype html" in start)


def _words(text: str) -> str:
    return " ".join(text.translate(_INVISIBLE).split())


def _line(tag: Tag, default: int) -> int:
    return tag.sourceline if tag.sourceline is not None else default


def _is_chrome(tag: Tag) -> bool:
    if tag.name in _DROP_TAGS:
        return True
    attrs = tag.attrs
    if not attrs:
        return False
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    if attrs.get("role") in _CHROME_ROLES:
        return True
    if _HIDDEN_STYLE.search(str(attrs.get("style") or "")):
        return True
    raw: Any = attrs.get("class") or []
    names: list[str] = raw.split() if isinstance(raw, str) else [str(n) for n in raw]
    ident = attrs.get("id")
    return any(_CHROME.search(str(name)) for name in [*names, *([ident] if ident else [])])


def _matches(tag: Tag, selector: str) -> bool:
    """Whether ``tag`` matches one of the simple selectors of :data:`MAIN_SELECTORS`
    (one pass over the tree beats a CSS engine's pass per selector)."""
    if selector.startswith("#"):
        return tag.get("id") == selector[1:]
    if selector.startswith("."):
        return selector[1:] in (tag.get("class") or ())
    if selector.startswith("["):
        key, _, value = selector[1:-1].partition("=")
        return tag.get(key) == value
    return tag.name == selector


def _main_content(soup: BeautifulSoup) -> Tag:
    first: dict[str, Tag] = {}
    for tag in soup.find_all(True):
        for selector in MAIN_SELECTORS:
            if selector not in first and _matches(tag, selector):
                first[selector] = tag
    for selector in MAIN_SELECTORS:
        found = first.get(selector)
        if found is not None and _words(found.get_text(" ")):
            return found
    return soup.body or soup


def _block_holders(root: Tag) -> set[int]:
    """``id()`` of every tag under ``root`` with a block element inside it."""
    holders: set[int] = set()
    for block in root.find_all(list(_BLOCKS)):
        parent = block.parent
        while parent is not None and id(parent) not in holders:
            holders.add(id(parent))
            if parent is root:
                break
            parent = parent.parent
    return holders


def _strip_chrome(root: Tag) -> None:
    keep_header = root.name != "body"
    for tag in list(root.find_all(True)):
        if tag.decomposed:
            continue
        if tag.name in _EDGE_TAGS:
            if not (keep_header and tag.name == "header" and tag.find(list(_HEADING))):
                tag.decompose()
        elif _is_chrome(tag):
            tag.decompose()


class _Writer:
    """Lines of Markdown-shaped text, each with the source line it came from."""

    def __init__(self, holders: set[int]) -> None:
        self.lines: list[str] = []
        self.sources: list[int] = []
        self.holders = holders  # tags holding blocks: see _block_holders

    def add(self, line: str, source: int) -> None:
        self.lines.append(line)
        self.sources.append(source)

    def blank(self) -> None:
        if self.lines and self.lines[-1]:
            self.add("", self.sources[-1])

    def extend(self, other: _Writer, first: str, rest: str) -> None:
        """Add ``other``'s lines, the first prefixed with ``first``, the others ``rest``."""
        for n, (line, source) in enumerate(zip(other.lines, other.sources, strict=True)):
            if line:
                self.add((first if n == 0 else rest) + line, source)
            elif n:
                self.add("", source)


def _inline(nodes: Iterable[Any], line: int) -> list[tuple[str, int]]:
    """The text of ``nodes`` as lines (split at ``<br>``), each with its source line."""
    from bs4 import NavigableString, Tag

    parts: list[tuple[list[str], int]] = [([], line)]

    def walk(children: Iterable[Any], parent: str) -> None:
        for child in children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not a comment, doctype or CDATA
                    parts[-1][0].append(str(child))
            elif isinstance(child, Tag):
                if child.name == "br":
                    parts.append(([], _line(child, parts[-1][1])))
                elif child.name == "code" and parent != "pre":
                    code = _words(child.get_text())
                    if code:
                        parts[-1][0].append(f" `{code}` " if "`" not in code else code)
                else:
                    walk(child.children, child.name)

    walk(nodes, "")
    out = [(_words("".join(text)), source) for text, source in parts]
    return [(text, source) for text, source in out if text]


def _only_bold(tag: Tag) -> bool:
    """Whether a paragraph is one bold run (Confluence's and Word's headings by hand)."""
    from bs4 import NavigableString, Tag

    meaningful = [c for c in tag.children
                  if not (isinstance(c, NavigableString) and not c.strip())]
    return (len(meaningful) == 1 and isinstance(meaningful[0], Tag)
            and meaningful[0].name in _BOLD)


def _cell_text(cell: Tag) -> str:
    return _words(cell.get_text(" ")).replace("|", "\\|")


def _rows(table: Tag) -> Iterable[Tag]:
    for row in table.find_all("tr"):
        if row.find_parent("table") is table:
            yield row


def _table(table: Tag, out: _Writer, render: Callable[[Tag, _Writer], None]) -> None:
    rows = [(row, row.find_all(["td", "th"], recursive=False)) for row in _rows(table)]
    rows = [(row, cells) for row, cells in rows if cells]
    if not rows:
        return
    if max(len(cells) for _, cells in rows) == 1:
        # A one-column table is layout (a panel, a code box), not data: read its cells.
        for _, cells in rows:
            render(cells[0], out)
        return
    out.blank()
    for n, (row, cells) in enumerate(rows):
        source = _line(row, out.sources[-1] if out.sources else 1)
        out.add("| " + " | ".join(_cell_text(c) for c in cells) + " |", source)
        if n == 0 and (row.find("th") is not None or row.find_parent("thead") is not None):
            out.add("|" + " --- |" * len(cells), source)
    out.blank()


def _list_level(tag: Tag) -> int:
    for name in tag.get("class") or []:
        m = _GDOCS_LEVEL.match(str(name))
        if m:
            return int(m.group(1))
    return 0


def _render(node: Tag, out: _Writer, tight: bool = False) -> None:
    """Write the blocks under ``node``; ``tight`` (inside a list item) puts no blank lines
    between them."""
    from bs4 import Tag

    run: list[Any] = []
    here = _line(node, out.sources[-1] if out.sources else 1)

    def flush() -> None:
        if not run:
            return
        # The run starts where its first tag does; bare text at its start is only known
        # to sit in the enclosing element.
        first = next((c for c in run if isinstance(c, Tag) or str(c).strip()), None)
        line = (first.sourceline if isinstance(first, Tag) and first.sourceline is not None
                else here)
        lines = _inline(run, line)
        run.clear()
        if not lines:
            return
        if not tight:
            out.blank()
        for text, source in lines:
            out.add(text, source)
        if not tight:
            out.blank()

    for child in node.children:
        if isinstance(child, Tag) and (child.name in _BLOCKS or (
                child.name not in _BOLD and id(child) in out.holders)):
            flush()
            _block(child, out, tight)
        else:
            run.append(child)
    flush()


def _block(tag: Tag, out: _Writer, tight: bool) -> None:
    name = tag.name
    source = _line(tag, out.sources[-1] if out.sources else 1)
    classes: list[str] = list(tag.get("class") or [])
    level = _HEADING.get(name) or (1 if name == "p" and "title" in classes else 0)
    if level:
        title = " ".join(text for text, _ in _inline(tag.children, source))
        if title:
            out.blank()
            out.add("#" * level + " " + title, source)
            out.blank()
        return
    if name == "p" and any(c.startswith("MsoList") for c in classes) and not tight:
        # A list paragraph of Word's "Web Page" export: a list item without a list.
        lines = _inline(tag.children, source)
        if lines:
            if not out.lines or not out.lines[-1].startswith("- "):
                out.blank()
            out.add("- " + lines[0][0], lines[0][1])
            for text, line in lines[1:]:
                out.add("  " + text, line)
        return
    if name == "p":
        lines = _inline(tag.children, source)
        if not tight:
            out.blank()
        if len(lines) == 1 and _only_bold(tag) and len(lines[0][0]) <= 80:
            out.add(f"**{lines[0][0]}**", source)
        else:
            for text, line in lines:
                out.add(text, line)
        if not tight:
            out.blank()
        return
    if name in _LISTS:
        indent = "  " * _list_level(tag)
        if not tight:
            out.blank()
        for item in tag.find_all("li", recursive=False):
            inner = _Writer(out.holders)
            _render(item, inner, tight=True)
            if inner.lines:
                out.extend(inner, indent + "- ", indent + "  ")
        if not tight:
            out.blank()
        return
    if name == "table":
        _table(table=tag, out=out, render=lambda cell, w: _render(cell, w, tight))
        return
    if name == "pre":
        out.blank()
        out.add("```", source)
        for n, text in enumerate(tag.get_text().strip("\n").split("\n")):
            out.add(text.rstrip(), source + n)
        out.add("```", out.sources[-1])
        out.blank()
        return
    if name == "blockquote":
        inner = _Writer(out.holders)
        _render(tag, inner, tight)
        out.blank()
        out.extend(inner, "> ", "> ")
        out.blank()
        return
    if name == "hr":
        out.blank()
        return
    _render(tag, out, tight)


def read_html(path: Path, text: str, options: dict[str, Any]) -> list[Document]:
    """An HTML page (a Confluence, Notion or Google Docs export) as one postmortem
    document of Markdown-shaped text, each line mapped to its HTML source line.

    >>> read_html(Path("pm.html"), "<p>Timeouts are 2 s.</p>", {})[0].text
    'Timeouts are 2 s.\\n'
    """
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(text, "html.parser")
    except Exception as exc:  # bs4 raises several types on markup it cannot parse
        raise SourceError(f"malformed HTML: {_words(str(exc))[:200]}", path=path) from None
    title = soup.title.get_text(" ") if soup.title else ""
    root = _main_content(soup)
    _strip_chrome(root)
    out = _Writer(_block_holders(root))
    _render(root, out)
    while out.lines and not out.lines[-1]:
        out.lines.pop()
        out.sources.pop()
    if not out.lines:
        raise SourceError("no text in the page's main content", path=path, line=1)
    body = "\n".join(out.lines) + "\n"
    [doc] = read_postmortem(path, body, options)
    doc.line_map = out.sources
    doc.events = [replace(e, line=out.sources[e.line - 1]) for e in doc.events]
    if _words(title) and "title" not in doc.metadata:
        doc.metadata["title"] = _words(title)
    return [doc]
