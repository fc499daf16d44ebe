"""The interview question bank: ``templates/interview/questions.yaml`` read and checked.

Questions follow the Critical Decision Method (Klein, Calderwood and MacGregor, 1989) and
the ACTA knowledge audit (Militello and Hutton, 1998); see the bank's own header.

>>> load_question_bank().questions[0].id
'cdm-incident'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dna_kit._resources import templates_dir
from dna_kit.errors import SourceError
from dna_kit.fileio import read_text_strict

__all__ = ["Question", "QuestionBank", "load_question_bank"]

_METHODS = ("cdm", "acta", "systems")
_QUESTION_KEYS = {"id", "method", "phase", "question", "follow_ups", "elicits"}
_ID_RE = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Question:
    """One question: from the bank, or a follow-up or probe (``parent`` is then the bank
    question it follows)."""

    id: str
    method: str
    phase: str
    text: str
    follow_ups: tuple[str, ...] = ()
    elicits: str = ""
    parent: str | None = None


@dataclass(frozen=True)
class QuestionBank:
    """The questions, in the order they are asked, with their methods' citations."""

    path: Path
    version: int
    methods: dict[str, dict[str, str]]
    phases: dict[str, str]
    questions: tuple[Question, ...]
    probes: dict[str, Question] = field(default_factory=dict)

    def get(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(f"no question id={question_id!r} in {self.path}")

    def select(self, methods: Iterable[str] | None = None,
               ids: Iterable[str] | None = None) -> list[Question]:
        """The questions of ``methods`` (all by default), or exactly ``ids`` in bank order."""
        if ids is not None:
            wanted = list(ids)
            for question_id in wanted:
                self.get(question_id)
            return [q for q in self.questions if q.id in wanted]
        chosen = set(methods) if methods is not None else set(_METHODS)
        unknown = chosen - set(self.methods)
        if unknown:
            raise ValueError(f"methods={sorted(unknown)!r} not in the bank; known: "
                             f"{', '.join(self.methods)}")
        return [q for q in self.questions if q.method in chosen]


def _question_lines(text: str) -> dict[tuple[str, int], int]:
    """File line of each question (``("questions", i)``) and probe, for error messages."""
    lines: dict[tuple[str, int], int] = {}
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return lines
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if key.value == "questions" and isinstance(value, yaml.SequenceNode):
            for i, item in enumerate(value.value):
                lines[("questions", i)] = item.start_mark.line + 1
    return lines


def _parse_question(data: Any, *, path: Path, line: int | None, where: str,
                    methods: Sequence[str]) -> Question:
    def fail(field_name: str, message: str) -> SourceError:
        return SourceError(message, path=path, line=line, field=f"{where}.{field_name}")

    if not isinstance(data, dict):
        raise SourceError(f"must be a mapping, got {data!r}", path=path, line=line,
                          field=where)
    unknown = set(data) - _QUESTION_KEYS
    if unknown:
        raise fail(sorted(unknown)[0], f"unknown key(s) {sorted(unknown)!r}; known: "
                   f"{', '.join(sorted(_QUESTION_KEYS))}")
    for key in ("id", "method", "phase", "question"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise fail(key, f"{key}={data.get(key)!r} is required text")
    if not _ID_RE.match(data["id"]):
        raise fail("id", f"id={data['id']!r} must be lower-case words joined by '-'")
    if data["method"] not in methods:
        raise fail("method", f"method={data['method']!r} is not one of {', '.join(methods)}")
    follow_ups = data.get("follow_ups") or []
    if not isinstance(follow_ups, list) or not all(isinstance(f, str) for f in follow_ups):
        raise fail("follow_ups", f"follow_ups={follow_ups!r} must be a list of questions")
    elicits = data.get("elicits") or ""
    if not isinstance(elicits, str):
        raise fail("elicits", f"elicits={elicits!r} must be text")
    return Question(id=data["id"], method=data["method"], phase=data["phase"],
                    text=" ".join(data["question"].split()),
                    follow_ups=tuple(" ".join(f.split()) for f in follow_ups),
                    elicits=" ".join(elicits.split()))


def load_question_bank(path: str | Path | None = None) -> QuestionBank:
    """Read and check a question bank; the bundled one by default.

    Bad input raises :class:`~dna_kit.errors.SourceError` naming the file, the line of the
    question and the field.

    >>> bank = load_question_bank()
    >>> bank.questions[0].method
    'cdm'
    """
    path = Path(path) if path is not None else templates_dir() / "interview" / "questions.yaml"
    try:
        text = read_text_strict(path)
    except OSError as exc:
        raise SourceError(f"cannot read the question bank: {exc.strerror}", path=path) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SourceError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
                          line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise SourceError("a question bank is a mapping with a 'questions' list", path=path,
                          line=1, field="questions")
    methods = data.get("methods") or {}
    if not isinstance(methods, dict) or not methods:
        raise SourceError("'methods' must map each method to its name and citation",
                          path=path, field="methods")
    lines = _question_lines(text)
    questions: list[Question] = []
    seen: set[str] = set()
    for i, item in enumerate(data["questions"]):
        question = _parse_question(item, path=path, line=lines.get(("questions", i)),
                                   where=f"questions[{i}]", methods=list(methods))
        if question.id in seen:
            raise SourceError(f"duplicate id={question.id!r}", path=path,
                              line=lines.get(("questions", i)), field=f"questions[{i}].id")
        seen.add(question.id)
        questions.append(question)
    probes = {}
    for name, item in (data.get("probes") or {}).items():
        probes[name] = _parse_question(item, path=path, line=None, where=f"probes.{name}",
                                       methods=list(methods))
    phases = {p["id"]: p["name"] for p in data.get("phases") or [] if isinstance(p, dict)}
    return QuestionBank(path=path, version=int(data.get("version", 1)),
                        methods={k: dict(v) for k, v in methods.items()},
                        phases=phases, questions=tuple(questions), probes=probes)
