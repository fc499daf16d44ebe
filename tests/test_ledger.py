"""The ledger on disk: loading reports every bad file; writes are atomic; edits survive."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dna_kit.errors import FindingNotFound, LedgerInvalid
from dna_kit.ledger import (
    add_finding,
    find_entry,
    load_ledger,
    set_status,
    update_finding,
)

GOOD = {"title": "Carrier retry cap", "statement": "Carrier retries are capped at 5 s.",
        "layer": "how", "kind": "retry_policy", "params": {"cap": "5 s"}}

VALID_FILE = """---
id: {id}
title: Something
layer: how
kind: timeout
statement: The carrier call times out after 3 s.
params:
  timeout: 3 s
---

Body.
"""


def write(project, name: str, content: str | bytes) -> Path:
    path = project.findings_dir / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


BAD_FILES = {
    "malformed front matter": (
        "F-0002-bad-yaml.md", "---\nid: F-0002\ntitle: [unclosed\nlayer: how\n---\n", 4, None),
    "unknown layer": (
        "F-0003-bad-layer.md", VALID_FILE.format(id="F-0003").replace("layer: how",
                                                                       "layer: hwo"),
        4, "layer"),
    "unknown kind": (
        "F-0004-bad-kind.md", VALID_FILE.format(id="F-0004").replace("kind: timeout",
                                                                      "kind: vibe"),
        5, "kind"),
    "bad unit": (
        "F-0005-bad-unit.md", VALID_FILE.format(id="F-0005").replace("3 s", "3 parsecs"),
        7, "params.timeout"),
    "duplicate id": ("F-0001-again.md", VALID_FILE.format(id="F-0001"), 2, "id"),
    "non-UTF-8": ("F-0006-latin1.md",
                  VALID_FILE.format(id="F-0006").replace("Body.", "Caf\xe9").encode("latin-1"),
                  11, None),
    "empty": ("F-0007-empty.md", "", 1, None),
    "binary": ("F-0008-image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, None),
    "not markdown": ("diagram.png", b"\x89PNG\r\n\x1a\n\x00\x00", 1, None),
    "no front matter": ("F-0009-plain.md", "just some notes\n", 1, None),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_each_bad_file_is_reported_with_path_line_and_field(project, case):
    add_finding(project, GOOD)
    name, content, line, field = BAD_FILES[case]
    path = write(project, name, content)
    with pytest.raises(LedgerInvalid) as info:
        load_ledger(project)
    errors = info.value.errors
    if case == "duplicate id":  # both claimants are named
        assert sorted(Path(e.path).name for e in errors) == [
            "F-0001-again.md", "F-0001-carrier-retry-cap.md"]
        errors = [e for e in errors if e.path == str(path)]
    assert len(errors) == 1, [str(e) for e in errors]
    error = errors[0]
    assert error.path == str(path)
    assert error.line == line
    assert error.field == field
    assert str(path) in str(info.value)
    if case == "malformed front matter":
        assert "flow sequence that starts on line 3" in str(error)


def test_loading_reports_every_bad_file_not_just_the_first(project):
    add_finding(project, GOOD)
    for name, content, _, _ in BAD_FILES.values():
        write(project, name, content)
    with pytest.raises(LedgerInvalid) as info:
        load_ledger(project)
    reported = {Path(e.path).name for e in info.value.errors}
    assert reported == {name for name, *_ in BAD_FILES.values()} | {
        "F-0001-carrier-retry-cap.md"}


def test_the_cli_exits_non_zero_naming_each_bad_file(project, dna_cmd):
    import subprocess

    add_finding(project, GOOD)
    write(project, *BAD_FILES["unknown layer"][:2])
    write(project, *BAD_FILES["binary"][:2])
    result = subprocess.run([*dna_cmd, "list"], cwd=project.root, capture_output=True,
                            text=True)
    assert result.returncode == 1
    assert "F-0003-bad-layer.md:4: layer: layer='hwo'" in result.stderr
    assert "F-0008-image.md:1: binary file" in result.stderr
    assert result.stdout == ""


def test_ids_are_allocated_in_order_and_files_named_by_slug(project):
    ids = [add_finding(project, {**GOOD, "title": f"Rule {n}"}).id for n in range(3)]
    assert ids == ["F-0001", "F-0002", "F-0003"]
    assert (project.findings_dir / "F-0002-rule-1.md").is_file()
    assert [f.id for f in load_ledger(project)] == ids


def test_bad_input_writes_nothing(project):
    from dna_kit.errors import InvalidFinding

    with pytest.raises(InvalidFinding):
        add_finding(project, {**GOOD, "params": {"cap": "5 parsecs"}})
    assert [p.name for p in project.findings_dir.iterdir() if not p.name.startswith(".")] \
        == []


def test_a_persons_edits_to_the_body_survive_a_status_change(project):
    finding = add_finding(project, GOOD)
    path = find_entry(project, finding.id).path
    text = path.read_text(encoding="utf-8")
    edited = text + "\nAna: we tried 10 s once and the carrier throttled us.\n"
    path.write_text(edited, encoding="utf-8")

    set_status(project, finding.id, "accepted")
    after = path.read_text(encoding="utf-8")
    assert "Ana: we tried 10 s once" in after
    assert "status: accepted" in after
    assert load_ledger(project)[finding.id].status == "accepted"


def test_an_untouched_body_follows_the_fields(project):
    finding = add_finding(project, GOOD)
    update_finding(project, finding.id, {"statement": "Carrier retries are capped at 4 s."})
    entry = find_entry(project, finding.id)
    assert "capped at 4 s" in entry.body
    assert "capped at 5 s" not in entry.body


def test_updates_leave_no_temporary_files(project):
    finding = add_finding(project, GOOD)
    for owner in ("ana", "ben", "cy"):
        update_finding(project, finding.id, {"owner": owner})
    names = sorted(p.name for p in project.findings_dir.iterdir())
    assert names == [".dna.lock", "F-0001-carrier-retry-cap.md"]


def test_updated_date_moves_only_when_something_changed(project):
    finding = add_finding(project, GOOD, today=dt.date(2026, 1, 1))
    same = update_finding(project, finding.id, {"owner": None}, today=dt.date(2026, 2, 2))
    assert same.updated == dt.date(2026, 1, 1)
    changed = update_finding(project, finding.id, {"owner": "ana"}, today=dt.date(2026, 2, 2))
    assert changed.updated == dt.date(2026, 2, 2)


def test_unknown_id_is_a_clear_error(project):
    with pytest.raises(FindingNotFound, match="F-0042"):
        find_entry(project, "F-0042")


def test_to_dataframe_gives_one_row_per_finding(project):
    for layer in ("how", "how", "why"):
        kind = "decision" if layer == "why" else "retry_policy"
        add_finding(project, {**GOOD, "layer": layer, "kind": kind})
    frame = load_ledger(project).to_dataframe()
    assert list(frame["id"]) == ["F-0001", "F-0002", "F-0003"]
    assert frame.groupby("layer").size().to_dict() == {"how": 2, "why": 1}
    assert frame.loc[0, "params"] == {"cap": "5 s"}


# -- hostile finding files: bounded work, short messages, every problem named ----------------

LAUGHS = "---\nid: F-0001\ntitle: t\nlayer: how\nkind: timeout\nstatement: s\nparams:\n" + (
    "  a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"  {chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, "
              f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
              for i in range(8))) + "---\n"


def test_yaml_aliases_are_refused_not_expanded(project) -> None:
    write(project, "F-0001-laughs.md", LAUGHS)
    with pytest.raises(LedgerInvalid) as info:
        load_ledger(project)
    message = str(info.value)
    assert "F-0001-laughs.md" in message and "alias" in message
    assert len(message) < 600


def test_an_oversized_finding_file_is_refused_unread(project) -> None:
    from dna_kit.ledger import MAX_FINDING_BYTES

    write(project, "F-0001-big.md", VALID_FILE.format(id="F-0001") + "x" * MAX_FINDING_BYTES)
    with pytest.raises(LedgerInvalid, match=r"F-0001-big\.md:1: larger than 1024 KiB"):
        load_ledger(project)


def test_a_long_bad_value_is_clipped_in_the_message(project) -> None:
    write(project, "F-0001-long.md", VALID_FILE.format(id="F-0001").replace(
        "layer: how", "layer: " + "w" * 100_000))
    with pytest.raises(LedgerInvalid) as info:
        load_ledger(project)
    assert "F-0001-long.md" in str(info.value) and "layer" in str(info.value)
    assert len(str(info.value)) < 1000


def test_a_byte_order_mark_is_accepted(project) -> None:
    write(project, "F-0001-bom.md", b"\xef\xbb\xbf" + VALID_FILE.format(id="F-0001").encode())
    [finding] = list(load_ledger(project))
    assert finding.title == "Something"


def test_ids_are_ascii(project) -> None:
    add_finding(project, GOOD)
    with pytest.raises(FindingNotFound):
        find_entry(project, "F-０００1")
    with pytest.raises(FindingNotFound):
        find_entry(project, "１")


# -- quotes come only from files of the repository, and only from lines they have ---------

def test_a_quote_outside_the_repository_is_refused(project, tmp_path: Path) -> None:
    from dna_kit.errors import InvalidFinding
    from dna_kit.ledger import quote_lines

    outside = tmp_path.parent / f"{tmp_path.name}-outside.md"
    outside.write_text("secret line\n")
    try:
        for path in (outside, Path("..") / outside.name, "/etc/passwd"):
            with pytest.raises(InvalidFinding, match="outside the repository"):
                quote_lines(project, path, 1, 1)
        link = project.root / "link.md"
        link.symlink_to(outside)
        with pytest.raises(InvalidFinding, match="outside the repository"):
            quote_lines(project, link, 1, 1)
    finally:
        outside.unlink()


def test_a_quote_past_the_end_of_its_file_is_refused(project) -> None:
    from dna_kit.errors import InvalidFinding
    from dna_kit.ledger import quote_lines

    (project.root / "pm.md").write_text("one\ntwo\nthree\n")
    assert quote_lines(project, "pm.md", 2, 3) == "two\nthree"
    for start, end in ((2, 9), (7, 7), (3, 2), (0, 1)):
        with pytest.raises(InvalidFinding, match=r"past the end|not a range"):
            quote_lines(project, "pm.md", start, end)


def test_a_decision_record_folder_outside_the_repository_is_refused(project) -> None:
    from dna_kit.errors import ProjectError
    from dna_kit.project import find_project

    project.config_path.write_text("adr_dir: ../../..\n")
    with pytest.raises(ProjectError, match=r"config.yaml: adr_dir='.*' lies outside"):
        find_project(project.root)
