"""The one place dna_kit writes files (atomically, so nothing is ever half-written) and
turns paths into the text the ledger and the messages show."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write", "create_exclusive", "read_text_strict", "relative_path", "shown_path"]


def atomic_write(path: str | Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` via a temp file in the same folder and a rename.

    A reader sees the old file or the new one, never a mix; a crash leaves at most a
    hidden ``.name.*.tmp`` file that loaders skip. The file keeps the mode it had, and a
    new file gets the mode the umask gives (0644 under 022), as ``open()`` would: a temp
    file's private 0600 never reaches the repository.

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> old = os.umask(0o022)
    >>> oct(atomic_write(os.path.join(folder, "f.md"), "x").stat().st_mode & 0o777)
    '0o644'
    >>> _ = os.umask(old)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "w", encoding=encoding, newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def _mode_for(path: Path) -> int:
    """The mode ``path`` has, or the one a new file gets under the current umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def create_exclusive(path: str | Path, text: str) -> bool:
    """Create ``path`` with ``text`` only if it does not exist yet; False if it did.

    The content goes to a temp file first and is hard-linked into place, so the name
    never points at a half-written file and two writers can never both win.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def read_text_strict(path: str | Path) -> str:
    """Read UTF-8 text; raise ``UnicodeDecodeError`` rather than guess."""
    return Path(path).read_bytes().decode("utf-8")


def relative_path(path: str | Path, root: str | Path) -> str:
    """``path`` relative to ``root`` with ``/`` separators on every OS, as the ledger stores
    it; the absolute path (also with ``/``) when ``path`` lies outside ``root``.

    >>> relative_path("/repo/dna/tests/test_x.py", "/repo")
    'dna/tests/test_x.py'
    >>> relative_path("/elsewhere/x.md", "/repo")
    '/elsewhere/x.md'
    """
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def shown_path(path: str | Path, start: str | Path | None = None) -> str:
    """``path`` as a message shows it: relative to ``start`` (the current directory) when
    it lies below it, else as given.

    >>> shown_path("/repo/dna/findings/F-0001.md", "/repo")
    'dna/findings/F-0001.md'
    """
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path(start or Path.cwd()).resolve()))
    except ValueError:
        return str(path)
