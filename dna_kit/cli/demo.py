"""``dna demo``: the whole path on the bundled logistics example, offline, in one command."""

from __future__ import annotations

import argparse

from dna_kit.cli._base import add_command

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: `dna --help` must start fast

if TYPE_CHECKING:
    from typing import Any

#: The folder ``dna demo`` makes when --out is not given (dna_kit.demo.DEFAULT_OUT; not
#: imported from there, so `dna --help` imports nothing of the demo).
DEFAULT_OUT = "dna-demo"
#: What to do about a refused argument of run_demo (DemoError.about), as a flag to pass.
HINTS = {"out_dir": "pass --out with a new or empty folder",
         "example": "pass --example with a copy of the logistics example, or leave it out"}


def register(subparsers: Any) -> None:
    p = add_command(
        subparsers, "demo", cmd_demo,
        help="run the whole path on the bundled logistics example and print its scores",
        description="Copy the logistics example that ships with dna_kit into a folder of "
                    "its own, rebuild its DNA from its incidents, interviews and the team's "
                    "review decisions (ingest, extract, review, codify), run the "
                    "regeneration test with mutation proof on the service and on its "
                    "rewrite, and write the reports: HTML and JSON scorecards, Markdown "
                    "summaries and, in a checkout, the executed notebooks. Prints both "
                    "scores and the rules the rewrite lost. Runs offline: no model is "
                    "asked, whatever the environment configures. The folder must be new, "
                    "empty, or made by an earlier `dna demo` (its output is then replaced); "
                    "any other folder is refused and nothing is written.",
        example=f"dna demo --out {DEFAULT_OUT} --no-notebooks",
    )
    p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                   help="a new or empty folder, or one an earlier run made, for the copy, "
                        f"the report and the notebooks (default: ./{DEFAULT_OUT})")
    p.add_argument("--example", default=None, metavar="DIR",
                   help="another copy of the logistics example (default: the one dna_kit "
                        "ships)")
    p.add_argument("--no-prove", dest="prove", action="store_false",
                   help="score verified rules without the mutation proof (faster)")
    p.add_argument("--no-notebooks", dest="notebooks", action="store_false",
                   help="skip executing the notebooks")


def cmd_demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dna_kit.demo import DemoError, run_demo, summary

    base = Path(args.cwd)
    example = base / args.example if args.example is not None else None
    try:
        result = run_demo(base / args.out, example=example, prove=args.prove,
                          notebooks=args.notebooks)
    except DemoError as exc:
        exc.hint = exc.hint or HINTS.get(exc.about or "")
        raise
    print(summary(result))
    return 1 if result.failed_notebooks else 0
