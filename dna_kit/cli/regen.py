"""``dna regen``, ``dna notebooks run``, ``dna drill``: the regeneration test and its reports."""

from __future__ import annotations

import argparse
import sys

from dna_kit.cli._base import (
    add_command,
    fraction,
    positive_int,
    positive_number,
    split_assignment,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: `dna --help` must start fast
if TYPE_CHECKING:
    from typing import Any


def register(subparsers: Any) -> None:
    p = add_command(
        subparsers, "regen", cmd_regen,
        help="score what of the DNA would survive a rewrite (tacit, documented, failing, "
             "verified, proven)",
        description="Run the tests of every accepted or codified finding (with --impl DIR "
                    "first on the import path, against an alternate implementation), and "
                    "with --prove mutate each finding's target to check that its tests "
                    "notice. Score = proven / accepted. Exit code 1 when --min-score is not "
                    "met (without --prove it applies to the verified score). Each run is "
                    "appended to dna/regen-history.jsonl.",
        example="dna regen --prove --min-score 0.6 --json scorecard.json --html report.html",
    )
    p.add_argument("--impl", metavar="DIR",
                   help="an alternate implementation (a rewrite) to test instead")
    p.add_argument("--prove", action="store_true",
                   help="mutate each finding's target and count the mutants its tests kill")
    p.add_argument("--min-score", type=fraction, metavar="X",
                   help="fail (exit 1) when the score is below X (0..1)")
    p.add_argument("--json", metavar="FILE", help="write the scorecard as JSON")
    p.add_argument("--html", metavar="FILE", help="write a self-contained HTML report")
    p.add_argument("--markdown", metavar="FILE", help="write a Markdown summary (CI comment)")
    p.add_argument("--finding", action="append", metavar="ID",
                   help="score only this finding (repeatable)")
    p.add_argument("--timeout", type=positive_number, default=60.0, metavar="S",
                   help="time limit for one test, and for one mutant (default 60)")
    p.add_argument("--workers", type=positive_int, default=1, metavar="N",
                   help="proof workers running mutants in parallel (default 1)")
    p.add_argument("--no-history", action="store_true",
                   help="do not append this run to dna/regen-history.jsonl")
    p.add_argument("--shard", metavar="K/N",
                   help="do only part K of N of the work, for CI jobs that each take a "
                        "part: the findings dealt to it whole and, with --prove, a share of "
                        "the mutants of each finding with many (the same parts in every job); "
                        "`dna regen merge` puts their scorecards together")
    sub = p.add_subparsers(dest="regen_command", metavar="SUBCOMMAND")
    m = add_command(
        sub, "merge", cmd_regen_merge,
        help="merge the scorecards of `dna regen --shard K/N` jobs into one, and report",
        description="Read the JSON scorecards of shard runs (`dna regen --shard K/N --json "
                    "FILE`), refuse ones that overlap, do not fit together or leave a "
                    "shard out, and write the merged scorecard and reports as `dna regen` "
                    "does. Exit code 1 when --min-score is not met. The merged run is "
                    "appended to dna/regen-history.jsonl.",
        example="dna regen merge shard-1/scorecard.json shard-2/scorecard.json "
                "--json scorecard.json --html report.html --markdown summary.md",
    )
    m.add_argument("cards", nargs="+", metavar="CARD.json", help="shard scorecards")
    m.add_argument("--min-score", type=fraction, metavar="X",
                   help="fail (exit 1) when the merged score is below X (0..1)")
    m.add_argument("--json", metavar="FILE", help="write the merged scorecard as JSON")
    m.add_argument("--html", metavar="FILE", help="write a self-contained HTML report")
    m.add_argument("--markdown", metavar="FILE", help="write a Markdown summary")
    m.add_argument("--no-history", action="store_true",
                   help="do not append the merged run to dna/regen-history.jsonl")

    p = add_command(
        subparsers, "notebooks", _notebooks_help,
        help="run notebooks headless with papermill (`dna notebooks run`)",
        example="dna notebooks run --parallel 2 --out notebooks-out -p interactive=False",
    )
    sub = p.add_subparsers(dest="notebooks_command", metavar="SUBCOMMAND")
    p = add_command(
        sub, "run", cmd_notebooks_run,
        help="execute notebooks with papermill into an output folder, several at once",
        description="Execute notebooks (default: notebooks/*.ipynb) with papermill into "
                    "--out, --parallel at a time, with a progress bar. A failure names the "
                    "notebook, the cell and the error; a cell past --cell-timeout is "
                    "stopped and a dead kernel is reported, not waited on. Exit code 1 "
                    "when any notebook failed.",
        example="dna notebooks run notebooks/05_regeneration_test.ipynb -p prove=True "
                "-p project_dir=examples/logistics --out notebooks-out",
    )
    p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK")
    p.add_argument("--parallel", type=positive_int, default=1, metavar="N",
                   help="notebooks run at once (default 1)")
    p.add_argument("--out", default="notebooks-out", metavar="DIR",
                   help="where executed notebooks go (default notebooks-out)")
    p.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                   help="a papermill parameter; VALUE is read as YAML (True, 3, 0.5, text)")
    p.add_argument("--cell-timeout", type=positive_number, default=600.0, metavar="S",
                   help="time limit for one cell (default 600)")
    p.add_argument("--kernel", metavar="NAME", help="kernel to use (default: the notebook's)")
    p.add_argument("--json", metavar="FILE", help="write each run's outcome and results")

    p = add_command(
        subparsers, "drill", cmd_drill,
        help="have the configured model rewrite a module from its DNA alone, then score it",
        description="Ask the configured model to rewrite MODULE from the DNA only (its "
                    "findings, decision records, the tests' docstrings and signatures, the "
                    "signatures of the bound callables; never the code), write the rewrite "
                    "to a scratch copy of the package, run the regeneration test on it and "
                    "report which rules survived. Without a configured model it says so and "
                    "exits 0.",
        example="dna drill --target dispatch.retry --out drill-out",
    )
    p.add_argument("--target", required=True, metavar="MODULE",
                   help="the module to rewrite (dotted name, e.g. dispatch.retry)")
    p.add_argument("--out", metavar="DIR", help="scratch implementation folder (default: "
                                                "a new temporary folder)")
    p.add_argument("--prove", action="store_true", help="also prove the surviving rules")
    p.add_argument("--timeout", type=positive_number, default=60.0, metavar="S")
    p.add_argument("--json", metavar="FILE", help="write the drill's scorecard as JSON")


