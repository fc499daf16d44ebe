"""Run a generated test file with a real pytest subprocess, in a scratch folder where the
target module ``service`` is one of the example implementations and dna_kit cannot be
imported at all (a meta-path blocker refuses it), so a pass also proves the generated test
needs nothing from dna_kit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

IMPLS = Path(__file__).resolve().parent / "impls"

_BLOCKER = '''\
import sys


class _NoDnaKit:
    """Generated tests must run with dna_kit uninstalled: refuse to import it."""

    def find_spec(self, name, path=None, target=None):
        if name == "dna_kit" or name.startswith("dna_kit."):
            raise ImportError(f"{name} is not installed here")
        return None


sys.meta_path.insert(0, _NoDnaKit())
for loaded in [m for m in sys.modules if m == "dna_kit" or m.startswith("dna_kit.")]:
    del sys.modules[loaded]


def pytest_sessionfinish(session, exitstatus):
    leaked = sorted(m for m in sys.modules if m.split(".")[0] == "dna_kit")
    assert not leaked, f"the generated test imported {leaked}"
'''


@dataclass(frozen=True)
class Run:
    returncode: int
    output: str

    @property
    def passed(self) -> bool:
        return self.returncode == 0

    @property
    def failed_tests(self) -> bool:
        """pytest's exit code 1: tests ran and some failed (not a crash or a usage error)."""
        return self.returncode == 1


def run_generated(source: str, impl: str | Path, workdir: Path, *,
                  name: str = "test_generated.py") -> Run:
    """Run ``source`` (a generated test) against ``impl`` (copied in as ``service.py``)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / name).write_text(source, encoding="utf-8")
    impl_path = Path(impl) if Path(impl).is_absolute() else IMPLS / impl
    shutil.copyfile(impl_path, workdir / "service.py")
    return run_blocked(workdir, name)


def run_blocked(workdir: Path, name: str = "test_generated.py") -> Run:
    """Run the test file ``name`` in ``workdir`` with a real pytest subprocess in which
    dna_kit cannot be imported (a generated test must not need it)."""
    (workdir / "conftest.py").write_text(_BLOCKER, encoding="utf-8")
    (workdir / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "PYTHON"))}
    env["PYTHONPATH"] = str(workdir)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-p", "no:randomly", "--hypothesis-seed=0", "-x", name],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=300, check=False)
    return Run(proc.returncode, proc.stdout + proc.stderr)
