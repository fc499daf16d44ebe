"""Rule sites: where a finding's values live in the code its binding reaches.

:func:`search_sites` reads the project's source with :mod:`ast` (nothing is imported, no
``sys.path`` changes, no file outside the repository is read) and, for each parameter of
the finding, lists the places that hold its value:

- literals in the target's own source: its body, defaults and decorators
  (``@retry(stop=stop_after_attempt(4))``);
- module-level constants the target reads, in any module of the project, through imports
  and attribute access (``settings.RETRY_CAP``, ``from app.settings import RETRY_CAP``,
  ``import app.settings as s``), following a constant defined as another constant and the
  arguments of an object a constant holds (``RETRY = Retry(backoff_max=settings.CAP)``);
- the same in the project functions the target calls (one call deep), decorators included;
- arguments of the library constructors the target's module, and the project modules it
  imports, call at import time (``Retry(total=5, backoff_max=settings.CAP)``).

An argument that is a constant gives the constant's definition as the site, a literal
argument the literal itself.

Values match by meaning: a duration of 5 s is a ``5``, or a ``5000`` under a name that says
milliseconds (``BACKOFF_MS``, ``timeout_ms``); 80 % is ``0.8``, or ``80`` under a name that
says percent; a count is the same whole number; a yes/no is a ``True``/``False`` under a name
that shares a word with the parameter. A bare ``0`` or ``1`` in an expression
(``range(1, n)``, ``if x < 0``) is not taken for a site: it is nearly always arithmetic.

:func:`merge_sites` combines a new search with the sites a finding already stores, keeping
the ones a person added while the code they name is still there.

>>> search = search_sites(".", finding)                       # doctest: +SKIP
>>> print("\\n".join(search.lines()))                          # doctest: +SKIP
site: cap = app/settings.py:5 RETRY_CAP = 5
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dna_kit.codify._code import CODE_WIDTH, CodeBase, Collector, find_target
from dna_kit.errors import CodifyError, ProjectError
from dna_kit.finding import Binding, Finding, ParamValue, Site
from dna_kit.ledger import find_entry, update_finding
from dna_kit.project import Project, find_project
from dna_kit.units import Quantity

__all__ = ["FoundSite", "ParamSites", "SiteMerge", "SiteSearch", "locate_sites",
           "merge_sites", "save_sites", "search_sites"]

# Words in a name that say its unit: (dimension, factors to the base unit).
_UNIT_WORDS: dict[str, tuple[str, tuple[float, ...]]] = {
    **dict.fromkeys(("ns", "nanos", "nanosecond", "nanoseconds"), ("duration", (1e-9,))),
    **dict.fromkeys(("us", "usec", "micros", "microsecond", "microseconds"),
                    ("duration", (1e-6,))),
    **dict.fromkeys(("ms", "msec", "msecs", "millis", "millisecond", "milliseconds"),
                    ("duration", (1e-3,))),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), ("duration", (1.0,))),
    **dict.fromkeys(("mins", "minute", "minutes"), ("duration", (60.0,))),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), ("duration", (3600.0,))),
    **dict.fromkeys(("day", "days"), ("duration", (86400.0,))),
    **dict.fromkeys(("b", "byte", "bytes"), ("size", (1.0,))),
    **dict.fromkeys(("kb", "kib", "kilobytes"), ("size", (1000.0, 1024.0))),
    **dict.fromkeys(("mb", "mib", "megabytes"), ("size", (1e6, 1024.0**2))),
    **dict.fromkeys(("gb", "gib", "gigabytes"), ("size", (1e9, 1024.0**3))),
    **dict.fromkeys(("pct", "percent", "percentage"), ("fraction", (0.01,))),
    **dict.fromkeys(("rps", "qps", "tps"), ("rate", (1.0,))),
    "rpm": ("rate", (1 / 60,)), "qpm": ("rate", (1 / 60,)), "rph": ("rate", (1 / 3600,)),
}
# Words that say "a duration" without a unit: Python code counts those in seconds.
_DURATION_WORDS = frozenset({"timeout", "ttl", "delay", "interval", "sleep", "wait"})
_PER = {"second": 1.0, "sec": 1.0, "s": 1.0, "minute": 1 / 60, "min": 1 / 60,
        "hour": 1 / 3600, "h": 1 / 3600}


def _words(name: str) -> list[str]:
    """``BACKOFF_BASE_MS`` → ``['backoff', 'base', 'ms']``; ``timeoutMs`` too."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def _unit_of(name: str) -> tuple[str, tuple[float, ...]] | None:
    """What a name says about its unit, the last unit word winning (``timeout_ms``: ms).

    A trailing ``min`` may be minutes (``TTL_MIN``) or a minimum (``BACKOFF_MIN``): it
    reads either way, and never rules a value out.
    """
    words = _words(name)
    if len(words) > 1 and words[-1] == "min":
        return "any", (1.0, 60.0)
    for i in range(len(words) - 1, -1, -1):
        word = words[i]
        if i > 0 and words[i - 1] == "per" and word in _PER:
            return "rate", (_PER[word],)
        if word in _UNIT_WORDS and not (word in ("s", "b", "h") and i == 0):
            return _UNIT_WORDS[word]
    if _DURATION_WORDS & set(words):
        return "duration", (1.0,)
    return None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _match(param: str, value: ParamValue, literal: float | bool,
           names: Sequence[str]) -> str | None:
    """How ``literal`` under ``names`` (the code's, nearest first) reads as ``value``,
    e.g. ``"5000 ms"``, or None when it does not hold it."""
    if isinstance(value, bool) or isinstance(literal, bool):
        shared = set(_words(param)) & {w for n in names for w in _words(n)}
        same = isinstance(value, bool) and isinstance(literal, bool) and value == literal
        return str(literal) if same and shared else None
    if not isinstance(value, Quantity):
        return None
    dimension: str = value.dimension
    wanted: tuple[float, ...] = (value.value,)
    mine = _unit_of(param)
    if mine is not None and mine[0] == "any":
        mine = None
    if dimension == "count" and mine is not None:
        # a bare number under a parameter name that says its unit: timeout_ms: 500
        dimension, wanted = mine[0], tuple(value.value * f for f in mine[1])
    said = next((u for u in map(_unit_of, names) if u is not None), None)
    if said is not None and said[0] == "any":
        said = ("duration", said[1]) if dimension == "duration" else None
    if said is not None and said[0] != dimension:
        return None  # a timeout in ms never holds a count of attempts
    factors: tuple[float, ...] = said[1] if said else (1.0,)
    if said is None and mine is not None and mine[0] == dimension:
        factors = (1.0, *mine[1])
    for factor in factors:
        if any(math.isclose(literal * factor, w, rel_tol=1e-9, abs_tol=1e-12)
               for w in wanted):
            unit = next((w for w in reversed([w for n in names for w in _words(n)])
                         if w in _UNIT_WORDS or w in _DURATION_WORDS or w == "min"), None)
            return _number(literal) + (f" {unit}" if unit and factor != 1.0 else "")
    return None


