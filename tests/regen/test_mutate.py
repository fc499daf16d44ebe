"""The AST mutator and the code swap the proof worker does (no subprocess: fast)."""

from __future__ import annotations

import ast

import pytest

from dna_kit.regen._worker import compile_def, resolve
from dna_kit.regen.mutate import OPERATORS, find_def, make_mutants, question_for

SOURCE = '''\
def backoff(attempt, *, base=0.2):
    """Seconds before retry ``attempt``."""
    if attempt < 1 or not attempt:
        raise ValueError(attempt)
    return min(base * 2 ** (attempt - 1), 5.0)


class Breaker:
    threshold = 5

    def allow(self, failures):
        return failures >= self.threshold and max(failures, 0) != 0

    @staticmethod
    def flag():
        return True
'''


def _pairs(mutants):
    return [(m.operator, m.original, m.mutated) for m in mutants]


def test_every_operator_makes_the_expected_change() -> None:
    pairs = _pairs(make_mutants(SOURCE, "backoff"))
    assert ("constant", "5.0", "6.0") in pairs
    assert ("constant", "2", "3") in pairs
    assert ("compare", "attempt < 1", "attempt <= 1") in pairs
    assert ("arithmetic", "attempt - 1", "attempt + 1") in pairs
    assert ("arithmetic", "2 ** (attempt - 1)", "2 * (attempt - 1)") in pairs
    assert ("boolean", "attempt < 1 or not attempt", "attempt < 1 and (not attempt)") in pairs
    assert ("boolean", "not attempt", "attempt") in pairs
    assert ("minmax", "min(base * 2 ** (attempt - 1), 5.0)",
            "max(base * 2 ** (attempt - 1), 5.0)") in pairs
    assert ("condition", "if attempt < 1 or not attempt:", "if True:") in pairs
    assert ("condition", "if attempt < 1 or not attempt:", "if False:") in pairs
    assert ("return", "return min(base * 2 ** (attempt - 1), 5.0)", "return None") in pairs
    assert {op for op, _, _ in pairs} == set(OPERATORS)


def test_docstrings_defaults_and_decorators_are_left_alone() -> None:
    mutants = make_mutants(SOURCE, "backoff")
    # The default 0.2 lives on the function object, not in its code: mutating it would
    # change nothing the worker swaps in, so it is not a mutant.
    assert not any(m.original == "0.2" for m in mutants)
    for m in mutants:
        tree = ast.parse(m.source)
        func = tree.body[0]
        assert isinstance(func, ast.FunctionDef)
        assert ast.get_docstring(func) == "Seconds before retry ``attempt``."
        assert ast.unparse(func.args) == "attempt, *, base=0.2"


def test_each_mutant_changes_exactly_its_site() -> None:
    original = ast.unparse(find_def(ast.parse(SOURCE), "backoff"))  # type: ignore[arg-type]
    sources = [m.source for m in make_mutants(SOURCE, "backoff")]
    assert all(s != original for s in sources)
    assert len(set(sources)) == len(sources)
    assert [m.id for m in make_mutants(SOURCE, "backoff")] == list(range(1, len(sources) + 1))


def test_mutants_are_the_same_every_time() -> None:
    assert make_mutants(SOURCE, "Breaker") == make_mutants(SOURCE, "Breaker")


def test_a_class_target_mutates_each_of_its_methods() -> None:
    mutants = make_mutants(SOURCE, "Breaker", target="m:Breaker")
    assert {m.qualname for m in mutants} == {"Breaker.allow", "Breaker.flag"}
    assert ("compare", "failures >= self.threshold", "failures > self.threshold") in \
        _pairs(mutants)
    assert ("constant", "True", "False") in _pairs(mutants)
    assert all(m.target == "m:Breaker" for m in mutants)


FACTORY = '''\
class Limiter:
    def __init__(self, limit):
        self.limit = limit

    def allow(self, seen):
        return seen < self.limit


def make_limiter():
    return Limiter(limit=5)


def by_urgency(items):
    return sorted(items, key=lambda item: -item.urgency)
'''


