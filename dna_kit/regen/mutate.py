"""Mutants of one callable: small, plausible breaks of the code a rule protects.

:func:`make_mutants` reads a module's source, finds the target (a function, a method, or
every method of a class) and returns one :class:`Mutant` per change, each holding the whole
mutated ``def`` as source so a worker can compile it and swap it in. The operators:

=================  ===========================================================
``constant``       a number changes (ints +1, floats doubled or +1), True/False flip; also
                   each module-level numeric constant the target reads (``CAP = 5.0``)
``compare``        ``<`` ↔ ``<=``, ``>`` ↔ ``>=``, ``==`` ↔ ``!=``, ``in`` ↔ ``not in``
``arithmetic``     ``+`` ↔ ``-``, ``*`` ↔ ``/``, ``//`` → ``/``, ``**`` → ``*``, ``%`` → ``*``,
                   ``-x`` → ``x``
``boolean``        ``and`` ↔ ``or``, ``not x`` → ``x``
``minmax``         ``min(...)`` ↔ ``max(...)``
``condition``      an ``if``'s condition removed: the branch always runs, or never does
``return``         ``return value`` → ``return None``
=================  ===========================================================

The order is fixed (a walk of the tree), so two runs make the same mutants with the same
ids: a proof must give the same answer twice.

:func:`value_mutants` makes the other kind: the value at one of a finding's *sites*
(``RETRY_CAP = 5`` in a settings module, ``Retry(backoff_max=5)``) changed both ways
(:func:`value_steps`), as the whole mutated file, for the worker to load in place of the
real one (operator ``value`` in the scorecard).

>>> src = "def delay(n):\\n    return min(0.2 * 2 ** (n - 1), 5.0)\\n"
>>> [m.operator for m in make_mutants(src, "delay")][:4]
['return', 'minmax', 'arithmetic', 'constant']
>>> make_mutants(src, "delay")[1].describe()
'line 2: `min(0.2 * 2 ** (n - 1), 5.0)` becomes `max(0.2 * 2 ** (n - 1), 5.0)`'
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "OPERATORS", "Mutant", "ValueMutant", "find_def", "locate_value", "make_mutants",
    "question_for", "site_values", "value_mutants", "value_question", "value_steps",
]

OPERATORS: tuple[str, ...] = (
    "constant", "compare", "arithmetic", "boolean", "minmax", "condition", "return",
)

_CMP_SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
    ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}
_BIN_SWAP: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div, ast.Pow: ast.Mult, ast.Mod: ast.Mult,
}
_BOOL_SWAP: dict[type[ast.boolop], type[ast.boolop]] = {ast.And: ast.Or, ast.Or: ast.And}


@dataclass(frozen=True)
class Mutant:
    """One change to the target: where, what, and the mutated ``def`` as source."""

    id: int
    target: str
    qualname: str
    operator: str
    line: int
    original: str
    mutated: str
    source: str
    old_value: Any = None
    new_value: Any = None
    #: A module-level constant the target reads (``BACKOFF_CAP``): the mutant sets it to
    #: ``new_value`` for the run instead of swapping code (``source`` is then empty).
    global_name: str | None = None

    def describe(self) -> str:
        return f"line {self.line}: `{self.original}` becomes `{self.mutated}`"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def find_def(tree: ast.AST, qualname: str) -> ast.FunctionDef | ast.AsyncFunctionDef | \
        ast.ClassDef | None:
    """The ``def`` or ``class`` named by a dotted ``qualname`` (``Breaker.call``)."""
    scope: list[ast.stmt] = list(getattr(tree, "body", []))
    found: ast.AST | None = None
    for part in qualname.split("."):
        found = next((n for n in scope if isinstance(
            n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and n.name == part), None)
        if found is None:
            return None
        scope = list(found.body)
    return found  # type: ignore[return-value]


def _new_number(value: int | float) -> int | float:
    if isinstance(value, int):
        return value + 1
    if value == 0:
        return 1.0
    return value * 2 if abs(value) < 1 else value + 1


# A mutation site: (operator, node, apply) where apply mutates the node in a copied tree
# and returns (original text, mutated text, old value, new value).
_Site = tuple[str, Callable[[ast.AST], tuple[str, str, Any, Any]]]


def _sites(node: ast.AST) -> Iterator[_Site]:
    """The mutations possible at one node, in a fixed order."""
    if isinstance(node, ast.Constant) and not isinstance(node.value, str | bytes) \
            and node.value is not None and node.value is not Ellipsis:
        if isinstance(node.value, bool):
            def flip(n: ast.AST) -> tuple[str, str, Any, Any]:
                assert isinstance(n, ast.Constant)
                old = n.value
                n.value = not old
                return repr(old), repr(n.value), old, n.value
            yield "constant", flip
        elif isinstance(node.value, int | float):
            def bump(n: ast.AST) -> tuple[str, str, Any, Any]:
                assert isinstance(n, ast.Constant) and isinstance(n.value, int | float)
                old = n.value
                n.value = _new_number(old)
                return repr(old), repr(n.value), old, n.value
            yield "constant", bump
    elif isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in _CMP_SWAP:
                def swap_cmp(n: ast.AST, i: int = i) -> tuple[str, str, Any, Any]:
                    assert isinstance(n, ast.Compare)
                    before = ast.unparse(n)
                    n.ops[i] = _CMP_SWAP[type(n.ops[i])]()
                    return before, ast.unparse(n), None, None
                yield "compare", swap_cmp
    elif isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in _BIN_SWAP:
        def swap_bin(n: ast.AST) -> tuple[str, str, Any, Any]:
            assert isinstance(n, ast.BinOp | ast.AugAssign)
            before = ast.unparse(n)
            n.op = _BIN_SWAP[type(n.op)]()
            return before, ast.unparse(n), None, None
        yield "arithmetic", swap_bin
    elif isinstance(node, ast.BoolOp) and type(node.op) in _BOOL_SWAP:
        def swap_bool(n: ast.AST) -> tuple[str, str, Any, Any]:
            assert isinstance(n, ast.BoolOp)
            before = ast.unparse(n)
            n.op = _BOOL_SWAP[type(n.op)]()
            return before, ast.unparse(n), None, None
        yield "boolean", swap_bool
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in ("min", "max"):
        def swap_minmax(n: ast.AST) -> tuple[str, str, Any, Any]:
            assert isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            before = ast.unparse(n)
            n.func.id = "max" if n.func.id == "min" else "min"
            return before, ast.unparse(n), None, None
        yield "minmax", swap_minmax
    elif isinstance(node, ast.If):
        for always in (True, False):
            def drop_cond(n: ast.AST, always: bool = always) -> tuple[str, str, Any, Any]:
                assert isinstance(n, ast.If)
                before = f"if {ast.unparse(n.test)}:"
                n.test = ast.Constant(value=always)
                return before, f"if {always}:", None, None
            yield "condition", drop_cond
    elif isinstance(node, ast.Return) and node.value is not None and not (
            isinstance(node.value, ast.Constant) and node.value.value is None):
        def drop_return(n: ast.AST) -> tuple[str, str, Any, Any]:
            assert isinstance(n, ast.Return)
            before = ast.unparse(n)
            n.value = ast.Constant(value=None)
            return before, "return None", None, None
        yield "return", drop_return

    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
        # Handled here, not in the chain above, so nothing else at this node is skipped.
        yield ("boolean" if isinstance(node.op, ast.Not) else "arithmetic"), _drop_not


def _drop_not(n: ast.AST) -> tuple[str, str, Any, Any]:
    """``not x`` → ``x`` and ``-x`` → ``x``: the node itself is replaced, which needs its
    parent, so :func:`_mutate_one` does it; this marker is never called."""
    raise NotImplementedError


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``node`` in source order, skipping what must not change:
    docstrings, annotations, default values and decorators (they live outside the code
    object that the worker swaps)."""
    for name, value in ast.iter_fields(node):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and name in (
                "args", "returns", "decorator_list", "type_params"):
            continue
        if isinstance(node, ast.AnnAssign) and name == "annotation":
            continue
        children = value if isinstance(value, list) else [value]
        for i, child in enumerate(children):
            if not isinstance(child, ast.AST):
                continue
            if (name == "body" and i == 0 and isinstance(child, ast.Expr)
                    and isinstance(child.value, ast.Constant)
                    and isinstance(child.value.value, str)):
                continue  # a docstring
            yield child
            yield from _walk(child)


