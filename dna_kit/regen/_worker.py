"""The proof worker: one long-lived pytest session that runs tests against mutants.

``python -m dna_kit.regen._worker ROOT INI FILE...`` collects FILE... once, then answers
JSON commands, one a line, on its stdin (replies on its stdout):

- ``{"op": "mutants", "target": "mod:qual"}``: the mutants of a callable;
- ``{"op": "baseline", "files": [...]}``: run those files' tests on the real code;
- ``{"op": "run", "files": [...], "target": ..., "qualname": ..., "source": ...,
  "limit": seconds}``: swap the mutated code into the live function object (its
  ``__code__``), run the tests until one fails, and put the original back;
- ``{"op": "value", "files": [...], "path": file, "source": text, "roots": [...],
  "limit": seconds}``: a value mutant. The worker forks; the child executes the mutated
  file in place of the module loaded from ``path`` (its own dictionary, so every
  ``settings.X`` read sees the new value), then again every module of the project (under
  ``roots``) that imports it, directly or not, the tests included, so values captured at
  import time (``@retry(stop=stop_after_attempt(settings.X))``,
  ``Retry(backoff_max=settings.Y)`` at module level) are captured anew; it runs the tests
  and exits. The worker itself never sees the mutant.

Swapping a code object costs microseconds where starting pytest costs a second, and every
reference the tests hold to the function sees the mutant; a fork costs milliseconds. The tests' own output goes to
/dev/null; the protocol uses private copies of the original stdin and stdout.
"""

from __future__ import annotations

import ast
import importlib
import importlib.abc
import importlib.machinery
import inspect
import json
import os
import select
import signal
import sys
import textwrap
import time
import types
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import pytest


class MutantTimeLimit(BaseException):
    """Stops a mutant that loops; a BaseException so hypothesis does not retry it."""


def resolve(target: str) -> tuple[Any, Any]:
    """``"pkg.mod:Class.method"`` → (module, the plain function object to patch)."""
    module_name, _, qualname = target.partition(":")
    module = importlib.import_module(module_name)
    obj: Any = module
    for part in qualname.split("."):
        owner = obj
        obj = owner.__dict__[part] if isinstance(owner, type) and part in owner.__dict__ \
            else getattr(owner, part)
        if isinstance(obj, staticmethod | classmethod):
            obj = obj.__func__
        elif isinstance(obj, property) and obj.fget is not None:
            obj = obj.fget
    return module, inspect.unwrap(obj) if callable(obj) else obj


def compile_def(source: str, filename: str, name: str,
                freevars: tuple[str, ...]) -> types.CodeType:
    """Compile one ``def`` and return its code object, with the same free variables as the
    function it replaces (a closure is rebuilt around it when there are any)."""
    if freevars:
        text = ("def __dna_outer__():\n"
                + "".join(f"    {v} = None\n" for v in freevars)
                + textwrap.indent(source, "    ") + f"\n    return {name}\n")
        outer = _const(compile(text, filename, "exec"), "__dna_outer__")
        code = _const(outer, name)
    else:
        code = _const(compile(source, filename, "exec"), name)
    if code.co_freevars != freevars:
        raise ValueError(f"the mutant uses free variables {code.co_freevars!r}, the "
                         f"function {freevars!r}: cannot swap it in")
    return code


def _const(code: types.CodeType, name: str) -> types.CodeType:
    for const in code.co_consts:
        if isinstance(const, types.CodeType) and const.co_name == name:
            return const
    raise LookupError(f"no code object named {name!r}")


