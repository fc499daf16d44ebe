"""Extraction weights are a value passed in: never state the extractor keeps or changes."""

from __future__ import annotations

import pickle
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dna_kit.document import Document
from dna_kit.extract import Weights, extract_findings, extract_offline
from dna_kit.extract.offline import score_sentences
from dna_kit.extract.scorer import DEFAULT, classify, score

DOC = Document("pm.md", "## Action items\n\n- Retries must be capped at 3.\n"
                        "- We decided to stick to a first-come, first-served queue.\n")


def test_the_weights_cannot_be_changed_in_place() -> None:
    with pytest.raises(TypeError):
        DEFAULT.weights["modal"] = 9.0  # type: ignore[index]
    with pytest.raises(TypeError):
        DEFAULT.layer_weights["why"]["practice"] = 9.0  # type: ignore[index]
    with pytest.raises(AttributeError):
        DEFAULT.bias = 0.0  # type: ignore[misc]
    given = {"modal": 1.0}
    weights = Weights(bias=0.0, weights=given)
    given["modal"] = 5.0  # the caller's dict is copied, not kept
    assert weights.weights["modal"] == 1.0


def test_other_weights_change_the_result_and_only_where_they_are_passed() -> None:
    before = [c.to_json() for c in extract_offline(DOC)]
    assert len(before) == 2
    assert extract_offline(DOC, replace(DEFAULT, threshold=1e9)) == []
    assert extract_findings(DOC, weights=replace(DEFAULT, threshold=1e9)) == []
    # Every sentence scores the bias alone when no feature has a weight.
    flat = Weights(bias=0.25, weights={})
    assert {s.score for s in score_sentences(DOC, flat)} == {0.25}
    assert score({"modal": 1.0}, flat) == 0.25
    # Layer weights that only know "how" put every sentence there.
    how = replace(DEFAULT, layer_weights={"how": {"(bias)": 1.0}})
    assert classify("We decided to stick to first come, first served.", "summary",
                    has_quantity=False, weights=how)[0] == "how"
    assert [c.to_json() for c in extract_offline(DOC)] == before  # defaults untouched


def test_weights_travel_to_worker_processes() -> None:
    copy = pickle.loads(pickle.dumps(DEFAULT))
    assert copy == DEFAULT and copy is not DEFAULT
    assert [c.to_json() for c in extract_offline(DOC, copy)] == \
        [c.to_json() for c in extract_offline(DOC)]


def test_a_process_pool_uses_the_weights_it_is_given(tmp_path) -> None:
    from dna_kit.extract import extract_paths

    for n in range(2):
        (tmp_path / f"pm{n}.md").write_text(DOC.text, encoding="utf-8")
    results = list(extract_paths([tmp_path], workers=2,
                                 weights=replace(DEFAULT, threshold=1e9)))
    assert len(results) == 2 and all(r.ok and r.candidates == [] for r in results)
    assert all(len(r.candidates) == 2 for r in extract_paths([tmp_path], workers=2))


# Words that start phrases, end them, belong to prefixes, or to nothing.
_WORDS = ("due", "to", "as", "a", "result", "after", "the", "incident", "we", "will",
          "decided", "retries", "must", "not", "no", "more", "than", "at", "most", "rather",
          "instead", "of", "on", "call", "going", "forward", "thank", "you", "timed", "out",
          "limit", "limited", "in", "order", "so", "that", "root", "cause", "noise")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=12))
def test_the_families_present_are_the_families_counted(tokens: list[str]) -> None:
    """``present`` (bit masks, phrases only where no word already shows the family) names
    the families ``count`` counts, in a fixed order."""
    from dna_kit.extract.lexicon import CUE_LEXICON, FAMILY_LEXICON

    for lexicon in (CUE_LEXICON, FAMILY_LEXICON):
        present = lexicon.present(tokens)
        assert set(present) == set(lexicon.count(tokens))
        assert list(present) == [n for n in lexicon.names if n in present]
