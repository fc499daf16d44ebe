"""Run test files with pytest in a subprocess and say, per file, what happened.

One pytest process runs every file (start-up is paid once). The plugin
(:mod:`dna_kit.regen._plugin`) streams results to a file as they happen, stops a test that
runs past the time limit, and keeps going after a file that does not import. If the process
dies (a crash, or a hang the plugin could not stop), the file that was running is marked
and the files not finished are run again without it, so one bad test never costs the
others their score.

:func:`run_test_source` runs a test that is not written yet (the codify panel's live run)
the same way, from a scratch folder.

>>> test = project.root / "dna/tests/test_f0001_cap.py"  # doctest: +SKIP
>>> run_test_files(project, [test])[test].outcome        # doctest: +SKIP
'passed'
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dna_kit.errors import RegenError
from dna_kit.project import Project, find_project

__all__ = [
    "PLUGINS", "FileResult", "SourceRun", "TestResult", "parse_events", "plugin_args",
    "pytest_command", "read_events", "regen_env", "run_test_files", "run_test_source",
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


def _root(project: str | Path | Project) -> Path:
    return (project if isinstance(project, Project) else find_project(project)).root


def regen_env(project: str | Path | Project, impl: Path | None,
              plugins: Sequence[str] = (), *, scratch: Path | None = None) -> dict[str, str]:
    """The environment for a run (a copy; this process's own is left alone): ``impl``
    first on the import path, then the project's root; hypothesis keeps its files in
    ``scratch`` (a folder of the caller's), not in a ``.hypothesis/`` of the repository.

    >>> regen_env(".", None)["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]     # doctest: +SKIP
    '1'
    """
    root = _root(project)
    env = dict(os.environ)
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["DNA_REGEN_PLUGINS"] = ",".join(plugins)
    paths = [str(p) for p in (impl, root) if p is not None]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    # Neither bytecode nor hypothesis' database may land in the repository.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if scratch is not None:
        env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(scratch / "hypothesis")
    env.pop("PYTEST_ADDOPTS", None)
    return env


def pytest_command(project: str | Path | Project, files: Sequence[Path], ini: Path,
                   *extra: str, plugins: Sequence[str] = ()) -> list[str]:
    """pytest with an empty config of our own, so the project's ``addopts`` (``-n``,
    coverage, ...) cannot change how the generated tests run.

    >>> pytest_command(".", [Path("dna/tests/test_x.py")], Path("/tmp/pytest.ini"))[:4]  # doctest: +SKIP
    ['.../python', '-P', '-m', 'pytest']
    """
    return [sys.executable, "-P", "-m", "pytest", *[str(f) for f in files],
            "-c", str(ini), "--rootdir", str(_root(project)), "-p", "no:cacheprovider",
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
    env = regen_env(root, impl, plugins, scratch=tmp)
    env["DNA_REGEN_RESULTS"] = str(results)
    env["DNA_REGEN_TIMEOUT"] = f"{timeout:g}"
    # No colour (a Jupyter kernel asks for it): escape codes would hide the failing example.
    cmd = pytest_command(root, files, tmp / "pytest.ini", "-p", "dna_kit.regen._plugin",
                         "--color=no", plugins=plugins)
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


def run_test_files(project: str | Path | Project, files: Sequence[Path], *,
                   impl: Path | None = None, timeout: float = 60.0,
                   plugins: Sequence[str] = ()) -> dict[Path, FileResult]:
    """Run ``files`` (absolute paths) from the project's root and return a result per file.

    ``impl`` goes first on the import path; ``timeout`` is the limit for one test, in
    seconds; ``plugins`` are pytest plugins to load beyond hypothesis' (nothing is
    auto-loaded).

    >>> run_test_files(".", [Path("dna/tests/test_f0001_cap.py").resolve()])  # doctest: +SKIP
    {PosixPath('.../dna/tests/test_f0001_cap.py'): FileResult(...)}
    """
    project = project if isinstance(project, Project) else find_project(project)
    return _run_files(project.root, files, impl=impl, timeout=timeout, plugins=plugins)[0]


def _run_files(root: Path, files: Sequence[Path], *, impl: Path | None, timeout: float,
               plugins: Sequence[str]) -> tuple[dict[Path, FileResult], str]:
    """Every file's result, and what pytest printed (each attempt's output, in order)."""
    pending = [Path(f).resolve() for f in files]
    outputs: list[str] = []
    results = {f: FileResult(f) for f in pending}
    with tempfile.TemporaryDirectory(prefix="dna-regen-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "pytest.ini").write_text(_INI, encoding="utf-8")
        attempt = 0
        while pending:
            attempt += 1
            events, code, output = _run_once(root, pending, impl, timeout, tmp, attempt,
                                             plugins)
            outputs.append(output)
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
    return results, "\n".join(outputs)


@dataclass(frozen=True)
class SourceRun:
    """One run of a test's source: how many of its tests passed and failed, what pytest
    said, and the failing example hypothesis found, if any. ``passed`` is True when every
    test that ran passed (and at least one ran)."""

    __test__ = False  # not a pytest test class

    outcome: str  # as FileResult.outcome: passed, failed, error, timeout, crashed, not_run
    tests_passed: int
    tests_failed: int
    output: str
    failing_example: str | None

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"


def run_test_source(project: str | Path | Project, source: str, *,
                    name: str = "test_preview.py", timeout: float = 60.0,
                    plugins: Sequence[str] = ()) -> SourceRun:
    """Run a test that is not written yet against the project's code: its ``source`` goes
    into a scratch folder (nothing is written to the repository) and runs the way
    :func:`run_test_files` runs the project's tests.

    >>> run = run_test_source(".", preview_test(".", "F-0001"))     # doctest: +SKIP
    >>> run.passed, run.tests_passed                                 # doctest: +SKIP
    (True, 1)
    """
    project = project if isinstance(project, Project) else find_project(project)
    if not re.fullmatch(r"test_\w+\.py", name):
        raise RegenError(f"name={name!r} must look like test_<name>.py")
    with tempfile.TemporaryDirectory(prefix="dna-preview-") as tmp:
        path = (Path(tmp) / name).resolve()
        path.write_text(source, encoding="utf-8")
        results, output = _run_files(project.root, [path], impl=None, timeout=timeout,
                                     plugins=plugins)
        folder = path.parent.name
    result = results[path]
    # The scratch folder is gone: show where the test was as <preview>, however pytest
    # spelled its path (absolute, or relative to the project's root).
    output = re.sub(rf"[^\s:'\"]*{re.escape(folder)}", "<preview>", output)
    if result.error:
        output = f"{output.rstrip()}\n{result.error}".strip()
    return SourceRun(
        outcome=result.outcome,
        tests_passed=sum(t.outcome == "passed" for t in result.tests),
        tests_failed=sum(t.outcome in ("failed", "error", "timeout") for t in result.tests),
        output=output, failing_example=_failing_example(output))


_EXAMPLE_START = re.compile(r"^E?\s*(Falsifying (?:explicit )?example|Failing explicit example"
                            r"|Failing test case)")


def _failing_example(output: str) -> str | None:
    """The assertion message and the input hypothesis reported, from pytest's output."""
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if _EXAMPLE_START.match(line)), None)
    if start is None:
        return None
    block: list[str] = []
    for line in lines[start:]:
        if block and not line.startswith("E"):
            break
        block.append(line.removeprefix("E").strip())
    message = next((line.removeprefix("E").strip() for line in lines
                    if re.match(r"^E\s+\w*(Error|Exception)\b", line)), None)
    return "\n".join(([message] if message else []) + block).strip()


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
