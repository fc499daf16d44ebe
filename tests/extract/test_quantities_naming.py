"""Values with units, named from context, always valid quantities."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dna_kit.extract.quantities import find_params, find_quantities
from dna_kit.units import parse_quantity


@pytest.mark.parametrize("sentence,expected", [
    ("The connection timeout was cut from 1 s to 300 ms.",
     {"connect_timeout": "300ms", "connect_timeout_before": "1s"}),
    ("A database connection timeout reduction from 1 second to 300 milliseconds hurt.",
     {"connect_timeout": "300ms", "connect_timeout_before": "1s"}),
    ("deploy: connect timeout 1s -> 300ms", {"connect_timeout": "300ms",
                                             "connect_timeout_before": "1s"}),
    ("Carrier API retries must be capped at 5 s, with at most 4 attempts.",
     {"limit": "5s", "max_attempts": "4"}),
    ("Retries must be capped at 3.", {"max_retries": "3"}),
    ("The worker has a 2 GiB memory limit.", {"memory": "2GiB"}),
    ("Alert when label errors exceed 5% for 3 minutes.", {"error_rate": "5%",
                                                          "duration": "3min"}),
    ("Never send more than 20 requests per second.", {"rate": ">20/s"}),
    ("We keep the 300 ms connection timeout.", {"connect_timeout": "300ms"}),
    ("Cache entries expire after 15 minutes.", {"ttl": "15min"}),
    ("The read timeout is 2 s and the read timeout before was 5 s.",
     {"read_timeout": "2s", "read_timeout_2": "5s"}),
    ("On October 3 the team met.", {}),
    # A duration told in parts is one value.
    ("The queue was stuck for 3 hours and 25 minutes.", {"duration": "3h25m"}),
    ("Replication lagged 1 hour, 5 minutes behind.", {"delay": "1h5m"}),
    # Words that multiply the number, sizes typed in lower case, rough values.
    ("The table has a hard limit of 2 billion rows.", {"limit": "2000000000"}),
    ("Each export grew from 20kb to 3mb.", {"size": "3MB", "size_before": "20kB"}),
    ("The rebuild took roughly 40 minutes.", {"duration": "~40min"}),
    # Factors: "x", "-fold", "N times the ..."; but "retried 4 times" counts retries.
    ("Write amplification rose by 12x.", {"factor": "12x"}),
    ("We saw a fivefold jump in queue depth.", {"factor": "5x"}),
    ("Each job is retried 4 times.", {"max_retries": "4"}),
    ("Peak traffic was 1.5 times the usual level.", {"factor": "1.5x"}),
    # An "s" on a number is not always seconds.
    ("The gateway answered 504s for an hour.", {}),
    ("Most of that code was written in the 1990s.", {}),
    ("We run 100s of workers per region.", {}),
    # "from 6 to 12 replicas": the first number has the second's unit.
    ("The cluster was grown from 6 to 12 replicas.",
     {"replica_count": "12", "replica_count_before": "6"}),
    ("Checkout slowed from 2 to 9 seconds.", {"duration": "9s", "duration_before": "2s"}),
    # A count over a period is a rate.
    ("The importer sent 40 messages per second.", {"rate": "40 messages/s"}),
    ("Keep it under 600 requests a minute.", {"rate": "<600 requests/min"}),
    # Numbers written as words, before a unit written out in full.
    ("Each failed label was retried ten times.", {"max_retries": "10"}),
    ("The drain took two hours and five minutes.", {"duration": "2h5m"}),
    ("Only one of the nodes and two s were left.", {}),
])
def test_params_are_named_from_context(sentence: str, expected: dict[str, str]) -> None:
    assert find_params(sentence) == expected


@given(st.text(alphabet="0123456789 .,%smhdGiBKMT/retiapcond-", max_size=40))
def test_every_value_found_parses_as_a_quantity(text: str) -> None:
    for _, _, value, dimension in find_quantities(text):
        assert parse_quantity(value).dimension == dimension


def test_values_in_words_are_parameters_but_not_evidence() -> None:
    """Scoring looks only at values written in digits (what its weights were fitted on);
    a value in words still becomes a parameter."""
    text = "Each failed label was retried ten times."
    assert find_quantities(text, number_words=False) == []
    assert find_quantities(text) == [(30, 39, "10", "count")]
    assert find_quantities("a tenfold rise", number_words=False) == [(2, 9, "10x", "count")]
