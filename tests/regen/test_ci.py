"""``dna init --ci`` and ``write_ci_workflow``: the workflow parses and runs what it says."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from dna_kit.ci import render_ci_workflow, write_ci_workflow
from dna_kit.project import init_project


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return list(workflow["jobs"]["regeneration-test"]["steps"])


def test_the_workflow_runs_notebooks_and_regen_and_keeps_the_report(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    path = write_ci_workflow(init_project(tmp_path), min_score=0.6)
    assert path == tmp_path / ".github" / "workflows" / "dna.yml"
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True; GitHub reads it as "on".
    triggers = workflow.get("on", workflow.get(True))
    assert set(triggers) == {"push", "pull_request"}
    runs = [s.get("run", "") for s in _steps(workflow)]
    assert any(r.startswith("dna notebooks run --parallel 2 --out dna-report/notebooks")
               for r in runs)
    regen = next(r for r in runs if r.startswith("dna regen"))
    assert regen.split() == ["dna", "regen", "--prove", "--min-score", "0.6", "--json",
                             "dna-report/scorecard.json", "--html", "dna-report/report.html",
                             "--markdown", "dna-report/summary.md"]
    keep = next(s for s in _steps(workflow) if "upload-artifact" in s.get("uses", ""))
    assert keep["with"]["path"] == "dna-report/" and "always()" in keep["if"]
    assert "defaults" not in workflow["jobs"]["regeneration-test"]


def test_a_project_below_the_repository_top_runs_in_its_folder(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    project = init_project(tmp_path / "services" / "dispatch")
    workflow = yaml.safe_load(render_ci_workflow(project))
    job = workflow["jobs"]["regeneration-test"]
    assert job["defaults"]["run"]["working-directory"] == "services/dispatch"
    keep = next(s for s in job["steps"] if "upload-artifact" in s.get("uses", ""))
    assert keep["with"]["path"] == "services/dispatch/dna-report/"


def test_an_existing_workflow_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    project = init_project(tmp_path)
    path = write_ci_workflow(project)
    path.write_text("name: ours\n", encoding="utf-8")
    assert write_ci_workflow(project, min_score=0.9) == path
    assert path.read_text(encoding="utf-8") == "name: ours\n"


def test_dna_init_ci_writes_it(tmp_path: Path, dna_cmd: list[str]) -> None:
    (tmp_path / ".git").mkdir()
    done = subprocess.run([*dna_cmd, "init", str(tmp_path), "--ci"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert ".github/workflows/dna.yml" in done.stdout
    assert yaml.safe_load((tmp_path / ".github/workflows/dna.yml").read_text())["name"] == "dna"
