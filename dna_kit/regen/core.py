"""``regenerate``: score what of a system's DNA would survive a rewrite.

>>> card = regenerate("examples/logistics", prove=True)       # doctest: +SKIP
>>> card.summary()                                            # doctest: +SKIP
'score 0.62 (5/8 proven), verified 0.88; 1 tacit'
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from dna_kit.codify.render import test_id
from dna_kit.errors import RegenError
from dna_kit.fileio import relative_path
from dna_kit.finding import Finding
from dna_kit.project import Project, find_project
from dna_kit.regen.runner import FileResult, TestResult, run_test_files
from dna_kit.regen.scorecard import FindingResult, Scorecard, append_history

__all__ = ["regenerate"]

SCORED = ("accepted", "codified")
_WORST = ("crashed", "timeout", "error", "failed", "not_run", "passed")


def _decision_path(project: Project, link: str) -> Path | None:
    for candidate in (project.root / link, project.adr_dir / link,
                      project.adr_dir / Path(link).name):
        if candidate.is_file():
            return candidate
    return None


def _own_tests(tests: list[TestResult], finding_id: str) -> list[TestResult]:
    """When one file serves several findings, each keeps the tests named after it."""
    return [t for t in tests if test_id(finding_id) in t.nodeid.split("::")[-1].lower()]


def _params(finding: Finding) -> dict[str, Any]:
    """Numbers a mutant's question can call by name (``factor``, ``cap``)."""
    from dna_kit.units import Quantity

    out: dict[str, Any] = {}
    params = dict(finding.params)
    if finding.binding is not None:
        params.update(finding.binding.params)
    for name, value in params.items():
        if isinstance(value, Quantity):
            out[name] = value.value
    return out


def _score_tests(result: FindingResult, files: list[FileResult], shared: bool,
                 root: Path) -> None:
    tests: list[TestResult] = []
    kinds: list[str] = []
    for fr in files:
        if fr.error_kind:
            kinds.append(fr.error_kind)
            result.errors.append(f"{relative_path(fr.path, root)}: {fr.error}")
        own = _own_tests(fr.tests, result.id) if shared else fr.tests
        tests += own
    for t in tests:
        if t.outcome in ("failed", "error", "timeout"):
            result.failures.append({"test": t.nodeid, "message": t.message})
            kinds.append(t.outcome)
            if t.outcome in ("timeout", "error"):
                result.errors.append(f"{t.nodeid}: {t.message}")
        elif t.outcome == "passed":
            kinds.append("passed")
    result.tests_passed = sum(t.outcome == "passed" for t in tests)
    result.tests_failed = sum(t.outcome in ("failed", "error", "timeout") for t in tests)
    result.duration = round(sum(t.duration for t in tests), 4)
    if not kinds:
        kinds.append("not_run")
        result.errors.append("no test ran (all skipped, or none collected)")
    result.outcome = min(kinds, key=_WORST.index)
    result.status = "verified" if result.outcome == "passed" else "failing"


