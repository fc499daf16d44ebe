"""Rebuild the logistics example's DNA (``dna/`` and ``docs/adr/``) from its sources.

The committed DNA is the output of this script, nothing else: it ingests ``incidents/`` and
``interviews/``, extracts candidates, applies the team's decisions in ``review.yaml``, and
codifies the accepted rules with dna_kit's own functions. Dates come from ``review.yaml``, so
running it twice gives the same bytes.

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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from dna_kit.errors import DnaKitError, InvalidFinding, SourceError
from dna_kit.finding import Finding
from dna_kit.ledger import add_finding, find_entry, quote_lines, update_finding
from dna_kit.project import Project, init_project

HERE = Path(__file__).resolve().parent
SOURCE_DIRS = ("incidents", "interviews")
#: What the build writes; everything else in the example is input.
OUTPUTS = ("dna", "docs/adr", ".adr-dir")
DECISIONS = ("accept", "reject")
ENTRY_KEYS = {"source", "quote", "decision", "manual", "title", "statement", "layer", "kind",
              "params", "rationale", "owner", "area", "tags", "codify", "adr", "reason"}
CODIFY_KEYS = {"template", "target", "params", "domain"}


class ReviewError(DnaKitError, ValueError):
    """review.yaml is wrong: names the file, the line and the field."""

    def __init__(self, message: str, *, path: Path, line: int | None = None,
                 field: str | None = None) -> None:
        self.path, self.line, self.field = str(path), line, field
        where = self.path + (f":{line}" if line else "")
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")


@dataclass(frozen=True)
class ReviewEntry:
    """One decision of review.yaml, with the line it starts on."""

    data: Mapping[str, Any]
    line: int

    @property
    def source(self) -> str:
        return str(self.data["source"])

    @property
    def quote(self) -> str:
        return str(self.data["quote"])


@dataclass(frozen=True)
class Review:
    """The parsed review: its date and its entries, in order."""

    date: _dt.date
    entries: tuple[ReviewEntry, ...]
    path: Path
    reviewers: tuple[str, ...] = ()


@dataclass
class BuildReport:
    """What one build did, for the demo and the command line to print."""

    sources: int = 0
    candidates: int = 0
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    codified: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def unreviewed(self) -> int:
        matched = len(self.accepted) + len(self.rejected) - len(self.manual)
        return max(self.candidates - matched, 0)


# -- review.yaml ---------------------------------------------------------------------------

def load_review(path: Path) -> Review:
    """Read and check review.yaml; every problem names the line and the field.

    >>> [e.data["decision"] for e in load_review(HERE / "review.yaml").entries][:3]
    ['accept', 'accept', 'accept']
    """
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except OSError as exc:
        raise ReviewError(f"cannot read: {exc.strerror}", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ReviewError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
                          line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise ReviewError("must be a mapping with 'date' and 'findings'", path=path, line=1)
    day = data.get("date")
    if not isinstance(day, _dt.date):
        raise ReviewError(f"date={day!r} must be a date (YYYY-MM-DD)", path=path, field="date")
    items = data.get("findings")
    if not isinstance(items, list) or not items:
        raise ReviewError("must be a non-empty list", path=path, field="findings")
    lines = _entry_lines(node)
    entries = []
    for index, item in enumerate(items):
        line = lines[index] if index < len(lines) else None
        entries.append(_check_entry(item, index, path, line))
    reviewers = data.get("reviewers") or []
    if not isinstance(reviewers, list) or not all(isinstance(r, str) for r in reviewers):
        raise ReviewError(f"reviewers={reviewers!r} must be a list of names", path=path,
                          field="reviewers")
    return Review(date=day, entries=tuple(entries), path=path, reviewers=tuple(reviewers))


def _entry_lines(node: Any) -> list[int]:
    for key, value in getattr(node, "value", []):
        if getattr(key, "value", None) == "findings":
            return [item.start_mark.line + 1 for item in getattr(value, "value", [])]
    return []


def _check_entry(item: Any, index: int, path: Path, line: int | None) -> ReviewEntry:
    where = f"findings[{index}]"

    def fail(name: str, message: str) -> ReviewError:
        return ReviewError(message, path=path, line=line, field=f"{where}.{name}")

    if not isinstance(item, dict):
        raise ReviewError(f"must be a mapping, got {item!r}", path=path, line=line, field=where)
    unknown = sorted(set(item) - ENTRY_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key {unknown[0]!r}; known: {', '.join(sorted(ENTRY_KEYS))}")
    for name in ("source", "quote"):
        if not isinstance(item.get(name), str) or not item[name].strip():
            raise fail(name, f"{name}={item.get(name)!r} must be text")
    decision = item.get("decision")
    if decision not in DECISIONS:
        raise fail("decision", f"decision={decision!r} is not one of {', '.join(DECISIONS)}")
    if decision == "reject" and not item.get("reason"):
        raise fail("reason", "a rejected candidate needs a reason")
    if decision == "accept":
        for name in ("title", "statement", "layer", "kind"):
            if not item.get(name):
                raise fail(name, "an accepted finding needs its reviewed " + name)
    codify = item.get("codify")
    if codify is not None:
        if not isinstance(codify, dict) or not {"template", "target"} <= set(codify):
            raise fail("codify", f"codify={codify!r} needs template and target")
        extra = sorted(set(codify) - CODIFY_KEYS)
        if extra:
            raise fail(f"codify.{extra[0]}", f"unknown key {extra[0]!r}")
    adr = item.get("adr")
    if adr is not None and adr not in ("madr", "nygard"):
        raise fail("adr", f"adr={adr!r} is not one of madr, nygard")
    return ReviewEntry(data=item, line=line or 0)


# -- candidates ----------------------------------------------------------------------------

def _normal(text: str) -> str:
    return " ".join(text.split()).lower()


def _optional(module: str, name: str) -> Callable[..., Any] | None:
    """A library function, or None while the stage that provides it has not landed."""
    try:
        found: Callable[..., Any] = getattr(importlib.import_module(module), name)
        return found
    except (ImportError, AttributeError):
        return None


def extract_candidates(root: Path, report: BuildReport) -> dict[str, list[Any]] | None:
    """Candidates per source path (relative to ``root``), or None without an extractor."""
    from dna_kit.ingest import scan

    extract = _optional("dna_kit.extract", "extract_findings")
    if extract is None:
        report.missing.append("extract (dna_kit.extract.extract_findings)")
    found: dict[str, list[Any]] = {}
    for result in scan([root / d for d in SOURCE_DIRS]):
        if result.error is not None:
            raise result.error
        report.sources += 1
        rel = result.path.resolve().relative_to(root).as_posix()
        found.setdefault(rel, [])
        if extract is None:
            continue
        for document in result.documents:
            for candidate in extract(document):
                moved = replace(candidate, source=replace(candidate.source, path=rel))
                found[rel].append(moved)
    report.candidates = sum(len(c) for c in found.values())
    return None if extract is None else found


def _locate(path: Path, phrase: str) -> tuple[int, int]:
    """The first and last line of ``path`` that hold ``phrase`` (whitespace-insensitive)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    flat, owner = "", []
    for number, line in enumerate(lines, start=1):
        piece = " ".join(line.split()).lower() + " "
        flat += piece
        owner += [number] * len(piece)
    at = flat.find(_normal(phrase))
    if at < 0:
        raise SourceError(f"phrase {phrase!r} is not in the file", path=path)
    return owner[at], owner[at + len(_normal(phrase)) - 1]


