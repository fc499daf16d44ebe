"""The library-binding registry: what ships, matching an object by its classes, and a
``dna_kit.bindings`` plugin (a real EntryPoint) whose adapter a generated test runs."""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from dna_kit.codify import render_test
from dna_kit.codify.bindings import (
    LibraryBinding,
    build_binding_registry,
    find_library,
    register_builtin_bindings,
)
from dna_kit.errors import CodifyError, PluginError
from dna_kit.registry import Registry
from tests.codify.cases import CASES
from tests.codify.runner import run_generated


def test_what_ships_is_registered_as_a_plugin_would_be():
    registry = build_binding_registry(entry_points=[])
    assert registry.names() == ["urllib3.Retry", "tenacity.Retrying", "tenacity.retry",
                                "pybreaker.CircuitBreaker", "limits.RateLimitItem"]
    assert {registry.origin(n) for n in registry} == {"dna_kit (built-in)"}
    fresh: Registry[LibraryBinding] = Registry("library binding")
    register_builtin_bindings(fresh)
    assert fresh.names() == registry.names()


def test_an_object_is_known_by_its_class_mro_or_by_an_attribute():
    registry = build_binding_registry(entry_points=[])
    subclass = ["app.http.MyRetry", "urllib3.util.retry.Retry", "builtins.object"]
    assert find_library(subclass, {}, "backoff_schedule", registry=registry).name \
        == "urllib3.Retry"
    decorated = {"retry": ("tenacity.Retrying", "tenacity.BaseRetrying"),
                 "statistics": ("builtins.dict",)}
    assert find_library(["builtins.function"], decorated, "retry_limit",
                        registry=registry).name == "tenacity.retry"
    assert find_library(["builtins.function"], {}, "retry_limit", registry=registry) is None
    with pytest.raises(CodifyError, match="fits the templates rate_limit, not 'bounded'"):
        find_library(["limits.limits.RateLimitItemPerSecond", "limits.limits.RateLimitItem"],
                     {}, "bounded", registry=registry)


def test_an_adapter_must_define_what_the_template_calls():
    broken = LibraryBinding("x", classes=("m.C",), adapters={"backoff_schedule": "y = 1\n"})
    with pytest.raises(CodifyError, match="its backoff_schedule adapter must define delay"):
        broken.adapter("backoff_schedule")
    bad = LibraryBinding("x", classes=("m.C",), adapters={"rate_limit": "def make(:\n"})
    with pytest.raises(CodifyError, match="its rate_limit adapter is not Python"):
        bad.adapter("rate_limit")


PLUGIN = '''\
from dna_kit.codify.bindings import LibraryBinding

ADAPTER = """
def delay(attempt):
    \\"\\"\\"The policy's own schedule, read from its table of waits.\\"\\"\\"
    return configured.waits[min(attempt, len(configured.waits)) - 1]
"""


def register(bindings):
    bindings.register("table.Policy", LibraryBinding(
        "table.Policy", classes=("service.Policy",),
        adapters={"backoff_schedule": ADAPTER}, summary="a table of waits"))


def register_twice(bindings):
    register(bindings)
    register(bindings)
'''

SERVICE = '''\
class Policy:
    def __init__(self, waits):
        self.waits = waits


POLICY = Policy([{waits}])
'''


@pytest.fixture
def plugin(tmp_path: Path) -> Iterator[str]:
    name = f"dna_binding_plugin_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(PLUGIN, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        yield name
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)


def test_a_plugin_binding_adapts_its_library_in_a_generated_test(plugin, tmp_path):
    eps = [EntryPoint(name="table", value=f"{plugin}:register", group="dna_kit.bindings")]
    registry = build_binding_registry(entry_points=eps)
    assert registry.origin("table.Policy").startswith(f"plugin {plugin}")
    library = find_library(["service.Policy", "builtins.object"], {}, "backoff_schedule",
                           registry=registry)
    assert library is not None and library.name == "table.Policy"
    finding, binding, _ = CASES["backoff_schedule"]  # 0.2 s doubling, capped at 5 s
    source = render_test(finding, binding.__class__(binding.template, "service:POLICY"),
                         library=library)
    assert "from service import POLICY as configured" in source
    right = SERVICE.format(waits="0.2, 0.4, 0.8, 1.6, 3.2, 5.0")
    wrong = SERVICE.format(waits="0.2, 0.4, 0.8, 1.6, 3.2, 6.4")
    (tmp_path / "right.py").write_text(right, encoding="utf-8")
    (tmp_path / "wrong.py").write_text(wrong, encoding="utf-8")
    ok = run_generated(source, tmp_path / "right.py", tmp_path / "ok")
    assert ok.passed, ok.output
    bad = run_generated(source, tmp_path / "wrong.py", tmp_path / "bad")
    assert bad.failed_tests and "F-0007: delay(6) = 6.4" in bad.output, bad.output


def test_a_plugin_that_takes_a_name_twice_is_one_error(plugin):
    eps = [EntryPoint(name="table", value=f"{plugin}:register_twice",
                      group="dna_kit.bindings")]
    with pytest.raises(PluginError, match=r"'table\.Policy' is already registered"):
        build_binding_registry(entry_points=eps)


def test_the_adapter_is_rendered_as_text_after_the_import():
    registry = build_binding_registry(entry_points=[])
    finding, binding, _ = CASES["circuit_breaker"]
    library = registry.get("pybreaker.CircuitBreaker")
    source = render_test(finding, binding.__class__(binding.template, "app.b:BREAKER"),
                         library=library)
    head = source.index("from app.b import BREAKER as configured")
    assert source.index("def make(clock):") > head
    assert "configured pybreaker.CircuitBreaker object" in source
    assert "import dna_kit" not in source and "from dna_kit" not in source
    assert textwrap.dedent(library.adapter("circuit_breaker")).strip() in source
