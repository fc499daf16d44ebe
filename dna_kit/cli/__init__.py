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

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: `dna --help` must start fast
if TYPE_CHECKING:
    from dna_kit.cli._base import Handler

#: Command-group modules under ``dna_kit.cli``, in the order ``dna --help`` lists them.
COMMAND_GROUPS: tuple[str, ...] = ("ledger", "regen", "mine", "codify", "link", "model",
                                   "demo")

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
    """Run ``dna`` with ``argv``; returns the exit code (0 ok, 1 data, 2 usage, 130
    interrupted). Everything it prints, argparse's usage errors included, goes through
    :class:`~dna_kit.cli._base.PrintableStream`: no input can send escapes to a terminal."""
    from dna_kit.cli._base import PrintableStream

    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = PrintableStream(sys.stdout), PrintableStream(sys.stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = streams


def _main(argv: Sequence[str] | None) -> int:
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
    return _run_handler(args, handler)


def _hint(exc: Exception) -> str | None:
    """The CLI's own words on how to act on a library error the command did not annotate."""
    from dna_kit.errors import InvalidFinding, NoProject

    if isinstance(exc, NoProject):
        return "run `dna init` first"
    if isinstance(exc, InvalidFinding) and exc.field == "rejected_reason":
        return "pass --why REASON"
    return None


def _run_handler(args: argparse.Namespace, handler: Handler) -> int:
    """Run one command; every way it can end becomes an exit code and at most a line."""
    from dna_kit.errors import DnaKitError

    try:
        code = handler(args)
    except DnaKitError as exc:
        exc.hint = exc.hint or _hint(exc)
        lines = str(exc).splitlines() or [type(exc).__name__]
        if exc.hint:  # a command group's own words on how to act (see dna_kit.errors)
            lines[-1] += f"; {exc.hint}"
        for line in lines:
            print(f"dna {args.command}: {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"dna {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `dna list | head`
        return 0
    except Exception as exc:  # a bug in dna_kit: one line, not a traceback
        import os

        if os.environ.get("DNA_DEBUG"):
            raise
        from dna_kit.errors import clip

        print(f"dna {args.command}: internal error: {type(exc).__name__}: "
              f"{clip(str(exc))} (a bug in dna_kit: please report it; "
              "DNA_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 1
    return int(code or 0)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
