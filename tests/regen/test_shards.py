"""``dna regen --prove --shard K/N`` and ``dna regen merge``: CI jobs each prove a stable
part of the work (whole findings, and shares of the mutants of findings with many), and
their scorecards merge into the one a single run gives."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from dna_kit.errors import RegenError
from dna_kit.finding import Binding, Finding, Links
from dna_kit.project import Project
from dna_kit.regen.core import parse_shard, regenerate, shard_of, shard_plan
from dna_kit.regen.prove import deal_mutants
from dna_kit.regen.scorecard import (
    FindingResult,
    MutantResult,
    Scorecard,
    merge_scorecards,
    read_history,
    read_scorecard,
    scorecard_schema,
)


def _summary(card: Scorecard) -> dict[str, object]:
    return {"counts": card.counts, "score": card.score, "verified": card.verified_score,
            "statuses": {f.id: f.status for f in card.findings},
            "killed": {f.id: (f.mutants_killed, f.mutants_total) for f in card.findings}}


def _finding(number: int, tested: bool) -> Finding:
    return Finding(id=f"F-{number:04d}", title="t", statement="s", layer="how", kind="k",
                   links=Links(tests=("dna/tests/test_x.py",) if tested else ()))


def test_every_finding_is_in_exactly_one_shard_and_the_parts_are_even() -> None:
    # 31 findings with tests (the ones that cost time), 70 without.
    ledger = [_finding(i, tested=i % 10 < 3) for i in range(1, 102)]
    ids = sorted(f.id for f in ledger)
    for n in (1, 2, 3, 7):
        parts = [shard_of(ledger, (k, n)) for k in range(1, n + 1)]
        assert sorted(i for part in parts for i in part) == ids
        sizes = [len(p) for p in parts]
        assert max(sizes) - min(sizes) <= 1
        tested = [sum(1 for f in ledger if f.links.tests and f.id in p) for p in parts]
        assert max(tested) - min(tested) <= 1, "the findings with tests are spread evenly"
        # Every job gets the same parts, in whatever order it lists the ledger.
        assert [shard_of(list(reversed(ledger)), (k, n)) for k in range(1, n + 1)] == parts
    # Dealt by a hash of the id, not by the ledger's order: not simply every other id.
    assert shard_of(ledger[:10], (1, 2)) != {f.id for f in ledger[:10:2]}


def test_a_shard_is_k_of_n() -> None:
    assert parse_shard("2/3") == (2, 3)
    for bad in ("0/2", "3/2", "2", "a/b", "1/0"):
        with pytest.raises(RegenError, match="shard"):
            parse_shard(bad)


def _mutating_ledger(tmp_path: Path) -> list[Finding]:
    # One target with many mutants, four with few.
    lines = ["def big(x):"] + [f"    x = x + {i} if x > {i} else x - {i}" for i in range(6)]
    lines += ["    return x", ""] + [f"def small{i}(x):\n    return x + 1\n" for i in range(4)]
    (tmp_path / "mod.py").write_text("\n".join(lines), encoding="utf-8")
    ledger = [_finding(i, tested=True) for i in range(1, 6)]
    return [replace(f, binding=Binding(template="bounded", target=f"mod:{name}"))
            for f, name in zip(ledger, ["big", "small0", "small1", "small2", "small3"],
                               strict=True)]


def test_a_finding_with_many_mutants_is_split_across_the_parts(tmp_path: Path) -> None:
    ledger = _mutating_ledger(tmp_path)
    for n in (2, 3):
        plan = shard_plan(ledger, n, root=tmp_path)
        # The big one's mutants are dealt out to every part; the small ones stay whole.
        assert sorted(plan["F-0001"].parts) == list(range(1, n + 1))
        assert all(len(plan[f.id].parts) == 1 for f in ledger[1:])
        # The same plan in every job, whatever order the ledger is listed in.
        assert shard_plan(list(reversed(ledger)), n, root=tmp_path) == plan
        parts = [shard_of(ledger, (k, n), root=tmp_path) for k in range(1, n + 1)]
        assert all("F-0001" in part for part in parts)
        assert sorted(i for part in parts for i in part if i != "F-0001") == [
            f.id for f in ledger[1:]]
    # Without a proof there are no mutants to deal out: every finding stays whole.
    assert all(len(s.parts) == 1
               for s in shard_plan(ledger, 2, root=tmp_path, split=False).values())


@pytest.mark.parametrize("parts", [2, 3, 5])
def test_a_split_proof_deals_every_mutant_to_exactly_one_part(parts: int) -> None:
    from itertools import islice, pairwise

    deal = list(islice(deal_mutants(parts), 200))
    assert deal == list(islice(deal_mutants(parts), 200)), "the same in every job"
    for count in (1, 7, 30, 200):  # however many mutants: each to one part, evenly
        taken = [deal[:count].count(i) for i in range(parts)]
        assert sum(taken) == count and max(taken) - min(taken) <= 1
        # The part that also scores the tests never gets more than another.
        assert taken[0] == min(taken)
    # Neighbours (the mutants of one line, the two of one site) go to different parts.
    assert all(a != b for a, b in pairwise(deal))


def _as_run(result: FindingResult) -> dict[str, object]:
    """A finding's result without what differs between two runs of the same proof."""
    data = result.to_json()
    data.pop("duration")
    data["proof"].pop("cached")  # a shard may read the whole run's proof back
    for mutant in data["mutants"]:
        mutant.pop("duration")
    return data


