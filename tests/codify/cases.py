"""The findings the golden files are rendered from, and the implementations each golden
test is run against (``ok`` must pass; every other variant must fail)."""

from __future__ import annotations

from typing import Any

from dna_kit.finding import Binding, Finding, parse_param

PROVENANCE = [{"source": "incidents/2026-03-carrier-outage.md", "line_start": 12,
               "line_end": 13, "quote": "Retries kept hammering the carrier for a minute.\n"
                                        "We cut the cap to 5 s."}]


def finding(number: int, title: str, statement: str, params: dict[str, Any],
            **extra: Any) -> Finding:
    return Finding.from_dict({
        "id": f"F-{number:04d}", "title": title, "statement": statement, "layer": "how",
        "kind": extra.pop("kind", "threshold"), "status": "accepted", "params": params,
        "provenance": PROVENANCE, **extra})


def binding(template: str, target: str, *, params: dict[str, Any] | None = None,
            **extra: Any) -> Binding:
    return Binding(template, target,
                   params={k: parse_param(k, v) for k, v in (params or {}).items()}, **extra)


#: template -> (finding, binding, {variant: must pass})
CASES: dict[str, tuple[Finding, Binding, dict[str, bool]]] = {
    "backoff_schedule": (
        finding(7, "Carrier retry backoff",
                "Carrier API retries back off from 0.2 s, doubling, capped at 5 s, at most "
                "4 attempts.",
                {"base": "0.2 s", "factor": "2", "cap": "5 s", "max_attempts": "4"},
                kind="retry_policy",
                rationale="A 60 s cap kept retrying through the carrier outage.",
                links={"decisions": ["docs/adr/0004-cap-carrier-retry-backoff.md"]}),
        binding("backoff_schedule", "service:backoff_delay"),
        {"ok": True, "cap6": False, "flat": False, "factor3": False}),
    "bounded": (
        finding(2, "ETA ceiling", "A delivery ETA is never above 90 minutes.",
                {"max": "90"}),
        binding("bounded", "service:eta_minutes", params={"min": "0"}, domain="int:0..500"),
        {"ok": True, "uncapped": False}),
    "monotonic": (
        finding(5, "Surcharge grows with load",
                "The surcharge never drops as the load grows.", {"direction": "increasing"}),
        binding("monotonic", "service:surcharge", domain="float:0..100"),
        {"ok": True, "dip": False}),
    "retry_limit": (
        finding(3, "Carrier retry limit",
                "At most 3 attempts; connection errors and timeouts are retried, a rejected "
                "request is not.",
                {"max_attempts": "3 attempts", "retry_on": ["ConnectionError", "TimeoutError"],
                 "give_up_on": ["ValueError"]}, kind="retry_policy"),
        binding("retry_limit", "service:call_with_retries"),
        {"ok": True, "extra_attempt": False, "retries_everything": False, "swallows": False}),
    "rate_limit": (
        finding(9, "Carrier rate limit", "No more than 5 requests a second to the carrier.",
                {"limit": "5", "window": "1s"}, kind="rate_limit"),
        binding("rate_limit", "service:make_limiter"),
        {"ok": True, "off_by_one": False, "fixed_window": False}),
    "priority_order": (
        finding(11, "Urgent orders first",
                "During a demand spike, urgent orders go first.",
                {"key": "priority", "order": "desc"}, kind="ordering_rule"),
        binding("priority_order", "service:next_batch", domain="int:0..5"),
        {"ok": True, "ascending": False, "drops": False}),
    "circuit_breaker": (
        finding(12, "Carrier circuit breaker",
                "After 3 consecutive carrier failures, stop calling it for 30 s.",
                {"failure_threshold": "3", "reset_timeout": "30s"}),
        binding("circuit_breaker", "service:make_breaker"),
        {"ok": True, "late": False, "short": False, "never_closes": False}),
    "idempotent": (
        finding(13, "Normalising an address is stable",
                "Normalising an already normalised address changes nothing.", {},
                kind="invariant"),
        binding("idempotent", "service:normalise", domain="text"),
        {"ok": True, "appends": False}),
    "roundtrip": (
        finding(14, "Labels survive the codec", "Decoding an encoded label gives it back.",
                {}, kind="invariant"),
        binding("roundtrip", "service:encode", domain="text",
                targets={"decode": "service:decode"}),
        {"ok": True, "lossy": False}),
    "equivalent": (
        finding(15, "Quote rewrite agrees", "The rewritten quote agrees with the old one.",
                {}, kind="invariant"),
        binding("equivalent", "service:quote", domain="int:0..1000",
                targets={"reference": "service:quote_reference"}),
        {"ok": True, "rounding": False}),
}
