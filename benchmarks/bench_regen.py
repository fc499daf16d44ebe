"""The regeneration test: its overhead over plain pytest, the notebook series in parallel,
and mutation-proof speed against mutmut on the same function and tests.

Subject: the bundled example (``examples/logistics``) when it has codified findings with
generated tests, else the regen test suite's fixture project (``tests/regen/shipping.py``);
the section says which. Everything runs on a temporary copy.

    python benchmarks/run.py regen
    DNA_BENCH_REPEAT=5 python benchmarks/run.py regen     # more repeats (median reported)
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the fixture project builder lives in tests/regen

REPEAT = int(os.environ.get("DNA_BENCH_REPEAT", "3"))
PY = sys.executable


def _timed(cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None,
           timeout: float = 1800) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    return time.perf_counter() - start, done


def _subject(tmp: Path) -> tuple[Path, str]:
    """A copy of the example when it has generated tests to run, else the fixture."""
    from dna_kit.ledger import load_ledger

    example = REPO / "examples" / "logistics"
    if (example / "dna" / "findings").is_dir():
        root = tmp / "logistics"
        shutil.copytree(example, root, ignore=shutil.ignore_patterns(
            "__pycache__", ".hypothesis", "regen-history.jsonl"))
        ledger = load_ledger(root)
        if any(f.links.tests and f.binding and f.status in ("accepted", "codified")
               for f in ledger):
            return root, "the bundled example (`examples/logistics`)"
    from tests.regen.shipping import build_shipping_project

    project = build_shipping_project(tmp / "shipping")
    return project.root, ("the regen fixture project (`tests/regen/fixtures/shipping`: the "
                          "bundled example had no generated tests yet)")


def _test_files(root: Path) -> list[str]:
    from dna_kit.ledger import load_ledger

    files: list[str] = []
    for f in load_ledger(root):
        if f.status in ("accepted", "codified"):
            files += [t for t in f.links.tests if (root / t).is_file() and t not in files]
    return files


def _env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def bench_overhead(root: Path) -> tuple[str, float]:
    files = _test_files(root)
    regen = [PY, "-m", "dna_kit", "-C", str(root), "regen", "--no-history"]
    plain = [PY, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider", *files]
    lean = [*plain, "-p", "hypothesis.extra.pytestplugin"]
    lean_env = {**_env(root), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    ours, base, base_lean = [], [], []
    for _ in range(REPEAT):  # interleaved, so load on the machine hits all alike
        for cmd, env, into in ((regen, None, ours), (plain, _env(root), base),
                               (lean, lean_env, base_lean)):
            t, done = _timed(cmd, cwd=root, env=env)
            assert done.returncode == 0, done.stdout + done.stderr
            into.append(t)
    a, b, c = (statistics.median(x) for x in (ours, base, base_lean))
    ratio, ratio_lean = a / b, a / c
    text = (f"| `dna regen` (no proof) | {a:.2f} s |\n"
            f"| plain `pytest` of the same {len(files)} generated test file(s) | {b:.2f} s |\n"
            f"| the same `pytest`, plugins not auto-loaded (as `dna regen` runs it) | "
            f"{c:.2f} s |\n"
            f"| ratio to plain pytest | **{ratio:.2f}** (goal ≤ 1.3: "
            f"{'met' if ratio <= 1.3 else 'not met'}) |\n"
            f"| ratio to the same lean pytest run | **{ratio_lean:.2f}** (the cost of "
            "the ledger, the results plugin and the per-finding bookkeeping) |")
    return text, ratio


def bench_notebooks(tmp: Path) -> str:
    notebooks = sorted(p for p in (REPO / "notebooks").glob("*.ipynb"))
    if len(notebooks) < 2:
        return "Fewer than two notebooks in `notebooks/`: nothing to run in parallel."
    env = dict(os.environ)
    rows, times, failures = [], {}, []
    for parallel in (1, 2):
        work = tmp / f"nb-{parallel}"
        work.mkdir()
        cmd = [PY, "-m", "dna_kit", "-C", str(work), "notebooks", "run",
               *[str(n) for n in notebooks], "--parallel", str(parallel), "--out", "out",
               "-p", "interactive=False", "--cell-timeout", "600"]
        t, done = _timed(cmd, cwd=work, env=env)
        times[parallel] = t
        failures += [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
        rows.append(f"| `--parallel {parallel}` | {t:.1f} s |")
    speedup = times[1] / times[2]
    names = ", ".join(f"`{n.name}`" for n in notebooks)
    text = "\n".join(["| run | wall time |", "|---|---|", *rows,
                      f"| speed-up | **{speedup:.2f}×** (goal ≥ 1.6×: "
                      f"{'met' if speedup >= 1.6 else 'not met'}) |"])
    text += f"\n\nNotebooks: {names}, with `-p interactive=False`."
    if failures:
        text += ("\n\nNotebooks that failed in these runs (their time still counts; each "
                 "stops at its failing cell):\n\n" + "\n".join(
                     f"- {line.removeprefix('FAILED  ')}" for line in sorted(set(failures))))
    return text


def _no_cache(root: Path) -> None:
    """Start a proof from nothing: drop the proof results cached by an earlier run."""
    shutil.rmtree(root / "dna" / ".cache" / "proof", ignore_errors=True)


def _base_code(tmp: Path) -> tuple[Path, str]:
    """Today's code (``DNA_BENCH_BASE``, default ``HEAD``) unpacked beside the working
    tree with ``git archive`` (read-only: no worktree, no change to git's state)."""
    rev = os.environ.get("DNA_BENCH_BASE", "HEAD")
    base = tmp / "base"
    base.mkdir()
    commit = subprocess.run(["git", "rev-parse", "--short", rev], cwd=REPO, text=True,
                            capture_output=True, check=True).stdout.strip()
    archive = subprocess.run(["git", "archive", rev, "dna_kit", "templates", "schema"],
                             cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
    return base, commit


def _value_mutants(card_path: Path) -> tuple[int, int, int]:
    """(value mutants, all mutants, proven findings) of a scorecard."""
    import json

    card = json.loads(card_path.read_text(encoding="utf-8"))
    mutants = [m for f in card["findings"] for m in f.get("mutants") or []]
    return (sum(m["operator"] == "value" for m in mutants), len(mutants),
            card["counts"]["proven"])


def bench_value_proof(root: Path, tmp: Path) -> tuple[str, float]:
    """``regen --prove`` with value mutants against today's code proving the same project
    (no value mutants, no proof cache), interleaved, each new run from an empty cache."""
    base, commit = _base_code(tmp)
    ours_cmd = [PY, "-m", "dna_kit", "-C", str(root), "regen", "--prove", "--no-history",
                "--json", str(tmp / "values.json")]
    base_cmd = [PY, "-P", "-m", "dna_kit", "-C", str(root), "regen", "--prove",
                "--no-history", "--json", str(tmp / "base.json")]
    base_env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(base), os.environ.get("PYTHONPATH")]))}
    ours, theirs = [], []
    for _ in range(REPEAT):
        _no_cache(root)
        t, done = _timed(ours_cmd, cwd=root)
        assert done.returncode == 0, done.stdout + done.stderr
        ours.append(t)
        t, done = _timed(base_cmd, cwd=root, env=base_env)
        assert done.returncode == 0, done.stdout + done.stderr
        theirs.append(t)
    a, b = statistics.median(ours), statistics.median(theirs)
    values, total, proven = _value_mutants(tmp / "values.json")
    _, base_total, base_proven = _value_mutants(tmp / "base.json")
    ratio = a / b
    return (f"| run | mutants | proven | wall time |\n|---|---|---|---|\n"
            f"| `dna regen --prove`, value mutants included | {total} ({values} value) | "
            f"{proven} | {a:.2f} s |\n"
            f"| the same with today's code (`{commit}`, no value mutants) | {base_total} | "
            f"{base_proven} | {b:.2f} s |\n"
            f"| ratio | **{ratio:.2f}** (goal ≤ 1.5: {'met' if ratio <= 1.5 else 'not met'})"
            " | | |\n\nEach value mutant runs in a fork of the proof worker that loads the "
            "mutated file and the modules importing it again (values captured at import "
            "time change too), so it costs a fork and a few module executions, not a "
            "pytest start-up."), ratio


