"""``dna codify`` and ``dna templates``: findings become property tests and decision records."""

from __future__ import annotations

import argparse

from dna_kit.cli._base import add_command, split_assignment

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: `dna --help` must start fast
if TYPE_CHECKING:
    from typing import Any

    from dna_kit.errors import CodifyError


def register(subparsers: Any) -> None:
    p = add_command(
        subparsers, "codify", cmd_codify,
        help="turn an accepted finding into a property test (or, with --adr, a decision "
             "record)",
        description="Write a pytest + hypothesis property test for an accepted finding "
                    "(dna/tests/test_<id>_<slug>.py), store the binding on the finding, link "
                    "the test and mark the finding codified. Parameters come from the "
                    "finding's params (in base units) unless --param overrides them. With no "
                    "--template/--target the finding's stored binding is reused, so "
                    "`dna codify ID` regenerates. With --adr, write its decision record "
                    "(MADR or Nygard) instead. A file edited by hand is never overwritten "
                    "without --force. `dna templates` lists the templates.",
        example="dna codify F-0007 --template backoff_schedule "
                "--target dispatch.carrier:backoff_delay --param cap=5s --dry-run\n"
                "dna codify F-0007 --template backoff_schedule "
                "--target dispatch.carrier:backoff_delay --param cap=5s\n"
                "dna codify F-0007 --adr --format madr",
    )
    p.add_argument("id", help="finding id (F-0007, or 7)")
    p.add_argument("--template", help="property template (see `dna templates`)")
    p.add_argument("--target", action="append", default=[], metavar="[ROLE=]MODULE:CALLABLE",
                   help="the code the test calls; templates with two targets take the second "
                        "as ROLE=MODULE:CALLABLE (decode=..., reference=...)")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="override a parameter, e.g. cap=5s or retry_on=ConnectionError,"
                        "TimeoutError (repeatable)")
    p.add_argument("--domain", help="input domain: int:A..B, float:A..B, text[:N], bytes[:N], "
                                    "bool, list:DOMAIN, json (default: the target's type hint)")
    p.add_argument("--out", metavar="PATH", help="where to write the test (default "
                                                 "dna/tests/test_<id>_<slug>.py)")
    p.add_argument("--force", action="store_true",
                   help="replace a generated file even if a person edited it")
    p.add_argument("--dry-run", action="store_true",
                   help="print the test that would be written; write nothing")
    p.add_argument("--adr", action="store_true", help="write the decision record instead")
    p.add_argument("--format", choices=("madr", "nygard"),
                   help="decision-record format (default: adr_format in dna/config.yaml, "
                        "else madr)")
    p.add_argument("--draft", action="store_true",
                   help="with --adr: ask the configured model to draft the context and "
                        "consequences (marked as a draft)")
    p.add_argument("--supersedes", metavar="ID",
                   help="with --adr: the finding whose decision this one replaces")
    p.add_argument("--decision-maker", action="append", default=[], metavar="NAME",
                   help="with --adr: who decided (default: the finding's owner; repeatable)")

    p = add_command(
        subparsers, "locate", cmd_locate,
        help="show where a finding's values live in the code its binding reaches (its "
             "sites)",
        description="Search the code a codified finding's binding reaches for the places "
                    "its values live (its sites): literals in the target, module constants "
                    "it reads in any module of the repository (through imports and "
                    "attribute access such as settings.RETRY_CAP, and a constant defined as "
                    "another), decorators (@retry(stop=stop_after_attempt(4))) and the "
                    "arguments of library constructors the target's module and the modules "
                    "it imports call at import time (Retry(backoff_max=...)). Values match by meaning with "
                    "units: 5 s is a 5, or a 5000 under a name that says ms. Nothing is "
                    "imported or run, and nothing outside the repository is read. Prints one "
                    "line per site, or why none was found for a parameter. `dna codify` "
                    "stores the sites in the finding (binding.sites); --save stores them "
                    "after a new search. Sites a person added to the finding file stay while "
                    "the code they name is still there.",
        example="dna locate F-0001\n"
                "dna locate F-0001 --save\n"
                "dna locate F-0001 --json",
    )
    p.add_argument("id", help="finding id (F-0001, or 1)")
    p.add_argument("--json", action="store_true",
                   help="print the search as JSON: per parameter its sites (with how each "
                        "was reached) or why none was found")
    p.add_argument("--save", action="store_true",
                   help="store the sites in the finding's binding.sites")

    add_command(
        subparsers, "templates", cmd_templates,
        help="list the property templates: rule, target call shape, parameters and units",
        example="dna templates",
    )


def _targets(values: list[str]) -> tuple[str | None, dict[str, str]]:
    main: str | None = None
    extra: dict[str, str] = {}
    for value in values:
        role, sep, ref = value.partition("=")
        if sep:
            extra[role.strip()] = ref.strip()
        elif main is None:
            main = value.strip()
        else:
            from dna_kit.errors import CodifyError

            raise CodifyError(f"--target {value!r}: a second target needs a role, e.g. "
                              f"decode={value}")
    return main, extra



