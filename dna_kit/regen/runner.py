"""Run test files with pytest in a subprocess and say, per file, what happened.

One pytest process runs every file (start-up is paid once). The plugin
(:mod:`dna_kit.regen._plugin`) streams results to a file as they happen, stops a test that
runs past the time limit, and keeps going after a file that does not import. If the process
dies (a crash, or a hang the plugin could not stop), the file that was running is marked
and the files not finished are run again without it, so one bad test never costs the
others their score.

>>> results = run_test_files(root, [root / "dna/tests/test_f0001_cap.py"])  # doctest: +SKIP
>>> results[root / "dna/tests/test_f0001_cap.py"].outcome                  # doctest: +SKIP
'passed'
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "PLUGINS", "FileResult", "TestResult", "parse_events", "plugin_args", "pytest_command",
    "read_events", "regen_env", "run_test_files",
]

_INI = "[pytest]\n"


@dataclass
class TestResult:
    """One test: its id, ``passed``/``failed``/``skipped``/``timeout``/``error``."""

    __test__ = False
    nodeid: str
    outcome: str
    message: str = ""
    duration: float = 0.0


@dataclass
class FileResult:
    """Everything that happened to one test file."""

    path: Path
    tests: list[TestResult] = field(default_factory=list)
    error: str | None = None
    error_kind: str | None = None  # "error" (does not import), "timeout", "crashed"

    @property
    def outcome(self) -> str:
        if self.error_kind:
            return self.error_kind
        if not self.tests:
            return "not_run"
        outcomes = {t.outcome for t in self.tests}
        for worst in ("timeout", "error", "failed"):
            if worst in outcomes:
                return worst
        return "passed" if "passed" in outcomes else "not_run"

    @property
    def duration(self) -> float:
        return sum(t.duration for t in self.tests)


#: pytest plugins a regeneration run loads. Generated tests need only pytest and
#: hypothesis, so nothing else is auto-loaded: a venv's other plugins cost seconds of
#: start-up (measured: 1.2 s instead of 4 s for one test file) and may change how tests run.
PLUGINS: tuple[str, ...] = ("hypothesis.extra.pytestplugin",)


def plugin_args(extra: Sequence[str] = ()) -> list[str]:
    """``-p NAME`` for hypothesis' plugin and each plugin the project asks for."""
    return [arg for name in (*PLUGINS, *extra) for arg in ("-p", name)]


def regen_env(root: Path, impl: Path | None, plugins: Sequence[str] = ()) -> dict[str, str]:
    """The environment for a run: ``impl`` first on the import path, then the root."""
    env = dict(os.environ)
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["DNA_REGEN_PLUGINS"] = ",".join(plugins)
    paths = [str(p) for p in (impl, root) if p is not None]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    # Neither bytecode nor hypothesis' database may land in the repository.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTEST_ADDOPTS", None)
    return env


def pytest_command(root: Path, files: Sequence[Path], ini: Path, *extra: str,
                   plugins: Sequence[str] = ()) -> list[str]:
    """pytest with an empty config of our own, so the project's ``addopts`` (``-n``,
    coverage, ...) cannot change how the generated tests run."""
    return [sys.executable, "-P", "-m", "pytest", *[str(f) for f in files],
            "-c", str(ini), "--rootdir", str(root), "-p", "no:cacheprovider",
            "-p", "no:randomly", "-q", "--no-header", "-rN",
            "--continue-on-collection-errors", *plugin_args(plugins), *extra]


def _read_events(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            break  # the last line of a killed run may be cut short
    return events


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def _run_once(root: Path, files: list[Path], impl: Path | None, timeout: float,
              tmp: Path, attempt: int, plugins: Sequence[str]
              ) -> tuple[list[dict[str, Any]], int | None, str]:
    results = tmp / f"events-{attempt}.jsonl"
    env = regen_env(root, impl, plugins)
    env["DNA_REGEN_RESULTS"] = str(results)
    env["DNA_REGEN_TIMEOUT"] = f"{timeout:g}"
    cmd = pytest_command(root, files, tmp / "pytest.ini", "-p", "dna_kit.regen._plugin",
                         plugins=plugins)
    # The plugin stops a hanging test; this wall limit only catches what it cannot
    # (a hang in C code): enough for every file to use its whole limit once, plus start-up.
    wall = timeout * (len(files) + 1) + 60
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=wall)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        _kill(proc)
        out, code = b"", None
    return _read_events(results), code, out.decode("utf-8", "replace")


