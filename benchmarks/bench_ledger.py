"""Ledger loading at 10,000 findings, and `dna --help` start-up.

Reproduce: `python benchmarks/run.py ledger` (or `make bench` for every benchmark).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N_FINDINGS = 10_000
REPEATS = 3
STARTS = 30


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
though it also validates every field."""
