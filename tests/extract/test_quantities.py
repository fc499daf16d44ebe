"""Values as written: what is a quantity, what only names a thing, and what was only seen."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dna_kit.extract.quantities import find_params, find_quantities


@pytest.mark.parametrize("sentence", [
    "Release 0.8 nodes crashed on start.",          # a release, not 0.8 nodes
    "Version 1.270.0 files were broken.",
    "The v2.3.1 workers restarted cleanly.",
    "Ticket #4521 nodes were drained by hand.",      # ids
    "Incident 4521 files were restored.",
    "Build 2041 retries were logged.",
])
def test_versions_and_ids_are_not_quantities(sentence: str) -> None:
    assert find_params(sentence) == {}


@pytest.mark.parametrize("sentence,expected", [
    ("We rolled out v2.3.1 to 40 nodes.", {"node_count": "40"}),
    ("At 14:20 the pool was raised to 80 connections.", {"pool_size": "80"}),
    ("On 2024-01-16 the job was retried 3 times.", {"max_retries": "3"}),
])
def test_dates_times_and_versions_leave_the_real_value_alone(sentence: str,
                                                             expected: dict[str, str]) -> None:
    assert find_params(sentence) == expected


def test_a_time_of_day_is_never_a_value() -> None:
    assert [v for _, _, v, _ in find_quantities("14:31 lowered it; 09:05 s was noted")] == []


@pytest.mark.parametrize("sentence,expected", [
    # A change of a count without a unit keeps both ends, named by what changed.
    ("At 14:20 we raised the replication slots from 3 to 32.",
     {"replication_slots": "32", "replication_slots_before": "3"}),
    ("The job concurrency was lowered from 16 to 8.",
     {"job_concurrency": "8", "job_concurrency_before": "16"}),
    ("The pool was raised from 20 to 50 connections.",
     {"pool_size": "50", "pool_size_before": "20"}),
    ("Uploads grew from 100 000 to 250,000 requests.",
     {"request_count": "250000", "request_count_before": "100000"}),
])
def test_from_x_to_y_keeps_both(sentence: str, expected: dict[str, str]) -> None:
    assert find_params(sentence) == expected


@pytest.mark.parametrize("sentence,expected", [
    ("The gateway took 250,000 requests.", {"request_count": "250000"}),
    ("The gateway took 100 000 requests.", {"request_count": "100000"}),
    ("The gateway took 100\u2009000 requests.", {"request_count": "100000"}),   # thin space
    ("The gateway took 100\u202f000 requests.", {"request_count": "100000"}),   # narrow nbsp
    ("The drain took forty-five minutes.", {"duration": "45min"}),
    ("We kept two thousand connections open.", {"connection_count": "2000"}),
    ("Each message was retried seventeen times.", {"max_retries": "17"}),
])
def test_thousands_separators_and_number_words(sentence: str,
                                               expected: dict[str, str]) -> None:
    assert find_params(sentence) == expected


@pytest.mark.parametrize("sentence,expected", [
    ("We saw more than 10,000 requests.", {"request_count": ">10000"}),
    ("Uploads are accepted up to 50 MB.", {"size": "up to 50MB"}),
    ("Keep the queue at most 200 items deep.", {"queue_size": "at most 200"}),
])
def test_bounds_are_kept(sentence: str, expected: dict[str, str]) -> None:
    assert find_params(sentence) == expected


@pytest.mark.parametrize("sentence,name", [
    ("The queue reached a maximum of 40 items.", "observed"),
    ("Writes peaked at a maximum of 900 requests per second.", "rate"),
])
def test_an_observed_figure_is_not_named_as_a_limit(sentence: str, name: str) -> None:
    params = find_params(sentence)
    assert list(params) == [name]
    assert not any(n.startswith("max_") or "limit" in n for n in params)


def test_a_limit_is_still_a_limit() -> None:
    assert find_params("The queue is capped at 40 items.") == {"limit": "40"}
    assert find_params("Writes are capped at 900 requests per second.") == \
        {"rate_limit": "900/s"}


def test_a_rate_of_bytes_is_not_taken_for_a_size() -> None:
    # "80 MB/s" is a rate the units module cannot hold: dropped, never a size of 80 MB.
    assert find_params("Throughput peaked at 80 MB/s.") == {}


# Pieces that make the patterns' hard cases: bounds with and without spaces, grouped
# digits, versions, times, numbers in words next to numbers in digits, units glued on.
_TOKENS = ("up to", "no more than", "never more than", "approx.", "about", "over", "~", "<=",
           ">", "at most", "capped at", "from", "to", "5", "1,000", "100 000", "2.5", "0.8",
           "v2.3", "14:20", "#42", "ten", "forty-five", "ms", "s", "seconds", "GiB", "%",
           "retries", "times", "per second", "/s", "x", "million", "release", "the limit",
           "fold", "-", ".", ",", "  ", "\n", "ſix", "TEN", "ten_x", "élan")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=14), st.sampled_from(["", " "]))
@example(["never more than", "  ", "5", "ms"], "")
@example(["no more than", "5", "ms", "over", "ten", "x", "1,000", "seconds"], " ")
@example(["approx.", "3", "seconds", "ten", "ms"], " ")
def test_values_in_digits_are_found_as_scanning_every_position_would(
        tokens: list[str], glue: str) -> None:
    """The scan that starts only where a number in digits does finds what ``_QTY``, tried
    at every position, finds with a number in digits."""
    from dna_kit.extract.quantities import _QTY, _digit_values

    text = glue.join(tokens)
    expected = [m.span() for m in _QTY.finditer(text) if not m.group("num")[0].isalpha()]
    assert [m.span() for m in _digit_values(text)] == expected


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=10), st.sampled_from(["", " "]))
@example(["ſix", "ms"], " ")
def test_number_words_are_told_as_the_pattern_tells_them(tokens: list[str],
                                                        glue: str) -> None:
    from dna_kit.extract.quantities import NUMBER_WORD, has_number_word, may_hold_digits

    text = glue.join(tokens)
    assert has_number_word(text) == bool(NUMBER_WORD.search(text))
    if not may_hold_digits(text):
        assert find_quantities(text, number_words=False) == []
