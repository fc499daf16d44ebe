"""Values with units, named from context, always valid quantities."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dna_kit.extract.params import find_params, find_quantities
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
])
def test_params_are_named_from_context(sentence: str, expected: dict[str, str]) -> None:
    assert find_params(sentence) == expected


@given(st.text(alphabet="0123456789 .,%smhdGiBKMT/retiapcond-", max_size=40))
def test_every_value_found_parses_as_a_quantity(text: str) -> None:
    for _, _, value, dimension in find_quantities(text):
        assert parse_quantity(value).dimension == dimension
