"""Issue "Hardening": one test per numbered defect that no other test covers, each through
the command a new user types (real `dna` subprocesses; a real HTTP server on loopback for
the model). Each failed on the code before the fix.

Covered elsewhere: 1 and 2 (concurrent edits and saves) in ``tests/core/test_concurrency.py``;
3, 11's BOM and fullwidth ids in ``tests/core/test_ledger.py`` and ``test_units.py``; 4 and 5
(a reader's failure and a FIFO are per file) in ``tests/ingest/test_bad_input.py``; 7's
``--source`` outside the repository in ``tests/core/test_ledger.py``, ``codify --out`` in
``tests/codify``; 8 in ``tests/test_fileio.py``; 9's ``codify`` of a target that exits or
loops in ``tests/codify/test_property_tests.py``; 12 in ``tests/example/test_demo.py``; the
review panel's redaction in ``tests/review``; no traceback for any arguments in
``tests/cli/test_fuzz.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dna_kit.cli import main
from tests.fakes.secrets import seeded_secrets
from tests.test_no_secret_leaks import quoting_model, write_sources

SEEDED = seeded_secrets(seed=2026)
EXIT_CODES = {0, 1, 2, 130}


def dna(project, *args: str, check: int | None = None) -> subprocess.CompletedProcess[str]:
    """``dna -C REPO ARGS`` in a real process (``project``: a Project or a folder);
    ``check`` asserts its exit code. Never a traceback, always a documented exit code."""
    root = project if isinstance(project, Path) else project.root  # (a Path has .root: "/")
    proc = subprocess.run([sys.executable, "-m", "dna_kit", "-C", str(root), *args],
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
    assert proc.returncode in EXIT_CODES, proc
    if check is not None:
        assert proc.returncode == check, (args, proc.stdout, proc.stderr)
    return proc


def run_main(project, *args: str) -> tuple[int, str]:
    """``dna`` in this process (argument parsing is all these need): exit code, stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(["-C", str(project.root), *args])
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
    return code, err.getvalue()


def add(project, title: str = "Carrier retry cap", *extra: str) -> str:
    return dna(project, "add", "--title", title, "--statement", "Retries are capped at 5 s.",
               "--layer", "how", "--kind", "retry_policy", *extra, check=0).stdout.strip()


def text_under(root: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace")
                     for p in sorted(root.rglob("*")) if p.is_file())


def leaked(text: str) -> list[str]:
    return [s.kind for s in SEEDED if s.secret in text]


# -- 6. secrets ---------------------------------------------------------------------------

@pytest.mark.slow
def test_6_no_secret_reaches_dna_or_the_model_through_any_entry_point(project, fake_llm):
    """Every secret type, through `add --source` (and typed fields), `extract --save`
    offline and with a model, and an interview transcript: none under dna/, none at the
    endpoint, none on the terminal."""
    from dna_kit.interview import InterviewSession

    fake_llm.responder = quoting_model
    sources = write_sources(project.root)
    assert not leaked(text_under(project.dna_dir))
    lines = (sources / "leak.md").read_text(encoding="utf-8").count("\n")
    terminal = ""
    proc = dna(project, "add", "--title", f"Rotate {SEEDED[0].secret}",
               "--statement", f"Rotate keys such as {SEEDED[8].secret} within a day.",
               "--rationale", SEEDED[-1].line, "--param", f"who={SEEDED[25].secret}",
               "--layer", "how", "--kind", "action_item",
               "--source", f"sources/leak.md:1-{lines}", check=0)
    terminal += proc.stdout + proc.stderr
    for extra in ((), ("--llm",)):
        proc = dna(project, "extract", "--save", *extra, str(sources), check=0)
        terminal += proc.stdout + proc.stderr
    assert fake_llm.chat_requests, "the model was asked"
    session = InterviewSession(project, interviewee="ana", incident="the leak", llm=None)
    session.answer("\n".join(s.line for s in SEEDED))

    assert not leaked(terminal), "secrets on the terminal"
    assert not leaked(fake_llm.sent_text() + fake_llm.sent_content()), "secrets at the model"
    stored = text_under(project.dna_dir)
    assert not leaked(stored), f"secrets under dna/: {leaked(stored)}"
    quote = (next(project.findings_dir.glob("F-0001-*.md"))).read_text(encoding="utf-8")
    assert "[REDACTED:aws_access_key]" in quote  # the quote was kept, redacted
    assert "[REDACTED:" in text_under(project.interviews_dir)


