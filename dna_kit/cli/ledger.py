"""``dna init``, ``add``, ``list``, ``show``, ``accept``, ``reject``, ``set``: the ledger."""

from __future__ import annotations

import argparse
import sys

from dna_kit.cli._base import add_command, positive_int, split_assignment

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: `dna --help` must start fast

if TYPE_CHECKING:
    from typing import Any

LAYERS = ("what", "how", "why")
STATUSES = ("candidate", "accepted", "codified", "rejected")


def register(subparsers: Any) -> None:
    p = add_command(
        subparsers, "init", cmd_init,
        help="create dna/ (findings, tests, interviews) and the decision-record directory",
        description="Create dna/findings, dna/tests, dna/interviews, dna/config.yaml and "
                    "the decision-record directory (an existing .adr-dir, doc/adr, docs/adr "
                    "or docs/decisions is reused; otherwise docs/adr), and dna/tests/"
                    "conftest.py, so a plain `pytest dna/tests` imports the repository's "
                    "code and skips the tests of rejected findings (one a person wrote is "
                    "kept). Safe to run again.",
        example="dna init path/to/repo",
    )
    p.add_argument("directory", nargs="?", default=".", metavar="DIR",
                   help="repository root (default: the current directory)")
    p.add_argument("--ci", action="store_true",
                   help="also write a CI workflow that re-runs the notebooks and the "
                        "regeneration test on every change")
    p.add_argument("--shards", type=positive_int, default=2, metavar="N",
                   help="with --ci: prove the findings in N parallel jobs and merge their "
                        "scorecards (default 2; 1 is a single job)")

    p = add_command(
        subparsers, "add", cmd_add,
        help="add a finding to the ledger; prints its new id",
        example='dna add --title "Carrier retry cap" --statement "Carrier API retries back '
                'off from 0.2 s, doubling, capped at 5 s" --layer how --kind retry_policy '
                '--param base=0.2s --param cap=5s --source incidents/pm.md:12-14',
    )
    p.add_argument("--title", required=True, help="a short name for the rule")
    p.add_argument("--statement", required=True, help="the rule, in one sentence")
    p.add_argument("--layer", required=True, help="what | how | why")
    p.add_argument("--kind", required=True, help="threshold, retry_policy, timeout, ...")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help='a value with its unit, e.g. cap=5s (repeatable)')
    p.add_argument("--rationale", help="why the rule is what it is")
    p.add_argument("--owner", help="who answers questions about it")
    p.add_argument("--area", help="the part of the system it belongs to")
    p.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    p.add_argument("--source", action="append", default=[], metavar="PATH:START-END",
                   help="where it was found; the quote is read from those lines "
                        "(repeatable)")
    p.add_argument("--status", default="candidate", choices=("candidate", "accepted"),
                   help="candidate (default) or accepted")

    p = add_command(
        subparsers, "list", cmd_list,
        help="list findings, filtered by layer, kind or status",
        example="dna list --layer how --status accepted --format json",
    )
    p.add_argument("--layer", choices=LAYERS)
    p.add_argument("--kind")
    p.add_argument("--status", choices=(*STATUSES, "stale"),
                   help="stale: codified findings changed since their test was generated")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")

    p = add_command(subparsers, "show", cmd_show, help="print one finding",
                    example="dna show F-0007")
    p.add_argument("id", help="finding id (F-0007, or 7)")
    p.add_argument("--json", action="store_true", help="print every field as JSON")

    p = add_command(subparsers, "accept", cmd_accept,
                    help="accept a candidate finding (a person has reviewed it)",
                    description="Accept candidate findings (a person has reviewed them). "
                                "Several ids are all or nothing: if one is missing, none "
                                "is accepted.",
                    example="dna accept F-0007")
    p.add_argument("id", nargs="+", help="finding id(s)")

    p = add_command(subparsers, "reject", cmd_reject,
                    help="reject a finding, saying why",
                    description="Reject findings, keeping the reason in each. Several ids "
                                "are all or nothing: if one is missing, none is rejected.",
                    example='dna reject F-0008 --why "one-off workaround, since removed"')
    p.add_argument("id", nargs="+", help="finding id(s)")
    p.add_argument("--why", required=True, help="the reason, kept in the finding")

    p = add_command(
        subparsers, "set", cmd_set,
        help="change fields of a finding (params.NAME=VALUE sets one parameter)",
        # The fields are dna_kit.review.EDITABLE and LEDGER_FIELDS (a test keeps them in
        # step; importing the review stage here would slow down `dna --help`).
        description="Change fields of a finding. FIELD is one of title, statement, layer, "
                    "kind, rationale (what the review panel edits too), owner, area, tags "
                    "(comma-separated), status, rejected_reason, or params.NAME (an empty "
                    "value removes the parameter). The body of the finding file keeps any "
                    "edits a person made.",
        example='dna set F-0007 params.cap=5s owner=ana tags=carrier,retries',
    )
    p.add_argument("id", help="finding id")
    p.add_argument("assignments", nargs="+", metavar="FIELD=VALUE")


