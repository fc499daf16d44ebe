"""Configured library objects as targets: a package the test writes keeps its tuned values in
a settings module and builds real urllib3, tenacity, pybreaker and limits objects from them.
Each object is codified with no adapter; the generated test passes against the real objects
and fails, in a real pytest subprocess with dna_kit not importable, on a copy of the package
whose settings value was changed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dna_kit.codify import codify, preview_test
from dna_kit.codify.render import param_notes
from dna_kit.errors import CodifyError
from dna_kit.ledger import add_finding, find_entry
from tests.codify.runner import Run, run_blocked

pytest.importorskip("urllib3")
pytest.importorskip("tenacity")
pytest.importorskip("pybreaker")
pytest.importorskip("limits")

SETTINGS = {
    "RETRY_TOTAL": "5",
    "RETRY_BACKOFF": "0.5",
    "RETRY_CAP": "8.0",
    "QUOTE_ATTEMPTS": "4",
    "QUOTE_WAIT": "0.5",
    "QUOTE_CAP": "4.0",
    "JITTER_BASE": "1.0",
    "JITTER_CAP": "10.0",
    "BREAKER_FAILURES": "3",
    "BREAKER_RESET": "30",
    "RATE_LIMIT": "5",
}

CLIENTS = '''\
import pybreaker
import tenacity
from limits import RateLimitItemPerSecond
from urllib3.util.retry import Retry

from shop import settings

RETRY = Retry(total=settings.RETRY_TOTAL, backoff_factor=settings.RETRY_BACKOFF,
              backoff_max=settings.RETRY_CAP)


@tenacity.retry(stop=tenacity.stop_after_attempt(settings.QUOTE_ATTEMPTS),
                wait=tenacity.wait_exponential(multiplier=settings.QUOTE_WAIT,
                                               max=settings.QUOTE_CAP))
def fetch_quote():
    raise ConnectionError("the carrier is down")


QUOTES = tenacity.Retrying(
    stop=tenacity.stop_after_attempt(settings.QUOTE_ATTEMPTS),
    retry=tenacity.retry_if_exception_type((ConnectionError, TimeoutError)),
    reraise=True)

JITTERED = tenacity.Retrying(
    wait=tenacity.wait_random_exponential(multiplier=settings.JITTER_BASE,
                                          max=settings.JITTER_CAP))

BREAKER = pybreaker.CircuitBreaker(fail_max=settings.BREAKER_FAILURES,
                                   reset_timeout=settings.BREAKER_RESET)

RATE = RateLimitItemPerSecond(settings.RATE_LIMIT, 1)
'''

# (finding, template, target, the setting a broken copy changes, its broken value)
CASES = {
    "urllib3-backoff": (
        {"title": "HTTP retry backoff", "kind": "retry_policy",
         "statement": "HTTP calls retry at once, then wait 0.5 s doubling up to 8 s.",
         "params": {"first": "0 s", "base": "0.5 s", "factor": "2", "cap": "8 s",
                    "max_attempts": "6"}},
        "backoff_schedule", "shop.clients:RETRY", "RETRY_CAP", "6.0"),
    "urllib3-limit": (
        {"title": "HTTP retry limit", "kind": "retry_policy",
         "statement": "An HTTP call is made 6 times at most; a bad request is not retried.",
         "params": {"max_attempts": "6", "retry_on": ["ConnectionError", "TimeoutError"],
                    "give_up_on": ["ValueError"]}},
        "retry_limit", "shop.clients:RETRY", "RETRY_TOTAL", "4"),
    "tenacity-backoff": (
        {"title": "Quote backoff", "kind": "retry_policy",
         "statement": "Quotes back off from 0.5 s, doubling, capped at 4 s.",
         "params": {"base": "0.5 s", "factor": "2", "cap": "4 s", "max_attempts": "4"}},
        "backoff_schedule", "shop.clients:fetch_quote", "QUOTE_CAP", "3.0"),
    "tenacity-limit": (
        {"title": "Quote retry limit", "kind": "retry_policy",
         "statement": "A quote is asked 4 times at most; a bad request is not retried.",
         "params": {"max_attempts": "4", "retry_on": ["ConnectionError", "TimeoutError"],
                    "give_up_on": ["ValueError"]}},
        "retry_limit", "shop.clients:QUOTES", "QUOTE_ATTEMPTS", "5"),
    "tenacity-full-jitter": (
        {"title": "Jittered backoff", "kind": "retry_policy",
         "statement": "Waits are drawn anywhere up to 1 s doubling, capped at 10 s.",
         "params": {"base": "1 s", "factor": "2", "cap": "10 s", "jitter": "100%",
                    "max_attempts": "6"}},
        "backoff_schedule", "shop.clients:JITTERED", "JITTER_CAP", "5.0"),
    "pybreaker": (
        {"title": "Carrier breaker", "kind": "threshold",
         "statement": "After 3 carrier failures in a row, stop calling it for 30 s.",
         "params": {"failure_threshold": "3", "reset_timeout": "30 s"}},
        "circuit_breaker", "shop.clients:BREAKER", "BREAKER_RESET", "20"),
    "limits": (
        {"title": "Carrier rate limit", "kind": "rate_limit",
         "statement": "No more than 5 requests a second to the carrier.",
         "params": {"limit": "5", "window": "1 s"}},
        "rate_limit", "shop.clients:RATE", "RATE_LIMIT", "6"),
}


def write_package(root: Path, **changed: str) -> None:
    package = root / "shop"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    values = {**SETTINGS, **changed}
    (package / "settings.py").write_text(
        "".join(f"{name} = {value}\n" for name, value in values.items()), encoding="utf-8")
    (package / "clients.py").write_text(CLIENTS, encoding="utf-8")


def run_test(source: str, workdir: Path, files: dict[str, str] | None = None,
             **changed: str) -> Run:
    """Run a generated test against a copy of the package (with ``changed`` settings, and
    ``files`` beside it) in a real pytest subprocess where dna_kit cannot be imported."""
    workdir.mkdir(parents=True)
    write_package(workdir, **changed)
    for name, text in (files or {}).items():
        (workdir / name).write_text(text, encoding="utf-8")
    (workdir / "test_generated.py").write_text(source, encoding="utf-8")
    return run_blocked(workdir)


@pytest.fixture
def shop(project):
    write_package(project.root)
    return project


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_configured_library_object_is_tested_without_an_adapter(shop, tmp_path, case):
    data, template, target, setting, broken = CASES[case]
    finding = add_finding(shop, {**data, "layer": "how", "status": "accepted"})
    artifact = codify(shop, finding.id, template=template, target=target)
    source = artifact.path.read_text(encoding="utf-8")
    module, name = target.split(":")
    assert f"from {module} import {name} as configured" in source
    assert "dna_kit" not in source.split('"""', 2)[2]  # no import of ours after the header
    good = run_test(source, tmp_path / "good")
    assert good.passed, good.output
    bad = run_test(source, tmp_path / "bad", **{setting: broken})
    # exit code 1: the tests ran and failed (not an import or collection error)
    assert bad.failed_tests, bad.output
    assert f"{finding.id}:" in bad.output or "Falsifying example" in bad.output, bad.output


