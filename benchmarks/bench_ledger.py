"""Ledger loading at 10,000 findings, `dna --help` start-up, and concurrent `dna set`.

Reproduce: `python benchmarks/run.py ledger` (or `make bench` for every benchmark).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

N_FINDINGS = 10_000
REPEATS = 3
STARTS = 30
#: Concurrent edits: SET_PROCESSES at once, each running SET_EACH `dna set` one after the
#: other, spread over SET_FINDINGS findings (so every finding is edited by several at once).
SET_PROCESSES = 8
SET_EACH = 25
SET_FINDINGS = 8


def _make_ledger(root: Path) -> Path:
    from dna_kit.finding import KINDS, LAYERS, Finding
    from dna_kit.ledger import render_finding_file
    from dna_kit.project import init_project

    project = init_project(root)
    units = ["300ms", "5 s", "2 GiB", "80%", "20+ tx/s", "3 retries"]
    for n in range(1, N_FINDINGS + 1):
        finding = Finding.from_dict({
            "id": f"F-{n:05d}", "title": f"Rule number {n} about the carrier API",
            "statement": f"Carrier calls back off and give up after {n % 7 + 1} attempts.",
            "layer": LAYERS[n % 3], "kind": KINDS[n % len(KINDS)],
            "status": "accepted", "params": {"limit": units[n % len(units)], "order": "desc"},
            "rationale": "Tuned after the retry storm of March; the carrier throttled us.",
            "provenance": [{"source": "incidents/retry-storm.md", "line_start": n % 90 + 1,
                            "line_end": n % 90 + 3, "quote": "we capped the backoff at 5 s"}],
            "tags": ["carrier", "retries"], "created": "2026-03-02", "updated": "2026-03-04",
        })
        (project.findings_dir / finding.filename).write_text(render_finding_file(finding),
                                                             encoding="utf-8")
    return root


def _time(fn) -> float:  # type: ignore[no-untyped-def]
    best = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        best.append(time.perf_counter() - start)
    return min(best)


def _bare_safe_load(findings_dir: Path) -> None:
    import yaml

    for path in sorted(findings_dir.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---\n"))


def _bare_c_load(findings_dir: Path) -> None:
    import yaml

    for path in sorted(findings_dir.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        yaml.load(text.split("\n---", 1)[0].removeprefix("---\n"), Loader=yaml.CSafeLoader)


def _median_wall(args: list[str]) -> float:
    times = []
    for _ in range(STARTS):
        start = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _set_ledger(root: Path) -> Path:
    from dna_kit.ledger import add_finding
    from dna_kit.project import init_project

    project = init_project(root)
    for n in range(SET_FINDINGS):
        add_finding(project, {"title": f"Rule {n}", "statement": "Retries are capped at 5 s.",
                              "layer": "how", "kind": "retry_policy",
                              "params": {"cap": "5 s"}})
    return root


def _sets(dna: str, root: Path, worker: int) -> int:
    """``SET_EACH`` `dna set` in a row, each a new parameter on one of the findings; the
    number the command said it made."""
    made = 0
    for i in range(SET_EACH):
        finding = f"F-{(worker + i) % SET_FINDINGS + 1:04d}"
        proc = subprocess.run([dna, "-C", str(root), "set", finding,
                               f"params.w{worker}_{i}={i + 1} s"],
                              capture_output=True, text=True, check=False)
        made += proc.returncode == 0 and "updated" in proc.stdout
    return made


def _kept(root: Path) -> int:
    from dna_kit.ledger import load_ledger

    return sum(1 for f in load_ledger(root) for name in f.params if name.startswith("w"))


def concurrent_sets(dna: str) -> dict[str, float]:
    """8 processes × 25 `dna set` on 8 findings against the same 200 sets one at a time:
    the changes each command reported, the changes the ledger kept, and the wall times."""
    with tempfile.TemporaryDirectory() as tmp:
        root = _set_ledger(Path(tmp) / "together")
        start = time.perf_counter()
        with ThreadPoolExecutor(SET_PROCESSES) as pool:  # each thread drives one process
            made = sum(pool.map(lambda w: _sets(dna, root, w), range(SET_PROCESSES)))
        together = time.perf_counter() - start
        kept = _kept(root)
        alone_root = _set_ledger(Path(tmp) / "alone")
        start = time.perf_counter()
        made_alone = sum(_sets(dna, alone_root, w) for w in range(SET_PROCESSES))
        alone = time.perf_counter() - start
        kept_alone = _kept(alone_root)
    return {"made": made, "kept": kept, "together": together, "made_alone": made_alone,
            "kept_alone": kept_alone, "alone": alone}


def concurrent_section(dna: str) -> str:
    """The table of :func:`concurrent_sets`, for the ledger section."""
    r = concurrent_sets(dna)
    total = SET_PROCESSES * SET_EACH
    goal = r["made"] == r["kept"] == total
    return f"""### Concurrent edits (`dna set` under the ledger lock)

