"""Render a finding and its binding into the source of a property test (a string).

Rendering returns text; :mod:`dna_kit.codify.property_tests` is the one place that writes it. The
template file supplies the shape; everything that varies is worked out here: the provenance
header (a docstring built by a literal emitter), the target import (names checked to be
identifiers), the constants (literals), the pinned examples. The result is parsed and
compiled before anyone sees it.

>>> text = render_test(finding, binding)   # doctest: +SKIP
>>> "DNA_FINDING = \\"F-0007\\"" in text     # doctest: +SKIP
True
"""

from __future__ import annotations

import ast
import hashlib
import math
import re
import string
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

from dna_kit.codify.bindings import CONFIGURED, LibraryBinding
from dna_kit.codify.domains import Domain, parse_domain
from dna_kit.codify.literals import emit, emit_docstring, identifier
from dna_kit.codify.params import Resolved, resolve_params
from dna_kit.codify.templates import TemplateSpec, build_template_registry
from dna_kit.errors import CodifyError
from dna_kit.finding import Binding, Finding
from dna_kit.registry import Registry
from dna_kit.units import Quantity

__all__ = [
    "HASH_PREFIX",
    "Target",
    "content_hash",
    "is_pristine",
    "param_notes",
    "parse_target",
    "render_test",
    "stamp",
    "test_id",
]

HASH_PREFIX = "# dna-kit-hash: "
#: The hash line of a generated test (``# ...``) or decision record (``<!-- ... -->``).
_HASH_LINE_RE = re.compile(r"^(?:# |<!-- )dna-kit-hash: ([0-9a-f]{64})(?: -->)?[ \t]*\n",
                           re.M)
EMPTY_HASH = "0" * 64
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_WIDTH = 84


@dataclass(frozen=True)
class Target:
    """``module:callable`` split and checked: every part an identifier."""

    module: str
    attrs: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"{self.module}:{'.'.join(self.attrs)}"


def parse_target(text: str, *, role: str = "target") -> Target:
    """``dispatch.carrier:backoff_delay`` → :class:`Target`; a clear error otherwise.

    >>> parse_target("dispatch.carrier:Policy.delay").attrs
    ('Policy', 'delay')
    """
    module, sep, attr = text.strip().partition(":")
    if not sep or not module or not attr:
        raise CodifyError(f"{role}={text!r} must look like MODULE:CALLABLE "
                          "(dispatch.carrier:backoff_delay)")
    try:
        for part in module.split("."):
            identifier(part, what=f"{role} module part")
        attrs = tuple(identifier(a, what=f"{role} attribute") for a in attr.split("."))
    except CodifyError as exc:
        raise CodifyError(f"{role}={text!r}: {exc}") from None
    return Target(module, attrs)


def test_id(finding_id: str) -> str:
    """``F-0007`` → ``f0007``: the fragment every generated test name carries.

    >>> test_id("F-0007")
    'f0007'
    """
    if not re.fullmatch(r"F-\d{4,}", finding_id):
        raise CodifyError(f"id={finding_id!r} must look like F-0007")
    return finding_id.replace("-", "").lower()


# -- content hash ---------------------------------------------------------------------------

def content_hash(text: str) -> str:
    """The sha256 of ``text`` without its hash line."""
    return hashlib.sha256(_HASH_LINE_RE.sub("", text, count=1).encode("utf-8")).hexdigest()


def stamp(text: str) -> str:
    """Fill the (empty) hash slot of a freshly rendered file."""
    digest = content_hash(text)
    return _HASH_LINE_RE.sub(lambda m: m.group(0).replace(m.group(1), digest), text, count=1)


def is_pristine(text: str) -> bool:
    """True when ``text`` still carries the hash of its own content: nobody edited it.

    >>> is_pristine(stamp(HASH_PREFIX + EMPTY_HASH + chr(10) + "x = 1" + chr(10)))
    True
    """
    m = _HASH_LINE_RE.search(text)
    return m is not None and m.group(1) == content_hash(text)


# -- pieces ----------------------------------------------------------------------------------

def _wrap(text: str, indent: str = "") -> list[str]:
    lines: list[str] = []
    for para in text.expandtabs(4).splitlines() or [""]:
        wrapped = textwrap.wrap(para, _WIDTH - len(indent), break_long_words=False,
                                break_on_hyphens=False)
        lines += [indent + w for w in wrapped] or [""]
    return lines