def run_test_files(root: Path, files: Sequence[Path], *, impl: Path | None = None,
                   timeout: float = 60.0, plugins: Sequence[str] = ()
                   ) -> dict[Path, FileResult]:
    """Run ``files`` (absolute paths) under ``root`` and return a result per file.

    ``timeout`` is the limit for one test, in seconds; ``plugins`` are pytest plugins to
    load beyond hypothesis' (nothing is auto-loaded).
    """
    pending = [Path(f).resolve() for f in files]
    results = {f: FileResult(f) for f in pending}
    with tempfile.TemporaryDirectory(prefix="dna-regen-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "pytest.ini").write_text(_INI, encoding="utf-8")
        attempt = 0
        while pending:
            attempt += 1
            events, code, output = _run_once(root, pending, impl, timeout, tmp, attempt,
                                             plugins)
            finished, done, planned, running = parse_events(events, results)
            if finished:
                for path, tests in done.items():
                    if path in results:
                        results[path].tests = tests
                break
            # The process died or was killed: blame the file whose test was running.
            crashed = _blame(running, planned, pending, output)
            what = "crashed" if code is not None else "timeout"
            message = (f"the test process died (exit code {code}) while running "
                       f"{running or 'the tests'}" if code is not None else
                       f"the test process was killed after its time limit while running "
                       f"{running or 'the tests'}")
            tail = _tail(output)
            if tail:
                message += f": {tail}"
            for path in crashed:
                results[path].error = message
                results[path].error_kind = what
            # Files that finished keep their results; the rest run again.
            complete = {p for p, ids in planned.items()
                        if p not in crashed and ids <= {t.nodeid for t in done.get(p, [])}}
            for path in complete:
                results[path].tests = done[path]
            pending = [p for p in pending if p not in crashed and p not in complete
                       and results[p].error_kind is None]
    return results


def parse_events(events: list[dict[str, Any]], results: dict[Path, FileResult]
                 ) -> tuple[bool, dict[Path, list[TestResult]], dict[Path, set[str]],
                            str | None]:
    """Read a run's events: (did it finish, tests done per file, tests planned per file,
    the test running when the events stop). Collection errors go into ``results``."""
    finished = any(e["event"] == "finish" for e in events)
    done: dict[Path, list[TestResult]] = {}
    planned: dict[Path, set[str]] = {}
    running: str | None = None
    for e in events:
        kind = e["event"]
        if kind == "collected":
            for item in e["items"]:
                planned.setdefault(Path(item["path"]).resolve(), set()).add(item["nodeid"])
        elif kind == "collect_error":
            path = Path(e["path"]).resolve()
            if path in results:
                results[path].error = e["message"]
                results[path].error_kind = "error"
        elif kind == "start":
            running = e["nodeid"]
        elif kind == "report":
            path = Path(e["path"]).resolve()
            outcome = e["outcome"]
            if e["when"] != "call" and outcome == "failed":
                outcome = "error"  # a fixture failed, not the rule
            done.setdefault(path, []).append(TestResult(
                e["nodeid"], outcome, e.get("message", ""), e.get("duration", 0.0)))
            if e["when"] in ("call", "teardown") or outcome != "passed":
                running = None if running == e["nodeid"] else running
    return finished, done, planned, running


def read_events(path: Path) -> list[dict[str, Any]]:
    """The events a run wrote so far (a line cut short by a killed run ends them)."""
    return _read_events(path)


def _blame(running: str | None, planned: dict[Path, set[str]], pending: list[Path],
           output: str) -> set[Path]:
    if running is not None:
        for path, ids in planned.items():
            if running in ids:
                return {path}
    # Died before any test started (during collection): nothing to tell them apart by,
    # so every pending file shares the blame rather than looping forever.
    return set(pending)


def _tail(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    fatal = [line for line in lines if "Fatal Python error" in line or "Error" in line]
    return (fatal or lines or [""])[-1][:300]


def wall_time(start: float) -> float:
    return round(time.perf_counter() - start, 3)
