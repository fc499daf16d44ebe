"""A committed review file: a team's decisions on extracted candidates, applied headless.

The file (``examples/logistics/review.yaml`` is one) is YAML: a ``date`` (the day every
finding it writes is dated, so applying it twice gives the same bytes), optional
``reviewers``, and ``findings``, a list of entries in the order their ids are given. Each
entry names a ``source`` (relative to the repository) and a phrase of a ``quote``; the
candidate extracted from that source whose quote holds the phrase is the one decided on
(``manual: true``: the rule was captured by hand from the lines holding the phrase, as
``dna add --source`` does). ``decision: accept`` carries the reviewed fields (title,
statement, layer, kind, params, rationale, owner, area, tags), which replace the
extractor's guesses; ``decision: reject`` carries the ``reason``. ``codify`` and ``adr``
say how the caller protects an accepted rule; they are checked here and acted on by the
caller (codify is a later stage). So are ``link``, hand-written checks of the rule (a list of
pytest node ids ``PATH::TEST`` relative to the repository, each file present), and
``sites``, where the rule's values live beyond what codify locates (a list of ``{param,
path, line}``: one of the entry's ``params``, a file of the repository, a line in it).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dna_kit.errors import InvalidFinding, SourceError
from dna_kit.extract.candidate import Candidate
from dna_kit.finding import Finding
from dna_kit.ledger import add_finding, locked, quote_lines, update_finding
from dna_kit.project import Project, find_project
from dna_kit.review._decide import (
    _fields_key,
    _in_ledger,
    _normal,
    _repo_path,
    check_changes,
    redact_fields,
)

DECISIONS = ("accept", "reject")
ENTRY_KEYS = frozenset({"source", "quote", "decision", "manual", "title", "statement",
                        "layer", "kind", "params", "rationale", "owner", "area", "tags",
                        "codify", "adr", "reason", "link", "sites"})
CODIFY_KEYS = frozenset({"template", "target", "params", "domain"})
SITE_KEYS = frozenset({"param", "path", "line"})
#: What an entry may set on its finding, beyond the extractor's guesses.
_ENTRY_FIELDS = ("title", "statement", "layer", "kind", "params", "rationale", "owner",
                 "area")


class ReviewError(InvalidFinding):
    """A review file is wrong: names the file, the line of the entry, and the field."""


@dataclass(frozen=True)
class ReviewEntry:
    """One decision of a review file, with the line it starts on."""

    data: Mapping[str, Any]
    line: int
    index: int = 0

    @property
    def source(self) -> str:
        return str(self.data["source"])

    @property
    def quote(self) -> str:
        return str(self.data["quote"])

    @property
    def decision(self) -> str:
        return str(self.data["decision"])

    @property
    def manual(self) -> bool:
        return bool(self.data.get("manual"))


@dataclass(frozen=True)
class Review:
    """A parsed review file: its date, its entries in order, its reviewers."""

    date: _dt.date
    entries: tuple[ReviewEntry, ...]
    path: Path
    reviewers: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlannedDecision:
    """An entry and the finding fields it will be written with (checked, redacted)."""

    entry: ReviewEntry
    fields: Mapping[str, Any]
    manual: bool


@dataclass(frozen=True)
class ReviewPlan:
    """What applying a review file will write; building it writes nothing."""

    review: Review
    decisions: tuple[PlannedDecision, ...]
    warnings: tuple[str, ...] = ()


@dataclass
class ReviewResult:
    """What :func:`apply_review` wrote: each entry with its finding, in the file's order."""

    review: Review
    decisions: list[tuple[ReviewEntry, Finding]] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> list[Finding]:
        return [f for e, f in self.decisions if e.decision == "accept"]

    @property
    def rejected(self) -> list[Finding]:
        return [f for e, f in self.decisions if e.decision == "reject"]


# -- reading -------------------------------------------------------------------------------