def _spellings(value: Quantity) -> str:
    """``5 (or 5000 ms)``: how the value could be written in code, for "not found"."""
    v = value.value
    more: list[str] = []
    if value.dimension == "duration":
        more.append(f"{_number(v * 1000)} ms")
        if v >= 60 and (v / 60).is_integer():
            more.append(f"{_number(v / 60)} min")
    elif value.dimension == "size":
        more += [f"{_number(v / f)} {u}" for f, u in ((1024, "KiB"), (1024**2, "MiB"))
                 if v >= f and (v / f).is_integer()]
    elif value.dimension == "fraction":
        more.append(f"{_number(v * 100)} %")
    elif value.dimension == "rate":
        more.append(f"{_number(v * 60)} per minute")
    return _number(v) + (f" (or {', '.join(more)})" if more else "")


# -- the search -----------------------------------------------------------------------------

@dataclass(frozen=True)
class FoundSite:
    """A located :class:`~dna_kit.finding.Site`, how it was reached (``how``) and how
    close to the target it is (``reach``: 0 the target itself, 1 a function it calls, 2 a
    library call in its module, 3 one in a module it imports)."""

    site: Site
    how: str
    reach: int

    def to_json(self) -> dict[str, Any]:
        return {**self.site.to_dict(), "how": self.how, "reach": self.reach}


@dataclass(frozen=True)
class ParamSites:
    """What the search found for one parameter: its sites, or the ``reason`` it found
    none. ``searched`` is False for a word or a list of names, which have no site."""

    param: str
    value: str
    found: tuple[FoundSite, ...] = ()
    reason: str | None = None
    searched: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"param": self.param, "value": self.value, "searched": self.searched,
                "sites": [f.to_json() for f in self.found], "reason": self.reason}


@dataclass(frozen=True)
class SiteSearch:
    """Every parameter's sites for one finding, and notes on what could not be read."""

    finding: str
    targets: tuple[str, ...]
    params: tuple[ParamSites, ...]
    notes: tuple[str, ...] = ()

    @property
    def sites(self) -> list[Site]:
        """The sites found, best first for each parameter, in parameter order."""
        return [f.site for p in self.params for f in p.found]

    def lines(self) -> list[str]:
        """One line per site (``site: cap = app/settings.py:5 RETRY_CAP = 5``), per
        parameter with none (``no site: ...``) and per note."""
        return _lines(self.sites, self, ())

    def to_json(self) -> dict[str, Any]:
        return {"finding": self.finding, "targets": list(self.targets),
                "params": [p.to_json() for p in self.params], "notes": list(self.notes)}


