"""The interview's offline number probe and the extractor share one quantity finder."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from dna_kit.document import Document
from dna_kit.extract import extract_findings
from dna_kit.extract.evaluate import value_key
from dna_kit.interview import InterviewSession, find_numbers

SENTENCES = [
    "We retried 4 times with a 60 s cap, 20 req/s, 80% of pods.",
    "The connection timeout was cut from 1 s to 300 ms after the storm.",
    "Retries must be capped at 3 and the queue at 2GiB, checked every 5 minutes.",
    "It took 1 hour and 48 minutes; we retried ten times and the pool held 1,200 connections.",
    "The 4xx rate must stay low, as agreed on 2026-03-14 at 02:10.",
    "A burst of 503s must never exceed 100s of requests or tenfold the load.",
]


def _clock():  # type: ignore[no-untyped-def]
    start = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
    ticks = itertools.count()
    return lambda: start + dt.timedelta(minutes=next(ticks))


@pytest.mark.parametrize("sentence", SENTENCES)
def test_the_interview_asks_about_exactly_the_values_the_extractor_keeps(
        project, sentence: str) -> None:
    """Said in an interview or written in a postmortem, a sentence gives the same values:
    the numbers the facilitator is prompted to ask about are the parameters the
    extractor proposes for it, by meaning ("1 hour and 48 minutes" is one value, 6480 s;
    a date, a clock time or "4xx" is none)."""
    doc = Document("pm.md", f"## Action items\n\n- {sentence}\n")
    [candidate] = extract_findings(doc)
    extracted = sorted(value_key(v) for v in candidate.params.values())

    session = InterviewSession(project, interviewee="Ana", incident="the retry storm",
                               questions=["cdm-incident"], llm=None, clock=_clock())
    probes = [q.text for q in session.answer(sentence) if ".n" in q.id]
    written = find_numbers(sentence)
    assert sorted(value_key(raw) for raw in written) == extracted
    # Each value is asked about as the engineer said it, once.
    assert len(probes) == len(written)
    for probe, raw in zip(probes, written, strict=True):
        assert probe.startswith(f"You mentioned {raw}. ")
        assert raw in sentence


def test_the_same_value_said_twice_is_asked_about_once(project) -> None:
    session = InterviewSession(project, interviewee="Ana", incident="the retry storm",
                               questions=["cdm-incident"], llm=None, clock=_clock())
    probes = [q.text for q in session.answer("The cap is 60 s; 60 seconds, I mean, and "
                                             "1 minute is what we pinned.")
              if ".n" in q.id]
    assert probes and len(probes) == 1 and probes[0].startswith("You mentioned 60 s. ")