def test_6_a_password_followed_by_an_ampersand_keeps_no_tail():
    from dna_kit.redact import redact

    secret = "Hx!a9Qz&3kP"
    shown = redact(f"db_password={secret} in the deploy log").text
    assert shown == "db_password=[REDACTED:password] in the deploy log"
    # In a query string "&" still ends the value: the next parameter is not a secret.
    assert redact("GET /login?password=s3cr3tPw&user=ana").text == \
        "GET /login?password=[REDACTED:password]&user=ana"


# -- 7. paths leave the repository (codify --out) -----------------------------------------
# Covered by tests/codify (the engineer fixing --out added it); nothing here.


# -- 9. tracebacks instead of messages ----------------------------------------------------

@pytest.mark.slow
def test_9_notebooks_run_on_a_file_that_is_no_notebook_names_it(project):
    (project.root / "notes.ipynb").write_text("not json at all\n", encoding="utf-8")
    (project.root / "shape.ipynb").write_text('{"cells": 3, "nbformat": 4}', encoding="utf-8")
    for name in ("notes.ipynb", "shape.ipynb"):
        proc = dna(project, "notebooks", "run", name, "--out", "out", check=1)
        assert name in proc.stderr and "not a Jupyter notebook" in proc.stderr, proc.stderr


def test_9_regen_html_given_a_folder_says_so(project):
    (project.root / "reports").mkdir()
    proc = dna(project, "regen", "--html", "reports", "--no-history", check=1)
    assert "reports is a folder" in proc.stderr, proc.stderr


# -- 10. terminal escapes -----------------------------------------------------------------

def test_10_control_characters_are_dropped_from_stored_fields(project):
    (project.root / "pm.md").write_text("# \x1b[31mRed\x1b[0m\n\nRetries are capped at "
                                        "3.\x07\n", encoding="utf-8")
    finding_id = add(project, "Retry \x1b[2Jcap\x07", "--rationale", "after\x08 the storm",
                     "--source", "pm.md:1-3")
    dna(project, "set", finding_id, "owner=ana\x1b]0;owned\x07", check=0)
    stored = next(project.findings_dir.glob(f"{finding_id}-*.md")).read_text(encoding="utf-8")
    for char in ("\x1b", "\x07", "\x08", "\\e", "\\a", "\\b", "\\x1B", "\\x07"):
        assert char not in stored, repr(char)
    shown = json.loads(dna(project, "show", finding_id, "--json", check=0).stdout)
    assert shown["title"] == "Retry [2Jcap"  # the printable text is kept
    assert shown["rationale"] == "after the storm"
    assert shown["owner"] == "ana]0;owned"
    quote = shown["provenance"][0]["quote"]
    assert "Red" in quote and "Retries are capped at 3." in quote


# -- 11. smaller ones ---------------------------------------------------------------------

def test_11_accept_or_reject_with_one_missing_id_writes_nothing(project):
    first, second = add(project, "One"), add(project, "Two")
    before = text_under(project.findings_dir)
    for args in (("accept", first, second, "F-0099"),
                 ("reject", first, "F-0099", second, "--why", "a one-off")):
        proc = dna(project, *args, check=1)
        assert "F-0099" in proc.stderr
        assert text_under(project.findings_dir) == before, f"`dna {args[0]}` wrote"
    dna(project, "accept", first, second, check=0)
    assert "status: accepted" in text_under(project.findings_dir)


@pytest.mark.parametrize("args", [
    ("extract", "pm.md", "--workers", "-3"),
    ("extract", "pm.md", "--min-confidence", "7"),
    ("regen", "--min-score", "1.5"),
    ("regen", "--workers", "0"),
    ("regen", "--timeout", "-1"),
    ("notebooks", "run", "--parallel", "0"),
    ("notebooks", "run", "--cell-timeout", "0"),
    ("drill", "--target", "app", "--timeout", "nan"),
])
def test_11_out_of_range_options_are_usage_errors(project, monkeypatch, args):
    monkeypatch.delenv("DNA_LLM_MODEL", raising=False)
    code, err = run_main(project, *args)
    assert code == 2, (args, err)
    assert args[-1] in err


