"""Hand-written checks, first class: link any pytest test (and the code it protects) to a
finding, and regen runs and proves it like a generated one.

:func:`link_test` keeps the test in the finding's ``links.tests`` as a pytest node id
(``tests/test_retry.py::test_cap``, or a whole file ``tests/test_retry.py``), relative to
the repository root, after checking that the path lies inside the repository and that
pytest collects that node id there (``pytest --collect-only`` in a child process; nothing
of the test runs). ``target`` (``MODULE:NAME``, checked the way codify checks a target:
imported in a child process) becomes the binding regen mutates. :func:`unlink_test` takes
the link away again; neither ever touches the test file.

A finding with only linked tests has the binding template ``linked``: no template renders
its tests, so ``dna codify`` asks for a template and never writes over them.

>>> link_test(".", "F-0007", "tests/test_retry.py::test_cap",
...           target="app.retry:delay").links.tests                # doctest: +SKIP
('tests/test_retry.py::test_cap',)
>>> unlink_test(".", "F-0007", "tests/test_retry.py::test_cap").links.tests  # doctest: +SKIP
()
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from dna_kit.codify.property_tests import inspect_target
from dna_kit.codify.render import parse_target
from dna_kit.codify.stale import LINKED_TEMPLATE
from dna_kit.errors import CodifyError
from dna_kit.finding import Binding, Finding
from dna_kit.ledger import find_entry, update_finding
from dna_kit.project import Project, find_project

__all__ = ["COLLECT_TIMEOUT", "collect_node_ids", "link_test", "split_node_id",
           "unlink_test"]

#: How long collecting a linked test may take, in seconds.
COLLECT_TIMEOUT = 60.0


def split_node_id(project: Project, test: str | Path) -> tuple[Path, str]:
    """``PATH[::TEST]`` (relative to the root, or absolute) → (the file, resolved and
    checked to lie inside the repository; the node id as the ledger keeps it).

    >>> split_node_id(project, "tests/test_retry.py::test_cap")[1]   # doctest: +SKIP
    'tests/test_retry.py::test_cap'
    """
    text = str(test).strip()
    file_part, sep, rest = text.partition("::")
    if not file_part:
        raise CodifyError(f"test={text!r} must look like PATH or PATH::TEST",
                          field="test", value=text)
    try:
        path = (project.root / file_part).resolve()
    except (OSError, RuntimeError) as exc:  # a name too long, a symlink loop
        raise CodifyError(f"test={text[:200]!r}: not a usable path ({exc})", field="test",
                          value=text) from None
    if not path.is_relative_to(project.root.resolve()):
        raise CodifyError(f"test={text!r} lies outside the repository {project.root}; a "
                          "linked test lives inside it", field="test", value=text)
    rel = path.relative_to(project.root.resolve()).as_posix()
    return path, rel + (sep + rest if sep else "")


def collect_node_ids(project: str | Path | Project, test: str,
                     *, timeout: float = COLLECT_TIMEOUT) -> list[str]:
    """The node ids pytest collects for ``test`` (a path or node id relative to the root),
    collected in a child process started in the root (the root on its import path, only
    hypothesis' plugin loaded, none of the project's pytest options). A file that does not
    import, or a node id pytest does not find, is one :class:`~dna_kit.errors.CodifyError`.

    >>> collect_node_ids(".", "tests/test_retry.py")                  # doctest: +SKIP
    ['tests/test_retry.py::test_cap', 'tests/test_retry.py::test_first']
    """
    project = project if isinstance(project, Project) else find_project(project)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(project.root),
                                                      env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env.pop("PYTEST_ADDOPTS", None)
    with tempfile.TemporaryDirectory(prefix="dna-link-") as tmp:
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(Path(tmp) / "hypothesis")
        cmd = [sys.executable, "-P", "-m", "pytest", "--collect-only", "-q", test,
               "-c", str(ini), "--rootdir", str(project.root), "-p", "no:cacheprovider",
               "-p", "hypothesis.extra.pytestplugin", "--color=no"]
        try:
            done = subprocess.run(cmd, cwd=project.root, env=env, capture_output=True,
                                  text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise CodifyError(f"collecting {test} did not finish within {timeout:g} s (does "
                              "it loop at import time?)", field="test", value=test) from None
    ids = [line.strip() for line in done.stdout.splitlines()
           if "::" in line and not line.startswith(("ERROR", "=", " "))]
    if done.returncode not in (0, 5) or not ids:
        lines = [line.strip() for line in (done.stdout + done.stderr).splitlines()
                 if line.strip()]
        why = next((line for line in lines if "not found" in line or "Error" in line),
                   lines[-1] if lines else f"exit code {done.returncode}")
        raise CodifyError(f"pytest collects no test from {test} ({why[:300]})",
                          field="test", value=test)
    return ids


def link_test(project: str | Path | Project, finding_id: str, test: str | Path, *,
              target: str | None = None) -> Finding:
    """Link the pytest test ``test`` (``PATH`` or ``PATH::TEST``) to an accepted or
    codified finding, and with ``target`` (``MODULE:NAME``) the code it protects, which
    regen --prove mutates. The finding becomes ``codified``. Linking what is already
    linked changes nothing.

    >>> link_test(".", "F-0007", "tests/test_retry.py::test_cap",
    ...           target="app.retry:delay").status                 # doctest: +SKIP
    'codified'
    """
    project = project if isinstance(project, Project) else find_project(project)
    finding = find_entry(project, finding_id).finding
    if finding.status not in ("accepted", "codified"):
        shown = "a candidate" if finding.status == "candidate" else finding.status
        raise CodifyError(f"{finding.id} is {shown}; only an accepted finding gets checks",
                          field="status", value=finding.status)
    path, node = split_node_id(project, test)
    try:
        is_file, exists = path.is_file(), path.exists()
    except OSError as exc:
        raise CodifyError(f"test {node[:200]}: not a usable path ({exc.strerror})",
                          field="test", value=node) from None
    if not is_file:
        what = "is not a file" if exists else "does not exist"
        raise CodifyError(f"test {node} {what}", field="test", value=node)
    if path.suffix != ".py":
        raise CodifyError(f"test {node} is not a Python test file", field="test", value=node)
    collected = collect_node_ids(project, node)
    if "::" in node and not any(c == node or c.startswith((node + "[", node + "::"))
                                for c in collected):
        raise CodifyError(f"pytest collects no test {node}", field="test", value=node)
    binding = _with_target(project, finding, target) if target else finding.binding
    tests = finding.links.tests if node in finding.links.tests \
        else (*finding.links.tests, node)
    new = replace(finding, binding=binding, status="codified",
                  links=replace(finding.links, tests=tests))
    if new == finding:
        return new
    return update_finding(project, finding.id, {"binding": new.binding, "status": new.status,
                                                "links": new.links})


def _with_target(project: Project, finding: Finding, target: str) -> Binding:
    parse_target(target)
    shape = inspect_target(project, target)
    if shape.kind == "module":
        raise CodifyError(f"target {target!r} is a module; name the function, class or "
                          "object in it the test protects", field="target", value=target)
    old = finding.binding
    if old is None:
        return Binding(template=LINKED_TEMPLATE, target=target)
    if target == old.target or target in old.targets.values():
        return old
    if old.template != LINKED_TEMPLATE:
        raise CodifyError(f"{finding.id} is bound to {old.target} by its {old.template} "
                          f"test; a linked test of it is proven against that target, not "
                          f"{target}", field="target", value=target)
    role = f"target{len(old.targets) + 2}"
    return replace(old, targets={**old.targets, role: target})


def unlink_test(project: str | Path | Project, finding_id: str,
                test: str | Path) -> Finding:
    """Take ``test`` (``PATH`` or ``PATH::TEST``, as it was linked) off a finding; the
    file itself stays. A finding left with no test and no decision record is
    ``accepted`` again.

    >>> unlink_test(".", "F-0007", "tests/test_retry.py::test_cap").status  # doctest: +SKIP
    'accepted'
    """
    project = project if isinstance(project, Project) else find_project(project)
    finding = find_entry(project, finding_id).finding
    text = str(test).strip()
    try:
        node = split_node_id(project, text)[1]
    except CodifyError:
        node = text  # a link that points outside (an old mistake) can still go
    shown = node
    if node not in finding.links.tests:
        node = text
    if node not in finding.links.tests:
        linked = ", ".join(finding.links.tests) or "none"
        raise CodifyError(f"{finding.id} does not link {shown[:300]} (its tests: {linked})",
                          field="test", value=text)
    links = replace(finding.links, tests=tuple(t for t in finding.links.tests if t != node))
    status = finding.status
    if status == "codified" and not links.tests and not links.decisions:
        status = "accepted"
    return update_finding(project, finding.id, {"links": links, "status": status})
