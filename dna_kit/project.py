"""Where a repository keeps its DNA: ``dna/`` and the decision-record directory.

>>> project = init_project(tmp_path)            # doctest: +SKIP
>>> project.findings_dir.relative_to(tmp_path)  # doctest: +SKIP
PosixPath('dna/findings')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dna_kit.errors import NoProject, ProjectError
from dna_kit.fileio import atomic_write

__all__ = ["Project", "find_project", "init_project", "redaction_settings"]

#: Decision-record directories reused when present, in this order (after ``.adr-dir``).
ADR_DIR_CANDIDATES = ("doc/adr", "docs/adr", "docs/decisions")
DEFAULT_ADR_DIR = "docs/adr"
CONFIG_NAME = "config.yaml"

_DEFAULT_CONFIG = """\
# dna_kit settings for this repository. Every key is optional.
# Where decision records live (adr-tools reads the same place from .adr-dir).
adr_dir: {adr_dir}
# Decision-record format written by `dna codify --adr`: madr or nygard.
adr_format: madr
# A language model is optional. Set a model name (or DNA_LLM_MODEL) and the usual
# OPENAI_BASE_URL / OPENAI_API_KEY variables to use one; nothing is sent otherwise.
llm:
  model: null
"""


#: ``dna/tests/conftest.py`` as ``dna init`` writes it: plain ``pytest`` (or ``pytest
#: dna/tests``) in the repository then imports the project's code, and skips the tests of
#: rejected findings. It imports nothing of dna_kit, so it outlives the tool.
TESTS_CONFTEST = r'''"""Written by `dna init` (dna_kit); yours to edit, dna_kit never rewrites it.

Plain `pytest dna/tests` imports the repository's code: its root goes on sys.path (unless it
is there already, so an implementation put first on the path stays first). The tests of a
finding rejected since they were generated (`status: rejected` in dna/findings/) are
deselected. Nothing here imports dna_kit.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_FIELD = re.compile(r"^(id|status):[ \t]*(\S+)", re.M)


def _rejected() -> set[str]:
    rejected = set()
    for path in (ROOT / "dna" / "findings").glob("*.md"):
        head = path.read_text(encoding="utf-8", errors="replace").split("\n---", 1)[0]
        fields = {k: v.strip("'\"") for k, v in _FIELD.findall(head)}
        if fields.get("status") == "rejected" and "id" in fields:
            rejected.add(fields["id"])
    return rejected


