"""The project's Python code, read statically for :mod:`dna_kit.codify.sites`.

:class:`CodeBase` finds a dotted module under the repository root (or its ``src/``), parses
it with :mod:`ast` once and resolves names read in it (imports, relative imports,
re-exports, attribute access, class attributes) to module-level constants, definitions and
modules of the project. A module that is not a file of the repository, a file that links
outside it, and a file that does not parse are never followed (the last two leave a note).
:class:`Collector` gathers every number and yes/no a piece of code holds or reads, with the
names it sits under and how it was reached. Nothing is imported or run.

>>> code = CodeBase(project)                                      # doctest: +SKIP
>>> code.member("app.settings", "RETRY_CAP").kind                 # doctest: +SKIP
'const'
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dna_kit.project import Project

__all__ = ["CODE_WIDTH", "CodeBase", "Collector", "Module", "Ref", "Value", "find_target"]

CODE_WIDTH = 200     # a site's code is its line, clipped to this many characters
_CONST_HOPS = 2      # a constant defined as another constant, twice over
_REEXPORT_HOPS = 4   # `from app import X` where app re-exports X from app.settings

@dataclass
class Module:
    name: str
    rel: str
    package: bool
    tree: ast.Module
    lines: list[str]
    constants: dict[str, ast.expr] = field(default_factory=dict)
    defs: dict[str, ast.AST] = field(default_factory=dict)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    def code(self, line: int) -> str:
        text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        return text[:CODE_WIDTH]


def _imports_in(nodes: Sequence[ast.AST], module: str, package: bool
                ) -> dict[str, tuple[str, str | None]]:
    out: dict[str, tuple[str, str | None]] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    out[alias.asname] = (alias.name, None)
                else:
                    head = alias.name.split(".")[0]
                    out[head] = (head, None)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".") if package else module.split(".")[:-1]
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join([*parts, *([base] if base else [])])
            for alias in node.names:
                if alias.name != "*":
                    out[alias.asname or alias.name] = (base, alias.name)
    return out


def _top_level(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, looking into ``if``/``try`` blocks (not defs)."""
    for node in body:
        yield node
        if isinstance(node, ast.If | ast.Try):
            for block in (node.body, node.orelse, getattr(node, "finalbody", []),
                          *[h.body for h in getattr(node, "handlers", [])]):
                yield from _top_level(block)


def _assigned(node: ast.stmt) -> tuple[list[str], ast.expr | None]:
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)], node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id], node.value
    return [], None