def bench_cache(root: Path, tmp: Path) -> tuple[str, float]:
    """A re-run of ``regen --prove`` with nothing changed (every proof read back from
    ``dna/.cache/proof``) against a plain ``dna regen``, interleaved."""
    base = [PY, "-m", "dna_kit", "-C", str(root), "regen", "--no-history"]
    _no_cache(root)
    t, done = _timed([*base, "--prove"], cwd=root)  # fills the cache
    assert done.returncode == 0, done.stdout + done.stderr
    cached: list[float] = []
    plain: list[float] = []
    for _ in range(REPEAT):
        for cmd, into in (([*base, "--prove", "--json", str(tmp / "cached.json")], cached),
                          (base, plain)):
            t, done = _timed(cmd, cwd=root)
            assert done.returncode == 0, done.stdout + done.stderr
            into.append(t)
    import json

    card = json.loads((tmp / "cached.json").read_text(encoding="utf-8"))
    proofs = [f["proof"] for f in card["findings"] if f.get("proof") and f["mutants"]]
    reused = sum(bool(p.get("cached")) for p in proofs)
    a, b = statistics.median(cached), statistics.median(plain)
    ratio = a / b
    return (f"| run | wall time |\n|---|---|\n"
            f"| `dna regen --prove`, nothing changed ({reused} of {len(proofs)} proofs "
            f"read from the cache) | {a:.2f} s |\n| plain `dna regen` | {b:.2f} s |\n"
            f"| ratio | **{ratio:.2f}** (goal ≤ 1.3: {'met' if ratio <= 1.3 else 'not met'})"
            " |"), ratio


