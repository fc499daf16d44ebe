"""``dna init``: the generated tests run under a plain ``pytest`` in the repository (a
conftest puts the root on the path, and leaves out the tests of rejected findings); a
conftest a person wrote is never replaced; ``--ci --shards N`` scaffolds a job matrix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from dna_kit.project import TESTS_CONFTEST

MODULE = 'def normalise(text: str) -> str:\n    return " ".join(text.split())\n'


def _dna(dna_cmd: list[str], root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*dna_cmd, "-C", str(root), *args], capture_output=True, text=True,
                          timeout=300)


def _plain_pytest(root: Path) -> subprocess.CompletedProcess[str]:
    """``pytest dna/tests`` as a person types it: -P keeps the current directory off the
    path (the ``pytest`` script never puts it there), no PYTHONPATH, no plugins."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run([sys.executable, "-P", "-m", "pytest", "dna/tests", "-q",
                           "-p", "no:cacheprovider", "-p", "hypothesis.extra.pytestplugin"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)


def _repo(tmp_path: Path, dna_cmd: list[str]) -> Path:
    root = tmp_path / "repo"
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("", encoding="utf-8")
    (root / "shop" / "address.py").write_text(MODULE, encoding="utf-8")
    done = _dna(dna_cmd, tmp_path, "init", "repo")
    assert done.returncode == 0, done.stderr
    assert "dna/tests/conftest.py" in done.stdout
    for title in ("Normalised addresses", "Normalised twice"):
        added = _dna(dna_cmd, root, "add", "--title", title, "--statement",
                     "Normalising an address twice changes nothing", "--layer", "what",
                     "--kind", "invariant", "--status", "accepted")
        assert added.returncode == 0, added.stderr
        finding_id = added.stdout.strip()
        done = _dna(dna_cmd, root, "codify", finding_id, "--template", "idempotent",
                    "--target", "shop.address:normalise")
        assert done.returncode == 0, done.stderr
    return root


def test_plain_pytest_runs_the_generated_tests_and_fails_without_the_conftest(
        tmp_path: Path, dna_cmd: list[str]) -> None:
    root = _repo(tmp_path, dna_cmd)
    assert (root / "dna/tests/conftest.py").read_text(encoding="utf-8") == TESTS_CONFTEST
    run = _plain_pytest(root)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout
    # What a fresh repository did before: the package cannot be imported.
    (root / "dna/tests/conftest.py").unlink()
    run = _plain_pytest(root)
    assert run.returncode != 0 and "ModuleNotFoundError" in run.stdout


def test_the_tests_of_a_rejected_finding_no_longer_run(tmp_path: Path,
                                                       dna_cmd: list[str]) -> None:
    root = _repo(tmp_path, dna_cmd)
    done = _dna(dna_cmd, root, "reject", "F-0002", "--why", "a duplicate of F-0001")
    assert done.returncode == 0, done.stderr
    run = _plain_pytest(root)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed, 1 deselected" in run.stdout
    assert "test_f0002" not in run.stdout


def test_a_conftest_a_person_wrote_is_never_replaced(tmp_path: Path,
                                                    dna_cmd: list[str]) -> None:
    mine = tmp_path / "dna" / "tests" / "conftest.py"
    mine.parent.mkdir(parents=True)
    mine.write_text("# ours\n", encoding="utf-8")
    for _ in range(2):
        assert _dna(dna_cmd, tmp_path, "init").returncode == 0
    assert mine.read_text(encoding="utf-8") == "# ours\n"


def test_init_ci_shards_scaffolds_a_matrix_and_a_merge(tmp_path: Path,
                                                      dna_cmd: list[str]) -> None:
    (tmp_path / ".git").mkdir()
    done = _dna(dna_cmd, tmp_path, "init", "--ci", "--shards", "3")
    assert done.returncode == 0, done.stderr
    workflow = yaml.safe_load((tmp_path / ".github/workflows/dna.yml").read_text())
    shards = workflow["jobs"]["regeneration-shard"]
    assert shards["strategy"]["matrix"]["shard"] == [1, 2, 3]
    run = next(s["run"] for s in shards["steps"] if "dna regen" in s.get("run", ""))
    assert "--prove --shard ${{ matrix.shard }}/3" in run
    assert "--json dna-shards/scorecard-${{ matrix.shard }}.json" in run
    merge = workflow["jobs"]["regeneration-test"]
    assert merge["needs"] == "regeneration-shard"
    fetch = next(s for s in merge["steps"] if "download-artifact" in s.get("uses", ""))
    assert fetch["with"]["path"] == "dna-shards/"
    run = next(s["run"] for s in merge["steps"] if "dna regen merge" in s.get("run", ""))
    assert run.split()[3:6] == [f"dna-shards/scorecard-{k}.json" for k in (1, 2, 3)]


def test_init_ci_shards_must_be_a_count(tmp_path: Path, dna_cmd: list[str]) -> None:
    done = _dna(dna_cmd, tmp_path, "init", "--ci", "--shards", "0")
    assert done.returncode == 2 and "--shards" in done.stderr
    assert not (tmp_path / ".github").exists()
