"""`make demo`: the whole path on the bundled example must finish in under two minutes.

Measures ``python -m dna_kit.demo`` end to end (and each stage, as it prints them), and, as
the baseline in the same run, a plain ``pytest`` of the example's generated property tests
on the service and on the rewrite: the least work any regeneration test has to do.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 120.0


def _timed(cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):  # pytest exits 1 on the rewrite: its tests fail
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def _pytest(root: Path, impl: Path | None, cwd: Path) -> float:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        str(p) for p in (impl, root) if p is not None)}
    seconds, _ = _timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                         str(root / "dna" / "tests")], cwd=cwd, env=env)
    return seconds


def run() -> str:
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        out = Path(tmp) / "out"
        total, text = _timed([sys.executable, "-m", "dna_kit.demo", "--out", str(out)],
                             cwd=REPO)
        stages = {
            "ingest, extract, review, codify": re.search(r"build_dna.py\):\n(?:  .*\n)*?  ([\d.]+) s", text),
            "regen --prove, service": re.search(r"the service: .*\[([\d.]+) s\]", text),
            "regen --prove, rewrite": re.search(r"the rewrite: .*\[([\d.]+) s\]", text),
            "4 notebooks (papermill)": re.search(r"notebooks \(papermill\).*\n(?:notebooks.*\n)?  ([\d.]+) s", text),
        }
        root = out / "logistics"
        baseline = _pytest(root, None, Path(tmp)) + _pytest(root, root / "regenerated", Path(tmp))
    rows = "\n".join(f"| {name} | {float(m.group(1)):.1f} s |" if m else f"| {name} | n/a |"
                     for name, m in stages.items())
    verdict = "met" if total < GOAL_SECONDS else "NOT met"
    return f"""## make demo (the bundled example, end to end)

| measure | value |
|---|---|
| `python -m dna_kit.demo` wall time | {total:.1f} s |
| baseline: plain `pytest` of the 7 generated tests, service + rewrite | {baseline:.1f} s |
| ratio demo / baseline | {total / baseline:.1f}× |
| goal | under {GOAL_SECONDS:.0f} s: **{verdict}** |

Stages, as the demo prints them:

| stage | time |
|---|---|
{rows}

The demo does far more than the baseline (extraction, codify, two proofs with mutants,
reports, four notebook executions), so the ratio is context, the goal is the wall time.
Reproduce: `python benchmarks/run.py demo`."""


if __name__ == "__main__":
    print(run())
