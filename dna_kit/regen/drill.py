"""The regeneration drill: ask a model to rewrite a module from its DNA alone, then score it.

The model sees only the DNA of the module: the findings bound to it (statement, parameters,
rationale), their decision records, the generated tests' docstrings and signatures, and the
signature line of each bound callable (its interface, not its body). It never sees the
code. The rewrite goes into a scratch copy of the package, :func:`~dna_kit.regen.regenerate`
runs with that copy first on the import path, and the result says which rules survived.

>>> result = drill(".", "dispatch.retry")            # doctest: +SKIP
>>> [f.id for f in result.lost]                      # doctest: +SKIP
['F-0004']
"""

from __future__ import annotations

import ast
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dna_kit.errors import ModelError, RegenError
from dna_kit.finding import Finding
from dna_kit.project import Project, find_project
from dna_kit.regen.scorecard import FindingResult, Scorecard

__all__ = ["DrillResult", "dna_brief", "drill", "module_findings"]

SYSTEM = (
    "You rewrite one Python module from its specification. The specification lists the "
    "rules the module must keep, why they exist, and the checks that will be run against "
    "it. Write the complete module: every function and class the checks import, with the "
    "same names and signatures. Answer with the module's source only, in one ```python "
    "block, with no explanation."
)


@dataclass
class DrillResult:
    """A drill's outcome: where the rewrite is, and which of the module's rules it kept."""

    module: str
    impl_dir: Path
    scorecard: Scorecard
    finding_ids: list[str] = field(default_factory=list)
    prompt: str = ""

    @property
    def survived(self) -> list[FindingResult]:
        return [f for f in self.scorecard.ordered()
                if f.id in self.finding_ids and f.status in ("verified", "proven")]

    @property
    def lost(self) -> list[FindingResult]:
        return [f for f in self.scorecard.ordered()
                if f.id in self.finding_ids and f.status not in ("verified", "proven")]


def _module_of(target: str) -> str:
    return target.partition(":")[0]


def module_findings(project: Project, module: str) -> list[Finding]:
    """Accepted or codified findings whose binding targets ``module``."""
    from dna_kit.ledger import load_ledger

    found = []
    for finding in load_ledger(project):
        binding = finding.binding
        if finding.status not in ("accepted", "codified") or binding is None:
            continue
        targets = [binding.target, *binding.targets.values()]
        if any(_module_of(t) == module for t in targets):
            found.append(finding)
    return found


