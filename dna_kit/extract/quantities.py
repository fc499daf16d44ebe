"""Values with units found in a sentence, named from the words around them.

"connection timeout cut from 1 s to 300 ms" gives ``connect_timeout: 300ms`` and
``connect_timeout_before: 1s``. Every value is written compactly (``300ms``, ``45min``,
``2GiB``, ``80%``) and checked with :func:`dna_kit.units.parse_quantity`; a value that does
not parse is dropped rather than guessed.

>>> find_params("The connection timeout was cut from 1 s to 300 ms.")
{'connect_timeout': '300ms', 'connect_timeout_before': '1s'}
"""

from __future__ import annotations

import re
from functools import lru_cache

from dna_kit.errors import InvalidFinding
from dna_kit.units import parse_quantity

__all__ = ["NUMBER_WORD", "find_params", "find_quantities", "has_number_word",
           "may_hold_digits"]

_DURATION = {
    "ms": "ms", "msec": "ms", "millisecond": "ms", "milliseconds": "ms",
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "min": "min", "mins": "min", "minute": "min", "minutes": "min",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "day": "d", "days": "d", "week": "w", "weeks": "w",
    "µs": "us", "us": "us", "microseconds": "us", "ns": "ns", "nanoseconds": "ns",
}
_SIZE = ("KB", "MB", "GB", "TB", "PB", "KiB", "MiB", "GiB", "TiB", "kB", "bytes", "B")
_PERCENT = ("%", "percent")
_RATE = {"rps": "rps", "qps": "qps", "tps": "tps", "rpm": "rpm", "req/s": "/s",
         "requests per second": "/s", "requests/s": "/s", "per second": "/s",
         "/s": "/s", "/sec": "/s", "per minute": "/min", "/min": "/min",
         "per hour": "/h", "/h": "/h", "an hour": "/h", "a minute": "/min",
         "a second": "/s"}
_COUNTED = ("retries", "retry", "attempts", "attempt", "nodes", "node", "pods", "pod",
            "replicas", "replica", "connections", "connection", "threads", "workers",
            "instances", "requests", "shards", "partitions", "cores", "vcpus", "cpus",
            "servers", "hosts", "times", "x", "items", "messages", "transactions", "tx",
            "packages", "files", "users", "queries", "ips", "ip addresses", "addresses")

_UNITS = sorted([*_DURATION, *_SIZE, *_PERCENT, *_RATE, *_COUNTED], key=len, reverse=True)
# Numbers written as words count too ("retried ten times", "for two hours"), before a unit
# written out in full.
_NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "fifteen": "15", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50",
    "sixty": "60", "ninety": "90", "hundred": "100", "thirteen": "13", "fourteen": "14",
    "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19", "seventy": "70",
    "eighty": "80"}
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_UNITS_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# "forty-five": a tens word and a units word.
_NUMBER_WORDS.update({f"{t}-{u}": str(int(_NUMBER_WORDS[t]) + int(_NUMBER_WORDS[u]))
                      for t in _TENS for u in _UNITS_WORDS})
# Thousands written with commas ("250,000"), spaces ("100 000"), thin or no-break spaces.
_GROUPED = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:[ \u2009\u202f\u00a0]\d{3})+(?![\d.,])"
_NUM = (_GROUPED + r"|\d+(?:\.\d+)?|(?:"
        + "|".join(sorted((w for w in _NUMBER_WORDS if "-" not in w), key=len, reverse=True))
        + r")(?:-(?:" + "|".join(_UNITS_WORDS) + r"))?\b")
# Only the plain words: "forty-five" starts with one.
NUMBER_WORD = re.compile(r"\b(?:" + "|".join(w for w in _NUMBER_WORDS if "-" not in w)
                         + r")\b", re.I)
_DIGIT = re.compile(r"\d")
_PLAIN_NUMBER_WORDS = frozenset(w for w in _NUMBER_WORDS if "-" not in w)
_WORD_RUNS = re.compile(r"\w+")


def has_number_word(text: str) -> bool:
    """Whether :data:`NUMBER_WORD` finds a number written as a word in ``text`` ("ten",
    "forty-five"): one pass over its words, several times cheaper than that search.

    >>> has_number_word("Retried ten times"), has_number_word("Retried 10 times")
    (True, False)
    """
    return not _PLAIN_NUMBER_WORDS.isdisjoint(_WORD_RUNS.findall(text.casefold()))
