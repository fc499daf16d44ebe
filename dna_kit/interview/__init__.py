"""The interview stage: guided questions (Critical Decision Method, ACTA knowledge audit),
a session that writes its transcript after every answer, and the candidates it proposes.

>>> from dna_kit.interview import InterviewSession, load_question_bank  # doctest: +SKIP
"""

from __future__ import annotations

from dna_kit.interview.questions import Question, QuestionBank, load_question_bank
from dna_kit.interview.session import (
    InterviewSession,
    find_always_never,
    find_numbers,
    replay_transcript,
    transcript_candidates,
)

__all__ = [
    "InterviewSession",
    "Question",
    "QuestionBank",
    "find_always_never",
    "find_numbers",
    "load_question_bank",
    "replay_transcript",
    "transcript_candidates",
]