def test_shards_merge_into_what_one_run_gives(shipping: Project) -> None:
    whole = regenerate(shipping, prove=True, history=False)
    parts = [regenerate(shipping, prove=True, shard=f"{k}/2") for k in (1, 2)]
    assert [p.shard for p in parts] == [[1, 2], [2, 2]]
    assert read_history(shipping) == [], "a shard's partial score is not history"
    for part in parts:
        jsonschema.Draft202012Validator(scorecard_schema()).validate(part.to_json())
    # F-0001 (19 mutants) is proven by both shards, each running a share of its mutants;
    # the others are dealt out whole.
    held = [[f.id for f in p.findings] for p in parts]
    assert all("F-0001" in ids for ids in held)
    assert sorted(i for ids in held for i in ids if i != "F-0001") == sorted(
        f.id for f in whole.findings if f.id != "F-0001")
    shares = [p.finding("F-0001") for p in parts]
    assert sorted((s.proof or {})["share"]["part"] for s in shares) == [1, 2]
    ids = [m.id for s in shares for m in s.mutants]
    assert sorted(ids) == [m.id for m in whole.finding("F-0001").mutants], \
        "every mutant is run by exactly one shard, numbered as the whole run numbers it"
    assert all(s.mutants for s in shares) and all(s.outcome == "passed" for s in shares)

    cards = [Scorecard.from_json(json.loads(json.dumps(p.to_json()))) for p in parts]
    merged = merge_scorecards(cards, names=["one.json", "two.json"])
    assert _summary(merged) == _summary(whole)
    # Each finding exactly as the whole run has it: status, strength and its reason,
    # kills, questions, sites, errors, every mutant.
    assert {f.id: _as_run(f) for f in merged.findings} == {
        f.id: _as_run(f) for f in whole.findings}
    jsonschema.Draft202012Validator(scorecard_schema()).validate(merged.to_json())

    # A shard's card left out, or a part of the split proof, is refused.
    with pytest.raises(RegenError, match=r"shard 2/2 is missing"):
        merge_scorecards(cards[:1], names=["one.json"])
    short = Scorecard.from_json(cards[1].to_json())
    short.findings = [f for f in short.findings if f.id != "F-0001"]
    with pytest.raises(RegenError, match=r"part [12]/2 of F-0001's proof is missing"):
        merge_scorecards([cards[0], short], names=["one.json", "two.json"])


def _part(part: int, parts: int, mutants: list[tuple[int, bool]], *,
          stopped: bool = False, errors: tuple[str, ...] = ()) -> FindingResult:
    """Part ``part`` of a split proof of F-0001 whose mutants are (id, killed)."""
    return FindingResult(
        id="F-0001", title="t", layer="how", kind="threshold", status="verified",
        outcome="passed", tests_passed=1,
        mutants=[MutantResult(i, "app:f", "compare", 3, "a < b", "a <= b", killed=k)
                 for i, k in mutants],
        proof={"strength": "weak", "reason": "a share", "sites": [], "mutants": {},
               "cached": False, "share": {"part": part, "parts": parts,
                                          "errors": list(errors), "stopped": stopped}})