# "4 billion", "2.5 million": the word multiplies the number.
_MULT = r"(?:\s+(?P<mult>thousand|million|billion|trillion)\b)?"
_MULTIPLIERS = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
#: What may stand before a value and bound it ("up to 5 s"), in the order they are tried.
_BOUNDS = ("up to", "at most", "no more than", "never more than", "not more than", "at least",
           "more than", "less than", "over", "under", "about", "around", "roughly",
           "approximately", r"approx\.?", "~", "≈", "<=", ">=", "<", ">")
_QTY = re.compile(
    rf"(?<![\w.,/:#-])(?P<cmp>(?:{'|'.join(_BOUNDS)})\s*)?"
    rf"(?P<num>{_NUM}){_MULT}\s*(?P<plus>\+)?\s*"
    rf"(?P<unit>{'|'.join(re.escape(u) for u in _UNITS)})(?![\w])(?!/[a-z])"
    # "20 transactions per second": a count over a period is a rate.
    r"(?:\s*(?:/|per\s+|an?\s+)(?P<per>second|sec|s|minute|min|hour|hr|h|day)\b)?",
    re.I,
)
# Where a number written in digits starts, and a bound that ends where it starts (with the
# spaces after it): together they find _QTY's matches without trying it at every position.
_DIGITS_START = re.compile(r"(?<!\d)\d")
_BOUND_THEN = re.compile(rf"(?:{'|'.join(_BOUNDS)})\s*\Z", re.I)
_BOUND_SPAN = max(len(b.replace("\\", "").replace("?", "")) for b in _BOUNDS)


def _digit_values(text: str) -> list[re.Match[str]]:
    """The matches of :data:`_QTY` whose number is written in digits, as
    ``_QTY.finditer`` finds them, for less work: ``_QTY`` is tried only where a number in
    digits starts, or where a bound ends right before one. A value written in words ends
    before any bound that follows it, so leaving those out moves no match in digits.

    >>> [m.group() for m in _digit_values("capped at up to 5 s, then ten ms, 1.5 GiB")]
    ['up to 5 s', '1.5 GiB']
    """
    out: list[re.Match[str]] = []
    cursor = 0
    match, tail = _QTY.match, _BOUND_THEN.search
    for digit in _DIGITS_START.finditer(text):
        at = digit.start()
        if at < cursor:
            continue
        # A bound, then spaces, then the number: the bound starts at most this far back.
        k = at
        while k > cursor and text[k - 1].isspace():
            k -= 1
        low = max(cursor, k - _BOUND_SPAN)
        found = None
        while low < at:
            bound = tail(text, low, at)
            if bound is None:
                break
            m = match(text, bound.start())
            if m is not None and m.start("num") == at:
                found = m
                break
            low = bound.start() + 1
        if found is None:
            found = match(text, at)
        if found is not None:
            out.append(found)
            cursor = found.end()
    return out


_PERIOD = {"second": "s", "sec": "s", "s": "s", "minute": "min", "min": "min", "hour": "h",
           "hr": "h", "h": "h", "day": "d"}
_CMP = {"up to": "up to ", "at most": "at most ", "no more than": "at most ",
        "never more than": "at most ", "not more than": "at most ", "at least": "at least ",
        "more than": ">", "over": ">", "less than": "<", "under": "<", "~": "~", "≈": "~",
        "about": "~", "around": "~", "roughly": "~", "approximately": "~", "approx": "~",
        "approx.": "~", "<=": "<=", ">=": ">=", "<": "<", ">": ">"}
# Sizes as people type them ("10kb", "2gb"), written the way units are usually written.
_SIZE_CASE = {u.lower(): u for u in _SIZE if u != "kB"} | {"kb": "kB"}
# "tenfold", "3-fold": a factor, written like "10x".
_FOLD_WORDS = {w: n for w, n in _NUMBER_WORDS.items() if "-" not in w} | {"thousand": "1000"}
_FOLD = re.compile(r"\b(?:(?P<word>" + "|".join(_FOLD_WORDS) + r")|(?P<num>\d+(?:\.\d+)?)-?)"
                   r"fold\b", re.I)
