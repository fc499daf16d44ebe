"""Guided interviews: a question bank from cognitive task analysis, asked in order, with
probes generated from the answers, saved to a transcript after every answer.

The bank (``templates/interview/questions.yaml``) follows the Critical Decision Method
(Klein, Calderwood and MacGregor, 1989) and the ACTA knowledge audit (Militello and Hutton,
1998). Every number an engineer mentions draws "where does this value come from, when was it
set, what breaks if it is higher or lower" (the numbers are the values the extractor
would make parameters of: :func:`dna_kit.extract.quantities.find_quantities`); every "we
always / never" draws "since when, and why". Both probes are generated offline; a
configured model writes the follow-up questions, otherwise the bank's are used.

>>> session = InterviewSession(project, interviewee="ana",          # doctest: +SKIP
...                            incident="the carrier retry storm")
>>> session.current.text                                               # doctest: +SKIP
'Pick one incident on this service that you handled yourself, ...'
>>> session.answer("We cap the carrier retries at 5 s ...")            # doctest: +SKIP
[Question(id='cdm-incident.n1', ... 'You mentioned 5 s. Where does that value come from, ...')]
"""

from __future__ import annotations

import datetime as _dt
import re
import warnings
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dna_kit.errors import DnaKitError, ModelError, SourceError
from dna_kit.extract.quantities import find_quantities
from dna_kit.fileio import atomic_write, create_exclusive, read_text_strict
from dna_kit.ingest.transcript import (
    TranscriptEntry,
    parse_transcript,
    render_transcript,
    transcript_path,
)
from dna_kit.interview.questions import Question, QuestionBank, load_question_bank
from dna_kit.project import Project, find_project, redaction_settings
from dna_kit.redact import redact
from dna_kit.units import parse_quantity

if TYPE_CHECKING:
    from dna_kit.extract import Candidate

__all__ = [
    "InterviewSession",
    "find_always_never",
    "find_numbers",
    "replay_transcript",
    "transcript_candidates",
]


#: Follow-up questions a model writes must come back in this shape.
FOLLOW_UP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"questions": {"type": "array", "items": {"type": "string"},
                                 "maxItems": 3}},
    "required": ["questions"],
}

_FOLLOW_UP_SYSTEM = """\
You help a facilitator interview an experienced software engineer about one real incident,
using cognitive task analysis ({method}). Write at most three short follow-up questions about
the engineer's last answer. Keep them anchored in what actually happened in that incident,
never "in general". Ask for concrete values (limits, timeouts, retries, thresholds), where
they came from and when they were set, the cues the engineer noticed, the rule they followed
and why. Answer as JSON: {{"questions": ["..."]}}."""


# -- offline probes --------------------------------------------------------------------------

_SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]?")
_ABSOLUTE_RE = re.compile(r"\b(always|never)\b", re.IGNORECASE)


def find_numbers(text: str) -> list[str]:
    """The values with units in an answer, as written, in order: exactly those the
    extractor finds (:func:`~dna_kit.extract.quantities.find_quantities`), so every value
    an engineer is asked about is one a finding can hold. Dates, clock times, years and
    numbers that measure nothing ("4xx", "the 3rd") are not values.

    >>> find_numbers("We retry 3 times, capped at 5 s, since 2 March 2024 (at 14:02).")
    ['3 times', '5 s']
    >>> find_numbers("The pool holds 1,200 connections for ten minutes.")
    ['1,200 connections', 'ten minutes']
    """
    return [text[start:end] for start, end, _, _ in find_quantities(text)]


def find_always_never(text: str) -> list[str]:
    """The sentences of an answer that state an absolute rule ("we always ...", "never").

    >>> find_always_never("We never retry a 4xx. Otherwise it depends.")
    ['We never retry a 4xx.']
    """
    return [s.strip() for s in _SENTENCE_RE.findall(text)
            if _ABSOLUTE_RE.search(s) and s.strip()]


def _values(text: str) -> list[tuple[str, str]]:
    """``(value as written, what it means)`` of each :func:`find_numbers` value: "60 s" and
    "60 seconds" mean the same, so one is asked about once."""
    out = []
    for start, end, value, _ in find_quantities(text):
        try:
            quantity = parse_quantity(value)
            key = f"{quantity.dimension}:{quantity.value:g}"
        except DnaKitError:
            key = value.lower()
        out.append((text[start:end], key))
    return out


