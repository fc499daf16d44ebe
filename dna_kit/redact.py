"""Replace secrets and personal data with typed placeholders before text is stored or sent.

Every piece of source text that goes into a finding, or to a language model, passes through
:func:`redact` first. A secret becomes ``[REDACTED:<type>]`` (the type says what was there,
so a reviewer still understands the sentence); the counts say how much was removed.

>>> r = redact("page ana@example.com; key AKIAIOSFODNN7EXAMPLE; timeout cut to 300ms")
>>> r.text
'page [REDACTED:email]; key [REDACTED:aws_access_key]; timeout cut to 300ms'
>>> r.counts
{'aws_access_key': 1, 'email': 1}

The patterns are written for precision on incident text: quantities ("300ms", "5 s",
"2 GiB"), version numbers, dates, times and durations are left alone, because the numbers
*are* the knowledge a postmortem holds. Placeholders never match a pattern, so redacting
twice changes nothing.
"""

from __future__ import annotations

import heapq
import ipaddress
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

__all__ = ["PLACEHOLDER_RE", "SECRET_TYPES", "Redacted", "placeholder", "redact", "redaction_spans"]

#: Matches a placeholder this module writes, e.g. ``[REDACTED:github_token]``.
PLACEHOLDER_RE = re.compile(r"\[REDACTED:[a-z_]+\]")


def placeholder(kind: str) -> str:
    """The text that stands in for a secret of type ``kind``."""
    return f"[REDACTED:{kind}]"


