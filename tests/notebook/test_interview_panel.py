"""The interview panel without a browser: type, click, read the transcript and the review
panel; and a headless replay that proposes exactly what the live session proposed."""

from __future__ import annotations

from dna_kit.ingest.transcript import parse_transcript
from dna_kit.interview import InterviewSession, replay_transcript
from dna_kit.ledger import load_ledger
from dna_kit.notebook.interview_panel import InterviewPanel
from dna_kit.review import candidate_key

ANSWERS = [
    "The carrier retry storm in March. Every 4xx was retried 10 times, 100 ms apart, and "
    "the carrier suspended our key for 40 minutes.",
    "After the incident we decided to never retry a 4xx from the carrier, and we capped the "
    "backoff at 5 s with at most 4 attempts.",
]


def _panel(project) -> InterviewPanel:  # type: ignore[no-untyped-def]
    session = InterviewSession(project, interviewee="Ana", incident="the retry storm",
                               questions=["cdm-incident", "cdm-basis"], llm=None)
    return InterviewPanel(session)


def test_answers_reach_the_transcript_and_candidates_the_review(project) -> None:
    panel = _panel(project)
    assert "Pick one incident" in panel.question.value
    assert "Question 1 of 2" in panel.header.value
    panel.answer_box.value = ANSWERS[0]
    panel.next_button.click()
    assert panel.answer_box.value == ""
    assert "Saved to" in panel.status.value
    assert "You said" in panel.question.value or "You mentioned" in panel.question.value
    assert "Follow-up" in panel.header.value
    while panel.session.current is not None and panel.session.current.parent:
        panel.skip_button.click()
    assert panel.session.current.id == "cdm-basis"
    panel.answer_box.value = ANSWERS[1]
    panel.next_button.click()

    transcript = parse_transcript(panel.session.path.read_text(encoding="utf-8"))
    assert [e.answer for e in transcript.entries] == ANSWERS
    review = panel.review
    assert review is not None and review.candidates, "the answers propose candidates"
    assert all(c.question in {"cdm-incident", "cdm-basis"} for c in review.candidates)
    assert "<mark" in review.context.value

    # Reviewing from inside the interview writes the ledger like the postmortem panel.
    review.accept_button.click()
    (finding,) = load_ledger(project).findings
    assert finding.status == "accepted"
    assert finding.provenance[0].question in {"cdm-incident", "cdm-basis"}

    # Headless replay of the same transcript proposes the same candidates.
    replayed = replay_transcript(panel.session.path)
    assert [candidate_key(c) for c in replayed] == [candidate_key(c) for c in
                                                     review.candidates]


def test_an_empty_answer_skips_and_the_end_disables_the_panel(project) -> None:
    panel = _panel(project)
    panel.next_button.click()  # nothing typed: skip
    assert panel.session.current.id == "cdm-basis"
    panel.skip_button.click()
    assert panel.next_button.disabled and "Interview complete" in panel.header.value
    assert parse_transcript(panel.session.path.read_text(encoding="utf-8")).entries == ()
