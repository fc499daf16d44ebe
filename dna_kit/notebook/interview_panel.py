"""The interview panel: a question, an answer box, next; follow-ups and probes queue up.

Everything it does is :class:`dna_kit.interview.InterviewSession`'s: the panel reads the
answer box, calls ``session.answer(text)`` (which saves the transcript), and shows the next
question. With ``review=True`` a :class:`~dna_kit.notebook.review_panel.ReviewPanel` below it
gets the candidates proposed from the transcript after every answer.

>>> panel = InterviewPanel(session)                            # doctest: +SKIP
>>> panel.answer_box.value = "We cap retries at 5 s."; panel.next_button.click()  # doctest: +SKIP
"""

from __future__ import annotations

import html
from typing import Any

from dna_kit.errors import DnaKitError
from dna_kit.interview import InterviewSession
from dna_kit.notebook._panel import Panel
from dna_kit.notebook.review_panel import ReviewPanel

__all__ = ["InterviewPanel"]


class InterviewPanel(Panel):
    """Ask, answer, next. ``result`` is the list of questions the last answer queued."""

    def __init__(self, session: InterviewSession, *, review: bool = True,
                 candidate_llm: Any = None) -> None:
        import ipywidgets as w

        self.session = session
        self.candidate_llm = candidate_llm
        self.result: list[Any] = []
        self.error: str | None = None
        self.header = w.HTML()
        self.question = w.HTML()
        self.elicits = w.HTML()
        self.answer_box = w.Textarea(placeholder="Type the engineer's answer, in their words",
                                     rows=6, layout=w.Layout(width="100%"))
        self.next_button = w.Button(description="Save answer, next", button_style="primary",
                                    tooltip="Save the answer to the transcript and ask the "
                                            "next question", icon="arrow-right",
                                    layout=w.Layout(width="auto"))
        self.skip_button = w.Button(description="Skip", tooltip="Next question, no answer")
        self.status = w.HTML()
        self.queued = w.HTML()
        self.review = ReviewPanel(session.project, roots=[session.project.root]) \
            if review else None
        self.next_button.on_click(lambda _: self.submit())
        self.skip_button.on_click(lambda _: self.skip())
        children = [self.header, self.question, self.elicits, self.answer_box,
                    w.HBox([self.next_button, self.skip_button]), self.status, self.queued]
        if self.review is not None:
            children += [w.HTML("<h4>Candidate findings from the answers</h4>"),
                         self.review.widget]
        self.widget = w.VBox(children)
        # Stable class names: a facilitator's CSS and the browser test find widgets by them.
        self.widget.add_class("dna-interview")
        self.answer_box.add_class("dna-answer")
        self.next_button.add_class("dna-interview-next")
        self.skip_button.add_class("dna-interview-skip")
        self._show()

    def _show(self) -> None:
        question = self.session.current
        done, total = self.session.progress
        if question is None:
            self.header.value = f"<b>Interview complete</b>: {done} of {total} questions."
            self.question.value = ""
            self.elicits.value = ""
            self.next_button.disabled = self.skip_button.disabled = True
            self.answer_box.disabled = True
            return
        bank = self.session.bank
        method = bank.methods.get(question.method, {})
        phase = bank.phases.get(question.phase, question.phase)
        kind = "follow-up" if question.parent else f"question {done + 1} of {total}"
        self.header.value = (
            f"<b>{html.escape(kind.capitalize())}</b> · {html.escape(method.get('name', ''))}"
            f" · {html.escape(phase)} · <code>{html.escape(question.id)}</code>")
        self.question.value = (f'<div class="dna-question" style="font-size: 1.2em; '
                               f'margin: 0.5em 0;">{html.escape(question.text)}</div>')
        self.elicits.value = (f"<small>Draws out: {html.escape(question.elicits)}</small>"
                              if question.elicits else "")

    def submit(self) -> list[Any]:
        """Save the answer in the box and move on (what the Next button does)."""
        text = self.answer_box.value
        try:
            self.result = self.session.answer(text)
        except (DnaKitError, ValueError) as exc:
            self.error = str(exc)
            self.status.value = f'<span style="color:#b00">{html.escape(str(exc))}</span>'
            return []
        self.error = None
        self.answer_box.value = ""
        saved = self.session.path
        self.status.value = (f"Saved to <code>{html.escape(str(saved))}</code> "
                             f"({len(self.session.entries)} answer(s)).")
        self.queued.value = "".join(
            f"<div><small>queued: {html.escape(q.text)}</small></div>" for q in self.result)
        if self.review is not None and text.strip():
            try:
                self.review.refresh(self.session.candidates(llm=self.candidate_llm))
            except DnaKitError as exc:
                self.status.value += f" Extraction failed: {html.escape(str(exc))}"
        self._show()
        return self.result

    def skip(self) -> None:
        self.session.skip()
        self.answer_box.value = ""
        self._show()
