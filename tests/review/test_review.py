"""The review stage: candidate identity, redaction on every path into the ledger, the one
list of editable fields both shells use, and applying a committed review file."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from dna_kit.cli import main
from dna_kit.extract import Candidate, CandidateSource
from dna_kit.ledger import find_entry, load_ledger, locked
from dna_kit.notebook.review_panel import ReviewPanel
from dna_kit.project import Project
from dna_kit.redact import placeholder
from dna_kit.review import (
    EDITABLE,
    LEDGER_FIELDS,
    ReviewError,
    accept_candidate,
    apply_review,
    candidate_key,
    edit_finding,
    reject_candidate,
    save_candidates,
)
from tests.fakes.secrets import seeded_secrets

SECRETS = seeded_secrets()
ONE_LINE = [s for s in SECRETS if "\n" not in s.line]

POSTMORTEM = """\
# Carrier retry storm

## What happened

Our client retried the carrier API with a
backoff capped at 60 s, so retries kept
arriving through the whole outage.

## Action items

- Cap the carrier retry backoff at 5 s.
- Never retry a 4xx from the carrier.
- Page the on-call after 3 failed label batches.
"""


def _candidate(quote: str, source: str | Path, line: int = 1, **fields: object) -> Candidate:
    data: dict[str, object] = {"title": quote[:40], "statement": quote, "layer": "how",
                               "kind": "retry_policy"}
    data.update(fields)
    return Candidate(quote=quote, source=CandidateSource(str(source), line, line),
                     **data)  # type: ignore[arg-type]


def everything_under(root: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace")
                     for p in sorted(root.rglob("*")) if p.is_file())


@pytest.fixture
def source(project: Project) -> Path:
    path = project.root / "incidents" / "retry-storm.md"
    path.parent.mkdir()
    path.write_text(POSTMORTEM, encoding="utf-8")
    return path


# -- identity ------------------------------------------------------------------------------

def test_identity_is_the_file_name_and_the_quote_whitespace_and_case_aside() -> None:
    a = _candidate("Cap the carrier retry backoff at 5 s.", "/abs/incidents/pm.md", 11)
    same = _candidate("cap the  carrier retry\nbackoff AT 5 s.", "incidents/pm.md", 14,
                      title="another title")
    other_file = _candidate(a.quote, "/abs/incidents/other.md", 11)
    other_quote = _candidate("Cap the carrier retry backoff at 6 s.", "incidents/pm.md", 11)
    assert candidate_key(a) == candidate_key(same) == ("pm.md",
                                                        "cap the carrier retry backoff at 5 s.")
    assert candidate_key(other_file) != candidate_key(a)
    assert candidate_key(other_quote) != candidate_key(a)


def test_saving_twice_adds_nothing_and_a_rejected_candidate_is_not_saved_again(
        project, source: Path) -> None:
    cap = _candidate("Cap the carrier retry backoff at 5 s.", source, 11)
    no4xx = _candidate("Never retry a 4xx from the carrier.", source, 12)
    rejected = reject_candidate(project, no4xx, "already enforced by the client library")
    added, skipped = save_candidates(project, [cap, no4xx])
    assert [f.status for f in added] == ["candidate"] and skipped == 1
    moved = _candidate("Cap the carrier  retry backoff at 5 s.", source.resolve(), 30)
    assert save_candidates(project, [moved, cap]) == ([], 2)
    ledger = load_ledger(project)
    assert len(ledger) == 2 and ledger[rejected.id].status == "rejected"
    # Accepting a saved candidate updates its finding rather than adding a second one.
    accepted = accept_candidate(project, moved, edits={"layer": "why", "kind": "decision"})
    assert accepted.id == added[0].id and accepted.layer == "why"
    assert len(load_ledger(project)) == 2
    assert accepted.provenance[0].source == "incidents/retry-storm.md"


def test_the_lock_is_held_across_the_check_and_the_write(project, source: Path) -> None:
    """save_candidates holds the ledger lock and adds inside it: the lock must be
    re-entrant, or this thread waits for itself forever."""
    done: list[object] = []

    def work() -> None:
        with locked(project):
            done.append(save_candidates(project, [_candidate("Never retry a 4xx.", source)]))

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(timeout=20)
    assert done, "saving under the ledger lock did not finish"
    assert len(load_ledger(project)) == 1


# -- one list of editable fields -----------------------------------------------------------

def test_the_panel_and_dna_set_edit_the_same_fields_with_the_same_checks(
        project, source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    panel = ReviewPanel(project, [_candidate("Cap the carrier retry backoff at 5 s.", source,
                                             11, params={"cap": "5 s"})])
    assert tuple(panel.edits()) == EDITABLE
    root = str(project.root)

    # The same bad value is refused by both, with the same words, and writes nothing.
    panel.params.value = "cap = 5 parsecs"
    panel.accept_button.click()
    assert panel.error is not None and len(load_ledger(project)) == 0
    panel_says = panel.error
    assert "params.cap: unknown unit 'parsecs'" in panel_says
    panel.params.value = "cap = 5 s"
    panel.rationale.value = "the carrier's gateway drops work after 10 s"
    panel.accept_button.click()
    (finding,) = load_ledger(project)
    assert finding.rationale == "the carrier's gateway drops work after 10 s"
    capsys.readouterr()
    assert main(["-C", root, "set", finding.id, "params.cap=5 parsecs"]) == 1
    assert panel_says in capsys.readouterr().err

    # Every editable field can be set from the command line, and nothing else.
    values = {"title": "Backoff cap", "statement": "Backoff is capped at 6 s.", "layer": "why",
              "kind": "decision", "params": "params.cap=6 s", "rationale": "gateway cut-off"}
    assert set(values) == set(EDITABLE)
    for name in EDITABLE:
        arg = values[name] if name == "params" else f"{name}={values[name]}"
        assert main(["-C", root, "set", finding.id, arg]) == 0, capsys.readouterr().err
    changed = find_entry(project, finding.id).finding
    assert (changed.title, changed.layer, changed.kind, str(changed.params["cap"])) == (
        "Backoff cap", "why", "decision", "6 s")
    assert main(["-C", root, "set", finding.id, "owner=ana", "area=carrier",
                 "tags=carrier,retry"]) == 0
    assert main(["-C", root, "set", finding.id, "colour=red"]) == 1
    assert "'colour' cannot be set here" in capsys.readouterr().err
    with pytest.raises(ValueError, match="'owner' cannot be changed in review"):
        accept_candidate(project, panel.candidates[0], edits={"owner": "ana"})

    # The help of `dna set` names exactly the fields the library allows.
    with pytest.raises(SystemExit):
        main(["set", "--help"])
    helptext = " ".join(capsys.readouterr().out.split())
    for name in EDITABLE + LEDGER_FIELDS:
        assert ("params.NAME" if name == "params" else name) in helptext, name


def test_rejecting_needs_a_reason_whichever_shell(project, source: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    added, _ = save_candidates(project, [_candidate("Never retry a 4xx.", source, 12)])
    with pytest.raises(ValueError, match="needs a reason"):
        edit_finding(project, added[0].id, {"status": "rejected"})
    assert main(["-C", str(project.root), "reject", added[0].id, "--why", " "]) == 1
    assert "needs a reason" in capsys.readouterr().err
    assert main(["-C", str(project.root), "reject", added[0].id, "--why", "a one-off"]) == 0
    assert main(["-C", str(project.root), "accept", added[0].id]) == 0
    finding = find_entry(project, added[0].id).finding
    assert (finding.status, finding.rejected_reason) == ("accepted", None)


# -- a committed review file ---------------------------------------------------------------

REVIEW = """\
date: 2026-09-20
reviewers: [Ana Ruiz]
findings:
  - source: incidents/retry-storm.md
    quote: backoff at 5 s
    decision: accept
    title: Carrier backoff is capped at 5 s
    statement: Carrier retries never wait more than 5 s.
    layer: how
    kind: retry_policy
    params: {cap: 5s, retry_on: [TimeoutError]}
    owner: Ana Ruiz
    codify: {template: backoff_schedule, target: "dispatch.carrier:backoff_delay"}
  - source: incidents/retry-storm.md
    quote: never retry a 4xx
    decision: reject
    reason: the client library already does this
  - source: incidents/retry-storm.md
    quote: after 3 failed label batches
    manual: true
    decision: accept
    title: Page after 3 failed batches
    statement: The on-call is paged after 3 failed label batches.
    layer: how
    kind: threshold
