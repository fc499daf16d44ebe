"""Quantities as people write them parse to canonical values and keep their text."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dna_kit.errors import InvalidFinding, InvalidUnit
from dna_kit.units import is_quantity_text, parse_quantity


@pytest.mark.parametrize(
    ("text", "value", "dimension"),
    [
        ("300ms", 0.3, "duration"),
        ("5 s", 5.0, "duration"),
        ("1.5h", 5400.0, "duration"),
        ("2 minutes", 120.0, "duration"),
        ("1h30m", 5400.0, "duration"),
        ("250 µs", 0.00025, "duration"),
        ("2 GiB", 2 * 1024**3, "size"),
        ("10 MB", 10_000_000, "size"),
        ("512KiB", 512 * 1024, "size"),
        ("80%", 0.8, "fraction"),
        ("12.5 percent", 0.125, "fraction"),
        ("20+ tx/s", 20.0, "rate"),
        ("100 req/min", 100 / 60, "rate"),
        ("1,000 requests per minute", 1000 / 60, "rate"),
        ("50 rps", 50.0, "rate"),
        ("3 retries", 3.0, "count"),
        ("4 attempts", 4.0, "count"),
        ("2x", 2.0, "count"),
        ("7", 7.0, "count"),
    ],
)
def test_people_written_quantities_parse_to_canonical_values(text, value, dimension):
    q = parse_quantity(text)
    assert math.isclose(q.value, value, rel_tol=1e-12)
    assert q.dimension == dimension
    assert q.text == text


def test_a_trailing_plus_marks_a_lower_bound():
    assert parse_quantity("20+ tx/s").at_least
    assert not parse_quantity("20 tx/s").at_least


def test_canonical_units_are_named():
    assert parse_quantity("5s").unit == "s"
    assert parse_quantity("2 GiB").unit == "B"
    assert parse_quantity("3 rps").unit == "1/s"


@pytest.mark.parametrize("text", ["5 parsecs", "3 furlongs/fortnight", "12 bananas", "5 sx"])
def test_unknown_units_are_an_error_that_names_the_value(text):
    with pytest.raises(InvalidUnit) as info:
        parse_quantity(text, field="params.cap")
    assert repr(text) in str(info.value)
    assert info.value.field == "params.cap"
    assert isinstance(info.value, InvalidFinding) and isinstance(info.value, ValueError)


def test_words_are_not_quantities():
    assert not is_quantity_text("desc")
    assert not is_quantity_text("ConnectionError")
    assert is_quantity_text("5 s")
    assert is_quantity_text(4)


@given(st.integers(min_value=0, max_value=10**6),
       st.sampled_from([("ms", 1e-3), ("s", 1.0), ("min", 60.0), ("h", 3600.0)]),
       st.sampled_from(["", " "]))
def test_durations_scale_by_their_unit(n, unit, space):
    name, factor = unit
    assert math.isclose(parse_quantity(f"{n}{space}{name}").value, n * factor)


@pytest.mark.parametrize("text", ["1e309s", "-5 s", "-2 MB", "-10 req/s", float("inf")])
def test_quantities_must_be_finite_and_durations_sizes_rates_not_negative(text):
    with pytest.raises(InvalidUnit, match=r"finite|negative"):
        parse_quantity(text)


@pytest.mark.parametrize("text", ["５s", "１０ retries"])
def test_only_ascii_digits_make_a_number(text):
    with pytest.raises(InvalidUnit):
        parse_quantity(text)
