"""The proof: does a finding's check notice when the code it protects is broken?

For each finding whose tests pass, :func:`prove_findings` asks a long-lived worker
(:mod:`dna_kit.regen._worker`) for the mutants of the finding's target, then runs only that
finding's tests against each mutant, under a time limit, with hypothesis derandomized and
no shrinking. A mutant the tests fail on is *killed*; a survivor becomes a question for the
rule's owner. When a mutant hangs past its limit or kills the worker, the worker is
replaced and the mutant counts as killed ("time limit" or "crash"), as mutation tools do.
With :func:`run_in_worker`, the same worker first runs every test plainly for the scores,
so one pytest start-up serves both.

>>> results = prove_findings(".", [ProofJob("F-0001", ["dna/tests/test_f0001.py"],
...                                          ["shipping.retry:backoff_delay"])])  # doctest: +SKIP
>>> results["F-0001"].killed, results["F-0001"].total                            # doctest: +SKIP
(13, 15)
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dna_kit.project import Project, find_project
from dna_kit.regen.mutate import question_for
from dna_kit.regen.runner import FileResult, parse_events, read_events, regen_env
from dna_kit.regen.scorecard import MutantResult

__all__ = ["ProofJob", "ProofResult", "Worker", "prove_findings", "run_in_worker"]

_START_LIMIT = 120.0  # seconds for a worker to import and collect
_GRACE = 10.0  # beyond a mutant's own limit before the worker itself is replaced


@dataclass
class ProofJob:
    """One finding to prove: its test files (absolute) and targets (``module:callable``)."""

    finding_id: str
    files: list[str]
    targets: list[str]
    params: Mapping[str, Any] = field(default_factory=dict)
    #: When a test file serves several findings: run only tests whose name holds this.
    only: str | None = None


@dataclass
class ProofResult:
    finding_id: str
    mutants: list[MutantResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def counted(self) -> list[MutantResult]:
        return [m for m in self.mutants if m.error is None]

    @property
    def killed(self) -> int:
        return sum(m.killed for m in self.counted)

    @property
    def total(self) -> int:
        return len(self.counted)


class WorkerDied(RuntimeError):
    pass


class Worker:
    """A proof worker process and its line protocol, with a deadline on every answer."""

    def __init__(self, root: Path, files: Sequence[str], impl: Path | None,
                 plugins: Sequence[str] = (), *, record_timeout: float | None = None
                 ) -> None:
        self.root, self.files, self.impl = root, list(files), impl
        self.plugins = list(plugins)
        # Set for a worker that first runs the tests plainly (see :meth:`run_plain`).
        self.record_timeout = record_timeout
        self.starts = 0
        self._tmp = tempfile.TemporaryDirectory(prefix="dna-prove-")
        self.ini = Path(self._tmp.name) / "pytest.ini"
        self.ini.write_text("[pytest]\n", encoding="utf-8")
        self.collect_errors: list[str] = []
        self.last_failure = ""
        self._buffer = b""
        self._eof = False
        self._start()

    @property
    def events(self) -> Path:
        """Where this start of the worker records its plain run."""
        return Path(self._tmp.name) / f"events-{self.starts}.jsonl"

    def _start(self) -> None:
        env = regen_env(self.root, self.impl, self.plugins, scratch=Path(self._tmp.name))
        self.starts += 1
        if self.record_timeout is not None and self.starts == 1:
            env["DNA_REGEN_RESULTS"] = str(self.events)
            env["DNA_REGEN_TIMEOUT"] = f"{self.record_timeout:g}"
        cmd = [sys.executable, "-P", "-m", "dna_kit.regen._worker", str(self.root),
               str(self.ini), *self.files]
        self._eof = False
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        self._buffer = b""
        while True:
            message = self._read(_START_LIMIT)
            if message is None:
                self.close()
                raise WorkerDied("the proof worker did not start (it could not collect the "
                                 "tests)")
            if message.get("ready"):
                return
            if "collect_error" in message:
                self.collect_errors.append(message["message"])

    def _read(self, timeout: float) -> dict[str, Any] | None:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:  # the worker closed its end: it died
                self._eof = True
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return dict(json.loads(line))

    def ask(self, command: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        """The worker's answer, or None when it took longer than ``timeout`` or died (the
        worker is then replaced by a fresh one)."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write((json.dumps(command) + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:  # it died before the command could be sent
            answer, self._eof = None, True
        else:
            answer = self._read(timeout)
        if answer is None:
            # Told apart for the report: the worker died (a mutant that crashes the
            # interpreter) or it was still busy at the deadline (a mutant that hangs).
            self.last_failure = "crash" if self._eof else "time limit"
            self.close()
            self._start()
        return answer

    def close(self) -> None:
        """Stop the process (a replacement may be started by :meth:`ask` later)."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()

    def shutdown(self) -> None:
        """Stop for good, and remove the worker's temporary files."""
        self.close()
        self._tmp.cleanup()


