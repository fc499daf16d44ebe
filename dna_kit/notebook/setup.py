"""Where a notebook's repository comes from: the one you name, or a scratch copy of the
bundled example (so trying a notebook never changes committed files).

>>> project = open_project("")          # doctest: +SKIP
>>> project.root.name                   # doctest: +SKIP
'logistics'
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from dna_kit._resources import bundled_example
from dna_kit.errors import ProjectError
from dna_kit.project import Project, find_project, init_project

__all__ = ["example_dir", "open_project", "scratch_example"]

_IGNORE = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".hypothesis", "*.pyc",
                                 ".ipynb_checkpoints")


def example_dir(name: str = "logistics") -> Path:
    """The bundled example ``examples/<name>``: from ``$DNA_EXAMPLES``, else the copy
    dna_kit ships (in the installed wheel, or beside a checkout), else the checkout around
    the current directory.

    >>> example_dir().name
    'logistics'
    """
    places = [Path(os.environ["DNA_EXAMPLES"])] if os.environ.get("DNA_EXAMPLES") else []
    with contextlib.suppress(ProjectError):  # an install without it: look around instead
        places.append(bundled_example(name).parent)
    here = Path.cwd().resolve()
    places += [folder / "examples" for folder in (here, *here.parents)]
    for place in places:
        if (place / name).is_dir():
            return place / name
    raise ProjectError(
        f"the bundled example {name!r} is neither in $DNA_EXAMPLES, nor shipped with this "
        f"dna_kit, nor in a checkout around {here}; set project_dir to your own repository "
        "instead")


def scratch_example(dest: str | Path | None = None, *, name: str = "logistics",
                    fresh: bool = False) -> Path:
    """A working copy of the bundled example.

    Without ``dest``, a new copy in a new temporary folder on every call, so each notebook
    run works on its own copy and no run sees what another changed. With ``dest``, the copy
    is made there once and reused; ``fresh=True`` starts over.
    """
    if dest is None:
        source = example_dir(name)  # before making a folder: it may not be there
        target = Path(tempfile.mkdtemp(prefix=f"dna_kit-scratch-{name}-")) / name
        shutil.copytree(source, target, ignore=_IGNORE)
        return target
    target = Path(dest)
    if fresh and target.exists():
        shutil.rmtree(target)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=target.parent))
        shutil.copytree(example_dir(name), staging / name, ignore=_IGNORE)
        # Copy aside, then rename: a half-made copy is never mistaken for a good one.
        try:
            os.replace(staging / name, target)
        except OSError:
            shutil.move(str(staging / name), str(target))
        shutil.rmtree(staging, ignore_errors=True)
    return target


def open_project(project_dir: str | Path | None = None) -> Project:
    """The repository a notebook works on: ``project_dir`` (``dna/`` is set up there if it
    is missing; nothing existing is replaced), or, when empty, a new scratch copy of the
    bundled example, made for this call alone.

    >>> open_project("/path/to/repo").findings_dir   # doctest: +SKIP
    PosixPath('/path/to/repo/dna/findings')
    """
    root = Path(project_dir) if project_dir else scratch_example()
    if not root.is_dir():
        raise ProjectError(f"project_dir={str(root)!r} is not a directory")
    if (root / "dna" / "findings").is_dir():
        return find_project(root)
    return init_project(root)
