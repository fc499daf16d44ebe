"""One postmortem written four ways, made by the tests: Markdown, a Confluence-like HTML
page (with its chrome), a Word .docx and a PDF printed from the HTML by headless Chromium.
The formats' tests compare what each gives with the Markdown."""

from __future__ import annotations

import subprocess
from pathlib import Path

TITLE = "Retry storm on the carrier API"
SUMMARY = ("On 14 March the carrier API was down for 40 minutes after a retry storm from "
           "the shipping service. Customers could not buy shipping labels.")
TIMELINE = ["14:02 the carrier API started returning 503 errors.",
            "14:20 raised the pool from 10 to 40 connections.",
            "14:35 capped the retries and the carrier recovered."]
CAUSE = ("Every worker retried failed calls at once and without a limit. The connection "
         "pool was sized for normal load only.")
AGREED = "We agreed on these rules:"
RULES = ["Retries are capped at 3 attempts with a 5 s backoff cap.",
         "The connection pool holds at most 40 connections per host.",
         "Requests to the carrier time out after 2 seconds."]
TABLE = [["Setting", "Value", "Reason"],
         ["carrier timeout", "2 s", "The carrier answers within 800 ms at the 99th "
                                    "percentile."]]
ACTIONS = ["Page the on-call engineer when the retry rate exceeds 5 percent of requests "
           "for 10 minutes.",
           "Review the pool size before every peak season."]
#: Text of the page chrome: none of it may reach the document.
CHROME = ["Spaces", "Carrier team home", "Log in", "Powered by Atlassian",
          "trackPageView", "font-family", "Recently viewed", "Report a bug"]

CHROMIUM = Path("/usr/bin/chromium")


def markdown_text() -> str:
    bullets = "\n".join
    return (f"# {TITLE}\n\n## Summary\n\n{SUMMARY}\n\n## Timeline\n\n"
            f"{bullets('- ' + t for t in TIMELINE)}\n\n## Root cause\n\n{CAUSE}\n\n"
            f"{AGREED}\n\n{bullets('- ' + r for r in RULES)}\n\n"
            f"| {' | '.join(TABLE[0])} |\n| --- | --- | --- |\n| {' | '.join(TABLE[1])} |\n\n"
            f"## Action items\n\n{bullets('- ' + a for a in ACTIONS)}\n")


def html_text() -> str:
    """A Confluence-like page: the postmortem in #main-content, chrome all around it."""
    items = "\n".join
    cause = CAUSE.replace("at once", "at&nbsp;once")  # an entity to decode
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Carrier team : {TITLE}</title>
  <style>body {{ font-family: sans-serif; }} .sidebar {{ width: 12em; }}</style>
  <script>window.trackPageView("postmortem"); var menu = "Spaces";</script>
</head>
<body>
<header id="header"><nav class="aui-header"><a href="/">Spaces</a> <a href="/login">Log in</a></nav></header>
<div id="breadcrumb-section"><ol id="breadcrumbs"><li><a href="/carrier">Carrier team home</a></li></ol></div>
<div id="page">
  <div class="ia-secondary-sidebar sidebar"><h3>Recently viewed</h3><ul><li>Runbook</li></ul></div>
  <div id="content" class="view">
    <h1 id="title-heading">{TITLE}</h1>
    <div id="main-content" class="wiki-content">
      <h2 id="summary">Summary</h2>
      <p>{SUMMARY}</p>
      <h2 id="timeline">Timeline</h2>
      <ul>
{items(f'        <li>{t}</li>' for t in TIMELINE)}
      </ul>
      <h2 id="root-cause">Root cause</h2>
      <p>{cause}</p>
      <p>{AGREED}</p>
      <ul>
{items(f'        <li><span>{r}</span></li>' for r in RULES)}
      </ul>
      <table class="confluenceTable"><tbody>
        <tr>{''.join(f'<th>{c}</th>' for c in TABLE[0])}</tr>
        <tr>{''.join(f'<td>{c}</td>' for c in TABLE[1])}</tr>
      </tbody></table>
      <h2 id="action-items">Action items</h2>
      <ul>
{items(f'        <li>{a}</li>' for a in ACTIONS)}
      </ul>
    </div>
  </div>
</div>
<footer id="footer"><p>Powered by Atlassian Confluence</p><button>Report a bug</button></footer>
<script>trackPageView("footer")</script>
</body>
</html>
"""


def write_docx(path: Path) -> Path:
    """The postmortem as a Word document, written with python-docx."""
    import docx

    document = docx.Document()
    document.add_heading(TITLE, level=0)
    document.add_heading("Summary", level=1)
    document.add_paragraph(SUMMARY)
    document.add_heading("Timeline", level=1)
    for t in TIMELINE:
        document.add_paragraph(t, style="List Bullet")
    document.add_heading("Root cause", level=1)
    document.add_paragraph(CAUSE)
    document.add_paragraph(AGREED)
    for r in RULES:
        document.add_paragraph(r, style="List Bullet")
    table = document.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    for row, values in zip(table.rows, TABLE, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_heading("Action items", level=1)
    for a in ACTIONS:
        document.add_paragraph(a, style="List Bullet")
    document.save(str(path))
    return path


def print_pdf(html: Path, out: Path, profile: Path) -> Path:
    """Print ``html`` to ``out`` with headless Chromium."""
    subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", f"--print-to-pdf={out}", html.as_uri()],
        check=True, capture_output=True, timeout=120)
    assert out.is_file() and out.read_bytes().startswith(b"%PDF")
    return out
