"""What every command group shares: how a command is declared, and common arguments."""

from __future__ import annotations

import argparse

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: `dna --help` must start fast
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Handler = Callable[[argparse.Namespace], "int | None"]


def add_command(subparsers: Any, name: str, handler: Handler, *, help: str,
                example: str, description: str | None = None) -> argparse.ArgumentParser:
    """Declare ``dna NAME``; its help ends with ``example`` (a test insists on it)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=help,
        description=description or help,
        epilog="Example:\n  " + example.strip().replace("\n", "\n  "),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=handler)
    return parser


def split_assignment(text: str, what: str = "NAME=VALUE") -> tuple[str, str]:
    """``"cap=5 s"`` → ``("cap", "5 s")``; a clear error otherwise."""
    from dna_kit.errors import InvalidFinding

    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise InvalidFinding(f"{text!r} must look like {what}", value=text)
    return name.strip(), value.strip()


def printable(text: str) -> str:
    r"""``text`` safe for a terminal: control characters (escape sequences, bells,
    backspaces) shown as ``\x1b``-style escapes instead of acting on the terminal; line
    breaks, tabs and carriage returns (progress bars) stay.

    >>> printable("title\x1b[2J")
    'title\\x1b[2J'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in "\n\t\r" else repr(c)[1:-1] for c in text)


class PrintableStream:
    """A text stream that passes everything written through :func:`printable`, so a
    title or a source line holding terminal escapes can never act on the terminal."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(printable(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def positive_int(text: str) -> int:
    """An argparse ``type``: a whole number of at least 1 (``--workers``, ``--parallel``);
    anything else is a usage error (exit 2).

    >>> positive_int("2")
    2
    >>> positive_int("-3")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: '-3' is not a whole number of at least 1
    """
    if text.strip().isascii() and text.strip().isdigit() and int(text) >= 1:
        return int(text)
    raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")


def positive_number(text: str) -> float:
    """An argparse ``type``: a finite number above 0 (``--timeout``, in seconds).

    >>> positive_number("1.5")
    1.5
    """
    import math

    try:
        value = float(text) if text.strip().isascii() else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number above 0")
    return value


def fraction(text: str) -> float:
    """An argparse ``type``: a number from 0 to 1 (``--min-score``, ``--min-confidence``).

    >>> fraction("0.8")
    0.8
    >>> fraction("1.5")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: '1.5' is not a number from 0 to 1
    """
    import math

    try:
        value = float(text) if text.strip().isascii() else math.nan
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 <= value <= 1):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0 to 1")
    return value
