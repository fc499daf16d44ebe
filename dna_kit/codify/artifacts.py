"""The one writer of generated files: a test or a decision record reaches disk only here.

Both :mod:`dna_kit.codify.property_tests` and :mod:`dna_kit.codify.adr` write through
:func:`write_generated`, which never replaces a file a person edited (its content no longer
matches the hash dna_kit stamped in it) unless told to, and writes atomically.

>>> write_generated(path, render_test(finding, binding))    # doctest: +SKIP
True
"""

from __future__ import annotations

from pathlib import Path

from dna_kit.codify.render import is_pristine
from dna_kit.errors import EditedArtifact
from dna_kit.fileio import atomic_write

__all__ = ["write_generated"]


def write_generated(path: Path, text: str, *, force: bool = False) -> bool:
    """Write ``text`` to ``path`` unless it is already there, and say whether it wrote.

    Raises :class:`~dna_kit.errors.EditedArtifact` when the file on disk was edited by a
    person since dna_kit wrote it (or is not dna_kit's at all), unless ``force``.

    >>> write_generated(Path("dna/tests/test_f0007_cap.py"), text)    # doctest: +SKIP
    True
    """
    if path.exists():
        try:
            old = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            old = None
        if old == text:
            return False
        if not force and (old is None or not is_pristine(old)):
            raise EditedArtifact(path)
    atomic_write(path, text)
    return True
