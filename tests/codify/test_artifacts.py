"""dna_kit.codify.artifacts.write_generated: the one writer of generated files."""

from __future__ import annotations

import pytest

from dna_kit.codify.artifacts import write_generated
from dna_kit.codify.render import EMPTY_HASH, HASH_PREFIX, stamp
from dna_kit.errors import CodifyError, EditedArtifact


def _generated(body: str) -> str:
    return stamp(f"{HASH_PREFIX}{EMPTY_HASH}\n{body}")


def test_writes_once_then_changes_nothing(tmp_path):
    path = tmp_path / "sub" / "test_x.py"
    text = _generated("x = 1\n")
    assert write_generated(path, text) is True
    assert path.read_text(encoding="utf-8") == text
    assert write_generated(path, text) is False
    assert write_generated(path, _generated("x = 2\n")) is True  # nobody edited it


@pytest.mark.parametrize("old", ["edited", "foreign", "binary"])
def test_a_file_dna_kit_did_not_write_as_is_stays_unless_forced(tmp_path, old):
    path = tmp_path / "test_x.py"
    if old == "edited":
        path.write_text(_generated("x = 1\n") + "# mine\n", encoding="utf-8")
    elif old == "foreign":
        path.write_text("def test_mine():\n    pass\n", encoding="utf-8")
    else:
        path.write_bytes(b"\xff\xfe\x00")
    before = path.read_bytes()
    with pytest.raises(EditedArtifact) as caught:
        write_generated(path, _generated("x = 2\n"))
    assert isinstance(caught.value, CodifyError) and caught.value.field == "force"
    assert str(caught.value).startswith(f"{path} was edited by a person since it was "
                                        "generated; not overwriting it")
    assert "--" not in str(caught.value)
    assert path.read_bytes() == before
    assert write_generated(path, _generated("x = 2\n"), force=True) is True
    assert path.read_text(encoding="utf-8") == _generated("x = 2\n")
