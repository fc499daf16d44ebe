"""Where dna_kit's bundled files live, in a checkout and after a wheel install.

The wheel force-includes the repository's ``templates/`` as ``dna_kit/_templates`` (see
``pyproject.toml``); a checkout (or an editable install) has them beside the package.

>>> (templates_dir() / "interview" / "questions.yaml").is_file()
True
"""

from __future__ import annotations

from pathlib import Path

from dna_kit.errors import ProjectError

__all__ = ["repo_root", "templates_dir"]

_PACKAGE = Path(__file__).resolve().parent


def templates_dir() -> Path:
    """The folder holding property-test templates, record formats and the question bank."""
    # The installed copy wins: in a wheel it is the only one; in a checkout it is absent.
    for candidate in (_PACKAGE / "_templates", _PACKAGE.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise ProjectError(
        f"dna_kit's templates are missing: neither {_PACKAGE / '_templates'} nor "
        f"{_PACKAGE.parent / 'templates'} exists; reinstall dna_kit"
    )


def repo_root() -> Path | None:
    """The dna_kit checkout this package runs from, or None after a wheel install."""
    root = _PACKAGE.parent
    return root if (root / "pyproject.toml").is_file() and (root / "templates").is_dir() \
        else None
