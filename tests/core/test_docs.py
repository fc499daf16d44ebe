"""Every command has help that ends in an example, and is documented in README.md."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

import pytest

from dna_kit.cli import build_parser
from tests.conftest import REPO


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices.items())


COMMANDS = _commands()


def _nested(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices.items())
    return {}


ALL = {name: p for name, p in COMMANDS.items()} | {
    f"{name} {child}": p2 for name, p in COMMANDS.items() for child, p2 in _nested(p).items()}


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_command_has_help_ending_in_an_example(name):
    text = ALL[name].format_help().rstrip()
    assert ALL[name].description, f"dna {name} has no description"
    tail = text.rsplit("Example:", 1)
    assert len(tail) == 2, f"dna {name} --help has no 'Example:' section"
    example = tail[1].strip()
    assert example.startswith("dna "), f"dna {name}'s example does not show a dna command"
    assert example.split()[1] == name.split()[0], f"dna {name}'s example runs another command"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_documented_in_the_readme(name):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"\bdna {re.escape(name)}\b", readme), f"README.md never shows dna {name}"


def test_top_level_help_lists_every_command():
    out = subprocess.run([sys.executable, "-m", "dna_kit", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for name in COMMANDS:
        assert name in out


def test_help_does_not_import_heavy_libraries():
    code = ("import sys, contextlib, io\n"
            "from dna_kit.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['--help']) if False else None\n"
            "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n"
            # typing and pathlib cost a third of the start-up budget (BENCHMARKS.md)
            "heavy = {'pandas', 'papermill', 'openai', 'jupyter_client', 'matplotlib', "
            "'hypothesis', 'yaml', 'nbformat', 'numpy', 'typing', 'pathlib'}\n"
            "print(sorted(heavy & set(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
