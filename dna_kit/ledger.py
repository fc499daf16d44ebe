"""The ledger: a repository's findings, one Markdown file each, under ``dna/findings/``.

A finding file is YAML front matter (the fields, which are the truth) followed by a
readable Markdown body. The tool writes the body when it creates the file and re-renders
it on later changes only while nobody has edited it; a person's edits always survive.

>>> ledger = load_ledger("path/to/repo")          # doctest: +SKIP
>>> ledger.to_dataframe().groupby("layer").size()  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from dna_kit.errors import (
    FindingNotFound,
    InvalidFields,
    InvalidFinding,
    LedgerInvalid,
    ProjectError,
    clip,
)
from dna_kit.fileio import atomic_write, create_exclusive
from dna_kit.finding import ID_RE, Finding, Provenance
from dna_kit.project import Project, find_project

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Ledger",
    "LedgerEntry",
    "add_finding",
    "find_entry",
    "load_ledger",
    "locked",
    "parse_finding_file",
    "provenance_from_spec",
    "quote_lines",
    "render_finding_file",
    "set_status",
    "update_finding",
]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses aliases: a 600-byte file of nested aliases ("billion
    laughs") would otherwise expand to gigabytes. Findings never need them."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"YAML alias *{event.anchor} is not allowed in a finding",
                event.start_mark)
        return super().compose_node(parent, index)


#: A finding file is a page of text; anything larger is not one (and is not parsed).
MAX_FINDING_BYTES = 1 << 20


def _load_front(front: str) -> Any:
    """The front matter's data: the fast C loader, or the alias-refusing one when the
    text could hold an alias (``*name``)."""
    loader = _NoAliasLoader if "*" in front else _Loader
    return yaml.load(front, Loader=loader)
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_FILE_RE = re.compile(r"^(F-[0-9]{4,})(?:-[a-z0-9-]*)?\.md$")
_ID_NUM_RE = re.compile(r"^F-([0-9]{4,})")
LOCK_NAME = ".dna.lock"


# -- the file format ------------------------------------------------------------------------

def render_body(finding: Finding) -> str:
    """The Markdown body the tool writes below the front matter."""
    lines = [f"# {finding.id}: {finding.title}", ""]
    lines.append(f"**Rule** ({finding.layer} · {finding.kind} · {finding.status}): "
                 f"{finding.statement}")
    if finding.params:
        lines += ["", "| parameter | value |", "|---|---|"]
        lines += [f"| `{k}` | {_cell(v)} |" for k, v in finding.params.items()]
    if finding.rationale:
        lines += ["", "## Why", "", finding.rationale]
    if finding.provenance:
        lines += ["", "## Evidence", ""]
        for prov in finding.provenance:
            lines.append(f"- {prov.describe()}")
            if prov.quote:
                lines += [f"  > {q}" for q in prov.quote.splitlines() or [""]]
    if finding.rejected_reason:
        lines += ["", "## Rejected", "", finding.rejected_reason]
    lines += ["", "<!-- Fields live in the front matter above; this text is yours to edit. -->"]
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    text = ", ".join(value) if isinstance(value, tuple) else str(value)
    return text.replace("|", "\\|")


def render_finding_file(finding: Finding, body: str | None = None) -> str:
    """The whole file for ``finding``: front matter, then ``body`` (or a fresh one)."""
    front = yaml.dump(finding.to_dict(), Dumper=_Dumper, sort_keys=False,
                      allow_unicode=True, width=88, default_flow_style=False)
    return f"---\n{front}---\n\n{render_body(finding) if body is None else body}"


def _field_line(front: str, first_line: int, field_name: str | None) -> int:
    """The file line where a top-level field (``params.cap`` → ``params``) is written."""
    if not field_name:
        return first_line
    key = re.split(r"[.\[]", field_name, maxsplit=1)[0]
    for offset, line in enumerate(front.splitlines()):
        if line.startswith(f"{key}:"):
            return first_line + offset
    return first_line


def split_front_matter(text: str, path: str | Path) -> tuple[str, str]:
    """``(front matter, body)``; raises InvalidFinding when there is no front matter."""
    if not text.strip():
        raise InvalidFinding("empty file; a finding needs YAML front matter", path=path,
                             line=1)
    if not text.startswith("---"):
        raise InvalidFinding("no front matter: the file must start with a '---' line",
                             path=path, line=1)
    end = text.find("\n---", 3)
    if end < 0:
        raise InvalidFinding("front matter is not closed by a '---' line", path=path, line=1)
    after = text.find("\n", end + 4)
    body = "" if after < 0 else text[after + 1:]
    if body.startswith("\n"):
        body = body[1:]
    return text[text.index("\n") + 1:end + 1], body


def parse_finding_file(path: str | Path, data: bytes | None = None) -> tuple[Finding, str]:
    """Read and validate one finding file: ``(finding, body)``.

    Every problem is an :class:`InvalidFinding` naming the path, the line and the field.
    """
    path = Path(path)
    if data is None:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FINDING_BYTES + 1)
    else:
        raw = data
    if len(raw) > MAX_FINDING_BYTES:
        raise InvalidFinding(f"larger than {MAX_FINDING_BYTES // 1024} KiB; a finding file is "
                             "a page of Markdown", path=path, line=1)
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a BOM some editors on Windows add
    if b"\x00" in raw[:8192]:
        raise InvalidFinding("binary file; only F-NNNN-slug.md Markdown files belong here",
                             path=path, line=1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidFinding(f"not UTF-8 text (byte {raw[exc.start]:#04x} at offset "
                             f"{exc.start})", path=path, line=line) from None
    front, body = split_front_matter(text, path)
    try:
        data_ = _load_front(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + (mark.line if mark is not None else 0)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark",
                                                                       None)
        if context and context_mark is not None and context_mark.line != (mark and mark.line):
            problem += f" ({context} that starts on line {2 + context_mark.line})"
        raise InvalidFinding(f"malformed front matter: {problem}", path=path,
                             line=line) from None
    try:
        finding = Finding.from_dict(data_)
    except InvalidFields as exc:  # each problem on the line of its own field
        raise InvalidFields([e.located(path, _field_line(front, 2, e.field))
                             for e in exc.errors]) from None
    except InvalidFinding as exc:
        raise exc.located(path, _field_line(front, 2, exc.field)) from None
    match = _FILE_RE.match(path.name)
    if match and match.group(1) != finding.id:
        raise InvalidFinding(f"id={finding.id!r} does not match the file name {path.name!r}",
                             path=path, line=_field_line(front, 2, "id"), field="id",
                             value=finding.id)
    return finding, body


# -- the ledger -----------------------------------------------------------------------------

@dataclass(frozen=True)
class LedgerEntry:
    finding: Finding
    path: Path
    body: str


class Ledger:
    """The findings of one repository, validated, in id order."""

    def __init__(self, project: Project, entries: Iterable[LedgerEntry]) -> None:
        self.project = project
        self._entries = {e.finding.id: e for e in sorted(entries, key=lambda e: _id_key(
            e.finding.id))}

    def __iter__(self) -> Iterator[Finding]:
        return (e.finding for e in self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, finding_id: object) -> bool:
        return finding_id in self._entries

    def __getitem__(self, finding_id: str) -> Finding:
        return self.entry(finding_id).finding

    def entry(self, finding_id: str) -> LedgerEntry:
        try:
            return self._entries[finding_id]
        except KeyError:
            raise FindingNotFound(finding_id) from None

    def path_of(self, finding_id: str) -> Path:
        return self.entry(finding_id).path

    @property
    def findings(self) -> list[Finding]:
        return list(self)

    def filter(self, *, layer: str | None = None, kind: str | None = None,
               status: str | Iterable[str] | None = None) -> list[Finding]:
        """Findings matching every criterion given."""
        statuses = {status} if isinstance(status, str) else (set(status) if status else None)
        return [f for f in self
                if (layer is None or f.layer == layer)
                and (kind is None or f.kind == kind)
                and (statuses is None or f.status in statuses)]

    def to_dataframe(self) -> pd.DataFrame:
        """One row per finding: the fields, the file path, and counts of links."""
        import pandas as pd

        rows = []
        for entry in self._entries.values():
            f = entry.finding
            rows.append({
                "id": f.id, "title": f.title, "layer": f.layer, "kind": f.kind,
                "status": f.status, "statement": f.statement, "rationale": f.rationale,
                "owner": f.owner, "area": f.area, "tags": list(f.tags),
                "params": {k: str(v) if not isinstance(v, tuple) else list(v)
                           for k, v in f.params.items()},
                "created": f.created, "updated": f.updated,
                "confidence": f.confidence,
                "sources": [p.describe() for p in f.provenance],
                "tests": list(f.links.tests), "decisions": list(f.links.decisions),
                "path": str(entry.path),
            })
        columns = ["id", "title", "layer", "kind", "status", "statement", "rationale",
                   "owner", "area", "tags", "params", "created", "updated", "confidence",
                   "sources", "tests", "decisions", "path"]
        return pd.DataFrame(rows, columns=columns)


def _id_key(finding_id: str) -> int:
    m = _ID_NUM_RE.match(finding_id)
    return int(m.group(1)) if m else 0


def _finding_files(findings_dir: Path) -> list[Path]:
    if not findings_dir.is_dir():
        return []
    # Everything but hidden files (the lock, a crashed write's temp file): a folder or a
    # FIFO named like a finding is reported by load_ledger, not silently left out.
    return sorted(p for p in findings_dir.iterdir() if not p.name.startswith("."))


def load_ledger(project: str | Path | Project = ".") -> Ledger:
    """Load and validate every finding under ``dna/findings/``.

    Raises :class:`~dna_kit.errors.LedgerInvalid` listing *every* bad file (path, line,
    field, value), including two files that claim one id.
    """
    project = project if isinstance(project, Project) else find_project(project)
    errors: list[InvalidFinding] = []
    entries: list[LedgerEntry] = []
    seen: dict[str, list[Path]] = {}
    for path in _finding_files(project.findings_dir):
        if path.suffix != ".md" or not path.is_file():
            what = "a folder" if path.is_dir() else "not a finding file"
            errors.append(InvalidFinding(
                f"{what}; only F-NNNN-slug.md files belong in dna/findings/",
                path=path, line=None if path.is_dir() else 1))
            continue
        try:
            finding, body = parse_finding_file(path)
        except InvalidFields as exc:  # every problem of the file, not only the first
            errors.extend(exc.errors)
            continue
        except InvalidFinding as exc:
            errors.append(exc)
            continue
        except OSError as exc:
            errors.append(InvalidFinding(f"cannot read: {exc.strerror}", path=path))
            continue
        seen.setdefault(finding.id, []).append(path)
        entries.append(LedgerEntry(finding, path, body))
    for finding_id, paths in seen.items():
        if len(paths) > 1:  # every claimant is named: neither is obviously the right one
            for path in paths:
                others = ", ".join(p.name for p in paths if p != path)
                errors.append(InvalidFinding(
                    f"duplicate id={finding_id!r}, also claimed by {others}",
                    path=path, line=_id_line(path), field="id", value=finding_id))
    if errors:
        raise LedgerInvalid(errors)
    return Ledger(project, entries)


def _id_line(path: Path) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("id:"):
            return number
    return 1


# -- writing --------------------------------------------------------------------------------

@contextmanager
def locked(project: str | Path | Project) -> Iterator[None]:
    """An exclusive lock over the ledger, across processes: hold it around id allocation
    and any read-modify-write of findings. Re-entrant within a thread, so a caller holding
    it (to check the ledger, then add) can call :func:`add_finding`, which takes it too.

    >>> with locked(project):                      # doctest: +SKIP
    ...     update_finding(project, "F-0001", new)
    """
    project = project if isinstance(project, Project) else find_project(project)
    findings_dir = project.findings_dir
    findings_dir.mkdir(parents=True, exist_ok=True)
    key = str(findings_dir.resolve())
    held: set[str] = _HELD.__dict__.setdefault("dirs", set())
    if key in held:  # flock() on a second descriptor would wait for this thread forever
        yield
        return
    fd = os.open(findings_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        held.add(key)
        yield
    finally:
        held.discard(key)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


_HELD = threading.local()  # the findings directories whose lock this thread holds


def _next_number(findings_dir: Path) -> int:
    highest = 0
    for name in os.listdir(findings_dir):
        m = _ID_NUM_RE.match(name)
        if m:
            highest = max(highest, int(m.group(1)))
    return highest + 1


def add_finding(project: str | Path | Project, fields: Mapping[str, Any] | Finding,
                *, today: _dt.date | None = None) -> Finding:
    """Validate ``fields`` (everything but ``id``), give it the next free id, and write
    ``dna/findings/F-NNNN-slug.md``. Safe when several processes add at once.

    >>> add_finding(".", {"title": "Retry cap", "statement": "...", "layer": "how",
    ...                   "kind": "retry_policy"}).id           # doctest: +SKIP
    'F-0001'
    """
    project = project if isinstance(project, Project) else find_project(project)
    data = fields.to_dict() if isinstance(fields, Finding) else dict(fields)
    today = today or _dt.date.today()
    data.setdefault("created", today.isoformat())
    data.setdefault("updated", data["created"])
    # Validate before taking the lock, so bad input never holds it or writes anything.
    probe = Finding.from_dict({**data, "id": "F-0000"})
    with locked(project):
        number = _next_number(project.findings_dir)
        while True:
            finding = replace(probe, id=f"F-{number:04d}")
            path = project.findings_dir / finding.filename
            if create_exclusive(path, render_finding_file(finding)):
                return finding
            number += 1


def find_entry(project: str | Path | Project, finding_id: str) -> LedgerEntry:
    """One finding by id, read straight from its file (no need to load the whole ledger)."""
    project = project if isinstance(project, Project) else find_project(project)
    finding_id = finding_id.strip()
    if re.fullmatch(r"[0-9]+", finding_id):  # "7" means F-0007
        finding_id = f"F-{int(finding_id):04d}"
    if not ID_RE.match(finding_id):  # never a file pattern: no globs, no paths
        raise FindingNotFound(clip(finding_id, 40))
    paths = sorted(project.findings_dir.glob(f"{finding_id}-*.md")) + sorted(
        project.findings_dir.glob(f"{finding_id}.md"))
    if not paths:
        raise FindingNotFound(finding_id)
    if len(paths) > 1:
        raise LedgerInvalid([InvalidFinding(
            f"duplicate id={finding_id!r}, also claimed by {paths[0].name}", path=p, line=2,
            field="id", value=finding_id) for p in paths[1:]])
    finding, body = parse_finding_file(paths[0])
    return LedgerEntry(finding, paths[0], body)


def update_finding(project: str | Path | Project, finding_id: str,
                   change: Finding | Mapping[str, Any], *,
                   today: _dt.date | None = None) -> Finding:
    """Replace a finding's fields, keeping its file and the person's edits to its body.

    ``change`` is either the new :class:`Finding` or a mapping of fields to change. The
    file is read, changed and written under :func:`locked`, so a mapping of changes is
    applied to the finding as it is now, whoever else is editing it. (A whole Finding
    replaces what is there: build it under the lock too.)
    """
    project = project if isinstance(project, Project) else find_project(project)
    with locked(project):
        entry = find_entry(project, finding_id)
        old = entry.finding
        new = change if isinstance(change, Finding) else old.evolve(**dict(change))
        if new.id != old.id:
            raise InvalidFinding(f"id={new.id!r} cannot change (was {old.id!r})", field="id",
                                 value=new.id, path=entry.path)
        if new != old:
            new = replace(new, updated=today or _dt.date.today())
        # The body is the tool's only while it is exactly what the tool wrote.
        body = render_body(new) if entry.body == render_body(old) else entry.body
        atomic_write(entry.path, render_finding_file(new, body))
        return new


def set_status(project: str | Path | Project, finding_id: str, status: str, *,
               reason: str | None = None) -> Finding:
    """``accept``, ``codify`` or ``reject`` (with a reason) a finding in place."""
    project = project if isinstance(project, Project) else find_project(project)
    with locked(project):
        old = find_entry(project, finding_id).finding
        return update_finding(project, finding_id, old.with_status(status, reason=reason))


def provenance_from_spec(spec: str) -> Provenance:
    """``path/to/file.md:12-14`` (or ``:12``, or no lines) → :class:`Provenance`."""
    m = re.match(r"^(?P<path>.+?)(?::(?P<start>[0-9]+)(?:-(?P<end>[0-9]+))?)?$", spec)
    if not m or not m.group("path"):
        raise InvalidFinding(f"source={spec!r} must look like PATH:START-END", field="source",
                             value=spec)
    start = int(m.group("start")) if m.group("start") else None
    end = int(m.group("end")) if m.group("end") else start
    return Provenance.from_dict({"source": m.group("path"), "line_start": start,
                                 "line_end": end})


def quote_lines(project: str | Path | Project, path: str | Path, start: int | None,
                end: int | None) -> str | None:
    """The text of lines ``start``..``end`` of a source file of the repository, verbatim,
    or None if the file cannot be read as text (the provenance still records the path and
    lines). A path outside the repository, or lines past the end of the file, are an
    InvalidFinding naming the source.
    """
    if start is None:
        return None
    project = project if isinstance(project, Project) else find_project(project)
    try:
        source = project.inside(path, what="source")
    except ProjectError as exc:
        raise InvalidFinding(str(exc), field="source", value=str(path)) from None
    if not source.is_file():
        return None
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    last = end or start
    if start < 1 or last < start:
        raise InvalidFinding(f"lines {start}-{last} of {path} are not a range", field="source",
                             value=start)
    if last > len(lines):
        raise InvalidFinding(f"line {last} is past the end of {path} ({len(lines)} lines)",
                             field="source", value=last)
    chosen = lines[start - 1:last]
    return "\n".join(chosen).strip() or None
