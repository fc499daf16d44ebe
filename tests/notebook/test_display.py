"""The tables the notebooks show: counts that must add up, events in time order."""

from __future__ import annotations

import pytest

from dna_kit.document import Document, TimelineEvent
from dna_kit.extract import Candidate, CandidateSource
from dna_kit.ledger import add_finding, load_ledger
from dna_kit.notebook.display import (
    candidates_frame,
    project_summary,
    score_change,
    tally,
    timeline_frame,
)
from dna_kit.notebook.review_panel import ReviewPanel


def _add(project, layer: str, kind: str, status: str, **extra) -> None:  # type: ignore[no-untyped-def]
    add_finding(project, {"title": f"{layer} {kind} {status}", "statement": "s",
                          "layer": layer, "kind": kind, "status": status, **extra})


def test_tally_counts_by_layer_and_status(project) -> None:
    _add(project, "how", "timeout", "accepted")
    _add(project, "how", "timeout", "codified")
    _add(project, "why", "decision", "accepted")
    _add(project, "what", "invariant", "rejected", rejected_reason="dup")
    table = tally(load_ledger(project))
    assert table.loc["how", "accepted"] == 1 and table.loc["how", "codified"] == 1
    assert table.loc["why", "accepted"] == 1 and table.loc["what", "rejected"] == 1
    assert table.loc["total", "total"] == 4
    assert table.loc["what", "candidate"] == 0  # every status is a column, even when empty


def test_project_summary_counts_files(project) -> None:
    _add(project, "how", "timeout", "accepted")
    summary = project_summary(project).set_index("folder")
    assert summary.loc["dna/findings", "files"] == 1
    assert summary.loc["dna/interviews", "files"] == 0
    assert summary.loc["dna/config.yaml", "files"] == 1


def test_timeline_sorts_across_sources_and_keeps_unparsed_times_last() -> None:
    chat = Document(path="chat.json", text="", kind="chat", events=[
        TimelineEvent("2026-03-14T16:20:00Z", "ana", "paged", 3)])
    log = Document(path="log.jsonl", text="", kind="timeline", events=[
        TimelineEvent("2026-03-14T16:05:00Z", "svc", "deploy", 1),
        TimelineEvent("shortly after", None, "retries", 2)])
    frame = timeline_frame([chat, log])
    assert list(frame["text"]) == ["deploy", "paged", "retries"]
    assert list(frame["source"]) == ["log.jsonl", "chat.json", "log.jsonl"]


def test_candidates_frame_and_a_missing_source(project) -> None:
    candidate = Candidate(quote="Cap at 5 s.", title="Cap", statement="Cap at 5 s.",
                          layer="how", kind="retry_policy", params={"cap": "5 s"},
                          confidence=0.8, source=CandidateSource("gone.md", 4, 4))
    frame = candidates_frame([candidate])
    assert frame.loc[0, "source"] == "gone.md:4" and frame.loc[0, "params"] == "cap=5 s"
    # A source that is no longer there still shows the quote, marked.
    panel = ReviewPanel(project, [candidate])
    assert '<mark class="dna-quote">Cap at 5 s.</mark>' in panel.context.value


def _card(statuses: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    from dna_kit.regen import FindingResult, Scorecard

    results = [FindingResult(id=f"F-{i:04d}", title="t", layer=layer, kind="threshold",
                             status=status)
               for i, (layer, status) in enumerate(
                   ((layer, st) for layer, sts in statuses.items() for st in sts), 1)]
    return Scorecard(findings=results, proved=True)


def test_score_change_is_after_minus_before() -> None:
    before = _card({"how": ["proven", "verified", "tacit", "failing"],
                    "why": ["documented", "tacit"]})
    after = _card({"how": ["proven", "proven", "proven", "verified", "tacit"],
                   "why": ["documented", "verified", "tacit"]})
    frame = score_change(before, after)
    # Scorecards round shares to four places.
    assert frame.loc["how", "proven change"] == pytest.approx(3 / 5 - 1 / 4, abs=1e-3)
    assert frame.loc["overall", "proven change"] == pytest.approx(3 / 8 - 1 / 6, abs=1e-3)
    assert frame.loc["why", "verified after"] == pytest.approx(1 / 3, abs=1e-3)
    assert frame.loc["what", "proven before"] == 0.0  # no findings: shown as 0, not NaN
    assert frame.loc["overall", "accepted after"] == 8
