"""The built wheel works on its own: installed into a fresh venv, outside the checkout."""

from __future__ import annotations

import os
import re
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
            "print(root.joinpath('py.typed').is_file())\n"
            "print(sorted(p.name for p in root.joinpath('_notebooks').iterdir()))\n")
    out = subprocess.run([str(installed / "bin" / "python"), "-c", code], check=True,
                         capture_output=True, text=True, cwd="/").stdout.splitlines()
    assert out[0] != "[]"
    assert out[1:3] == ["True", "True"]
    shipped = sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert out[3] == repr(shipped)  # the built notebooks, not their .py sources


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


def test_the_wheel_ships_the_example_without_its_caches(installed):
    import zipfile

    wheel = next((installed.parent / "dist").glob("dna_kit-*.whl"))
    assert wheel.stat().st_size < 1_000_000, "the wheel grew past 1 MB: what got in?"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    prefix = "dna_kit/_examples/logistics/"
    shipped = {n[len(prefix):].split("/")[0] for n in names if n.startswith(prefix)}
    assert {"dna", "incidents", "interviews", "dispatch", "regenerated", "review.yaml",
            "build_dna.py"} <= shipped
    caches = [n for n in names if {"__pycache__", ".hypothesis", ".pytest_cache",
                                   ".ruff_cache", ".dna.lock"} & set(n.split("/"))
              or n.endswith((".pyc", "regen-history.jsonl"))]
    assert caches == []
    # Every file the checkout's git tracks in the example is in the wheel, and nothing else.
    tracked = subprocess.run(["git", "ls-files", "examples/logistics"], cwd=REPO, check=True,
                             capture_output=True, text=True).stdout.split()
    if tracked:  # an unpacked sdist has no git
        assert sorted(n[len(prefix):] for n in names if n.startswith(prefix)) == \
            sorted(t[len("examples/logistics/"):] for t in tracked)


def test_the_installed_dna_demo_runs_outside_any_checkout(installed, tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "DNA_EXAMPLES") and not k.startswith(("OPENAI_", "DNA_LLM"))}
    result = subprocess.run([str(installed / "bin" / "dna"), "demo", "--out", "X"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    where = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import dna_kit; print(dna_kit.__file__)"], check=True, env=env,
                           capture_output=True, text=True, cwd=tmp_path).stdout
    assert where.startswith(str(installed)) and str(REPO) not in where
    # The example came from the installed package, not from the checkout.
    copied = re.search(r"^copied (.+) to X/logistics$", out, re.M)
    assert copied and copied.group(1).startswith(str(installed)), out
    assert copied.group(1).endswith("dna_kit/_examples/logistics"), out
    scores = dict(re.findall(r"^regeneration score of the (service|rewrite): (\d+)%", out,
                             re.M))
    assert set(scores) == {"service", "rewrite"}, out
    assert int(scores["rewrite"]) < int(scores["service"]), out
    assert "HTML report (service): X/report-service.html" in out
    report = (tmp_path / "X" / "report-service.html").read_text(encoding="utf-8")
    assert f"{scores['service']}%" in report
    # The notebooks ship in the wheel; papermill (the notebooks extra) is not installed
    # here, which is said plainly, not a failure.
    assert "skipped: the notebooks: papermill is not installed" in out
    assert (tmp_path / "X" / ".dna-demo").is_file()


def test_a_wheel_built_from_the_sdist_ships_the_example_too(tmp_path):
    # pip builds the wheel from the sdist: the example must be in both.
    import tarfile
    import zipfile

    subprocess.run([sys.executable, "-m", "build", "--outdir", str(tmp_path), str(REPO)],
                   check=True, capture_output=True)
    with tarfile.open(next(tmp_path.glob("dna_kit-*.tar.gz"))) as tf:
        in_sdist = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    with zipfile.ZipFile(next(tmp_path.glob("dna_kit-*.whl"))) as zf:
        in_wheel = set(zf.namelist())
    for name in ("review.yaml", "build_dna.py", "regenerated", "dispatch"):
        assert f"examples/logistics/{name}" in in_sdist or any(
            n.startswith(f"examples/logistics/{name}/") for n in in_sdist), name
        assert any(n.startswith(f"dna_kit/_examples/logistics/{name}") for n in in_wheel), name
