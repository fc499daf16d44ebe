"""Several processes changing the ledger at once: no duplicate ids, no duplicate candidates,
nothing lost (the library in a process pool; `dna set`, `accept`, `extract --save` as real
subprocesses)."""

from __future__ import annotations

import multiprocessing as mp
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dna_kit.ledger import load_ledger, parse_finding_file

PROCESSES = 8
EACH = 25


def _add_many(root: str, worker: int) -> list[str]:
    from dna_kit.ledger import add_finding

    return [
        add_finding(root, {"title": f"Worker {worker} rule {n}",
                           "statement": f"Rule {n} from worker {worker}.",
                           "layer": "how", "kind": "threshold",
                           "params": {"limit": f"{n} rps"}}).id
        for n in range(EACH)
    ]


def test_eight_processes_adding_25_each_give_200_distinct_valid_findings(project):
    ctx = mp.get_context("spawn")
    with ctx.Pool(PROCESSES) as pool:
        results = pool.starmap(_add_many, [(str(project.root), w) for w in range(PROCESSES)])
    ids = [i for chunk in results for i in chunk]
    assert len(ids) == PROCESSES * EACH
    assert len(set(ids)) == PROCESSES * EACH

    files = [p for p in project.findings_dir.iterdir() if p.suffix == ".md"]
    assert len(files) == PROCESSES * EACH
    for path in files:
        parse_finding_file(path)  # raises on any invalid file
    ledger = load_ledger(project)
    assert len(ledger) == PROCESSES * EACH
    titles = {f.title for f in ledger}
    assert titles == {f"Worker {w} rule {n}" for w in range(PROCESSES) for n in range(EACH)}
    assert sorted(ids) == [f"F-{n:04d}" for n in range(1, PROCESSES * EACH + 1)]


# -- the CLI, in real processes (issue "Hardening", defects 1 and 2) -----------------------

EXAMPLE_INCIDENTS = Path(__file__).resolve().parents[1] / "examples" / "logistics" / "incidents"


def _dna(project, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "dna_kit", "-C", str(project.root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    outputs = [p.communicate(timeout=120) for p in procs]
    return [(p.returncode, out, err) for p, (out, err) in zip(procs, outputs, strict=True)]


def _one_finding(project, title: str = "Carrier retry cap") -> str:
    from dna_kit.ledger import add_finding

    return add_finding(project, {"title": title, "statement": "Retries are capped at 5 s.",
                                 "layer": "how", "kind": "retry_policy",
                                 "params": {"cap": "5 s"}}).id


@pytest.mark.slow
def test_twelve_concurrent_sets_on_one_finding_all_survive(project):
    finding_id = _one_finding(project)
    procs = [_dna(project, "set", finding_id, f"params.p{n}={n} s") for n in range(12)]
    results = _finish(procs)
    params = load_ledger(project)[finding_id].params
    for n, (code, out, err) in enumerate(results):
        # Each change is kept, or its command says it was not: never "updated" and lost.
        if code == 0:
            assert "updated" in out
            assert f"p{n}" in params, f"`dna set params.p{n}` said updated; the change is lost"
        else:
            assert err.strip(), f"`dna set params.p{n}` failed silently"
    assert all(code == 0 for code, _, _ in results), results
    assert set(params) == {"cap"} | {f"p{n}" for n in range(12)}


@pytest.mark.slow
def test_accept_racing_set_loses_nothing_in_ten_trials(project):
    lost = []
    for trial in range(10):
        finding_id = _one_finding(project, f"Rule {trial}")
        results = _finish([_dna(project, "accept", finding_id),
                           _dna(project, "set", finding_id, f"params.trial={trial}"),
                           _dna(project, "set", finding_id, f"owner=owner{trial}")])
        assert [code for code, _, _ in results] == [0, 0, 0], results
        finding = load_ledger(project)[finding_id]
        if (finding.status, "trial" in finding.params, finding.owner) != (
                "accepted", True, f"owner{trial}"):
            lost.append((trial, finding.status, dict(finding.params), finding.owner))
    assert not lost, f"changes lost in {len(lost)} of 10 trials: {lost}"


@pytest.mark.slow
def test_two_concurrent_extract_save_runs_make_no_duplicates(project):
    sources = project.root / "incidents"
    shutil.copytree(EXAMPLE_INCIDENTS, sources)
    results = _finish([_dna(project, "extract", "--save", str(sources)) for _ in range(2)])
    assert [code for code, _, _ in results] == [0, 0], results
    ledger = load_ledger(project)
    keys = [(Path(p.source).name, " ".join(p.quote.split()).casefold())
            for f in ledger for p in f.provenance if p.source and p.quote]
    assert len(keys) == len(set(keys)), "the same candidate was saved twice"
    # Between them the two runs saved each candidate once: one run's worth.
    alone = subprocess.run([sys.executable, "-m", "dna_kit", "extract", "--json",
                            str(sources)], capture_output=True, text=True, check=True)
    import json

    assert len(ledger) == len({(Path(c["source"]["path"]).name,
                                " ".join(c["quote"].split()).casefold())
                               for c in json.loads(alone.stdout)})
