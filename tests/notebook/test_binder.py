"""Binder's files agree with pyproject.toml, and the README has a launch badge."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest

from dna_kit import _resources
from dna_kit.errors import ProjectError
from dna_kit.notebook import setup

REPO = Path(__file__).resolve().parents[2]
BINDER = REPO / "binder"


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower()


def _pyproject() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_requirements_equal_core_plus_notebooks_extra() -> None:
    project = _pyproject()["project"]
    wanted = {_name(r): r.replace(" ", "") for r in
              [*project["dependencies"], *project["optional-dependencies"]["notebooks"]]}
    lines = [x.split("#")[0].strip() for x in
             (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    have = {_name(x): x.replace(" ", "") for x in lines if x}
    assert have == wanted, "binder/requirements.txt drifted from pyproject.toml"


def test_post_build_installs_the_package_with_the_notebooks_extra() -> None:
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "repo2docker runs postBuild only if executable"
    text = post_build.read_text(encoding="utf-8")
    assert text.startswith("#!")
    assert re.search(r'pip install [^\n]*"?\.\[notebooks\]"?', text)
    assert "notebooks" in _pyproject()["project"]["optional-dependencies"]


def test_runtime_satisfies_requires_python() -> None:
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    version = runtime.removeprefix("python-")
    floor = _pyproject()["project"]["requires-python"].removeprefix(">=")
    assert tuple(map(int, version.split("."))) >= tuple(map(int, floor.split(".")))


def test_readme_has_a_launch_badge_opening_the_notebooks() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    badge = re.search(r"\(https://mybinder\.org/v2/gh/[^)\s]+\)", readme)
    assert badge, "README.md needs a Binder launch badge"
    assert "urlpath=lab" in badge.group() and "notebooks" in badge.group()
    for name in re.findall(r"notebooks/(\d\d_\w+\.ipynb)", badge.group()):
        assert (REPO / "notebooks" / name).is_file()


def test_example_found_from_a_checkout_after_a_plain_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An install without the bundled example (and no checkout around the package): the
    # example is found from the directory the notebook runs in.
    monkeypatch.setattr(_resources, "_PACKAGE", tmp_path / "site-packages" / "dna_kit")
    monkeypatch.delenv("DNA_EXAMPLES", raising=False)
    monkeypatch.chdir(REPO / "notebooks")
    assert setup.example_dir() == REPO / "examples" / "logistics"
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProjectError, match="set project_dir"):
        setup.example_dir()
    monkeypatch.setenv("DNA_EXAMPLES", str(REPO / "examples"))
    assert setup.example_dir() == REPO / "examples" / "logistics"


def test_scratch_copy_is_made_once_and_reused(tmp_path: Path) -> None:
    first = setup.scratch_example(tmp_path / "scratch")
    assert (first / "dispatch").is_dir() and not (first / "__pycache__").exists()
    (first / "marker").write_text("kept", encoding="utf-8")
    assert setup.scratch_example(tmp_path / "scratch") == first
    assert (first / "marker").read_text(encoding="utf-8") == "kept"
    again = setup.scratch_example(tmp_path / "scratch", fresh=True)
    assert not (again / "marker").exists()
    project = setup.open_project(again)
    assert project.findings_dir.is_dir()