# -- the session -----------------------------------------------------------------------------

def _now() -> _dt.datetime:
    return _dt.datetime.now().astimezone().replace(microsecond=0)


@dataclass(frozen=True)
class Entry:
    """One question and its answer, as the transcript records it."""

    number: int
    question: Question
    answer: str
    asked_at: _dt.datetime
    follow_up_of: int | None = None

    def to_transcript(self, bank: QuestionBank) -> TranscriptEntry:
        method = bank.methods.get(self.question.method, {}).get("name", self.question.method)
        return TranscriptEntry(
            number=self.number, question_id=self.question.id, question=self.question.text,
            answer=self.answer, method=method.replace("(", "").replace(")", ""),
            phase=bank.phases.get(self.question.phase, self.question.phase),
            asked_at=self.asked_at.isoformat(), follow_up_of=self.follow_up_of)


def _resolve_llm(llm: Any, project: Project) -> Any:
    """``"auto"``: a client when a model is configured, else None; False: never a model."""
    if llm is False or llm is None:
        return None
    if llm != "auto":
        return llm
    from dna_kit.errors import ModelError
    from dna_kit.llm import client_for_project

    try:
        return client_for_project(project)
    except ModelError as exc:
        # "auto" means a model if one is usable: a half-set configuration must not stop
        # an interview from starting; the bank's follow-ups are asked instead.
        import warnings

        warnings.warn(f"model follow-ups are off: {exc}", stacklevel=3)
        return None


