"""Decision records: a finding becomes ``docs/adr/NNNN-slug.md``, MADR 4 or Nygard.

:func:`render_adr` returns the text; :func:`write_record` picks the next number (or the
record the finding already has), refuses to overwrite a record a person edited, writes it
through :func:`~dna_kit.codify.artifacts.write_generated` and links it both ways. It does
not touch the finding's test: :func:`dna_kit.codify.write_adr` does both. The Nygard layout is the one adr-tools writes, so
``adr list`` and ``adr generate toc`` read the directory; superseding edits the old record
the way ``adr new -s`` does.

>>> write_record(".", "F-0004", fmt="madr").name     # doctest: +SKIP
'0001-cap-carrier-retry-backoff.md'
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from dna_kit.codify.artifacts import write_generated
from dna_kit.codify.render import EMPTY_HASH, is_pristine, stamp
from dna_kit.codify.templates import template_source_path
from dna_kit.errors import CodifyError, FindingNotFound
from dna_kit.finding import Finding
from dna_kit.ledger import find_entry, locked, update_finding
from dna_kit.project import Project, find_project
from dna_kit.registry import Registry, build_registry

__all__ = ["DRAFT_MARK", "RecordContext", "build_format_registry", "default_record_format",
           "own_record", "record_convention", "render_adr",
           "write_record"]

_RECORD_RE = re.compile(r"^(\d{4,})-[^/]*\.md$")
#: Marks prose a model drafted; a record holding it is never refreshed behind a reader's back.
DRAFT_MARK = "> **Draft** written by a language model"
_DRAFT_NOTE = DRAFT_MARK + (" ({model}) from the finding; nobody has reviewed it yet. Edit "
                            "it, then delete this line.")


@dataclass(frozen=True)
class RecordContext:
    """What a record shows beyond its finding: its number and date, the people, the
    records it supersedes or is superseded by (``(number, title, filename)``), where the
    finding file is (relative to the record), and drafted prose if a model wrote some."""

    number: int
    date: _dt.date
    finding_link: str | None = None
    decision_makers: tuple[str, ...] = ()
    consulted: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()
    supersedes: tuple[tuple[int, str, str], ...] = ()
    superseded_by: tuple[tuple[int, str, str], ...] = ()
    draft_context: str | None = None
    draft_consequences: str | None = None
    draft_model: str | None = None


def build_format_registry() -> Registry[str]:
    """Record formats by name → template file (``templates/adr/<name>.md.tmpl``), then
    those of installed ``dna_kit.adr_formats`` plugins (see :mod:`dna_kit.registry`).

    >>> build_format_registry().names()
    ['madr', 'nygard']
    """
    return build_registry("decision-record format", "dna_kit.adr_formats",
                          register_builtin_formats, item_type=str)


def register_builtin_formats(formats: Registry[str]) -> None:
    """Add the shipped formats, the way a ``dna_kit.adr_formats`` plugin adds its own.

    >>> formats: Registry[str] = Registry("decision-record format")
    >>> register_builtin_formats(formats)
    >>> formats.get("nygard")
    'adr/nygard.md.tmpl'
    """
    formats.register("madr", "adr/madr.md.tmpl")
    formats.register("nygard", "adr/nygard.md.tmpl")


# -- Markdown from finding text --------------------------------------------------------------

def md_text(text: str) -> str:
    """Finding text as Markdown that cannot start a heading, a rule, front matter or a
    comment (so it can never move or fake a section adr-tools reads).

    >>> md_text("## Status") == chr(92) + "## Status"
    True
    """
    out = []
    # Every character Python ends a line at (\x0b, \x1e, \u2028, ...) ends one here too, so
    # no reader that splits lines more eagerly than Markdown sees a line start with "#".
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("#", "<!--", "---", "===", "***", "___")):
            line = line[: len(line) - len(stripped)] + "\\" + stripped
        out.append(line.replace("<!--", "&lt;!--").rstrip())
    return "\n".join(out).strip()


def md_line(text: str) -> str:
    """One line of Markdown (titles, list items): whitespace collapsed, escaped."""
    return md_text(" ".join(text.split()))


def _quote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in md_text(text).splitlines())


def _status(finding: Finding, ctx: RecordContext) -> str:
    if ctx.superseded_by:
        return f"superseded by ADR-{ctx.superseded_by[0][0]:04d}"
    return {"candidate": "proposed", "rejected": "rejected"}.get(finding.status, "accepted")


def _evidence(finding: Finding) -> list[str]:
    lines: list[str] = []
    for prov in finding.provenance:
        lines += ["", f"Evidence: {md_line(prov.describe())}"]
        if prov.quote:
            lines += ["", _quote(prov.quote)]
    return lines


def _drafted(prose: str | None, model: str | None) -> list[str]:
    if not prose:
        return []
    return [_DRAFT_NOTE.format(model=md_line(model or "a model")), "", md_text(prose), ""]


def _confirmation(finding: Finding) -> str:
    if finding.links.tests:
        tests = ", ".join(f"`{md_line(t)}`" for t in finding.links.tests)
        how = ""
        if finding.binding:
            how = (f" (template `{md_line(finding.binding.template)}`, target "
                   f"`{md_line(finding.binding.target)}`)")
        return (f"The property test {tests}{how} enforces this decision: it runs with the "
                f"other tests, and `dna regen --prove` checks that it fails when the rule is "
                f"broken in the code.")
    return (f"No property test enforces this decision yet. Codify {finding.id} "
            f"(`dna codify {finding.id} --template NAME --target MODULE:CALLABLE`), then "
            f"regenerate this record (`dna codify {finding.id} --adr`) to name the test.")


def _links(items: Sequence[tuple[int, str, str]], verb: str) -> list[str]:
    return [f"{verb} [{n}. {md_line(title)}]({name})" for n, title, name in items]


def _sections(finding: Finding, ctx: RecordContext) -> dict[str, str]:
    context = _drafted(ctx.draft_context, ctx.draft_model)
    context += [md_text(finding.rationale or finding.statement), *_evidence(finding)]
    consequences = _drafted(ctx.draft_consequences, ctx.draft_model)
    enforced = "enforced by a property test" if finding.links.tests else \
        "ready to be enforced by a property test"
    consequences += [
        f"* Good, because the rule is written down, traced to its evidence and {enforced}, "
        "so a rewrite (by a person or a model) keeps it.",
        "* Bad, because changing the rule now means changing the finding, its test and "
        "this record together (edit the finding, then regenerate).",
    ]
    params = [f"* `{md_line(k)}` = {md_line(', '.join(v) if isinstance(v, tuple) else str(v))}"
              for k, v in finding.params.items()]
    more = [f"Finding: [{finding.id}]({ctx.finding_link})" if ctx.finding_link
            else f"Finding: {finding.id}"]
    more += [f"Source: {md_line(p.describe())}" for p in finding.provenance]
    more += _links(ctx.supersedes, "Supersedes") + _links(ctx.superseded_by, "Superseded by")
    options = [f"* {md_line(finding.title)}: {md_line(finding.statement)}"]
    options += [f"* {md_line(title)} (the earlier decision, ADR-{n:04d})"
                for n, title, _ in ctx.supersedes]
    options += ["* Leave the rule unwritten (it stays tacit, in people's heads)"]
    return {
        "title": md_line(finding.title),
        "context": "\n".join(context).strip(),
        "drivers": "\n".join([f"* {md_line(finding.statement)}", *params]),
        "options": "\n".join(options),
        "outcome": f'Chosen option: "{md_line(finding.title)}", because '
                   + (f"of what {finding.id} records: {md_line(finding.rationale)}"
                      if finding.rationale else f"it is the rule recorded in {finding.id}."),
        "consequences": "\n".join(consequences).strip(),
        "confirmation": _confirmation(finding),
        "more": "\n\n".join(more),
        "finding_ref": more[0],
        "decision": "\n\n".join([md_text(finding.statement), _confirmation(finding)]),
    }


def render_adr(finding: Finding, fmt: str = "madr", *, ctx: RecordContext | None = None,
               formats: Registry[str] | None = None) -> str:
    """The decision record for ``finding`` in ``fmt`` (``madr`` or ``nygard``), stamped
    with a content hash so later runs can tell whether a person edited it.

    >>> render_adr(finding, "nygard", ctx=RecordContext(4, date(2026, 11, 22)))  # doctest: +SKIP
    '# 4. Cap carrier retry backoff\\n\\nDate: 2026-11-22\\n...'
    """
    ctx = ctx or RecordContext(number=1, date=finding.updated or _dt.date.today())
    source = template_source_path((formats or build_format_registry()).get(fmt))
    values = _sections(finding, ctx)
    status = _status(finding, ctx)
    front = {"status": status, "date": ctx.date,
             "decision-makers": list(ctx.decision_makers), "consulted": list(ctx.consulted),
             "informed": list(ctx.informed)}
    status_lines = [] if ctx.superseded_by else [status.capitalize()]
    status_lines += _links(ctx.supersedes, "Supersedes")
    status_lines += _links(ctx.superseded_by, "Superseded by")
    values.update(
        front_matter=yaml.safe_dump(front, sort_keys=False, allow_unicode=True,
                                    default_flow_style=None, width=1000).strip(),
        number=str(ctx.number), date=ctx.date.isoformat(),
        status="\n\n".join(status_lines),
        hash_line=f"<!-- dna-kit-hash: {EMPTY_HASH} -->",
    )
    text = string.Template(source.read_text(encoding="utf-8")).substitute(values)
    return stamp(text)


# -- writing ---------------------------------------------------------------------------------

def _records(adr_dir: Path) -> dict[int, Path]:
    if not adr_dir.is_dir():
        return {}
    out: dict[int, Path] = {}
    for name in sorted(os.listdir(adr_dir)):
        m = _RECORD_RE.match(name)
        if m:
            out.setdefault(int(m.group(1)), adr_dir / name)
    return out


def _record_title(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("# "):
            return re.sub(r"^\d+\.\s+", "", line[2:]).strip()
    return path.stem


def _record_date(path: Path) -> _dt.date | None:
    m = re.search(r"^(?:date: |Date: )['\"]?(\d{4}-\d{2}-\d{2})", path.read_text(
        encoding="utf-8"), re.M)
    return _dt.date.fromisoformat(m.group(1)) if m else None


def record_convention(adr_dir: Path) -> str | None:
    """The format the newest recognisable record of ``adr_dir`` follows: ``"madr"`` (YAML
    front matter) or ``"nygard"`` (a ``## Status`` section, as adr-tools writes, ``adr
    init``'s first record included); None for a directory with neither.

    >>> record_convention(Path("docs/adr"))            # doctest: +SKIP
    'nygard'
    """
    for path in reversed(list(_records(adr_dir).values())):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if text.startswith("---\n"):
            return "madr"
        if re.search(r"^## Status[ \t]*$", text, re.M):
            return "nygard"
    return None


def default_record_format(project: Project) -> str:
    """The format a new decision record of ``project`` takes when none is asked for: the
    directory's own (:func:`record_convention`), else ``adr_format`` in
    ``dna/config.yaml``, else ``madr``. What ``dna codify --adr`` and the codify panel use.

    >>> default_record_format(project)                 # doctest: +SKIP
    'nygard'
    """
    return record_convention(project.adr_dir) or str(project.config().get("adr_format")
                                                     or "madr")


def own_record(project: Project, finding: Finding) -> Path | None:
    """The decision record in the project's record directory that ``finding`` links, if any.

    >>> own_record(project, finding)                 # doctest: +SKIP
    PosixPath('.../docs/adr/0001-cap-carrier-retry-backoff.md')
    """
    for link in finding.links.decisions:
        path = project.root / link
        if path.is_file() and _RECORD_RE.match(path.name) and path.parent == project.adr_dir:
            return path
    return None


def _ref(project: Project, path: Path) -> tuple[int, str, str]:
    m = _RECORD_RE.match(path.name)
    assert m is not None
    return int(m.group(1)), _record_title(path), path.name


def _mark_superseded(path: Path, by: tuple[int, str, str]) -> None:
    """Edit an older record's status the way ``adr new -s`` does, keeping a person's edits
    (and re-stamping only a record nobody edited)."""
    text = path.read_text(encoding="utf-8")
    pristine = is_pristine(text)
    number, title, name = by
    link = f"Superseded by [{number}. {md_line(title)}]({name})"
    if link in text:
        return
    if text.startswith("---\n"):
        text = re.sub(r"^status: .*$", f"status: superseded by ADR-{number:04d}", text,
                      count=1, flags=re.M)
        text = re.sub(r"^## More Information\n\n", f"## More Information\n\n{link}\n\n", text,
                      count=1, flags=re.M) if "## More Information" in text \
            else text.rstrip("\n") + f"\n\n{link}\n"
    else:
        text = re.sub(r"(^## Status\n\n)(?:Accepted\n\n?)?", lambda m: f"{m.group(1)}{link}\n\n",
                      text, count=1, flags=re.M)
    write_generated(path, stamp(text) if pristine else text, force=True)


def _draft(project: Project, finding: Finding) -> tuple[str, str, str]:
    from dna_kit.llm import client_for_project

    client = client_for_project(project)
    if client is None:
        raise CodifyError("drafting a decision record needs a model: set DNA_LLM_MODEL (or "
                          "llm.model in dna/config.yaml) and OPENAI_BASE_URL / "
                          "OPENAI_API_KEY", field="model")
    facts = "\n".join([f"Title: {finding.title}", f"Rule: {finding.statement}",
                       f"Why: {finding.rationale or '(not recorded)'}",
                       *[f"Evidence ({p.describe()}): {p.quote or ''}"
                         for p in finding.provenance]])
    system = ("You help engineers write architecture decision records. Write plain prose, "
              "no headings, no lists, at most 120 words, using only the facts given.")
    context = client.complete_text(
        system, "Write the context and problem statement for this decision.\n\n" + facts,
        purpose="adr draft: context")
    consequences = client.complete_text(
        system, "Write the consequences of this decision: what gets easier, what gets "
                "harder, which risks remain.\n\n" + facts,
        purpose="adr draft: consequences")
    return context.strip(), consequences.strip(), client.config.model


def write_record(project: str | Path | Project, finding_id: str, *, fmt: str | None = None,
                 draft: bool = False, force: bool = False, supersedes: str | None = None,
                 decision_makers: Sequence[str] = (), consulted: Sequence[str] = (),
                 informed: Sequence[str] = (), today: _dt.date | None = None) -> Path:
    """Write (or refresh) the decision record of a finding and link it both ways.

    A finding that already has a record in the decision-record directory keeps its number
    and date; otherwise the next ``NNNN-slug.md`` is taken. ``supersedes`` names a finding
    this one replaces: both findings and both records then point at each other. ``fmt``
    defaults to the convention of the records already in the directory (Nygard where
    ``adr init`` started it, so ``adr new -s N`` can supersede ours; see
    :func:`record_convention`), else ``adr_format`` in ``dna/config.yaml``, else
    ``madr``. The finding's test
    is left as it is (:func:`dna_kit.codify.write_adr` refreshes it too).

    >>> write_record(".", "F-0004", fmt="nygard")       # doctest: +SKIP
    PosixPath('.../docs/adr/0001-cap-carrier-retry-backoff.md')
    """
    project = project if isinstance(project, Project) else find_project(project)
    fmt = fmt or default_record_format(project)
    build_format_registry().get(fmt)
    finding = find_entry(project, finding_id).finding
    old: Finding | None = None
    if supersedes:
        try:
            old = find_entry(project, supersedes).finding
        except FindingNotFound:
            raise CodifyError(f"supersedes={supersedes!r}: no such finding",
                              field="supersedes", value=supersedes) from None
        if old.id == finding.id:
            raise CodifyError(f"{finding.id} cannot supersede itself", field="supersedes",
                              value=supersedes)
        finding = replace(finding, links=replace(finding.links, supersedes=tuple(
            dict.fromkeys((*finding.links.supersedes, old.id)))))
    drafted = _draft(project, finding) if draft else None
    with locked(project):
        path = own_record(project, finding)
        records = _records(project.adr_dir)
        if path is None:
            number = max(records, default=0) + 1
            path = project.adr_dir / f"{number:04d}-{finding.slug}.md"
            date = today or _dt.date.today()
        else:
            number = _ref(project, path)[0]
            date = _record_date(path) or today or _dt.date.today()
        older = [p for fid in finding.links.supersedes for p in [_record_of(project, fid)] if p]
        newer = [p for fid in finding.links.superseded_by
                 for p in [_record_of(project, fid)] if p]
        finding_file = find_entry(project, finding.id).path
        ctx = RecordContext(
            number=number, date=date,
            finding_link=os.path.relpath(finding_file, project.adr_dir),
            decision_makers=tuple(decision_makers) or ((finding.owner,) if finding.owner
                                                       else ()),
            consulted=tuple(consulted), informed=tuple(informed),
            supersedes=tuple(_ref(project, p) for p in older),
            superseded_by=tuple(_ref(project, p) for p in newer),
            draft_context=drafted[0] if drafted else None,
            draft_consequences=drafted[1] if drafted else None,
            draft_model=drafted[2] if drafted else None)
        write_generated(path, render_adr(finding, fmt, ctx=ctx), force=force)
        this = _ref(project, path)
        for older_path in older:
            _mark_superseded(older_path, this)
        link = path.relative_to(project.root).as_posix()
        decisions = tuple(dict.fromkeys((*finding.links.decisions, link)))
        new = replace(finding, links=replace(finding.links, decisions=decisions))
        if new != find_entry(project, finding.id).finding:
            update_finding(project, finding.id, {"links": new.links})
        if old is not None and finding.id not in old.links.superseded_by:
            update_finding(project, old.id, {"links": replace(
                old.links, superseded_by=(*old.links.superseded_by, finding.id))})
    return path


def _record_of(project: Project, finding_id: str) -> Path | None:
    try:
        return own_record(project, find_entry(project, finding_id).finding)
    except FindingNotFound:
        return None
