"""``dna link`` and ``dna unlink``: hand-written pytest tests as a finding's checks."""

from __future__ import annotations

import argparse

from dna_kit.cli._base import add_command

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: `dna --help` must start fast
if TYPE_CHECKING:
    from typing import Any


def register(subparsers: Any) -> None:
    p = add_command(
        subparsers, "link", cmd_link,
        help="link a hand-written pytest test (and the code it protects) to a finding",
        description="Keep PATH or PATH::TEST (a pytest node id, relative to the current "
                    "directory) in the finding's links.tests, after checking that it lies "
                    "inside the repository and that pytest collects it. `dna regen` runs it "
                    "like a generated test; with --target, `dna regen --prove` mutates that "
                    "code to prove it. The finding becomes codified.",
        example="dna link F-0007 tests/test_retry.py::test_cap "
                "--target app.retry:backoff_delay",
    )
    p.add_argument("id", help="finding id (F-0007, or 7)")
    p.add_argument("test", metavar="PATH[::TEST]", help="a test file or pytest node id")
    p.add_argument("--target", metavar="MODULE:NAME",
                   help="the code the test protects (what --prove mutates)")

    p = add_command(
        subparsers, "unlink", cmd_unlink,
        help="take a linked test off a finding (the test file stays)",
        example="dna unlink F-0007 tests/test_retry.py::test_cap",
    )
    p.add_argument("id", help="finding id (F-0007, or 7)")
    p.add_argument("test", metavar="PATH[::TEST]", help="the test, as it was linked")


def _node(args: argparse.Namespace) -> str:
    """The test as the user typed it, relative to -C DIR, made absolute for the library."""
    from pathlib import Path

    file_part, sep, rest = args.test.partition("::")
    return str((Path(args.cwd) / file_part).absolute()) + sep + rest


def cmd_link(args: argparse.Namespace) -> int:
    from dna_kit.codify.links import link_test
    from dna_kit.errors import CodifyError

    try:
        finding = link_test(args.cwd, args.id, _node(args), target=args.target)
    except CodifyError as exc:
        if exc.field == "target" and "bound to" in str(exc):
            exc.hint = "leave out --target, or codify the finding again with that target"
        raise
    target = f" (proves against {finding.binding.target})" if finding.binding else ""
    print(f"{finding.id}: linked {', '.join(finding.links.tests)}{target}")
    return 0


def cmd_unlink(args: argparse.Namespace) -> int:
    from dna_kit.codify.links import unlink_test

    finding = unlink_test(args.cwd, args.id, _node(args))
    left = ", ".join(finding.links.tests) or "no test"
    print(f"{finding.id}: unlinked {args.test}; links {left} ({finding.status})")
    return 0