class InterviewSession:
    """Asks the bank's questions in order, queues follow-ups and probes after each answer,
    and rewrites the transcript in ``dna/interviews/`` after every answer (atomically, so a
    crashed kernel loses nothing).

    ``llm="auto"`` uses a model for follow-ups when one is configured; ``llm=None`` never.
    ``max_probes`` caps the generated probes per answer (no cap by default: every number
    and every "always/never" is asked about; the facilitator skips what is obvious).

    >>> s = InterviewSession(project, interviewee="ana", incident="the retry storm",
    ...                      methods=["cdm"])                           # doctest: +SKIP
    >>> s.answer("The carrier API timed out for 40 minutes ...")       # doctest: +SKIP
    """

    def __init__(self, project: Project | str | Path, *, interviewee: str, incident: str,
                 bank: QuestionBank | None = None, methods: Iterable[str] | None = None,
                 questions: Iterable[str] | None = None, llm: Any = "auto",
                 path: str | Path | None = None, max_probes: int | None = None,
                 interviewer: str | None = None, _write: bool = True,
                 clock: Callable[[], _dt.datetime] = _now) -> None:
        self.project = project if isinstance(project, Project) else find_project(project)
        if not interviewee.strip():
            raise ValueError("interviewee='' : name the engineer being interviewed")
        if not incident.strip():
            raise ValueError("incident='' : an interview is anchored in one real incident; "
                             "name it")
        self.bank = bank or load_question_bank()
        self.interviewee = interviewee.strip()
        self.incident = incident.strip()
        self.llm = _resolve_llm(llm, self.project)
        self.max_probes = max_probes
        self.clock = clock
        self.entries: list[Entry] = []
        self.warnings: list[str] = []
        self._queue: deque[Question] = deque(self.bank.select(methods, questions))
        self._total = len(self._queue)
        self._probed: set[str] = set()
        self._asked_at: _dt.datetime | None = None
        self._counters: dict[tuple[str, str], int] = {}
        self._numbers: dict[str, int] = {}  # bank question id -> its entry number
        self.started = clock()
        self.meta: dict[str, Any] = {
            "interviewee": self.interviewee,
            "interviewer": interviewer or None,
            "date": self.started.date().isoformat(),
            "incident": self.incident,
            "started": self.started.isoformat(),
            "methods": sorted({q.method for q in self._queue}),
            "question_bank": f"{self.bank.path.name} v{self.bank.version}",
            "follow_ups": "model" if self.llm is not None else "bank",
        }
        self.path = Path(path) if path is not None else self._claim_path()
        if _write:
            self.save()

    @classmethod
    def resume(cls, path: str | Path, *, project: Project | str | Path | None = None,
               bank: QuestionBank | None = None, methods: Iterable[str] | None = None,
               llm: Any = "auto", clock: Callable[[], _dt.datetime] = _now,
               ) -> InterviewSession:
        """Carry on an interview from its transcript (after a crash, or another day): the
        answers stay, and the bank questions already answered are not asked again.

        >>> s = InterviewSession.resume("dna/interviews/2026-11-20-ana.md")  # doctest: +SKIP
        """
        path = Path(path)
        transcript = parse_transcript(read_text_strict(path), path)
        meta = dict(transcript.meta)
        bank = bank or load_question_bank()
        if methods is None:
            # A transcript written elsewhere may not say; the questions it answered do.
            answered = {bank.get(e.question_id).method for e in transcript.entries
                        if e.question_id in {q.id for q in bank.questions}}
            methods = meta.get("methods") or sorted(answered) or None
        session = cls(project if project is not None else path.parent,
                      interviewee=str(meta.get("interviewee") or path.stem),
                      incident=str(meta.get("incident") or "the incident"), bank=bank,
                      methods=methods, llm=llm, path=path, clock=clock, _write=False)
        session.meta.update(meta)
        known = {q.id: q for q in bank.questions}
        for e in transcript.entries:
            question = known.get(e.question_id) or Question(
                id=e.question_id, method=e.question_id.split("-")[0], phase=e.phase or "",
                text=e.question, parent=e.question_id.split(".")[0])
            when = _dt.datetime.fromisoformat(e.asked_at) if e.asked_at else session.started
            session.entries.append(Entry(e.number, replace(question, text=e.question),
                                         e.answer, when, e.follow_up_of))
            if question.parent is None:
                session._numbers[question.id] = e.number
            session._probed.update(key for _, key in _values(e.answer))
        session._queue = deque(q for q in session._queue if q.id not in session._numbers)
        return session

    # -- where and how the transcript is written --------------------------------------

    def _claim_path(self) -> Path:
        first = transcript_path(self.project.interviews_dir, self.interviewee,
                                self.started.date())
        for n in range(1, 1000):
            path = first.with_name(first.stem + ("" if n == 1 else f"-{n}") + ".md")
            # Claim the name at once, so two sessions started together never share a file.
            if create_exclusive(path, self.transcript_text()):
                return path
        raise SourceError("too many transcripts with this name today",
                          path=first)

    def transcript_text(self) -> str:
        """The transcript as it stands: Markdown, one section per question and answer."""
        return render_transcript(self.meta, [e.to_transcript(self.bank) for e in self.entries])

    def save(self) -> Path:
        atomic_write(self.path, self.transcript_text())
        return self.path

    # -- asking -----------------------------------------------------------------------

    @property
    def current(self) -> Question | None:
        """The question to ask now, with ``{incident}`` filled in; None when done."""
        if not self._queue:
            return None
        if self._asked_at is None:
            self._asked_at = self.clock()
        question = self._queue[0]
        return replace(question, text=question.text.replace("{incident}", self.incident))

    @property
    def done(self) -> bool:
        return not self._queue

    @property
    def progress(self) -> tuple[int, int]:
        """(bank questions answered or skipped, bank questions in this interview)."""
        left = sum(1 for q in self._queue if q.parent is None)
        return self._total - left, self._total

    def skip(self) -> None:
        """Move on without an answer (a bank question's follow-ups are dropped too)."""
        if self._queue:
            self._queue.popleft()
            self._asked_at = None

    def answer(self, text: str) -> list[Question]:
        """Record the answer to :attr:`current`, save the transcript, and queue follow-ups
        and probes; returns the questions queued. An empty answer skips."""
        question = self.current
        if question is None:
            raise ValueError("the interview is over: every question was asked")
        if not text.strip():
            self.skip()
            return []
        # The transcript is stored under dna/ and mined later: secrets and personal data
        # are replaced before the answer is kept, probed or sent to a model.
        text = redact(text, **redaction_settings(self.project)).text
        asked_at = self._asked_at or self.clock()
        self._queue.popleft()
        self._asked_at = None
        parent = self._numbers.get(question.parent) if question.parent else None
        entry = Entry(len(self.entries) + 1, question, text.strip(), asked_at, parent)
        self.entries.append(entry)
        if question.parent is None:
            self._numbers[question.id] = entry.number
        self.save()
        queued = self._probes(question, text) + self._follow_ups(question, text)
        self._queue.extendleft(reversed(queued))
        return queued

    def _child(self, parent: Question, kind: str, method: str, phase: str,
               text: str) -> Question:
        root = parent.parent or parent.id
        key = (root, kind)
        self._counters[key] = self._counters.get(key, 0) + 1
        return Question(id=f"{root}.{kind}{self._counters[key]}", method=method,
                        phase=phase, text=text, parent=root)

    def _probes(self, question: Question, text: str) -> list[Question]:
        numbers: list[Question] = []
        absolutes: list[Question] = []
        number_probe = self.bank.probes.get("number")
        absolute_probe = self.bank.probes.get("always_never")
        if number_probe is not None:
            for raw, key in _values(text):
                if key in self._probed:
                    continue
                self._probed.add(key)
                numbers.append(self._child(question, "n", number_probe.method, number_probe.phase,
                                       number_probe.text.replace("{value}", raw)))
        if absolute_probe is not None:
            for sentence in find_always_never(text):
                key = "abs:" + " ".join(sentence.lower().split())
                if key in self._probed:
                    continue
                self._probed.add(key)
                phrase = sentence if len(sentence) <= 160 else sentence[:157] + "..."
                absolutes.append(self._child(question, "a", absolute_probe.method,
                                       absolute_probe.phase,
                                       absolute_probe.text.replace("{phrase}", phrase)))
        # An absolute rule is rarer and says more than a number: ask it first.
        out = absolutes + numbers
        return out if self.max_probes is None else out[: self.max_probes]

    def _follow_ups(self, question: Question, text: str) -> list[Question]:
        if question.parent is not None:  # follow-ups of follow-ups would never end
            return []
        texts: list[str] = list(question.follow_ups)
        kind = "f"
        if self.llm is not None:
            try:
                texts = self._model_follow_ups(question, text)
                kind = "m"
            except ModelError as exc:
                message = f"model follow-ups failed ({exc}); using the bank's"
                self.warnings.append(message)
                warnings.warn(message, stacklevel=3)
        return [self._child(question, kind, question.method, question.phase,
                            t.replace("{incident}", self.incident)) for t in texts]

    def _model_follow_ups(self, question: Question, text: str) -> list[str]:
        method = self.bank.methods.get(question.method, {}).get("name", question.method)
        user = (f"Incident: {self.incident}\nQuestion ({question.id}): {question.text}\n"
                f"What it is meant to draw out: {question.elicits}\nAnswer: {text}")
        reply = self.llm.complete_json(_FOLLOW_UP_SYSTEM.format(method=method), user,
                                       FOLLOW_UP_SCHEMA, purpose="interview-follow-up")
        questions = reply.get("questions") if isinstance(reply, dict) else None
        if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
            raise ModelError(f"follow-up reply is not {{'questions': [text]}}: {reply!r}")
        return [" ".join(q.split()) for q in questions if q.strip()][:3]

    # -- results ----------------------------------------------------------------------

    def candidates(self, *, llm: Any = None) -> list[Candidate]:
        """Candidate findings proposed from the answers so far (read from the transcript
        on disk, exactly as :func:`replay_transcript` does)."""
        return transcript_candidates(self.path, llm=llm)


def transcript_candidates(path: str | Path, *, llm: Any = None) -> list[Candidate]:
    """Candidate findings from an interview transcript file: the transcript is ingested as a
    document and mined like any other source, each candidate keeping its question id."""
    from dna_kit.extract import extract_findings
    from dna_kit.ingest import ingest

    out: list[Candidate] = []
    for document in ingest(Path(path)):
        out.extend(extract_findings(document, llm=llm))
    return out


def replay_transcript(path: str | Path, *, llm: Any = None) -> list[Candidate]:
    """Replay a saved interview headless: the same candidates the live session proposed.

    >>> [c.question for c in replay_transcript("dna/interviews/2026-11-20-ana.md")]
    ... # doctest: +SKIP
    ['cdm-basis', 'cdm-incident.n1']
    """
    path = Path(path)
    if not path.is_file():
        raise SourceError("no such transcript", path=path)
    return transcript_candidates(path, llm=llm)