def manual_fields(root: Path, entry: ReviewEntry) -> dict[str, Any]:
    """Provenance for a rule captured by hand: the lines holding the phrase, verbatim."""
    path = root / entry.source
    start, end = _locate(path, entry.quote)
    provenance: dict[str, Any] = {"source": entry.source, "line_start": start,
                                  "line_end": end, "quote": quote_lines(path, start, end)}
    if path.parent.name == "interviews":
        from dna_kit.ingest.transcript import parse_transcript

        transcript = parse_transcript(path.read_text(encoding="utf-8"), entry.source)
        for item in transcript.entries:
            if item.answer_lines and item.answer_lines[0] <= start <= item.answer_lines[1]:
                provenance["question"] = item.question_id
    return {"provenance": [provenance], "tags": ["captured:manual"]}


def match_candidate(entry: ReviewEntry, candidates: Mapping[str, Sequence[Any]],
                    review: Review) -> Any:
    """The candidate of the entry's source whose quote holds the entry's phrase."""
    if entry.source not in candidates:
        raise ReviewError(f"source={entry.source!r} was not read; sources: "
                          f"{', '.join(sorted(candidates))}", path=review.path,
                          line=entry.line, field="source")
    phrase = _normal(entry.quote)
    for candidate in candidates[entry.source]:
        if phrase in _normal(candidate.quote):
            return candidate
    proposed = "; ".join(repr(c.quote[:60]) for c in candidates[entry.source][:8])
    raise ReviewError(f"no candidate from {entry.source} quotes {entry.quote!r} (mark the "
                      f"entry manual: true if the extractor misses it); proposed: "
                      f"{proposed or '(none)'}", path=review.path, line=entry.line,
                      field="quote")


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


