"""``regenerate`` end to end: real pytest subprocesses on the shipping fixture project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dna_kit.errors import RegenError
from dna_kit.ledger import add_finding
from dna_kit.project import Project
from dna_kit.regen import regenerate
from dna_kit.regen.scorecard import read_history
from tests.regen.shipping import LOST_CAP, copy_rewrite

pytestmark = pytest.mark.slow

HANGS = "def batch_size(queued):\n    while True:\n        pass\n"
CRASHES = "import os\n\n\ndef backoff_delay(attempt):\n    os.abort()\n"
NO_FUNCTION = "RETRIES = 4\n"
# Correct, but one mutant (size += 1) loops forever: the proof must stop it.
LOOPS_WHEN_MUTATED = '''\
def batch_size(queued):
    size = queued // 10
    while size > 50:
        size -= 1
    return max(1, size)
'''


def _statuses(card) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f.id: f.status for f in card.findings}


def test_each_status_on_the_service(shipping: Project) -> None:
    card = regenerate(shipping)
    assert _statuses(card) == {"F-0001": "verified", "F-0002": "verified",
                               "F-0003": "documented", "F-0004": "tacit"}
    assert card.finding("F-0001").outcome == "passed"
    assert card.finding("F-0001").tests_passed == 1
    assert card.finding("F-0004").outcome == "not_run"
    # Nothing is proven without a proof; the verified score counts the passing checks.
    assert (card.score, card.verified_score) == (0.0, 0.5)
    assert card.layers()["how"] == {"accepted": 2, "proven": 0, "verified": 2, "score": 0.0,
                                    "verified_score": 1.0}
    assert card.layers()["why"]["verified"] == 0


def test_a_rewrite_that_lost_a_rule_fails_exactly_that_rule(shipping: Project) -> None:
    card = regenerate(shipping, impl=LOST_CAP)
    assert _statuses(card)["F-0001"] == "failing"
    assert _statuses(card)["F-0002"] == "verified"
    lost = card.finding("F-0001")
    assert lost.outcome == "failed"
    assert "6.0" in lost.failures[0]["message"]
    assert lost.failures[0]["test"].endswith("test_f0001_backoff_schedule")
    assert [f.id for f in card.lost()] == ["F-0001", "F-0004"]
    assert card.verified_score == 0.25


def test_proof_kills_mutants_and_asks_about_survivors(shipping: Project) -> None:
    card = regenerate(shipping, prove=True)
    assert _statuses(card)["F-0001"] == "proven"
    assert _statuses(card)["F-0002"] == "proven"
    assert card.score == 0.5
    backoff = card.finding("F-0001")
    assert backoff.mutants_total == len(backoff.mutants) > 10
    assert 0 < backoff.mutants_killed < backoff.mutants_total  # type: ignore[operator]
    cap = next(m for m in backoff.mutants if m.original == "5.0")
    assert cap.killed and cap.killed_by and "test_f0001" in cap.killed_by
    batch = card.finding("F-0002")
    # The limit lives in a module constant; the proof changes it in place, and the check
    # notices a truck that takes 51 orders.
    limit = next(m for m in batch.mutants if m.original == "MAX_BATCH = 50")
    assert limit.mutated == "MAX_BATCH = 51" and limit.killed
    # "Between 1 and 50" says nothing about a tenth of the queue: those mutants survive.
    assert any("`queued // 10` becomes `queued / 10`" in q for q in batch.questions)
    assert all(q.endswith("is that acceptable?") for q in batch.questions)
    assert len(batch.questions) == batch.mutants_total - batch.mutants_killed  # type: ignore[operator]


def test_a_proof_gives_the_same_answer_twice(shipping: Project) -> None:
    def answers() -> list[tuple[str, int, bool, str | None]]:
        card = regenerate(shipping, prove=True, history=False)
        return [(f.id, m.id, m.killed, m.killed_by) for f in card.ordered()
                for m in f.mutants]

    first = answers()
    assert first and first == answers()


def test_two_proof_workers_give_the_answer_one_gives(shipping: Project) -> None:
    def answers(workers: int) -> list[tuple[str, int, bool]]:
        card = regenerate(shipping, prove=True, history=False, workers=workers)
        return [(f.id, m.id, m.killed) for f in card.ordered() for m in f.mutants]

    assert answers(2) == answers(1)


def test_a_check_that_kills_no_mutant_is_not_proven(shipping: Project) -> None:
    test = shipping.tests_dir / "test_f0006_batch_runs.py"
    test.write_text('from shipping.batching import batch_size\n\nDNA_FINDING = "F-0006"\n\n\n'
                    "def test_f0006_batch_size_runs():\n    batch_size(7)\n", encoding="utf-8")
    add_finding(shipping, {
        "title": "Batch size is computed", "layer": "what", "kind": "invariant",
        "status": "codified", "statement": "Every queue length gives a batch size.",
        "binding": {"template": "bounded", "target": "shipping.batching:batch_size"},
        "links": {"tests": ["dna/tests/test_f0006_batch_runs.py"]}})
    weak = regenerate(shipping, prove=True, findings=["F-0006"]).finding("F-0006")
    assert weak.status == "verified"
    assert weak.mutants_killed == 0 and weak.mutants_total
    assert any("kills no mutant" in e for e in weak.errors)


# With --prove the tests first run inside the proof worker; without, in a plain pytest
# subprocess. Both must keep each problem to its own finding.
@pytest.mark.parametrize("prove", [False, True], ids=["plain", "in-worker"])
def test_an_import_error_and_a_hang_are_errors_of_their_findings_only(
        shipping: Project, tmp_path: Path, prove: bool) -> None:
    impl = copy_rewrite(tmp_path / "broken", **{"retry.py": NO_FUNCTION,
                                                "batching.py": HANGS})
    card = regenerate(shipping, impl=impl, timeout=3, prove=prove)
    no_import, hangs = card.finding("F-0001"), card.finding("F-0002")
    assert (no_import.status, no_import.outcome) == ("failing", "error")
    assert "cannot import name 'backoff_delay'" in no_import.errors[0]
    assert (hangs.status, hangs.outcome) == ("failing", "timeout")
    assert "time limit of 3 s exceeded" in hangs.errors[0]
    assert _statuses(card)["F-0003"] == "documented"


@pytest.mark.parametrize("prove", [False, True], ids=["plain", "in-worker"])
def test_a_crash_is_blamed_on_its_finding_and_the_others_still_run(
        shipping: Project, tmp_path: Path, prove: bool) -> None:
    impl = copy_rewrite(tmp_path / "crash", **{"retry.py": CRASHES})
    card = regenerate(shipping, impl=impl, prove=prove)
    crashed = card.finding("F-0001")
    assert (crashed.status, crashed.outcome) == ("failing", "crashed")
    assert "died" in crashed.errors[0] and "test_f0001_backoff_schedule" in crashed.errors[0]
    assert card.finding("F-0002").status == ("proven" if prove else "verified")


def test_a_mutant_that_hangs_is_stopped_and_counts_as_killed(
        shipping: Project, tmp_path: Path) -> None:
    impl = copy_rewrite(tmp_path / "loops", **{"batching.py": LOOPS_WHEN_MUTATED})
    card = regenerate(shipping, impl=impl, prove=True, findings=["F-0002"], timeout=5)
    batch = card.finding("F-0002")
    assert batch.status == "proven"
    looping = next(m for m in batch.mutants if m.original == "size -= 1")
    assert looping.killed and looping.killed_by == "time limit"


CRASHES_WHEN_MUTATED = '''\
import os


def batch_size(queued):
    if queued < 0:
        os.abort()
    return max(1, min(50, queued // 10))
'''


def test_a_mutant_that_kills_the_worker_is_a_kill_and_the_proof_goes_on(
        shipping: Project, tmp_path: Path) -> None:
    impl = copy_rewrite(tmp_path / "aborts", **{"batching.py": CRASHES_WHEN_MUTATED})
    batch = regenerate(shipping, impl=impl, prove=True, findings=["F-0002"]).finding("F-0002")
    aborts = next(m for m in batch.mutants if m.mutated == "if True:")
    assert aborts.killed and aborts.killed_by == "crash"
    # A fresh worker took over: the mutants after it were still judged by the tests.
    later = [m for m in batch.mutants if m.id > aborts.id]
    assert any(m.killed_by and "test_f0002" in m.killed_by for m in later)
    assert any(not m.killed for m in later)


def test_min_score_gates_on_the_proven_score_or_else_the_verified_one(
        shipping: Project) -> None:
    card = regenerate(shipping, prove=True, min_score=0.6)
    assert not card.passed
    assert card.to_json()["gate"] == {"min_score": 0.6, "on": "score", "passed": False}
    with pytest.raises(RegenError, match=r"score=0\.50 is below min_score=0\.6"):
        card.check()
    quick = regenerate(shipping, min_score=0.5)
    assert quick.passed and quick.gate_on == "verified_score"


def test_each_run_is_appended_to_the_history(shipping: Project) -> None:
    regenerate(shipping)
    regenerate(shipping, impl=LOST_CAP)
    regenerate(shipping, history=False)
    runs = read_history(shipping.dna_dir)
    assert [r["verified_score"] for r in runs] == [0.5, 0.25]
    assert runs[1]["impl"] == str(LOST_CAP)
    lines = (shipping.dna_dir / "regen-history.jsonl").read_text().splitlines()
    assert [json.loads(line)["counts"]["failing"] for line in lines] == [0, 1]


def test_a_missing_artifact_is_reported_and_bad_arguments_are_refused(
        shipping: Project) -> None:
    (shipping.tests_dir / "test_f0002_batch_bounds.py").unlink()
    card = regenerate(shipping, findings=["F-0002"])
    assert card.finding("F-0002").status == "tacit"
    assert card.finding("F-0002").errors == [
        "linked test dna/tests/test_f0002_batch_bounds.py does not exist"]
    with pytest.raises(RegenError, match="impl='nowhere' is not a directory"):
        regenerate(shipping, impl="nowhere")
    with pytest.raises(RegenError, match="F-0005"):
        regenerate(shipping, findings=["F-0005"])  # a candidate is not scored
    with pytest.raises(RegenError, match="min_score=2"):
        regenerate(shipping, min_score=2)


def test_findings_sharing_a_test_file_each_keep_their_own_tests(shipping: Project) -> None:
    (shipping.tests_dir / "test_shared.py").write_text(
        "from shipping.batching import batch_size\n"
        "from shipping.retry import backoff_delay\n\n\n"
        "def test_f0006_first_delay():\n    assert backoff_delay(1) == 0.2\n\n\n"
        "def test_f0007_small_queue():\n    assert batch_size(5) == 2\n", encoding="utf-8")
    for title, target in (("First retry after 0.2 s", "shipping.retry:backoff_delay"),
                          ("Small queues go out in pairs", "shipping.batching:batch_size")):
        add_finding(shipping, {"title": title, "layer": "how", "kind": "threshold",
                               "status": "codified", "statement": title + ".",
                               "binding": {"template": "bounded", "target": target},
                               "links": {"tests": ["dna/tests/test_shared.py"]}})
    card = regenerate(shipping, prove=True, findings=["F-0006", "F-0007"])
    first, pairs = card.finding("F-0006"), card.finding("F-0007")
    assert (pairs.status, pairs.tests_passed, pairs.tests_failed) == ("failing", 0, 1)
    # F-0006's proof ran only its own test: the failing one beside it did not spoil it.
    assert (first.status, first.tests_passed, first.errors) == ("proven", 1, [])


def test_a_superseded_finding_is_not_scored(shipping: Project) -> None:
    from dna_kit.ledger import update_finding

    newer = add_finding(shipping, {"title": "Batch size, revised", "layer": "how",
                                   "kind": "capacity", "status": "accepted",
                                   "statement": "Batches hold at most 40 orders.",
                                   "links": {"supersedes": ["F-0002"]}})
    update_finding(shipping, "F-0002", {"links": {"superseded_by": [newer.id],
                                                  **_links(shipping, "F-0002")}})
    statuses = _statuses(regenerate(shipping, history=False))
    assert "F-0002" not in statuses
    assert statuses[newer.id] == "tacit"


def _links(project: Project, finding_id: str) -> dict[str, list[str]]:
    from dna_kit.ledger import find_entry

    links = find_entry(project, finding_id).finding.links.to_dict()
    links.pop("superseded_by", None)
    return links