def _built_classes(tree: ast.Module, func: ast.AST) -> list[ast.ClassDef]:
    """Classes of the same module that ``func`` returns an instance of (``return
    RateLimiter(...)``): a factory's behaviour is the object it builds."""
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    found: list[ast.ClassDef] = []
    for node in ast.walk(func):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Name) \
                and node.value.func.id in classes \
                and classes[node.value.func.id] not in found:
            found.append(classes[node.value.func.id])
    return found


def _literal_number(node: ast.AST | None) -> int | float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _literal_number(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) \
            and not isinstance(node.value, bool):
        return node.value
    return None


def _module_numbers(tree: ast.Module) -> dict[str, tuple[int | float, int]]:
    """Module-level ``NAME = <number>`` assignments: name → (value, line)."""
    found: dict[str, tuple[int | float, int]] = {}
    for node in tree.body:
        target: ast.expr | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if isinstance(target, ast.Name):
            number = _literal_number(value)
            if number is not None:
                found[target.id] = (number, node.lineno)
    return found


def _functions(node: ast.AST, prefix: str) -> list[tuple[str, ast.FunctionDef |
                                                          ast.AsyncFunctionDef]]:
    if isinstance(node, ast.ClassDef):
        return [(f"{prefix}.{n.name}", n) for n in node.body
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    return [(prefix, node)]


def _mutate_one(func: ast.FunctionDef | ast.AsyncFunctionDef, index: int,
                site: int) -> tuple[ast.AST, str, str, Any, Any, int]:
    """Copy ``func`` and apply the ``site``-th mutation of its ``index``-th node."""
    clone = copy.deepcopy(func)
    clone.decorator_list = []
    nodes = list(_walk(clone))
    target = nodes[index]
    _, apply = list(_sites(target))[site]
    line = getattr(target, "lineno", func.lineno)
    if apply is _drop_not:
        assert isinstance(target, ast.UnaryOp)
        before = ast.unparse(target)
        _replace_child(clone, target, target.operand)
        return clone, before, ast.unparse(target.operand), None, None, line
    before, after, old, new = apply(target)
    return clone, before, after, old, new, line


def _replace_child(root: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(root):
        for name, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, name, new)
                return
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is old:
                        value[i] = new
                        return


def make_mutants(source: str, qualname: str, *, target: str | None = None,
                 filename: str = "<target>") -> list[Mutant]:
    """Every mutant of ``qualname`` in module ``source`` (a function, a method, or all the
    methods of a class), numbered from 1 in a fixed order. A module-level function that
    returns an instance of a class of the same module (a factory) also gets the mutants of
    that class's methods.

    Raises ``LookupError`` when the module defines no such name.
    """
    tree = ast.parse(source, filename=filename)
    node = find_def(tree, qualname)
    if node is None:
        raise LookupError(f"{filename} defines no function or class {qualname!r}")
    mutants: list[Mutant] = []
    functions = _functions(node, qualname)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and "." not in qualname:
        for cls in _built_classes(tree, node):
            functions += _functions(cls, cls.name)
    numbers = _module_numbers(tree)
    read: dict[str, str] = {}  # module constant -> the first function reading it
    for name, func in functions:
        local = {n.id for n in ast.walk(func) if isinstance(n, ast.Name)
                 and isinstance(n.ctx, ast.Store)}
        for index, child in enumerate(_walk(func)):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load) \
                    and child.id in numbers and child.id not in local:
                read.setdefault(child.id, name)
            for site, (op, _apply) in enumerate(_sites(child)):
                clone, before, after, old, new, line = _mutate_one(func, index, site)
                mutants.append(Mutant(
                    id=len(mutants) + 1, target=target or qualname, qualname=name,
                    operator=op, line=line, original=before, mutated=after,
                    source=ast.unparse(ast.fix_missing_locations(clone)),
                    old_value=old, new_value=new,
                ))
    # A limit usually lives in a module constant (BACKOFF_CAP = 5.0), not in the body:
    # the constants the target reads are part of what it does.
    for constant, name in read.items():
        old, line = numbers[constant]
        new = _new_number(old)
        mutants.append(Mutant(
            id=len(mutants) + 1, target=target or qualname, qualname=name,
            operator="constant", line=line, original=f"{constant} = {old!r}",
            mutated=f"{constant} = {new!r}", source="", old_value=old, new_value=new,
            global_name=constant))
    return mutants