def bench_workers(root: Path, tmp: Path) -> str:
    """The whole project's proof with one proof worker, then two."""
    times: dict[int, float] = {}
    for workers in (1, 2):
        walls = []
        for _ in range(REPEAT):
            _no_cache(root)
            t, done = _timed([PY, "-m", "dna_kit", "-C", str(root), "regen", "--prove",
                              "--no-history", "--workers", str(workers)], cwd=root)
            assert done.returncode == 0, done.stdout + done.stderr
            walls.append(t)
        times[workers] = statistics.median(walls)
    return ("| `dna regen --prove` | wall time |\n|---|---|\n"
            f"| `--workers 1` | {times[1]:.2f} s |\n| `--workers 2` | {times[2]:.2f} s |\n"
            f"| speed-up | {times[1] / times[2]:.2f}× |")


def _proof_subject(root: Path) -> tuple[str, str, str] | None:
    """(finding id, module:callable, test file) of the first codified finding to prove."""
    from dna_kit.ledger import load_ledger

    for f in load_ledger(root):
        if f.binding and f.links.tests and f.status in ("accepted", "codified"):
            test = f.links.tests[0]
            if (root / test).is_file():
                return f.id, f.binding.target, test
    return None


def bench_prove(root: Path, tmp: Path) -> str:
    subject = _proof_subject(root)
    if subject is None:
        return "No codified finding to prove."
    finding_id, target, test = subject
    module, _, func = target.partition(":")
    regen = [PY, "-m", "dna_kit", "-C", str(root), "regen", "--prove", "--finding",
             finding_id, "--no-history", "--json", str(tmp / "proof.json")]
    ours = []
    for _ in range(REPEAT):
        _no_cache(root)  # mutmut starts cold too
        t, done = _timed(regen, cwd=root)
        assert done.returncode == 0, done.stdout + done.stderr
        ours.append(t)
    import json

    card = json.loads((tmp / "proof.json").read_text(encoding="utf-8"))
    result = next(f for f in card["findings"] if f["id"] == finding_id)
    total = result["mutants_total"]
    in_mutants = sum(m["duration"] for m in result["mutants"])
    our_wall = statistics.median(ours)
    lines = [f"Function: `{target}` ({finding_id}), tests: `{test}`.", "",
             "| tool | mutants | killed | mutation phase | mutants/s | total wall time |",
             "|---|---|---|---|---|---|",
             f"| `dna regen --prove --finding {finding_id}` | {total} | "
             f"{result['mutants_killed']} | {in_mutants:.2f} s | {total / in_mutants:.1f} | "
             f"{our_wall:.2f} s |"]
    ratios = []
    for autoload in (True, False):
        mm = _mutmut(root, tmp, module, func, test, autoload=autoload)
        if isinstance(mm, str):
            lines += ["", mm]
            return "\n".join(lines)
        ratios.append(mm["wall"] / our_wall)
        how = "" if autoload else ", `PYTEST_DISABLE_PLUGIN_AUTOLOAD=1`"
        lines.append(f"| `mutmut run` {mm['version']} (same function and test file{how}) | "
                     f"{mm['total']} | {mm['killed']} | — | {mm['rate']} | "
                     f"{mm['wall']:.2f} s |")
    lines += ["", f"Total time, mutmut / dna regen: **{ratios[0]:.1f}×** as each tool runs "
                  f"by default, **{ratios[1]:.1f}×** with mutmut's pytest also spared the "
                  f"auto-loaded plugins that dna regen skips (goal ≥ 3×: "
                  f"{'met' if min(ratios) >= 3 else 'not met' if max(ratios) < 3 else 'met by default, not with plugins off'}"
                  "). Both start cold (a fresh process; mutmut from an empty `mutants/` "
                  "folder) and include their own baseline test run; mutmut mutates the whole "
                  "file, then runs only the named function's mutants; its mutants/s is the "
                  "figure it prints for its mutation phase. The two tools make different "
                  "mutant sets, so counts differ."]
    return "\n".join(lines)