def provenance_text(finding: Finding, spec: TemplateSpec, binding: Binding,
                    library: LibraryBinding | None = None) -> str:
    """The module docstring: which finding, its rule and reasons, where it came from, the
    decision record, the template, the library object adapted, and how to change the
    test."""
    lines = [f"{finding.id}: {' '.join(finding.title.split())}", ""]
    lines += _wrap(f"Rule: {finding.statement}")
    if finding.rationale:
        lines += ["", *_wrap(f"Why: {finding.rationale}")]
    for prov in finding.provenance:
        lines += ["", f"Source: {prov.describe()}"]
        if prov.quote:
            lines += [f"    > {q}" for q in prov.quote.expandtabs(4).splitlines()]
    for record in finding.links.decisions:
        lines += ["", f"Decision record: {record}"]
    lines += ["", *_wrap(f"Template: {spec.name}: {spec.rule}.")]
    lines += [f"Target: {binding.target}"]
    lines += [f"Target ({role}): {ref}" for role, ref in sorted(binding.targets.items())]
    if library is not None:
        lines += _wrap(f"The target is a configured {library.name} object; the code below "
                       f"drives it through the library's own behaviour, as "
                       f"{spec.roles[0]}.")
    lines += ["", "Generated by dna_kit. Edit the finding, then regenerate",
              f"(dna codify {finding.id}); a hand edit here makes dna codify refuse to",
              "overwrite this file unless --force is given."]
    return "\n".join(line.rstrip() for line in lines)


def _member_key(name: str) -> tuple[int, str]:
    # isort's order-by-type, as ruff applies it: CONSTANTS, Classes, then the rest.
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name.lower()


def target_imports(spec: TemplateSpec, binding: Binding,
                   library: LibraryBinding | None = None) -> str:
    """``from MODULE import CALLABLE as ROLE`` for each of the template's targets; a
    configured library object is imported as :data:`~dna_kit.codify.bindings.CONFIGURED`
    and followed by the adapter that defines the role from it."""
    if library is not None:
        if binding.targets:
            raise CodifyError(f"a configured {library.name} object is the only target of "
                              f"its test; it takes no {sorted(binding.targets)[0]} target")
        one = TemplateSpec(spec.name, spec.rule, spec.call_shape, spec.params, spec.example,
                           roles=(CONFIGURED,))
        return target_imports(one, binding) + "\n\n\n" + library.adapter(spec.name)
    refs = {spec.roles[0]: binding.target, **binding.targets}
    missing = [r for r in spec.roles if r not in refs]
    unknown = sorted(set(refs) - set(spec.roles))
    if missing:
        raise CodifyError(f"template {spec.name!r} needs a {missing[0]} target, as "
                          "MODULE:CALLABLE", field=f"targets.{missing[0]}")
    if unknown:
        raise CodifyError(f"template {spec.name!r} has no {unknown[0]!r} target; its "
                          f"targets: {', '.join(spec.roles)}")
    by_module: dict[str, set[str]] = {}
    aliases: list[str] = []
    for role in spec.roles:
        target = parse_target(refs[role], role=role)
        head, rest = target.attrs[0], target.attrs[1:]
        if rest:
            by_module.setdefault(target.module, set()).add(head)
            aliases.append(f"{role} = {'.'.join(target.attrs)}")
        else:
            by_module.setdefault(target.module, set()).add(
                head if head == role else f"{head} as {role}")
    lines = []
    for module in sorted(by_module, key=str.lower):
        # isort (as ruff runs it) keeps each `x as y` on its own line, plain names together.
        plain = sorted((m for m in by_module[module] if " as " not in m), key=_member_key)
        groups = [plain] if plain else []
        groups += [[m] for m in by_module[module] if " as " in m]
        for members in sorted(groups, key=lambda g: _member_key(g[0])):
            line = f"from {module} import {', '.join(members)}"
            if len(line) > 88:
                line = (f"from {module} import (\n" + "".join(f"    {m},\n" for m in members)
                        + ")")
            lines.append(line)
    return "\n".join(lines) + ("\n\n" + "\n".join(aliases) if aliases else "")


def resolve_domain(spec: TemplateSpec, binding: Binding) -> Domain | None:
    """The binding's domain, the template's default, or an error when one is needed."""
    if not spec.needs_domain:
        if binding.domain:
            raise CodifyError(f"template {spec.name!r} takes no domain: the rule fixes "
                              f"its inputs (got domain={binding.domain!r})")
        return None
    text = binding.domain or (None if spec.domain == "required" else spec.domain)
    if text is None:
        raise CodifyError(f"template {spec.name!r} needs an input domain (int:0..1000, "
                          "float:0..60, text, ...), or a type hint on the target that "
                          "implies one", field="domain")
    domain = parse_domain(text)
    if spec.domain_kinds is not None and domain.kind not in spec.domain_kinds:
        raise CodifyError(f"domain={text!r}: template {spec.name!r} needs values it can "
                          f"order ({', '.join(spec.domain_kinds)})")
    return domain


def resolved_params(spec: TemplateSpec, finding: Finding,
                    binding: Binding) -> dict[str, Resolved]:
    return resolve_params(spec.params, finding.params, binding.params, template=spec.name,
                          finding_id=finding.id)