def _notebooks_help(args: argparse.Namespace) -> int:
    print("usage: dna notebooks run [NOTEBOOK...] [--parallel N] [--out DIR] "
          "[-p NAME=VALUE]...", file=sys.stderr)
    return 2


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def cmd_regen(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dna_kit.project import find_project
    from dna_kit.regen.core import regenerate

    project = find_project(args.cwd)
    impl = Path(args.cwd, args.impl) if args.impl else None

    def progress(finding_id: str) -> None:
        print(f"  proved {finding_id}", file=sys.stderr, flush=True)

    card = regenerate(project, impl=impl, prove=args.prove, min_score=args.min_score,
                      timeout=args.timeout, workers=args.workers, findings=args.finding,
                      history=not args.no_history, progress=progress if args.prove else None,
                      shard=args.shard)
    if card.shard:
        split = sum(1 for f in card.findings if (f.proof or {}).get("share"))
        print(f"shard {card.shard[0]}/{card.shard[1]}: {card.accepted} finding(s) of this "
              "part" + (f", {split} of them a share of a proof split across shards"
                        if split else ""))
    return _show(card, args, project)


def _show(card: Any, args: argparse.Namespace, project: Any) -> int:
    """Print a scorecard, write its reports, and hold it against --min-score."""
    from pathlib import Path

    from dna_kit.regen.report import write_report
    from dna_kit.regen.scorecard import read_history

    for f in card.ordered():
        mutants = "" if f.mutants_total is None else \
            f"  mutants {f.mutants_killed}/{f.mutants_total} killed"
        print(f"{f.id}  {f.status:<10} {f.layer:<4} {f.title}{mutants}")
        for error in f.errors:
            print(f"        {error.splitlines()[0]}")
        for failure in f.failures:
            if not any(failure["test"] in e for e in f.errors):
                test = failure["test"].split("::")[-1]
                print(f"        {test}: {(failure['message'].splitlines() or [''])[0]}")
    for finding_id, question in card.questions():
        print(f"? {finding_id}: {question}")
    print(card.summary() + f"  ({card.duration:.1f} s)")
    cwd = Path(args.cwd)
    written = write_report(card, json_path=cwd / args.json if args.json else None,
                           html=cwd / args.html if args.html else None,
                           markdown=cwd / args.markdown if args.markdown else None,
                           history=read_history(project))
    for path in written:
        print(f"wrote {path}")
    if not card.passed:
        value = card.score if card.proved else card.verified_score
        if not card.accepted:
            print("dna regen: no accepted or codified finding to score, so --min-score "
                  "cannot be met", file=sys.stderr)
        else:
            print(f"dna regen: {card.gate_on.replace('_', ' ')} {_pct(value)} is below "
                  f"--min-score {args.min_score:.0%}", file=sys.stderr)
        return 1
    return 0


def cmd_regen_merge(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dna_kit.project import find_project
    from dna_kit.regen.scorecard import append_history, merge_scorecards, read_scorecard

    project = find_project(args.cwd)
    paths = [Path(args.cwd, c) for c in args.cards]
    card = merge_scorecards([read_scorecard(p) for p in paths], names=args.cards,
                            min_score=args.min_score)
    if args.min_score is None:
        args.min_score = card.min_score
    print(f"merged {len(paths)} scorecard(s): {card.accepted} finding(s)")
    if not args.no_history:
        append_history(project, card)
    return _show(card, args, project)


def _parameters(assignments: list[str]) -> dict[str, Any]:
    import yaml

    params: dict[str, Any] = {}
    for text in assignments:
        name, value = split_assignment(text, "NAME=VALUE")
        try:
            params[name] = yaml.safe_load(value) if value else ""
        except yaml.YAMLError:
            params[name] = value
    return params


def cmd_notebooks_run(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from dna_kit.errors import NotebookError
    from dna_kit.fileio import shown_path
    from dna_kit.regen.notebooks import run_notebooks

    cwd = Path(args.cwd)
    notebooks = [cwd / n for n in args.notebooks] or sorted(
        p for p in (cwd / "notebooks").glob("*.ipynb") if not p.name.startswith("_"))
    if not notebooks:
        raise NotebookError(f"no notebook given and none in {cwd / 'notebooks'}")
    runs = run_notebooks(notebooks, out_dir=cwd / args.out, parallel=args.parallel,
                         parameters=_parameters(args.parameter),
                         cell_timeout=args.cell_timeout, kernel_name=args.kernel, cwd=cwd,
                         progress=True)
    for run in runs:
        run.notebook = shown_path(Path(run.notebook), cwd)
        print(("ok      " if run.ok else "FAILED  ") + run.describe())
    if args.json:
        from dna_kit.fileio import atomic_write

        atomic_write(cwd / args.json, json.dumps([r.to_json() for r in runs], indent=2) + "\n")
    failed = [r for r in runs if not r.ok]
    print(f"{len(runs) - len(failed)} of {len(runs)} notebook(s) ran; executed copies in "
          f"{cwd / args.out}")
    return 1 if failed else 0


def cmd_drill(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dna_kit.llm import client_for_project
    from dna_kit.project import find_project
    from dna_kit.regen.drill import drill

    project = find_project(args.cwd)
    client = client_for_project(project)
    if client is None:
        print("dna drill: no model is configured (set DNA_LLM_MODEL with OPENAI_BASE_URL or "
              "OPENAI_API_KEY, or llm.model in dna/config.yaml); nothing was sent")
        return 0
    config = client.config

    result = drill(project, args.target, llm=client,
                   out_dir=Path(args.cwd, args.out) if args.out else None, prove=args.prove,
                   timeout=args.timeout)
    print(f"{config.describe()} rewrote {args.target} from its DNA into {result.impl_dir}")
    for f in result.survived:
        print(f"kept  {f.id}  {f.title}")
    for f in result.lost:
        why = (f.errors or [x["message"] for x in f.failures] or [f.status])[0]
        print(f"LOST  {f.id}  {f.title}: {why.splitlines()[0]}")
    print(f"{len(result.survived)} of {len(result.finding_ids)} rule(s) survived the rewrite")
    if args.json:
        import json

        from dna_kit.fileio import atomic_write

        atomic_write(Path(args.cwd, args.json),
                     json.dumps(result.scorecard.to_json(), indent=2) + "\n")
    return 0