def run_in_worker(project: str | Path | Project, files: Sequence[Path], *,
                  impl: Path | None = None, timeout: float = 60.0,
                  plugins: Sequence[str] = ()
                  ) -> tuple[Worker | None, dict[Path, FileResult] | None]:
    """Start the proof worker and have it run every test once, plainly, recording results
    as the subprocess run does: one pytest start-up serves both the scores and the proof.

    Returns the worker (None if it could not start) and the results per file, or None
    when the run did not finish (a crash, or a hang past its limit): the caller then runs
    the tests with :func:`~dna_kit.regen.runner.run_test_files`, which isolates the culprit.

    >>> worker, results = run_in_worker(".", [Path("dna/tests/test_f0001.py")])  # doctest: +SKIP
    """
    root = (project if isinstance(project, Project) else find_project(project)).root
    try:
        worker = Worker(root, [str(f) for f in files], impl, plugins, record_timeout=timeout)
    except (WorkerDied, OSError):
        return None, None
    events = worker.events
    try:
        answer = worker.ask({"op": "plain"}, timeout * (len(files) + 1) + 60)
    except WorkerDied:
        worker.shutdown()
        return None, None
    if answer is None or "error" in answer:
        return worker, None
    # The worker answered, so every test ran (its session, and so the "finish" event,
    # goes on until the proof is over).
    results = {Path(f).resolve(): FileResult(Path(f).resolve()) for f in files}
    _, done, _, _ = parse_events(read_events(events), results)
    for path, tests in done.items():
        if path in results:
            results[path].tests = tests
    return worker, results


def _limit(baseline: float, timeout: float) -> float:
    """A mutant may take ten times as long as the real code, plus 2 s (and at least 5 s):
    longer means it loops, and counts as killed. Generous, so that a loaded machine does
    not turn a slow survivor into a kill."""
    return min(timeout, max(5.0, 10.0 * baseline + 2.0))


def _prove_one(worker: Worker, job: ProofJob, timeout: float) -> ProofResult:
    result = ProofResult(job.finding_id)
    base = worker.ask({"op": "baseline", "files": job.files, "only": job.only,
                       "limit": timeout},
                      timeout + _GRACE)
    if base is None or "error" in base:
        why = "it hung or crashed" if base is None else base["error"]
        result.errors.append(f"proof: the tests could not run in the proof worker: {why}")
        return result
    if base["failed"]:
        result.errors.append(f"proof: the tests fail in the proof worker before any "
                             f"mutation ({base['by']}: {base['message']})")
        return result
    limit = _limit(float(base["duration"]), timeout)
    for target in job.targets:
        listing = worker.ask({"op": "mutants", "target": target}, _START_LIMIT)
        if listing is None or "error" in listing:
            why = "the worker died" if listing is None else listing["error"]
            result.errors.append(f"proof: cannot make mutants of {target}: {why}")
            continue
        where = f"{target.partition(':')[0].replace('.', '/')}.py"
        for m in listing["mutants"]:
            start = time.perf_counter()
            answer = worker.ask({"op": "run", "files": job.files, "only": job.only,
                                 "target": target,
                                 "qualname": m["qualname"], "source": m["source"],
                                 "global_name": m.get("global_name"),
                                 "new_value": m.get("new_value"), "limit": limit},
                                limit + _GRACE)
            mutant = MutantResult(
                id=len(result.mutants) + 1, target=target, operator=m["operator"],
                line=m["line"], original=m["original"], mutated=m["mutated"], killed=True)
            if answer is None:
                mutant.killed_by = worker.last_failure
            elif "error" in answer:
                mutant.killed, mutant.error = False, answer["error"]
            else:
                mutant.killed = bool(answer["failed"])
                mutant.killed_by = answer.get("by") if mutant.killed else None
            if not mutant.killed and mutant.error is None:
                mutant.question = question_for(m, job.params, where=where)
            mutant.duration = round(time.perf_counter() - start, 4)
            result.mutants.append(mutant)
    return result


def prove_findings(project: str | Path | Project, jobs: Sequence[ProofJob], *,
                   impl: Path | None = None,
                   timeout: float = 60.0, workers: int = 1, plugins: Sequence[str] = (),
                   progress: Callable[[str], None] | None = None,
                   prestarted: Worker | None = None) -> dict[str, ProofResult]:
    """Mutate each job's targets and run its tests against every mutant.

    ``timeout`` caps one mutant's run; ``workers`` proof workers share the jobs (the
    first may be ``prestarted``, see :func:`run_in_worker`).
    """
    root = (project if isinstance(project, Project) else find_project(project)).root
    if not jobs:
        if prestarted is not None:
            prestarted.shutdown()
        return {}
    files = sorted({f for job in jobs for f in job.files})
    shares = [list(jobs[i::max(1, workers)]) for i in range(max(1, workers))]
    shares = [s for s in shares if s]
    results: dict[str, ProofResult] = {}
    spare = [prestarted] if prestarted is not None and set(files) <= set(
        prestarted.files) else []
    if prestarted is not None and not spare:
        prestarted.shutdown()

    def work(share: list[ProofJob]) -> list[ProofResult]:
        try:
            worker = spare.pop() if spare else Worker(root, files, impl, plugins)
        except (WorkerDied, IndexError) as exc:
            return [ProofResult(j.finding_id, errors=[f"proof: {exc}"]) for j in share]
        done: list[ProofResult] = []
        try:
            for job in share:
                try:
                    done.append(_prove_one(worker, job, timeout))
                except WorkerDied as exc:  # a replacement worker would not start
                    done.append(ProofResult(job.finding_id, errors=[f"proof: {exc}"]))
                    break
                if progress:
                    progress(job.finding_id)
        finally:
            worker.shutdown()
        done += [ProofResult(j.finding_id, errors=["proof: not run, the proof worker "
                                                   "could not be restarted"])
                 for j in share[len(done):]]
        return done

    if len(shares) == 1:
        outcomes = [work(shares[0])]
    else:
        with ThreadPoolExecutor(len(shares)) as pool:
            outcomes = list(pool.map(work, shares))
    for share_results in outcomes:
        for r in share_results:
            results[r.finding_id] = r
    return results
