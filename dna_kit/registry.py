"""Small named registries (readers, extractors, templates, record formats), papermill-style,
that installed plugins extend through entry points.

Each registry is built by a function, so every test can have a fresh one, and asking for an
unknown name raises :class:`~dna_kit.errors.RegistryError` listing what is known.

>>> formats = Registry("record format")
>>> formats.register("madr", object)
>>> formats.get("nygard")
Traceback (most recent call last):
...
dna_kit.errors.RegistryError: unknown record format 'nygard'; known: madr

Plugins
-------

Three registries take plugins, found through entry points the way pytest finds its
``pytest11`` plugins and simonw/llm its ``llm`` ones:

- ``dna_kit.readers``: :func:`dna_kit.ingest.build_readers`; a name maps to a ``Reader``
  (name, ``read(path, text, options)``, extensions, content test).
- ``dna_kit.templates``: :func:`dna_kit.codify.build_template_registry`; a name maps to a
  ``TemplateSpec`` whose ``source_path()`` returns the plugin's own ``.py.tmpl``.
- ``dna_kit.adr_formats``: :func:`dna_kit.codify.build_format_registry`; a name maps to the
  absolute path (``str``) of a ``.md.tmpl`` using the placeholders of ``templates/adr/``.

An entry point names a callable ``register(registry)``: it adds what it brings with
``registry.register(name, thing)`` and returns nothing (an entry point naming a module calls
the module's ``register``). A plugin package declares it in its ``pyproject.toml``::

    [project.entry-points."dna_kit.readers"]
    incident = "dna_incident:register_reader"

    # dna_incident/__init__.py
    def register_reader(readers):
        readers.register("incident", Reader("incident", read_incident, (".incident",)))

Every build calls dna_kit's own ``register`` first (what ships is added through the same
:func:`apply_plugin` call as a plugin), then each installed plugin's, sorted by entry-point
name. Nothing is cached: each build sees what is installed now, and no two tests share one.
So a plugin reader's content test runs after the built-in ones, and its extensions count when
no content test claims the file. Taking a name already registered needs ``replace=True``.

A plugin that cannot be imported, whose ``register`` raises, or that registers a name already
taken or a thing of the wrong kind stops the build with one
:class:`~dna_kit.errors.PluginError` naming the plugin and its entry point.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Iterable, Iterator
from types import ModuleType
from typing import Generic, TypeVar

from dna_kit.errors import PluginError, RegistryError

__all__ = ["Registry", "apply_plugin", "build_registry", "load_plugins"]

T = TypeVar("T")

#: Who registers when no plugin is being applied (a test, a notebook, a caller).
_CALLER = "the caller"


class _NameTaken(ValueError):
    """A name is registered twice without ``replace=True``."""


class _WrongKind(TypeError):
    """A registry that knows its item type was handed something else."""


class Registry(Generic[T]):
    """Names mapped to things of one kind, in registration order; remembers who registered
    each name. ``item_type``, when given, is checked on every registration.

    >>> formats = Registry("decision-record format", item_type=str)
    >>> formats.register("brief", "/plugins/brief.md.tmpl")
    >>> formats.origin("brief")
    'the caller'
    """

    def __init__(self, kind: str, *, item_type: type[T] | None = None) -> None:
        self.kind = kind
        self.item_type = item_type
        self._items: dict[str, T] = {}
        self._origins: dict[str, str] = {}
        self._registrant = _CALLER

    def register(self, name: str, item: T, *, replace: bool = False) -> None:
        """Add ``item`` under ``name``; a name already taken raises ``ValueError`` unless
        ``replace`` is true.

        >>> Registry("template").register("bounded", object)
        """
        if not isinstance(name, str) or not name.strip():
            raise _WrongKind(f"a {self.kind} name must be non-empty text, not {name!r}")
        if self.item_type is not None and not isinstance(item, self.item_type):
            raise _WrongKind(f"{self.kind} {name!r} must be a {self.item_type.__name__}, "
                             f"not {type(item).__name__}")
        if name in self._items and not replace:
            raise _NameTaken(f"{self.kind} {name!r} is already registered by "
                             f"{self._origins[name]}")
        self._items[name] = item
        self._origins[name] = self._registrant

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise RegistryError(self.kind, name, list(self._items)) from None

    def origin(self, name: str) -> str:
        """Who registered ``name``: ``dna_kit (built-in)``, a plugin and its entry point, or
        ``the caller``.

        >>> Registry("template").origin("bounded")
        Traceback (most recent call last):
        ...
        dna_kit.errors.RegistryError: unknown template 'bounded'; known: (none)
        """
        self.get(name)
        return self._origins[name]

    def names(self) -> list[str]:
        return list(self._items)

    def items(self) -> list[tuple[str, T]]:
        return list(self._items.items())

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def apply_plugin(registry: Registry[T], register: Callable[[Registry[T]], object], *,
                 plugin: str, entry_point: str, builtin: bool = False) -> None:
    """Call one plugin's ``register(registry)``; every name it adds is recorded as its own.

    Built-ins go through here too. Anything the call raises (a name already taken, a thing
    of the wrong kind, the plugin's own bug) becomes one :class:`~dna_kit.errors.PluginError`
    naming ``plugin`` and ``entry_point``. ``builtin`` marks dna_kit's own registrations.

    >>> formats: Registry[str] = Registry("decision-record format", item_type=str)
    >>> apply_plugin(formats, lambda r: r.register("brief", "/x/brief.md.tmpl"),
    ...              plugin="dna-brief 1.0", entry_point="dna_kit.adr_formats: brief = b:r")
    >>> formats.origin("brief")
    'plugin dna-brief 1.0 (entry point dna_kit.adr_formats: brief = b:r)'
    """
    before = registry._registrant
    registry._registrant = ("dna_kit (built-in)" if builtin
                            else f"plugin {plugin} (entry point {entry_point})")
    try:
        register(registry)
    except (_NameTaken, _WrongKind) as exc:
        raise PluginError(str(exc), plugin=plugin, entry_point=entry_point) from exc
    except PluginError:
        raise
    except Exception as exc:
        raise PluginError(f"register({registry.kind} registry) raised {_one_line(exc)}",
                          plugin=plugin, entry_point=entry_point) from exc
    finally:
        registry._registrant = before


def load_plugins(registry: Registry[T], group: str, *,
                 entry_points: Iterable[importlib.metadata.EntryPoint] | None = None) -> None:
    """Apply every plugin installed under the entry-point ``group`` (or those given as
    ``entry_points``), sorted by entry-point name.

    >>> formats: Registry[str] = Registry("decision-record format")
    >>> load_plugins(formats, "dna_kit.adr_formats", entry_points=[])
    >>> formats.names()
    []
    """
    found = (importlib.metadata.entry_points(group=group) if entry_points is None
             else entry_points)
    for ep in sorted(found, key=lambda ep: (ep.name, ep.value)):
        plugin = _distribution(ep)
        where = f"{ep.group or group}: {ep.name} = {ep.value}"
        try:
            target = ep.load()
        except Exception as exc:
            raise PluginError(f"cannot be loaded: {_one_line(exc)}", plugin=plugin,
                              entry_point=where) from exc
        if isinstance(target, ModuleType):
            target = getattr(target, "register", None)
        if not callable(target):
            raise PluginError(f"names {type(target).__name__}, not a callable "
                              "register(registry)", plugin=plugin, entry_point=where)
        apply_plugin(registry, target, plugin=plugin, entry_point=where)


def build_registry(kind: str, group: str, builtin: Callable[[Registry[T]], object], *,
                   item_type: type[T] | None = None,
                   entry_points: Iterable[importlib.metadata.EntryPoint] | None = None,
                   ) -> Registry[T]:
    """A fresh registry of ``kind``: dna_kit's own ``builtin`` register call, then every
    plugin of the entry-point ``group`` (or the given ``entry_points``).

    >>> def shipped(formats):
    ...     formats.register("madr", "adr/madr.md.tmpl")
    >>> build_registry("decision-record format", "dna_kit.adr_formats", shipped,
    ...                item_type=str, entry_points=[]).names()
    ['madr']
    """
    registry: Registry[T] = Registry(kind, item_type=item_type)
    apply_plugin(registry, builtin, plugin="dna_kit", builtin=True,
                 entry_point=f"{group}: built-in = {builtin.__module__}:{builtin.__qualname__}")
    load_plugins(registry, group, entry_points=entry_points)
    return registry


def _distribution(ep: importlib.metadata.EntryPoint) -> str:
    """The distribution that declares ``ep`` (name and version), else its module."""
    dist = getattr(ep, "dist", None)
    if dist is not None:
        try:
            return f"{dist.name} {dist.version}"
        except Exception:  # metadata without a name or version
            pass
    return ep.value.split(":")[0].strip() or ep.name


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
