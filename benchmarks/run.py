"""Run every ``benchmarks/bench_*.py`` and (with ``--write``) rewrite BENCHMARKS.md.

Each benchmark module has ``run() -> str``: it measures its subject *and a baseline in the
same run* (these machines are noisy, so only ratios travel) and returns a Markdown section
that names the command reproducing it. ``python benchmarks/run.py ledger`` runs one module.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


HISTORY = "## History: earlier measurements"


def discover(names: list[str]) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if names:
        found = [p for p in found if p.stem.removeprefix("bench_") in names]
    return found


def load(path: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="run only these (e.g. ledger cli)")
    parser.add_argument("--write", metavar="FILE", help="rewrite FILE with the results")
    args = parser.parse_args()
    sections = []
    for path in discover(args.names):
        print(f"== {path.stem}", flush=True)
        start = time.perf_counter()
        section = load(path).run().strip()
        print(section + f"\n\n({time.perf_counter() - start:.1f} s)\n", flush=True)
        sections.append(section)
    if args.write:
        header = (
            "# Benchmarks\n\n"
            "Written by `make bench` (`python benchmarks/run.py --write BENCHMARKS.md`); each "
            "section names the command that reproduces it. Timings are noisy on shared "
            "machines, so every figure is given beside a baseline measured in the same run, "
            "and goals are stated as ratios.\n\n"
            f"Last run: {dt.date.today().isoformat()} on {platform.machine()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}.\n\n"
        )
        out = Path(args.write)
        # The hand-kept history at the end of the file outlives every run.
        old = out.read_text(encoding="utf-8") if out.is_file() else ""
        history = old[old.find(HISTORY):] if HISTORY in old else ""
        out.write_text(header + "\n\n".join(sections) + "\n" + ("\n" + history if history
                                                                 else ""), encoding="utf-8")
        print(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