def test_urllib3_first_retry_waits_nothing_so_first_is_required(shop):
    data = CASES["urllib3-backoff"][0]
    params = {k: v for k, v in data["params"].items() if k != "first"}
    finding = add_finding(shop, {**data, "params": params, "layer": "how",
                                 "status": "accepted"})
    with pytest.raises(CodifyError, match="urllib3 retries the first time at once"):
        preview_test(shop, finding.id, template="backoff_schedule",
                     target="shop.clients:RETRY")


def test_a_library_object_of_another_shape_is_refused(shop):
    data = CASES["pybreaker"][0]
    finding = add_finding(shop, {**data, "layer": "how", "status": "accepted"})
    with pytest.raises(CodifyError, match=r"pybreaker.CircuitBreaker object, which fits the "
                                          r"templates circuit_breaker, not 'retry_limit'"):
        preview_test(shop, finding.id, template="retry_limit", target="shop.clients:BREAKER")


def test_the_target_s_classes_are_reported_from_the_child_process(shop):
    from dna_kit.codify import inspect_target

    retry = inspect_target(shop, "shop.clients:RETRY")
    assert retry.class_name == "urllib3.util.retry.Retry" and retry.kind == "value"
    decorated = inspect_target(shop, "shop.clients:fetch_quote")
    assert decorated.kind == "function"
    assert "tenacity.Retrying" in decorated.members["retry"]
    assert "shop" not in sys.modules  # inspected in a child Python, not here