def _params(finding: Finding, binding: Binding) -> dict[str, ParamValue]:
    return {**finding.params, **binding.params}


def _shown(value: ParamValue) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return str(value)


def search_sites(project: str | Path | Project, finding: Finding,
                 binding: Binding | None = None) -> SiteSearch:
    """Where each of ``finding``'s values lives in the code ``binding`` (by default the
    finding's own) reaches; see the module's docstring for what is searched.

    Nothing is imported and no file outside the repository is read. A module that is not
    a file of the repository (an installed library) is not followed.

    >>> search_sites(".", finding).lines()                     # doctest: +SKIP
    ['site: cap = app/settings.py:5 RETRY_CAP = 5']
    """
    project = project if isinstance(project, Project) else find_project(project)
    binding = binding or finding.binding
    if binding is None:
        raise CodifyError(f"{finding.id} has no binding yet, so there is no code to search "
                          "for its values: codify it first", field="binding")
    source = CodeBase(project)
    collector = Collector(source)
    refs = (binding.target, *binding.targets.values())
    for ref in refs:
        module, _, attr = ref.partition(":")
        mod = source.module(module)
        if mod is None:
            source.notes.append(f"{module} is not a module of this repository (no "
                                f"{module.replace('.', '/')}.py under its root); nothing "
                                f"searched from {ref}")
            continue
        target = find_target(source, module, attr.split("."))
        if target is None:
            source.notes.append(f"{mod.rel} defines no {attr} that can be read without "
                                f"running it; only the library calls around {ref} searched")
        else:
            collector.code(target[0], target[1], ref, 0, follow=True)
        collector.library_calls(mod, 2)
        for imported in sorted(set(mod.imports.values()), key=str):
            what = source.imported(imported)
            name = what.name if what is not None and what.kind == "module" else imported[0]
            other = source.module(name)
            if other is not None and other is not mod:
                collector.library_calls(other, 3)
    shown = " or ".join(refs)
    results = []
    for param, value in _params(finding, binding).items():
        if not isinstance(value, Quantity | bool):
            results.append(ParamSites(param, _shown(value), searched=False, reason=(
                f"{param}={_shown(value)}: a word or a list of names; sites are located for "
                "numbers, durations, sizes, fractions, rates and yes/no values")))
            continue
        best: dict[tuple[str, int], tuple[tuple[int, int], FoundSite]] = {}
        for v in collector.values:
            reading = _match(param, value, v.number, v.names)
            if reading is None:
                continue
            affinity = len(set(_words(param)) & {w for n in v.names for w in _words(n)})
            site = Site(param=param, path=v.mod.rel, line=v.line, code=v.mod.code(v.line))
            rank = (v.reach, -affinity)
            key = (v.mod.rel, v.line)
            if key not in best or rank < best[key][0]:
                best[key] = (rank, FoundSite(site, f"{v.how}; holds {reading}", v.reach))
        found = tuple(f for _, f in sorted(best.values(), key=lambda item: (
            item[0], item[1].site.path, item[1].site.line)))
        if found:
            results.append(ParamSites(param, _shown(value), found))
        elif isinstance(value, bool):
            results.append(ParamSites(param, _shown(value), reason=(
                f"{param}={value}: no {value} under a name like {param!r} reached from "
                f"{shown}")))
        else:
            results.append(ParamSites(param, _shown(value), reason=(
                f"{param}={value}: no literal or constant holding {_spellings(value)} "
                f"reached from {shown}")))
    return SiteSearch(finding.id, refs, tuple(results), tuple(dict.fromkeys(source.notes)))


def locate_sites(project: str | Path | Project, finding: Finding,
                 binding: Binding | None = None) -> list[Site]:
    """The sites :func:`search_sites` finds, as a finding stores them.

    >>> [s.describe() for s in locate_sites(".", finding)]     # doctest: +SKIP
    ['app/settings.py:5 RETRY_CAP = 5']
    """
    return search_sites(project, finding, binding).sites


# -- a new search and the sites a finding stores ------------------------------------------

