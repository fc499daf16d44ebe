"""Property tests: a finding becomes ``dna/tests/test_<id>_<slug>.py``, linked both ways.

:func:`write_test` works out the binding (from the arguments, or the one the finding
already has), renders, refuses to overwrite a file a person edited, writes through
:func:`~dna_kit.codify.artifacts.write_generated`, and records the binding, the link and the
``codified`` status on the finding. :func:`preview_test` returns the same text and writes
nothing. Neither touches the decision record: :func:`dna_kit.codify.codify` does both.

When a template needs an input domain and none is given, the target's type hints say it.
The target is never imported here: :func:`inspect_target` imports it in a child Python
(the repository root on its import path, a time limit) and reads back its shape, so an
import that exits, hangs or crashes is one :class:`~dna_kit.errors.CodifyError`.

>>> write_test(".", "F-0007", template="backoff_schedule",
...            target="dispatch.carrier:backoff_delay").path.name     # doctest: +SKIP
'test_f0007_carrier-retry-cap.py'
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dna_kit.codify.artifacts import write_generated
from dna_kit.codify.bindings import LibraryBinding, build_binding_registry, find_library
from dna_kit.codify.domains import Domain, domain_from_hint, parse_domain
from dna_kit.codify.literals import emit
from dna_kit.codify.params import parse_override
from dna_kit.codify.render import is_pristine, parse_target, render_test, test_id
from dna_kit.codify.sites import SiteMerge, merge_sites, search_sites
from dna_kit.codify.stale import LINKED_TEMPLATE, mark_source
from dna_kit.codify.templates import TemplateSpec, build_template_registry
from dna_kit.errors import CodifyError, InvalidFinding
from dna_kit.fileio import relative_path
from dna_kit.finding import Binding, Finding, ParamValue, parse_param
from dna_kit.ledger import find_entry, update_finding
from dna_kit.project import Project, find_project
from dna_kit.registry import Registry

__all__ = ["Artifact", "TargetShape", "default_test_path", "domain_from_target",
           "inspect_target", "preview_test", "write_test"]

#: How long importing a target may take before it counts as hanging, in seconds.
TARGET_TIMEOUT = 20.0
_DOMAIN_EXAMPLES = "int:0..1000, float:0..60, text, ..."


@dataclass(frozen=True)
class Artifact:
    """A generated file and the finding it belongs to; ``written`` is False when the file
    already held exactly this content."""

    path: Path
    kind: str  # "test" or "decision"
    finding: Finding
    written: bool
    template: str
    #: Where the finding's values live in the code (stored in ``binding.sites``), and what
    #: the search found or why it found nothing.
    sites: SiteMerge | None = None


def default_test_path(project: Project, finding: Finding) -> Path:
    """``dna/tests/test_f0007_<slug>.py`` (the slug with underscores, so it imports).

    >>> default_test_path(project, finding).name            # doctest: +SKIP
    'test_f0007_carrier_retry_cap.py'
    """
    return project.tests_dir / f"test_{test_id(finding.id)}_{finding.slug.replace('-', '_')}.py"


# -- the target, seen from a child process ------------------------------------------------

@dataclass(frozen=True)
class TargetShape:
    """What a target is, as a child Python that imported it reported: ``kind`` is
    ``function``, ``class``, ``callable`` (an object with ``__call__``), ``module`` or
    ``value``; ``signature`` is its call signature as text (None when it has none), and
    ``first_hint`` the type hint of its first parameter (a type dna_kit can read, else
    None; ``first_hint_text`` shows it either way)."""

    target: str
    kind: str
    type_name: str
    signature: str | None = None
    first_param: str | None = None
    first_hint: Any = None
    first_hint_text: str | None = None
    #: The object's class as ``module.Qualname`` for each class of its MRO (a configured
    #: library object is recognised by it: ``urllib3.util.retry.Retry``), and, for a
    #: function, the same for each attribute it carries (a tenacity ``@retry`` function's
    #: ``retry``).
    classes: tuple[str, ...] = ()
    members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def class_name(self) -> str:
        """The object's own class, ``module.Qualname``."""
        return self.classes[0] if self.classes else ""

    @property
    def callable(self) -> bool:
        return self.kind in ("function", "class", "callable")