# The units of time of a duration told in parts, largest first ("1 hour and 48 minutes").
_COMPOUND_ORDER = ("d", "h", "min", "s")
_JOINS_DURATIONS = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+)?", re.I)

# (pattern searched just before the value, name); the match nearest the value wins.
_NAMES: tuple[tuple[str, str], ...] = (
    (r"connect(?:ion)?s?\s+(?:establishment\s+)?time-?outs?", "connect_timeout"),
    (r"read\s+time-?outs?", "read_timeout"),
    (r"write\s+time-?outs?", "write_timeout"),
    (r"request\s+time-?outs?", "request_timeout"),
    (r"idle\s+time-?outs?", "idle_timeout"),
    (r"statement\s+time-?outs?", "statement_timeout"),
    (r"time-?outs?|time(?:s|d)? out|deadline", "timeout"),
    (r"back[- ]?offs?", "backoff"),
    (r"retry\s+(?:delay|interval|wait)", "retry_delay"),
    (r"retr(?:y|ies|ied)", "retries"),
    (r"attempts?", "max_attempts"),
    (r"error[- ]rate|errors?|fail(?:ed|ures?)", "error_rate"),
    (r"rate[- ]limit(?:s|ed|ing)?|throttl\w*", "rate_limit"),
    (r"\brate\b", "rate"),
    (r"\bttl\b|expir\w*|valid(?:ity)? for", "ttl"),
    (r"latenc\w+|p99|p95|p50|response time", "latency"),
    (r"interval|every|each|period", "interval"),
    (r"memory|\bram\b|heap|oom", "memory"),
    (r"disk|storage|volume", "disk"),
    (r"cache", "cache"),
    (r"pool", "pool_size"),
    (r"batch", "batch_size"),
    (r"queue|backlog", "queue"),
    (r"replicas?", "replicas"),
    (r"cpu", "cpu"),
    (r"threshold", "threshold"),
    (r"window", "window"),
    (r"delay|wait(?:ed|ing)?|lag", "delay"),
    (r"\blimit|\bcap(?:ped|s)?\b|max(?:imum)?|ceiling", "limit"),
    (r"\bmin(?:imum)?\b|floor", "minimum"),
    (r"\b(?:lasting|outage|downtime|for)\b", "duration"),
)
# All names in one pattern, earlier names first: one scan of the window finds them all. The
# word boundary they all start with is tested once, so most positions fail at once.
_NAME_RE = re.compile(r"\b(?:" + "|".join(rf"(?P<n{i}>{p})" for i, (p, _) in enumerate(_NAMES))
                      + ")", re.I)
_BY_DIMENSION = {"duration": "duration", "size": "size", "fraction": "ratio", "rate": "rate",
                 "count": "count"}
# Names that only make sense for some dimensions: "retries" of 5 s is a retry delay.
_NAME_FOR_DIMENSION = {
    ("retries", "duration"): "retry_delay", ("retries", "count"): "max_retries",
    ("memory", "fraction"): "memory_usage", ("disk", "fraction"): "disk_usage",
    ("cache", "duration"): "cache_ttl", ("cache", "size"): "cache_size",
    ("cpu", "fraction"): "cpu_usage", ("queue", "count"): "queue_size",
    ("limit", "duration"): "limit", ("error_rate", "count"): "errors",
    ("rate", "count"): "rate", ("interval", "count"): "interval",
}
_LIMITED = re.compile(r"\b(retr(?:y|ies)|attempts?|connections?|requests?|workers?|threads?|"
                      r"replicas?|nodes?|pods?|jobs?|uploads?|items?)\b", re.I)
_ANY = frozenset({"duration", "size", "fraction", "rate", "count"})
_TIME = frozenset({"duration"})
_HOW_MANY = frozenset({"count"})
#: The dimensions each name can hold; names not listed hold any.
_FITS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("connect_timeout", "read_timeout", "write_timeout", "request_timeout",
                     "idle_timeout", "statement_timeout", "timeout", "backoff", "retry_delay",
                     "ttl", "latency", "interval", "window", "delay", "duration"), _TIME),
    **dict.fromkeys(("max_attempts", "pool_size", "batch_size", "replicas"), _HOW_MANY),
    "retries": frozenset({"count", "duration"}),
    "memory": frozenset({"size", "fraction"}), "disk": frozenset({"size", "fraction"}),
    "cache": frozenset({"size", "duration", "fraction"}),
    "rate_limit": frozenset({"rate", "count"}), "rate": frozenset({"rate", "fraction"}),
    "error_rate": frozenset({"fraction", "count", "rate"}),
}
_GENERIC = frozenset(_BY_DIMENSION.values())
_FROM_BARE = re.compile(r"\bfrom\s+(?:about\s+|~)?(\d{1,3}(?:[, \u2009\u202f\u00a0]\d{3})+|"
                        r"\d+(?:\.\d+)?)\s+to\s+(?:about\s+|~)?$", re.I)
