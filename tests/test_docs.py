"""The docs cannot drift from the code.

Every command has help that ends in an example; the generated reference (built by
``docs/_hooks/reference.py``, the MkDocs hook, whose functions these tests call) holds every
command, property template and decision-record format; the hand-written pages name every
command, every template and every ``dna/config.yaml`` key the code reads; the README stays a
short front door; and the site builds with ``mkdocs build --strict``.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from dna_kit.cli import build_parser
from tests.conftest import REPO

DOCS = REPO / "docs"
README = REPO / "README.md"


def _load_hook() -> ModuleType:
    path = DOCS / "_hooks" / "reference.py"
    spec = importlib.util.spec_from_file_location("dna_docs_reference_hook", path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOOK = _load_hook()


def _walk(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    """Every command and nested command, walked here independently of the hook."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found[f"{prefix}{name}"] = child
                found |= _walk(child, f"{prefix}{name} ")
    return found


ALL = _walk(build_parser())
COMMANDS = {name: p for name, p in ALL.items() if " " not in name}


def _hand_written_pages() -> str:
    """The Markdown a person wrote under docs/ (generated pages are not on disk)."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.rglob("*.md")))


# -- help ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(ALL))
def test_every_command_has_help_ending_in_an_example(name):
    text = ALL[name].format_help().rstrip()
    assert ALL[name].description, f"dna {name} has no description"
    tail = text.rsplit("Example:", 1)
    assert len(tail) == 2, f"dna {name} --help has no 'Example:' section"
    example = tail[1].strip()
    assert example.startswith("dna "), f"dna {name}'s example does not show a dna command"
    assert example.split()[1] == name.split()[0], f"dna {name}'s example runs another command"


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


# -- the generated reference -----------------------------------------------------------------

def test_the_generator_walks_every_command_and_nested_command():
    assert list(HOOK.commands()) == list(ALL)
    assert any(" " in name for name in ALL), "no nested command found: the walk is broken"


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_command_is_in_the_generated_reference(name):
    page = HOOK.commands_page()
    assert f"## `dna {name}`" in page, f"reference/commands.md has no section for dna {name}"
    # the section holds the command's --help as the installed dna prints it (at the
    # reference's fixed width)
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HOOK.HELP_WIDTH
    try:
        help_text = ALL[name].format_help().rstrip()
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    assert help_text in page, f"reference/commands.md holds a stale --help of dna {name}"


def test_every_property_template_is_in_the_generated_reference():
    from dna_kit import build_template_registry

    names = build_template_registry().names()
    assert names, "the template registry is empty"
    page = HOOK.templates_page()
    for name in names:
        assert f"### `{name}`" in page, f"reference/templates.md has no section for {name}"
        spec = build_template_registry().get(name)
        assert spec.rule in page and spec.example in page


def test_every_decision_record_format_is_in_the_generated_reference():
    from dna_kit.codify import build_format_registry

    names = build_format_registry().names()
    assert names, "the decision-record format registry is empty"
    page = HOOK.templates_page()
    for name in names:
        assert f"### `{name}`" in page, f"reference/templates.md has no section for {name}"


def test_the_schema_pages_list_every_top_level_field():
    from dna_kit import finding_schema, scorecard_schema

    pages = HOOK.pages()
    for page, schema in (("reference/finding-schema.md", finding_schema()),
                         ("reference/scorecard-schema.md", scorecard_schema())):
        for field in schema["properties"]:
            assert f"| `{field}` |" in pages[page], f"{page} lacks {field}"


def test_every_generated_page_is_in_the_nav():
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert "docs/_hooks/reference.py" in config
    for path in HOOK.pages():
        assert re.search(rf":\s*{re.escape(path)}\s*$", config, re.M), f"{path} not in nav"


# -- the hand-written pages ------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(ALL))
def test_every_command_is_shown_in_the_hand_written_docs(name):
    docs = _hand_written_pages()
    assert re.search(rf"\bdna {re.escape(name)}\b", docs), f"no page under docs/ shows dna {name}"


def test_every_template_is_in_the_how_to_table():
    from dna_kit import build_template_registry

    page = (DOCS / "how-to" / "bind-your-code.md").read_text(encoding="utf-8")
    for name in build_template_registry().names():
        assert f"| `{name}` |" in page, f"how-to/bind-your-code.md's table lacks {name}"


# The code reads dna/config.yaml through Project.config() (and project.py's own loader);
# there is no machine-readable list of keys, so the keys are found in the source.
_CONFIG_ORIGIN = re.compile(r"\.config\(\)|\bproject_config\b|\bconfig_path\b")


def _first_str(args: list[ast.expr]) -> str | None:
    for arg in args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return None


def _keys_in_function(func: ast.AST) -> set[str]:
    bound: dict[str, str] = {}  # variable -> the section it holds ("" for the whole file)
    for node in ast.walk(func):
        target, value = None, None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and value is not None \
                and _CONFIG_ORIGIN.search(ast.unparse(value)):
            section = ""
            for sub in ast.walk(value):
                if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) \
                        and sub.func.attr == "get" and _first_str(sub.args[:1]):
                    section = f"{_first_str(sub.args[:1])}."
                    break
            bound[target.id] = section
    keys: set[str] = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "get" and (key := _first_str(node.args[:1])):
            receiver = node.func.value
            if isinstance(receiver, ast.Name) and receiver.id in bound:
                keys.add(bound[receiver.id] + key)
            elif _CONFIG_ORIGIN.search(ast.unparse(receiver)):
                keys.add(key)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Name) \
                and node.args[0].id in bound and (key := _first_str(node.args[1:])):
            # a helper handed the section and the key: _number(section, env, "timeout", ...)
            keys.add(bound[node.args[0].id] + key)
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
                and node.value.id in bound and isinstance(node.slice, ast.Constant) \
                and isinstance(node.slice.value, str):
            keys.add(bound[node.value.id] + node.slice.value)
    return keys


def config_keys_read_by_code() -> set[str]:
    """Every ``dna/config.yaml`` key dna_kit reads, dotted (``llm.timeout``)."""
    keys: set[str] = set()
    for path in sorted((REPO / "dna_kit").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                keys |= _keys_in_function(node)
    return keys


def test_the_config_key_scan_finds_the_keys_it_must():
    # if config reading moves behind another helper, this fails before the check below
    # silently checks nothing
    keys = config_keys_read_by_code()
    assert {"adr_dir", "adr_format", "llm", "llm.model", "llm.timeout",
            "regen.pytest_plugins"} <= keys, sorted(keys)


def test_every_config_key_the_code_reads_is_documented():
    page = (DOCS / "reference" / "config.md").read_text(encoding="utf-8")
    missing = [k for k in sorted(config_keys_read_by_code()) if f"`{k}`" not in page]
    assert not missing, f"docs/reference/config.md does not document {missing}"


def test_every_config_key_documented_is_read_by_the_code():
    page = (DOCS / "reference" / "config.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_][a-z_.]*)` \|", page, re.M))
    assert documented, "no key rows found in docs/reference/config.md"
    stale = sorted(documented - config_keys_read_by_code())
    assert not stale, f"docs/reference/config.md documents keys nothing reads: {stale}"


# -- the README ------------------------------------------------------------------------------

def test_readme_is_a_short_front_door():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 150, "README.md is a front door: at most 150 lines"
    for command in ("make demo", "make test"):
        assert command in text, f"README.md does not name `{command}`"
    assert re.search(r"!\[[^\]]*\]\(docs/img/[\w.-]+\.png\)", text), "README.md has no picture"


def test_readme_links_point_at_files_that_exist():
    text = README.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = target.split("#", 1)[0]
        assert (REPO / path).exists(), f"README.md links to {target}, which does not exist"


# -- the build -------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_site_builds_strict(tmp_path: Path):
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
         str(REPO / "mkdocs.yml"), "--site-dir", str(site)],
        cwd=REPO, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    commands = site / "reference" / "commands" / "index.html"
    assert commands.is_file(), "the command reference page was not built"
    html = commands.read_text(encoding="utf-8")
    for name in ALL:
        assert f'id="dna-{name.replace(" ", "-")}"' in html, f"no section for dna {name}"
    assert (site / "reference" / "templates" / "index.html").is_file()
    assert not (site / "_hooks").exists(), "the hook was copied into the site"
