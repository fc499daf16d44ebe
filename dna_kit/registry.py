"""Small named registries (readers, extractors, templates, record formats), papermill-style.

Each registry is built by a function, so every test can have a fresh one, and asking for an
unknown name raises :class:`~dna_kit.errors.RegistryError` listing what is known.

>>> formats = Registry("record format")
>>> formats.register("madr", object)
>>> formats.get("nygard")
Traceback (most recent call last):
...
dna_kit.errors.RegistryError: unknown record format 'nygard'; known: madr
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

from dna_kit.errors import RegistryError

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Generic[T]):
    """Names mapped to things of one kind, in registration order."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str, item: T, *, replace: bool = False) -> None:
        if name in self._items and not replace:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._items[name] = item

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise RegistryError(self.kind, name, list(self._items)) from None

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