_FROM_TO = re.compile(r"\bfrom\s+(?:about\s+|roughly\s+|~)?$", re.I)


def _number(m: re.Match[str]) -> str:
    """The number of a match, with a "million" or "billion" after it multiplied in."""
    num = _SEPARATORS.sub("", m.group("num"))
    num = _NUMBER_WORDS.get(num.lower(), num)
    mult = m.group("mult")
    if not mult:
        return num
    value = float(num) * _MULTIPLIERS[mult.lower()]
    return str(int(value)) if value.is_integer() else str(value)


def _compact(m: re.Match[str]) -> str:
    num = _number(m)
    unit = m.group("unit")
    low = unit.lower()
    cmp = _CMP.get((m.group("cmp") or "").strip().lower(), "")
    plus = "+" if m.group("plus") else ""
    if low in _DURATION:
        text = f"{num}{plus}{_DURATION[low]}"
    elif low in ("%", "percent"):
        text = f"{num}{plus}%"
    elif low in _RATE:
        short = _RATE[low]
        text = f"{num}{plus}{short}" if short.startswith("/") else f"{num}{plus} {short}"
    elif low == "bytes":
        text = f"{num}{plus}B"
    elif unit in _SIZE or low in _SIZE_CASE:
        text = f"{num}{plus}{unit if unit in _SIZE else _SIZE_CASE[low]}"
    elif m.group("per") and low not in ("x", "times"):
        text = f"{num}{plus} {low}/{_PERIOD[m.group('per').lower()]}"
    elif low in ("x", "times"):
        text = f"{num}{plus}x"
    else:
        text = f"{num}{plus}"
    return cmp + text


# "raised the replication slots from 3 to 32": a change of a count without a unit.
_CHANGE_BARE = re.compile(
    r"\b(?:rais|lower|increas|decreas|reduc|bump|cut|chang|grow|grew|shrank|shrunk|scal|"
    r"dropp|mov|set|tun|adjust)\w*\b[^.;:]{0,60}?\bfrom\s+(?P<a>\d[\d,]*)\s+to\s+"
    r"(?P<b>\d[\d,]*)(?![\w:/%]|[.,]\d)", re.I)
_SEPARATORS = re.compile(r"[, \u2009\u202f\u00a0]")
# A number that names a thing rather than measures it: a release or version ("release 0.8",
# "v2.3.1", "1.270.0"), an id ("#4521", "ticket 4521", "PR 40640"), a time or a date.
_NAMES_A_THING = re.compile(
    r"(?:\b(?:releases?|versions?|v|builds?|revisions?|rev|tickets?|incidents?|issues?|"
    r"prs?|pull requests?|commits?|ids?|cves?|rfcs?|ports?|slots?|blocks?|heights?|epochs?|"
    r"errors?|http|status|codes?|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|"
    r"sep\w*|oct\w*|nov\w*|dec\w*)[ \t]*#?|#)$", re.I)
_VERSION_TAIL = re.compile(r"\.\d|:\d|-\d{2}\b")


def _names_a_thing(text: str, start: int, end: int) -> bool:
    """Whether the number at ``text[start:end]`` is a version, an id, a time or a date."""
    return bool(_NAMES_A_THING.search(text[max(0, start - 16):start])
                or _VERSION_TAIL.match(text, end))


# A bare number is a count only right after a limit word: "capped at 3", "at most 4".
_BARE = re.compile(r"\b(?:capped at|caps? (?:of|at)|limit(?:ed)? (?:of|to|at)|max(?:imum)?(?: of)?|"
                   r"at most|at least|no more than|up to)\s+(?P<num>\d+)"
                   rf"{_MULT}(?![\w:/%]|[.,]\d)", re.I)
