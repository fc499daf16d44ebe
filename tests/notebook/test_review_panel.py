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
