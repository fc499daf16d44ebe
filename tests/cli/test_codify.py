"""`dna templates`, `dna codify` on the command line, the template registry, templates found
in a plain wheel, and generated tests running where dna_kit cannot be imported."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dna_kit.codify import build_template_registry
from dna_kit.ledger import add_finding
from tests.codify.runner import run_generated
from tests.conftest import REPO


def _dna(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dna_kit", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)


def test_dna_templates_documents_every_template(tmp_path):
    out = _dna(tmp_path, "templates")
    assert out.returncode == 0, out.stderr
    *templates, footer = out.stdout.strip().split("\n\n")
    assert footer.startswith("domains (--domain): int:A..B, float:A..B, text")
    blocks = {b.splitlines()[0]: b for b in templates}
    registry = build_template_registry()
    assert list(blocks) == registry.names()
    assert len(blocks) == 10
    for name, spec in registry.items():
        block = blocks[name]
        assert f"rule:    {spec.rule}" in block
        assert f"target:  {spec.call_shape}" in block
        assert "example: dna codify" in block and f"--template {name}" in block
        for param in spec.params:
            assert f"param:   {param.name} [{param.unit}" in block
    assert "cap [seconds]" in blocks["backoff_schedule"]
    assert "jitter [fraction (0.1 = 10%), default 0.0]" in blocks["backoff_schedule"]


def test_each_registry_is_fresh():
    one, two = build_template_registry(), build_template_registry()
    one.register("mine", one.get("bounded"))
    assert "mine" in one and "mine" not in two


def test_cli_codify_end_to_end_with_errors_and_force(project):
    finding = add_finding(project, {
        "title": "Urgent first", "statement": "Urgent orders go first.", "layer": "how",
        "kind": "ordering_rule", "status": "accepted", "params": {"key": "priority"}})
    ok = _dna(project.root, "codify", finding.id, "--template", "priority_order",
              "--target", "service:next_batch", "--param", "order=desc")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("dna/tests/test_f0001_urgent_first.py (written;")
    same = _dna(project.root, "codify", finding.id)
    assert "(unchanged;" in same.stdout
    path = project.root / "dna/tests/test_f0001_urgent_first.py"
    path.write_text(path.read_text(encoding="utf-8") + "# my note\n", encoding="utf-8")
    refused = _dna(project.root, "codify", finding.id, "--param", "order=asc")
    assert refused.returncode == 1
    assert "was edited by a person since it was generated" in refused.stderr
    assert refused.stderr.rstrip().endswith("; pass --force to replace it")
    assert "# my note" in path.read_text(encoding="utf-8")
    forced = _dna(project.root, "codify", finding.id, "--param", "order=asc", "--force")
    assert forced.returncode == 0, forced.stderr
    assert 'ORDER = "asc"' in path.read_text(encoding="utf-8")
    bad = _dna(project.root, "codify", finding.id, "--param", "order=sideways")
    assert bad.returncode == 1 and "order='sideways' is not one of" in bad.stderr
    two = _dna(project.root, "codify", finding.id, "--target", "a:b", "--target", "c:d")
    assert two.returncode == 1 and "needs a role" in two.stderr


def test_a_generated_test_runs_where_dna_kit_cannot_be_imported(tmp_path):
    # The runner's blocker must really block: a test that imports dna_kit fails there.
    leaky = "import dna_kit\n\n\ndef test_x():\n    assert dna_kit\n"
    run = run_generated(leaky, "bounded_ok.py", tmp_path / "leaky")
    assert not run.passed and "dna_kit is not installed here" in run.output
    from dna_kit.codify import render_test
    from tests.codify.cases import CASES

    finding, binding, _ = CASES["bounded"]
    run = run_generated(render_test(finding, binding), "bounded_ok.py", tmp_path / "clean")
    assert run.passed, run.output


@pytest.mark.slow
@pytest.mark.xdist_group("wheel")
def test_templates_are_found_in_a_plain_wheel(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist),
                    str(REPO)], check=True, capture_output=True)
    wheel = next(dist.glob("dna_kit-*.whl"))
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    assert (site / "dna_kit/_templates/property/backoff_schedule.py.tmpl").is_file()
    assert (site / "dna_kit/_templates/adr/madr.md.tmpl").is_file()
    code = ("import dna_kit.codify.templates as t, dna_kit\n"
            "print(dna_kit.__file__)\n"
            "print(t.template_source_path('property/bounded.py.tmpl'))\n"
            "from dna_kit.codify import build_template_registry as b\n"
            "print(b().get('rate_limit').source_path().is_file())\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True,
                         capture_output=True, text=True,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}).stdout
    package, template, found = out.splitlines()
    assert package.startswith(str(site)) and template.startswith(str(site / "dna_kit"))
    assert found == "True"


def _main(project, capsys, *args: str) -> tuple[int, str, str]:
    from dna_kit.cli import main

    code = main(["-C", str(project.root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_dry_run_prints_the_test_codify_would_write_and_writes_nothing(project, capsys):
    from dna_kit.codify import codify

    finding = add_finding(project, {
        "title": "Urgent first", "statement": "Urgent orders go first.", "layer": "how",
        "kind": "ordering_rule", "status": "accepted", "params": {"key": "priority"}})
    before = sorted((p, p.read_bytes()) for p in project.root.rglob("*") if p.is_file())
    code, out, err = _main(project, capsys, "codify", finding.id, "--template",
                           "priority_order", "--target", "service:next_batch", "--param",
                           "order=desc", "--dry-run")
    assert code == 0, err
    assert sorted((p, p.read_bytes()) for p in project.root.rglob("*") if p.is_file()) == before
    artifact = codify(project, finding.id, template="priority_order",
                      target="service:next_batch", params={"order": "desc"})
    assert out == artifact.path.read_text(encoding="utf-8")
    code, _, err = _main(project, capsys, "codify", finding.id, "--dry-run", "--force")
    assert code == 1 and "--dry-run writes nothing" in err


@pytest.mark.parametrize(("finding", "args", "message", "hint"), [
    ({"status": "candidate"}, ["--template", "bounded", "--target", "m:f"],
     "F-0001 is a candidate; only an accepted finding is codified",
     "accept it first: dna accept F-0001"),
    ({}, [], "F-0001 has no template yet: choose one of", "pass --template NAME"),
    ({}, ["--template", "bounded"], "F-0001 has no target yet",
     "pass --target MODULE:CALLABLE"),
    ({}, ["--template", "bounded", "--target", "m:f", "--domain", "int:0..100"],
     "template 'bounded' needs min, max or both", "pass --param max=VALUE"),
    ({"params": {"max": "9"}}, ["--template", "bounded", "--target", "nowhere:f"],
     "cannot import target 'nowhere:f'", "pass it with --domain"),
    ({}, ["--template", "roundtrip", "--target", "m:f", "--domain", "text"],
     "needs a decode target", "pass --target decode=MODULE:CALLABLE"),
])
def test_the_cli_adds_its_own_hint_to_the_domain_message(project, capsys, finding, args,
                                                          message, hint):
    add_finding(project, {"title": "Label timeout", "statement": "at most 8 s",
                          "layer": "how", "kind": "timeout", "status": "accepted",
                          **finding})
    code, _, err = _main(project, capsys, "codify", "F-0001", *args)
    assert code == 1
    assert err.count("\n") == 1, err  # one line
    assert message in err and f"; {hint}" in err