def _finding_fields(entry: ReviewEntry, base: Mapping[str, Any]) -> dict[str, Any]:
    fields = dict(base)
    for name in ("title", "statement", "layer", "kind", "params", "rationale", "owner",
                 "area"):
        if entry.data.get(name) is not None:
            fields[name] = entry.data[name]
    if entry.data.get("tags"):
        fields["tags"] = sorted({*fields.get("tags", []), *entry.data["tags"]})
    fields["status"] = "candidate"
    # Once a person has decided, the extractor's confidence in its guess says nothing more,
    # and keeping it would tie the committed files to the extractor's current weights.
    fields.pop("confidence", None)
    return fields


def build(root: Path = HERE, *, log: Callable[[str], None] = print,
          strict: bool = True) -> BuildReport:
    """Rebuild ``root``'s ``dna/`` and ``docs/adr/`` from its sources and review.yaml.

    ``strict=False`` (the demo) captures a rule by hand, with a warning, when no extracted
    candidate quotes its phrase any more, instead of failing.

    >>> build(copy_of_the_example).codified         # doctest: +SKIP
    ['F-0001', 'F-0002', 'F-0003', 'F-0007', 'F-0008', 'F-0010', 'F-0015']
    """
    root = root.resolve()
    review = load_review(root / "review.yaml")
    report = BuildReport()
    candidates = extract_candidates(root, report)
    day = review.date
    # Decide everything, and check every finding, before touching dna/: a bad entry leaves
    # the committed DNA as it was.
    plan: list[tuple[ReviewEntry, dict[str, Any], bool]] = []
    for entry in review.entries:
        manual = candidates is None or bool(entry.data.get("manual"))
        if manual or candidates is None:
            base = manual_fields(root, entry)
        else:
            try:
                base = match_candidate(entry, candidates, review).to_finding_fields()
            except ReviewError as exc:
                if strict:
                    raise
                # The extractor changed under the review: keep going from the source itself.
                log(f"warning: {exc.path}:{exc.line}: no candidate quotes {entry.quote!r}; "
                    "captured by hand from the source instead")
                base, manual = manual_fields(root, entry), True
        fields = _finding_fields(entry, base)
        try:
            Finding.from_dict({**fields, "id": "F-0000"})
        except InvalidFinding as exc:
            raise ReviewError(exc.reason, path=review.path, line=entry.line,
                              field=exc.field) from None
        plan.append((entry, fields, manual))
    codify = _optional("dna_kit.codify", "codify")
    write_adr = _optional("dna_kit.codify", "write_adr")
    if codify is None:
        report.missing.append("codify (dna_kit.codify.codify)")
    if write_adr is None:
        report.missing.append("decision records (dna_kit.codify.write_adr)")
    project = _reset(root)
    for entry, fields, manual in plan:
        finding = add_finding(project, fields, today=day)
        if manual:
            report.manual.append(finding.id)
        if entry.data["decision"] == "reject":
            update_finding(project, finding.id, finding.with_status(
                "rejected", reason=str(entry.data["reason"]).strip(), today=day), today=day)
            report.rejected.append(finding.id)
            continue
        update_finding(project, finding.id, finding.with_status("accepted", today=day),
                       today=day)
        report.accepted.append(finding.id)
        bind = entry.data.get("codify")
        if bind and codify is not None:
            # Lists of names are tuples to the codify parameter parser, as in a finding.
            params = {k: tuple(v) if isinstance(v, list) else v
                      for k, v in (bind.get("params") or {}).items()}
            codify(project, finding.id, template=bind["template"], target=bind["target"],
                   params=params or None, domain=bind.get("domain"))
            report.codified.append(finding.id)
        if entry.data.get("adr") and write_adr is not None:
            owner = entry.data.get("owner")
            write_adr(project, finding.id, fmt=entry.data["adr"], today=day,
                      decision_makers=[owner] if owner else [],
                      consulted=[r for r in review.reviewers if r != owner])
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