def test_own_code_is_not_taken_for_a_library_object(shop):
    (shop.root / "shop" / "mine.py").write_text(
        "def delay(attempt):\n    return min(0.5 * 2 ** (attempt - 1), 8.0)\n",
        encoding="utf-8")
    data = CASES["tenacity-backoff"][0]
    finding = add_finding(shop, {**data, "layer": "how", "status": "accepted"})
    text = preview_test(shop, finding.id, template="backoff_schedule",
                        target="shop.mine:delay")
    assert "from shop.mine import delay\n" in text and "configured" not in text


# -- aliases ----------------------------------------------------------------------------------

def test_an_alias_is_shown_and_one_that_changes_the_meaning_is_refused(shop):
    finding = add_finding(shop, {"title": "Limit", "layer": "how", "kind": "retry_policy",
                                 "statement": "At most 6 attempts.", "status": "accepted",
                                 "params": {"attempts": "6"}})
    text = preview_test(shop, finding.id, template="retry_limit",
                        target="shop.clients:QUOTES")
    assert 'MAX_ATTEMPTS = 6  # count; the finding says attempts = "6"' in text
    codify(shop, finding.id, template="retry_limit", target="shop.clients:QUOTES")
    stored = find_entry(shop, finding.id).finding
    assert stored.binding is not None
    assert param_notes(stored, stored.binding) == [
        "attempts → max_attempts: 6 (the finding's name for it)"]
    with pytest.raises(CodifyError, match=r"retries='5' is not max_attempts: it counts the "
                                          r"retries after the first call.*6 calls"):
        preview_test(shop, finding.id, params={"retries": "5"})
    with pytest.raises(CodifyError, match=r"multiplier='0.5' is not factor: in tenacity's "
                                          r"wait_exponential the multiplier scales"):
        preview_test(shop, finding.id, template="backoff_schedule",
                     target="shop.clients:fetch_quote",
                     params={"base": "0.5s", "cap": "4s", "multiplier": "0.5",
                             "max_attempts": "4"})


def test_a_meaning_changing_name_in_the_finding_is_refused_too(shop):
    finding = add_finding(shop, {"title": "Limit", "layer": "how", "kind": "retry_policy",
                                 "statement": "5 retries.", "status": "accepted",
                                 "params": {"max_retries": "5"}})
    with pytest.raises(CodifyError, match=r"params.max_retries: max_retries='5' is not "
                                          r"max_attempts"):
        preview_test(shop, finding.id, template="retry_limit", target="shop.clients:QUOTES")


def test_list_parameters_written_in_brackets_are_lists(shop):
    finding = add_finding(shop, {**CASES["tenacity-limit"][0], "layer": "how",
                                 "status": "accepted"})
    text = preview_test(shop, finding.id, template="retry_limit",
                        target="shop.clients:QUOTES",
                        params={"retry_on": "[ConnectionError, TimeoutError]",
                                "give_up_on": "[KeyError]"})
    assert 'RETRY_ON = ("ConnectionError", "TimeoutError")' in text
    assert 'GIVE_UP_ON = ("KeyError",)' in text


# -- first and full jitter on plain code --------------------------------------------------------

DELAYS = {
    "first": "def backoff_delay(attempt):\n"
             "    return 0.0 if attempt == 1 else min(0.5 * 2 ** (attempt - 1), 8.0)\n",
    "no_first": "def backoff_delay(attempt):\n    return min(0.5 * 2 ** (attempt - 1), 8.0)\n",
    "full": "import random\n\n\ndef backoff_delay(attempt):\n"
            "    return random.uniform(0, min(1.0 * 2 ** (attempt - 1), 10.0))\n",
    "half": "import random\n\n\ndef backoff_delay(attempt):\n"
            "    return random.uniform(0, min(1.0 * 2 ** (attempt - 1), 10.0) / 2)\n",
    "over": "import random\n\n\ndef backoff_delay(attempt):\n"
            "    return random.uniform(0, 1.5 * min(1.0 * 2 ** (attempt - 1), 10.0))\n",
}


def _plain(shop, tmp_path, params, impl):
    finding = add_finding(shop, {"title": f"Backoff {impl}", "layer": "how",
                                 "kind": "retry_policy", "statement": "Backoff.",
                                 "status": "accepted", "params": params})
    source = preview_test(shop, finding.id, template="backoff_schedule",
                          target="shop.delays:backoff_delay")
    return run_test(source, tmp_path / impl, files={"shop/delays.py": DELAYS[impl]})


