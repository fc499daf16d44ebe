"""``dna extract`` on one postmortem written as Markdown, HTML, Word and PDF: the same
rules come out of each, every quote verbatim in its document, every line where it was.

What "the same" means per format:

* HTML and .docx: the same set of quotes as the Markdown (whitespace collapsed).
* PDF: every quote of the Markdown scored at confidence 0.5 or more is inside a quote of
  the PDF (whitespace collapsed). A printed table loses its cell borders, so a table
  cell's sentence comes out with the row's other cells in front of it, and lines broken
  by the page width shift the scores of borderline sentences a little.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from dna_kit.cli import main
from dna_kit.ingest import ingest
from tests.ingest._postmortem import CHROME, RULES


def _norm(text: str) -> str:
    return " ".join(text.split())


def _extract(paths: list[Path], capsys: pytest.CaptureFixture[str],
             *extra: str) -> tuple[int, dict[str, list[dict]], str]:
    code = main(["extract", "--json", "--workers", "1", *extra, *map(str, paths)])
    out, err = capsys.readouterr()
    by_source: dict[str, list[dict]] = defaultdict(list)
    for candidate in json.loads(out):
        by_source[candidate["source"]["path"]].append(candidate)
    return code, by_source, err


def _check_verbatim(by_source: dict[str, list[dict]]) -> None:
    texts = {}
    for path in {p.split("#page=")[0] for p in by_source}:
        texts.update({d.path: d.text for d in ingest(path)})
    for path, candidates in by_source.items():
        for candidate in candidates:
            assert candidate["quote"] in texts[path], (path, candidate["quote"])


def test_the_same_rules_from_markdown_html_and_docx(
        sources: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, by_source, err = _extract([sources["markdown"].parent], capsys)
    assert code == 0, err
    quotes = {fmt: {_norm(c["quote"]) for c in by_source[str(path)]}
              for fmt, path in sources.items()}
    assert set(RULES) <= quotes["markdown"]
    assert quotes["html"] == quotes["markdown"]
    assert quotes["docx"] == quotes["markdown"]
    _check_verbatim(by_source)
    for candidate in by_source[str(sources["html"])]:
        assert not any(chrome in candidate["quote"] for chrome in CHROME)
    # Provenance, by hand: the first rule is line 29 of the page and paragraph 11 of the
    # Word document (see test_html and test_docx).
    where = {fmt: {c["quote"]: c["source"]["line_start"] for c in by_source[str(path)]}
             for fmt, path in sources.items()}
    assert (where["markdown"][RULES[0]], where["html"][RULES[0]],
            where["docx"][RULES[0]]) == (19, 29, 11)
    page = sources["html"].read_text(encoding="utf-8").splitlines()
    for quote, line in where["html"].items():
        assert _norm(quote)[:30] in _norm(page[line - 1]), (quote, line)


@pytest.mark.slow  # prints the page with a real Chromium
def test_the_pdf_gives_every_confident_markdown_rule(
        sources: dict[str, Path], printed_pdf: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = sources["markdown"].parent
    shutil.copy(printed_pdf, folder / "retry-storm.pdf")
    code, by_source, err = _extract([folder], capsys)
    assert code == 0, err
    pdf_key = f"{folder / 'retry-storm.pdf'}#page=1"
    pdf_quotes = [_norm(c["quote"]) for c in by_source[pdf_key]]
    confident = [_norm(c["quote"]) for c in by_source[str(sources["markdown"])]
                 if c["confidence"] >= 0.5]
    assert set(RULES) <= set(confident)
    for quote in confident:
        assert any(quote in pdf_quote for pdf_quote in pdf_quotes), quote
    _check_verbatim(by_source)
    [rule] = [c for c in by_source[pdf_key] if c["quote"] == RULES[0]]
    assert rule["source"]["line_start"] == 18  # line 18 of page 1 (see test_pdf)


def test_ingest_reports_each_format_and_bad_files_one_line_each(
        sources: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    folder = sources["markdown"].parent
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 truncated")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    code = main(["ingest", "--json", str(folder)])
    out, err = capsys.readouterr()
    assert code == 1
    rows = {Path(r["path"]).name: r for r in map(json.loads, out.splitlines())}
    assert {name: (r["reader"], r["ok"]) for name, r in rows.items()} == {
        "broken.docx": ("docx", False), "broken.pdf": ("pdf", False),
        "retry-storm.docx": ("docx", True), "retry-storm.html": ("html", True),
        "retry-storm.md": ("markdown", True)}
    errors = err.splitlines()
    assert errors == [f"dna ingest: {folder / 'broken.docx'}: not a readable Word .docx "
                      f"document ({errors[0].rsplit('(', 1)[1]}",
                      f"dna ingest: {folder / 'broken.pdf'}: not a readable PDF "
                      f"({errors[1].rsplit('(', 1)[1]}"]
    code, by_source, err = _extract([folder], capsys)
    assert code == 1
    assert [line.split(": ", 2)[1] for line in err.splitlines()
            if line.startswith("dna extract:")] == [str(folder / "broken.docx"),
                                                    str(folder / "broken.pdf")]
    assert {Path(p).name for p in by_source} == {"retry-storm.md", "retry-storm.html",
                                                 "retry-storm.docx"}


def test_format_option_forces_the_reader(
        sources: dict[str, Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.txt"
    page.write_text(sources["html"].read_text(encoding="utf-8").split("\n", 1)[1],
                    encoding="utf-8")  # no doctype: read as text unless forced
    word = tmp_path / "notes.bin"
    word.write_bytes(sources["docx"].read_bytes())
    assert main(["ingest", "--json", "--format", "html", str(page)]) == 0
    assert json.loads(capsys.readouterr().out)["reader"] == "html"
    assert main(["ingest", "--json", "--format", "docx", str(word)]) == 0
    assert json.loads(capsys.readouterr().out)["reader"] == "docx"
    code, by_source, _ = _extract([page], capsys, "--format", "html")
    assert code == 0 and set(RULES) <= {c["quote"] for c in by_source[str(page)]}
    with pytest.raises(SystemExit):
        main(["ingest", "--format", "odt", str(page)])
    assert "invalid choice: 'odt'" in capsys.readouterr().err