@dataclass(frozen=True)
class SiteMerge:
    """The sites to store: those found, plus those a person added that still hold
    (``kept``); ``dropped`` says which stored sites went, and why."""

    sites: tuple[Site, ...]
    search: SiteSearch
    kept: tuple[Site, ...] = ()
    dropped: tuple[tuple[Site, str], ...] = ()
    changed: bool = False
    saved: bool = False

    def lines(self) -> list[str]:
        """The lines ``dna codify`` and ``dna locate`` print."""
        return _lines(self.sites, self.search, self.dropped, self.kept)

    def to_json(self) -> dict[str, Any]:
        how = {(f.site.param, f.site.path, f.site.line): f for p in self.search.params
               for f in p.found}
        sites = []
        for site in self.sites:
            hit = how.get((site.param, site.path, site.line))
            sites.append({**site.to_dict(), "how": hit.how if hit else "kept: added by hand"})
        return {**self.search.to_json(), "sites": sites,
                "dropped": [{**s.to_dict(), "reason": r} for s, r in self.dropped],
                "changed": self.changed, "saved": self.saved}


def _lines(sites: Sequence[Site], search: SiteSearch, dropped: Sequence[tuple[Site, str]],
           kept: Sequence[Site] = ()) -> list[str]:
    lines = [f"site: {s.param} = {s.describe()}"
             + (" (kept from the finding: the search does not find it)" if s in kept else "")
             for s in sites]
    located = {s.param for s in sites}
    lines += [f"no site: {p.reason}" for p in search.params
              if p.searched and p.param not in located]
    lines += [f"dropped site: {s.param} = {s.describe()} ({why})" for s, why in dropped]
    lines += [f"note: {note}" for note in search.notes]
    return lines


def _same(code: str, line: str) -> bool:
    want, have = " ".join(code.split()), " ".join(line.split())
    return bool(want) and want in have


def _recheck(project: Project, site: Site, params: Mapping[str, Any]
             ) -> tuple[Site | None, str]:
    """A stored site the search did not find: kept while its code is still there."""
    if site.param not in params:
        return None, f"the finding has no parameter {site.param} any more"
    try:
        path = project.inside(site.path, what="site path")
    except ProjectError:
        return None, "its path lies outside the repository"
    if not path.is_file():
        return None, f"{site.path} is not a file of the repository"
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    if site.line > len(lines):
        return None, f"{site.path} has {len(lines)} lines"
    here = lines[site.line - 1].strip()[:CODE_WIDTH]
    if not site.code:
        return Site(site.param, site.path, site.line, here), ""
    if _same(site.code, here):
        return Site(site.param, site.path, site.line, here), ""
    moved = [i for i, text in enumerate(lines, 1) if _same(site.code, text)]
    if len(moved) == 1:
        return Site(site.param, site.path, moved[0], lines[moved[0] - 1].strip()), ""
    return None, f"line {site.line} now reads {here!r}"


def merge_sites(project: str | Path | Project, stored: Sequence[Site],
                search: SiteSearch, params: Mapping[str, Any] | None = None) -> SiteMerge:
    """The sites to store after ``search``: each stored site keeps its place (with the
    code as it reads now); one the search did not find (a person added it) stays while
    its ``code`` still matches its file at that line (or, moved, one other line), and
    is dropped with the reason otherwise; new sites follow.

    >>> merge_sites(".", finding.binding.sites, search).sites  # doctest: +SKIP
    """
    project = project if isinstance(project, Project) else find_project(project)
    names = params if params is not None else {p.param: p.value for p in search.params}
    found = {(s.param, s.path, s.line): s for s in search.sites}
    out: dict[tuple[str, str, int], Site] = {}
    kept: list[Site] = []
    dropped: list[tuple[Site, str]] = []
    for site in stored:
        key = (site.param, site.path, site.line)
        if key in found:
            out.setdefault(key, found[key])
            continue
        now, why = _recheck(project, site, names)
        if now is None:
            dropped.append((site, why))
            continue
        key = (now.param, now.path, now.line)
        if key not in out:
            out[key] = found.get(key, now)
            if key not in found:
                kept.append(now)
    for key, site in found.items():
        out.setdefault(key, site)
    sites = tuple(out.values())
    return SiteMerge(sites, search, tuple(kept), tuple(dropped),
                     changed=sites != tuple(stored))


def save_sites(project: str | Path | Project, finding_id: str, *,
               save: bool = True) -> SiteMerge:
    """Search a finding's sites again and, with ``save``, store them in its binding
    (``binding.sites``), keeping the sites a person added as :func:`merge_sites` says.

    >>> save_sites(".", "F-0001").lines()                      # doctest: +SKIP
    ['site: cap = app/settings.py:5 RETRY_CAP = 5']
    """
    project = project if isinstance(project, Project) else find_project(project)
    finding = find_entry(project, finding_id).finding
    search = search_sites(project, finding)
    assert finding.binding is not None  # search_sites refuses a finding without one
    merge = merge_sites(project, finding.binding.sites, search)
    if save and merge.changed:
        update_finding(project, finding.id,
                       {"binding": replace(finding.binding, sites=merge.sites)})
        merge = replace(merge, saved=True)
    return merge