def _mutmut(root: Path, tmp: Path, module: str, func: str, test: str, *,
            autoload: bool = True) -> dict[str, Any] | str:
    exe = Path(PY).with_name("mutmut")
    if not exe.exists():
        return ("mutmut is not installed in this environment (`pip install mutmut` into "
                ".venv for this benchmark), so only dna_kit's figures are given.")
    version = subprocess.run([PY, "-c", "import importlib.metadata as m; "
                              "print(m.version('mutmut'))"], capture_output=True,
                             text=True).stdout.strip()
    top = module.split(".")[0]
    source = module.replace(".", "/") + ".py"
    walls, last = [], None
    env = _env(root)
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    for i in range(REPEAT):
        work = tmp / f"mutmut-{autoload}-{i}"
        shutil.copytree(root, work, ignore=shutil.ignore_patterns("__pycache__", "mutants"))
        also = ["dna"] + [str(p.relative_to(work)) for p in (work / top).rglob("*.py")
                          if str(p.relative_to(work)) != source]
        (work / "setup.cfg").write_text(
            "[mutmut]\nsource_paths=" + source + "\nalso_copy=\n"
            + "".join(f"    {a}\n" for a in also)
            + f"pytest_add_cli_args_test_selection={test}\n", encoding="utf-8")
        # Only the one function: mutmut names its mutants module.x_func__mutmut_N.
        pattern = f"{module}.x_{func.split('.')[-1]}__mutmut_*"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(work), os.environ.get(
            "PYTHONPATH")]))
        t, done = _timed([str(exe), "run", pattern], cwd=work, env=env)
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
            return "mutmut did not run here: " + " / ".join(tail)
        walls.append(t)
        last = done
    assert last is not None
    results = subprocess.run([str(exe), "results", "--all", "true"],
                             cwd=tmp / f"mutmut-{autoload}-0", capture_output=True,
                             text=True).stdout
    prefix = pattern.rstrip("*")
    names = [(n, s) for n, s in re.findall(r"(\S+__mutmut_\d+): ([\w ]+)", results)
             if n.startswith(prefix)]
    killed = sum(1 for _, status in names if status == "killed")
    rate = re.findall(r"([\d.]+) mutations/second", last.stdout)
    return {"version": version, "wall": statistics.median(walls), "total": len(names),
            "killed": killed, "rate": rate[-1] if rate else "?"}


