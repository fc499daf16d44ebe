"""The proof: does a finding's check notice when the code it protects is broken?

For each finding whose tests pass, :func:`prove_findings` asks a long-lived worker
(:mod:`dna_kit.regen._worker`) for the mutants of the finding's target, then runs only that
finding's tests against each mutant, under a time limit, with hypothesis derandomized and
no shrinking. A mutant the tests fail on is *killed*; a survivor becomes a question for the
rule's owner. When a mutant hangs past its limit or kills the worker, the worker is
replaced and the mutant counts as killed ("time limit" or "crash"), as mutation tools do.

Then each of the finding's sites (``binding.sites``) has its value changed both ways
(:func:`~dna_kit.regen.mutate.value_mutants`); the worker runs the tests against each in a
fork that loads the mutated file and every module importing it again, so values captured
at import time change too. :func:`proof_strength` turns the kills into a strong, weak or
no proof; only a strong one makes a finding proven. Results are cached in
``dna/.cache/proof/`` under a hash of what they depend on (:func:`proof_key`).
With :func:`run_in_worker`, the same worker first runs every test plainly for the scores,
so one pytest start-up serves both. For CI jobs that split a finding's proof
(``--shard K/N``), a job runs its checks and only its share of the mutants
(:func:`deal_mutants`), numbered as a whole run numbers them.

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
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dna_kit.finding import Finding
from dna_kit.project import Project, find_project
from dna_kit.regen.mutate import question_for, site_values, value_mutants, value_question
from dna_kit.regen.runner import FileResult, parse_events, read_events, regen_env
from dna_kit.regen.scorecard import MutantResult, ProofResult, proof_strength

__all__ = ["ProofJob", "ProofResult", "Worker", "deal_mutants", "proof_strength",
           "prove_findings", "run_in_worker"]

_START_LIMIT = 120.0  # seconds for a worker to import and collect
_GRACE = 10.0  # beyond a mutant's own limit before the worker itself is replaced


@dataclass
class ProofJob:
    """One finding to prove: its test files (absolute) and targets (``module:callable``)."""

    finding_id: str
    files: list[str]
    targets: list[str]
    params: Mapping[str, Any] = field(default_factory=dict)
    #: When a test file serves several findings: run only tests whose name holds this
    #: (or, a list: only these pytest node ids, as ``dna link`` keeps them).
    only: str | list[str] | None = None
    #: Where the finding's values live (``binding.sites``: param, path, line, code).
    sites: list[dict[str, Any]] = field(default_factory=list)
    #: The finding's parameters that hold a number or a boolean: each should have a site.
    value_params: list[str] = field(default_factory=list)
    #: The finding file (absolute), part of the proof cache's key.
    finding_path: str | None = None
    #: When the finding's proof is split across shards: ``(part, parts)``, this job runs
    #: only the mutants that :func:`deal_mutants` deals to part ``part`` (1-based) of
    #: ``parts``; the others' numbers are skipped.
    share: tuple[int, int] | None = None


def deal_mutants(parts: int) -> Iterator[int]:
    """The part (0 to ``parts`` - 1) of mutant 1, 2, 3, ... of a finding whose proof is
    split across shards: in turn, mutant i to part i mod ``parts``, so that the mutants of
    one line (and the two of one site) go to different parts and every part gets as many
    as the others, give or take one. Part 0, which also scores the finding's tests, gets
    every ``parts``-th, so never more than another. The same deal in every job, whatever
    the count of mutants.

    >>> from itertools import islice
    >>> list(islice(deal_mutants(2), 6)), list(islice(deal_mutants(3), 6))
    ([1, 0, 1, 0, 1, 0], [1, 2, 0, 1, 2, 0])
    """
    number = 0
    while True:
        number += 1
        yield number % parts


class _Numbering:
    """Numbers a finding's mutants in the order a whole run makes them, and tells which
    of them this job runs (all of them, or its share)."""

    def __init__(self, share: tuple[int, int] | None) -> None:
        self.last = 0
        self.part = share[0] - 1 if share else 0
        self.deal = deal_mutants(share[1]) if share else None

    def take(self) -> int | None:
        """The next mutant's number, or None when another shard runs it."""
        self.last += 1
        if self.deal is not None and next(self.deal) != self.part:
            return None
        return self.last


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
                  plugins: Sequence[str] = (), plain: Sequence[Path] | None = None
                  ) -> tuple[Worker | None, dict[Path, FileResult] | None]:
    """Start the proof worker and have it run every test once, plainly, recording results
    as the subprocess run does: one pytest start-up serves both the scores and the proof.
    With ``plain``, the worker collects ``files`` (for the proof) but runs only the tests
    of ``plain`` (the files to score) plainly.

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
        scored = list(files) if plain is None else list(plain)
        answer = worker.ask({"op": "plain", "files": None if plain is None
                             else [str(f) for f in scored]},
                            timeout * (len(scored) + 1) + 60)
    except WorkerDied:
        worker.shutdown()
        return None, None
    if answer is None or "error" in answer:
        return worker, None
    # The worker answered, so every test ran (its session, and so the "finish" event,
    # goes on until the proof is over).
    results = {Path(f).resolve(): FileResult(Path(f).resolve()) for f in scored}
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
        result.stopped = True
        return result
    if base["failed"]:
        result.errors.append(f"proof: the tests fail in the proof worker before any "
                             f"mutation ({base['by']}: {base['message']})")
        result.stopped = True
        return result
    numbering = _Numbering(job.share)
    limit = _limit(float(base["duration"]), timeout)
    result.baseline = {"tests": int(base.get("tests") or 0),
                       "duration": round(float(base["duration"]), 4)}
    target_files: set[str] = set()
    libraries: list[str] = []
    for target in job.targets:
        listing = worker.ask({"op": "mutants", "target": target}, _START_LIMIT)
        if listing is None or "error" in listing:
            why = "the worker died" if listing is None else listing["error"]
            result.errors.append(f"proof: cannot make mutants of {target}: {why}")
            # A share numbers its mutants as the other shares do only when each lists
            # the same mutants: a worker that died listing them leaves the numbers short.
            result.stopped = result.stopped or (listing is None and job.share is not None)
            continue
        where = f"{target.partition(':')[0].replace('.', '/')}.py"
        kind = _code_kind(worker, listing.get("file"))
        if kind == "target" and listing.get("file"):
            target_files.add(str(Path(listing["file"]).resolve()))
        elif kind == "library":
            libraries.append(target.partition(":")[0].split(".")[0])
        # A module constant that is one of the finding's sites is changed both ways by its
        # value mutants below: its constant mutant would only repeat the first of them.
        at_sites = {(str(f.resolve()), int(site["line"])) for site in job.sites
                    if (f := _site_file(worker, site["path"])) is not None}
        for m in listing["mutants"]:
            if m.get("global_name") and listing.get("file") and (
                    str(Path(listing["file"]).resolve()), m["line"]) in at_sites:
                continue
            number = numbering.take()
            if number is None:  # another shard runs it
                continue
            start = time.perf_counter()
            answer = worker.ask({"op": "run", "files": job.files, "only": job.only,
                                 "target": target,
                                 "qualname": m["qualname"], "source": m["source"],
                                 "global_name": m.get("global_name"),
                                 "new_value": m.get("new_value"), "limit": limit},
                                limit + _GRACE)
            mutant = MutantResult(
                id=number, target=target, operator=m["operator"],
                line=m["line"], original=m["original"], mutated=m["mutated"], killed=True,
                kind=kind)
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
    _prove_values(worker, job, result, limit, target_files, numbering)
    located = {s["param"] for s in result.sites}
    for param in job.value_params:
        if param not in located:
            result.sites.append({"param": param, "library": libraries[0]} if libraries
                                else {"param": param, "located": False})
    return result


def site_dicts(finding: Finding, impl: Path | None = None) -> list[dict[str, Any]]:
    """The finding's ``binding.sites`` as plain data for a :class:`ProofJob`.

    With ``impl`` (another implementation under test, a rewrite), the stored sites name
    the service's code, not the rewrite's: the values are located again in ``impl`` with
    codify's locator (:func:`dna_kit.codify.sites.search_sites`); when it finds none there,
    the stored sites stand (and a site the rewrite does not hold makes the proof weak).

    >>> site_dicts(Finding.from_dict({"id": "F-0001", "layer": "how", "kind": "threshold",
    ...     "title": "t", "statement": "s", "binding": {"template": "bounded",
    ...     "target": "app.retry:delay", "sites": [{"param": "cap",
    ...     "path": "app/settings.py", "line": 5, "code": "RETRY_CAP = 5"}]}}))[0]["line"]
    5
    """
    if finding.binding is None:
        return []
    if impl is not None:
        from dna_kit.codify.sites import search_sites
        from dna_kit.errors import DnaKitError

        try:
            found = search_sites(Project(impl, impl / "docs" / "adr"), finding).sites
        except (DnaKitError, OSError, SyntaxError, ValueError):
            found = []
        if found:
            return [site.to_dict() for site in found]
    return [site.to_dict() for site in finding.binding.sites]


def value_params(finding: Finding) -> list[str]:
    """The finding's parameters whose value is a number (with or without a unit) or a
    boolean: each should live at a site the proof can change.

    >>> value_params(Finding.from_dict({"id": "F-0001", "layer": "how", "kind": "threshold",
    ...     "title": "t", "statement": "s", "params": {"cap": "5 s", "region": "eu"}}))
    ['cap']
    """
    from dna_kit.units import Quantity

    params = dict(finding.params)
    if finding.binding is not None:
        params.update(finding.binding.params)
    return [name for name, value in params.items()
            if isinstance(value, Quantity | bool | int | float)]


def _roots(worker: Worker) -> list[Path]:
    return [p.resolve() for p in (worker.impl, worker.root) if p is not None]


def _code_kind(worker: Worker, file: str | None) -> str:
    """``target`` for code of the project (or of the implementation under test),
    ``library`` for installed code."""
    if not file:
        return "target"
    path = Path(file).resolve()
    if "site-packages" in path.parts or not any(path.is_relative_to(r)
                                                for r in _roots(worker)):
        return "library"
    return "target"


def _site_file(worker: Worker, path: str) -> Path | None:
    """A site's file: in the implementation under test when it has one, else in the
    repository."""
    for base in _roots(worker):
        if (base / path).is_file():
            return base / path
    return None


def _prove_values(worker: Worker, job: ProofJob, result: ProofResult, limit: float,
                  target_files: set[str], numbering: _Numbering) -> None:
    """Change each site's value both ways and run the finding's tests on each (in a
    forked child of the worker that loads the mutated file again, see
    :mod:`dna_kit.regen._worker`)."""
    roots = [str(r) for r in _roots(worker)]
    for site in job.sites:
        entry: dict[str, Any] = {"param": site["param"], "path": site["path"],
                                 "line": site["line"], "code": site.get("code", ""),
                                 "mutants": 0, "killed": 0}
        result.sites.append(entry)
        file = _site_file(worker, site["path"])
        if file is None:
            entry["error"] = f"{site['path']} does not exist"
            continue
        try:
            mutants = value_mutants(file.read_text(encoding="utf-8"), param=site["param"],
                                    path=site["path"], line=int(site["line"]),
                                    code=site.get("code", ""))
        except (LookupError, SyntaxError, UnicodeDecodeError) as exc:
            if site.get("code") and not site_values(site["code"]):
                entry["skipped"] = "the site holds no number or boolean to change"
            else:
                entry["error"] = str(exc)
            continue
        kind = "target" if str(file.resolve()) in target_files else "settings"
        for vm in mutants:
            number = numbering.take()
            if number is None:  # another shard runs it
                continue
            start = time.perf_counter()
            answer = worker.ask({"op": "value", "files": job.files, "only": job.only,
                                 "path": str(file), "source": vm.source, "roots": roots,
                                 "limit": limit}, limit + _GRACE)
            mutant = MutantResult(
                id=number, target=site["path"], operator="value",
                line=vm.line, original=vm.original, mutated=vm.mutated, killed=True,
                path=site["path"], param=site["param"], value=vm.new_value, kind=kind)
            if answer is None:
                mutant.killed_by = worker.last_failure
            elif "error" in answer:
                mutant.killed, mutant.error = False, answer["error"]
                entry.setdefault("error", f"its value mutants could not run: {answer['error']}")
            else:
                mutant.killed = bool(answer["failed"])
                mutant.killed_by = answer.get("by") if mutant.killed else None
            if not mutant.killed and mutant.error is None:
                mutant.question = value_question(vm)
            mutant.duration = round(time.perf_counter() - start, 4)
            result.mutants.append(mutant)
            entry["mutants"] += mutant.error is None
            entry["killed"] += mutant.killed and mutant.error is None
            entry.setdefault("values", []).append(
                {"value": vm.new_value, "killed": mutant.killed, "mutant": number})
        entry["name"] = mutants[0].name if mutants else None


#: Bumped when what a proof runs changes, so older cached results are not reused.
PROOF_SCHEME = "3"
CACHE_DIR = Path(".cache") / "proof"


def _package_files(module: str, roots: Sequence[Path]) -> list[Path]:
    """The ``.py`` files of the top-level package of ``module`` found under ``roots``
    (the code its tests can reach in the project); empty for an installed library."""
    top = module.split(".")[0]
    for root in roots:
        if (root / top).is_dir():
            return sorted(p for p in (root / top).rglob("*.py") if "__pycache__" not in p.parts)
        if (root / f"{top}.py").is_file():
            return [root / f"{top}.py"]
    return []


def proof_key(job: ProofJob, root: Path, impl: Path | None, timeout: float) -> str:
    """A content hash of all a proof depends on: the code that is mutated (the target's
    package, the sites' files), the tests (and the conftest files beside them), the
    finding file, the implementation under test and the time limit. The same key gives
    the same proof; any edit to one of them gives another key.

    >>> proof_key(ProofJob("F-0001", [], []), Path("."), None, 60.0)[:8]  # doctest: +SKIP
    '3f2a9c1e'
    """
    import hashlib
    import importlib.metadata

    roots = [p for p in (impl, root) if p is not None]
    files: set[Path] = set()
    names: list[str] = [PROOF_SCHEME, str(impl or ""), f"{timeout:g}",
                        json.dumps(job.only), json.dumps(job.sites, sort_keys=True),
                        json.dumps(sorted(job.value_params)),
                        json.dumps(sorted(job.targets)), json.dumps(job.share)]
    for target in job.targets:
        found = _package_files(target.partition(":")[0], roots)
        files.update(found)
        if not found:  # a library object: its installed version stands for its code
            top = target.partition(":")[0].split(".")[0]
            dists = importlib.metadata.packages_distributions().get(top, [])
            for dist in dists:
                try:
                    names.append(f"{dist}=={importlib.metadata.version(dist)}")
                except importlib.metadata.PackageNotFoundError:
                    names.append(dist)
    for site in job.sites:
        for base in roots:
            if (base / site["path"]).is_file():
                files.add(base / site["path"])
                break
    for test in job.files:
        path = Path(test)
        files.add(path)
        for parent in path.parents:
            if (parent / "conftest.py").is_file():
                files.add(parent / "conftest.py")
            if parent == root or not parent.is_relative_to(root):
                break
    if job.finding_path:
        files.add(Path(job.finding_path))
    digest = hashlib.sha256("\0".join(names).encode())
    for path in sorted(p.resolve() for p in files):
        digest.update(b"\0" + str(path).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<missing>")
    return digest.hexdigest()


def _cache_file(project: Project, job: ProofJob) -> Path:
    # A shard's share of a split proof is kept apart from the whole proof.
    part = f".part-{job.share[0]}-of-{job.share[1]}" if job.share else ""
    return project.dna_dir / CACHE_DIR / f"{job.finding_id}{part}.json"


def _cache_get(project: Project, job: ProofJob, key: str) -> ProofResult | None:
    path = _cache_file(project, job)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("key") != key:
            return None
        return ProofResult(job.finding_id,
                           mutants=[MutantResult(**m) for m in record["mutants"]],
                           sites=list(record["sites"]), cached=True,
                           baseline=record.get("baseline"))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or damaged: a miss, rewritten after the run


def _cache_put(project: Project, job: ProofJob, result: ProofResult, key: str) -> None:
    from dna_kit.fileio import atomic_write

    cache = project.dna_dir / ".cache"
    ignore = cache / ".gitignore"
    if not ignore.exists():
        atomic_write(ignore, "# dna_kit's caches (proof results, model answers): never "
                             "committed\n*\n")
    record = {"key": key, "finding": result.finding_id,
              "mutants": [m.to_json() for m in result.mutants], "sites": result.sites,
              "baseline": result.baseline}
    atomic_write(_cache_file(project, job),
                 json.dumps(record, ensure_ascii=False) + "\n")


def prove_findings(project: str | Path | Project, jobs: Sequence[ProofJob], *,
                   impl: Path | None = None,
                   timeout: float = 60.0, workers: int = 1, plugins: Sequence[str] = (),
                   progress: Callable[[str], None] | None = None,
                   prestarted: Worker | None = None,
                   cache: bool = True) -> dict[str, ProofResult]:
    """Mutate each job's targets and sites and run its tests against every mutant.

    ``timeout`` caps one mutant's run; ``workers`` proof workers share the jobs (the
    first may be ``prestarted``, see :func:`run_in_worker`). With ``cache``, a job whose
    :func:`proof_key` is unchanged since its last proof is read back from
    ``dna/.cache/proof/`` (its result's ``cached`` is then true) and nothing runs for it.
    """
    proj = project if isinstance(project, Project) else find_project(project)
    root = proj.root
    keys: dict[str, str] = {}
    reused: dict[str, ProofResult] = {}
    if cache:
        for job in jobs:
            keys[job.finding_id] = proof_key(job, root, impl, timeout)
            hit = _cache_get(proj, job, keys[job.finding_id])
            if hit is not None:
                reused[job.finding_id] = hit
                if progress:
                    progress(job.finding_id)
        jobs = [j for j in jobs if j.finding_id not in reused]
    if not jobs:
        if prestarted is not None:
            prestarted.shutdown()
        return reused
    files = sorted({f for job in jobs for f in job.files})
    batches = [list(jobs[i::max(1, workers)]) for i in range(max(1, workers))]
    batches = [b for b in batches if b]
    results: dict[str, ProofResult] = {}
    spare = [prestarted] if prestarted is not None and set(files) <= set(
        prestarted.files) else []
    if prestarted is not None and not spare:
        prestarted.shutdown()

    def work(batch: list[ProofJob]) -> list[ProofResult]:
        try:
            worker = spare.pop() if spare else Worker(root, files, impl, plugins)
        except (WorkerDied, IndexError) as exc:
            return [ProofResult(j.finding_id, errors=[f"proof: {exc}"], stopped=True)
                    for j in batch]
        done: list[ProofResult] = []
        try:
            for job in batch:
                try:
                    done.append(_prove_one(worker, job, timeout))
                except WorkerDied as exc:  # a replacement worker would not start
                    done.append(ProofResult(job.finding_id, errors=[f"proof: {exc}"],
                                            stopped=True))
                    break
                if progress:
                    progress(job.finding_id)
        finally:
            worker.shutdown()
        done += [ProofResult(j.finding_id, errors=["proof: not run, the proof worker "
                                                   "could not be restarted"], stopped=True)
                 for j in batch[len(done):]]
        return done

    if len(batches) == 1:
        outcomes = [work(batches[0])]
    else:
        with ThreadPoolExecutor(len(batches)) as pool:
            outcomes = list(pool.map(work, batches))
    by_id = {job.finding_id: job for job in jobs}
    for batch_results in outcomes:
        for r in batch_results:
            results[r.finding_id] = r
            # A proof that could not run fully is not kept: the next run tries again.
            if cache and not r.errors and not any(m.error for m in r.mutants):
                _cache_put(proj, by_id[r.finding_id], r, keys[r.finding_id])
    return {**reused, **results}