_MARK = "@@dna-kit-target@@ "
# Runs in the child: stdlib only, so it works whatever the repository installs. What the
# import prints goes to stderr; the one answer line goes to stdout, then the process ends
# at once (no atexit handler or leftover thread of the target's can hold it open).
_PROBE = r'''
import importlib, inspect, json, os, sys, typing
MARK, module, attrs = sys.argv[1], sys.argv[2], sys.argv[3:]
out, sys.stdout = sys.stdout, sys.stderr

def tree(h):
    if h in (bool, int, float, str, bytes, list, tuple):
        return {"name": h.__name__}
    origin = typing.get_origin(h)
    if origin in (list, tuple):
        return {"name": origin.__name__, "args": [tree(a) for a in typing.get_args(h)]}
    return {"other": repr(h)[:200]}

def classes(o):
    try:
        return [f"{c.__module__}.{c.__qualname__}" for c in type(o).__mro__]
    except Exception:
        return []

def probe():
    try:
        obj = importlib.import_module(module)
    except SystemExit as exc:
        return {"error": "exit", "detail": repr(exc.code)}
    except BaseException as exc:
        return {"error": "import", "detail": f"{type(exc).__name__}: {exc}"[:500]}
    for i, attr in enumerate(attrs):
        if not hasattr(obj, attr):
            return {"error": "missing", "detail": ".".join(attrs[: i + 1])}
        obj = getattr(obj, attr)
    if inspect.isclass(obj):
        kind = "class"
    elif inspect.ismodule(obj):
        kind = "module"
    elif inspect.isroutine(obj):
        kind = "function"
    elif callable(obj):
        kind = "callable"
    else:
        kind = "value"
    shape = {"kind": kind, "type": type(obj).__name__, "signature": None, "first": None,
             "hint": None, "classes": classes(obj), "members": {}}
    if kind == "function":
        for name, value in list(getattr(obj, "__dict__", {}).items())[:50]:
            if not name.startswith("__"):
                shape["members"][name] = classes(value)
    if kind in ("class", "function", "callable"):
        try:
            sig = inspect.signature(obj)
            shape["signature"] = str(sig)
            first = next(iter(sig.parameters.values()), None)
            shape["first"] = first.name if first is not None else None
        except (TypeError, ValueError):
            first = None
        try:
            hints = typing.get_type_hints(obj)
        except Exception:
            hints = {}
        if first is not None and first.name in hints:
            shape["hint"] = tree(hints[first.name])
    return shape

try:
    answer = probe()
except BaseException as exc:
    answer = {"error": "shape", "detail": f"{type(exc).__name__}: {exc}"[:500]}
out.write("\n" + MARK + json.dumps(answer) + "\n")
out.flush()
os._exit(0)
'''


def _hint(tree: Any) -> Any:
    """A type hint rebuilt from the child's description, or None for one dna_kit cannot
    read (which then implies no domain)."""
    if not isinstance(tree, dict) or "name" not in tree:
        return None
    base = {"bool": bool, "int": int, "float": float, "str": str, "bytes": bytes,
            "list": list, "tuple": tuple}.get(tree["name"])
    args = [_hint(a) for a in tree.get("args", [])]
    if base in (list, tuple) and args:
        if any(a is None for a in args):
            return None
        return base[tuple(args)] if base is tuple else base[args[0]]
    return base


def _hint_text(tree: Any) -> str | None:
    if not isinstance(tree, dict):
        return None
    if "other" in tree:
        return str(tree["other"])
    args = tree.get("args")
    return f"{tree['name']}[{', '.join(filter(None, map(_hint_text, args)))}]" if args \
        else str(tree["name"])


