"""A pytest plugin loaded into the regeneration run (``-p dna_kit.regen._plugin``).

It writes one JSON line per event to the file named by ``DNA_REGEN_RESULTS`` as the run
goes (so a run that crashes halfway still tells what finished, and which test was running),
stops any test that runs past ``DNA_REGEN_TIMEOUT`` seconds, and makes hypothesis
deterministic and silent about its example database (nothing is written into the
repository).
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Generator
from typing import Any

import pytest

_OUT: Any = None
_ROOT = "."
#: The proof worker turns this off while it runs mutants: their failures are not results,
#: and their time limit is the worker's own.
RECORDING = True


class TestTimeLimit(BaseException):
    """Raised inside a test that ran too long. A BaseException, so neither the test nor
    hypothesis catches it and retries the hanging example."""

    __test__ = False


def _emit(**event: Any) -> None:
    if _OUT is not None and RECORDING:
        _OUT.write(json.dumps(event) + "\n")
        _OUT.flush()


def _short(report: Any) -> str:
    """The one line that says what went wrong (the exception), not the whole traceback."""
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return str(crash.message).strip().removeprefix(
            f"{TestTimeLimit.__module__}.{TestTimeLimit.__name__}: ")
    text = str(getattr(report, "longrepr", "") or "")
    errors = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    if errors:
        return errors[-1]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "failed"


def load_profile(*, no_shrink: bool = False) -> None:
    """Deterministic hypothesis with no example database (and, for a proof, no shrinking:
    only pass or fail matters there, not the smallest failing example)."""
    from hypothesis import HealthCheck, Phase, settings

    # Timing must not decide an answer: no deadline, and no "too slow" health check, which
    # a loaded machine can trip in one run and not the next.
    extra: dict[str, Any] = {"suppress_health_check": [HealthCheck.too_slow]}
    if no_shrink:
        extra["phases"] = [Phase.explicit, Phase.reuse, Phase.generate]
    settings.register_profile("dna-regen", derandomize=True, database=None, deadline=None,
                              print_blob=False, **extra)
    settings.load_profile("dna-regen")


def pytest_configure(config: pytest.Config) -> None:
    global _OUT, _ROOT
    _ROOT = str(config.rootpath)
    path = os.environ.get("DNA_REGEN_RESULTS")
    if path:
        _OUT = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run
    load_profile()


def pytest_collection_finish(session: pytest.Session) -> None:
    _emit(event="collected", root=_ROOT,
          items=[{"nodeid": i.nodeid, "path": str(i.path)} for i in session.items])


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[
        None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    if report.failed:
        # The collector's own path: a nodeid is empty for a file outside the rootdir.
        _emit(event="collect_error", nodeid=report.nodeid, path=str(collector.path),
              message=_short(report))
    return report


def pytest_runtest_logstart(nodeid: str, location: Any) -> None:
    _emit(event="start", nodeid=nodeid)


def _on_alarm(signum: int, frame: Any) -> None:
    raise TestTimeLimit(f"time limit of {os.environ.get('DNA_REGEN_TIMEOUT')} s exceeded")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    limit = float(os.environ.get("DNA_REGEN_TIMEOUT") or 0)
    if limit <= 0 or not RECORDING or not hasattr(signal, "SIGALRM"):
        return (yield)
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return (yield)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[
        None, pytest.TestReport, pytest.TestReport]:
    report = yield
    timed_out = call.excinfo is not None and call.excinfo.errisinstance(TestTimeLimit)
    if report.failed or report.skipped or report.when == "call" or timed_out:
        _emit(event="report", nodeid=report.nodeid, path=str(item.path), when=report.when,
              outcome="timeout" if timed_out else report.outcome,
              message=_short(report) if report.failed else "",
              duration=round(report.duration, 4))
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _emit(event="finish", exitstatus=int(exitstatus))
