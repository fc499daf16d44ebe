"""Rebuild the logistics example's DNA (``dna/`` and ``docs/adr/``) from its sources.

The committed DNA is the output of this script, nothing else: it ingests ``incidents/`` and
``interviews/``, extracts candidates, applies the team's decisions in ``review.yaml``
(:func:`dna_kit.review.apply_review`), and codifies the accepted rules with dna_kit's own
functions: a property test from a template (``codify``), hand-written checks in ``checks/``
linked to their finding (``link``), the places a rule's values live that codify does not
locate by itself (``sites``), and decision records (``adr``). Dates come from
``review.yaml``, so running it twice gives the same bytes.

    python examples/logistics/build_dna.py            # rewrite dna/ and docs/adr/
    python examples/logistics/build_dna.py --check    # exit 1 when the committed files differ
    python examples/logistics/build_dna.py --root DIR # build a copy of the example in DIR
"""

from __future__ import annotations

import argparse
import datetime as _dt
import filecmp
import importlib
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dna_kit.errors import DnaKitError
from dna_kit.finding import Site
from dna_kit.ledger import find_entry, update_finding
from dna_kit.project import Project, init_project
from dna_kit.review import ReviewError, apply_review, plan_review

HERE = Path(__file__).resolve().parent
SOURCE_DIRS = ("incidents", "interviews")
#: What the build writes; everything else in the example is input.
OUTPUTS = ("dna", "docs/adr", ".adr-dir")

__all__ = ["BuildReport", "ReviewError", "build", "check", "describe", "differences", "main"]


@dataclass
class BuildReport:
    """What one build did, for the demo and the command line to print."""

    sources: int = 0
    candidates: int = 0
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    codified: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def unreviewed(self) -> int:
        matched = len(self.accepted) + len(self.rejected) - len(self.manual)
        return max(self.candidates - matched, 0)


def _optional(module: str, name: str) -> Callable[..., Any] | None:
    """A library function, or None while the stage that provides it has not landed."""
    try:
        found: Callable[..., Any] = getattr(importlib.import_module(module), name)
        return found
    except (ImportError, AttributeError):
        return None


def extract_candidates(root: Path, report: BuildReport) -> list[Any] | None:
    """Every candidate extracted from the example's sources, or None without an extractor."""
    from dna_kit.ingest import scan

    extract = _optional("dna_kit.extract", "extract_findings")
    if extract is None:
        report.missing.append("extract (dna_kit.extract.extract_findings)")
    found: list[Any] = []
    for result in scan([root / d for d in SOURCE_DIRS]):
        if result.error is not None:
            raise result.error
        report.sources += 1
        if extract is None:
            continue
        for document in result.documents:
            found.extend(extract(document))
    report.candidates = len(found)
    return None if extract is None else found


# -- the build -----------------------------------------------------------------------------

def _reset(root: Path) -> Project:
    for name in OUTPUTS:
        target = root / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    return init_project(root)


def _pin(project: Project, finding_id: str, day: _dt.date) -> None:
    """Give the finding the review's date, whatever day the build runs on."""
    finding = find_entry(project, finding_id).finding
    if finding.updated != day or finding.created != day:
        update_finding(project, finding_id, {"created": day, "updated": day}, today=day)


def _check_links(root: Path, plan: Any) -> None:
    """Every test the review links is one pytest collects, checked before dna/ changes."""
    collect = _optional("dna_kit.codify.links", "collect_node_ids")
    if collect is None:
        return
    project = Project(root=root, adr_dir=root / "docs" / "adr")
    collected: dict[str, list[str]] = {}
    for decision in plan.decisions:
        entry = decision.entry
        for number, node in enumerate(entry.data.get("link") or ()):
            file_part = node.partition("::")[0]
            if file_part not in collected:
                collected[file_part] = collect(project, file_part)
            if not any(c == node or c.startswith((node + "[", node + "::"))
                       for c in collected[file_part]):
                raise ReviewError(f"pytest collects no test {node}", path=plan.review.path,
                                  line=entry.line,
                                  field=f"findings[{entry.index}].link[{number}]", value=node)


def _add_sites(project: Project, finding_id: str, sites: Sequence[Any]) -> list[str]:
    """Add the review's hand-located sites to the finding's binding, each with its line's
    code as it reads now (regen --prove changes that line; a re-codify keeps the site while
    the code is still there). A site codify located already is not added twice.
    """
    finding = find_entry(project, finding_id).finding
    if finding.binding is None:
        raise DnaKitError(f"{finding_id} has sites in review.yaml but no binding: codify it "
                          "or link a check with a target first")
    stored = list(finding.binding.sites)
    added = []
    for item in sites:
        lines = (project.root / item["path"]).read_text(encoding="utf-8").splitlines()
        site = Site(param=item["param"], path=item["path"], line=item["line"],
                    code=lines[item["line"] - 1].strip())
        if all((s.param, s.path, s.line) != (site.param, site.path, site.line)
               for s in stored):
            stored.append(site)
            added.append(f"{finding_id} {site.param} = {site.path}:{site.line}")
    if added:
        update_finding(project, finding_id,
                       {"binding": replace(finding.binding, sites=tuple(stored))})
    return added