def bench_shards(root: Path, tmp: Path) -> str:
    """The whole proof as one CI job, then as two shard jobs side by side (``--shard 1/2``
    and ``2/2``, as a two-job matrix runs them) plus their merge, then each shard job
    alone (how evenly the work is split, whatever else the machine runs); interleaved
    runs, median wall times. Target: the two shards at least 1.6x faster than the one
    job. Every run starts without a proof cache, as a CI job on a fresh checkout does."""
    import json

    base = [PY, "-m", "dna_kit", "-C", str(root), "regen", "--prove", "--no-history"]
    cache = root / "dna" / ".cache"
    one_walls, two_walls, merge_walls, alone_walls = [], [], [], []
    for i in range(REPEAT):
        shutil.rmtree(cache, ignore_errors=True)
        t, done = _timed([*base, "--json", str(tmp / "whole.json")], cwd=root)
        assert done.returncode == 0, done.stdout + done.stderr
        one_walls.append(t)
        shutil.rmtree(cache, ignore_errors=True)
        start = time.perf_counter()
        jobs = [subprocess.Popen([*base, "--shard", f"{k}/2", "--json",
                                  str(tmp / f"shard-{k}.json")], cwd=root,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                for k in (1, 2)]
        outputs = [job.communicate(timeout=1800)[0] for job in jobs]
        two_walls.append(time.perf_counter() - start)
        assert all(job.returncode == 0 for job in jobs), outputs
        t, done = _timed([PY, "-m", "dna_kit", "-C", str(root), "regen", "merge",
                          str(tmp / "shard-1.json"), str(tmp / "shard-2.json"),
                          "--no-history", "--json", str(tmp / f"merged-{i}.json")], cwd=root)
        assert done.returncode == 0, done.stdout + done.stderr
        merge_walls.append(t)
        alone = []
        for k in (1, 2):
            shutil.rmtree(cache, ignore_errors=True)
            t, done = _timed([*base, "--shard", f"{k}/2", "--json",
                              str(tmp / f"alone-{k}.json")], cwd=root)
            assert done.returncode == 0, done.stdout + done.stderr
            alone.append(t)
        alone_walls.append(max(alone))
    one, two, merge, alone_max = (statistics.median(w) for w in (
        one_walls, two_walls, merge_walls, alone_walls))

    def judged(card: dict[str, Any]) -> dict[str, Any]:
        return {"counts": card["counts"], "score": card["score"], "findings": {
            f["id"]: (f["status"], (f["proof"] or {}).get("strength"), f["mutants_killed"],
                      f["mutants_total"]) for f in card["findings"]}}

    whole = json.loads((tmp / "whole.json").read_text(encoding="utf-8"))
    merged = json.loads((tmp / f"merged-{REPEAT - 1}.json").read_text(encoding="utf-8"))
    same = judged(whole) == judged(merged)
    return ("| `dna regen --prove` | wall time |\n|---|---|\n"
            f"| one job | {one:.2f} s |\n| two `--shard` jobs side by side | {two:.2f} s |\n"
            f"| `dna regen merge` of the two | {merge:.2f} s |\n"
            f"| speed-up (one job / two shards) | {one / two:.2f}× (target ≥ 1.6×) |\n"
            f"| the slower shard job run alone | {alone_max:.2f} s "
            f"(one job / it: {one / alone_max:.2f}×, what two idle cores would give) |\n"
            "| merged scorecard = one job's (counts, score, each finding's status, strength "
            f"and mutants killed / total) | {'yes' if same else 'NO'} |")


def run() -> str:
    with tempfile.TemporaryDirectory(prefix="bench-regen-") as tmp_name:
        tmp = Path(tmp_name)
        root, which = _subject(tmp)
        load = os.getloadavg()[0]
        overhead, _ = bench_overhead(root)
        prove = bench_prove(root, tmp)
        values, _ = bench_value_proof(root, tmp)
        cache, _ = bench_cache(root, tmp)
        workers = bench_workers(root, tmp)
        shards = bench_shards(root, tmp)
        notebooks = bench_notebooks(tmp)
        load = max(load, os.getloadavg()[0])
    return f"""## Regeneration test (`dna regen`)

Subject: {which}. Median of {REPEAT} interleaved runs each; the machine is shared, so only
the ratios travel ({os.cpu_count()} cores; the 1-minute load average reached {load:.1f}
during the run, so parallel speed-ups are bounded by what other processes left free).

### Overhead over plain pytest (no proof)

| run | wall time |
|---|---|
{overhead}

### Mutation proof vs mutmut

{prove}

### Value mutants: the proof of the whole project against today's code

{values}

### A re-run with nothing changed (the proof cache)

{cache}

### The whole proof, with parallel proof workers

{workers}

### The whole proof across CI jobs (`--shard K/2`, then `dna regen merge`)

{shards}

### The notebook series, two at a time

{notebooks}

Reproduce: `python benchmarks/run.py regen` (mutmut: `.venv/bin/pip install mutmut`).
"""


if __name__ == "__main__":
    print(run())
