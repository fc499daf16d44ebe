"""Golden files for every property template and both record formats, each golden test run
for real: against a correct implementation (must pass) and broken ones (must fail)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dna_kit.codify import RecordContext, build_template_registry, render_adr, render_test
from dna_kit.finding import Binding, Finding, parse_param
from tests.codify.cases import CASES
from tests.codify.conftest import GOLDEN, check_golden
from tests.codify.runner import IMPLS, run_generated

TEMPLATES = sorted(CASES)
RUNS = [(name, variant, ok) for name in TEMPLATES for variant, ok in CASES[name][2].items()]


def test_every_registered_template_has_a_golden_case():
    assert set(build_template_registry().names()) == set(CASES)


@pytest.mark.parametrize("template", TEMPLATES)
def test_golden_property_test(template, update_golden):
    finding, binding, _ = CASES[template]
    check_golden(GOLDEN / "property" / f"{template}.py", render_test(finding, binding),
                 update_golden)


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_impl_variant_exists(template):
    for variant in CASES[template][2]:
        assert (IMPLS / f"{template}_{variant}.py").is_file()


@pytest.mark.slow
@pytest.mark.parametrize(("template", "variant", "must_pass"), RUNS,
                         ids=[f"{t}-{v}" for t, v, _ in RUNS])
def test_golden_test_run_against_implementation(template, variant, must_pass, tmp_path):
    source = (GOLDEN / "property" / f"{template}.py").read_text(encoding="utf-8")
    finding_id = CASES[template][0].id
    run = run_generated(source, f"{template}_{variant}.py", tmp_path,
                        name=f"test_{finding_id.replace('-', '').lower()}_{template}.py")
    if must_pass:
        assert run.passed, run.output
        assert " passed" in run.output and "failed" not in run.output
    else:
        # Exit code 1 is "tests failed"; a crash, an import error or a collection error
        # would be 2-4 and prove nothing about the rule.
        assert run.failed_tests, run.output
        assert f"{finding_id}:" in run.output or "Falsifying example" in run.output, run.output


@pytest.mark.slow
def test_retry_limit_passes_the_sleep_function_through_sleep_arg(tmp_path):
    finding, binding, _ = CASES["retry_limit"]
    with_arg = Binding(binding.template, binding.target,
                       params={"sleep_arg": parse_param("sleep_arg", "sleep")})
    source = render_test(finding, with_arg)
    assert 'SLEEP_ARG = "sleep"' in source
    assert run_generated(source, "retry_limit_sleep_arg.py", tmp_path / "arg").passed
    golden = (GOLDEN / "property" / "retry_limit.py").read_text(encoding="utf-8")
    run = run_generated(golden, "retry_limit_sleep_arg.py", tmp_path / "patch")
    assert run.failed_tests and "TypeError" in run.output


@pytest.mark.slow
def test_priority_order_reads_attributes_with_item_object(tmp_path):
    finding, binding, _ = CASES["priority_order"]
    objects = Binding(binding.template, binding.target, domain=binding.domain,
                      params={"item": parse_param("item", "object")})
    source = render_test(finding, objects)
    assert run_generated(source, "priority_order_objects.py", tmp_path / "objects").passed
    run = run_generated(source, "priority_order_ok.py", tmp_path / "dicts")
    assert run.failed_tests and "not subscriptable" in run.output


def test_golden_files_are_ruff_formatted_and_lint_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed here")
    folder = GOLDEN / "property"
    fmt = subprocess.run([ruff, "format", "--check", "--diff", str(folder)],
                         capture_output=True, text=True, check=False)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    lint = subprocess.run([ruff, "check", "--no-cache", str(folder)], capture_output=True,
                          text=True, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def _record_finding() -> Finding:
    finding, _, _ = CASES["backoff_schedule"]
    return Finding.from_dict({
        **finding.to_dict(), "owner": "ana", "status": "codified",
        "links": {"tests": ["dna/tests/test_f0007_carrier_retry_backoff.py"],
                  "supersedes": ["F-0004"]},
        "binding": {"template": "backoff_schedule", "target": "dispatch.carrier:backoff_delay"},
    })


@pytest.mark.parametrize("fmt", ["madr", "nygard"])
def test_golden_decision_record(fmt, update_golden):
    ctx = RecordContext(number=4, date=dt.date(2026, 11, 20),
                        finding_link="../../dna/findings/F-0007-carrier-retry-backoff.md",
                        decision_makers=("ana",), consulted=("carrier team",),
                        informed=("support",),
                        supersedes=((1, "Retry the carrier for up to 60 s",
                                     "0001-retry-the-carrier-for-up-to-60-s.md"),))
    check_golden(GOLDEN / "adr" / f"{fmt}.md", render_adr(_record_finding(), fmt, ctx=ctx),
                 update_golden)
