"""``codify``: a finding becomes a property test in ``dna/tests/``, linked both ways.

This is the one place the codify stage writes test files. It works out the binding (from
the arguments, or the one the finding already has), renders, refuses to overwrite a file a
person edited, writes atomically, and records the binding, the link and the ``codified``
status on the finding. Running it twice changes nothing.

>>> artifact = codify(".", "F-0007", template="backoff_schedule",
...                   target="dispatch.carrier:backoff_delay")    # doctest: +SKIP
>>> artifact.path.name                                             # doctest: +SKIP
'test_f0007_carrier-retry-cap.py'
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import sys
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dna_kit.codify.domains import Domain, domain_from_hint, parse_domain
from dna_kit.codify.literals import emit
from dna_kit.codify.params import parse_override
from dna_kit.codify.render import is_pristine, parse_target, render_test, test_id
from dna_kit.codify.templates import TemplateSpec, build_template_registry
from dna_kit.errors import CodifyError, EditedArtifact, InvalidFinding
from dna_kit.fileio import atomic_write, relative_path
from dna_kit.finding import Binding, Finding, ParamValue, parse_param
from dna_kit.ledger import find_entry, update_finding
from dna_kit.project import Project, find_project
from dna_kit.registry import Registry

__all__ = ["Artifact", "codify", "default_test_path", "write_generated"]


@dataclass(frozen=True)
class Artifact:
    """A generated file and the finding it belongs to; ``written`` is False when the file
    already held exactly this content."""

    path: Path
    kind: str  # "test" or "decision"
    finding: Finding
    written: bool
    template: str


def default_test_path(project: Project, finding: Finding) -> Path:
    """``dna/tests/test_f0007_<slug>.py`` (the slug with underscores, so it imports)."""
    return project.tests_dir / f"test_{test_id(finding.id)}_{finding.slug.replace('-', '_')}.py"


def write_generated(path: Path, text: str, *, force: bool = False) -> bool:
    """Write ``text`` to ``path`` unless it is already there; refuse (EditedArtifact) when
    the file on disk was edited by a person since dna_kit wrote it, unless ``force``.

    >>> write_generated(path, render_test(finding, binding))    # doctest: +SKIP
    True
    """
    if path.exists():
        try:
            old = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            old = None
        if old == text:
            return False
        if not force and (old is None or not is_pristine(old)):
            raise EditedArtifact(path)
    atomic_write(path, text)
    return True


@contextlib.contextmanager
def _on_path(root: Path) -> Iterator[None]:
    sys.path.insert(0, str(root))
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(str(root))


def domain_from_target(project: Project, target: str) -> Domain:
    """The input domain a target's type hint for its first argument implies.

    The target is imported with the repository root on ``sys.path``, as pytest would.
    """
    ref = parse_target(target)
    with _on_path(project.root):
        try:
            obj: Any = importlib.import_module(ref.module)
            for attr in ref.attrs:
                obj = getattr(obj, attr)
        except Exception as exc:
            raise CodifyError(f"cannot import target {target!r} to read its type hints "
                              f"({type(exc).__name__}: {exc}); pass --domain "
                              "(int:0..1000, float:0..60, text, ...)") from None
    try:
        hints = typing.get_type_hints(obj)
        first = next(iter(inspect.signature(obj).parameters.values()), None)
    except (TypeError, ValueError, NameError):
        hints, first = {}, None
    hint = hints.get(first.name) if first is not None else None
    domain = domain_from_hint(hint) if hint is not None else None
    if domain is None:
        shown = "no type hint" if hint is None else f"the type hint {hint!r}"
        raise CodifyError(f"target {target!r} has {shown} for its first argument that "
                          "implies a domain; pass --domain (int:0..1000, float:0..60, "
                          "text, ...)")
    return domain


def _binding(project: Project, finding: Finding, spec: TemplateSpec, *, target: str | None,
             targets: Mapping[str, str] | None, params: Mapping[str, Any] | None,
             domain: str | None) -> Binding:
    old = finding.binding if finding.binding and finding.binding.template == spec.name \
        else None
    target = target or (old.target if old else None)
    if not target:
        raise CodifyError(f"{finding.id} has no binding yet: pass --target MODULE:CALLABLE "
                          f"({spec.call_shape})")
    parse_target(target)
    overrides: dict[str, ParamValue] = dict(old.params) if old else {}
    specs = {p.name: p for p in spec.params}
    for name, value in (params or {}).items():
        if isinstance(value, str):
            overrides[name] = parse_override(name, value, specs.get(name))
            continue
        try:  # numbers, yes/no, lists of names: as a finding file would hold them
            overrides[name] = parse_param(name, list(value) if isinstance(value, tuple)
                                          else value)
        except InvalidFinding as exc:
            raise CodifyError(f"params {name}={value!r}: {exc.reason}") from None
    extra = {**(old.targets if old else {}), **(targets or {})}
    for role, ref in extra.items():
        parse_target(ref, role=role)
    if domain is not None:
        domain_text: str | None = parse_domain(domain).text
    elif old and old.domain:
        domain_text = old.domain
    elif spec.domain == "required":
        domain_text = domain_from_target(project, target).text
    else:
        domain_text = None
    return Binding(template=spec.name, target=target, params=overrides, domain=domain_text,
                   targets=extra)


def codify(project: str | Path | Project, finding_id: str, *, template: str | None = None,
           target: str | None = None, params: Mapping[str, Any] | None = None,
           domain: str | None = None, out: str | Path | None = None, force: bool = False,
           targets: Mapping[str, str] | None = None,
           registry: Registry[TemplateSpec] | None = None,
           refresh_records: bool = True) -> Artifact:
    """Turn an accepted finding into a property test, and mark it ``codified``.

    ``template``, ``target``, ``params`` (name → text such as ``"5s"``, overriding the
    finding's), ``domain`` and ``targets`` (extra roles, e.g. ``{"decode": "m:decode"}``)
    default to the finding's existing binding, so ``codify(project, "F-0007")``
    regenerates. Raises :class:`~dna_kit.errors.EditedArtifact` when the test file was
    edited by hand (pass ``force=True`` to replace it). The finding's decision record, if
    nobody edited it, is refreshed so it names the test (``refresh_records=False``: not).

    >>> codify(".", "F-0007", template="backoff_schedule",
    ...        target="dispatch.carrier:backoff_delay").written      # doctest: +SKIP
    True
    """
    project = project if isinstance(project, Project) else find_project(project)
    registry = registry or build_template_registry()
    entry = find_entry(project, finding_id)
    finding = entry.finding
    if finding.status not in ("accepted", "codified"):
        raise CodifyError(f"{finding.id} is {finding.status}; only an accepted finding is "
                          f"codified (dna accept {finding.id})")
    name = template or (finding.binding.template if finding.binding else None)
    if not name:
        raise CodifyError(f"{finding.id} has no binding yet: pass --template NAME "
                          f"(one of {', '.join(registry.names())}; see `dna templates`)")
    spec = registry.get(name)
    binding = _binding(project, finding, spec, target=target, targets=targets,
                       params=params, domain=domain)
    text = render_test(finding, binding, registry=registry)
    path = Path(out) if out is not None else default_test_path(project, finding)
    if not path.is_absolute():
        path = project.root / path
    written = write_generated(path, text, force=force)
    link = relative_path(path, project.root)
    stale = _stale_tests(project, finding, keep=link)
    tests = tuple(t for t in finding.links.tests if t not in stale)
    tests = tests if link in tests else (*tests, link)
    new = replace(finding, binding=binding, status="codified",
                  links=replace(finding.links, tests=tests))
    if new != finding:
        new = update_finding(project, finding.id, new)
    for old in stale:
        (project.root / old).unlink()
    if refresh_records:
        _refresh_records(project, new)
    return Artifact(path=path, kind="test", finding=new, written=written, template=spec.name)


def _stale_tests(project: Project, finding: Finding, *, keep: str) -> list[str]:
    """Tests this finding links that dna_kit generated under an old name (its title
    changed) and nobody edited since: they would test the old rule, so they go."""
    marker = f"DNA_FINDING = {emit(finding.id)}"
    stale = []
    for link in finding.links.tests:
        path = project.root / link
        if link == keep or path.parent != project.tests_dir or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if marker in text and is_pristine(text):
            stale.append(link)
    return stale


def _refresh_records(project: Project, finding: Finding) -> None:
    """Re-render the finding's decision records that nobody edited, so their Confirmation
    names the test. A record a person edited, or a model's unreviewed draft, stays."""
    from dna_kit.codify.adr import DRAFT_MARK, own_record, write_adr

    path = own_record(project, finding)
    if path is None:
        return
    text = path.read_text(encoding="utf-8")
    if not is_pristine(text) or DRAFT_MARK in text:
        return
    write_adr(project, finding.id, fmt="madr" if text.startswith("---\n") else "nygard",
              refresh_test=False)