class CodeBase:
    """The project's modules, parsed on first use; never a file outside the root."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.root = project.root.resolve()
        self.modules: dict[str, Module | None] = {}
        self.notes: list[str] = []

    def module(self, name: str) -> Module | None:
        if name in self.modules:
            return self.modules[name]
        self.modules[name] = None
        parts = name.split(".")
        for base in (self.project.root, self.project.root / "src"):
            for path, package in ((base.joinpath(*parts).with_suffix(".py"), False),
                                  (base.joinpath(*parts, "__init__.py"), True)):
                if path.is_file():
                    self.modules[name] = self._parse(name, path, package)
                    return self.modules[name]
        return None

    def _parse(self, name: str, path: Path, package: bool) -> Module | None:
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            self.notes.append(f"{path.relative_to(self.project.root).as_posix()} lies "
                              "outside the repository (a link); not read")
            return None
        rel = resolved.relative_to(self.root).as_posix()
        text = resolved.read_text(encoding="utf-8", errors="replace")
        try:
            tree = ast.parse(text, filename=rel)
        except SyntaxError as exc:
            self.notes.append(f"{rel}:{exc.lineno}: cannot be parsed ({exc.msg}); not "
                              "searched")
            return None
        mod = Module(name, rel, package, tree, text.splitlines())
        body = list(_top_level(tree.body))
        mod.imports = _imports_in(body, name, package)
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                mod.defs[node.name] = node
            names, value = _assigned(node)
            for target in names:
                if value is not None:
                    mod.constants[target] = value
        return mod

    def member(self, module: str, name: str, hops: int = 0) -> Ref | None:
        """What ``module.name`` is in the project, or None when it is not there."""
        mod = self.module(module)
        if mod is not None and hops <= _REEXPORT_HOPS:
            if name in mod.constants:
                return Ref("const", name, mod)
            if name in mod.defs:
                return Ref("def", name, mod, mod.defs[name])
            if name in mod.imports:
                return self.imported(mod.imports[name], hops + 1)
        if self.module(f"{module}.{name}") is not None:
            return Ref("module", f"{module}.{name}")
        return None

    def imported(self, ref: tuple[str, str | None], hops: int = 0) -> Ref | None:
        """What an import (``(module, name or None)``) binds, when it is in the project."""
        module, name = ref
        if name is None:
            return Ref("module", module) if self.module(module) is not None else None
        return self.member(module, name, hops)

    def resolve(self, mod: Module, expr: ast.expr,
                local: Mapping[str, tuple[str, str | None]], depth: int = 0) -> Ref | None:
        """A ``Name`` or dotted ``Attribute`` read in ``mod``, resolved statically;
        ``local`` holds the imports made inside the function that reads it."""
        chain: list[str] = []
        while isinstance(expr, ast.Attribute):
            chain.insert(0, expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name) or depth > _REEXPORT_HOPS:
            return None
        first = expr.id
        found: Ref | None
        if first in local:
            found = self.imported(local[first])
        elif first in mod.constants:
            found = Ref("const", first, mod)
        elif first in mod.defs:
            found = Ref("def", first, mod, mod.defs[first])
        elif first in mod.imports:
            found = self.imported(mod.imports[first])
        else:
            return None
        for attr in chain:
            if found is None or (found.kind == "def" and not isinstance(found.node,
                                                                      ast.ClassDef)):
                return None
            found = self.member(found.name, attr) if found.kind == "module" \
                else self._attribute(found, attr, depth)
        return found

    def _attribute(self, ref: Ref, attr: str, depth: int) -> Ref | None:
        """``Config.TIMEOUT`` (a class attribute), or ``settings.timeout`` where
        ``settings = Settings()`` (the default in the class)."""
        assert ref.mod is not None
        cls = ref.node
        if ref.kind == "const":
            value = ref.mod.constants[ref.name]
            made = self.resolve(ref.mod, value.func, {}, depth + 1) \
                if isinstance(value, ast.Call) else None
            cls = made.node if made is not None and made.kind == "def" else None
            ref = made if made is not None else ref
        if not isinstance(cls, ast.ClassDef) or ref.mod is None:
            return None
        return _class_attr(ref.mod, cls, attr)


@dataclass(frozen=True)
class Ref:
    """What a name is: a module-level ``const`` (``name`` is its key in ``mod``), a
    ``def`` (function or class, ``node``) or a ``module`` (``name`` is dotted)."""

    kind: str
    name: str
    mod: Module | None = None
    node: ast.AST | None = None


def _class_attr(mod: Module, cls: ast.ClassDef, attr: str) -> Ref | None:
    for node in cls.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == attr:
            return Ref("def", attr, mod, node)
        names, value = _assigned(node)
        if attr in names and value is not None:
            # A class attribute is a constant of its own: give it a scoped name.
            key = f"{cls.name}.{attr}"
            mod.constants.setdefault(key, value)
            return Ref("const", key, mod)
    return None


# -- values in the code ---------------------------------------------------------------------

@dataclass(frozen=True)
class Value:
    """A number or yes/no in the code: where, under which names, and how it was reached."""

    mod: Module
    line: int
    number: float | bool
    names: tuple[str, ...]
    how: str
    reach: int


def _literal(node: ast.AST) -> float | bool | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _literal(node.operand)
        if isinstance(inner, bool) or inner is None:
            return None
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Constant) and isinstance(node.value, bool | int | float):
        return node.value if isinstance(node.value, bool) else float(node.value)
    return None


def _fold(node: ast.AST) -> float | None:
    """``5 * 1000`` → 5000.0: arithmetic on literals only."""
    if isinstance(node, ast.BinOp):
        left, right = _fold(node.left), _fold(node.right)
        if left is None or right is None:
            return None
        ops = {ast.Add: float.__add__, ast.Sub: float.__sub__, ast.Mult: float.__mul__,
               ast.Div: float.__truediv__}
        op = ops.get(type(node.op))
        try:
            return op(left, right) if op else (left ** right if isinstance(node.op, ast.Pow)
                                               and abs(right) < 64 else None)
        except (ZeroDivisionError, OverflowError):
            return None
    value = _literal(node)
    return None if isinstance(value, bool) else value


def _line(node: ast.AST) -> int:
    return int(getattr(node, "lineno", 1))


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else \
        func.id if isinstance(func, ast.Name) else "a call"


def _parents(root: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(root) for child in ast.iter_child_nodes(node)}


def _context(node: ast.AST, parents: Mapping[ast.AST, ast.AST]
             ) -> tuple[tuple[str, ...], str, bool]:
    """The names a value sits under, what it is (``keyword total of Retry(...)``), and
    whether it is a bare operand or positional argument."""
    parent = parents.get(node)
    if isinstance(parent, ast.keyword) and parent.arg:
        call = parents.get(parent)
        where = f" of {_callee(call)}(...)" if isinstance(call, ast.Call) else ""
        return (parent.arg,), f"keyword {parent.arg}{where}", False
    if isinstance(parent, ast.Call) and node in parent.args:
        # No name: a callee's name says nothing of the unit (min(x, CAP) is not minutes)
        return (), f"argument of {_callee(parent)}(...)", True
    if isinstance(parent, ast.arguments):
        args = [*parent.posonlyargs, *parent.args]
        pairs = [*zip(args[len(args) - len(parent.defaults):], parent.defaults, strict=True),
                 *zip(parent.kwonlyargs, parent.kw_defaults, strict=True)]
        for arg, default in pairs:
            if default is node:
                return (arg.arg,), f"default of {arg.arg}", False
    if isinstance(parent, ast.Assign | ast.AnnAssign):
        names, _ = _assigned(parent)
        if names:
            return tuple(names), f"{names[0]} = ...", False
    return (), "literal", True


def _chain_heads(root: ast.AST, parents: Mapping[ast.AST, ast.AST]) -> Iterator[ast.expr]:
    """Every name or dotted name read under ``root``, outermost attribute only."""
    for node in ast.walk(root):
        if isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load):
            parent = parents.get(node)
            if not (isinstance(parent, ast.Attribute) and parent.value is node):
                yield node


class Collector:
    def __init__(self, code_base: CodeBase) -> None:
        self.code_base = code_base
        self.values: list[Value] = []
        self._walked: set[int] = set()

    def constant(self, mod: Module, name: str, how: str, reach: int,
                 outer: tuple[str, ...] = (), hops: int = _CONST_HOPS) -> None:
        """The values a module constant holds, followed through other constants."""
        value = mod.constants[name]
        short = name.split(".")[-1]
        names = (short, *outer)
        where = f"{mod.rel}:{value.lineno}"
        lit = _literal(value)
        folded = _fold(value) if isinstance(value, ast.BinOp) else None
        if lit is not None or folded is not None:
            number = lit if lit is not None else folded
            assert number is not None
            self.values.append(Value(mod, value.lineno, number, names,
                                      f"constant {short} ({where}), {how}", reach))
            return
        if isinstance(value, ast.Name | ast.Attribute):
            ref = self.code_base.resolve(mod, value, {})
            if ref is not None and ref.kind == "const" and ref.mod is not None and hops > 0:
                self.constant(ref.mod, ref.name, f"through {short}, {how}", reach, names,
                              hops - 1)
            return
        parents = _parents(value)
        if hops > 0:  # Retry(backoff_max=settings.CAP): the constants it is made of
            for head in _chain_heads(value, parents):
                kw, what, _ = _context(head, parents)
                self.reference(mod, head, {}, f"{what} in constant {short} ({where}), {how}",
                               reach, (*kw, *names), hops - 1)
        for node in ast.walk(value):
            number = _literal(node)
            if number is None and isinstance(node, ast.Constant) and isinstance(
                    node.value, str) and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", node.value):
                number = float(node.value)  # os.getenv("RETRY_CAP", "5")
            if number is None or isinstance(parents.get(node), ast.UnaryOp):
                continue
            kw, what, _ = _context(node, parents)
            self.values.append(Value(mod, _line(node), number, (*kw, *names),
                                      f"{what} in constant {short} ({where}), {how}", reach))

    def reference(self, mod: Module, node: ast.expr,
                  local: Mapping[str, tuple[str, str | None]], how: str, reach: int,
                  names: tuple[str, ...] = (), hops: int = _CONST_HOPS) -> Ref | None:
        """The values of the constant ``node`` names, if it names one."""
        ref = self.code_base.resolve(mod, node, local)
        if ref is not None and ref.kind == "const" and ref.mod is not None:
            self.constant(ref.mod, ref.name, how, reach, names, hops)
        return ref

    def code(self, mod: Module, root: ast.AST, label: str, reach: int,
             *, follow: bool) -> None:
        """Literals in ``root`` (a function, class or expression) and what it reads."""
        if id(root) in self._walked:
            return
        self._walked.add(id(root))
        parents = _parents(root)
        decorators = {id(inner) for n in ast.walk(root)
                      if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                      for d in n.decorator_list for inner in ast.walk(d)}
        local_names: set[str] = set()
        imports = [n for n in ast.walk(root) if isinstance(n, ast.Import | ast.ImportFrom)]
        local = _imports_in(imports, mod.name, mod.package)
        for node in ast.walk(root):
            if isinstance(node, ast.arg):
                local_names.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                local_names.add(node.id)
        for node in ast.walk(root):
            number = _literal(node)
            if number is None or isinstance(parents.get(node), ast.UnaryOp):
                continue
            names, what, bare = _context(node, parents)
            if bare and number in (0, 1, -1) and not isinstance(number, bool) \
                    and id(node) not in decorators:
                continue  # range(1, n), x < 0: arithmetic, not a rule's value
            if bare and isinstance(number, bool):
                continue
            where = " in a decorator of" if id(node) in decorators else " in"
            self.values.append(Value(mod, _line(node), number, names,
                                      f"{what}{where} {label}", reach))
        for node in _chain_heads(root, parents):
            head = node
            while isinstance(head, ast.Attribute):
                head = head.value
            if isinstance(head, ast.Name) and head.id in local_names - set(local):
                continue
            names, what, _ = _context(node, parents)
            shown = ast.unparse(node)
            how = (f"passed as {what} in {label}" if what.startswith("keyword")
                   else f"read as {shown} by {label}")
            ref = self.reference(mod, node, local, how, reach, names)
            call = parents.get(node)
            if follow and ref is not None and ref.kind == "def" and ref.mod is not None \
                    and isinstance(call, ast.Call) and call.func is node \
                    and isinstance(ref.node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.code(ref.mod, ref.node, f"{ref.mod.name}:{ref.name}, which {label} "
                          "calls", reach + 1, follow=False)

    def library_calls(self, mod: Module, reach: int) -> None:
        """Arguments of the calls ``mod`` makes at import time (module level and class
        bodies): ``RETRY = Retry(total=5)``, ``session.mount(..., HTTPAdapter(...))``."""
        roots: list[ast.AST] = []

        def add(body: Sequence[ast.stmt]) -> None:
            for node in body:
                # A decorator belongs to its function: searched when the target is that
                # function or calls it, not for every target of the module.
                if isinstance(node, ast.ClassDef):
                    add(node.body)
                elif not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    roots.append(node)

        add(list(_top_level(mod.tree.body)))
        for root in roots:
            for call in (n for n in ast.walk(root) if isinstance(n, ast.Call)):
                where = f"{_callee(call)}(...) at {mod.rel}:{call.lineno}"
                for arg in [*call.args, *call.keywords]:
                    value = arg.value if isinstance(arg, ast.keyword) else arg
                    name = arg.arg if isinstance(arg, ast.keyword) else None
                    what = f"keyword {name} of {where}" if name else f"argument of {where}"
                    number = _literal(value)
                    if number is not None:
                        if name is None and number in (0, 1, -1):
                            continue
                        self.values.append(Value(mod, _line(value), number,
                                                 (name,) if name else (), what, reach))
                    elif isinstance(value, ast.Name | ast.Attribute):
                        self.reference(mod, value, {}, f"taken by {what}", reach,
                                       (name,) if name else ())




def find_target(code: CodeBase, module: str, attrs: Sequence[str]
                ) -> tuple[Module, ast.AST] | None:
    """The definition (or, for an object made at import time, the expression) a
    ``module:attr.attr`` target names, or None when it cannot be read without running."""
    found = code.member(module, attrs[0])
    if found is None or found.mod is None or found.kind == "module":
        return None
    mod = found.mod
    node: ast.AST | None = mod.constants[found.name] if found.kind == "const" else found.node
    for attr in attrs[1:]:
        if not isinstance(node, ast.ClassDef):
            return None
        ref = _class_attr(mod, node, attr)
        node = None if ref is None else ref.node if ref.kind == "def" \
            else mod.constants[ref.name]
    return (mod, node) if node is not None else None
