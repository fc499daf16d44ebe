"""The public front: `__all__` names resolve, and the error tree is what errors.py draws."""

from __future__ import annotations

import importlib
import inspect

import pytest

import dna_kit
from dna_kit import errors


@pytest.mark.parametrize("name", dna_kit.__all__)
def test_every_public_name_resolves(name):
    assert getattr(dna_kit, name) is not None


def test_all_lists_every_public_export():
    assert set(dna_kit.__all__) == set(dna_kit._EXPORTS) | {"__version__"}
    assert dna_kit.__version__ == importlib.metadata.version("dna_kit")


def test_every_error_descends_from_dna_kit_error_and_is_drawn_in_the_docstring():
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass)
               if issubclass(c, Exception) and c.__module__ == errors.__name__]
    assert set(errors.__all__) == {c.__name__ for c in classes}
    for cls in classes:
        assert issubclass(cls, errors.DnaKitError)
        assert cls.__name__ in errors.__doc__


def test_user_errors_are_also_builtin_errors():
    assert issubclass(errors.InvalidFinding, ValueError)
    assert issubclass(errors.FindingNotFound, KeyError)
    assert issubclass(errors.RegistryError, LookupError)


def test_registry_errors_list_what_is_known():
    registry = dna_kit.Registry("template")
    registry.register("bounded", object)
    with pytest.raises(errors.RegistryError, match="unknown template 'nope'; known: bounded"):
        registry.get("nope")