def load_review(path: str | Path) -> Review:
    """Read and check a review file; every problem is a :class:`ReviewError` naming the
    file, the line and the field.

    >>> [e.decision for e in load_review("examples/logistics/review.yaml").entries][:2]  # doctest: +SKIP
    ['accept', 'accept']
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except OSError as exc:
        raise ReviewError(f"cannot read: {exc.strerror}", path=path) from None
    except UnicodeDecodeError as exc:
        raise ReviewError(f"not UTF-8 text ({exc.reason})", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ReviewError(f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
                          path=path, line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise ReviewError("must be a mapping with 'date' and 'findings'", path=path, line=1)
    day = data.get("date")
    if not isinstance(day, _dt.date) or isinstance(day, _dt.datetime):
        raise ReviewError(f"date={day!r} must be a date (YYYY-MM-DD)", path=path,
                          line=_key_line(node, "date"), field="date", value=day)
    items = data.get("findings")
    if not isinstance(items, list) or not items:
        raise ReviewError("must be a non-empty list", path=path,
                          line=_key_line(node, "findings"), field="findings", value=items)
    lines = _entry_lines(node)
    entries = [_check_entry(item, index, path, lines[index] if index < len(lines) else None)
               for index, item in enumerate(items)]
    reviewers = data.get("reviewers") or []
    if not isinstance(reviewers, list) or not all(isinstance(r, str) for r in reviewers):
        raise ReviewError(f"reviewers={reviewers!r} must be a list of names", path=path,
                          line=_key_line(node, "reviewers"), field="reviewers",
                          value=reviewers)
    return Review(date=day, entries=tuple(entries), path=path, reviewers=tuple(reviewers))


def _key_line(node: Any, key: str) -> int | None:
    for k, _ in getattr(node, "value", []):
        if getattr(k, "value", None) == key:
            return int(k.start_mark.line) + 1
    return None


def _entry_lines(node: Any) -> list[int]:
    for key, value in getattr(node, "value", []):
        if getattr(key, "value", None) == "findings":
            return [item.start_mark.line + 1 for item in getattr(value, "value", [])]
    return []


def _check_entry(item: Any, index: int, path: Path, line: int | None) -> ReviewEntry:
    where = f"findings[{index}]"

    def fail(name: str, message: str) -> ReviewError:
        return ReviewError(message, path=path, line=line, field=f"{where}.{name}",
                           value=item.get(name) if isinstance(item, dict) else None)

    if not isinstance(item, dict):
        raise ReviewError(f"must be a mapping, got {item!r}", path=path, line=line,
                          field=where, value=item)
    unknown = sorted(set(item) - ENTRY_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key {unknown[0]!r}; known: "
                               f"{', '.join(sorted(ENTRY_KEYS))}")
    for name in ("source", "quote"):
        if not isinstance(item.get(name), str) or not item[name].strip():
            raise fail(name, f"{name}={item.get(name)!r} must be text")
    decision = item.get("decision")
    if decision not in DECISIONS:
        raise fail("decision", f"decision={decision!r} is not one of {', '.join(DECISIONS)}")
    if decision == "reject" and not str(item.get("reason") or "").strip():
        raise fail("reason", "a rejected candidate needs a reason")
    if decision == "accept":
        for name in ("title", "statement", "layer", "kind"):
            if not item.get(name):
                raise fail(name, f"an accepted finding needs its reviewed {name}")
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
    _check_links(item, fail)
    _check_sites(item, fail)
    return ReviewEntry(data=item, line=line or 0, index=index)


def _check_links(item: Mapping[str, Any], fail: Callable[[str, str], ReviewError]) -> None:
    """``link``: a non-empty list of ``PATH::TEST`` node ids, on an accepted entry."""
    links = item.get("link")
    if links is None:
        return
    if item.get("decision") != "accept":
        raise fail("link", "only an accepted finding gets linked checks")
    if not isinstance(links, list) or not links:
        raise fail("link", f"link={links!r} must be a list of PATH::TEST node ids")
    for number, node in enumerate(links):
        file_part, sep, test = (node.partition("::") if isinstance(node, str)
                                else ("", "", ""))
        if not sep or not file_part.strip() or not test.strip() \
                or not file_part.endswith(".py"):
            raise fail(f"link[{number}]", f"link[{number}]={node!r} must look like "
                                          "PATH::TEST (a test of a .py file)")
        if file_part.startswith("/") or ".." in file_part.split("/"):
            raise fail(f"link[{number}]", f"link[{number}]={node!r}: the path must be "
                                          "relative to the repository and stay inside it")


def _check_sites(item: Mapping[str, Any], fail: Callable[[str, str], ReviewError]) -> None:
    """``sites``: a non-empty list of ``{param, path, line}``, each param one of the
    entry's ``params``, on an accepted entry."""
    sites = item.get("sites")
    if sites is None:
        return
    if item.get("decision") != "accept":
        raise fail("sites", "only an accepted finding has sites")
    if not isinstance(sites, list) or not sites:
        raise fail("sites", f"sites={sites!r} must be a list of {{param, path, line}}")
    given = item.get("params")
    params: Mapping[str, Any] = given if isinstance(given, dict) else {}
    for number, site in enumerate(sites):
        where = f"sites[{number}]"
        if not isinstance(site, dict) or not {"param", "path", "line"} <= set(site):
            raise fail(where, f"{where}={site!r} needs param, path and line")
        extra = sorted(set(site) - SITE_KEYS)
        if extra:
            raise fail(f"{where}.{extra[0]}", f"unknown key {extra[0]!r}; known: "
                                              f"{', '.join(sorted(SITE_KEYS))}")
        if site["param"] not in params:
            known = ", ".join(params) or "none"
            raise fail(f"{where}.param", f"param={site['param']!r} is not one of the "
                                         f"entry's params ({known})")
        path = site["path"]
        if not isinstance(path, str) or not path.strip() or path.startswith("/") \
                or ".." in path.split("/"):
            raise fail(f"{where}.path", f"path={path!r} must be relative to the repository "
                                        "and stay inside it")
        number_ = site["line"]
        if isinstance(number_, bool) or not isinstance(number_, int) or number_ < 1:
            raise fail(f"{where}.line", f"line={number_!r} must be a line number (1 or more)")


