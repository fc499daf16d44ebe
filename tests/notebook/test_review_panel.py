"""The review panel, driven the way a person would, without a browser: set values, click,
then read the ledger and the files."""

from __future__ import annotations

from pathlib import Path

import pytest

from dna_kit.extract import Candidate, CandidateSource
from dna_kit.ledger import load_ledger
from dna_kit.notebook.review_panel import (
    ReviewPanel,
    parse_params_text,
    quote_context,
    save_candidates,
)

POSTMORTEM = """\
# Carrier retry storm

## Root cause

Our client retried the carrier API with a
backoff capped at 60 s, so retries kept
arriving through the whole outage.

## Action items

- Cap the carrier retry backoff at 5 s.
- Never retry a 4xx from the carrier.
"""


@pytest.fixture
def source(project) -> Path:  # type: ignore[no-untyped-def]
    path = project.root / "incidents" / "retry-storm.md"
    path.parent.mkdir()
    path.write_text(POSTMORTEM, encoding="utf-8")
    return path


def _candidates(source: Path) -> list[Candidate]:
    return [
        Candidate(quote="retried the carrier API with a backoff capped at 60 s",
                  title="Backoff capped at 60 s", statement="Carrier backoff is capped at 60 s.",
                  layer="how", kind="retry_policy", params={"cap": "60 s"}, confidence=0.7,
                  source=CandidateSource(str(source), 5, 6)),
        Candidate(quote="Cap the carrier retry backoff at 5 s.", title="Cap backoff at 5 s",
                  statement="Cap the carrier retry backoff at 5 s.", layer="how",
                  kind="action_item", params={"cap": "5 s"}, confidence=0.8,
                  source=CandidateSource(str(source), 11, 11)),
        Candidate(quote="Never retry a 4xx from the carrier.", title="No 4xx retries",
                  statement="Never retry a 4xx from the carrier.", layer="how",
                  kind="retry_policy", confidence=0.6,
                  source=CandidateSource(str(source), 12, 12)),
    ]


def test_quote_is_highlighted_across_wrapped_lines(source: Path) -> None:
    ctx = quote_context(_candidates(source)[0])
    assert ctx.found
    assert ctx.quote == "retried the carrier API with a\nbackoff capped at 60 s"
    assert "## Root cause" in ctx.before and "so retries kept" in ctx.after
    assert ctx.first_line == 2


def test_accept_with_edits_writes_the_ledger_at_once(project, source: Path) -> None:
    panel = ReviewPanel(project, _candidates(source))
    assert "<mark" in panel.context.value and "backoff capped at 60 s</mark>" in \
        panel.context.value
    assert panel.title.value == "Backoff capped at 60 s"
    panel.layer.value = "why"
    panel.kind.value = "decision"
    panel.title.value = "Old 60 s backoff cap"
    panel.params.value = "cap = 60 s\nmax_attempts = 4"
    panel.accept_button.click()
    findings = load_ledger(project).findings
    assert len(findings) == 1
    finding = findings[0]
    assert (finding.status, finding.layer, finding.kind, finding.title) == (
        "accepted", "why", "decision", "Old 60 s backoff cap")
    assert str(finding.params["cap"]) == "60 s" and finding.params["max_attempts"].value == 4
    assert finding.provenance[0].source == "incidents/retry-storm.md"  # relative to the repo
    assert finding.provenance[0].quote.startswith("retried the carrier API")
    assert panel.result == finding
    assert panel.current is not None and panel.current.title == "Cap backoff at 5 s"


def test_reject_needs_a_reason_and_bad_params_write_nothing(project, source: Path) -> None:
    panel = ReviewPanel(project, _candidates(source))
    panel.reject_button.click()
    assert "needs a reason" in panel.status.value and panel.error
    assert len(load_ledger(project)) == 0
    panel.params.value = "cap = 5 parsecs"
    panel.accept_button.click()
    assert "parsecs" in panel.status.value
    assert len(load_ledger(project)) == 0
    assert panel.index == 0  # still on the same candidate
    panel.params.value = "cap = 60 s"
    panel.reason.value = "describes the old behaviour, not a rule"
    panel.reject_button.click()
    (finding,) = load_ledger(project).findings
    assert finding.status == "rejected"
    assert finding.rejected_reason == "describes the old behaviour, not a rule"


def test_keyboard_commands_accept_reject_skip_back(project, source: Path) -> None:
    panel = ReviewPanel(project, _candidates(source))
    panel.command.value = "s"
    assert panel.index == 1 and panel.command.value == ""
    panel.command.value = "a"
    panel.command.value = "r a team convention, recorded elsewhere"
    assert panel.current is None and "nothing left" in panel.header.value
    panel.command.value = "b"
    assert panel.index == 2
    statuses = {f.title: (f.status, f.rejected_reason) for f in load_ledger(project)}
    assert statuses == {"Cap backoff at 5 s": ("accepted", None),
                        "No 4xx retries": ("rejected", "a team convention, recorded elsewhere")}
    assert [c.title for c in panel.pending] == ["Backoff capped at 60 s"]
    panel.command.value = "zzz"
    assert "unknown command" in panel.status.value


def test_a_saved_candidate_is_updated_not_duplicated(project, source: Path) -> None:
    candidates = _candidates(source)
    saved, skipped = save_candidates(project, candidates)
    assert [f.status for f in saved] == ["candidate"] * 3 and skipped == 0
    assert save_candidates(project, candidates) == ([], 3)  # already there
    panel = ReviewPanel(project, candidates)
    panel.accept_button.click()
    ledger = load_ledger(project)
    assert len(ledger) == 3
    assert ledger[saved[0].id].status == "accepted"


