"""Each source reader, format detection, directory walks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dna_kit.document import Document
from dna_kit.errors import RegistryError, SourceError
from dna_kit.ingest import build_readers, ingest, scan
from dna_kit.ingest.markdown import classify_heading, find_front_matter, find_sections
from dna_kit.ingest.transcript import TranscriptEntry, render_transcript


def test_document_maps_offsets_to_lines_through_a_line_map() -> None:
    doc = Document("x.json", "first\nsecond\nthird\n", line_map=[4, 9, 15])
    assert [doc.line_of(doc.text.index(w)) for w in ("first", "second", "third")] == [4, 9, 15]
    assert Document("a.md", "a\nb\n").line_of(2) == 2


def test_markdown_postmortem_sections_events_and_lines(data: Path) -> None:
    [doc] = ingest(data / "retry-storm.md")
    assert doc.kind == "postmortem" and doc.reader == "markdown"
    kinds = [s.kind for s in doc.sections]
    assert kinds == [None, "summary", "impact", "timeline", "root_cause", "action_items",
                     "lessons"]
    lines = doc.text.split("\n")
    for section in doc.sections:
        assert section.title in lines[section.line - 1]
    assert [e.time for e in doc.events] == ["14:02 UTC", "14:09 UTC", "14:20 UTC", "14:41",
                                           "14:54"]
    assert doc.events[3].text == "Backoff cap set to 5 s by hand on every pod"
    assert lines[doc.events[3].line - 1].startswith("| 14:41")
    at = doc.text.index("Retries back off")
    assert doc.section_at(at).kind == "root_cause"  # type: ignore[union-attr]


@pytest.mark.parametrize("text,kind", [
    ("## Root Cause(s)\n\nx\n", "root_cause"),
    ("Contributing factors\n====================\n\nx\n", "contributors"),
    ("Where we got lucky\n------------------\n\nx\n", "lucky"),
    ("**Mitigators**\n\nx\n", "mitigators"),
    ("WHAT WENT WRONG\n\nx\n", "went_wrong"),
    ("Trigger:\nx\n", "trigger"),
    ("What went well\nx\n", "went_well"),
    ("### Detection\n\nx\n", "detection"),
    ("# Risks #\n\nx\n", "risks"),
])
def test_section_headings_in_any_style(text: str, kind: str) -> None:
    assert [s.kind for s in find_sections(text)] == [kind]


def test_headings_inside_code_fences_are_not_sections() -> None:
    assert find_sections("```\n# Summary\n```\n\ntext\n") == []
    assert classify_heading("Action items") == "action_items"
    assert classify_heading("Appendix B") is None


_BODY = "# Retry storm\n\n## Action items\n\n- Retries must be capped at 3.\n"


@pytest.mark.parametrize("head,pairs", [
    ("---\ntitle: Retries must be capped at 5 attempts\nauthor: ana\ntags: [retries]\n---\n",
     {"title": "Retries must be capped at 5 attempts", "author": "ana", "tags": "[retries]"}),
    ('+++\ntitle = "Retry storm: timeouts must stay under 2 s"\ndraft = false\n+++\n',
     {"title": "Retry storm: timeouts must stay under 2 s", "draft": "false"}),
    ("source: https://example.com/pm/42\nTitle: Retry storm, retries capped at 5\n\n",
     {"source": "https://example.com/pm/42", "title": "Retry storm, retries capped at 5"}),
])
def test_front_matter_is_metadata_not_prose(tmp_path: Path, head: str,
                                            pairs: dict[str, str]) -> None:
    from dna_kit.extract import extract_findings

    path = tmp_path / "pm.md"
    path.write_text(head + _BODY, encoding="utf-8")
    [doc] = ingest(path)
    assert doc.metadata == pairs
    assert doc.text[doc.body_start:] == _BODY
    assert [s.kind for s in doc.sections] == [None, "action_items"]
    assert doc.sections[0].line == head.count("\n") + 1
    # Only the body's rule is proposed; the metadata's words ("must", "capped at 5") are not.
    assert [c.statement for c in extract_findings(doc)] == ["Retries must be capped at 3."]


@pytest.mark.parametrize("text", [
    # Section names as keys: the write-up's own content in "Key: value" form.
    "Summary: the connection pool ran dry\nImpact: checkout failed for 20 min\n\nMore.\n",
    # A value that is a sentence.
    "Decision: we cap carrier retries at three attempts from now on.\nOwner: ana\n\nMore.\n",
    # One line only, or nothing after the block.
    "Owner: ana\n\nRetries must be capped at 3.\n",
    "Owner: ana\nTeam: carrier\n",
    # An unclosed fence, rules around prose, and a first line that is prose.
    "---\ntitle: x\n\nRetries must be capped at 3.\n",
    "---\nRetries must be capped at 3\n---\n\nMore.\n",
    "Retries must be capped at 3.\nOwner: ana\n\nMore.\n",
])
def test_text_that_only_resembles_front_matter_stays_prose(text: str) -> None:
    assert find_front_matter(text) == (0, {})


def test_plain_text_notes(data: Path) -> None:
    [doc] = ingest(data / "notes.txt")
    assert [(s.kind, s.line) for s in doc.sections] == [
        ("summary", 1), ("root_cause", 4), ("went_well", 7), ("action_items", 10)]


def test_slack_channel_folder_with_users_and_threads(data: Path) -> None:
    [doc] = ingest(data / "chat" / "incident-carrier" / "2026-03-14.json")
    assert doc.kind == "chat"
    lines = doc.text.splitlines()
    assert lines[0] == ("[2026-03-14 14:02:00] ana: label requests are failing, carrier API "
                        "times out after 300 ms")
    assert lines[1].startswith("  ↳ [2026-03-14 14:03:20] raj: we decided")  # thread reply
    assert lines[2].endswith("ana: thanks @raj")  # mention resolved; empty join skipped
    raw = (data / "chat" / "incident-carrier" / "2026-03-14.json").read_text().splitlines()
    for event in doc.events:
        # each event points at the message's own "ts" line in the JSON file, just after
        # its text (not at the parent's list of replies)
        assert raw[event.line - 1].strip().startswith('"ts"')
        assert event.text.split("@")[0].strip() in raw[event.line - 2]
    assert [e.actor for e in doc.events] == ["ana", "raj", "ana"]
    assert doc.line_of(doc.text.index("we decided")) == doc.events[1].line


def test_a_directory_walk_skips_workspace_metadata(data: Path) -> None:
    results = list(scan([data / "chat"]))
    assert [r.path.name for r in results] == ["2026-03-14.json", "2026-03-15.json"]
    assert all(r.ok and r.reader == "chat" for r in results)


def test_single_chat_file_with_messages_key(data: Path) -> None:
    [doc] = ingest(data / "single-chat.json")
    assert [e.actor for e in doc.events] == ["mo", "mo"]
    assert doc.line_of(doc.text.index("queue depth")) == 3


def test_jsonl_log_skips_broken_lines_with_a_warning(data: Path) -> None:
    [doc] = ingest(data / "events.jsonl")
    assert doc.kind == "timeline" and doc.reader == "jsonl"
    assert [e.line for e in doc.events] == [1, 2, 4]
    assert [e.actor for e in doc.events] == ["dispatch", "dispatch", "ops"]
    assert doc.warnings == [f"{data / 'events.jsonl'}:3: skipped a broken line: not JSON "
                            "(Expecting value)"]


def test_csv_timeline_detects_fields_and_keeps_source_lines(data: Path) -> None:
    [doc] = ingest(data / "timeline.csv")
    assert [(e.time, e.actor, e.line) for e in doc.events] == [
        ("2026-03-14 14:02", "deploy-bot", 2), ("2026-03-14 14:20", "ana", 3),
        ("2026-03-14 14:54", "raj", 5)]
    assert doc.events[1].text == "paged the carrier team, asked for a rate limit"


def test_csv_fields_can_be_given(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("moment;note;person\n09:00;cache flushed;li\n", encoding="utf-8")
    with pytest.raises(SourceError, match="no time column"):
        ingest(path)
    [doc] = ingest(path, fields={"time": "moment", "message": "note", "actor": "person"})
    assert doc.events[0].time == "09:00" and doc.events[0].text == "cache flushed"
    assert doc.events[0].actor == "li"


def test_transcript_answers_are_sections_with_question_ids(tmp_path: Path) -> None:
    text = render_transcript({"interviewee": "Ana", "date": "2026-11-20"}, [
        TranscriptEntry(number=1, question_id="cdm-incident", question="Which incident?",
                        answer="The retry storm.\nRetries must be capped at 5 s.",
                        method="Critical Decision Method", phase="incident"),
        TranscriptEntry(number=2, question_id="cdm-cues", question="What did you notice?",
                        answer="Error rate above 30% on labels."),
    ])
    path = tmp_path / "2026-11-20-ana.md"
    path.write_text(text, encoding="utf-8")
    [doc] = ingest(path)
    assert doc.kind == "transcript" and doc.reader == "transcript"
    assert [s.question for s in doc.sections] == ["cdm-incident", "cdm-cues"]
    first = doc.sections[0]
    assert doc.text[first.start:first.end].strip() == (
        "The retry storm.\nRetries must be capped at 5 s.")
    assert text.splitlines()[first.line - 1] == "The retry storm."


def test_format_override_and_unknown_format(data: Path) -> None:
    [doc] = ingest(data / "events.jsonl", format="markdown")
    assert doc.reader == "markdown" and doc.kind == "postmortem"
    with pytest.raises(RegistryError, match="unknown source format 'odt'; known: chat, csv"):
        ingest(data / "events.jsonl", format="odt")


def test_each_call_builds_a_fresh_registry() -> None:
    one, two = build_readers(), build_readers()
    one.register("extra", one.get("markdown"))
    assert "extra" not in two


def test_chat_export_round_trips_through_json(tmp_path: Path) -> None:
    messages = [{"user": "U1", "text": f"message {i}", "ts": f"17734{i:05d}.000100"}
                for i in range(5)]
    path = tmp_path / "day.json"
    path.write_text(json.dumps(messages, indent=2), encoding="utf-8")
    [doc] = ingest(path)
    assert [e.text for e in doc.events] == [f"message {i}" for i in range(5)]
    assert [e.line for e in doc.events] == [5 + 5 * i for i in range(5)]