@dataclass(frozen=True)
class Redacted:
    """Redacted ``text`` and how many secrets of each type were replaced."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """How many replacements were made in all."""
        return sum(self.counts.values())

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class _Rule:
    """One kind of secret and how to find it.

    Only ``group`` of a match is replaced, so "postgres://app:pw@db" keeps its user and
    host readable. ``hints`` are lower-case literals of which every match contains one:
    a rule whose hints are all absent is skipped. ``lower`` rules are written in lower case
    and run on the ASCII-lowered text, which lets the regex engine scan for their literal
    prefix instead of trying every position case-insensitively (ten times faster).
    ``not_after`` are characters that may not come right before the match; checking them
    in Python rather than with a look-behind keeps that fast scan too. ``anchored`` rules
    start ``back`` characters before one of their hints and are tried only there (found
    with ``str.find``, far faster than the regex engine scanning an alternation). A
    ``finder`` replaces the pattern where a regular expression alone would be slow or
    imprecise.
    """

    kind: str
    pattern: re.Pattern[str]
    group: int = 0
    accept: Callable[[str], bool] | None = None
    hints: tuple[str, ...] = ()
    lower: bool = False
    not_after: str = ""
    finder: Callable[[str, str], Iterable[tuple[int, int]]] | None = None
    anchored: bool = False
    back: int = 0


def _rule(kind: str, pattern: str, *, flags: int = 0, **options: object) -> _Rule:
    return _Rule(kind, re.compile(pattern, flags), **options)  # type: ignore[arg-type]


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _mixed(text: str) -> bool:
    """Upper, lower and digit all present: random keys are; words and hashes are not."""
    return (any(c.isupper() for c in text) and any(c.islower() for c in text)
            and any(c.isdigit() for c in text))


_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_B64 = _ALNUM + "/+="

# Names under which configuration files and logs keep secrets ("password=...",
# "api_key: ...", '"client_secret": "..."'), in lower case; a prefix such as "db_" or
# "STRIPE_" is allowed because "_" is not in ``not_after``. Passwords can be any word;
# tokens and keys are machine-made, so their values must also look it (see below).
_PASSWORD_NAMES = r"(?:password|passwd|pwd|pass)"
_TOKEN_NAMES = (
    r"(?:secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|"
    r"refresh[_-]?token|private[_-]?key[_-]?id|subscription[_-]?key|x-api-key|token)"
)
# Where each of those names can start.
_TOKEN_ANCHORS = ("secret", "client", "api", "access", "auth", "refresh", "private",
                  "subscription", "x-api", "token")

# Values that name a secret without being one: empties, placeholders, references.
_NOT_A_SECRET_RE = re.compile(
    r"^(?:none|null|nil|true|false|undefined|empty|redacted|x+|\*+|\.+|"
    r"[$%{<\[].*|os\.environ.*|env\(.*|getenv.*|process\.env.*)$", re.IGNORECASE)


def _looks_secret(value: str) -> bool:
    return not _NOT_A_SECRET_RE.match(value)


def _looks_secret_unquoted(value: str) -> bool:
    # After "Password:" prose is common ("Password: rotation was overdue"); a secret there
    # has a digit or symbol in it.
    return (_looks_secret(value) and any(not c.isalpha() for c in value)
            and not value.endswith("."))


def _looks_machine_made(value: str) -> bool:
    # "token = refill_rate" in code about a token bucket is not a secret; a real token or
    # key is long and has digits in it.
    return (_looks_secret(value) and len(value) >= 8 and any(c.isdigit() for c in value)
            and not value.endswith("."))


def _setting_rules() -> tuple[_Rule, ...]:
    """``name=value``, ``name: "value"`` and ``name: value`` for passwords and tokens."""
    rules: list[_Rule] = []
    for names, hints, loose, strict in (
            (_PASSWORD_NAMES, ("pass", "pwd"), _looks_secret, _looks_secret_unquoted),
            (_TOKEN_NAMES, _TOKEN_ANCHORS, _looks_machine_made, _looks_machine_made)):
        rules += [
            # "&" ends the value only where a query parameter follows ("&user=ana");
            # inside a password ("Hx!a&3") it is part of it, and none of it is kept.
            _rule("password", names + r"[\"']?\s*=\s*[\"']?((?:[^\s\"',;&)\]}<>]|"
                  r"&(?![A-Za-z_][\w.\-]*=)){4,200})",
                  group=1, lower=True, accept=loose, hints=hints, not_after=_ALNUM,
                  anchored=True),
            _rule("password", names + r"[\"']?\s*:\s*([\"'])([^\s\"']{4,200})\1",
                  group=2, lower=True, accept=loose, hints=hints, not_after=_ALNUM,
                  anchored=True),
            _rule("password", names + r"\s*:\s*([^\s\"',;<>\[]{6,200})",
                  group=1, lower=True, accept=strict, hints=hints, not_after=_ALNUM,
                  anchored=True),
        ]
    return tuple(rules)


_DATE_RE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")
_B64_RUN = re.compile(r"[A-Za-z0-9/+]*")
_B64_CHARS = frozenset(_ALNUM + "/+")


def _find_bare_aws_secret(text: str, lowered: str) -> Iterator[tuple[int, int]]:
    # Read outwards from each "/" and "+": every such key has one, prose rarely does, and
    # a pattern starting with a character class would be retried inside every word.
    positions = sorted({i for sep in "/+" for i in _find_all(text, sep)})
    last_end = -1
    for at in positions:
        if at < last_end:
            continue
        start = at
        while start > 0 and text[start - 1] in _B64_CHARS:
            start -= 1
        run = _B64_RUN.match(text, at)
        end = run.end() if run else at
        last_end = end
        if end - start != 40 or (end < len(text) and text[end] == "="):
            continue
        if start > 0 and text[start - 1] == "=":
            continue
        if _mixed(text[start:end]):
            yield start, end


def _find_all(text: str, needle: str) -> Iterator[int]:
    at = text.find(needle)
    while at >= 0:
        yield at
        at = text.find(needle, at + 1)


_EMAIL_DOMAIN = re.compile(
    r"[a-z0-9](?:[a-z0-9\-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]{0,62}[a-z0-9])?)*"
    r"\.[a-z]{2,24}(?![a-z0-9\-])")
_EMAIL_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._%+-")


def _find_emails(text: str, lowered: str) -> Iterator[tuple[int, int]]:
    # Anchored on "@" and read outwards: a regular expression starting with the local part
    # would be tried at every letter of the text, which is slow on a long unbroken line.
    at = lowered.find("@")
    while at >= 0:
        start = at
        while start > 0 and at - start < 64 and lowered[start - 1] in _EMAIL_LOCAL:
            start -= 1
        while start < at and not lowered[start].isalnum():
            start += 1
        domain = _EMAIL_DOMAIN.match(lowered, at + 1) if start < at else None
        if domain is not None and (start == 0 or text[start - 1] not in _ALNUM + "_.+-"):
            yield start, domain.end()
            at = lowered.find("@", domain.end())
        else:
            at = lowered.find("@", at + 1)


# "(415) 555-0132", "415-555-0132", "415.555.0132"; not "128 256 1024" (sizes) nor dates.
_NANP_RE = re.compile(r"\(\d{3}\) ?\d{3}[-. ]\d{4}|\d{3}-\d{3}-\d{4}|\d{3}\.\d{3}\.\d{4}")

# Order is priority: when two matches overlap, the earlier rule wins, so a JWT inside a
# bearer header is counted once, as a JWT, and a password inside a URL is not also an e-mail.
_RULES: tuple[_Rule, ...] = (
    _rule("private_key",
          r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
          r"(?:.*?-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\:-]*)",
          flags=re.DOTALL, hints=("private key",)),
    _rule("url_password", r"://[^\s:/@\[\]]{1,64}:([^\s@/\[\]]{1,128})@[\w.\-]", group=1,
          hints=("://",), accept=lambda s: not s.startswith("[REDACTED")),
    _rule("slack_webhook",
          r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/\-]{16,}",
          hints=("hooks.slack.com",)),
    _rule("jwt", r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
          hints=("eyj",), not_after=_ALNUM + "_-", anchored=True),
    _rule("aws_access_key",
          r"(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)[A-Z0-9]{16}"
          r"(?![A-Za-z0-9])",
          hints=("akia", "asia", "abia", "acca", "agpa", "aida", "aipa", "anpa", "anva",
                 "aroa", "apka"), not_after=_ALNUM, anchored=True),
    _rule("gcp_api_key", r"AIza[0-9A-Za-z_\-]{35}(?![\w\-])", hints=("aiza",),
          not_after=_ALNUM + "_-"),
    _rule("gcp_oauth_token", r"ya29\.[0-9A-Za-z_\-]{20,}", hints=("ya29.",),
          not_after=_ALNUM + "_."),
    _rule("github_token", r"(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})",
          hints=("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
          not_after=_ALNUM + "_", anchored=True),
    _rule("gitlab_token",
          r"gl(?:pat|ptt|dt|rt|cbt|oas|soat|ffct|imt|agent|ft)-[A-Za-z0-9_\-]{20,}",
          hints=("glpat-", "glptt-", "gldt-", "glrt-", "glcbt-", "gloas-", "glsoat-",
                 "glffct-", "glimt-", "glagent-", "glft-"), not_after=_ALNUM + "_-",
          anchored=True),
    _rule("slack_token", r"(?:xox[abposre]|xapp)-[A-Za-z0-9\-]{10,}",
          hints=("xox", "xapp-"), not_after=_ALNUM, anchored=True),
    _rule("stripe_key",
          r"(?:(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{24,})",
          hints=("sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_", "pk_test_",
                 "whsec_"), not_after=_ALNUM + "_", anchored=True),
    _rule("openai_key", r"sk-(?:proj-|svcacct-|admin-|ant-[a-z0-9]+-)?[A-Za-z0-9_\-]{20,}",
          accept=lambda s: _digits(s) >= 2, hints=("sk-",), not_after=_ALNUM + "_-"),
    _rule("azure_key", r"(?:accountkey|sharedaccesskey|sharedsecret)=([a-z0-9+/]{30,}={0,2})",
          group=1, lower=True, hints=("accountkey=", "sharedaccesskey=", "sharedsecret="),
          anchored=True),
    _rule("azure_key", r"[?&]sig=([A-Za-z0-9%+/=]{20,})", group=1, hints=("sig=",),
          anchored=True, back=1),
    _rule("azure_key", r"[A-Za-z0-9_~.\-]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}(?![A-Za-z0-9_~.\-])",
          hints=("q~",), not_after=_ALNUM + "_~.-", anchored=True, back=4),
    _rule("bearer_token", r"bearer\s+([a-z0-9\-._~+/]{16,}=*)", group=1, lower=True,
          hints=("bearer",), not_after=_ALNUM, accept=_looks_secret, anchored=True),
    _rule("basic_auth", r"authorization[\"']?\s*[:=]\s*[\"']?basic\s+([a-z0-9+/]{8,}={0,2})",
          group=1, lower=True, hints=("authorization",), not_after=_ALNUM, anchored=True),
    _rule("aws_secret_key",
          r"(?:aws_?secret(?:_?access)?_?key|secret_?access_?key)[\"']?\s*[:=]\s*[\"']?"
          r"([a-z0-9/+]{40})(?![a-z0-9/+])", group=1, lower=True, hints=("aws", "secret"),
          anchored=True),
    # A bare 40-character key (the AWS secret shape) has a "/" or "+" and mixed case;
    # git hashes (lower-case hex) and words do not.
    _Rule("aws_secret_key", _B64_RUN, hints=("/", "+"), finder=_find_bare_aws_secret),
    # "password=hunter2", 'api_key: "abc123..."', '"client_secret": "..."'.
    *_setting_rules(),
    _Rule("email", _EMAIL_DOMAIN, hints=("@",), finder=_find_emails),
    # Phone numbers: international (+CC ...), North American with separators, or any
    # 7-15 digit run right after a word that says it is a phone number.
    _rule("phone", r"\+\d{1,3}(?:[ .\-]?\(?\d{1,4}\)?){2,6}(?![\w.]*\d)",
          accept=lambda s: 8 <= _digits(s) <= 15, hints=("+",), not_after=_ALNUM + "_+",
          anchored=True),
    _rule("phone", r"[(\d]\d{2,3}[-.)] ?\d{3}[-. ]\d{4}(?![\w\-]|\.\d)",
          accept=_NANP_RE.fullmatch, not_after=_ALNUM + "_.+-/:"),
    _rule("phone",
          r"(?:phone|tel|telephone|mobile|cell|cellphone|pager|sms|whatsapp)\b"
          r"(?: number| no\.?| nr\.?)?[ \t]*(?:[:#=\-]|is|on|at)?[ \t]*(\+?\d[\d ().\-]{5,20}\d)",
          group=1, lower=True, not_after=_ALNUM,
          accept=lambda s: 7 <= _digits(s) <= 15 and not _DATE_RE.match(s),
          hints=("phone", "tel", "mobile", "cell", "pager", "sms", "whatsapp"), anchored=True),
)

def _ipv4(text: str) -> bool:
    return all(int(octet) <= 255 and (octet == "0" or not octet.startswith("0"))
               for octet in text.split("."))


_IPV6_CHARS = frozenset("0123456789abcdef:.")
_IPV6_ANCHOR = re.compile(r":[0-9a-f]{0,4}:")


def _find_ipv6(text: str, lowered: str) -> Iterator[tuple[int, int]]:
    # Two colons close together are rare in prose and never in a time ("10:42:13" has
    # digits between), so find those fast, grow the run of address characters around
    # them, and let the standard library decide whether it is an address.
    position = 0
    while match := _IPV6_ANCHOR.search(lowered, position):
        start, end = match.start(), match.end()
        while start > 0 and lowered[start - 1] in _IPV6_CHARS:
            start -= 1
        while end < len(lowered) and lowered[end] in _IPV6_CHARS:
            end += 1
        position = end
        while end > start and lowered[end - 1] == ".":
            end -= 1
        if (start > 0 and text[start - 1] in _ALNUM + "_") or (
                end < len(text) and text[end] in _ALNUM + "_"):
            continue
        try:
            ipaddress.IPv6Address(lowered[start:end])
        except ValueError:
            continue
        yield start, end


_IP_RULES: tuple[_Rule, ...] = (
    _Rule("ip_address", _IPV6_ANCHOR, hints=(":",), finder=_find_ipv6),
    _rule("ip_address", r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\w|\.\d)", hints=(".",),
          accept=_ipv4, not_after=_ALNUM + "_."),
)

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _ascii_lower(text: str) -> str:
    # str.lower() may lengthen non-ASCII text ("İ" becomes two characters), which would
    # shift every span; then lower A-Z only (slower, but never changes the length).
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.translate(_ASCII_LOWER)


def _anchored_matches(rule: _Rule, haystack: str, lowered: str) -> Iterator[re.Match[str]]:
    positions = {at - rule.back for hint in rule.hints for at in _find_all(lowered, hint)}
    last_end = -1
    for at in sorted(positions):
        if at < 0 or at < last_end:  # matches of one rule never overlap, as with finditer
            continue
        match = rule.pattern.match(haystack, at)
        if match is not None:
            last_end = match.end()
            yield match


def _spans(rule: _Rule, text: str, lowered: str) -> Iterable[tuple[int, int]]:
    if rule.finder is not None:
        yield from rule.finder(text, lowered)
        return
    haystack = lowered if rule.lower else text
    for match in (_anchored_matches(rule, haystack, lowered) if rule.anchored
                  else rule.pattern.finditer(haystack)):
        start = match.start(0)
        if rule.not_after and start > 0 and text[start - 1] in rule.not_after:
            continue
        g_start, g_end = match.span(rule.group)
        if g_start < 0:
            continue
        if rule.accept is not None and not rule.accept(text[g_start:g_end]):
            continue
        yield g_start, g_end


def _name_rule(names: Iterable[str]) -> _Rule | None:
    # Longest first, so "Ana Souza" is replaced whole before "Ana" alone is considered.
    cleaned = sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, n.lower().split())) for n in cleaned)
    return _rule("name", rf"(?:{alternatives})(?!\w)", lower=True, not_after=_ALNUM + "_")


def redaction_spans(text: str, *, names: Iterable[str] = (),
                    ip_addresses: bool = False) -> list[tuple[int, int, str]]:
    """Where :func:`redact` would replace text: sorted ``(start, end, type)``, no overlaps.

    For callers that must map positions in redacted text back to the original (the model
    extractor turns a quote from redacted text into source line numbers this way).

    >>> redaction_spans("mail ana@example.com now")
    [(5, 20, 'email')]
    """
    if not text:
        return []
    rules: list[_Rule] = list(_RULES)
    if ip_addresses:
        rules += _IP_RULES
    name_rule = _name_rule(names)
    if name_rule is not None:
        rules.append(name_rule)
    lowered = _ascii_lower(text)
    # Collect every rule's spans against the original text, then keep them by priority:
    # a span overlapping one already kept (from an earlier rule) is dropped.
    starts: list[int] = []
    kept: list[tuple[int, int, str]] = []
    for rule in rules:
        if rule.hints and not any(h in lowered for h in rule.hints):
            continue
        # One rule's own matches never overlap each other, so check them all against what
        # earlier rules kept, then merge once: linear, where inserting one by one into a
        # sorted list is quadratic on a text full of addresses.
        fresh: list[tuple[int, int, str]] = []
        for start, end in _spans(rule, text, lowered):
            i = bisect_left(starts, start)
            if i > 0 and kept[i - 1][1] > start:
                continue
            if i < len(kept) and kept[i][0] < end:
                continue
            fresh.append((start, end, rule.kind))
        if fresh:
            kept = list(heapq.merge(kept, fresh))
            starts = [span[0] for span in kept]
    return kept


def redact(text: str, *, names: Iterable[str] = (), ip_addresses: bool = False) -> Redacted:
    """Replace secrets and personal data in ``text`` with ``[REDACTED:<type>]``.

    Always: cloud keys (AWS, GCP, Azure), code-host tokens (GitHub, GitLab), Slack tokens
    and webhooks, Stripe-style and ``sk-`` keys, JWTs, bearer and basic credentials,
    private key blocks, passwords in URLs and in ``password=``-style settings, e-mail
    addresses and phone numbers. With ``ip_addresses=True`` also IPv4/IPv6 addresses; each
    of ``names`` (people, customers) is replaced wherever it appears as a whole word.

    >>> redact("ssh ops@10.0.3.7 as Ana Souza", names=["Ana Souza"], ip_addresses=True).text
    'ssh ops@[REDACTED:ip_address] as [REDACTED:name]'
    """
    kept = redaction_spans(text, names=names, ip_addresses=ip_addresses)
    if not kept:
        return Redacted(text, {})
    parts: list[str] = []
    position = 0
    counts: Counter[str] = Counter()
    for start, end, kind in kept:
        parts += [text[position:start], placeholder(kind)]
        position = end
        counts[kind] += 1
    parts.append(text[position:])
    return Redacted("".join(parts), dict(sorted(counts.items())))


#: The types :func:`redact` can report, in priority order.
SECRET_TYPES: tuple[str, ...] = tuple(dict.fromkeys(
    [r.kind for r in _RULES] + [r.kind for r in _IP_RULES] + ["name"]))