def _param_name(value: Any, params: Mapping[str, Any]) -> str | None:
    """The finding parameter whose value this constant is, if exactly one matches."""
    # 0 and 1 are in every guard and loop; naming them after a parameter misleads.
    if isinstance(value, bool) or not isinstance(value, int | float) or value in (0, 1, -1):
        return None
    names = [k for k, v in params.items() if isinstance(v, int | float)
             and not isinstance(v, bool) and abs(float(v) - float(value)) < 1e-12]
    return names[0] if len(names) == 1 else None


def question_for(mutant: Mutant | Mapping[str, Any], params: Mapping[str, Any] | None = None,
                 *, where: str = "") -> str:
    """A surviving mutant as a plain question for the rule's owner.

    ``params`` maps the finding's parameter names to numbers, so a constant that is a
    parameter is called by its name.

    >>> m = make_mutants("def f(n):\\n    return n * 2\\n", "f")[2]
    >>> question_for(m, {"factor": 2})
    'The checks still pass if factor is 3 instead of 2 (line 2 of f): is that acceptable?'
    """
    m = mutant.to_dict() if isinstance(mutant, Mutant) else dict(mutant)
    place = f"line {m['line']} of {where or m['qualname']}"
    op = m["operator"]
    if op == "constant":
        name = _param_name(m["old_value"], params or {})
        if m.get("global_name"):
            what = f"{name} (`{m['global_name']}`)" if name else f"`{m['global_name']}`"
            return (f"The checks still pass if {what} is {m['new_value']!r} instead of "
                    f"{m['old_value']!r} ({place}): is that acceptable?")
        what = name or f"the constant {m['original']}"
        return (f"The checks still pass if {what} is {m['mutated']} instead of "
                f"{m['original']} ({place}): is that acceptable?")
    if op == "condition":
        test = m["original"].removeprefix("if ").removesuffix(":")
        how = "always runs" if m["mutated"] == "if True:" else "never runs"
        return (f"The checks still pass if the branch guarded by `{test}` {how} ({place}): "
                "is that acceptable?")
    if op == "return":
        return (f"The checks still pass if `{m['original']}` returns None instead "
                f"({place}): is that acceptable?")
    return (f"The checks still pass if `{m['original']}` becomes `{m['mutated']}` "
            f"({place}): is that acceptable?")