_BARE_WORDS = ("cap", "limit", "max", "at most", "at least", "no more than", "up to")




@lru_cache(maxsize=8192)
def _dimension(value: str) -> str | None:
    """The dimension of a compact value, or None if it does not parse (values repeat)."""
    try:
        return parse_quantity(value).dimension
    except InvalidFinding:
        return None


def may_hold_digits(text: str) -> bool:
    """False when ``find_quantities(text, number_words=False)`` certainly finds nothing:
    no digit and no factor ("tenfold"). A cheap test, for a caller deciding whether a
    value could change what it does with ``text``.

    >>> may_hold_digits("Retries stop at three."), may_hold_digits("Retries stop at 3.")
    (False, True)
    """
    return "fold" in text or "Fold" in text or _DIGIT.search(text) is not None


def find_quantities(text: str, *, number_words: bool = True
                    ) -> list[tuple[int, int, str, str]]:
    """``(start, end, compact value, dimension)`` of every value with a unit in ``text``;
    with ``number_words=False``, only values written in digits (and factors: "tenfold").

    >>> find_quantities("capped at 5 seconds after 3 retries")
    [(10, 19, '5s', 'duration'), (26, 35, '3', 'count')]
    """
    found: list[tuple[int, int, str, str]] = []
    if not number_words and not may_hold_digits(text):
        return found
    if "fold" in text or "Fold" in text:
        for m in _FOLD.finditer(text):
            n = _FOLD_WORDS[m.group("word").lower()] if m.group("word") else m.group("num")
            found.append((m.start(), m.end(), f"{n}x", "count"))
    if not (_DIGIT.search(text) or (number_words and has_number_word(text))):
        return found
    for m in _QTY.finditer(text) if number_words else _digit_values(text):
        unit = m.group("unit").lower()
        if unit in ("s", "h", "b") and m.group("unit") not in ("s", "h", "B"):
            continue
        if m.group("num")[0].isalpha() and (not number_words or len(unit) <= 2):
            continue  # "ten ms" is not how it is said
        if unit == "s" and m.end("num") == m.start("unit") and _not_seconds(m, text):
            continue
        if m.group("num")[0].isdigit() and _names_a_thing(text, m.start("num"), m.end("num")):
            continue
        value = _compact(m)
        if unit == "times" and not _TIMES_FACTOR.match(text, m.end()):
            value = value[:-1]  # "retried 10 times" counts; "10 times the load" multiplies
        dimension = _dimension(value)
        if dimension is not None:
            found.append((m.start(), m.end(), value, dimension))
    taken = [(s, e) for s, e, _, _ in found]
    # Each pattern below needs one of these words: most sentences need neither.
    folded = text.casefold()
    if any(word in folded for word in _BARE_WORDS):
        for m in _BARE.finditer(text):
            start = m.start("num")
            if not any(s <= start < e for s, e in taken):
                found.append((start, m.end(), _number(m), "count"))
    if "from" in folded:
        for m in _CHANGE_BARE.finditer(text):
            if not any(s <= m.start("a") < e or s <= m.start("b") < e for s, e in taken):
                found.append((m.start("a"), m.end("a"), _SEPARATORS.sub("", m.group("a")),
                              "count"))
                found.append((m.start("b"), m.end("b"), _SEPARATORS.sub("", m.group("b")),
                              "count"))
    found.sort()
    return _join_durations(text, found)


_TIMES_FACTOR = re.compile(r"\s+(?:the|as|more|less|higher|lower|larger|bigger|smaller|"
                           r"faster|slower|greater|over)\b", re.I)


def _not_seconds(m: re.Match[str], text: str) -> bool:
    """An "s" written onto a number that is not a number of seconds: HTTP statuses ("a
    burst of 503s"), decades ("the 1990s"), and "100s of requests" (hundreds)."""
    num = m.group("num")
    if num.isdigit() and (400 <= int(num) <= 599 or 1900 <= int(num) <= 2099):
        return True
    return bool(re.match(r"\s+of\b", text[m.end():]))


def _join_durations(text: str, found: list[tuple[int, int, str, str]]
                    ) -> list[tuple[int, int, str, str]]:
    """Durations told in parts ("2 hours and 2 minutes", "1h 30m") as one value."""
    out: list[tuple[int, int, str, str]] = []
    for item in found:
        if out and _continues(text, out[-1], item):
            start, _, value, _ = out[-1]
            out[-1] = (start, item[1], _compound(value) + _compound(item[2]), "duration")
        else:
            out.append(item)
    return out