def cmd_init(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dna_kit.fileio import shown_path
    from dna_kit.project import init_project

    project = init_project(Path(args.cwd) / args.directory)
    for path in (project.findings_dir, project.tests_dir, project.interviews_dir,
                 project.adr_dir):
        print(f"  {shown_path(path)}/")
    conftest = project.tests_dir / "conftest.py"
    print(f"  {shown_path(conftest)}")
    if args.ci:
        from dna_kit import ci

        print(f"  {shown_path(ci.write_ci_workflow(project, shards=args.shards))}")
    print(f"ready: add findings with `dna add` or mine incidents with `dna extract` "
          f"(in {shown_path(project.root)})")
    return 0



def cmd_add(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dna_kit.ledger import add_finding, provenance_from_spec, quote_lines
    from dna_kit.project import find_project
    from dna_kit.review import redact_fields

    project = find_project(args.cwd)
    params = dict(split_assignment(p, "NAME=VALUE") for p in args.param)
    provenance = []
    for spec in args.source:
        prov = provenance_from_spec(spec)
        quote = quote_lines(project, Path(args.cwd).resolve() / prov.source,
                            prov.line_start, prov.line_end) \
            if prov.source and prov.line_start else None
        provenance.append({**prov.to_dict(), **({"quote": quote} if quote else {})})
    fields: dict[str, Any] = {
        "title": args.title, "statement": args.statement, "layer": args.layer,
        "kind": args.kind, "status": args.status, "params": params,
        "rationale": args.rationale, "owner": args.owner, "area": args.area,
        "tags": args.tag, "provenance": provenance,
    }
    # Secrets in a quoted source line or a typed field never reach dna/findings/.
    finding = add_finding(project, redact_fields(
        project, {k: v for k, v in fields.items() if v not in (None, [])}))
    print(finding.id)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from dna_kit.ledger import load_ledger

    if args.status == "stale":
        from dna_kit.codify.stale import stale_tests
        from dna_kit.project import find_project

        project = find_project(args.cwd)
        findings = [f for f in load_ledger(project).filter(
            layer=args.layer, kind=args.kind, status=("accepted", "codified"))
            if stale_tests(project, f)]
    else:
        findings = load_ledger(args.cwd).filter(layer=args.layer, kind=args.kind,
                                                status=args.status)
    if args.format == "json":
        import json

        # allow_nan=False: the output is JSON or an error, never Infinity or NaN.
        json.dump([f.to_json() for f in findings], sys.stdout, indent=2, ensure_ascii=False,
                  allow_nan=False)
        print()
    elif args.format == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(["id", "layer", "kind", "status", "title", "statement", "params",
                         "owner", "sources", "tests", "decisions"])
        for f in findings:
            writer.writerow([
                f.id, f.layer, f.kind, f.status, f.title, f.statement,
                "; ".join(f"{k}={_text(v)}" for k, v in f.params.items()), f.owner or "",
                "; ".join(p.describe() for p in f.provenance), "; ".join(f.links.tests),
                "; ".join(f.links.decisions),
            ])
    else:
        print(_table(findings))
    return 0


def _text(value: Any) -> str:
    return ",".join(value) if isinstance(value, tuple) else str(value)


def _table(findings: list[Any]) -> str:
    if not findings:
        return "no findings (add one with `dna add`, or mine sources with `dna extract`)"
    rows = [("ID", "LAYER", "KIND", "STATUS", "TITLE")]
    rows += [(f.id, f.layer, f.kind, f.status, f.title) for f in findings]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True))
        + "  " + row[4] for row in rows)


def cmd_show(args: argparse.Namespace) -> int:
    from dna_kit.ledger import find_entry

    entry = find_entry(args.cwd, args.id)
    if args.json:
        import json

        print(json.dumps(entry.finding.to_json(), indent=2, ensure_ascii=False))
    else:
        print(entry.path.read_text(encoding="utf-8"), end="")
    return 0


def cmd_accept(args: argparse.Namespace) -> int:
    from dna_kit.review import decide_findings

    for finding, changed in decide_findings(args.cwd, args.id, "accepted"):
        print(f"{finding.id}: {'accepted' if changed else 'already ' + finding.status}")
    return 0


def cmd_reject(args: argparse.Namespace) -> int:
    from dna_kit.review import decide_findings

    for finding, _ in decide_findings(args.cwd, args.id, "rejected", reason=args.why):
        print(f"{finding.id}: rejected")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    from dna_kit.review import apply_assignments

    finding, changes = apply_assignments(args.cwd, args.id, args.assignments)
    print(f"{finding.id}: updated {', '.join(sorted(changes))}")
    return 0