def _check_files(project: Project, review: Review, entry: ReviewEntry) -> None:
    """The files an entry's ``link`` and ``sites`` name are there, and so are the lines."""
    where = f"findings[{entry.index}]"

    def fail(name: str, message: str, value: Any) -> ReviewError:
        return ReviewError(message, path=review.path, line=entry.line,
                           field=f"{where}.{name}", value=value)

    for number, node in enumerate(entry.data.get("link") or ()):
        file_part = node.partition("::")[0]
        if not (project.root / file_part).is_file():
            raise fail(f"link[{number}]", f"{file_part} is not a file in the repository",
                       node)
    for number, site in enumerate(entry.data.get("sites") or ()):
        path = project.root / site["path"]
        if not path.is_file():
            raise fail(f"sites[{number}].path", f"{site['path']} is not a file in the "
                                                 "repository", site["path"])
        count = len(path.read_text(encoding="utf-8", errors="replace").splitlines())
        if site["line"] > count:
            raise fail(f"sites[{number}].line", f"{site['path']} has {count} lines, "
                                                 f"not {site['line']}", site["line"])


# -- matching ------------------------------------------------------------------------------

def match_candidate(entry: ReviewEntry, candidates: Mapping[str, Sequence[Candidate]],
                    review: Review) -> Candidate:
    """The candidate of the entry's source (``candidates`` by repository-relative source
    path) whose quote holds the entry's phrase, whitespace and case aside.

    >>> match_candidate(entry, {"incidents/pm.md": found}, review).quote  # doctest: +SKIP
    'We back off exponentially, capped at 5 s.'
    """
    phrase = _normal(entry.quote)
    proposed = candidates.get(entry.source, ())
    for candidate in proposed:
        if phrase in _normal(candidate.quote):
            return candidate
    shown = "; ".join(repr(c.quote[:60]) for c in proposed[:8])
    raise ReviewError(f"no candidate from {entry.source} quotes {entry.quote!r} (mark the "
                      f"entry manual: true if the extractor misses it); proposed: "
                      f"{shown or '(none)'}", path=review.path, line=entry.line,
                      field=f"findings[{entry.index}].quote", value=entry.quote)