"""


def _review_candidates(source: Path) -> list[Candidate]:
    return [_candidate("Cap the carrier retry backoff at 5 s.", source, 11, confidence=0.8),
            _candidate("Never retry a 4xx from the carrier.", source, 12)]


def test_apply_review_writes_each_decision_once_dated_the_review(project,
                                                                  source: Path) -> None:
    review = project.root / "review.yaml"
    review.write_text(REVIEW, encoding="utf-8")
    result = apply_review(project, review, _review_candidates(source))
    assert [f.id for f in result.accepted] == ["F-0001", "F-0003"]
    assert [f.id for f in result.rejected] == ["F-0002"] and result.manual == ["F-0003"]
    ledger = load_ledger(project)
    cap, no4xx, page = ledger.findings
    assert (cap.status, cap.title, cap.owner, str(cap.params["cap"])) == (
        "accepted", "Carrier backoff is capped at 5 s", "Ana Ruiz", "5s")
    assert cap.confidence is None  # a person decided; the extractor's guess is dropped
    assert cap.created is not None and cap.created.isoformat() == "2026-09-20"
    assert cap.provenance[0].source == "incidents/retry-storm.md"
    assert (no4xx.status, no4xx.rejected_reason) == ("rejected",
                                                      "the client library already does this")
    assert page.provenance[0].line_start == 13 and "captured:manual" in page.tags
    before = everything_under(project.dna_dir)
    again = apply_review(project, "review.yaml", _review_candidates(source))
    assert [f.id for _, f in again.decisions] == ["F-0001", "F-0002", "F-0003"]
    assert everything_under(project.dna_dir) == before


@pytest.mark.parametrize(
    ("old", "new", "field", "entry_line"),
    [
        ("    decision: reject\n", "    decision: maybe\n", "findings[1].decision", 14),
        ("    kind: threshold\n", "    kind: vibe\n", "findings[2].kind", 18),
        ("    quote: never retry a 4xx\n", "    quote: retries are handled by magic\n",
         "findings[1].quote", 14),
        ("    params: {cap: 5s,", "    params: {cap: 5 parsecs,", "findings[0].params.cap", 4),
    ],
)
def test_a_bad_entry_names_file_line_and_field_and_writes_nothing(
        project, source: Path, old: str, new: str, field: str, entry_line: int) -> None:
    save_candidates(project, _review_candidates(source)[:1])  # a ledger that must not change
    review = project.root / "review.yaml"
    assert old in REVIEW
    lines = REVIEW.splitlines()
    assert lines[entry_line - 1].startswith("  - source:")  # the line the entry starts on
    review.write_text(REVIEW.replace(old, new, 1), encoding="utf-8")
    before = everything_under(project.root)
    with pytest.raises(ReviewError) as caught:
        apply_review(project, review, _review_candidates(source))
    error = caught.value
    assert (error.path, error.line, error.field) == (str(review), entry_line, field)
    assert str(error).startswith(f"{review}:{entry_line}: {field}: ")
    assert everything_under(project.root) == before


# -- nothing secret reaches dna/ -----------------------------------------------------------

def _secret_candidates(source: Path) -> list[Candidate]:
    """One candidate per seeded secret, the secret in every text it holds."""
    out = []
    for n, seeded in enumerate(SECRETS, start=1):
        flat = " ".join(seeded.line.split())
        out.append(Candidate(
            quote=seeded.line, title=f"Rule {n}: {flat}"[:200], statement=f"Rule: {flat}",
            layer="how", kind="threshold", source=CandidateSource(str(source), n, n),
            params={"note": flat}, rationale=f"seen in the incident: {flat}"))
    return out


@pytest.fixture
def secret_source(project: Project) -> Path:
    path = project.root / "incidents" / "leak.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(s.line for s in SECRETS) + "\n", encoding="utf-8")
    return path


def assert_no_secret(root: Path) -> None:
    text = everything_under(root)
    assert text, f"nothing was written under {root}"
    leaked = sorted({s.kind for s in SECRETS if s.secret in text})
    assert not leaked, f"secrets of type {leaked} reached {root}"


def test_no_secret_reaches_the_ledger_through_the_panel(project, secret_source: Path) -> None:
    candidates = _secret_candidates(secret_source)
    panel = ReviewPanel(project, candidates)
    for n, _ in enumerate(candidates):
        # What the reviewer types holds secrets too: another type's in every field.
        typed = ONE_LINE[(n + 1) % len(ONE_LINE)].line
        panel.title.value = f"{panel.title.value} {typed}"
        panel.statement.value = f"{panel.statement.value} {typed}"
        panel.rationale.value = typed
        if ";" not in typed:
            panel.params.value = f"cap = 5 s\nwho = {typed}"
        panel.accept_button.click()
        assert panel.error is None, panel.error
    ledger = load_ledger(project)
    assert len(ledger) == len(SECRETS) and {f.status for f in ledger} == {"accepted"}
    assert_no_secret(project.dna_dir)
    stored = everything_under(project.findings_dir)
    for kind in {s.kind for s in SECRETS}:  # each one was there, and stored redacted
        assert placeholder(kind) in stored, kind


def test_no_secret_reaches_the_ledger_through_save_edit_and_review(
        project, secret_source: Path) -> None:
    added, skipped = save_candidates(project, _secret_candidates(secret_source))
    assert len(added) == len(SECRETS) and skipped == 0
    typed = ONE_LINE[0].line
    edit_finding(project, added[0].id, {"rationale": typed, "params": {"who": typed}})
    assert main(["-C", str(project.root), "set", added[1].id, f"statement={typed}",
                 f"params.who={ONE_LINE[1].line}"]) == 0
    assert main(["-C", str(project.root), "reject", added[2].id, "--why",
                 ONE_LINE[2].line]) == 0
    review = project.root / "review.yaml"
    review.write_text(
        "date: 2026-09-20\nfindings:\n"
        f"  - source: incidents/leak.md\n    quote: {ONE_LINE[3].secret!r}\n"
        "    manual: true\n    decision: accept\n"
        f"    title: {ONE_LINE[4].line!r}\n    statement: {ONE_LINE[5].line!r}\n"
        "    layer: how\n    kind: threshold\n", encoding="utf-8")
    apply_review(project, review, [])
    assert len(load_ledger(project)) == len(SECRETS)  # the same line: its finding updated
    assert_no_secret(project.dna_dir)


def test_accepting_again_keeps_a_codified_finding_codified(project, source: Path) -> None:
    cap = _candidate("Cap the carrier retry backoff at 5 s.", source, 11)
    finding = accept_candidate(project, cap)
    edit_finding(project, finding.id, {"status": "codified"})
    again = accept_candidate(project, cap, edits={"title": "Backoff cap"})
    assert (again.id, again.status, again.title) == (finding.id, "codified", "Backoff cap")
