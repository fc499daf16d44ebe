"""Redaction: every secret type is caught, ordinary incident text is left alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dna_kit.redact import PLACEHOLDER_RE, SECRET_TYPES, placeholder, redact
from tests.fakes.secrets import seeded_secrets

SEEDED = seeded_secrets()


@pytest.mark.parametrize("seeded", SEEDED, ids=lambda s: f"{s.kind}:{s.line[:24]}")
def test_each_secret_type_is_replaced_by_its_placeholder(seeded) -> None:
    result = redact(seeded.line)
    assert seeded.secret not in result.text
    assert placeholder(seeded.kind) in result.text
    assert result.counts.get(seeded.kind, 0) >= 1


def test_every_type_has_a_seeded_example() -> None:
    # The end-to-end leak test is only as strong as this list; a new rule needs a sample.
    always = {t for t in SECRET_TYPES if t not in {"ip_address", "name"}}
    assert always <= {s.kind for s in SEEDED}


def test_secrets_in_one_document_are_all_counted() -> None:
    text = "\n".join(s.line for s in SEEDED)
    result = redact(text)
    for seeded in SEEDED:
        assert seeded.secret not in result.text, seeded.kind
    assert result.total >= len(SEEDED)
    assert result.counts["phone"] == 3


def test_context_around_a_secret_is_kept() -> None:
    text = "DATABASE_URL=postgres://dispatch:hunter2-xyz@db.internal:5432/orders"
    assert redact(text).text == (
        "DATABASE_URL=postgres://dispatch:[REDACTED:url_password]@db.internal:5432/orders")


def test_a_jwt_in_a_bearer_header_is_counted_once() -> None:
    jwt = next(s.secret for s in SEEDED if s.kind == "jwt")
    result = redact(f"Authorization: Bearer {jwt}")
    assert result.text == "Authorization: Bearer [REDACTED:jwt]"
    assert result.counts == {"jwt": 1}


ORDINARY = [
    "Connection timeout cut from 1 s to 300ms after the incident.",
    "Retries back off from 0.2 s, doubling, capped at 5 s, at most 4 attempts.",
    "The cache grew to 2 GiB; we set the limit at 1.5GB and 80% of RSS.",
    "Upgraded from v1.2.3 to 3.11.4 and rolled back to 2.0.0-rc.1 at 10:42:13 UTC.",
    "2026-03-14T03:12:09Z pager fired; 2026-03-14 03:40 mitigated; 14/03/2026 review.",
    "Throughput fell from 1,200 rps to 300 req/s; p99 went to 4500 ms (+15%).",
    "Batch sizes 128 256 1024 were tried; 512 won. Ticket OPS-4412, PR #9981.",
    "commit 3f786850e387550fdab836ed7e6dc881de23001b reverted the change",
    "The key takeaway: the token bucket refills at 50 tokens/s with a burst of 100.",
    "Password: rotation was overdue, and the secret: nobody owned it.",
    "max_tokens=4096, retry_token_bucket=5/s, pass=3 and keys=[a, b]",
    "std::vector<int> grew; 10:42 to 11:05 (23 min); uptime 99.95% over 30 d.",
    "Call the carrier API at most 3 times; the on-call rotation is 7 days.",
    "Our password policy requires 12 characters; the API key rotation is every 90 days.",
    "access_token=None was passed, so the client fell back to anonymous.",
    "bucket.token = refill_rate - 1; {\"token\": \"per_partner\"} in the limiter config.",
    "Bearer tokens expire after 15 minutes, and basic auth is disabled.",
    "Sizes: 10.5 MB, 1.0.0.0 is not reached; build 4.18.2.1 shipped; 255.255.255 masks.",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_incident_text_is_left_alone(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert result.counts == {}


_UNITS = ["ms", "s", " s", "sec", " seconds", "m", "min", "h", "d", "GiB", " GB", "MB",
          "KiB", "%", " rps", " req/s", " retries", "x", ""]


@given(
    number=st.one_of(st.integers(0, 10**9).map(str),
                     st.floats(0, 10**6, allow_nan=False).map(lambda f: f"{f:.3g}")),
    unit=st.sampled_from(_UNITS),
    before=st.sampled_from(["timeout ", "cap at ", "from ", "(", "≤ ", "up to ", ""]),
)
def test_quantities_are_never_redacted(number: str, unit: str, before: str) -> None:
    text = f"{before}{number}{unit} then"
    assert redact(text, ip_addresses=True).text == text


@given(parts=st.lists(st.integers(0, 999), min_size=2, max_size=3),
       suffix=st.sampled_from(["", "-rc.1", "b2", ".post1"]))
def test_version_numbers_are_never_redacted(parts: list[int], suffix: str) -> None:
    text = "upgraded to v" + ".".join(map(str, parts)) + suffix + " today"
    assert redact(text, ip_addresses=True).text == text


@given(st.datetimes())
def test_timestamps_are_never_redacted(moment) -> None:
    for text in (moment.isoformat(), moment.strftime("%Y-%m-%d %H:%M:%S"),
                 moment.strftime("%d/%m/%Y %H:%M"), moment.strftime("%b %d %H:%M:%S")):
        assert redact(f"at {text} the pager fired", ip_addresses=True).counts == {}


@given(st.lists(st.sampled_from([s.line for s in SEEDED] + ORDINARY), max_size=6),
       st.text(max_size=40))
def test_redacting_twice_changes_nothing(lines: list[str], noise: str) -> None:
    once = redact("\n".join(lines) + noise, ip_addresses=True, names=["Ana Souza"])
    twice = redact(once.text, ip_addresses=True, names=["Ana Souza"])
    assert twice.text == once.text
    assert twice.counts == {}


def test_ip_addresses_only_on_request() -> None:
    text = "the pod at 10.0.3.17 and fe80::1ff:fe23:4567:890a dropped; v10.1.2.3 shipped"
    assert redact(text).text == text
    result = redact(text, ip_addresses=True)
    assert result.text == ("the pod at [REDACTED:ip_address] and [REDACTED:ip_address] "
                           "dropped; v10.1.2.3 shipped")
    assert result.counts == {"ip_address": 2}


def test_not_addresses_stay_even_with_ip_on() -> None:
    text = "10.0.0.256, 1.2.3.4.5, 10:42:13, std::vector, a time of 12:30"
    assert redact(text, ip_addresses=True).text == text


def test_names_are_whole_words_any_case_across_line_breaks() -> None:
    text = "Ana Souza paged ANA\nSOUZA; Anastasia and Banana were not involved; ana's fix"
    result = redact(text, names=["Ana Souza", "Ana"])
    assert result.text == ("[REDACTED:name] paged [REDACTED:name]; Anastasia and Banana "
                           "were not involved; [REDACTED:name]'s fix")
    assert result.counts == {"name": 3}


def test_non_ascii_text_keeps_positions_right() -> None:
    # "İ" lower-cases to two characters; the spans must still land on the secret.
    result = redact("İİİ Straße: ana@example.com, München ✓")
    assert result.text == "İİİ Straße: [REDACTED:email], München ✓"


def test_placeholders_look_alike() -> None:
    result = redact("\n".join(s.line for s in SEEDED), ip_addresses=True)
    for token in PLACEHOLDER_RE.findall(result.text):
        assert token[len("[REDACTED:"):-1] in SECRET_TYPES


def test_empty_text() -> None:
    assert redact("").text == ""
    assert redact("").total == 0