def _locate(path: Path, phrase: str) -> tuple[int, int]:
    """The first and last line of ``path`` that hold ``phrase`` (whitespace-insensitive)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    flat, owner = "", []
    for number, line in enumerate(lines, start=1):
        piece = _normal(line) + " "
        flat += piece
        owner += [number] * len(piece)
    at = flat.find(_normal(phrase))
    if at < 0:
        raise SourceError(f"phrase {phrase!r} is not in the file", path=path)
    return owner[at], owner[at + len(_normal(phrase)) - 1]


def manual_fields(project: Project, entry: ReviewEntry) -> dict[str, Any]:
    """Provenance for a rule captured by hand: the lines of the entry's source that hold
    its phrase, verbatim, and the interview question when the source is a transcript.

    >>> manual_fields(project, entry)["provenance"][0]["line_start"]  # doctest: +SKIP
    14
    """
    path = project.root / entry.source
    start, end = _locate(path, entry.quote)
    provenance: dict[str, Any] = {"source": entry.source, "line_start": start,
                                  "line_end": end, "quote": quote_lines(project, path, start, end)}
    if path.parent.name == "interviews" or project.interviews_dir in path.parents:
        from dna_kit.ingest.transcript import parse_transcript

        transcript = parse_transcript(path.read_text(encoding="utf-8"), entry.source)
        for item in transcript.entries:
            if item.answer_lines and item.answer_lines[0] <= start <= item.answer_lines[1]:
                provenance["question"] = item.question_id
    return {"provenance": [provenance], "tags": ["captured:manual"]}


def _entry_fields(entry: ReviewEntry, base: Mapping[str, Any]) -> dict[str, Any]:
    fields = dict(base)
    changes = {name: entry.data[name] for name in _ENTRY_FIELDS
               if entry.data.get(name) is not None}
    fields.update(check_changes(changes))
    if entry.data.get("tags"):
        fields["tags"] = sorted({*fields.get("tags", []), *entry.data["tags"]})
    if entry.decision == "reject":
        fields["status"] = "rejected"
        fields["rejected_reason"] = str(entry.data["reason"]).strip()
    else:
        fields["status"] = "accepted"
    # Once a person has decided, the extractor's confidence in its guess says nothing more,
    # and keeping it would tie the committed files to the extractor's current weights.
    fields.pop("confidence", None)
    return fields


# -- planning and applying -----------------------------------------------------------------

def _review_path(project: Project, review_file: str | Path) -> Path:
    """A relative review file is relative to the repository, like the sources it names."""
    path = Path(review_file)
    return path if path.is_absolute() else project.root / path


def plan_review(project: Project | str | Path, review_file: str | Path,
                candidates: Iterable[Candidate] | None, *,
                strict: bool = True) -> ReviewPlan:
    """Check a review file (a relative path is relative to the repository) against the
    candidates and work out every finding it will write, writing nothing: a bad entry raises :class:`ReviewError` (file, line, field)
    before any file changes. ``candidates=None`` captures every entry by hand; with
    ``strict=False`` an entry no candidate matches is captured by hand, with a warning.

    >>> plan = plan_review(project, "review.yaml", candidates)   # doctest: +SKIP
    >>> [d.fields["status"] for d in plan.decisions][:2]          # doctest: +SKIP
    ['accepted', 'rejected']
    """
    project = project if isinstance(project, Project) else find_project(project)
    review = load_review(_review_path(project, review_file))
    by_source: dict[str, list[Candidate]] | None = None
    if candidates is not None:
        by_source = {}
        for candidate in candidates:
            by_source.setdefault(_repo_path(project, candidate.source.path),
                                 []).append(candidate)
    decisions: list[PlannedDecision] = []
    warnings: list[str] = []
    for entry in review.entries:
        where = f"findings[{entry.index}]"
        if not (project.root / entry.source).is_file():
            raise ReviewError(f"source={entry.source!r} is not a file in the repository",
                              path=review.path, line=entry.line, field=f"{where}.source",
                              value=entry.source)
        _check_files(project, review, entry)
        manual = by_source is None or entry.manual
        try:
            if manual or by_source is None:
                base = manual_fields(project, entry)
            else:
                try:
                    candidate = match_candidate(entry, by_source, review)
                    base = candidate.to_finding_fields()
                    base["provenance"][0]["source"] = entry.source
                except ReviewError as exc:
                    if strict:
                        raise
                    # The extractor changed under the review: go on from the source itself.
                    warnings.append(f"{exc.path}:{exc.line}: no candidate quotes "
                                    f"{entry.quote!r}; captured by hand from the source "
                                    "instead")
                    base, manual = manual_fields(project, entry), True
            fields = redact_fields(project, _entry_fields(entry, base))
            Finding.from_dict({**fields, "id": "F-0000"})
        except SourceError as exc:
            raise ReviewError(exc.args[0] if exc.args else str(exc), path=review.path,
                              line=entry.line, field=f"{where}.quote",
                              value=entry.quote) from None
        except ReviewError:
            raise
        except InvalidFinding as exc:
            raise ReviewError(exc.reason, path=review.path, line=entry.line,
                              field=f"{where}.{exc.field}" if exc.field else where,
                              value=exc.value) from None
        decisions.append(PlannedDecision(entry, fields, manual))
    return ReviewPlan(review, tuple(decisions), tuple(warnings))


def apply_review(project: Project | str | Path, review_file: str | Path | ReviewPlan,
                 candidates: Iterable[Candidate] | None = None, *,
                 strict: bool = True) -> ReviewResult:
    """Apply a committed review file: each entry's finding written (accepted or rejected,
    dated the review's date) in the file's order, under the ledger lock. Everything is
    checked first (:func:`plan_review`), so a bad entry writes nothing. A finding already
    in the ledger for the same source and quote is updated, so applying twice adds
    nothing. Pass a :class:`ReviewPlan` to apply what was planned before.

    >>> [f.id for f in apply_review(project, "review.yaml", candidates).accepted]  # doctest: +SKIP
    ['F-0001', 'F-0002']
    """
    project = project if isinstance(project, Project) else find_project(project)
    plan = review_file if isinstance(review_file, ReviewPlan) else plan_review(
        project, review_file, candidates, strict=strict)
    day = plan.review.date
    result = ReviewResult(plan.review, warnings=list(plan.warnings))
    with locked(project):
        existing = _in_ledger(project)
        for decision in plan.decisions:
            key = _fields_key(decision.fields)
            if key in existing:
                fields = {k: v for k, v in decision.fields.items() if k != "created"}
                finding = update_finding(project, existing[key].id, fields, today=day)
            else:
                finding = add_finding(project, decision.fields, today=day)
                existing[key] = finding
            result.decisions.append((decision.entry, finding))
            if decision.manual:
                result.manual.append(finding.id)
    return result