def test_first_breaks_the_pattern_only_for_the_first_delay(shop, tmp_path):
    params = {"first": "0s", "base": "0.5s", "factor": "2", "cap": "8s", "max_attempts": "6"}
    ok = _plain(shop, tmp_path, params, "first")
    assert ok.passed, ok.output
    bad = _plain(shop, tmp_path, params, "no_first")
    assert bad.failed_tests and "delay(1) = 0.5" in bad.output, bad.output


def test_full_jitter_allows_anywhere_up_to_the_value_and_no_less_spread(shop, tmp_path):
    params = {"base": "1s", "factor": "2", "cap": "10s", "jitter": "100%",
              "max_attempts": "6"}
    ok = _plain(shop, tmp_path, params, "full")
    assert ok.passed, ok.output
    half = _plain(shop, tmp_path, params, "half")
    assert half.failed_tests and "never came near" in half.output, half.output
    over = _plain(shop, tmp_path, params, "over")
    assert over.failed_tests and "outside" in over.output, over.output


# -- equivalent pins its edges ------------------------------------------------------------------

FRESH = "def is_fresh(age):\n    return age < {ttl}\n"


def _equivalent(shop, tmp_path, name, ttl, finding_params=None, **binding):
    finding = add_finding(shop, {"title": f"Cache TTL {name}", "layer": "how",
                                 "kind": "invariant", "status": "accepted",
                                 "statement": "A cached quote is fresh for 300 s.",
                                 "params": {"ttl": "300 s"} if finding_params is None
                                 else finding_params})
    source = preview_test(shop, finding.id, template="equivalent",
                          target="cache_new:is_fresh",
                          targets={"reference": "cache_old:is_fresh"}, **binding)
    return source, run_test(source, tmp_path / name, files={
        "cache_new.py": FRESH.format(ttl=ttl), "cache_old.py": FRESH.format(ttl=300)})


def test_equivalent_pins_the_finding_s_edge_so_a_ttl_one_off_fails(shop, tmp_path):
    source, same = _equivalent(shop, tmp_path, "same", 300, domain="int:0..100000")
    assert "@example(x=299)\n@example(x=300)\n@example(x=301)" in source
    assert same.passed, same.output
    _, off = _equivalent(shop, tmp_path, "off", 301, domain="int:0..100000")
    assert off.failed_tests and "300" in off.output, off.output


def test_equivalent_edges_given_in_brackets_on_a_float_domain(shop, tmp_path):
    source, off = _equivalent(shop, tmp_path, "float", 300.000001, finding_params={},
                              domain="float:0..1e6", params={"edges": "[300s, 10 min]"})
    assert "@example(x=300.0)" in source and "@example(x=600.0000000000001)" in source
    assert "EDGES = (300.0, 600.0)" in source
    assert off.failed_tests, off.output


def test_edges_outside_the_domain_are_an_error(shop):
    finding = add_finding(shop, {"title": "Edges", "layer": "how", "kind": "invariant",
                                 "status": "accepted", "statement": "s", "params": {}})
    with pytest.raises(CodifyError, match=r"edges='5000' lie outside the domain"):
        preview_test(shop, finding.id, template="equivalent", target="a:f",
                     targets={"reference": "b:f"}, domain="int:0..10",
                     params={"edges": "5000"})


def test_dna_codify_prints_the_alias_it_used_and_refuses_one_that_changes_meaning(shop, capsys):
    from dna_kit.cli import main

    finding = add_finding(shop, {"title": "Limit", "layer": "how", "kind": "retry_policy",
                                 "statement": "At most 6 attempts.", "status": "accepted",
                                 "params": {"attempts": "6"}})
    code = main(["-C", str(shop.root), "codify", finding.id, "--template", "retry_limit",
                 "--target", "shop.clients:QUOTES"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "attempts → max_attempts: 6 (the finding's name for it)" in out
    code = main(["-C", str(shop.root), "codify", finding.id, "--param", "retries=5"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "retries='5' is not max_attempts" in err and "Traceback" not in err


def test_dna_templates_lists_the_library_objects_it_binds(capsys):
    from dna_kit.cli import main

    assert main(["templates"]) == 0
    out = capsys.readouterr().out
    assert "urllib3.Retry (backoff_schedule, retry_limit)" in out
    assert "pybreaker.CircuitBreaker (circuit_breaker)" in out
    assert "never read from retries, max_retries, total (another meaning)" in out