def test_adding_candidates_again_shows_only_new_ones(project, source: Path) -> None:
    candidates = _candidates(source)
    panel = ReviewPanel(project, candidates[:1])
    assert panel.add(candidates) == 2
    assert panel.add(candidates) == 0
    assert len(panel.candidates) == 3


def test_refreshing_keeps_decisions_and_replaces_what_is_no_longer_proposed(
        project, source: Path) -> None:
    first, second, third = _candidates(source)
    panel = ReviewPanel(project, [first, second])
    panel.accept()  # first is decided; second is pending
    assert panel.refresh([third]) == 1
    assert [c.quote for c in panel.candidates] == [first.quote, third.quote]
    assert panel.current is not None and panel.current.quote == third.quote
    assert len(load_ledger(project).findings) == 1


def test_untrusted_source_text_is_escaped(project, tmp_path: Path) -> None:
    path = project.root / "evil.md"
    path.write_text("<script>alert(1)</script>\nRetry at most 3 times.\n", encoding="utf-8")
    candidate = Candidate(quote="Retry at most 3 times.", title="t", statement="s",
                          layer="how", kind="retry_policy",
                          source=CandidateSource(str(path), 2, 2))
    panel = ReviewPanel(project, [candidate])
    assert "<script>" not in panel.context.value
    assert "&lt;script&gt;" in panel.context.value


def test_params_text_names_the_bad_line() -> None:
    assert parse_params_text("cap = 5 s; factor: 2") == {"cap": "5 s", "factor": "2"}
    with pytest.raises(ValueError, match="'five' is not 'name = value'"):
        parse_params_text("five")


LONG = """\
# Nightly export outage

## What happened

The export started late on Tuesday. The worker pool ran out of connections
within minutes. Nobody was paged until the morning.

## What we changed

- The pool is capped at 40 connections per worker.
- Exports must finish within 2 hours or be cancelled.
- We bought the on-call engineer a coffee.
"""


def _long_candidates(path: Path) -> list[Candidate]:
    def make(quote: str, line: int, confidence: float) -> Candidate:
        return Candidate(quote=quote, title=quote[:30], statement=quote, layer="how",
                         kind="capacity", source=CandidateSource(str(path), line, line),
                         confidence=confidence)

    return [make("The worker pool ran out of connections\nwithin minutes.", 5, 0.3),
            make("The pool is capped at 40 connections per worker.", 10, 0.9),
            make("Exports must finish within 2 hours or be cancelled.", 11, 0.6)]


@pytest.fixture
def long_source(project) -> Path:  # type: ignore[no-untyped-def]
    path = project.root / "incidents" / "export.md"
    path.parent.mkdir()
    path.write_text(LONG, encoding="utf-8")
    return path


def test_candidates_can_be_ordered_by_confidence_and_back(project, long_source: Path) -> None:
    panel = ReviewPanel(project, _long_candidates(long_source))
    assert panel.order.options == (("source order", "source"), ("confidence", "confidence"))
    assert [c.confidence for c in panel.candidates] == [0.3, 0.9, 0.6]
    panel.order.value = "confidence"
    assert [c.confidence for c in panel.candidates] == [0.9, 0.6, 0.3]
    assert panel.current is not None and panel.current.confidence == 0.9
    assert "Candidate 1 of 3" in panel.header.value and "confidence 0.90" in panel.header.value
    panel.accept()  # the most confident first, then the next one
    assert panel.current is not None and panel.current.confidence == 0.6
    panel.order.value = "source"  # back to source order: the first one not decided yet
    assert [c.confidence for c in panel.candidates] == [0.3, 0.9, 0.6]
    assert panel.current is not None and panel.current.confidence == 0.3
    panel.skip()  # the next in source order is the one accepted already, shown as such
    assert panel.current is not None and panel.current.confidence == 0.9
    assert "<i>accepted</i>" in panel.header.value
    assert panel.decisions[next(iter(panel.decisions))][0] == "accepted"


def test_each_candidate_shows_the_sentence_before_and_after(project, long_source: Path
                                                            ) -> None:
    ctx = quote_context(_long_candidates(long_source)[0])
    assert ctx.found
    assert ctx.previous == "The export started late on Tuesday."
    assert ctx.next == "Nobody was paged until the morning."
    panel = ReviewPanel(project, _long_candidates(long_source))
    html_text = panel.context.value
    before, marked, after = (html_text.index("The export started late"),
                             html_text.index('<mark class="dna-quote">The worker pool'),
                             html_text.index("Nobody was paged"))
    assert before < marked < after
    panel.skip()  # a list item: its neighbours are the items around it
    ctx = quote_context(panel.current)  # type: ignore[arg-type]
    assert ctx.previous == "Nobody was paged until the morning."
    assert ctx.next == "Exports must finish within 2 hours or be cancelled."
    assert 'class="dna-previous"' in panel.context.value


def test_the_first_sentence_has_no_sentence_before(project, tmp_path: Path) -> None:
    path = tmp_path / "one.md"
    path.write_text("Retries are capped at 3. Nothing else changed.\n", encoding="utf-8")
    candidate = Candidate(quote="Retries are capped at 3.", title="t", statement="s",
                          layer="how", kind="retry_policy",
                          source=CandidateSource(str(path), 1, 1))
    ctx = quote_context(candidate)
    assert (ctx.previous, ctx.next) == ("", "Nothing else changed.")