# -- value mutants: a site's own value, changed where it lives ----------------------------

#: A value mutant's steps, documented in docs/explanation/scores-and-proof.md: a boolean
#: flips; an integer (a count, or a duration or size written in whole units: 300 s,
#: 5000 ms) moves one unit up and one down, the smallest change a test that pins the
#: boundary notices and a loose one does not; a float of 2 or more moves one unit too
#: (5.0 s → 6.0 and 4.0); a smaller float (0.5 s, where one unit would cross zero) is
#: doubled and halved.
def value_steps(value: bool | int | float) -> list[bool | int | float]:
    """The values a site's ``value`` is changed to, up first.

    >>> value_steps(5), value_steps(5.0), value_steps(0.5), value_steps(True)
    ([6, 4], [6.0, 4.0], [1.0, 0.25], [False])
    """
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1]
    if value == 0:
        return [1.0, -1.0]
    if abs(value) >= 2:
        return [value + 1, value - 1]
    return [value * 2, value / 2]


@dataclass(frozen=True)
class ValueMutant:
    """One changed value at a site: the whole mutated file, for a worker to load in place
    of the real one."""

    param: str
    path: str
    line: int
    name: str | None
    original: str
    mutated: str
    old_value: Any
    new_value: Any
    source: str

    def describe(self) -> str:
        what = f"`{self.name}`" if self.name else f"`{self.original}`"
        return f"{what} in {self.path}:{self.line} is {self.mutated}"


