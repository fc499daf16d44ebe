"""Where dna_kit's bundled files live, in a checkout and after a wheel install.

The wheel ships the repository's ``templates/`` as ``dna_kit/_templates`` and
``examples/logistics`` as ``dna_kit/_examples/logistics`` (see ``pyproject.toml``); a
checkout (or an editable install) has them beside the package.

>>> (templates_dir() / "interview" / "questions.yaml").is_file()
True
>>> (bundled_example() / "review.yaml").is_file()
True
"""

from __future__ import annotations

from pathlib import Path

from dna_kit.errors import ProjectError

__all__ = ["bundled_example", "repo_root", "templates_dir"]

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


def notebooks_dir() -> Path | None:
    """The guided notebooks (``NN_name.ipynb``): those of an installed wheel, else those of
    the checkout; None when neither has them.

    >>> sorted(p.name for p in notebooks_dir().glob("*.ipynb"))[0]
    '01_start_here.ipynb'
    """
    root = repo_root()
    for candidate in (_PACKAGE / "_notebooks", root / "notebooks" if root else None):
        if candidate is not None and any(candidate.glob("[0-9][0-9]_*.ipynb")):
            return candidate
    return None


def bundled_example(name: str = "logistics") -> Path:
    """The example dna_kit ships (``examples/<name>``), in an installed wheel or a checkout.

    >>> bundled_example().name
    'logistics'
    """
    root = repo_root()
    places = [_PACKAGE / "_examples" / name]
    if root is not None:
        places.append(root / "examples" / name)
    for candidate in places:
        # The installed copy wins, as for the templates; review.yaml marks a whole example.
        if (candidate / "review.yaml").is_file():
            return candidate
    raise ProjectError(
        f"dna_kit's bundled example {name!r} is missing: neither "
        + " nor ".join(str(p) for p in places) + " holds it; reinstall dna_kit"
    )