def test_the_parts_of_a_split_proof_are_judged_together() -> None:
    def merged(*results: FindingResult) -> FindingResult:
        cards = [Scorecard(findings=[r], proved=True, project="/repo", shard=[i, len(results)])
                 for i, r in enumerate(results, start=1)]
        return merge_scorecards(cards).finding("F-0001")

    # Part 1 kills only `return None`-free mutants 1 and 3, part 2 kills 2: together strong.
    joined = merged(_part(1, 2, [(1, True), (3, True)]), _part(2, 2, [(2, False)]))
    assert (joined.mutants_killed, joined.mutants_total) == (2, 3)
    assert [m.id for m in joined.mutants] == [1, 2, 3]
    assert joined.status == "proven" and joined.proof is not None
    assert "share" not in joined.proof and joined.questions == []
    # A part whose proof stopped before its mutants: no proof, as in a whole run.
    stopped = merged(_part(1, 2, [(1, True)]),
                     _part(2, 2, [], stopped=True, errors=(
                         "proof: the tests fail in the proof worker before any mutation",)))
    assert stopped.status == "verified" and stopped.proof is not None
    assert stopped.proof["strength"] == "none"
    assert stopped.proof["reason"].startswith("the tests fail in the proof worker")
    # Two cards holding the same part, or a part missing, do not fit.
    with pytest.raises(RegenError, match=r"both hold part 1/2 of F-0001's proof"):
        merge_scorecards([Scorecard(findings=[_part(1, 2, [(1, True)])], proved=True),
                          Scorecard(findings=[_part(1, 2, [(2, True)])], proved=True)])
    with pytest.raises(RegenError, match=r"part 2/3 of F-0001's proof is missing"):
        merge_scorecards([Scorecard(findings=[_part(1, 3, [(1, True)])], proved=True),
                          Scorecard(findings=[_part(3, 3, [(3, True)])], proved=True)])


def _card(ids: list[str], *, proved: bool = True, shard: list[int] | None = None,
          impl: str | None = None) -> Scorecard:
    from dna_kit.regen.scorecard import FindingResult

    return Scorecard(findings=[FindingResult(id=i, title=i, layer="how", kind="threshold",
                                             status="proven") for i in ids],
                     proved=proved, project="/repo", impl=impl, shard=shard)


@pytest.mark.parametrize(("cards", "message"), [
    ([_card(["F-0001"]), _card(["F-0001", "F-0002"])], "b.json overlaps a.json: both "
                                                       "score F-0001"),
    ([_card(["F-0001"]), _card(["F-0002"], proved=False)], "b.json does not fit with "
                                                           "a.json: proved"),
    ([_card(["F-0001"]), _card(["F-0002"], impl="/rewrite")], "does not fit with a.json: "
                                                             "impl"),
    ([_card(["F-0001"], shard=[1, 3]), _card(["F-0002"], shard=[2, 3])],
     r"shard 3/3 is missing"),
    ([_card(["F-0001"], shard=[1, 2]), _card(["F-0002"], shard=[1, 3])], "shard count"),
    ([_card(["F-0001"], shard=[1, 2]), _card(["F-0002"], shard=[1, 2])],
     "both are shard 1/2"),
])
def test_overlapping_or_incompatible_cards_are_refused(cards: list[Scorecard],
                                                       message: str) -> None:
    with pytest.raises(RegenError, match=message):
        merge_scorecards(cards, names=["a.json", "b.json"])


def test_a_file_that_is_not_a_scorecard_is_one_error(tmp_path: Path) -> None:
    bad = tmp_path / "card.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(RegenError, match=r"card.json: not JSON"):
        read_scorecard(bad)
    bad.write_text('{"schema_version": 1, "findings": [{"id": "F-0001"}]}', encoding="utf-8")
    with pytest.raises(RegenError, match=r"findings\[0\]"):
        read_scorecard(bad)


def test_dna_regen_shard_and_merge(shipping: Project, dna_cmd: list[str]) -> None:
    def dna(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*dna_cmd, "-C", str(shipping.root), *args],
                              capture_output=True, text=True, timeout=600)

    for k in (1, 2):
        done = dna("regen", "--prove", "--shard", f"{k}/2", "--json", f"card-{k}.json")
        assert done.returncode == 0, done.stderr
        assert f"shard {k}/2:" in done.stdout
    done = dna("regen", "merge", "card-1.json", "card-2.json", "--min-score", "0.2",
               "--json", "merged.json", "--html", "report.html", "--markdown", "summary.md")
    assert done.returncode == 0, done.stderr
    assert "merged 2 scorecard(s): 4 finding(s)" in done.stdout
    merged = json.loads((shipping.root / "merged.json").read_text(encoding="utf-8"))
    assert merged["accepted"] == 4 and merged["counts"]["proven"] == 2
    assert merged["gate"] == {"min_score": 0.2, "on": "score", "passed": True}
    assert (shipping.root / "report.html").is_file()
    assert "score" in (shipping.root / "summary.md").read_text(encoding="utf-8")
    assert len(read_history(shipping)) == 1  # the merged run, not the shards

    gated = dna("regen", "merge", "card-1.json", "card-2.json", "--min-score", "0.9",
                "--no-history")
    assert gated.returncode == 1 and "below --min-score" in gated.stderr

    twice = dna("regen", "merge", "card-1.json", "card-1.json")
    assert twice.returncode == 1
    assert len(twice.stderr.strip().splitlines()) == 1, twice.stderr
    assert "overlaps" in twice.stderr and "Traceback" not in twice.stderr
    bad = dna("regen", "--shard", "3/2")
    assert bad.returncode == 1 and "1 <= K <= N" in bad.stderr
