"""Several processes adding findings at once: no duplicate ids, nothing lost."""

from __future__ import annotations

import multiprocessing as mp

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