def _literal(node: ast.AST) -> bool | int | float | None:
    """A number or boolean written as a literal (``-5`` included), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return node.value
    return _literal_number(node)


def _literals_on(tree: ast.AST, line: int) -> list[ast.expr]:
    """Literal numbers and booleans that start on ``line``, outermost first (``-5``, not
    its ``5``)."""
    found: list[ast.expr] = []
    inner: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.expr) and getattr(node, "lineno", None) == line \
                and id(node) not in inner and _literal(node) is not None:
            found.append(node)
            if isinstance(node, ast.UnaryOp):
                inner.add(id(node.operand))
    found.sort(key=lambda n: n.col_offset)
    return found


def _assigned_name(tree: ast.Module, line: int) -> tuple[str, ast.expr] | None:
    """``NAME = <literal>`` (or ``NAME: T = <literal>``) on ``line``, anywhere in the
    module: the name and the literal."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.lineno == line:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name) \
                    and node.value is not None and _literal(node.value) is not None:
                return targets[0].id, node.value
    return None


def site_values(code: str) -> list[bool | int | float]:
    """The literal values in a site's recorded ``code``.

    >>> site_values("RETRY_CAP = 5"), site_values("backoff_max=-2.5,"), site_values("x(")
    ([5], [-2.5], [])
    """
    try:
        tree: ast.AST = ast.parse(code.strip().rstrip(",").strip())
    except SyntaxError:
        import re

        values: list[bool | int | float] = []
        for token in re.findall(r"\bTrue\b|\bFalse\b|-?\d+(?:\.\d+)?(?:[eE]-?\d+)?", code):
            values.append(token == "True" if token in ("True", "False")
                          else float(token) if any(c in token for c in ".eE")
                          else int(token))
        return values
    inner = {id(n.operand) for n in ast.walk(tree) if isinstance(n, ast.UnaryOp)}
    return [v for n in ast.walk(tree) if id(n) not in inner
            and (v := _literal(n)) is not None]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return abs(float(a) - float(b)) < 1e-12


def _code_name(code: str) -> str | None:
    """``NAME`` when a site's code reads ``NAME = ...``."""
    head, sep, _ = code.partition("=")
    head = head.split(":")[0].strip()
    return head if sep and head.isidentifier() and "==" not in code else None


