"""``dna regen --prove --shard K/N`` and ``dna regen merge``: CI jobs each prove a stable
part of the findings, and their scorecards merge into the one a single run gives."""

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
from dna_kit.regen.core import parse_shard, regenerate, shard_of
from dna_kit.regen.scorecard import (
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


def test_the_parts_are_balanced_by_what_their_proofs_mutate(tmp_path: Path) -> None:
    # One target with many mutants, four with few: the big one gets a part of its own.
    lines = ["def big(x):"] + [f"    x = x + {i} if x > {i} else x - {i}" for i in range(30)]
    lines += ["    return x", ""] + [f"def small{i}(x):\n    return x + 1\n" for i in range(4)]
    (tmp_path / "mod.py").write_text("\n".join(lines), encoding="utf-8")
    ledger = [_finding(1, tested=True), *[_finding(i, tested=True) for i in range(2, 6)]]
    ledger = [replace(f, binding=Binding(template="bounded", target=f"mod:{name}"))
              for f, name in zip(ledger, ["big", "small0", "small1", "small2", "small3"],
                                 strict=True)]
    parts = [shard_of(ledger, (k, 2), root=tmp_path) for k in (1, 2)]
    assert {"F-0001"} in parts
    assert set().union(*parts) == {f.id for f in ledger}


def test_shards_merge_into_what_one_run_gives(shipping: Project) -> None:
    whole = regenerate(shipping, prove=True, history=False)
    parts = [regenerate(shipping, prove=True, shard=f"{k}/2") for k in (1, 2)]
    assert [p.shard for p in parts] == [[1, 2], [2, 2]]
    assert sorted(f.id for p in parts for f in p.findings) == sorted(
        f.id for f in whole.findings)
    assert read_history(shipping) == [], "a shard's partial score is not history"
    cards = [Scorecard.from_json(json.loads(json.dumps(p.to_json()))) for p in parts]
    merged = merge_scorecards(cards, names=["one.json", "two.json"])
    assert _summary(merged) == _summary(whole)
    jsonschema.Draft202012Validator(scorecard_schema()).validate(merged.to_json())
    for part in parts:
        jsonschema.Draft202012Validator(scorecard_schema()).validate(part.to_json())


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
