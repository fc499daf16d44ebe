"""dna_kit.fileio: atomic writes keep the umask's mode and an existing file's mode; paths
are shown and stored the same way everywhere."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dna_kit.fileio import atomic_write, create_exclusive, relative_path, shown_path


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path: Path, mask: int,
                                                  expected: int) -> None:
    with umask(mask):
        written = atomic_write(tmp_path / "dna" / "findings" / "F-0001.md", "x\n")
        created = tmp_path / "new.md"
        assert create_exclusive(created, "y\n")
    assert mode(written) == expected
    assert mode(created) == expected


@pytest.mark.parametrize("existing", [0o600, 0o640, 0o755])
def test_an_existing_file_keeps_its_mode(tmp_path: Path, existing: int) -> None:
    path = tmp_path / "run.sh"
    path.write_text("old\n")
    path.chmod(existing)
    with umask(0o022):
        atomic_write(path, "new\n")
    assert mode(path) == existing
    assert path.read_text() == "new\n"


def test_no_temp_file_is_left_behind(tmp_path: Path) -> None:
    atomic_write(tmp_path / "a.md", "x")
    atomic_write(tmp_path / "a.md", "y")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_paths_are_stored_with_slashes_relative_to_the_root(tmp_path: Path) -> None:
    inner = tmp_path / "dna" / "tests" / "test_x.py"
    assert relative_path(inner, tmp_path) == "dna/tests/test_x.py"
    assert relative_path(tmp_path.parent / "x.md", tmp_path) == (
        (tmp_path.parent / "x.md").resolve().as_posix())
    assert shown_path(inner, tmp_path) == os.path.join("dna", "tests", "test_x.py")
    assert shown_path("elsewhere.md", tmp_path / "sub") == "elsewhere.md"