def test_a_factory_is_proven_through_the_class_it_builds() -> None:
    mutants = make_mutants(FACTORY, "make_limiter")
    # __init__ only stores its argument: nothing there to mutate.
    assert {m.qualname for m in mutants} == {"make_limiter", "Limiter.allow"}
    assert ("compare", "seen < self.limit", "seen <= self.limit") in _pairs(mutants)
    assert ("constant", "5", "6") in _pairs(mutants)


CONSTANTS = '''\
BACKOFF_FACTOR = 2.0
BACKOFF_CAP: float = 5.0
NAME = "carrier"


def delay(attempt):
    return min(BACKOFF_FACTOR ** attempt, BACKOFF_CAP)


def shadowed(attempt):
    BACKOFF_CAP = 3
    return BACKOFF_CAP
'''


def test_module_constants_the_target_reads_are_mutated_in_place() -> None:
    mutants = [m for m in make_mutants(CONSTANTS, "delay") if m.global_name]
    assert [(m.global_name, m.old_value, m.new_value, m.line) for m in mutants] == [
        ("BACKOFF_FACTOR", 2.0, 3.0, 1), ("BACKOFF_CAP", 5.0, 6.0, 2)]
    assert all(m.source == "" and m.operator == "constant" for m in mutants)
    assert question_for(mutants[0], {"factor": 2}, where="carrier.py") == (
        "The checks still pass if factor (`BACKOFF_FACTOR`) is 3.0 instead of 2.0 "
        "(line 1 of carrier.py): is that acceptable?")
    # A local of the same name hides the module constant: mutating it would prove nothing.
    assert not any(m.global_name for m in make_mutants(CONSTANTS, "shadowed"))


def test_a_negation_can_be_dropped() -> None:
    assert ("arithmetic", "-item.urgency", "item.urgency") in _pairs(
        make_mutants(FACTORY, "by_urgency"))


def test_an_unknown_target_is_a_clear_error() -> None:
    with pytest.raises(LookupError, match="'nope'"):
        make_mutants(SOURCE, "nope", filename="retry.py")


def test_a_constant_that_is_a_parameter_is_asked_about_by_name() -> None:
    m = next(m for m in make_mutants(SOURCE, "backoff") if m.original == "2")
    question = question_for(m, {"factor": 2.0, "cap": 5.0}, where="shipping/retry.py")
    assert question == ("The checks still pass if factor is 3 instead of 2 (line 5 of "
                        "shipping/retry.py): is that acceptable?")
    cond = next(m for m in make_mutants(SOURCE, "backoff") if m.mutated == "if False:")
    assert "never runs" in question_for(cond, {})
    # Two parameters with the same value: no guessing which one it is.
    assert "the constant 2" in question_for(m, {"factor": 2, "retries": 2})
    # 0 and 1 are everywhere (`attempt < 1`); a parameter that is 1 is not named for them.
    one = next(m for m in make_mutants(SOURCE, "backoff") if m.original == "1")
    assert "the constant 1 is 2" in question_for(one, {"window": 1.0})


def _closure_factory():  # type: ignore[no-untyped-def]
    limit = 3

    def under(n: int) -> bool:
        return n < limit

    return under


def test_a_mutant_swaps_into_the_live_function_even_with_a_closure() -> None:
    under = _closure_factory()
    source = "def under(n: int) -> bool:\n    return n <= limit\n"
    original = under.__code__
    under.__code__ = compile_def(source, "x.py", "under", original.co_freevars)
    try:
        assert under(3) is True
    finally:
        under.__code__ = original
    assert under(3) is False
    with pytest.raises(ValueError, match="free variables"):
        compile_def("def under(n):\n    return n < 3\n", "x.py", "under",
                    original.co_freevars)


class Holder:
    @staticmethod
    def flag() -> bool:
        return True


def test_resolve_finds_the_plain_function_behind_a_target() -> None:
    module, func = resolve("dna_kit.regen.mutate:make_mutants")
    assert func is make_mutants and module.__name__ == "dna_kit.regen.mutate"
    _, flag = resolve("tests.regen.test_mutate:Holder.flag")
    assert flag is Holder.__dict__["flag"].__func__