def test_11_list_json_is_always_json(project):
    proc = dna(project, "add", "--title", "Cap", "--statement", "s", "--layer", "how",
               "--kind", "timeout", "--param", "cap=1e309s")
    assert proc.returncode == 1 and "cap" in proc.stderr
    add(project, "Fine", "--param", "cap=5s")

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    listed = json.loads(dna(project, "list", "--format", "json", check=0).stdout,
                        parse_constant=refuse)
    assert [f["title"] for f in listed] == ["Fine"]


def test_11_a_folder_in_the_findings_is_reported(project):
    add(project)
    (project.findings_dir / "F-0002-a-folder.md").mkdir()
    proc = dna(project, "list", check=1)
    assert "F-0002-a-folder.md" in proc.stderr and "folder" in proc.stderr


def test_11_a_file_with_two_problems_reports_both(project):
    (project.findings_dir / "F-0001-two.md").write_text(
        "---\nid: F-0001\ntitle: Two problems\nlayer: sideways\nkind: guess\n"
        "statement: s\n---\n", encoding="utf-8")
    proc = dna(project, "list", check=1)
    assert "F-0001-two.md:4: layer: layer='sideways'" in proc.stderr, proc.stderr
    assert "F-0001-two.md:5: kind: kind='guess'" in proc.stderr, proc.stderr
    assert "1 invalid finding file(s)" in proc.stderr


# -- 13. adr-tools repositories -----------------------------------------------------------

ADR_INIT_RECORD = """\
# 1. Record architecture decisions

Date: 2026-11-02

## Status

Accepted

## Context

We need to record the architectural decisions made on this project.

## Decision

We will use Architecture Decision Records, as [described by Michael Nygard](http://thinkrelevance.com/blog/2011/11/15/documenting-architecture-decisions).

## Consequences

See Michael Nygard's article, linked above. For a lightweight ADR toolset, see Nat Pryce's [adr-tools](https://github.com/npryce/adr-tools).
"""


def test_13_records_in_an_adr_tools_repository_are_nygard_so_adr_new_supersedes(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    adr = shutil.which("adr")
    env = {"PATH": "/usr/bin:/bin", "EDITOR": "true", "VISUAL": "true"}
    if adr:  # the real `adr init`, when adr-tools is installed
        subprocess.run([adr, "init", "doc/adr"], cwd=repo, env=env, check=True,
                       capture_output=True)
    else:  # what `adr init doc/adr` writes
        (repo / "doc" / "adr").mkdir(parents=True)
        (repo / "doc/adr/0001-record-architecture-decisions.md").write_text(ADR_INIT_RECORD)

    dna(repo, "init", check=0)
    finding_id = add(repo, "Queue label jobs", "--status", "accepted")
    made = dna(repo, "codify", finding_id, "--adr", check=0).stdout.strip().splitlines()[-1]
    record = repo / made.split()[-1]
    assert record.name.startswith("0002-"), made
    text = record.read_text(encoding="utf-8")
    assert text.startswith("# 2. Queue label jobs\n"), text[:200]
    assert "\n## Status\n\nAccepted\n" in text
    if adr:
        subprocess.run([adr, "new", "-s", "2", "Use", "a", "broker"], cwd=repo, env=env,
                       check=True, capture_output=True)
        assert "Superseded by [3. Use a broker]" in record.read_text(encoding="utf-8")


def test_13_the_markdown_summary_escapes_html_from_titles(project):
    add(project, '<img src=x onerror="alert(1)"> cap', "--status", "accepted")
    dna(project, "regen", "--markdown", "summary.md", "--no-history", check=0)
    summary = (project.root / "summary.md").read_text(encoding="utf-8")
    assert "<img" not in summary
    assert "&lt;img src=x onerror=" in summary