def build(root: Path = HERE, *, log: Callable[[str], None] = print,
          strict: bool = True) -> BuildReport:
    """Rebuild ``root``'s ``dna/`` and ``docs/adr/`` from its sources and review.yaml.

    ``strict=False`` (the demo) captures a rule by hand, with a warning, when no extracted
    candidate quotes its phrase any more, instead of failing.

    >>> build(copy_of_the_example).codified         # doctest: +SKIP
    ['F-0001', 'F-0002', 'F-0003', 'F-0007', 'F-0008', 'F-0010', 'F-0015']
    """
    root = root.resolve()
    report = BuildReport()
    candidates = extract_candidates(root, report)
    # Decide everything, and check every finding, before touching dna/: a bad entry leaves
    # the committed DNA as it was.
    plan = plan_review(Project(root=root, adr_dir=root / "docs" / "adr"),
                       root / "review.yaml", candidates, strict=strict)
    for warning in plan.warnings:
        log(f"warning: {warning}")
    _check_links(root, plan)
    day = plan.review.date
    codify = _optional("dna_kit.codify", "codify")
    write_adr = _optional("dna_kit.codify", "write_adr")
    if codify is None:
        report.missing.append("codify (dna_kit.codify.codify)")
    if write_adr is None:
        report.missing.append("decision records (dna_kit.codify.write_adr)")
    project = _reset(root)
    result = apply_review(project, plan)
    report.manual = list(result.manual)
    for entry, finding in result.decisions:
        if entry.decision == "reject":
            report.rejected.append(finding.id)
            continue
        report.accepted.append(finding.id)
        bind = entry.data.get("codify")
        if bind and codify is not None:
            # Lists of names are tuples to the codify parameter parser, as in a finding.
            params = {k: tuple(v) if isinstance(v, list) else v
                      for k, v in (bind.get("params") or {}).items()}
            codify(project, finding.id, template=bind["template"], target=bind["target"],
                   params=params or None, domain=bind.get("domain"))
            report.codified.append(finding.id)
        if entry.data.get("link") or entry.data.get("sites"):
            link_test = _optional("dna_kit.codify.links", "link_test")
            if link_test is None:
                if "linked checks (dna_kit.codify.links.link_test)" not in report.missing:
                    report.missing.append("linked checks (dna_kit.codify.links.link_test)")
            else:
                for node in entry.data.get("link") or ():
                    link_test(project, finding.id, node)
                    report.linked.append(f"{finding.id} {node}")
                report.sites += _add_sites(project, finding.id, entry.data.get("sites") or ())
        if entry.data.get("adr") and write_adr is not None:
            owner = entry.data.get("owner")
            write_adr(project, finding.id, fmt=entry.data["adr"], today=day,
                      decision_makers=[owner] if owner else [],
                      consulted=[r for r in plan.review.reviewers if r != owner])
            report.decisions.append(finding.id)
        _pin(project, finding.id, day)
    log(describe(report))
    return report


def describe(report: BuildReport) -> str:
    """A few lines saying what the build did and what it could not do yet."""
    lines = [
        f"read {report.sources} source files; {report.candidates} candidates extracted",
        f"review: {len(report.accepted)} accepted, {len(report.rejected)} rejected, "
        f"{report.unreviewed} not reviewed (kept out of the ledger)"
        + (f", {len(report.manual)} captured by hand" if report.manual else ""),
        f"codified {len(report.codified)} as property tests; "
        f"{len(report.decisions)} decision records",
    ]
    if report.linked or report.sites:
        lines.append(f"linked {len(report.linked)} hand-written checks; "
                     f"{len(report.sites)} site{'' if len(report.sites) == 1 else 's'} located by hand")
    lines += [f"not there yet: {stage}" for stage in report.missing]
    return "\n".join(lines)


# -- --check -------------------------------------------------------------------------------

def _files(base: Path) -> Iterator[str]:
    for name in OUTPUTS:
        path = base / name
        if path.is_file():
            yield name
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not child.name.startswith(".dna.lock") and \
                        "__pycache__" not in child.parts and ".hypothesis" not in child.parts:
                    yield child.relative_to(base).as_posix()


def differences(root: Path, built: Path) -> list[str]:
    """Files that differ between the committed DNA under ``root`` and a fresh build."""
    ours, theirs = set(_files(root)), set(_files(built))
    out = [f"only committed: {n}" for n in sorted(ours - theirs)]
    out += [f"only built: {n}" for n in sorted(theirs - ours)]
    out += [f"differs: {n}" for n in sorted(ours & theirs)
            if not filecmp.cmp(root / n, built / n, shallow=False)]
    return out


def check(root: Path = HERE) -> list[str]:
    """Build a copy of the example and compare it with the committed DNA, byte for byte."""
    with tempfile.TemporaryDirectory(prefix="dna-check-") as tmp:
        copy = Path(tmp) / "logistics"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(
            "__pycache__", ".pytest_cache", ".hypothesis"))
        build(copy, log=lambda line: None)
        return differences(root, copy)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=HERE, help="the example to build")
    parser.add_argument("--check", action="store_true",
                        help="compare a fresh build with the committed files; exit 1 on drift")
    args = parser.parse_args(argv)
    try:
        if args.check:
            drift = check(args.root)
            for line in drift:
                print(line)
            if drift:
                print(f"{len(drift)} file(s) out of date: run python {Path(__file__).name}")
                return 1
            print("the committed DNA is what build_dna.py produces")
            return 0
        build(args.root)
    except DnaKitError as exc:
        print(f"build_dna: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
