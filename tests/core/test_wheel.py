"""The built wheel works on its own: installed into a fresh venv, outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the built wheel installed (no checkout on its path)."""
    base = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(base / "dist"),
                    str(REPO)], check=True, capture_output=True)
    wheel = next((base / "dist").glob("dna_kit-*.whl"))
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True)
    subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet",
                    str(wheel)], check=True, capture_output=True)
    return env_dir


def test_the_wheel_ships_templates_and_schema(installed):
    code = ("import importlib.resources as r\n"
            "root = r.files('dna_kit')\n"
            "print(sorted(p.name for p in root.joinpath('_templates').iterdir()))\n"
            "print(root.joinpath('_schema', 'finding.schema.json').is_file())\n"
            "print(root.joinpath('py.typed').is_file())\n")
    out = subprocess.run([str(installed / "bin" / "python"), "-c", code], check=True,
                         capture_output=True, text=True, cwd="/").stdout.splitlines()
    assert out[0] != "[]"
    assert out[1:] == ["True", "True"]


def test_the_installed_dna_command_runs_init_add_list(installed, tmp_path):
    dna = str(installed / "bin" / "dna")
    repo = tmp_path / "repo"
    subprocess.run([dna, "init", str(repo)], check=True, capture_output=True, cwd=tmp_path)
    added = subprocess.run(
        [dna, "add", "--title", "Partner quota", "--statement", "Stay under 20 req/s.",
         "--layer", "why", "--kind", "agreement", "--param", "limit=20 req/s"],
        check=True, capture_output=True, text=True, cwd=repo)
    assert added.stdout == "F-0001\n"
    listed = subprocess.run([dna, "list", "--format", "csv"], check=True,
                            capture_output=True, text=True, cwd=repo).stdout
    assert "F-0001,why,agreement,candidate,Partner quota" in listed
    where = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import dna_kit; print(dna_kit.__file__)"], check=True,
                           capture_output=True, text=True, cwd=tmp_path).stdout
    assert str(installed) in where and str(REPO) not in where
