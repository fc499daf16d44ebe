"""dna_kit.codify.property_tests: the target is checked in a child Python (never imported
here), and whatever its import does (exit, hang, crash, not exist, be the wrong shape) is
one error naming the target, with nothing written; preview_test is what codify writes."""

from __future__ import annotations

import sys
import textwrap
import time

import pytest

from dna_kit.codify import codify, inspect_target, preview_test, write_test
from dna_kit.codify.property_tests import TargetShape, domain_from_target
from dna_kit.errors import CodifyError
from dna_kit.ledger import add_finding, find_entry

FINDING = {"title": "Normalised addresses", "layer": "what", "kind": "invariant",
           "statement": "Normalising an address twice changes nothing",
           "status": "accepted"}


def _module(project, name: str, source: str) -> None:
    (project.root / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")


def _snapshot(project) -> dict[str, bytes]:
    return {str(p.relative_to(project.root)): p.read_bytes()
            for p in sorted(project.root.rglob("*")) if p.is_file()}


@pytest.fixture
def finding(project):
    return add_finding(project, FINDING)


HOSTILE = {
    "exits": ("import sys\nsys.exit(3)\n", "exiter:f",
              r"importing target 'exiter:f' exits the process \(SystemExit 3\)"),
    "hard_exit": ("import os\nos._exit(7)\n", "hard:f",
                  r"importing target 'hard:f' ended its process: it exited with code 7"),
    "crashes": ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", "crash:f",
                r"importing target 'crash:f' ended its process: it was killed by signal 9"),
    "raises": ("raise RuntimeError('no database here')\n", "raiser:f",
               r"cannot import target 'raiser:f' \(RuntimeError: no database here\)"),
    "no_module": (None, "nowhere:f",
                  r"cannot import target 'nowhere:f' \(ModuleNotFoundError: No module "
                  r"named 'nowhere'\)"),
    "no_name": ("def g(x: int) -> int:\n    return x\n", "present:f",
                r"target 'present:f': module 'present' has no 'f'"),
    "not_callable": ("CAP = 5\n", "const:CAP",
                     r"target 'const:CAP' is a value \(int\), not something a test can call"),
    "a_module": ("import json\n", "holder:json",
                 r"target 'holder:json' is a module \(module\)"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_bad_target_is_one_error_naming_it_and_nothing_is_written(project, finding, case):
    source, target, message = HOSTILE[case]
    if source is not None:
        _module(project, target.split(":")[0], source)
    before = _snapshot(project)
    path_before, modules_before = list(sys.path), set(sys.modules)
    with pytest.raises(CodifyError, match=message) as caught:
        codify(project, finding.id, template="idempotent", target=target)
    assert "\n" not in str(caught.value)
    assert _snapshot(project) == before  # no test, no finding change, no __pycache__
    assert find_entry(project, finding.id).finding.status == "accepted"
    assert sys.path == path_before and set(sys.modules) == modules_before
    with pytest.raises(CodifyError, match=message):
        preview_test(project, finding.id, template="idempotent", target=target)


def test_an_import_that_never_ends_is_stopped_at_the_time_limit(project, finding):
    _module(project, "spin", """\
        import time
        while True:
            time.sleep(0.5)
        """)
    before = _snapshot(project)
    start = time.monotonic()
    with pytest.raises(CodifyError, match=r"importing target 'spin:f' did not finish within "
                                          r"2 s"):
        inspect_target(project, "spin:f", timeout=2)
    assert time.monotonic() - start < 15
    # codify's own limit, end to end: one error that asks for the domain, nothing written.
    with pytest.raises(CodifyError, match=r"'spin:f' did not finish within 20 s.*give the "
                                          r"input domain") as caught:
        codify(project, finding.id, template="idempotent", target="spin:f")
    assert caught.value.field == "domain"
    assert _snapshot(project) == before


def test_the_shape_is_read_without_importing_here(project):
    _module(project, "shapes", """\
        print("chatty import")  # output of the import must not confuse the answer

        def typed(load: float, extra: int = 0) -> float:
            return load

        def items(values: list[int]) -> list[int]:
            return values

        class Limiter:
            def __init__(self, limit: int) -> None:
                self.limit = limit

        def untyped(x):
            return x

        def odd(x: "dict[str, int]") -> int:
            return 0
        """)
    shape = inspect_target(project, "shapes:typed")
    assert shape == TargetShape(target="shapes:typed", kind="function", type_name="function",
                                signature="(load: float, extra: int = 0) -> float",
                                first_param="load", first_hint=float, first_hint_text="float",
                                classes=("builtins.function", "builtins.object"))
    assert shape.callable
    assert inspect_target(project, "shapes:Limiter").kind == "class"
    assert "shapes" not in sys.modules
    assert domain_from_target(project, "shapes:typed").text == "float:-1000.0..1000.0"
    assert domain_from_target(project, "shapes:items").text == "list:int:-1000..1000"
    with pytest.raises(CodifyError, match=r"'shapes:untyped' has no type hint"):
        domain_from_target(project, "shapes:untyped")
    with pytest.raises(CodifyError, match=r"'shapes:odd' has the type hint 'dict\[str, int\]'"):
        domain_from_target(project, "shapes:odd")


def test_preview_is_what_codify_writes_and_writes_nothing(project, finding):
    _module(project, "address", """\
        def normalise(text: str) -> str:
            return " ".join(text.split())
        """)
    before = _snapshot(project)
    text = preview_test(project, finding.id, template="idempotent",
                        target="address:normalise")
    assert _snapshot(project) == before
    artifact = codify(project, finding.id, template="idempotent", target="address:normalise")
    assert artifact.path.read_text(encoding="utf-8") == text
    assert artifact.finding.binding.domain == "text"  # from the hint `text: str`
    # Again, from the stored binding: the same text.
    assert preview_test(project, finding.id) == text


def test_the_domain_messages_speak_of_the_binding_not_of_flags(project, finding):
    candidate = add_finding(project, {**FINDING, "status": "candidate"})
    with pytest.raises(CodifyError) as caught:
        write_test(project, candidate.id, template="idempotent", target="a:b", domain="text")
    assert str(caught.value) == f"{candidate.id} is a candidate; only an accepted finding " \
                                "is codified"
    assert caught.value.field == "status"
    with pytest.raises(CodifyError, match="has no template yet: choose one of") as caught:
        write_test(project, finding.id)
    assert caught.value.field == "template"
    with pytest.raises(CodifyError, match="has no target yet") as caught:
        write_test(project, finding.id, template="idempotent")
    assert caught.value.field == "target"
    for message in (str(caught.value),):
        assert "--" not in message and "dna " not in message
