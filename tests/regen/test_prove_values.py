"""Value mutants and proof strength: a rule is proven only when its checks notice its own
values change where they live (a settings module, a value captured at import time), and the
proof cache. Real pytest runs in real proof workers, on a fixture package written here."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from dna_kit.ledger import add_finding
from dna_kit.project import Project, init_project
from dna_kit.regen import regenerate
from dna_kit.regen.mutate import locate_value, value_mutants, value_steps
from dna_kit.regen.report import render_html, render_markdown
from dna_kit.regen.scorecard import Scorecard, scorecard_schema

SETTINGS = '''\
"""Tuned values of the retry policy."""

RETRY_CAP = 5.0
MAX_ATTEMPTS = 4
'''

# Both values are captured when the module is imported: the cap by a constructor at module
# level, the attempts by a decorator. Setting settings.X afterwards changes neither.
POLICY = '''\
"""Retries, configured once at import time."""

from __future__ import annotations

import functools

from tollgate import settings


class Policy:
    def __init__(self, cap: float) -> None:
        self.cap = cap


POLICY = Policy(cap=settings.RETRY_CAP)


def stop_after(attempts):
    def wrap(func):
        @functools.wraps(func)
        def guarded(attempt):
            if not 1 <= attempt <= attempts:
                raise ValueError(f"attempt {attempt} is out of range")
            return func(attempt)
        return guarded
    return wrap


@stop_after(settings.MAX_ATTEMPTS)
def delay(attempt: int) -> float:
    """Seconds to wait after failed attempt number ``attempt``."""
    return min(1.0 * 2 ** (attempt - 1), POLICY.cap)


def cap_seconds() -> float:
    return POLICY.cap
'''

# A real library's decorator, configured from the settings module when it is imported.
CALLS = '''\
"""Calls to the carrier, retried by tenacity."""

import tenacity

from tollgate import settings


@tenacity.retry(stop=tenacity.stop_after_attempt(settings.MAX_ATTEMPTS), reraise=True)
def fetch(answers: list[int]) -> int:
    """The next answer; a negative one is a dropped call, retried."""
    answer = answers.pop(0)
    if answer < 0:
        raise ConnectionError("the carrier dropped the call")
    return answer
'''

TENACITY_TEST = '''\
import pytest
from tollgate.calls import fetch

DNA_FINDING = "F-0005"


def test_f0005_gives_up_after_four_attempts():
    with pytest.raises(ConnectionError):
        fetch([-1, -1, -1, -1, 7])


def test_f0005_the_fourth_attempt_may_succeed():
    assert fetch([-1, -1, -1, 7]) == 7
'''

PINNED = '''\
import pytest
from tollgate.policy import delay

DNA_FINDING = "{fid}"


@pytest.mark.parametrize("attempt, expected", [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0)])
def test_{tid}_delays(attempt, expected):
    assert delay(attempt) == expected


def test_{tid}_no_fifth_attempt():
    with pytest.raises(ValueError):
        delay(5)
'''

# Passes today, and still passes whatever the cap or the number of attempts.
LOOSE = '''\
from tollgate.policy import delay

DNA_FINDING = "F-0002"


def test_f0002_delays_are_positive():
    for attempt in (1, 2, 3):
        assert 0 < delay(attempt) <= 60
'''

CAP_ONLY = '''\
from tollgate.policy import cap_seconds

DNA_FINDING = "F-0003"


def test_f0003_cap():
    assert cap_seconds() == 5.0
'''

CAP_SITE = {"param": "cap", "path": "tollgate/settings.py", "line": 3,
            "code": "RETRY_CAP = 5.0"}
ATTEMPTS_SITE = {"param": "max_attempts", "path": "tollgate/settings.py", "line": 4,
                 "code": "MAX_ATTEMPTS = 4"}
BASE_LINE = 32
BASE_SITE = {"param": "base", "path": "tollgate/policy.py", "line": BASE_LINE, "code": "1.0"}
PARAMS = {"base": "1 s", "factor": 2, "cap": "5 s", "max_attempts": 4}


def _finding(fid: str, title: str, target: str, sites: list[dict[str, object]],
             test: str) -> dict[str, object]:
    return {"title": title, "layer": "how", "kind": "retry_policy", "status": "codified",
            "statement": "Retries wait 1 s, doubling, at most 5 s, four attempts in all.",
            "params": PARAMS,
            "binding": {"template": "backoff_schedule", "target": target, "sites": sites},
            "links": {"tests": [f"dna/tests/{test}"]}}


def _build(root: Path) -> Project:
    package = root / "tollgate"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "settings.py").write_text(SETTINGS, encoding="utf-8")
    (package / "policy.py").write_text(POLICY, encoding="utf-8")
    (package / "calls.py").write_text(CALLS, encoding="utf-8")
    assert POLICY.splitlines()[BASE_LINE - 1].strip().startswith("return min(1.0")
    project = init_project(root)
    tests = project.tests_dir
    tests.mkdir(parents=True, exist_ok=True)
    (tests / "test_f0001_pinned.py").write_text(PINNED.format(fid="F-0001", tid="f0001"),
                                                encoding="utf-8")
    (tests / "test_f0002_loose.py").write_text(LOOSE, encoding="utf-8")
    (tests / "test_f0003_cap.py").write_text(CAP_ONLY, encoding="utf-8")
    (tests / "test_f0004_pinned.py").write_text(PINNED.format(fid="F-0004", tid="f0004"),
                                                encoding="utf-8")
    (tests / "test_f0005_tenacity.py").write_text(TENACITY_TEST, encoding="utf-8")
    for fields in (
        _finding("F-0001", "Retry backoff, pinned", "tollgate.policy:delay",
                 [CAP_SITE, ATTEMPTS_SITE, BASE_SITE], "test_f0001_pinned.py"),
        _finding("F-0002", "Retry backoff, loosely checked", "tollgate.policy:delay",
                 [CAP_SITE, ATTEMPTS_SITE], "test_f0002_loose.py"),
        _finding("F-0003", "Retry cap, read through a getter", "tollgate.policy:cap_seconds",
                 [CAP_SITE], "test_f0003_cap.py"),
        _finding("F-0004", "Retry backoff, no site located", "tollgate.policy:delay", [],
                 "test_f0004_pinned.py"),
        {**_finding("F-0005", "Carrier calls, four attempts (tenacity)",
                    "tollgate.calls:fetch", [ATTEMPTS_SITE], "test_f0005_tenacity.py"),
         "params": {"max_attempts": 4},
         "binding": {"template": "bounded", "target": "tollgate.calls:fetch",
                     "sites": [ATTEMPTS_SITE]}},
    ):
        add_finding(project, fields)
    return project


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, list[Scorecard]]:
    """Three proved runs: the first, one with nothing changed, one after the settings file
    changed."""
    project = _build(tmp_path_factory.mktemp("values") / "svc")
    first = regenerate(project, prove=True, history=False)
    again = regenerate(project, prove=True, history=False)
    settings = project.root / "tollgate" / "settings.py"
    settings.write_text(SETTINGS + "# reviewed\n", encoding="utf-8")
    changed = regenerate(project, prove=True, history=False)
    return project, [first, again, changed]


# -- value mutants, as source -------------------------------------------------------------

def test_each_kind_of_value_moves_both_ways_by_a_step_a_boundary_test_notices() -> None:
    assert value_steps(4) == [5, 3]  # a count, or whole units: one up, one down
    assert value_steps(300) == [301, 299]  # a TTL of 301 s must not pass for 300 s
    assert value_steps(5.0) == [6.0, 4.0]
    assert value_steps(0.5) == [1.0, 0.25]  # one unit down would cross zero
    assert value_steps(True) == [False]


def test_a_value_mutant_changes_only_the_sites_literal_and_keeps_every_line() -> None:
    mutants = value_mutants(POLICY, param="base", path="tollgate/policy.py", line=32,
                            code="1.0")
    assert [m.mutated for m in mutants] == ["2.0", "0.5"]
    for m in mutants:
        before, after = POLICY.splitlines(), m.source.splitlines()
        assert len(before) == len(after)
        assert [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] \
            == [31]
    assert "min(2.0 * 2 ** (attempt - 1)" in mutants[0].source
    # A keyword argument of a call captured at import time is a site too.
    source = "r = Retry(total=3, backoff_max=settings.CAP, respect=True)\n"
    assert [m.source for m in value_mutants(source, param="on", path="a.py", line=1,
                                            code="respect=True")] == [
        "r = Retry(total=3, backoff_max=settings.CAP, respect=False)\n"]


def test_a_site_that_moved_is_found_by_its_name_or_reported() -> None:
    node, name = locate_value("\n\nRETRY_CAP = 5.0\n", 1, "RETRY_CAP = 5.0")
    assert (name, node.lineno) == ("RETRY_CAP", 3)
    with pytest.raises(LookupError, match=r"settings.py:1 holds no number .*locate it again"):
        locate_value("'''doc'''\n", 1, "5.0", filename="settings.py")


# -- strength -----------------------------------------------------------------------------

@pytest.mark.slow
def test_values_captured_at_import_time_are_changed_and_the_pinned_check_is_strong(
        runs: tuple[Project, list[Scorecard]]) -> None:
    card = runs[1][0]
    pinned = card.finding("F-0001")
    assert pinned.status == "proven"
    assert pinned.proof is not None and pinned.proof["strength"] == "strong"
    values = [m for m in pinned.mutants if m.operator == "value"]
    assert {(m.path, m.line, m.value) for m in values} == {
        ("tollgate/settings.py", 3, 6.0), ("tollgate/settings.py", 3, 4.0),
        ("tollgate/settings.py", 4, 5), ("tollgate/settings.py", 4, 3),
        ("tollgate/policy.py", 32, 2.0), ("tollgate/policy.py", 32, 0.5)}
    # RETRY_CAP reaches the code only through Policy(cap=...) at import, MAX_ATTEMPTS only
    # through the decorator: killing them means the module was loaded again.
    assert all(m.killed for m in values), [m.to_json() for m in values if not m.killed]
    assert {m.kind for m in values} == {"settings", "target"}
    sites = {(s["path"], s["line"]): s for s in pinned.proof["sites"] if "path" in s}
    assert sites[("tollgate/settings.py", 3)]["killed"] == 2
    assert {"param": "factor", "located": False} in pinned.proof["sites"]
    assert pinned.proof["mutants"]["settings"] == {"killed": 4, "total": 4}


@pytest.mark.slow
def test_a_real_librarys_decorator_is_configured_again_from_the_mutated_settings(
        runs: tuple[Project, list[Scorecard]]) -> None:
    calls = runs[1][0].finding("F-0005")
    values = [(m.value, m.killed) for m in calls.mutants if m.operator == "value"]
    # tenacity.stop_after_attempt(settings.MAX_ATTEMPTS) ran at import: 5 attempts let the
    # fifth answer through, 3 give up before the fourth.
    assert values == [(5, True), (3, True)]
    assert calls.proof is not None
    assert (calls.status, calls.proof["strength"]) == ("proven", "strong")


@pytest.mark.slow
def test_a_check_that_does_not_pin_the_values_is_weak_and_asks_about_them(
        runs: tuple[Project, list[Scorecard]]) -> None:
    loose = runs[1][0].finding("F-0002")
    assert loose.status == "verified"
    assert loose.proof is not None and loose.proof["strength"] == "weak"
    assert "every value mutant of tollgate/settings.py:3 (cap) survives" in \
        loose.proof["reason"]
    assert ("The checks still pass if `RETRY_CAP` in tollgate/settings.py:3 is 6.0 "
            "instead of 5.0: is that acceptable?") in loose.questions
    assert any("`MAX_ATTEMPTS` in tollgate/settings.py:4 is 5" in q for q in loose.questions)


@pytest.mark.slow
def test_return_none_as_the_only_behavioural_kill_is_weak(
        runs: tuple[Project, list[Scorecard]]) -> None:
    getter = runs[1][0].finding("F-0003")
    assert getter.proof is not None
    assert [m.operator for m in getter.mutants if m.operator != "value"] == ["return"]
    assert all(m.killed for m in getter.mutants)  # its value mutants die too
    assert (getter.status, getter.proof["strength"]) == ("verified", "weak")
    assert getter.proof["reason"] == ("`return None` is the only behavioural mutant the "
                                      "checks kill")


@pytest.mark.slow
def test_a_finding_with_no_site_is_weak_whatever_its_check_kills(
        runs: tuple[Project, list[Scorecard]]) -> None:
    unlocated = runs[1][0].finding("F-0004")
    assert unlocated.mutants_killed  # the same check as F-0001's...
    assert unlocated.proof is not None
    assert (unlocated.status, unlocated.proof["strength"]) == ("verified", "weak")
    assert unlocated.proof["reason"].startswith(
        "no site was located for any parameter (base, factor, cap, max_attempts)")
    assert {"param": "cap", "located": False} in unlocated.proof["sites"]


@pytest.mark.slow
def test_the_scorecard_and_reports_show_the_proof(
        runs: tuple[Project, list[Scorecard]]) -> None:
    card = runs[1][0]
    assert card.counts["proven"] == 2 and card.counts["verified"] == 3
    data = card.to_json()
    jsonschema.Draft202012Validator(scorecard_schema()).validate(data)
    value = next(m for f in data["findings"] if f["id"] == "F-0001" for m in f["mutants"]
                 if m["operator"] == "value")
    assert {"path", "line", "value", "param"} <= set(value)
    summary = render_markdown(card)
    assert "- `F-0001` strong, adapter/target: 8/8 behavioural, 2/2 value killed · " \
        "project settings: 4/4 value killed" in summary
    assert "- `F-0002` weak, adapter/target: " in summary
    assert "project settings: 0/4 value killed: every value mutant of " \
        "tollgate/settings.py:3" in summary
    html = render_html(card)
    assert "Proof per finding" in html and "weak proof" in html


# -- the cache ------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_second_run_reuses_the_proof_and_a_settings_change_invalidates_it(
        runs: tuple[Project, list[Scorecard]]) -> None:
    project, (first, again, changed) = runs

    def proofs(card: Scorecard) -> dict[str, tuple[bool, str, list[tuple[int, bool]]]]:
        return {f.id: (f.proof["cached"], f.proof["strength"],
                       [(m.id, m.killed) for m in f.mutants])
                for f in card.findings if f.proof}

    assert all(not cached for cached, _, _ in proofs(first).values())
    assert all(cached for cached, _, _ in proofs(again).values())
    # Read back, not run again: the same answers, and the same durations to the digit.
    assert [(s, m) for _, s, m in proofs(again).values()] == \
        [(s, m) for _, s, m in proofs(first).values()]
    assert [m.duration for m in again.finding("F-0001").mutants] == \
        [m.duration for m in first.finding("F-0001").mutants]
    assert not any(cached for cached, _, _ in proofs(changed).values())
    assert proofs(changed)["F-0001"][1] == "strong"
    cache = project.dna_dir / ".cache"
    assert (cache / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert json.loads((cache / "proof" / "F-0001.json").read_text(encoding="utf-8"))["key"]