class _MutatedFile(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Loads the module whose file is ``path`` from ``source`` instead (for an import that
    happens only after the mutation, in a function or a lazily imported module)."""

    def __init__(self, path: Path, source: str) -> None:
        self.path, self.source = path, source

    def find_spec(self, name: str, path: Sequence[str] | None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.origin is None or Path(spec.origin).resolve() != self.path:
            return None
        spec.loader = self
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        exec(compile(self.source, str(self.path), "exec"), module.__dict__)


_INSTALLED = tuple({Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()})
#: module name -> (the module object's id, its file resolved): resolving every loaded
#: module's path again for each value mutant cost 60 ms.
_FILES: dict[str, tuple[int, Path | None]] = {}


def _module_file(name: str, module: types.ModuleType, roots: Sequence[Path]) -> Path | None:
    """The ``.py`` file of a module of the project (under ``roots``, not installed)."""
    known = _FILES.get(name)
    if known is not None and known[0] == id(module):
        path = known[1]
    else:
        file = getattr(module, "__file__", None)
        path = Path(file).resolve() if isinstance(file, str) and file.endswith(".py") \
            else None
        if path is not None and ("site-packages" in path.parts
                                 or any(path.is_relative_to(p) for p in _INSTALLED)):
            path = None
        _FILES[name] = (id(module), path)
    return path if path is not None and any(path.is_relative_to(r) for r in roots) \
        else None


def _imported_names(tree: ast.AST, package: str | None) -> set[str]:
    """Every module name an import statement of ``tree`` may bind or load."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                names.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = (package or "").split(".")
                anchor = anchor[:len(anchor) - node.level + 1] if node.level > 1 else anchor
                base = ".".join(p for p in [*anchor, base] if p)
            if base:
                parts = base.split(".")
                names.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
                names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


_TREES: dict[Path, tuple[float, set[str], str | None]] = {}


def affected_modules(path: Path, roots: Sequence[Path]) -> list[tuple[types.ModuleType, Path]]:
    """The loaded modules of the project to execute again when ``path`` changes: its own
    module, then every module that imports it (directly or through others), each after
    the modules of this set it imports."""
    files = {name: (m, f) for name, m in list(sys.modules.items())
             if isinstance(m, types.ModuleType) and (f := _module_file(name, m, roots))}
    imports: dict[str, set[str]] = {}
    for name, (module, file) in files.items():
        stamp = file.stat().st_mtime
        cached = _TREES.get(file)
        package = getattr(module, "__package__", None)
        if cached is None or cached[0] != stamp or cached[2] != package:
            tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
            cached = (stamp, _imported_names(tree, package), package)
            _TREES[file] = cached
        imports[name] = cached[1] & files.keys()
    chosen = {name for name, (_, file) in files.items() if file == path}
    grew = True
    while grew:
        grew = False
        for name, needs in imports.items():
            if name not in chosen and needs & chosen:
                chosen.add(name)
                grew = True
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(chosen):  # dependencies first; a cycle is broken by name
        ready = sorted(n for n in chosen - placed if not (imports[n] & chosen) - placed - {n})
        step = ready or [sorted(chosen - placed)[0]]
        order += step
        placed.update(step)
    return [files[n] for n in order]


def load_mutated(path: Path, source: str, roots: Sequence[Path],
                 affected: Sequence[tuple[types.ModuleType, Path]] | None = None) -> None:
    """Make the running interpreter see ``source`` as the file ``path``: execute it in its
    module's own dictionary, then every module of the project that imports it, again
    (``affected``, when :func:`affected_modules` was asked already)."""
    sys.meta_path.insert(0, _MutatedFile(path, source))
    for module, file in affected if affected is not None else affected_modules(path, roots):
        text = source if file == path else file.read_text(encoding="utf-8")
        exec(compile(text, str(file), "exec"), module.__dict__)


class ProofLoop:
    """A pytest plugin that, once collection is done, serves commands instead of running
    the tests once."""

    def __init__(self, commands: IO[str], replies: IO[str]) -> None:
        self.commands = commands
        self.replies = replies
        self.items: dict[Path, list[pytest.Item]] = {}
        self.fired = False

    def send(self, message: dict[str, Any]) -> None:
        self.replies.write(json.dumps(message) + "\n")
        self.replies.flush()

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.send({"collect_error": report.nodeid, "message": str(report.longrepr)[-500:]})

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        from dna_kit.regen import _plugin

        _plugin.RECORDING = False
        _plugin.load_profile(no_shrink=True)
        self.session = session
        for item in session.items:
            self.items.setdefault(Path(item.path).resolve(), []).append(item)
        self.send({"ready": True, "files": {str(p): [i.nodeid for i in items]
                                            for p, items in self.items.items()}})
        for line in self.commands:
            if not line.strip():
                continue
            command = json.loads(line)
            try:
                reply = getattr(self, "op_" + command["op"])(command)
            except Exception as exc:  # one bad command must not end the session
                reply = {"error": f"{type(exc).__name__}: {exc}"}
            self.send(reply)
        return True

    def _items(self, files: list[str], only: str | list[str] | None = None
               ) -> list[pytest.Item]:
        """The tests of ``files``; with ``only`` (``f0007``), just those named for it, when
        a file serves several findings."""
        return [i for f in files for i in self.items.get(Path(f).resolve(), [])
                if only is None or (only in i.name.lower() if isinstance(only, str) else
                                    any(i.nodeid == n or i.nodeid.startswith((n + "[", n + "::"))
                                        for n in only))]

    def _alarm(self, signum: int, frame: Any) -> None:
        self.fired = True
        raise MutantTimeLimit()

    def _run(self, items: list[pytest.Item], limit: float) -> dict[str, Any]:
        from _pytest.runner import runtestprotocol

        from dna_kit.regen._plugin import _short

        start = time.perf_counter()
        self.fired = False
        old = signal.signal(signal.SIGALRM, self._alarm)
        if limit > 0:
            signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            for item in items:
                for report in runtestprotocol(item, nextitem=None, log=False):
                    if report.failed:
                        return {"failed": True, "message": _short(report),
                                "by": "time limit" if self.fired else item.nodeid,
                                "duration": time.perf_counter() - start}
        except MutantTimeLimit:
            return {"failed": True, "by": "time limit", "message": "time limit exceeded",
                    "duration": time.perf_counter() - start}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
        return {"failed": False, "duration": time.perf_counter() - start}

    def op_plain(self, command: dict[str, Any]) -> dict[str, Any]:
        """Run every collected test (or those of ``files``) once, as a plain pytest run
        would, with the results plugin recording (so the proof does not pay for a second
        pytest start-up)."""
        from dna_kit.regen import _plugin

        items = [i for group in self.items.values() for i in group] \
            if command.get("files") is None else self._items(command["files"])
        _plugin.load_profile()  # shrinking on: a failure's report names its smallest example
        _plugin.RECORDING = True
        try:
            for i, item in enumerate(items):
                nextitem = items[i + 1] if i + 1 < len(items) else None
                item.ihook.pytest_runtest_protocol(item=item, nextitem=nextitem)
        finally:
            _plugin.RECORDING = False
            _plugin.load_profile(no_shrink=True)
        return {"ran": len(items)}

    def op_mutants(self, command: dict[str, Any]) -> dict[str, Any]:
        from dna_kit.regen.mutate import make_mutants

        target = command["target"]
        module, _ = resolve(target)
        filename = inspect.getsourcefile(module) or module.__file__
        source = Path(filename).read_text(encoding="utf-8")
        qualname = target.partition(":")[2]
        mutants = make_mutants(source, qualname, target=target, filename=filename)
        return {"file": filename, "mutants": [m.to_dict() for m in mutants]}

    def op_baseline(self, command: dict[str, Any]) -> dict[str, Any]:
        items = self._items(command["files"], command.get("only"))
        if not items:
            return {"error": "no test collected from " + ", ".join(command["files"])}
        return {**self._run(items, float(command.get("limit") or 0)), "tests": len(items)}

    def op_run(self, command: dict[str, Any]) -> dict[str, Any]:
        items = self._items(command["files"], command.get("only"))
        if command.get("global_name"):
            # A module constant the target reads: set it for the run, then put it back.
            module = importlib.import_module(command["target"].partition(":")[0])
            name, missing = command["global_name"], object()
            old = getattr(module, name, missing)
            if old is missing:
                return {"error": f"{module.__name__} has no {name}"}
            setattr(module, name, command["new_value"])
            try:
                return self._run(items, float(command["limit"]))
            finally:
                setattr(module, name, old)
        _, func = resolve(command["target"].partition(":")[0] + ":"
                               + command["qualname"])
        if not isinstance(func, types.FunctionType):
            return {"error": f"{command['qualname']} is not a Python function"}
        code = compile_def(command["source"], func.__code__.co_filename, func.__name__,
                           func.__code__.co_freevars)
        original = func.__code__
        func.__code__ = code
        try:
            return self._run(items, float(command["limit"]))
        finally:
            func.__code__ = original


    def op_value(self, command: dict[str, Any]) -> dict[str, Any]:
        items = self._items(command["files"], command.get("only"))
        if not items:
            return {"error": "no test collected from " + ", ".join(command["files"])}
        path = Path(command["path"]).resolve()
        roots = [Path(r).resolve() for r in command["roots"]]
        limit = float(command["limit"])
        affected = affected_modules(path, roots)  # here, so each child inherits the work
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: load the mutant, run, answer, exit without cleaning up
            os.close(read_end)
            try:
                try:
                    load_mutated(path, command["source"], roots, affected)
                except BaseException as exc:  # the value breaks the code at import
                    reply = {"failed": True, "by": "import",
                             "message": f"{type(exc).__name__}: {exc}"[:300]}
                else:
                    reply = self._run(items, limit)
                os.write(write_end, json.dumps(reply).encode())
            finally:
                os._exit(0)
        os.close(write_end)
        data = b""
        deadline = time.monotonic() + limit + 5.0
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([read_end], [], [], left)[0]:
                    os.kill(pid, signal.SIGKILL)
                    return {"failed": True, "by": "time limit",
                            "message": "time limit exceeded", "duration": limit}
                chunk = os.read(read_end, 65536)
                if not chunk:
                    break
                data += chunk
        finally:
            os.close(read_end)
            os.waitpid(pid, 0)
        if not data:
            return {"failed": True, "by": "crash", "message": "the tests ended the process"}
        return dict(json.loads(data))


def main(argv: list[str]) -> int:
    root, ini, *files = argv
    commands = os.fdopen(os.dup(0), "r", encoding="utf-8")
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    loop = ProofLoop(commands, replies)
    from dna_kit.regen.runner import plugin_args

    extra = [p for p in os.environ.get("DNA_REGEN_PLUGINS", "").split(",") if p]
    if os.environ.get("DNA_REGEN_RESULTS"):
        extra.append("dna_kit.regen._plugin")  # the plain run's results, recorded
    args = [*files, "-c", ini, "--rootdir", root, "-p", "no:cacheprovider",
            "-p", "no:randomly", "-s", "-q", "--continue-on-collection-errors",
            # Only pass or fail matters here: formatting each killed mutant's traceback
            # cost 14x the mutants' own run time (measured: 0.57 s vs 0.04 s for 13).
            "--tb=no", *plugin_args(extra)]
    return int(pytest.main(args, plugins=[loop]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
