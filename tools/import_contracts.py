"""An import-linter contract type: shells reach the stages only through public names.

The layers contract (``pyproject.toml``) keeps imports running down the pipeline, and
``private_modules`` keeps ``_module`` files inside their package. Neither sees names: a
shell that does ``from dna_kit.codify.property_tests import _binding`` uses a stage's
private helper, and the next change to that helper breaks the shell. This contract reads
every ``from X import Y`` and ``X._y`` attribute use in the importer modules and reports
each private name of another ``dna_kit`` package.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import grimp
from importlinter import Contract, ContractCheck, fields, output


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _top(module: str, root: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == root else module


def private_uses(path: Path, module: str, root: str) -> list[tuple[int, str]]:
    """``(line, "dna_kit.x._name")`` for each private name of another package used in
    ``path``; names inside the importer's own top-level package are its own business."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    home = _top(module, root)
    aliases: dict[str, str] = {}
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith(root + ".") or _top(node.module, root) == home:
                continue
            for alias in node.names:
                if _private(alias.name):
                    found.append((node.lineno, f"{node.module}.{alias.name}"))
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(root + ".") and _top(alias.name, root) != home:
                    aliases[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and _private(node.attr)
                and isinstance(node.value, ast.Name) and node.value.id in aliases):
            found.append((node.lineno, f"{aliases[node.value.id]}.{node.attr}"))
    return sorted(set(found))


class PrivateNamesContract(Contract):
    """Modules under ``importers`` use no private name of another package of the root."""

    type_name = "private_names"

    importers = fields.ListField(subfield=fields.ModuleField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        root = next(iter(self.importers)).name.split(".")[0]  # type: ignore[attr-defined]
        uses: list[str] = []
        for importer in self.importers:  # type: ignore[attr-defined]
            modules = {importer.name} | graph.find_descendants(importer.name)
            for module in sorted(modules):
                spec = importlib.util.find_spec(module)
                if spec is None or not spec.origin or not spec.origin.endswith(".py"):
                    continue
                for line, name in private_uses(Path(spec.origin), module, root):
                    uses.append(f"{module}:{line} uses {name}")
        return ContractCheck(kept=not uses, warnings=None, metadata={"uses": uses})

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error("Shells must use the stages' public names:", bold=False)
        output.new_line()
        for use in check.metadata["uses"]:
            output.print_error(f"- {use}", bold=False)
            output.new_line()