def pytest_collection_modifyitems(config, items):
    rejected = _rejected()
    if not rejected:
        return
    keep, drop = [], []
    for item in items:
        owner = getattr(getattr(item, "module", None), "DNA_FINDING", None)
        (drop if owner in rejected else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
'''


@dataclass(frozen=True)
class Project:
    """The paths of a repository that uses dna_kit."""

    root: Path
    adr_dir: Path

    @property
    def dna_dir(self) -> Path:
        return self.root / "dna"

    @property
    def findings_dir(self) -> Path:
        return self.dna_dir / "findings"

    @property
    def tests_dir(self) -> Path:
        return self.dna_dir / "tests"

    @property
    def interviews_dir(self) -> Path:
        return self.dna_dir / "interviews"

    @property
    def config_path(self) -> Path:
        return self.dna_dir / CONFIG_NAME

    def inside(self, path: str | Path, *, what: str = "path") -> Path:
        """``path`` (relative to the root, or absolute) resolved, symlinks included, and
        checked to lie inside the repository; a ProjectError naming ``what`` otherwise.
        Nothing dna_kit reads for a quote or writes lies outside the repository.

        >>> Project(Path("/repo"), Path("/repo/docs/adr")).inside("../etc/passwd")
        Traceback (most recent call last):
        ...
        dna_kit.errors.ProjectError: path='../etc/passwd' lies outside the repository /repo
        """
        resolved = (self.root / path).resolve()
        if not resolved.is_relative_to(self.root.resolve()):
            raise ProjectError(f"{what}={str(path)!r} lies outside the repository {self.root}")
        return resolved

    def config(self) -> dict[str, Any]:
        """The settings in ``dna/config.yaml`` (empty when there is none)."""
        if not self.config_path.is_file():
            return {}
        import yaml

        data = yaml.safe_load(self.config_path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ProjectError(f"{self.config_path}: must be a mapping of settings")
        return data


def _read_adr_dir_file(root: Path) -> str | None:
    marker = root / ".adr-dir"
    if marker.is_file():
        value = marker.read_text(encoding="utf-8").strip()
        return value or None
    return None


def detect_adr_dir(root: Path) -> str:
    """The decision-record directory to use, relative to ``root``: adr-tools' ``.adr-dir``,
    else an existing ``doc/adr``, ``docs/adr`` or ``docs/decisions``, else ``docs/adr``."""
    from_marker = _read_adr_dir_file(root)
    if from_marker:
        return from_marker
    for candidate in ADR_DIR_CANDIDATES:
        if (root / candidate).is_dir():
            return candidate
    return DEFAULT_ADR_DIR


def _project_at(root: Path) -> Project:
    adr = None
    config_path = root / "dna" / CONFIG_NAME
    if config_path.is_file():
        import yaml

        try:
            data = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ProjectError(f"{config_path}: not valid YAML ({exc})") from None
        if isinstance(data, dict) and isinstance(data.get("adr_dir"), str):
            adr = data["adr_dir"]
    project = Project(root=root, adr_dir=root / (adr or detect_adr_dir(root)))
    project.inside(project.adr_dir, what=f"{config_path}: adr_dir")
    return project


def find_project(start: str | Path = ".") -> Project:
    """The project whose ``dna/`` directory holds ``start``, or sits above it.

    ``start`` may be the repository root, its ``dna/`` folder, or anything below.
    Raises :class:`~dna_kit.errors.ProjectError` when there is none.
    """
    here = Path(start).resolve()
    for candidate in (here, *here.parents):
        if candidate.name == "dna" and (candidate / "findings").is_dir():
            return _project_at(candidate.parent)
        if (candidate / "dna" / "findings").is_dir():
            return _project_at(candidate)
    raise NoProject(
        f"no dna/findings/ directory in {here} or above it; this repository has no ledger yet"
    )


def init_project(root: str | Path = ".") -> Project:
    """Create ``dna/findings``, ``dna/tests``, ``dna/interviews``, ``dna/config.yaml`` and
    the decision-record directory under ``root``, and ``dna/tests/conftest.py``
    (:data:`TESTS_CONFTEST`) so a plain ``pytest`` runs the generated tests. Safe to run
    again: nothing is replaced, a conftest a person wrote least of all.
    """
    root = Path(root).resolve()
    if root.exists() and not root.is_dir():
        raise ProjectError(f"{root} is a file, not a directory")
    adr_rel = detect_adr_dir(root)
    project = Project(root=root, adr_dir=root / adr_rel)
    for folder in (project.findings_dir, project.tests_dir, project.interviews_dir,
                   project.adr_dir):
        folder.mkdir(parents=True, exist_ok=True)
    if not project.config_path.exists():
        atomic_write(project.config_path, _DEFAULT_CONFIG.format(adr_dir=adr_rel))
    conftest = project.tests_dir / "conftest.py"
    if not conftest.exists() and not conftest.is_symlink():
        atomic_write(conftest, TESTS_CONFTEST)
    # adr-tools looks in doc/adr unless .adr-dir says otherwise: say so, so `adr list` works.
    if _read_adr_dir_file(root) is None and adr_rel != "doc/adr":
        atomic_write(root / ".adr-dir", adr_rel + "\n")
    return project


def redaction_settings(project: Project | None) -> dict[str, Any]:
    """``names`` and ``ip_addresses`` for :func:`dna_kit.redact.redact`, from
    ``llm.redact_names`` and ``llm.redact_ip_addresses`` in ``dna/config.yaml`` (none
    without a project): the settings of every text stored under ``dna/`` (the review
    stage's ``redact_fields``, interview transcripts).

    >>> redaction_settings(None)
    {'names': (), 'ip_addresses': False}
    """
    section = (project.config().get("llm") or {}) if project is not None else {}
    if not isinstance(section, dict):
        raise ProjectError(f"{project.config_path if project else 'config'}: llm must be a "
                           "mapping of settings")
    return redaction_settings_of(section.get("redact_names"),
                                 section.get("redact_ip_addresses"))


def redaction_settings_of(names: Any, ip_addresses: Any) -> dict[str, Any]:
    """Redaction settings from the values of ``llm.redact_names`` and
    ``llm.redact_ip_addresses``, checked: the one reading of them for what is stored and
    what is sent to a model.

    >>> redaction_settings_of(["Ana"], None)
    {'names': ('Ana',), 'ip_addresses': False}
    """
    names = names or ()
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise ProjectError(f"dna/config.yaml: llm.redact_names={names!r} must be a list of "
                           "names")
    return {"names": tuple(names), "ip_addresses": bool(ip_addresses)}
