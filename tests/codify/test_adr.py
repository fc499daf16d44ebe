"""Decision records: MADR 4 and Nygard, numbering, idempotence, superseding both ways,
person's edits, adr-tools reading the directory, and model drafts over loopback."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys

import pytest

from dna_kit.codify import codify, write_adr
from dna_kit.errors import CodifyError, EditedArtifact
from dna_kit.ledger import add_finding, find_entry

TODAY = dt.date(2026, 11, 20)
CAP = {"title": "Cap carrier retry backoff", "layer": "why", "kind": "decision",
       "statement": "Carrier retries back off from 0.2 s, doubling, capped at 5 s.",
       "rationale": "A 60 s cap kept retrying through the carrier outage.",
       "owner": "ana", "status": "accepted",
       "params": {"base": "0.2s", "factor": "2", "cap": "5s", "max_attempts": "4"},
       "provenance": [{"source": "incidents/outage.md", "line_start": 4,
                       "quote": "We cut the cap to 5 s."}]}
OLD = {"title": "Retry the carrier for up to 60 s", "layer": "why", "kind": "decision",
       "statement": "Carrier retries back off up to 60 s.", "status": "accepted"}
ADR = shutil.which("adr")
needs_adr = pytest.mark.skipif(ADR is None, reason="the adr binary (Debian package "
                               "adr-tools) is not installed; .ci/run installs it")


def _adr(project, *args: str) -> str:
    return subprocess.run([ADR, *args], cwd=project.root, capture_output=True, text=True,
                          check=True).stdout


def test_madr_record_has_the_madr4_sections_and_links_back(project):
    finding = add_finding(project, CAP)
    codify(project, finding.id, template="backoff_schedule", target="svc:delay")
    path = write_adr(project, finding.id, fmt="madr", today=TODAY)
    assert path == project.adr_dir / "0001-cap-carrier-retry-backoff.md"
    text = path.read_text(encoding="utf-8")
    front = text.split("---\n")[1]
    assert front.splitlines() == ["status: accepted", "date: 2026-11-20",
                                  "decision-makers: [ana]", "consulted: []", "informed: []"]
    headings = re.findall(r"^#+ .*$", text, re.M)
    assert headings == ["# Cap carrier retry backoff", "## Context and Problem Statement",
                        "## Decision Drivers", "## Considered Options", "## Decision Outcome",
                        "### Consequences", "### Confirmation", "## More Information"]
    confirmation = text.split("### Confirmation")[1].split("##")[0]
    assert "dna/tests/test_f0001_cap_carrier_retry_backoff.py" in confirmation
    assert "> We cut the cap to 5 s." in text
    assert "](../../dna/findings/F-0001-cap-carrier-retry-backoff.md)" in text
    assert find_entry(project, finding.id).finding.links.decisions == (
        "docs/adr/0001-cap-carrier-retry-backoff.md",)


def test_writing_a_record_twice_changes_nothing(project):
    finding = add_finding(project, CAP)
    path = write_adr(project, finding.id, today=TODAY)
    before = (path.read_bytes(), find_entry(project, finding.id).path.read_bytes())
    again = write_adr(project, finding.id, today=dt.date(2027, 1, 1))  # no date churn
    assert again == path
    assert (path.read_bytes(), find_entry(project, finding.id).path.read_bytes()) == before
    assert len(list(project.adr_dir.glob("*.md"))) == 1


def test_numbers_follow_records_already_there(project):
    (project.adr_dir / "0003-use-postgres.md").write_text("# 3. Use Postgres\n")
    finding = add_finding(project, CAP)
    assert write_adr(project, finding.id, fmt="nygard").name == \
        "0004-cap-carrier-retry-backoff.md"


def test_the_format_defaults_to_the_project_setting(project):
    config = project.config_path.read_text(encoding="utf-8")
    project.config_path.write_text(config.replace("adr_format: madr", "adr_format: nygard"))
    finding = add_finding(project, CAP)
    text = write_adr(project, finding.id, today=TODAY).read_text(encoding="utf-8")
    assert text.startswith("# 1. Cap carrier retry backoff\n\nDate: 2026-11-20\n\n## Status"
                           "\n\nAccepted\n")


def test_an_edited_record_is_kept_unless_forced(project):
    finding = add_finding(project, CAP)
    path = write_adr(project, finding.id)
    edited = path.read_text(encoding="utf-8").replace("consulted: []", "consulted: [ops]")
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(EditedArtifact, match="edited by a person"):
        write_adr(project, finding.id)
    assert path.read_text(encoding="utf-8") == edited
    write_adr(project, finding.id, force=True)
    assert "consulted: []" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["madr", "nygard"])
def test_superseding_links_findings_and_records_both_ways(project, fmt):
    old = add_finding(project, OLD)
    old_path = write_adr(project, old.id, fmt=fmt)
    old_text = old_path.read_text(encoding="utf-8")
    if fmt == "nygard":  # a person's note in the old record must survive the status change
        old_path.write_text(old_text.replace("## Consequences\n", "## Consequences\n\n"
                                             "Ana: we knew this was too long.\n"))
    new = add_finding(project, CAP)
    new_path = write_adr(project, new.id, fmt=fmt, supersedes=old.id)
    assert find_entry(project, new.id).finding.links.supersedes == (old.id,)
    assert find_entry(project, old.id).finding.links.superseded_by == (new.id,)
    new_text = new_path.read_text(encoding="utf-8")
    old_text = old_path.read_text(encoding="utf-8")
    assert "Supersedes [1. Retry the carrier for up to 60 s](0001-retry-the-carrier-for-up-to" \
           "-60-s.md)" in new_text
    assert "Superseded by [2. Cap carrier retry backoff](0002-cap-carrier-retry-backoff.md)" \
        in old_text
    if fmt == "madr":
        assert "status: superseded by ADR-0002" in old_text
    else:
        status = old_text.split("## Status\n\n")[1].split("##")[0]
        assert "Accepted" not in status
        assert "Ana: we knew this was too long." in old_text
    write_adr(project, new.id, fmt=fmt, supersedes=old.id)  # again: nothing doubles
    assert old_path.read_text(encoding="utf-8").count("Superseded by") == old_text.count(
        "Superseded by")


@needs_adr
def test_adr_tools_lists_and_indexes_the_generated_records(project):
    old = add_finding(project, OLD)
    write_adr(project, old.id, fmt="nygard")
    new = add_finding(project, CAP)
    write_adr(project, new.id, fmt="nygard", supersedes=old.id)
    third = add_finding(project, {**CAP, "title": "Alert on carrier 4xx"})
    write_adr(project, third.id, fmt="madr")
    assert _adr(project, "list").split() == [
        "docs/adr/0001-retry-the-carrier-for-up-to-60-s.md",
        "docs/adr/0002-cap-carrier-retry-backoff.md",
        "docs/adr/0003-alert-on-carrier-4xx.md"]
    toc = _adr(project, "generate", "toc")
    assert "* [1. Retry the carrier for up to 60 s](0001-retry-the-carrier-for-up-to-60-s.md)" \
        in toc
    assert "* [2. Cap carrier retry backoff](0002-cap-carrier-retry-backoff.md)" in toc
    assert "](0003-alert-on-carrier-4xx.md)" in toc  # MADR: listed (titled from line 1)
    graph = _adr(project, "generate", "graph")
    assert '_2 -> _1 [label="Supersedes", weight=0]' in graph
    # adr-tools keeps numbering after ours, and its records sit beside ours.
    made = subprocess.run([ADR, "new", "Use", "a", "queue"], cwd=project.root,
                          capture_output=True, text=True, check=True,
                          env={"PATH": "/usr/bin:/bin", "EDITOR": "true"}).stdout.strip()
    assert made.endswith("0004-use-a-queue.md")


def test_draft_asks_the_model_and_marks_the_prose_as_a_draft(project, fake_llm):
    def answer(request):
        asked = request["messages"][-1]["content"]
        if "consequences" in asked:
            return "Retries stop early, so an outage costs fewer calls.\n## Not a heading"
        return "The carrier went down and our retries kept it down."

    fake_llm.responder = answer
    finding = add_finding(project, CAP)
    text = write_adr(project, finding.id, draft=True).read_text(encoding="utf-8")
    assert len(fake_llm.chat_requests) == 2
    assert "capped at 5 s" in fake_llm.sent_text()
    context = text.split("## Context and Problem Statement")[1].split("\n## ")[0]
    assert "**Draft** written by a language model (fake-model)" in context
    assert "our retries kept it down" in context
    consequences = text.split("### Consequences")[1].split("\n### ")[0]
    assert "**Draft**" in consequences and "fewer calls" in consequences
    assert "\n\\## Not a heading" in consequences  # model text cannot add sections


def test_draft_without_a_model_says_how_to_configure_one(project, monkeypatch):
    monkeypatch.delenv("DNA_LLM_MODEL", raising=False)
    finding = add_finding(project, CAP)
    with pytest.raises(CodifyError, match="needs a model: set DNA_LLM_MODEL"):
        write_adr(project, finding.id, draft=True)
    assert not list(project.adr_dir.glob("*.md"))


def test_cli_writes_records_and_refuses_mixed_options(project):
    finding = add_finding(project, CAP)

    def dna(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "dna_kit", *args], cwd=project.root,
                              capture_output=True, text=True, check=False)

    done = dna("codify", finding.id, "--adr", "--format", "nygard", "--decision-maker", "ana",
               "--decision-maker", "bo")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "docs/adr/0001-cap-carrier-retry-backoff.md"
    mixed = dna("codify", finding.id, "--adr", "--template", "bounded")
    assert mixed.returncode == 1
    assert "--adr writes a decision record" in mixed.stderr
    missing = dna("codify", "F-0099", "--adr")
    assert missing.returncode == 1 and "F-0099" in missing.stderr


def test_cli_draft_over_loopback(project, fake_llm):
    fake_llm.responder = lambda request: "Drafted prose about the carrier."
    finding = add_finding(project, CAP)
    done = subprocess.run([sys.executable, "-m", "dna_kit", "codify", finding.id, "--adr",
                           "--draft"], cwd=project.root, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    text = (project.root / done.stdout.strip()).read_text(encoding="utf-8")
    assert text.count("**Draft** written by a language model (fake-model)") == 2
    assert len(fake_llm.chat_requests) == 2
