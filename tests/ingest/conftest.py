"""Fixtures: the postmortem of :mod:`tests.ingest._postmortem` as files, one per format."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.ingest._postmortem import CHROMIUM, html_text, markdown_text, print_pdf, write_docx


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    """The Markdown, HTML and .docx versions in one folder."""
    folder = tmp_path / "incidents"
    folder.mkdir()
    md = folder / "retry-storm.md"
    md.write_text(markdown_text(), encoding="utf-8")
    page = folder / "retry-storm.html"
    page.write_text(html_text(), encoding="utf-8")
    return {"markdown": md, "html": page, "docx": write_docx(folder / "retry-storm.docx")}


@pytest.fixture(scope="session")
def printed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML version printed to PDF by headless Chromium (once per session)."""
    if not CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip("needs /usr/bin/chromium to print the HTML postmortem to PDF "
                    "(apt-get install chromium)")
    folder = tmp_path_factory.mktemp("pdf")
    page = folder / "retry-storm.html"
    page.write_text(html_text(), encoding="utf-8")
    return print_pdf(page, folder / "retry-storm.pdf", folder / "profile")
