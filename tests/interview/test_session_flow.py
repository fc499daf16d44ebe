"""The interview session: order, offline probes, the transcript on disk after every answer,
resuming after a crash."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from dna_kit.ingest.transcript import parse_transcript
from dna_kit.interview import (
    InterviewSession,
    find_always_never,
    find_numbers,
    load_question_bank,
)


def _clock():  # type: ignore[no-untyped-def]
    start = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
    ticks = itertools.count()
    return lambda: start + dt.timedelta(minutes=next(ticks))


def _session(project, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("llm", None)
    kw.setdefault("clock", _clock())
    return InterviewSession(project, interviewee="Ana Ruiz",
                            incident="the March carrier retry storm", **kw)


def test_numbers_and_absolutes_are_found_as_written() -> None:
    text = ("On 2026-03-14 at 02:10 the carrier API slowed; we retried 4 times with a 60 s "
            "cap, 20 req/s, 80% of pods, since 2021. Step 1 was paging.")
    assert find_numbers(text) == ["4 times", "60 s", "20 req/s", "80%"]
    assert find_always_never("We always page the carrier. It was fine. Never on Fridays!") \
        == ["We always page the carrier.", "Never on Fridays!"]
    assert find_numbers("nothing numeric here") == []
    # Dates in words are not parameters; thousands separators are.
    assert find_numbers("On 2 July, and again on March 3rd, we hit 1,200 connections an "
                        "hour.") == ["1,200 connections an hour"]
    assert find_numbers("A 4xx, the 3rd retry, v2 and Q1 are no quantities.") == []



def test_questions_come_in_bank_order_with_the_incident_filled_in(project) -> None:
    session = _session(project)
    bank = load_question_bank()
    asked = []
    while not session.done:
        asked.append(session.current.id)
        session.skip()
    assert asked == [q.id for q in bank.questions]
    session = _session(project, methods=["acta"])
    assert session.current.id == "acta-task-diagram"
    assert "the March carrier retry storm" in session.current.text
    assert "{incident}" not in session.current.text


def test_an_answer_queues_probes_then_follow_ups_and_is_on_disk_at_once(project) -> None:
    session = _session(project, methods=["cdm"])
    queued = session.answer("The carrier API timed out. We retried 3 times with a 60 s cap."
                            " We never retry a 4xx.")
    texts = [q.text for q in queued]
    assert texts[0] == ('You said "We never retry a 4xx.". Since when has that been true, '
                        "and why?")
    assert "You mentioned 3 times. Where does that value come from" in texts[1]
    assert "You mentioned 60 s." in texts[2] and "higher or lower" in texts[2]
    assert texts[3:] == list(load_question_bank().get("cdm-incident").follow_ups)
    assert session.current.id == "cdm-incident.a1"
    # The transcript already holds the answer: a crash now loses nothing.
    transcript = parse_transcript(session.path.read_text(encoding="utf-8"), session.path)
    assert [e.answer for e in transcript.entries] == [
        "The carrier API timed out. We retried 3 times with a 60 s cap. We never retry a 4xx."]
    assert transcript.meta["incident"] == "the March carrier retry storm"
    assert session.path.parent == project.interviews_dir
    assert session.path.name == "2026-11-20-ana-ruiz.md"

    session.answer("Since the 2024 storm: a 4xx will not get better by asking again.")
    entries = parse_transcript(session.path.read_text(encoding="utf-8")).entries
    assert [e.question_id for e in entries] == ["cdm-incident", "cdm-incident.a1"]
    assert entries[1].follow_up_of == 1
    assert entries[0].asked_at == "2026-11-20T14:01:00+00:00"  # tick 0 started it
    assert entries[1].asked_at == "2026-11-20T14:02:00+00:00"
    # The same number is never probed twice.
    again = session.answer("Yes, 60 s, and 3 times is the cap.")
    assert not [q for q in again if "mentioned" in q.text]
    assert not list(project.interviews_dir.glob(".*.tmp")), "atomic writes leave no temp"


def test_empty_answer_skips_and_follow_ups_do_not_nest(project) -> None:
    session = _session(project, questions=["cdm-incident", "cdm-timeline"])
    assert session.answer("   ") == []
    assert session.current.id == "cdm-timeline"
    queued = session.answer("First the queue grew.")
    assert [q.id for q in queued] == ["cdm-timeline.f1", "cdm-timeline.f2"]
    assert session.answer("When the queue passed its limit.") == []  # no follow-up's follow-up
    session.skip()
    assert session.done and session.current is None
    with pytest.raises(ValueError, match="interview is over"):
        session.answer("more")


def test_resume_after_a_crash_keeps_answers_and_moves_on(project) -> None:
    session = _session(project, methods=["cdm"])
    session.answer("The retry storm; the cap was 60 s.")
    path = session.path
    del session  # the kernel died
    resumed = InterviewSession.resume(path, llm=None, clock=_clock())
    assert [e.answer for e in resumed.entries] == ["The retry storm; the cap was 60 s."]
    assert resumed.current.id == "cdm-timeline"
    assert resumed.progress == (1, len(load_question_bank().select(["cdm"])))
    resumed.answer("It started at 02:10 with a 5 s timeout.")
    entries = parse_transcript(path.read_text(encoding="utf-8")).entries
    assert [e.number for e in entries] == [1, 2]
    assert entries[1].answer == "It started at 02:10 with a 5 s timeout."


def test_two_interviews_on_one_day_get_two_files(project) -> None:
    first, second = _session(project), _session(project)
    assert first.path != second.path
    assert second.path.name == "2026-11-20-ana-ruiz-2.md"
    assert first.path.is_file() and second.path.is_file()


def test_an_interview_needs_a_real_incident(project) -> None:
    with pytest.raises(ValueError, match="anchored in one real incident"):
        InterviewSession(project, interviewee="Ana", incident="  ", llm=None)


def test_model_follow_ups_replace_the_banks(project, fake_llm) -> None:
    fake_llm.reply_json({"questions": ["What did the 60 s cap do to the carrier's queue?"]})
    session = InterviewSession(project, interviewee="Ana", incident="the retry storm",
                               questions=["cdm-incident"], llm="auto", clock=_clock())
    assert session.meta["follow_ups"] == "model"
    queued = session.answer("Retries backed off up to a 60 s cap and kept hammering them.")
    assert [q.id for q in queued] == ["cdm-incident.n1", "cdm-incident.m1"]
    assert queued[1].text == "What did the 60 s cap do to the carrier's queue?"
    assert "kept hammering them" in fake_llm.sent_content()
    assert len(fake_llm.chat_requests) == 1


def test_model_failure_falls_back_to_the_bank(project, fake_llm) -> None:
    fake_llm.reply_text("this is not json at all")
    session = InterviewSession(project, interviewee="Ana", incident="the retry storm",
                               questions=["cdm-incident"], llm="auto", clock=_clock())
    with pytest.warns(UserWarning, match="model follow-ups failed"):
        queued = session.answer("It was bad.")
    assert [q.text for q in queued] == list(load_question_bank().get("cdm-incident").follow_ups)
    assert session.warnings


def test_transcript_path_is_under_the_project(project, tmp_path: Path) -> None:
    session = _session(project, path=tmp_path / "elsewhere.md")
    assert session.path == tmp_path / "elsewhere.md" and session.path.is_file()


def test_a_half_set_model_configuration_does_not_stop_an_interview(project, monkeypatch) -> None:
    # A model name with no endpoint or key: "auto" warns and uses the bank's follow-ups.
    monkeypatch.setenv("DNA_LLM_MODEL", "some-model")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.warns(UserWarning, match="model follow-ups are off"):
        session = _session(project, llm="auto")
    assert session.llm is None
    assert session.meta["follow_ups"] == "bank"