_PLAIN_DURATION = re.compile(r"^(\d+)(d|h|min|s)$")


def _continues(text: str, first: tuple[int, int, str, str],
               then: tuple[int, int, str, str]) -> bool:
    if first[3] != "duration" or then[3] != "duration":
        return False
    tail = _PLAIN_DURATION.match(then[2])
    head = re.search(r"(\d+)(d|h|min|s)$", first[2])
    if tail is None or head is None or not re.fullmatch(r"(?:\d+[dhms])*\d+(?:d|h|min|s)",
                                                         first[2].replace("min", "m")):
        return False
    if _COMPOUND_ORDER.index(head.group(2)) >= _COMPOUND_ORDER.index(tail.group(2)):
        return False
    joined = _JOINS_DURATIONS.match(text, first[1])
    return joined is not None and joined.end() == then[0]


def _compound(value: str) -> str:
    return value.replace("min", "m") if value.endswith("min") else value


_AFTER = re.compile(r"^\s*(?:of\s+)?(?:(?P<memory>memory|ram|heap)|(?P<disk>disk|storage)|"
                    r"(?P<connect_timeout>connect(?:ion)? time-?outs?)|"
                    r"(?P<read_timeout>read time-?outs?)|(?P<timeout>time-?outs?)|(?P<latency>latency)|(?P<backoff>back-?off))\b",
                    re.I)


def _name(before: str, unit: str, dimension: str, after: str = "") -> str:
    best: tuple[int, str] | None = None
    m_after = _AFTER.match(after)
    if m_after and m_after.lastgroup:
        name = m_after.lastgroup
        return _NAME_FOR_DIMENSION.get((name, dimension), name)
    if dimension == "rate":
        return "rate_limit" if re.search(r"limit|throttl|cap", before[-40:], re.I) else "rate"
    window = before[-70:]
    # Stop at the start of the clause: a name from an earlier clause is a guess.
    cut = max(window.rfind(". "), window.rfind("; "), window.rfind(", and "))
    if cut > 0:
        window = window[cut + 2:]
    for m in _NAME_RE.finditer(window):
        name = _NAMES[int(str(m.lastgroup)[1:])][1]
        # A name that cannot hold this kind of value ("batch size" of 8 s) is skipped.
        if dimension not in _FITS.get(name, _ANY):
            continue
        if best is None or m.end() > best[0]:
            best = (m.end(), name)
    unit = unit.lower()
    if dimension == "count" and unit in _COUNTED and unit not in ("x", "times"):
        noun = {"retries": "retries", "retry": "retries", "attempts": "max_attempts",
                "attempt": "max_attempts"}.get(unit)
        if noun and (best is None or best[1] in ("limit", "retries", "max_attempts")):
            return "max_retries" if noun == "retries" else noun
        if best is None:
            return re.sub(r"\W+", "_", unit.rstrip("s")) + "_count"
    if best is None:
        return _BY_DIMENSION[dimension]
    if best[1] == "limit" and dimension == "count":
        # "retries are capped at 3": the limit is on what the clause is about.
        limited = [m.group(1).lower() for m in _LIMITED.finditer(window)]
        if limited:
            last = limited[-1]
            return "max_retries" if last.startswith("retr") else f"max_{last.rstrip('s')}s"
    return _NAME_FOR_DIMENSION.get((best[1], dimension), best[1])


