"""The `dna` command as a new user meets it: real subprocesses, real files."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest


def dna(cmd: list[str], cwd: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([*cmd, *args], cwd=cwd, capture_output=True, text=True)
    if ok:
        assert result.returncode == 0, result.stderr
    return result


ADD = ["add", "--title", "Carrier retry cap", "--statement",
       "Carrier API retries back off from 0.2 s, doubling, capped at 5 s.",
       "--layer", "how", "--kind", "retry_policy", "--param", "base=0.2s",
       "--param", "cap=5s", "--param", "max_attempts=4"]


def test_init_creates_the_layout_and_tells_adr_tools_where_records_live(tmp_path, dna_cmd):
    dna(dna_cmd, tmp_path, "init", "repo")
    root = tmp_path / "repo"
    for folder in ("dna/findings", "dna/tests", "dna/interviews", "docs/adr"):
        assert (root / folder).is_dir(), folder
    assert (root / ".adr-dir").read_text().strip() == "docs/adr"
    assert "adr_dir: docs/adr" in (root / "dna/config.yaml").read_text()


@pytest.mark.parametrize("existing", ["doc/adr", "docs/adr", "docs/decisions"])
def test_init_reuses_an_existing_decision_record_directory(tmp_path, dna_cmd, existing):
    (tmp_path / existing).mkdir(parents=True)
    dna(dna_cmd, tmp_path, "init")
    assert f"adr_dir: {existing}" in (tmp_path / "dna/config.yaml").read_text()
    assert not (tmp_path / "docs/adr").exists() or existing == "docs/adr"


def test_init_honours_adr_tools_marker(tmp_path, dna_cmd):
    (tmp_path / ".adr-dir").write_text("architecture/decisions\n")
    dna(dna_cmd, tmp_path, "init")
    assert (tmp_path / "architecture/decisions").is_dir()


def test_add_prints_the_new_id_alone(tmp_path, dna_cmd):
    dna(dna_cmd, tmp_path, "init")
    assert dna(dna_cmd, tmp_path, *ADD).stdout == "F-0001\n"
    assert dna(dna_cmd, tmp_path, *ADD).stdout == "F-0002\n"


def test_add_reads_the_quote_from_the_source_lines(tmp_path, dna_cmd):
    dna(dna_cmd, tmp_path, "init")
    (tmp_path / "pm.md").write_text("# Postmortem\n\nWe capped the backoff\nat 5 s.\nEnd.\n")
    dna(dna_cmd, tmp_path, *ADD, "--source", "pm.md:3-4")
    shown = json.loads(dna(dna_cmd, tmp_path, "show", "F-0001", "--json").stdout)
    assert shown["provenance"] == [{"source": "pm.md", "line_start": 3, "line_end": 4,
                                    "quote": "We capped the backoff\nat 5 s."}]


def test_list_filters_and_formats(tmp_path, dna_cmd):
    dna(dna_cmd, tmp_path, "init")
    dna(dna_cmd, tmp_path, *ADD)
    dna(dna_cmd, tmp_path, "add", "--title", "Partner quota", "--statement",
        "We agreed with the partner to stay under 20 req/s.", "--layer", "why",
        "--kind", "agreement", "--param", "limit=20 req/s")
    table = dna(dna_cmd, tmp_path, "list").stdout
    assert "F-0001" in table and "F-0002" in table
    only_why = json.loads(dna(dna_cmd, tmp_path, "list", "--layer", "why",
                              "--format", "json").stdout)
    assert [f["id"] for f in only_why] == ["F-0002"]
    assert only_why[0]["params"]["limit"] == {"text": "20 req/s", "value": 20.0,
                                              "unit": "1/s", "dimension": "rate"}
    for key in ("rationale", "owner", "provenance", "links", "created", "tags", "status"):
        assert key in only_why[0]
    rows = list(csv.DictReader(io.StringIO(dna(dna_cmd, tmp_path, "list", "--format",
                                               "csv").stdout)))
    assert [r["id"] for r in rows] == ["F-0001", "F-0002"]
    assert rows[0]["params"] == "base=0.2s; cap=5s; max_attempts=4"


def test_accept_reject_and_set(tmp_path, dna_cmd):
    dna(dna_cmd, tmp_path, "init")
    dna(dna_cmd, tmp_path, *ADD)
    dna(dna_cmd, tmp_path, *ADD)
    dna(dna_cmd, tmp_path, "accept", "F-0001")
    dna(dna_cmd, tmp_path, "reject", "2", "--why", "duplicate of F-0001")
    dna(dna_cmd, tmp_path, "set", "F-0001", "params.cap=6s", "owner=ana", "tags=carrier,retry",
        "params.base=")
    found = {f["id"]: f for f in json.loads(dna(dna_cmd, tmp_path, "list", "--format",
                                                "json").stdout)}
    assert found["F-0001"]["status"] == "accepted"
    assert found["F-0001"]["owner"] == "ana"
    assert found["F-0001"]["tags"] == ["carrier", "retry"]
    assert set(found["F-0001"]["params"]) == {"cap", "max_attempts"}
    assert found["F-0001"]["params"]["cap"]["value"] == 6.0
    assert found["F-0002"]["status"] == "rejected"
    assert found["F-0002"]["rejected_reason"] == "duplicate of F-0001"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "--title", "t", "--statement", "s", "--layer", "hwo", "--kind", "threshold"],
         "layer: layer='hwo' is not one of what, how, why"),
        (["add", "--title", "t", "--statement", "s", "--layer", "how", "--kind", "vibe"],
         "kind: kind='vibe'"),
        (["add", "--title", "t", "--statement", "s", "--layer", "how", "--kind", "threshold",
          "--param", "cap=5 parsecs"], "params.cap: unknown unit 'parsecs' in value='5 parsecs'"),
        (["add", "--title", "t", "--statement", "s", "--layer", "how", "--kind", "threshold",
          "--param", "cap"], "'cap' must look like NAME=VALUE"),
        (["show", "F-0042"], "no finding with id='F-0042'"),
        (["set", "F-0001", "colour=red"], "'colour' cannot be set here"),
        (["set", "F-0001", "layer=sideways"], "layer='sideways'"),
        (["reject", "F-0001", "--why", ""], "needs a reason"),
    ],
)
def test_bad_input_exits_non_zero_with_one_clear_line_and_writes_nothing(
        tmp_path, dna_cmd, args, message):
    dna(dna_cmd, tmp_path, "init")
    dna(dna_cmd, tmp_path, *ADD)
    before = {p: p.read_bytes() for p in (tmp_path / "dna/findings").glob("*.md")}
    result = dna(dna_cmd, tmp_path, *args, ok=False)
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    after = {p: p.read_bytes() for p in (tmp_path / "dna/findings").glob("*.md")}
    assert after == before


def test_commands_outside_a_project_say_what_to_do(tmp_path, dna_cmd):
    result = dna(dna_cmd, tmp_path, "list", ok=False)
    assert result.returncode == 1
    assert "run `dna init` first" in result.stderr


def test_usage_errors_exit_2(tmp_path, dna_cmd):
    assert dna(dna_cmd, tmp_path, "list", "--format", "xml", ok=False).returncode == 2
    assert dna(dna_cmd, tmp_path, "frobnicate", ok=False).returncode == 2


def test_dir_option_runs_elsewhere(tmp_path, dna_cmd):
    dna(dna_cmd, tmp_path, "init", "repo")
    assert dna(dna_cmd, tmp_path, "-C", "repo", *ADD).stdout == "F-0001\n"
    assert (tmp_path / "repo/dna/findings/F-0001-carrier-retry-cap.md").is_file()
