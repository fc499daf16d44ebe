"""The review panel: one candidate at a time, its quote highlighted in its source.

Every decision is :mod:`dna_kit.review`'s: the panel reads its widgets and calls
:func:`~dna_kit.review.accept_candidate` or :func:`~dna_kit.review.reject_candidate`, which
validate the edits, redact every text and write the ledger, the way ipywidgets'
``interactive(f)`` wraps ``f``. There is one input widget per field in
:data:`dna_kit.review.EDITABLE`, the fields ``dna set`` changes too. Tests drive the panel
without a browser: set a widget's value, ``.click()`` a button, read the ledger.

Candidates are shown in source order or, to review a long write-up in minutes, by
confidence (the ``order`` toggle); each is shown with the sentence before it and the
sentence after it in its document, around the highlighted quote.

>>> panel = ReviewPanel(project, candidates)       # doctest: +SKIP
>>> panel.layer.value = "how"; panel.accept_button.click()  # doctest: +SKIP
>>> panel.result.status                             # doctest: +SKIP
'accepted'
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dna_kit.errors import DnaKitError
from dna_kit.finding import KINDS, LAYERS, Finding
from dna_kit.notebook._panel import Panel
from dna_kit.project import Project
from dna_kit.review import (
    EDITABLE,
    accept_candidate,
    candidate_key,
    check_changes,
    params_text,
    parse_params_text,
    redacted,
    reject_candidate,
    save_candidates,
)

if TYPE_CHECKING:
    from dna_kit.extract import Candidate

__all__ = [
    "ORDERS",
    "QuoteContext",
    "ReviewPanel",
    "accept_candidate",
    "candidate_key",
    "highlight_html",
    "params_text",
    "parse_params_text",
    "quote_context",
    "reject_candidate",
    "save_candidates",
]


# -- showing a quote in its source -----------------------------------------------------------

@dataclass(frozen=True)
class QuoteContext:
    """A quote in its surroundings: the text before, the quote as it sits in the file, the
    text after, and the file line the shown text starts at; ``previous`` and ``next`` are
    the sentences just before and just after the quote in its document ("" at either end,
    or when the quote is not found)."""

    before: str
    quote: str
    after: str
    first_line: int
    found: bool
    previous: str = ""
    next: str = ""


def _read_source(path: str, roots: Sequence[Path]) -> str | None:
    for candidate in [Path(path), *(root / path for root in roots)]:
        try:
            return candidate.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    return None


def quote_context(candidate: Candidate, *, roots: Sequence[str | Path] = (),
                  around: int = 3) -> QuoteContext:
    """The lines around a candidate's quote in its source, with the quote located (across
    wrapped lines too). If the source cannot be read, the quote alone.

    >>> ctx = quote_context(candidate); ctx.quote in ctx.before + ctx.quote  # doctest: +SKIP
    True
    """
    text = _read_source(candidate.source.path, [Path(r) for r in roots])
    if text is None:
        return QuoteContext("", candidate.quote, "", candidate.source.line_start, False)
    lines = text.splitlines()
    first = max(1, candidate.source.line_start - around)
    last = min(len(lines), candidate.source.line_end + around)
    block = "\n".join(lines[first - 1:last])
    words = candidate.quote.split()
    match = None
    if words:
        # The quote is verbatim, but a hard-wrapped source breaks it where the file does.
        pattern = r"\s+".join(re.escape(w) for w in words)
        match = re.search(pattern, block)
    if match is None:
        return QuoteContext(block, "", "", first, False)
    # The same quote in the whole text, from the line the shown lines start at.
    at = 0
    for _ in range(first - 1):
        at = text.find("\n", at) + 1
    whole = re.compile(pattern).search(text, at) or re.compile(pattern).search(text)
    previous, following = (_neighbours(candidate.source.path, text, whole.start(), whole.end())
                           if whole else ("", ""))
    return QuoteContext(block[:match.start()], match.group(), block[match.end():], first, True,
                        previous, following)


def _neighbours(path: str, text: str, start: int, end: int) -> tuple[str, str]:
    """The sentences of the document just before ``start`` and just after ``end``."""
    spans = _sentences(path, text)
    before = [t for s, e, t in spans if e <= start]
    after = [t for s, e, t in spans if s >= end]
    return (before[-1] if before else "", after[0] if after else "")


@lru_cache(maxsize=8)
def _sentences(path: str, text: str) -> tuple[tuple[int, int, str], ...]:
    # The extractor's own segmenter: the neighbours are the units it scored. Sources are
    # segmented as the Markdown they usually are; other formats give lines instead.
    from dna_kit.document import Document
    from dna_kit.extract.segment import segment

    return tuple((s.start, s.end, s.text) for s in segment(Document(path, text)))


def highlight_html(ctx: QuoteContext) -> str:
    """The context as HTML: the sentence before, the quote marked, the sentence after (or,
    when the quote's sentences are not known, the lines around it); everything escaped
    (sources are untrusted)."""
    before, quote, after = (html.escape(x) for x in (ctx.before, ctx.quote, ctx.after))
    marked = f'<mark class="dna-quote">{quote}</mark>' if quote else ""
    if ctx.found and (ctx.previous or ctx.next):
        previous, following = html.escape(ctx.previous), html.escape(ctx.next)
        return ('<div class="dna-context" style="white-space: pre-wrap; margin: 0;">'
                f'<div class="dna-previous" style="color: #666">{previous}</div>'
                f"<div>{marked}</div>"
                f'<div class="dna-next" style="color: #666">{following}</div></div>')
    return ('<pre class="dna-context" style="white-space: pre-wrap; margin: 0;">'
            f"{before}{marked}{after}</pre>")


# -- the panel -------------------------------------------------------------------------------

#: How the panel can order its candidates: as the extractor found them in the source, or
#: most confident first (ties in source order).
ORDERS = ("source", "confidence")

_HELP = ("Keys: Tab moves between fields and buttons. In the command box type "
         "<b>a</b> accept, <b>r</b> <i>reason</i> reject, <b>s</b> skip, <b>b</b> back, "
         "then Enter.")


class ReviewPanel(Panel):
    """One candidate at a time: its quote highlighted in its source, the fields editable,
    and accept / reject (with a reason) / skip. An accepted candidate is in the ledger the
    moment the button is pressed.

    ``decisions`` maps each candidate's key to ``("accepted" | "rejected" | "skipped",
    finding or None)``; ``result`` is the last finding written.
    """

    def __init__(self, project: Project, candidates: Iterable[Candidate] = (), *,
                 roots: Sequence[str | Path] = ()) -> None:
        import ipywidgets as w

        self.project = project
        self.roots = [Path(r) for r in roots] or [project.root]
        self.candidates: list[Candidate] = []
        # Where each candidate came in: "source" order is this order.
        self._arrival: dict[tuple[str, str], int] = {}
        self.decisions: dict[tuple[str, str], tuple[str, Finding | None]] = {}
        self.index = 0
        self.result: Finding | None = None
        self.error: str | None = None

        self.header = w.HTML()
        self.order = w.ToggleButtons(
            options=[("source order", "source"), ("confidence", "confidence")],
            value="source", description="Order",
            tooltips=["as found in the source", "most confident first"])
        self.order.observe(lambda _: self._reorder(restart=True), names="value")
        self.context = w.HTML()
        self.title = w.Text(description="Title", layout=w.Layout(width="100%"))
        self.statement = w.Textarea(description="Statement", rows=2,
                                    layout=w.Layout(width="100%"))
        self.layer = w.Dropdown(options=list(LAYERS), description="Layer")
        self.kind = w.Dropdown(options=list(KINDS), description="Kind")
        self.params = w.Textarea(description="Params", rows=3, placeholder="cap = 5 s",
                                 layout=w.Layout(width="60%"))
        self.rationale = w.Textarea(description="Rationale", rows=2,
                                    placeholder="why the rule is what it is (optional)",
                                    layout=w.Layout(width="100%"))
        self.reason = w.Text(description="Reason", placeholder="why reject (required)",
                             layout=w.Layout(width="60%"))
        self.accept_button = w.Button(description="Accept", button_style="success",
                                      tooltip="Accept into the ledger (command: a)",
                                      icon="check")
        self.reject_button = w.Button(description="Reject", button_style="danger",
                                      tooltip="Reject with the reason given (command: r why)",
                                      icon="times")
        self.skip_button = w.Button(description="Skip", tooltip="Decide later (command: s)")
        self.back_button = w.Button(description="Back", tooltip="Previous candidate (b)")
        self.command = w.Text(description="Command", placeholder="a | r reason | s | b",
                              continuous_update=False)
        self.status = w.HTML()
        self.accept_button.on_click(lambda _: self.accept())
        self.reject_button.on_click(lambda _: self.reject())
        self.skip_button.on_click(lambda _: self.skip())
        self.back_button.on_click(lambda _: self.back())
        self.command.observe(self._on_command, names="value")
        self.widget = w.VBox([
            self.order, self.header, self.context,
            self.title, self.statement, w.HBox([self.layer, self.kind]), self.params,
            self.rationale, self.reason,
            w.HBox([self.accept_button, self.reject_button, self.skip_button,
                    self.back_button]),
            w.HBox([self.command, w.HTML(f"<small>{_HELP}</small>")]),
            self.status,
        ])
        self.widget.add_class("dna-review")
        for widget, name in ((self.accept_button, "accept"), (self.reject_button, "reject"),
                             (self.skip_button, "skip"), (self.reason, "reason"),
                             (self.command, "command"), (self.header, "header"),
                             (self.order, "order")):
            widget.add_class(f"dna-{name}")
        self.add(candidates)

    # -- what is shown ------------------------------------------------------------------

    @property
    def current(self) -> Candidate | None:
        return self.candidates[self.index] if self.index < len(self.candidates) else None

    @property
    def pending(self) -> list[Candidate]:
        """Candidates with no decision yet (skipped ones count as pending)."""
        return [c for c in self.candidates
                if self.decisions.get(candidate_key(c), ("skipped",))[0] == "skipped"]

    def add(self, candidates: Iterable[Candidate]) -> int:
        """Append candidates not already shown (by :func:`~dna_kit.review.candidate_key`);
        how many."""
        known = {candidate_key(c) for c in self.candidates}
        added = 0
        for candidate in candidates:
            if candidate_key(candidate) not in known:
                known.add(candidate_key(candidate))
                self.candidates.append(candidate)
                added += 1
        for candidate in self.candidates:
            self._arrival.setdefault(candidate_key(candidate), len(self._arrival))
        if added and self.current is None:
            self.index = len(self.candidates) - added
        self._reorder()
        return added

    def _reorder(self, *, restart: bool = False) -> None:
        """Put the candidates in the chosen order (:data:`ORDERS`) and stay on the one
        being read; with ``restart`` (the order was just changed), go to the first one not
        decided yet in the new order."""
        current = self.current
        arrival = self._arrival

        def source_order(c: Candidate) -> int:
            return arrival.get(candidate_key(c), len(arrival))

        if self.order.value == "confidence":
            self.candidates.sort(key=lambda c: (-c.confidence, source_order(c)))
        else:
            self.candidates.sort(key=source_order)
        pending = {candidate_key(c) for c in self.pending}
        if restart:
            self.index = next((i for i, c in enumerate(self.candidates)
                               if candidate_key(c) in pending), len(self.candidates))
        elif current is not None:
            key = candidate_key(current)
            self.index = next(i for i, c in enumerate(self.candidates)
                              if candidate_key(c) == key)
        self._show()

    def refresh(self, candidates: Iterable[Candidate]) -> int:
        """Show what the source proposes *now*: candidates already accepted or rejected stay,
        the undecided ones are replaced by ``candidates``. A longer transcript can change
        what the extractor proposes, so this keeps a live interview showing exactly what a
        headless replay of the same transcript gives. Returns how many are new."""
        fresh = list(candidates)
        fresh_keys = {candidate_key(c) for c in fresh}
        decided = [c for c in self.candidates
                   if self.decisions.get(candidate_key(c), ("skipped",))[0] != "skipped"]
        shown_before = {candidate_key(c) for c in self.candidates}
        current = self.current
        decided_keys = {candidate_key(d) for d in decided}
        self.candidates = decided + [c for c in fresh if candidate_key(c) not in decided_keys]
        for candidate in self.candidates:
            self._arrival.setdefault(candidate_key(candidate), len(self._arrival))
        keys = [candidate_key(c) for c in self.candidates]
        # Stay on the candidate being read if it is still proposed, else the first pending.
        if current is not None and candidate_key(current) in fresh_keys:
            self.index = keys.index(candidate_key(current))
        else:
            self.index = len(decided)
        if self.order.value == "confidence":
            self._reorder()
        else:
            self._show()
        return len(fresh_keys - shown_before)

    def _show(self) -> None:
        candidate = self.current
        decided = sum(1 for v in self.decisions.values() if v[0] != "skipped")
        if candidate is None:
            self.header.value = (f"<b>Review</b>: {decided} of {len(self.candidates)} "
                                 "candidate(s) decided; nothing left to review.")
            self.context.value = ""
            for widget in (self.accept_button, self.reject_button, self.skip_button):
                widget.disabled = True
            return
        for widget in (self.accept_button, self.reject_button, self.skip_button):
            widget.disabled = False
        src = candidate.source
        where = f"{Path(src.path).name}:{src.line_start}" + (
            f"-{src.line_end}" if src.line_end != src.line_start else "")
        if candidate.question:
            where += f" · question {candidate.question}"
        state = self.decisions.get(candidate_key(candidate))
        self.header.value = (
            f"<b>Candidate {self.index + 1} of {len(self.candidates)}</b> · {html.escape(where)}"
            f" · confidence {candidate.confidence:.2f}"
            + (f" · <i>{state[0]}</i>" if state else ""))
        self.context.value = highlight_html(quote_context(candidate, roots=self.roots))
        # The fields show what would be stored: secrets already replaced by placeholders.
        shown = redacted([candidate], self.project)[0]
        self.title.value = shown.title
        self.statement.value = shown.statement
        self.layer.value = shown.layer
        self.kind.value = shown.kind
        self.params.value = params_text(shown.params)
        self.rationale.value = shown.rationale or ""
        self.reason.value = ""

    # -- actions (what the buttons and the command box call) ----------------------------

    def edits(self) -> dict[str, Any]:
        """The reviewer's value of every :data:`~dna_kit.review.EDITABLE` field, checked
        (bad params raise naming the value)."""
        return check_changes({
            "title": self.title.value.strip(), "statement": self.statement.value.strip(),
            "layer": self.layer.value, "kind": self.kind.value,
            "params": parse_params_text(self.params.value),
            "rationale": self.rationale.value.strip() or None}, EDITABLE)

    def _act(self, status: str, reason: str | None = None) -> Finding | None:
        candidate = self.current
        if candidate is None:
            return None
        try:
            if status == "accepted":
                finding = accept_candidate(self.project, candidate, edits=self.edits())
            else:
                finding = reject_candidate(self.project, candidate, reason or "",
                                           edits=self.edits())
        except DnaKitError as exc:
            self.error = str(exc)
            self.status.value = f'<span style="color:#b00">{html.escape(str(exc))}</span>'
            return None
        self.error = None
        self.result = finding
        self.decisions[candidate_key(candidate)] = (status, finding)
        self.status.value = (f"{finding.id} <b>{status}</b>: {html.escape(finding.title)} "
                             f"({html.escape(str(self.project.findings_dir.name))}/"
                             f"{html.escape(finding.filename)})")
        self._advance()
        return finding

    def accept(self) -> Finding | None:
        return self._act("accepted")

    def reject(self, reason: str | None = None) -> Finding | None:
        return self._act("rejected", reason if reason is not None else self.reason.value)

    def skip(self) -> None:
        candidate = self.current
        if candidate is not None:
            self.decisions.setdefault(candidate_key(candidate), ("skipped", None))
            self._advance()

    def back(self) -> None:
        if self.index > 0:
            self.index -= 1
            self._show()

    def _advance(self) -> None:
        self.index = min(self.index + 1, len(self.candidates))
        self._show()

    def _on_command(self, change: dict[str, Any]) -> None:
        text = str(change["new"]).strip()
        if not text:
            return
        verb, _, rest = text.partition(" ")
        verb = verb.lower()
        if verb in ("a", "accept"):
            self.accept()
        elif verb in ("r", "reject"):
            self.reject(rest or self.reason.value)
        elif verb in ("s", "skip"):
            self.skip()
        elif verb in ("b", "back"):
            self.back()
        else:
            self.status.value = f"unknown command {html.escape(text)!r}: a, r reason, s, b"
        self.command.value = ""