def _module_file(project: Project, module: str) -> Path | None:
    """The module's file under the root, or under ``src/`` (the src layout)."""
    for top in (project.root, project.root / "src"):
        base = top.joinpath(*module.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def _signature(source_file: Path | None, qualname: str) -> str | None:
    """``def backoff_delay(attempt: int) -> float:``: the interface, never the body."""
    if source_file is None:
        return None
    from dna_kit.regen.mutate import find_def

    node = find_def(ast.parse(source_file.read_text(encoding="utf-8")), qualname)
    if node is None:
        return None
    if isinstance(node, ast.ClassDef):
        methods = [n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        lines = [f"class {node.name}:"]
        lines += ["    " + _def_line(m) for m in methods]
        return "\n".join(lines)
    return _def_line(node)


def _def_line(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    bare = ast.FunctionDef(name=node.name, args=node.args, body=[ast.Pass()],
                           decorator_list=[], returns=node.returns)
    prefix = "async " if isinstance(node, ast.AsyncFunctionDef) else ""
    return prefix + ast.unparse(ast.fix_missing_locations(bare)).splitlines()[0]


def _test_outline(path: Path) -> str:
    """A test file's docstrings and test signatures, without the code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    doc = ast.get_docstring(tree)
    if doc:
        lines.append(doc)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            lines.append(_def_line(node))
            inner = ast.get_docstring(node)
            if inner:
                lines.append(f'    """{inner}"""')
    return "\n".join(lines)


def dna_brief(project: Project, module: str, findings: list[Finding] | None = None) -> str:
    """The text the model gets: the module's DNA, and nothing of its code."""
    findings = module_findings(project, module) if findings is None else findings
    source_file = _module_file(project, module)
    parts = [f"# Module `{module}`", "", "## Interface the checks call", ""]
    seen: set[str] = set()
    for finding in findings:
        assert finding.binding is not None
        for target in (finding.binding.target, *finding.binding.targets.values()):
            if _module_of(target) != module or target in seen:
                continue
            seen.add(target)
            sig = _signature(source_file, target.partition(":")[2])
            parts.append(f"- `{target}`" + (f": `{sig}`" if sig and "\n" not in sig else ""))
            if sig and "\n" in sig:
                parts += ["", "```python", sig, "```"]
    parts += ["", "## Rules", ""]
    for f in findings:
        parts.append(f"### {f.id}: {f.title} ({f.layer} layer, {f.kind})")
        parts.append(f.statement)
        if f.params:
            parts.append("Parameters: " + ", ".join(
                f"{k} = {', '.join(v) if isinstance(v, tuple) else v}"
                for k, v in f.params.items()))
        if f.rationale:
            parts.append(f"Why: {f.rationale}")
        for link in f.links.decisions:
            record = project.root / link
            if not record.is_file():
                record = project.adr_dir / Path(link).name
            if record.is_file():
                parts += ["", f"Decision record {link}:", "",
                          record.read_text(encoding="utf-8").strip()]
        for link in f.links.tests:
            test = project.root / link
            if test.is_file():
                parts += ["", f"Checks in {link}:", "", "```python", _test_outline(test),
                          "```"]
        parts.append("")
    return "\n".join(parts).strip() + "\n"


_FENCE = re.compile(r"```(?:python|py)?\s*\n(.*?)```", re.S)


def extract_code(answer: str) -> str:
    """The module source in a model's answer (the first fenced block, or all of it)."""
    match = _FENCE.search(answer)
    code = (match.group(1) if match else answer).strip() + "\n"
    try:
        ast.parse(code)
    except SyntaxError as exc:
        raise ModelError(f"the model's rewrite is not valid Python: line {exc.lineno}: "
                         f"{exc.msg}") from None
    return code


def write_scratch(project: Project, module: str, code: str, out_dir: Path) -> Path:
    """A copy of ``module``'s top-level package under ``out_dir`` with the module replaced,
    so its sibling modules still import from the scratch copy."""
    top = module.split(".")[0]
    original = _module_file(project, module)
    package = (original.parents[module.count(".") - (original.name != "__init__.py")]
               if original is not None and "." in module else project.root / top)
    if package.is_dir() and "." in module:
        shutil.copytree(package, out_dir / top, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dest = out_dir.joinpath(*module.split("."))
    path = dest / "__init__.py" if original is not None and original.name == "__init__.py" \
        else dest.with_suffix(".py")
    from dna_kit.fileio import atomic_write

    return atomic_write(path, code)


def drill(project: str | Path | Project, module: str, *, llm: Any = None,
          out_dir: str | Path | None = None, prove: bool = False,
          timeout: float = 60.0) -> DrillResult:
    """Have a model rewrite ``module`` from its DNA, then run the regeneration test on it.

    ``llm`` is a :class:`dna_kit.llm.LLMClient`; without one, the configured model is used,
    and :class:`~dna_kit.errors.ModelError` says so when none is configured.
    """
    proj = project if isinstance(project, Project) else find_project(project)
    findings = module_findings(proj, module)
    if not findings:
        raise RegenError(f"target={module!r}: no accepted or codified finding is bound to "
                         "this module (binding.target module:callable)")
    if llm is None:
        from dna_kit.llm import client_for_project

        llm = client_for_project(proj)
        if llm is None:
            raise ModelError("no model is configured (set DNA_LLM_MODEL, or llm.model in "
                             "dna/config.yaml); nothing was sent")
    prompt = dna_brief(proj, module, findings)
    answer = llm.complete_text(SYSTEM, prompt, purpose="drill")
    code = extract_code(answer)
    scratch = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="dna-drill-"))
    scratch.mkdir(parents=True, exist_ok=True)
    write_scratch(proj, module, code, scratch)
    from dna_kit.regen.core import regenerate

    card = regenerate(proj, impl=scratch, prove=prove, timeout=timeout,
                      findings=[f.id for f in findings], history=False)
    return DrillResult(module=module, impl_dir=scratch.resolve(), scorecard=card,
                       finding_ids=[f.id for f in findings], prompt=prompt)
