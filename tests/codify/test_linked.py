"""dna_kit.codify.linked: a finding's test and decision record name each other, and each
writer below it writes only its own artifact (no import cycle, no flags)."""

from __future__ import annotations

from dna_kit.codify import codify, write_adr, write_record, write_test
from dna_kit.ledger import add_finding

RETRY = {"title": "Carrier retry cap", "layer": "how", "kind": "retry_policy",
         "statement": "Retries back off from 0.2 s, doubling, capped at 5 s",
         "params": {"base": "0.2s", "factor": "2", "cap": "5 s", "max_attempts": "4"},
         "status": "accepted"}
BIND = {"template": "backoff_schedule", "target": "svc:delay"}


def test_each_writer_writes_only_its_own_artifact(project):
    finding = add_finding(project, RETRY)
    record = write_record(project, finding.id)
    test = write_test(project, finding.id, **BIND).path
    assert "No property test enforces this decision yet" in record.read_text(encoding="utf-8")
    before = test.read_text(encoding="utf-8")
    assert "Decision record" in before  # the test saw the record, which existed first
    other = add_finding(project, {**RETRY, "title": "Second rule"})
    test2 = write_test(project, other.id, **BIND).path
    write_record(project, other.id)
    assert "Decision record" not in test2.read_text(encoding="utf-8")  # not refreshed


def test_codify_and_write_adr_refresh_the_other_unless_a_person_edited_it(project):
    finding = add_finding(project, RETRY)
    record = write_adr(project, finding.id)
    test = codify(project, finding.id, **BIND).path
    assert "dna/tests/test_f0001_carrier_retry_cap.py" in record.read_text(encoding="utf-8")
    # A person's record stays as they left it when the test changes.
    edited = record.read_text(encoding="utf-8").replace("consulted: []", "consulted: [ops]")
    record.write_text(edited, encoding="utf-8")
    codify(project, finding.id, params={"cap": "6s"})
    assert record.read_text(encoding="utf-8") == edited
    # A person's test stays as they left it when the record is written again.
    mine = test.read_text(encoding="utf-8") + "# mine\n"
    test.write_text(mine, encoding="utf-8")
    write_adr(project, finding.id, force=True)
    assert test.read_text(encoding="utf-8") == mine
