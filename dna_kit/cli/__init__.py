"""The ``dna`` command: argument parsing and printing only; the work is in the library.

Commands live in one module per group (``ledger``, ``mine``, ...). Each group module imports
nothing heavy at module level, so ``dna --help`` starts fast; a command imports what it
needs when it runs. Errors become an exit code and one line per problem, here and only here.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["build_parser", "main"]

#: Command-group modules under ``dna_kit.cli``, in the order ``dna --help`` lists them.
COMMAND_GROUPS: tuple[str, ...] = ("ledger", "regen", "mine", "codify", "model")

EPILOG = """\
Start with `dna init`, then `dna add` or `dna extract`; `dna COMMAND --help` tells more.

Example:
  dna init && dna add --title "Carrier retry cap" --statement "..." --layer how --kind retry_policy
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dna",
        description="Capture a system's tacit knowledge (its DNA) as findings, "
                    "property tests and decision records, and score what would survive "
                    "a rewrite.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-C", "--dir", dest="cwd", default=".", metavar="DIR",
                        help="run as if started in DIR (default: the current directory)")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in COMMAND_GROUPS:
        module = importlib.import_module(f"dna_kit.cli.{group}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``dna`` with ``argv``; returns the exit code (0 ok, 1 error, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from importlib.metadata import version

        print(version("dna_kit"))
        return 0
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0 if args.command is None else 2
    from dna_kit.errors import DnaKitError

    try:
        code = handler(args)
    except DnaKitError as exc:
        lines = str(exc).splitlines() or [type(exc).__name__]
        if exc.hint:  # a command group's own words on how to act (see dna_kit.errors)
            lines[-1] += f"; {exc.hint}"
        from dna_kit.cli._base import printable

        for line in lines:
            print(f"dna {args.command}: {printable(line)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"dna {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `dna list | head`
        return 0
    return int(code or 0)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