def param_notes(finding: Finding, binding: Binding, *,
                registry: Registry[TemplateSpec] | None = None) -> list[str]:
    """One line per parameter that came in under an alias, for codify to show
    (``attempts → max_attempts: 3 (the finding's name for it)``).

    >>> param_notes(finding, binding)          # doctest: +SKIP
    ["attempts → max_attempts: 3 (the finding's name for it)"]
    """
    spec = (registry or build_template_registry()).get(binding.template)
    return [note for p in resolved_params(spec, finding, binding).values()
            if (note := p.note()) is not None]


def _default_edges(finding: Finding, params: dict[str, Resolved],
                   domain: Domain | None) -> None:
    """When no edges are given, the finding's own numbers that lie in a numeric domain
    are the edges (a TTL of 300 s over int:0..1000 pins 299, 300 and 301)."""
    edges = params.get("edges")
    if edges is None or edges.origin != "default" or domain is None \
            or domain.kind not in ("int", "float"):
        return
    assert domain.low is not None and domain.high is not None
    found: list[tuple[str, float]] = []
    for name, raw in sorted(finding.params.items()):
        if isinstance(raw, Quantity) and name not in params and math.isfinite(raw.value) \
                and domain.low <= raw.value <= domain.high:
            found.append((f"{name} = {raw.text}", float(raw.value)))
    if found:
        params["edges"] = Resolved("edges", tuple(v for _, v in found), "values", "finding",
                                   ", ".join(t for t, _ in found))


def _check_fixed(library: LibraryBinding, spec: TemplateSpec,
                 params: Mapping[str, Resolved]) -> None:
    """A parameter the library fixes (urllib3 doubles each wait) must say the same."""
    for name, (value, why) in library.fixed.get(spec.name, {}).items():
        given = params[name].value if name in params else None
        if given != value:
            raise CodifyError(f"{name}={params[name].text or given!r} does not fit a "
                              f"{library.name} object: {why}", field=f"params.{name}",
                              value=given)


# -- the whole file --------------------------------------------------------------------------

def render_test(finding: Finding, binding: Binding, *,
                registry: Registry[TemplateSpec] | None = None,
                library: LibraryBinding | None = None) -> str:
    """The complete, stamped source of the property test ``binding`` asks for; with
    ``library`` (see :func:`~dna_kit.codify.bindings.find_library`), the target is a
    configured library object the test adapts itself.

    Raises :class:`~dna_kit.errors.CodifyError` naming the bad template, target, parameter
    or domain; the returned text always parses and compiles.
    """
    registry = registry or build_template_registry()
    spec = registry.get(binding.template)
    if not _NAME_RE.match(spec.name):
        raise CodifyError(f"template name {spec.name!r} must be lower_case")
    params = resolved_params(spec, finding, binding)
    domain = resolve_domain(spec, binding)
    _default_edges(finding, params, domain)
    if library is not None:
        _check_fixed(library, spec, params)
    derived = spec.derive(params, domain)
    header = "\n".join([
        f"# Generated by dna_kit from finding {finding.id} with the template {spec.name}.",
        f"# Edit the finding, then regenerate: dna codify {finding.id}",
        HASH_PREFIX + EMPTY_HASH,  # the slot stamp() fills
        emit_docstring(provenance_text(finding, spec, binding, library)),
    ])
    values: Mapping[str, str] = {
        "header": header,
        "target_import": target_imports(spec, binding, library),
        "finding_id": emit(finding.id),
        "test_id": test_id(finding.id),
        "constants": "\n".join(derived.constants),
        "examples": "\n".join(derived.examples),
    }
    source = spec.source_path().read_text(encoding="utf-8")
    try:
        text = string.Template(source).substitute(values)
    except (KeyError, ValueError) as exc:
        raise CodifyError(f"{spec.source_path()}: bad placeholder {exc}") from None
    check_source(text, spec, binding)
    return stamp(text)


def check_source(text: str, spec: TemplateSpec, binding: Binding) -> None:
    """Parse and compile the rendered text; a target name must not clash with the
    template's own names."""
    try:
        tree = ast.parse(text)
        compile(tree, f"<{spec.name} test>", "exec")
    except SyntaxError as exc:  # pragma: no cover - a template bug, not a user error
        raise CodifyError(f"template {spec.name!r} rendered invalid Python at line "
                          f"{exc.lineno}: {exc.msg}") from None
    bound: dict[str, int] = {}
    for node in tree.body:
        names: list[str] = []
        if isinstance(node, ast.ImportFrom | ast.Import):
            names = [(a.asname or a.name).split(".")[0] for a in node.names]
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        for name in names:
            bound[name] = bound.get(name, 0) + 1
    clashes = sorted(n for n, count in bound.items() if count > 1)
    if clashes:
        raise CodifyError(f"target name {clashes[0]!r} clashes with a name the "
                          f"{spec.name!r} template uses; import it under another name")