def inspect_target(project: str | Path | Project, target: str, *,
                   timeout: float = TARGET_TIMEOUT) -> TargetShape:
    """Import ``target`` (``module:callable``) in a child Python started in the repository
    root, with the root first on its ``PYTHONPATH``, as pytest would import it, and report
    its shape. Nothing in this process changes (no ``sys.path``, no module imported).

    An import that fails, exits, runs past ``timeout`` seconds or crashes the child, and a
    name the module lacks, are each one :class:`~dna_kit.errors.CodifyError` naming the
    target.

    >>> inspect_target(".", "dispatch.carrier:backoff_delay").signature  # doctest: +SKIP
    '(attempt: int) -> float'
    """
    project = project if isinstance(project, Project) else find_project(project)
    ref = parse_target(target)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(project.root),
                                                      env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # no __pycache__ left in the repository
    env["PYTHONIOENCODING"] = "utf-8"
    proc = subprocess.Popen(
        [sys.executable, "-c", _PROBE, _MARK, ref.module, *ref.attrs], cwd=project.root,
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise CodifyError(f"importing target {target!r} did not finish within {timeout:g} s "
                          "(does the module loop or wait at import time?)", field="target",
                          value=target) from None
    answer = next((line[len(_MARK):] for line in reversed(out.decode("utf-8", "replace")
                                                            .splitlines())
                   if line.startswith(_MARK)), None)
    if answer is None:
        code = proc.returncode
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        tail = [line for line in err.decode("utf-8", "replace").splitlines() if line.strip()]
        raise CodifyError(f"importing target {target!r} ended its process: it {how}"
                          + (f" ({tail[-1].strip()[:300]})" if tail else ""),
                          field="target", value=target)
    data = json.loads(answer)
    error = data.get("error")
    if error == "exit":
        raise CodifyError(f"importing target {target!r} exits the process (SystemExit "
                          f"{data['detail']})", field="target", value=target)
    if error == "missing":
        raise CodifyError(f"target {target!r}: module {ref.module!r} has no "
                          f"{data['detail']!r}", field="target", value=target)
    if error:
        raise CodifyError(f"cannot import target {target!r} ({data['detail']})",
                          field="target", value=target)
    return TargetShape(target=target, kind=data["kind"], type_name=data["type"],
                       signature=data["signature"], first_param=data["first"],
                       first_hint=_hint(data["hint"]), first_hint_text=_hint_text(data["hint"]),
                       classes=tuple(data.get("classes") or ()),
                       members={k: tuple(v) for k, v in (data.get("members") or {}).items()})


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()


def domain_from_target(project: str | Path | Project, target: str) -> Domain:
    """The input domain the type hint of a target's first parameter implies.

    The target is checked by :func:`inspect_target`; one that is not callable, or whose
    first parameter has no hint dna_kit reads, is a :class:`~dna_kit.errors.CodifyError`
    that asks for the domain.

    >>> domain_from_target(".", "dispatch.pricing:surcharge").text   # doctest: +SKIP
    'float:-1000.0..1000.0'
    """
    try:
        shape = inspect_target(project, target)
    except CodifyError as exc:
        raise CodifyError(f"{exc}; cannot read its type hints, so give the input domain "
                          f"({_DOMAIN_EXAMPLES})", field="domain", value=target) from None
    if not shape.callable:
        raise CodifyError(f"target {target!r} is a {shape.kind} ({shape.type_name}), not "
                          "something a test can call", field="target", value=target)
    domain = domain_from_hint(shape.first_hint) if shape.first_hint is not None else None
    if domain is None:
        shown = ("no type hint" if shape.first_hint_text is None
                 else f"the type hint {shape.first_hint_text!r}")
        raise CodifyError(f"target {target!r} has {shown} for its first argument that "
                          f"implies a domain; give the input domain ({_DOMAIN_EXAMPLES})",
                          field="domain", value=target)
    return domain


# -- binding, preview, write ----------------------------------------------------------------

def _binding(project: Project, finding: Finding, spec: TemplateSpec, *, target: str | None,
             targets: Mapping[str, str] | None, params: Mapping[str, Any] | None,
             domain: str | None) -> Binding:
    old = finding.binding if finding.binding and finding.binding.template == spec.name \
        else None
    target = target or (old.target if old else None)
    if not target:
        raise CodifyError(f"{finding.id} has no target yet: name the code the test calls, "
                          f"as MODULE:CALLABLE ({spec.call_shape})", field="target")
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
            raise CodifyError(f"params {name}={value!r}: {exc.reason}", field="params",
                              value=value) from None
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


def _prepare(project: Project, finding_id: str, *, template: str | None,
             target: str | None, targets: Mapping[str, str] | None,
             params: Mapping[str, Any] | None, domain: str | None,
             registry: Registry[TemplateSpec]) -> tuple[Finding, Binding, str]:
    """The finding, its binding and the test's text: everything but writing."""
    finding = find_entry(project, finding_id).finding
    if finding.status not in ("accepted", "codified"):
        shown = "a candidate" if finding.status == "candidate" else finding.status
        raise CodifyError(f"{finding.id} is {shown}; only an accepted finding is codified",
                          field="status", value=finding.status)
    name = template or (finding.binding.template if finding.binding
                        and finding.binding.template != LINKED_TEMPLATE else None)
    if not name:
        raise CodifyError(f"{finding.id} has no template yet: choose one of "
                          f"{', '.join(registry.names())}", field="template")
    spec = registry.get(name)
    binding = _binding(project, finding, spec, target=target or None, targets=targets,
                       params=params, domain=domain or None)
    library = _library(project, spec, binding)
    # The test records what it was generated from, so a later change makes it stale.
    return finding, binding, mark_source(render_test(finding, binding, registry=registry,
                                                     library=library), finding, binding)


def _library(project: Project, spec: TemplateSpec, binding: Binding) -> LibraryBinding | None:
    """The library binding that adapts the target, when it is a configured library object
    (a urllib3 Retry, a tenacity Retrying, ...) of a kind some binding adapts for this
    template; None for the project's own code. A target that cannot be inspected is
    left to the checks of the target itself."""
    bindings = build_binding_registry()
    if not any(spec.name in b.adapters for _, b in bindings.items()):
        return None
    try:
        shape = inspect_target(project, binding.target)
    except CodifyError:
        return None
    return find_library(shape.classes, shape.members, spec.name, registry=bindings)


def preview_test(project: str | Path | Project, finding_id: str, *,
                 template: str | None = None, target: str | None = None,
                 params: Mapping[str, Any] | None = None, domain: str | None = None,
                 targets: Mapping[str, str] | None = None,
                 registry: Registry[TemplateSpec] | None = None) -> str:
    """The test :func:`write_test` (and :func:`dna_kit.codify.codify`) would write for these
    arguments, byte for byte, without writing anything.

    >>> print(preview_test(".", "F-0001", template="backoff_schedule",
    ...                    target="dispatch.carrier:backoff_delay")[:40])  # doctest: +SKIP
    # Generated by dna_kit from finding F-0001
    """
    project = project if isinstance(project, Project) else find_project(project)
    return _prepare(project, finding_id, template=template, target=target, targets=targets,
                    params=params, domain=domain,
                    registry=registry or build_template_registry())[2]


def write_test(project: str | Path | Project, finding_id: str, *,
               template: str | None = None, target: str | None = None,
               params: Mapping[str, Any] | None = None, domain: str | None = None,
               out: str | Path | None = None, force: bool = False,
               targets: Mapping[str, str] | None = None,
               registry: Registry[TemplateSpec] | None = None) -> Artifact:
    """Write an accepted finding's property test, and mark the finding ``codified``.

    The arguments are those of :func:`dna_kit.codify.codify`, which calls this and then
    refreshes the finding's decision record; this writes the test and the finding only.

    >>> write_test(".", "F-0007", template="backoff_schedule",
    ...            target="dispatch.carrier:backoff_delay").written      # doctest: +SKIP
    True
    """
    project = project if isinstance(project, Project) else find_project(project)
    registry = registry or build_template_registry()
    finding, binding, text = _prepare(project, finding_id, template=template, target=target,
                                      targets=targets, params=params, domain=domain,
                                      registry=registry)
    path = _out_path(project, finding, out) if out is not None \
        else default_test_path(project, finding)
    _check_replaceable(project, finding, path)
    written = write_generated(path, text, force=force)
    link = relative_path(path, project.root)
    # An old generated test under a name the finding no longer has goes; a test somewhere
    # else (an earlier --out) stays where a person put it, linked.
    stale = _stale_tests(project, finding, keep=link) if out is None else []
    tests = tuple(t for t in finding.links.tests if t not in stale)
    tests = tests if link in tests else (*tests, link)
    # Where the values live, for a person to review; sites a person added stay while the
    # code they name is still there.
    sites = merge_sites(project, finding.binding.sites if finding.binding else (),
                        search_sites(project, finding, binding))
    binding = replace(binding, sites=sites.sites)
    new = replace(finding, binding=binding, status="codified",
                  links=replace(finding.links, tests=tests))
    if new != finding:
        # Only the fields codify owns: a `dna set` made meanwhile keeps its change.
        new = update_finding(project, finding.id, {"binding": new.binding,
                                                   "status": new.status, "links": new.links})
    for old in stale:
        (project.root / old).unlink()
    return Artifact(path=path, kind="test", finding=new, written=written,
                    template=binding.template, sites=sites)


_TEST_NAME_RE = re.compile(r"^(test_\w+|\w+_test)\.py$")
_GENERATED_RE = re.compile(r"^# dna-kit-hash: [0-9a-f]{64}[ \t]*$", re.M)


def _out_path(project: Project, finding: Finding, out: str | Path) -> Path:
    """Where ``out`` (relative to the root, or absolute) points, symlinks resolved, checked
    to lie inside the repository and to name a test file pytest collects."""
    resolved = (project.root / out).resolve()
    if not resolved.is_relative_to(project.root.resolve()):
        raise CodifyError(f"out={str(out)!r} lies outside the repository {project.root}; "
                          f"the test of {finding.id} is written inside it", field="out",
                          value=str(out))
    if resolved.is_dir():
        raise CodifyError(f"out={str(out)!r} is a directory; name the test file "
                          f"(test_{test_id(finding.id)}.py)", field="out", value=str(out))
    if not _TEST_NAME_RE.match(resolved.name):
        raise CodifyError(f"out={str(out)!r}: a test file pytest collects is named "
                          "test_<name>.py or <name>_test.py", field="out", value=str(out))
    return resolved


def _check_replaceable(project: Project, finding: Finding, path: Path) -> None:
    """Refuse to replace a file dna_kit did not generate for this finding (a source
    module, a finding, a hand-written test, another finding's test), whatever ``force``
    says: force only ever replaces a generated test a person edited."""
    if not path.exists():
        return
    shown = relative_path(path, project.root)
    if not path.is_file():
        raise CodifyError(f"{shown} exists and is not a file; the test of {finding.id} is "
                          "not written over it", field="out", value=shown)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    if not _GENERATED_RE.search(text):
        raise CodifyError(f"{shown} exists and was not generated by dna_kit (a person's "
                          f"file); the test of {finding.id} never replaces it", field="out",
                          value=shown)
    if f"DNA_FINDING = {emit(finding.id)}" not in text:
        raise CodifyError(f"{shown} is the generated test of another finding; the test of "
                          f"{finding.id} never replaces it", field="out", value=shown)


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