def find_params(text: str, quantities: list[tuple[int, int, str, str]] | None = None
                ) -> dict[str, str]:
    """Named values of a sentence: ``{name: compact value}``; a "from X to Y" change also
    gives ``name_before: X``.

    >>> find_params("Retries back off from 0.2 s, capped at 5 seconds, at most 4 attempts")
    {'backoff': '0.2s', 'limit': '5s', 'max_attempts': '4'}
    """
    params: dict[str, str] = {}
    if quantities is None:
        quantities = find_quantities(text)
    skip: set[int] = set()
    # "from X to Y" needs the word: without it, two patterns need not be searched.
    changes = "from" in text.casefold()
    for i, (start, end, value, dimension) in enumerate(quantities):
        if i in skip:
            continue
        unit_m = _QTY.match(text, start)
        unit = unit_m.group("unit") if unit_m else ""
        before = text[:start]
        if i + 1 < len(quantities) and re.fullmatch(
                r"\s*(?:->|→|=>)\s*", text[end:quantities[i + 1][0]]):
            nxt = quantities[i + 1]
            name = _unique(params, _name(before, unit, dimension))
            params[name] = nxt[2]
            params[_unique(params, name + "_before")] = value
            skip.add(i + 1)
            continue
        bare = _FROM_BARE.search(before) if changes else None
        if bare:  # "from 7 to 10 nodes": the first number has the second's unit
            name = _unique(params, _name(before[:bare.start()], unit, dimension))
            params[name] = value
            number = re.match(r"^(?:up to |at most |at least |[~<>=]+)?(\d+(?:\.\d+)?)",
                              value)
            if number:
                params[_unique(params, name + "_before")] = (
                    value[:number.start(1)] + _SEPARATORS.sub("", bare.group(1))
                    + value[number.end(1):])
            continue
        if changes and i + 1 < len(quantities) and _FROM_TO.search(before):
            nxt = quantities[i + 1]
            between = text[end:nxt[0]]
            if re.fullmatch(r"\s*(?:to|->|→|down to|up to)\s*(?:about\s+|~)?", between, re.I):
                head = before[: _FROM_TO.search(before).start()]  # type: ignore[union-attr]
                name = (_noun_before(head) if not unit else None) or _name(head, unit,
                                                                           dimension)
                name = _unique(params, name)
                params[name] = nxt[2]
                params[_unique(params, name + "_before")] = value
                skip.add(i + 1)
                continue
        name = _name(before, unit, dimension, text[end:end + 30])
        observed = _OBSERVED.search(before[-30:])
        if observed and (name in ("limit", "rate_limit", "threshold", "minimum")
                         or name.startswith("max_")):
            # "peaked at 80 requests/s": what was seen, not what is allowed.
            name = "peak" if observed.group(0).lower().startswith("peak") else "observed"
            value = re.sub(r"^(?:up to|at most|<=|<) ?", "", value)
        if value.endswith("x") and dimension == "count":  # "by 100x", "tenfold"
            name = "factor" if name in _GENERIC or name.endswith("_count") else f"{name}_factor"
        if name.startswith("max_") or name == "limit":  # the name already says "at most"
            value = re.sub(r"^(?:up to|at most|<=|<) ?", "", value)
        params[_unique(params, name)] = value
    return params


_OBSERVED = re.compile(r"\b(?:peak(?:ed|s)?|spik(?:ed|es)|reach(?:ed|es)|hit|topped out|"
                       r"measured|observed|averag(?:ed|es)|climbed|rose|jumped|saw|"
                       r"recorded)\b(?:\s+(?:at|to|of|about|around))?\s*(?:\S+\s+){0,3}$",
                       re.I)
_NOT_A_NOUN = frozenset(re.findall(r"\S+", (
    "the a an its their our was were is are been be has have had it they we this that "
    "from by got")))
_CHANGE_VERB = re.compile(r"(?:rais|lower|increas|decreas|reduc|bump|cut|chang|grow|grew|"
                          r"shrank|shrunk|scal|dropp|mov|set|tun|adjust)\w*", re.I)


def _noun_before(text: str) -> str | None:
    """The thing a bare "from 3 to 32" changes: the (up to two) words before it that are
    neither articles nor the verb of the change ("raised the replication slots" gives
    ``replication_slots``; "the job concurrency was raised", ``job_concurrency``)."""
    tokens = re.findall(r"[A-Za-z][\w-]*", text[-80:])
    while tokens and (tokens[-1].lower() in _NOT_A_NOUN
                      or _CHANGE_VERB.fullmatch(tokens[-1])):
        tokens.pop()
    noun: list[str] = []
    for token in reversed(tokens):
        if token.lower() in _NOT_A_NOUN or _CHANGE_VERB.fullmatch(token) or len(noun) == 2:
            break
        noun.insert(0, token.lower().replace("-", "_"))
    return "_".join(noun) or None


def _unique(params: dict[str, str], name: str) -> str:
    if name not in params:
        return name
    n = 2
    while f"{name}_{n}" in params:
        n += 1
    return f"{name}_{n}"