def locate_value(source: str, line: int, code: str = "", *,
                 filename: str = "<site>") -> tuple[ast.expr, str | None]:
    """The literal a site points at: on ``line``, a ``NAME = <literal>`` assignment's
    value, else the literal whose value is the one in the site's ``code``, else the only
    literal of the line. When the file moved on (the line no longer holds it) and the
    site's code names a constant, that constant's assignment anywhere in the module.

    Raises ``LookupError`` saying why when there is no such literal.

    >>> node, name = locate_value("X = 1\\nRETRY_CAP = 5\\n", 2, "RETRY_CAP = 5")
    >>> name, node.value
    ('RETRY_CAP', 5)
    """
    tree = ast.parse(source, filename=filename)
    wanted = site_values(code) if code else []
    name = _code_name(code) if code else None
    assigned = _assigned_name(tree, line)
    if assigned is not None and (name is None or assigned[0] == name):
        return assigned[1], assigned[0]
    on_line = _literals_on(tree, line)
    matching = [n for n in on_line if any(_same(_literal(n), w) for w in wanted)]
    if matching:
        return matching[0], None
    if on_line and (not wanted or len(on_line) == 1) and name is None:
        return on_line[0], None
    if name is not None:
        for node in tree.body:
            found = _assigned_name(tree, node.lineno) if isinstance(
                node, ast.Assign | ast.AnnAssign) else None
            if found is not None and found[0] == name:
                return found[1], found[0]
    shown = f" (`{code.strip()}`)" if code.strip() else ""
    if not on_line:
        raise LookupError(f"{filename}:{line} holds no number or boolean{shown}: the site "
                          "has moved; locate it again")
    raise LookupError(f"{filename}:{line} no longer holds the site's value{shown}: the "
                      "site has moved; locate it again")


def _literal_text(value: bool | int | float) -> str:
    text = repr(value)
    return f"({text})" if not isinstance(value, bool) and value < 0 else text


def value_mutants(source: str, *, param: str, path: str, line: int, code: str = "",
                  filename: str | None = None) -> list[ValueMutant]:
    """The value mutants of one site: its literal changed both ways (see
    :func:`value_steps`), each as the whole file with only that literal's text replaced,
    so every other line keeps its number.

    Raises ``LookupError`` (from :func:`locate_value`) when the site holds no value.

    >>> [m.mutated for m in value_mutants("RETRY_CAP = 5\\n", param="cap",
    ...                                   path="app/settings.py", line=1)]
    ['RETRY_CAP = 6', 'RETRY_CAP = 4']
    """
    node, name = locate_value(source, line, code, filename=filename or path)
    old = _literal(node)
    assert old is not None and node.end_lineno is not None and node.end_col_offset is not None
    if node.end_lineno != node.lineno:
        raise LookupError(f"{filename or path}:{line}: the value spans lines; cannot change it")
    lines = source.splitlines(keepends=True)
    first = lines[node.lineno - 1].encode("utf-8")
    original = first[node.col_offset:node.end_col_offset].decode("utf-8")
    mutants = []
    for new in value_steps(old):
        text = _literal_text(new)
        changed = first[:node.col_offset] + text.encode() + first[node.end_col_offset:]
        out = [*lines[:node.lineno - 1], changed.decode("utf-8"), *lines[node.lineno:]]
        shown = text.strip("()")
        mutants.append(ValueMutant(
            param=param, path=path, line=node.lineno, name=name,
            original=f"{name} = {original.strip()}" if name else original.strip(),
            mutated=f"{name} = {shown}" if name else shown, old_value=old,
            new_value=new, source="".join(out)))
    return mutants


def value_question(mutant: ValueMutant | Mapping[str, Any]) -> str:
    """A surviving value mutant as a question for the rule's owner.

    >>> m = value_mutants("RETRY_CAP = 5\\n", param="cap", path="app/settings.py",
    ...                   line=1)[0]
    >>> value_question(m)
    'The checks still pass if `RETRY_CAP` in app/settings.py:1 is 6 instead of 5: is that acceptable?'
    """
    m = asdict(mutant) if isinstance(mutant, ValueMutant) else dict(mutant)
    what = f"`{m['name']}`" if m.get("name") else f"{m['param']} (`{m['original']}`)"
    return (f"The checks still pass if {what} in {m['path']}:{m['line']} is "
            f"{m['new_value']!r} instead of {m['old_value']!r}: is that acceptable?")
