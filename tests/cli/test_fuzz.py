"""Any arguments and any hostile file end in a documented exit code and a message, never a
traceback: hypothesis builds command lines from the parser itself (every command, every
option, values from a pool of bad ones) and runs them against a repository that holds
hostile files (a billion-laughs finding, a folder among the findings, a binary, a file
nested 20,000 deep, terminal escapes, a BOM). Exit codes: 0 ok, 1 data, 2 usage, 130
interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dna_kit.cli import build_parser, main

EXIT_CODES = {0, 1, 2, 130}
#: Commands that run notebooks, whole demos or a model's rewrite take minutes a call; they
#: have their own tests. Options that start long runs are left out for the same reason.
SLOW_COMMANDS = {"demo", "notebooks", "drill"}
SLOW_OPTIONS = {"--prove", "--cv", "--llm", "--check"}

BAD_VALUES = [
    "", " ", "-1", "0", "1.5", "7", "1e309", "nan", "-3", "5s", "1e309s", "-5s", "５",
    "F-0001", "F-０００1", "1", "F-9999", "../outside.md", "/etc/passwd", "incidents",
    "incidents/deep.json", "dna/findings", "\x1b[2J\x07title", "a" * 500, "params.cap=5s",
    "params.cap=1e309s", "params.cap=-2s", "title=", "layer=sideways", "status=accepted",
    "x=y", "pm.md:1-2", "pm.md:99-100", "/etc/passwd:1-2", "app.mod:func", "nope:nope",
    "backoff_schedule", "madr", "nygard", "what", "how", "json", "csv", "markdown",
    "report.html", "dna/findings/F-0001-ok.md", "pm.md", "review.yaml",
]

LAUGHS = "---\nid: F-0002\ntitle: t\nlayer: how\nkind: timeout\nstatement: s\nparams:\n" + (
    "  a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"  {chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))) + "---\n"

GOOD = """---
id: F-0001
title: Carrier retry cap
layer: how
kind: retry_policy
status: candidate
statement: Carrier retries back off from 0.5 s and are capped at 5 s.
params:
  cap: 5 s
---

Body.
"""


def _hostile_repository(root: Path) -> None:
    from dna_kit.project import init_project

    project = init_project(root)
    (project.findings_dir / "F-0001-ok.md").write_text(GOOD)
    (project.findings_dir / "F-0002-laughs.md").write_text(LAUGHS)
    (project.findings_dir / "F-0003-bom.md").write_bytes(
        b"\xef\xbb\xbf" + GOOD.replace("F-0001", "F-0003").encode())
    (project.findings_dir / "F-0004-folder.md").mkdir()
    (project.findings_dir / "F-0005-binary.md").write_bytes(b"\x00\x01\x02" * 10)
    incidents = root / "incidents"
    incidents.mkdir()
    (incidents / "deep.json").write_text("[" * 20_000 + "]" * 20_000)
    (incidents / "escapes.md").write_text("# \x1b[31mRed\x1b[0m\n\nRetries are capped at 3.\x07\n")
    (incidents / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (incidents / "empty.md").write_text("")
    (root / "pm.md").write_text("# Summary\n\nThe pool was raised from 10 to 40 at 14:20.\n")
    (root / "review.yaml").write_text("accepted: [\n")


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {name: p for name, p in sub.choices.items() if name not in SLOW_COMMANDS}


COMMANDS = _commands()


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    name = draw(st.sampled_from(sorted(COMMANDS)))
    argv = [name]
    for action in COMMANDS[name]._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        if action.option_strings:
            flag = action.option_strings[-1]
            if flag in SLOW_OPTIONS or not draw(st.booleans()):
                continue
            argv.append(flag)
            if action.nargs == 0:
                continue
            choices = list(action.choices or []) + BAD_VALUES
            argv.append(draw(st.sampled_from(choices)))
        else:
            count = 1 if action.nargs in (None, "?") else draw(st.integers(1, 3))
            if action.nargs == "?" and draw(st.booleans()):
                continue
            argv += draw(st.lists(st.sampled_from(BAD_VALUES), min_size=count,
                                  max_size=count))
    if draw(st.integers(0, 9)) == 0:  # now and then, a stray token
        argv.insert(draw(st.integers(1, len(argv))), draw(st.sampled_from(BAD_VALUES)))
    return argv


def _run(root: Path, argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["-C", str(root), *argv])
        except SystemExit as exc:  # argparse: --help is 0, a usage error 2
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


@pytest.mark.slow
@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(argv=command_lines())
def test_no_command_line_ends_in_a_traceback(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        _hostile_repository(root)
        cwd = os.getcwd()
        try:
            code, out, err = _run(root, argv)
        finally:
            os.chdir(cwd)
    assert code in EXIT_CODES, (argv, code, err)
    assert "Traceback" not in err + out, (argv, err)
    assert "internal error" not in err, (argv, err)  # the funnel's catch-all is for bugs
    assert "\x1b" not in err, (argv, err)
    if code == 0 and "--format" in argv and "json" in argv:
        json.loads(out)  # JSON output is always JSON
