"""`dna demo` (and `python -m dna_kit.demo`): the whole path on a copy of the example, as
`make demo` runs it, writing only into a folder it made."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dna_kit import demo
from dna_kit.ledger import load_ledger
from tests.example.conftest import EXAMPLE, LOST_TARGETS
from tests.fakes.openai_server import FakeOpenAI

CACHES = {"__pycache__", ".hypothesis", ".pytest_cache", ".ruff_cache"}
FAST = ("--no-prove", "--no-notebooks")


def committed_files() -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in EXAMPLE.rglob("*")
            if p.is_file() and not CACHES & set(p.parts)}


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def dna_demo(cwd: Path, *args: str, module: str = "dna_kit") -> subprocess.CompletedProcess[str]:
    """``dna demo ARGS`` (``module="dna_kit.demo"``: ``python -m dna_kit.demo ARGS``), run
    in ``cwd`` with the test's own environment (with fake_llm: a model on loopback)."""
    command = [sys.executable, "-m", module, *(["demo"] if module == "dna_kit" else []),
               *args]
    return subprocess.run(command, cwd=cwd, env=dict(os.environ), capture_output=True,
                          text=True, timeout=600)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.stdout == "", result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.mark.slow
def test_the_demo_tells_the_story(tmp_path: Path, fake_llm: FakeOpenAI) -> None:
    """End to end, offline even when a model is configured: the endpoint hears nothing."""
    before = committed_files()
    result = dna_demo(tmp_path, "--out", "out")
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    scores = dict(re.findall(r"regeneration score of the (service|rewrite): (\d+)%", out))
    assert set(scores) == {"service", "rewrite"}, out
    assert int(scores["rewrite"]) < int(scores["service"]), out
    # The lost rules are named, and they are exactly the rules bound to the lost targets.
    ledger = load_ledger(EXAMPLE)
    expected = {f.id: f.title for f in ledger
                if f.binding is not None and f.binding.target in LOST_TARGETS}
    section = out.split("rules the rewrite lost", 1)[1]
    named = dict(re.findall(r"^  (F-\d{4})  (.+)$", section, re.M))
    assert named == expected, out
    # Every path it points at exists, shown relative to where the command ran.
    paths = re.findall(r"^(?:HTML report|scorecard|summary|executed notebook)[^:]*: (.+)$",
                       out, re.M)
    assert len(paths) == 6 + 4, out
    for path in paths:
        assert path.startswith("out/") and (tmp_path / path).is_file(), path
    assert "<html" in (tmp_path / "out" / "report-service.html").read_text().lower()
    # The committed example is untouched, and no model was asked anything.
    assert committed_files() == before
    assert fake_llm.requests == []
    assert len(re.findall(r"^executed notebook: ", out, re.M)) == 4, out
    assert "skipped" not in out, out


def test_the_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    mine = tmp_path / "out"
    (mine / "logistics").mkdir(parents=True)
    (mine / "logistics" / "notes.txt").write_text("mine")
    (mine / "report-service.html").write_text("my own report")
    before = tree(mine)
    result = dna_demo(tmp_path, "--out", "out", *FAST)
    assert result.returncode == 1
    line = one_line_error(result)
    assert line == ("dna demo: out is not empty and was not made by the demo; nothing was "
                    "written; pass --out with a new or empty folder")
    assert tree(mine) == before  # no marker, no copy, the report is the user's


def test_the_default_folder_is_refused_likewise(tmp_path: Path) -> None:
    (tmp_path / demo.DEFAULT_OUT).mkdir()
    (tmp_path / demo.DEFAULT_OUT / "keep.txt").write_text("kept")
    result = dna_demo(tmp_path, *FAST, module="dna_kit.demo")
    assert result.returncode == 1
    assert one_line_error(result).startswith("demo: dna-demo is not empty and was not made")
    assert tree(tmp_path) == {"dna-demo/keep.txt": b"kept"}


def test_a_rerun_replaces_its_own_output_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()  # an empty folder may be used: there is nothing to lose
    first = dna_demo(tmp_path, "--out", "empty", *FAST)
    assert first.returncode == 0, first.stderr
    out = tmp_path / "empty"
    assert (out / demo.MARKER).is_file()
    assert (out / "logistics" / "dna" / "findings").is_dir()
    (out / "logistics" / "stale.txt").write_text("left from the last run")
    (out / "report-service.html").write_text("stale report")
    (out / "my-notes.md").write_text("written by a person beside the demo's output")
    second = dna_demo(tmp_path, "--out", "empty", *FAST, module="dna_kit.demo")
    assert second.returncode == 0, second.stderr
    assert "regeneration score of the service:" in second.stdout
    assert not (out / "logistics" / "stale.txt").exists()
    assert "stale report" not in (out / "report-service.html").read_text()
    assert (out / "my-notes.md").read_text().startswith("written by a person")


def test_the_default_folder_is_made_in_the_current_directory(tmp_path: Path) -> None:
    result = dna_demo(tmp_path, *FAST)
    assert result.returncode == 0, result.stderr
    assert "HTML report (service): dna-demo/report-service.html" in result.stdout
    assert (tmp_path / "dna-demo" / demo.MARKER).is_file()


@pytest.mark.parametrize(("target", "expected"), [
    ("a-file", "dna demo: a-file is a file, not a folder; pass --out with a new or empty "
               "folder"),
    ("a-file/below", "dna demo: a-file/below: cannot write there: Not a directory; pass --out "
                     "with a new or empty folder"),
])
def test_a_place_it_cannot_use_is_one_line(tmp_path: Path, target: str, expected: str) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    result = dna_demo(tmp_path, "--out", target, *FAST)
    assert result.returncode == 1
    assert one_line_error(result) == expected
    assert tree(tmp_path) == {"a-file": b"not a folder"}


def test_an_example_copy_that_is_not_one_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    result = dna_demo(tmp_path, "--example", "elsewhere", *FAST)
    assert result.returncode == 1
    assert one_line_error(result) == ("dna demo: elsewhere is not a copy of the logistics "
                                      "example: it has no review.yaml; pass --example with a "
                                      "copy of the logistics example, or leave it out")
    assert not (tmp_path / "dna-demo").exists()


def test_the_demo_will_not_copy_the_example_into_itself(tmp_path: Path) -> None:
    with pytest.raises(demo.DemoError, match="inside the example it would copy"):
        demo.run_demo(EXAMPLE / "dna-demo", prove=False, notebooks=False)
    assert not (EXAMPLE / "dna-demo").exists()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = dna_demo(tmp_path, "--out")
    assert result.returncode == 2
    assert "expected one argument" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_both_entry_points_take_the_same_options() -> None:
    from dna_kit.cli import build_parser

    def options(parser: object) -> dict[str, object]:
        return {a.dest: (tuple(a.option_strings), a.default, a.help)
                for a in parser._actions if a.dest not in ("help", "handler")}  # type: ignore[attr-defined]

    top = build_parser()
    sub = next(a for a in top._actions if a.dest == "command").choices["demo"]  # type: ignore[attr-defined]
    assert options(sub) == options(demo.build_parser())
    from dna_kit.cli import demo as cli_demo

    assert cli_demo.DEFAULT_OUT == demo.DEFAULT_OUT
    assert cli_demo.HINTS == demo.HINTS