def regenerate(project: str | Path | Project = ".", *, impl: str | Path | None = None,
               prove: bool = False, min_score: float | None = None,
               timeout: float = 60.0, workers: int = 1,
               findings: Iterable[str] | None = None, history: bool = True,
               progress: Callable[[str], None] | None = None) -> Scorecard:
    """Run the regeneration test on ``project`` and return its :class:`Scorecard`.

    Every accepted or codified finding that nothing supersedes is scored: ``tacit`` (no artifact), ``documented``
    (decision record only), ``failing`` (its tests fail, or cannot run, on this
    implementation), ``verified`` (they pass) or, with ``prove=True``, ``proven`` (they pass
    and fail on at least one mutant of the finding's target).

    ``impl`` is a directory put first on the import path, so the targets resolve to an
    alternate implementation. ``timeout`` limits one test (and one mutant), in seconds.
    ``findings`` restricts the run to those ids. Each run is appended to
    ``dna/regen-history.jsonl`` unless ``history=False``.

    >>> regenerate(".", impl="rewrite/", min_score=0.5).passed   # doctest: +SKIP
    False
    """
    start = time.perf_counter()
    proj = project if isinstance(project, Project) else find_project(project)
    impl_dir = Path(impl).resolve() if impl is not None else None
    if impl_dir is not None and not impl_dir.is_dir():
        raise RegenError(f"impl={str(impl)!r} is not a directory")
    if timeout <= 0:
        raise RegenError(f"timeout={timeout!r} must be a positive number of seconds")
    if min_score is not None and not 0.0 <= min_score <= 1.0:
        raise RegenError(f"min_score={min_score!r} must be between 0 and 1")
    from dna_kit.ledger import load_ledger

    ledger = load_ledger(proj)
    # "7" means F-0007, as everywhere else on the command line.
    wanted = None if findings is None else {
        f"F-{int(f):04d}" if f.strip().isdigit() else f.strip() for f in findings}
    # A superseded rule is history: the finding that replaced it is the one scored, and its
    # old test may even contradict the new rule.
    chosen = [f for f in ledger if f.status in SCORED and not f.links.superseded_by
              and (wanted is None or f.id in wanted)]
    if wanted is not None and (missing := wanted - {f.id for f in chosen}):
        raise RegenError(f"findings={sorted(missing)!r}: not accepted or codified findings "
                         "of this ledger")

    root = proj.root
    results: list[FindingResult] = []
    test_paths: dict[str, list[Path]] = {}
    users: dict[Path, int] = {}
    for finding in chosen:
        binding = finding.binding
        result = FindingResult(
            id=finding.id, title=finding.title, layer=finding.layer, kind=finding.kind,
            status="tacit", finding_status=finding.status, statement=finding.statement,
            path=relative_path(ledger.path_of(finding.id), root),
            target=binding.target if binding else None,
            tests=list(finding.links.tests), decisions=list(finding.links.decisions))
        present: list[Path] = []
        for link in finding.links.tests:
            path = (root / link).resolve()
            if path.is_file():
                present.append(path)
                users[path] = users.get(path, 0) + 1
            else:
                result.errors.append(f"linked test {link} does not exist")
        decisions = [d for d in finding.links.decisions if _decision_path(proj, d)]
        for link in set(finding.links.decisions) - set(decisions):
            result.errors.append(f"linked decision record {link} does not exist")
        if present:
            test_paths[finding.id] = present
        elif decisions:
            result.status = "documented"
        results.append(result)

    all_files = sorted({p for paths in test_paths.values() for p in paths})
    plugins = _plugins(proj)
    worker = None
    file_results = None
    if prove and all_files:
        # One pytest start-up for both: the proof worker runs the tests plainly first.
        from dna_kit.regen.prove import run_in_worker

        worker, file_results = run_in_worker(proj, all_files, impl=impl_dir,
                                             timeout=timeout, plugins=plugins)
    if file_results is None:
        file_results = run_test_files(proj, all_files, impl=impl_dir, timeout=timeout,
                                      plugins=plugins) if all_files else {}
    for result in results:
        paths = test_paths.get(result.id)
        if paths:
            _score_tests(result, [file_results[p] for p in paths],
                         shared=any(users[p] > 1 for p in paths), root=root)

    if prove:
        _prove(results, {f.id: f for f in chosen}, test_paths, users, root, impl_dir, timeout,
               workers, plugins, progress, worker)

    card = Scorecard(findings=results, proved=prove, project=str(root),
                     impl=str(impl_dir) if impl_dir else None, min_score=min_score)
    card.duration = time.perf_counter() - start
    if history:
        append_history(proj, card)
    return card


def _plugins(project: Project) -> list[str]:
    """pytest plugins the project's tests need beyond hypothesis' (``dna/config.yaml``:
    ``regen: {pytest_plugins: [...]}``); nothing else is auto-loaded."""
    section = project.config().get("regen") or {}
    names = section.get("pytest_plugins") if isinstance(section, dict) else None
    if names is None:
        return []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise RegenError(f"{project.config_path}: regen.pytest_plugins={names!r} must be a "
                         "list of plugin module names")
    return names


def _targets(finding: Finding) -> list[str]:
    binding = finding.binding
    if binding is None:
        return []
    return list(dict.fromkeys([binding.target, *binding.targets.values()]))


def _prove(results: list[FindingResult], by_id: dict[str, Finding],
           test_paths: dict[str, list[Path]], users: dict[Path, int], root: Path,
           impl: Path | None,
           timeout: float, workers: int, plugins: list[str],
           progress: Callable[[str], None] | None, prestarted: Any = None) -> None:
    from dna_kit.regen.prove import ProofJob, prove_findings

    jobs = []
    for result in results:
        if result.status != "verified":
            continue
        finding = by_id[result.id]
        targets = _targets(finding)
        if not targets:
            result.errors.append("proof: the finding has no binding target to mutate, so "
                                 "its check cannot be proven")
            continue
        paths = test_paths[result.id]
        jobs.append(ProofJob(result.id, [str(p) for p in paths], targets, _params(finding),
                             only=test_id(result.id) if any(users[p] > 1 for p in paths)
                             else None))
    proofs = prove_findings(root, jobs, impl=impl, timeout=timeout, workers=workers,
                            plugins=plugins, progress=progress, prestarted=prestarted)
    for result in results:
        proof = proofs.get(result.id)
        if proof is None:
            continue
        result.mutants = proof.mutants
        result.errors += proof.errors
        result.errors += [f"proof: mutant {m.id} ({m.original} → {m.mutated}): {m.error}"
                          for m in proof.mutants if m.error]
        if proof.errors and not proof.mutants:
            continue
        result.mutants_killed, result.mutants_total = proof.killed, proof.total
        result.questions = [m.question for m in proof.mutants if m.question]
        if proof.killed > 0:
            result.status = "proven"
        elif proof.total:
            result.errors.append("proof: the check kills no mutant of its target, so it "
                                 "proves nothing")

