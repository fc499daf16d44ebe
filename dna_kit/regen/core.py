"""``regenerate``: score what of a system's DNA would survive a rewrite.

>>> card = regenerate("examples/logistics", prove=True)       # doctest: +SKIP
>>> card.summary()                                            # doctest: +SKIP
'score 0.62 (5/8 proven), verified 0.88; 1 tacit'
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dna_kit.codify.render import test_id
from dna_kit.codify.stale import stale_tests
from dna_kit.errors import RegenError
from dna_kit.fileio import relative_path
from dna_kit.finding import Finding
from dna_kit.project import Project, find_project
from dna_kit.regen.runner import FileResult, TestResult, run_test_files
from dna_kit.regen.scorecard import FindingResult, Scorecard, append_history

__all__ = ["Shares", "parse_shard", "regenerate", "shard_of", "shard_plan"]

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


def _selected(nodeid: str, selectors: Iterable[str]) -> bool:
    """Is the test ``nodeid`` one of ``selectors`` (node ids as ``dna link`` keeps them: a
    test, a class, or a parametrized test's every case)?"""
    return any(nodeid == n or nodeid.startswith((n + "[", n + "::")) for n in selectors)


def parse_shard(shard: str | tuple[int, int]) -> tuple[int, int]:
    """``"2/3"`` (or ``(2, 3)``) → ``(2, 3)``: the second of three parts, checked.

    >>> parse_shard("2/3")
    (2, 3)
    """
    if isinstance(shard, str):
        head, sep, tail = shard.strip().partition("/")
        if not (sep and head.strip().isdigit() and tail.strip().isdigit()):
            raise RegenError(f"shard={shard!r} must look like K/N (2/3: the second of three "
                             "parts)")
        shard = (int(head), int(tail))
    k, n = shard
    if not (isinstance(k, int) and isinstance(n, int)) or n < 1 or not 1 <= k <= n:
        raise RegenError(f"shard={k}/{n} must have 1 <= K <= N")
    return k, n


@dataclass(frozen=True)
class Shares:
    """Where one finding's proof runs when CI jobs each prove a part (``--shard K/N``).

    ``parts`` are the shards that prove it: one, or several when its mutants are many.
    Each of them runs the finding's checks (the proof's baseline must pass there), and
    its mutants (numbered as a whole run numbers them) are dealt out to them in turn
    (:func:`~dna_kit.regen.prove.deal_mutants`); the first also scores the finding's
    tests (the plain run), and gets no more mutants than another.
    """

    parts: tuple[int, ...]

    @property
    def split(self) -> bool:
        return len(self.parts) > 1


#: A finding is split only so that each part gets at least this many mutants: each part
#: runs the finding's checks once more (the baseline), and that run costs about as much
#: as four mutants (most mutants are killed by the first failing example), so it stays
#: under a third of the part's work.
_MIN_SHARE = 8
#: What one mutant costs, as a share of a full run of the finding's tests.
_MUTANT_RUN = 0.25


def shard_plan(findings: Iterable[Finding], parts: int, *, root: Path | None = None,
               split: bool = True) -> dict[str, Shares]:
    """How to deal the proof of ``findings`` out to ``parts`` CI jobs: per finding id,
    the :class:`Shares` that prove it.

    The cost of each finding's proof is estimated from the files (how heavy one run of
    its tests is: 1 + the hypothesis properties and state-machine rules in its test
    files; how many mutants its targets under ``root`` and its sites give, made from the
    source, nothing imported). With ``split``, a finding with at least twice
    ``_MIN_SHARE`` (8) mutants is split into as many parts as it has ``_MIN_SHARE`` (at
    most ``parts``): every one of them runs its checks, and its mutants are dealt out among
    them. The findings are then placed most costly first, each (or each of its parts) on
    the shard with the least cost so far (a finding without a test on the one with the
    fewest findings). Ties go by a hash of the id, never by the order the ledger lists
    them in: every job that reads the same commit gets the same plan.

    >>> from dna_kit.finding import Finding
    >>> ledger = [Finding(id=f"F-{i:04d}", title="t", statement="s", layer="how",
    ...                   kind="k") for i in range(1, 8)]
    >>> sorted(len([s for s in shard_plan(ledger, 3).values() if s.parts == (k,)])
    ...        for k in (1, 2, 3))
    [2, 2, 3]
    """
    parsed: dict[Path, Any] = {}
    costed = []
    for finding in findings:
        run, mutants = _proof_cost(finding, root, parsed)
        digest = hashlib.sha256(finding.id.encode("utf-8")).hexdigest()
        costed.append((finding.id, run, mutants, digest))

    def whole(run: float, mutants: int) -> float:
        return run * (2 + _MUTANT_RUN * mutants) if mutants else run

    costed.sort(key=lambda c: (-whole(c[1], c[2]), c[3]))
    loads: list[tuple[float, int]] = [(0.0, 0)] * parts  # (cost so far, findings so far)
    homes = [0] * parts  # the split findings each part scores
    plan: dict[str, Shares] = {}
    for finding_id, run, mutants, _ in costed:
        count = min(parts, mutants // _MIN_SHARE) if split and mutants else 1
        cost = whole(run, mutants)
        if count < 2:
            # Costly findings go where the least cost is; those without a test cost
            # nothing, and go where the fewest findings are.
            part = min(range(parts),
                       key=lambda i: (loads[i], i) if cost else (loads[i][1], i))
            loads[part] = (loads[part][0] + cost, loads[part][1] + 1)
            plan[finding_id] = Shares((part + 1,))
            continue
        chosen = sorted(range(parts), key=lambda i: (loads[i], i))[:count]
        # The part that scores the tests: the one that scores the fewest so far.
        home = min(chosen, key=lambda i: (homes[i], chosen.index(i)))
        homes[home] += 1
        chosen = [home, *(i for i in chosen if i != home)]
        # Each part runs the checks once (the baseline) and its share of the mutants; the
        # first also scores the tests (the plain run), which the findings dealt out whole
        # after this one make up for.
        each = run + run * _MUTANT_RUN * mutants / count
        for i in chosen:
            loads[i] = (loads[i][0] + each + (run if i == chosen[0] else 0.0),
                        loads[i][1] + 1)
        plan[finding_id] = Shares(tuple(i + 1 for i in chosen))
    return plan


def shard_of(findings: Iterable[Finding], shard: tuple[int, int], *,
             root: Path | None = None, split: bool = True) -> set[str]:
    """The ids of the findings that part K of N proves, whole or a share of their
    mutants (see :func:`shard_plan`), for CI jobs that each prove a part.

    >>> from dna_kit.finding import Finding
    >>> ledger = [Finding(id=f"F-{i:04d}", title="t", statement="s", layer="how",
    ...                   kind="k") for i in range(1, 8)]
    >>> sorted(len(shard_of(ledger, (k, 3))) for k in (1, 2, 3))
    [2, 2, 3]
    """
    k, n = shard
    return {fid for fid, shares in shard_plan(findings, n, root=root, split=split).items()
            if k in shares.parts}


#: A property a test generates examples for (each runs many times per mutant).
_GENERATES = re.compile(r"@(?:\w+\.)*(?:given|rule|invariant)\(")


def _proof_cost(finding: Finding, root: Path | None,
                parsed: dict[Path, Any]) -> tuple[int, int]:
    """A deterministic estimate of a finding's proof, from nothing but the files: how
    heavy one run of its tests is (0 without a test; else 1 + the hypothesis properties
    and state-machine rules in its test files) and how many mutants it has (those of
    each target whose source lies under ``root``, made from the source, nothing
    imported; 10 for a target not found there, such as a library object; 2 per site)."""
    if not finding.links.tests:
        return 0, 0
    targets = _targets(finding)
    mutants = 2 * (len(finding.binding.sites) if finding.binding and targets else 0)
    for target in targets:
        found = _mutant_count(root, target, parsed) if root is not None else None
        mutants += 10 if found is None else found
    weight = 1
    for link in dict.fromkeys(t.partition("::")[0] for t in finding.links.tests):
        text = _source(root / link, parsed) if root is not None else None
        weight += len(_GENERATES.findall(text)) if text else 0
    return weight, mutants


def _source(path: Path, parsed: dict[Path, Any]) -> str | None:
    if path not in parsed:
        try:
            parsed[path] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            parsed[path] = None
    text = parsed[path]
    return text if isinstance(text, str) else None


def _mutant_count(root: Path, target: str, parsed: dict[Path, Any]) -> int | None:
    from dna_kit.regen.mutate import make_mutants

    module, _, qualname = target.partition(":")
    base = root.joinpath(*module.split("."))
    path = next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()),
                None)
    source = _source(path, parsed) if path is not None else None
    if source is None:
        return None
    try:
        return len(make_mutants(source, qualname, target=target, filename=str(path)))
    except Exception:  # an estimate only: the proof itself reports what is wrong
        return None


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
                 root: Path, selectors: dict[Path, list[str] | None] | None = None) -> None:
    tests: list[TestResult] = []
    kinds: list[str] = []
    for fr in files:
        if fr.error_kind:
            kinds.append(fr.error_kind)
            result.errors.append(f"{relative_path(fr.path, root)}: {fr.error}")
        chosen = (selectors or {}).get(fr.path)
        if chosen is not None:  # linked by node id: just those tests
            own = [t for t in fr.tests if _selected(t.nodeid, chosen)]
            if not own and not fr.error_kind:
                result.errors.append(f"linked test {', '.join(chosen)} was not collected")
        else:
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
               progress: Callable[[str], None] | None = None,
               shard: str | tuple[int, int] | None = None) -> Scorecard:
    """Run the regeneration test on ``project`` and return its :class:`Scorecard`.

    Every accepted or codified finding that nothing supersedes is scored: ``tacit`` (no artifact), ``documented``
    (decision record only), ``failing`` (its tests fail, or cannot run, on this
    implementation), ``verified`` (they pass) or, with ``prove=True``, ``proven`` (they pass
    and fail on at least one mutant of the finding's target).

    ``impl`` is a directory put first on the import path, so the targets resolve to an
    alternate implementation. ``timeout`` limits one test (and one mutant), in seconds.
    ``findings`` restricts the run to those ids. ``shard`` (``"2/3"``) does only the
    second of three parts of the work (see :func:`shard_plan`: balanced by an estimate of
    each proof's cost, the same in every job), for CI jobs that each prove a part: the
    findings dealt to it whole, and, with ``prove``, a share of the mutants of each
    finding whose proof is split across shards (its checks run in every one of them; the
    card's ``proof.share`` says which part it holds);
    :func:`~dna_kit.regen.scorecard.merge_scorecards` puts the parts together. A finding
    whose generated test was written from an earlier version of it (its statement, params
    or binding changed since) is ``stale``. Each whole run is appended to
    ``dna/regen-history.jsonl`` unless ``history=False`` (a shard never is: its merge is).

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
    part = parse_shard(shard) if shard is not None else None
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
    # A test file several findings share runs, for each, only the tests named after it:
    # counted over every finding in scope, so that a shard runs what a whole run does.
    users: dict[Path, int] = {}
    for finding in chosen:
        for path in {(proj.root / t.partition("::")[0]).resolve() for t in finding.links.tests}:
            users[path] = users.get(path, 0) + 1
    # Per finding split across shards: (this shard's place among its parts, how many).
    shares: dict[str, tuple[int, int]] = {}
    if part is not None:
        plan = shard_plan(chosen, part[1], root=proj.root, split=prove)
        chosen = [f for f in chosen if part[0] in plan[f.id].parts]
        shares = {f.id: (plan[f.id].parts.index(part[0]) + 1, len(plan[f.id].parts))
                  for f in chosen if plan[f.id].split}

    root = proj.root
    results: list[FindingResult] = []
    test_paths: dict[str, list[Path]] = {}
    # Per finding and file: the node ids it links there (None: the whole file).
    selectors: dict[str, dict[Path, list[str] | None]] = {}
    for finding in chosen:
        binding = finding.binding
        result = FindingResult(
            id=finding.id, title=finding.title, layer=finding.layer, kind=finding.kind,
            status="tacit", finding_status=finding.status, statement=finding.statement,
            path=relative_path(ledger.path_of(finding.id), root),
            target=binding.target if binding else None,
            tests=list(finding.links.tests), decisions=list(finding.links.decisions))
        present: list[Path] = []
        mine: dict[Path, list[str] | None] = {}
        for link in finding.links.tests:
            path = (root / link.partition("::")[0]).resolve()
            if not path.is_file():
                result.errors.append(f"linked test {link} does not exist")
                continue
            if path not in mine:
                present.append(path)
                mine[path] = [] if "::" in link else None
            chosen_ids = mine[path]
            if "::" in link and chosen_ids is not None:
                chosen_ids.append(link)
            elif "::" not in link:
                mine[path] = None  # the whole file is linked too
        if any(v is not None for v in mine.values()):
            selectors[finding.id] = mine
        decisions = [d for d in finding.links.decisions if _decision_path(proj, d)]
        for link in set(finding.links.decisions) - set(decisions):
            result.errors.append(f"linked decision record {link} does not exist")
        if present:
            test_paths[finding.id] = present
        elif decisions:
            result.status = "documented"
        results.append(result)

    all_files = sorted({p for paths in test_paths.values() for p in paths})
    # A finding whose proof is split across shards is scored by its first part; the others
    # run its checks only as their proof's baseline.
    guests = {fid for fid, share in shares.items() if share[0] > 1}
    scored = sorted({p for fid, paths in test_paths.items() if fid not in guests
                     for p in paths})
    plugins = _plugins(proj)
    worker = None
    file_results = None
    if prove and all_files:
        # One pytest start-up for both: the proof worker runs the tests plainly first.
        from dna_kit.regen.prove import run_in_worker

        worker, file_results = run_in_worker(
            proj, all_files, impl=impl_dir, timeout=timeout, plugins=plugins,
            plain=scored if guests else None)
    if file_results is None:
        file_results = run_test_files(proj, scored, impl=impl_dir, timeout=timeout,
                                      plugins=plugins) if scored else {}
    for result in results:
        paths = test_paths.get(result.id)
        if paths and result.id in guests:
            result.status = "verified"  # until its proof's baseline says otherwise
        elif paths:
            _score_tests(result, [file_results[p] for p in paths],
                         shared=any(users[p] > 1 for p in paths), root=root,
                         selectors=selectors.get(result.id))
    by_id = {f.id: f for f in chosen}
    for result in results:
        stale = stale_tests(proj, by_id[result.id]) if result.id in test_paths else []
        if stale:
            # Its test checks an earlier version of the rule: not counted until rewritten.
            result.status = "stale"
            result.errors.insert(0, f"{', '.join(stale)} was generated from an earlier "
                                    "version of this finding (its statement, params or "
                                    f"binding changed since): re-run dna codify {result.id}")

    if prove:
        _prove(results, by_id, test_paths, users, root, impl_dir, timeout,
               workers, plugins, progress, worker, selectors, shares)

    card = Scorecard(findings=results, proved=prove, project=str(root),
                     impl=str(impl_dir) if impl_dir else None, min_score=min_score,
                     shard=list(part) if part is not None else None)
    card.duration = time.perf_counter() - start
    if history and part is None:
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
           progress: Callable[[str], None] | None, prestarted: Any = None,
           selectors: dict[str, dict[Path, list[str] | None]] | None = None,
           shares: dict[str, tuple[int, int]] | None = None) -> None:
    from dna_kit.regen.prove import ProofJob, prove_findings, site_dicts, value_params

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
        only: str | list[str] | None = test_id(result.id) \
            if any(users[p] > 1 for p in paths) else None
        chosen = (selectors or {}).get(result.id)
        if chosen is not None:  # node ids, and whole files as their path
            only = [n for p in paths for n in (chosen.get(p) or [relative_path(p, root)])]
        share = (shares or {}).get(result.id)
        jobs.append(ProofJob(result.id, [str(p) for p in paths], targets, _params(finding),
                             only=only, sites=site_dicts(finding, impl),
                             value_params=value_params(finding),
                             finding_path=str(root / result.path) if result.path else None,
                             share=share))
    proofs = prove_findings(root, jobs, impl=impl, timeout=timeout, workers=workers,
                            plugins=plugins, progress=progress, prestarted=prestarted)
    for result in results:
        proof = proofs.get(result.id)
        result.apply_proof(proof, value_params=value_params(by_id[result.id]))
        share = (shares or {}).get(result.id)
        if share is not None and share[0] > 1 and result.outcome == "not_run" \
                and result.status in ("verified", "proven"):
            # Not scored here: its checks ran once, as this part's baseline.
            if proof is not None and proof.baseline is not None:
                result.outcome = "passed"
                result.tests_passed = int(proof.baseline.get("tests") or 0)
                result.duration = float(proof.baseline.get("duration") or 0.0)
            elif proof is not None and proof.stopped:
                result.outcome, result.status = "failed", "failing"
        if share is not None:
            # Part of the finding's proof: what ``dna regen merge`` needs to join the parts.
            assert result.proof is not None
            result.proof["share"] = {"part": share[0], "parts": share[1],
                                     "errors": list(proof.errors) if proof else [],
                                     "stopped": bool(proof and proof.stopped)}