#: How to give, on this command line, what a CodifyError's ``field`` says is missing or
#: wrong (the library's message says what, in the domain's words; see dna_kit.errors).
_HINTS = {
    "force": "pass --force to replace it",
    "template": "pass --template NAME (see `dna templates`)",
    "target": "pass --target MODULE:CALLABLE",
    "domain": "pass it with --domain",
    "params": "pass --param NAME=VALUE",
    "supersedes": "--supersedes takes the id of an existing finding",
}


def _hint(exc: CodifyError, finding_id: str) -> str | None:
    field = exc.field or ""
    if field == "status":
        return f"accept it first: dna accept {finding_id}"
    group, _, name = field.partition(".")
    if group == "params" and name:
        return f"pass --param {name}=VALUE"
    if group == "targets" and name:
        return f"pass --target {name}=MODULE:CALLABLE"
    return _HINTS.get(field)


def cmd_codify(args: argparse.Namespace) -> int:
    from dna_kit.errors import CodifyError

    try:
        return _codify(args)
    except CodifyError as exc:
        exc.hint = exc.hint or _hint(exc, args.id)
        raise


def _codify(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dna_kit.errors import CodifyError
    from dna_kit.fileio import shown_path
    from dna_kit.project import find_project

    project = find_project(args.cwd)
    if args.adr:
        if args.template or args.target or args.param or args.domain or args.out:
            raise CodifyError("--adr writes a decision record; --template, --target, "
                              "--param, --domain and --out are for property tests")
        if args.dry_run:
            raise CodifyError("--dry-run shows a property test; --adr writes a record")
        from dna_kit.codify import write_adr

        path = write_adr(project, args.id, fmt=args.format, draft=args.draft,
                         force=args.force, supersedes=args.supersedes,
                         decision_makers=args.decision_maker)
        print(f"{shown_path(path)}")
        return 0
    if args.format or args.draft or args.supersedes or args.decision_maker:
        raise CodifyError("--format, --draft, --supersedes and --decision-maker go with --adr")
    from dna_kit.codify import codify, preview_test

    target, targets = _targets(args.target)
    params = dict(split_assignment(p, "NAME=VALUE") for p in args.param)
    if args.dry_run:
        if args.out or args.force:
            raise CodifyError("--dry-run writes nothing; --out and --force are for writing")
        print(preview_test(project, args.id, template=args.template, target=target,
                           targets=targets or None, params=params, domain=args.domain),
              end="")
        return 0
    artifact = codify(project, args.id, template=args.template, target=target,
                      targets=targets or None, params=params, domain=args.domain,
                      out=(Path(args.cwd) / args.out).resolve() if args.out else None,
                      force=args.force)
    state = "written" if artifact.written else "unchanged"
    print(f"{shown_path(artifact.path)} ({state}; {artifact.finding.id} is "
          f"{artifact.finding.status}, template {artifact.template})")
    if artifact.finding.binding is not None:  # a value given under another name is shown
        from dna_kit.codify.render import param_notes

        for note in param_notes(artifact.finding, artifact.finding.binding):
            print(note)
    for line in artifact.sites.lines() if artifact.sites is not None else ():
        print(line)
    return 0


def cmd_locate(args: argparse.Namespace) -> int:
    from dna_kit.codify.sites import save_sites
    from dna_kit.errors import CodifyError
    from dna_kit.project import find_project

    try:
        merge = save_sites(find_project(args.cwd), args.id, save=args.save)
    except CodifyError as exc:
        if exc.field == "binding":
            exc.hint = exc.hint or (f"bind it first: dna codify {args.id} --template NAME "
                                    "--target MODULE:CALLABLE")
        raise
    if args.json:
        import json

        print(json.dumps(merge.to_json(), indent=2, ensure_ascii=False))
        return 0
    for line in merge.lines():
        print(line)
    finding = merge.search.finding
    if merge.saved:
        print(f"{finding}: {len(merge.sites)} site(s) stored in its binding")
    elif merge.changed and not args.save:
        print(f"{finding} stores other sites; `dna locate {finding} --save` stores these")
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    from dna_kit.codify.templates import build_template_registry

    for name, spec in build_template_registry().items():
        print(name)
        print(f"  rule:    {spec.rule}")
        print(f"  target:  {spec.call_shape}")
        if spec.needs_domain:
            default = "" if spec.domain == "required" else f" (default {spec.domain})"
            print(f"  domain:  --domain or the target's type hint{default}")
        for param in spec.params:
            print(f"  param:   {param.describe()}")
        print(f"  example: {spec.example}")
        print()
    from dna_kit.codify.domains import DOMAIN_HELP

    print(f"domains (--domain): {DOMAIN_HELP}; every strategy is bounded")
    from dna_kit.codify.bindings import build_binding_registry

    known = "; ".join(f"{name} ({', '.join(b.templates)})"
                      for name, b in build_binding_registry().items())
    print(f"configured library objects a --target may name (no adapter to write): {known}")
    return 0