{SET_PROCESSES} processes at once, each running {SET_EACH} `dna set` one after the other, each
adding a parameter to one of {SET_FINDINGS} findings (every finding edited by several
processes at once), against the same {total} sets run one at a time in the same run.

| run | changes made (command said "updated") | changes kept in the ledger | wall time | ratio |
|---|---|---|---|---|
| {SET_PROCESSES} × {SET_EACH} at once | {r["made"]:.0f} | {r["kept"]:.0f} | {r["together"]:.1f} s | {r["together"] / r["alone"]:.2f} |
| {total} one at a time (baseline) | {r["made_alone"]:.0f} | {r["kept_alone"]:.0f} | {r["alone"]:.1f} s | 1 |

Goal: every change made is kept ({total} of {total}): {"met" if goal else "NOT met"}. Each
`dna set` is a new process (interpreter start-up included), so the wall times are mostly
start-up; the ratio shows what running them together on this machine's cores gains while
every read-change-write of a finding waits its turn for the lock."""


def run() -> str:
    from dna_kit.ledger import load_ledger

    with tempfile.TemporaryDirectory() as tmp:
        root = _make_ledger(Path(tmp) / "repo")
        findings_dir = root / "dna" / "findings"
        ours = _time(lambda: load_ledger(root))
        assert len(load_ledger(root)) == N_FINDINGS
        bare = _time(lambda: _bare_safe_load(findings_dir))
        bare_c = _time(lambda: _bare_c_load(findings_dir))

    dna = str(Path(sys.executable).with_name("dna"))
    python_pass = _median_wall([sys.executable, "-c", "pass"])
    dna_help = _median_wall([dna, "--help"])
    ratio = dna_help / python_pass
    return f"""## Ledger and start-up (`python benchmarks/run.py ledger`)

| measure | time | baseline (same run) | ratio | goal |
|---|---|---|---|---|
| `load_ledger` of {N_FINDINGS:,} findings (read + parse + validate every file) | {ours:.2f} s | bare `yaml.safe_load` of the same front matters: {bare:.2f} s | {ours / bare:.2f}× | under 2 s: {"met" if ours < 2 else "NOT met"} |
| same, against the C loader alone | {ours:.2f} s | bare `yaml.load(..., CSafeLoader)`: {bare_c:.2f} s | {ours / bare_c:.2f}× | (what validation costs) |
| `dna --help` wall time, median of {STARTS} | {dna_help * 1000:.0f} ms | `python -c pass`: {python_pass * 1000:.0f} ms | {ratio:.2f}× | under 4×: {"met" if ratio < 4 else "NOT met"} |

Best of {REPEATS} runs for the ledger. The loader uses libyaml's C parser when PyYAML has it
(it does on PyPI wheels), which is why it beats the pure-Python `safe_load` baseline even
though it also validates every field.

{concurrent_section(dna)}"""
