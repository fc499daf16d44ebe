"""Word families, looked up once per sentence.

A sentence is split into lower-case words once; each family is a set of exact words,
prefixes (``decid*``) and phrases (``due_to``), so scoring a sentence costs one pass over
its words instead of one regular expression per family. That is what keeps extraction fast
enough for an archive (see benchmarks/bench_extract.py).

>>> CUE_LEXICON.count(words("We decided the retries must be capped."))["decision"]
1
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import reduce
from operator import or_

__all__ = ["CUE_LEXICON", "FAMILY_LEXICON", "Lexicon", "words"]

#: A phrase after its first word: the rest, its family, and the second word when that is
#: the whole rest and exact.
_Phrase = tuple[tuple[str, ...], str, str | None]

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """Lower-case words; hyphens split (``on-call`` → ``on``, ``call``); ``can't`` stays."""
    return _WORD.findall(text.lower().replace("’", "'"))


class _Memo(dict[str, int]):
    """A dict that works out a missing key's value (keeps the look-up in C)."""

    def __init__(self, work: Callable[[str], int]) -> None:
        super().__init__()
        self._work = work

    def __missing__(self, key: str) -> int:
        return self._work(key)


class Lexicon:
    """Named families of words, prefixes and phrases; :meth:`count` counts hits."""

    def __init__(self, families: Mapping[str, str]) -> None:
        self.names = tuple(families)
        self._exact: dict[str, list[str]] = {}
        self._prefix: dict[str, list[str]] = {}
        self._phrases: dict[str, list[_Phrase]] = {}
        for name, spec in families.items():
            for entry in spec.split():
                if "_" in entry:
                    parts = tuple(entry.split("_"))
                    rest = parts[1:]
                    # A two-word phrase whose second word is exact is one comparison.
                    single = rest[0] if len(rest) == 1 and not rest[0].endswith("*") else None
                    self._phrases.setdefault(parts[0], []).append((rest, name, single))
                elif entry.endswith("*"):
                    self._prefix.setdefault(entry[:-1], []).append(name)
                else:
                    self._exact.setdefault(entry, []).append(name)
        self._lengths = sorted({len(p) for p in self._prefix})
        # Words repeat (Zipf), so each word's families are worked out once and remembered.
        self._cache: dict[str, tuple[tuple[str, ...],
                                     list[_Phrase]]] = {}
        self._bit = {name: 1 << i for i, name in enumerate(self.names)}
        self._masks = _Memo(self._mask_of)
        self._names_of: dict[int, tuple[str, ...]] = {}

    def _families(self, token: str) -> tuple[tuple[str, ...], list[_Phrase]]:
        """The families ``token`` belongs to, and the phrases it may start."""
        found = list(self._exact.get(token, ()))
        for size in self._lengths:
            if size > len(token):
                break
            found += self._prefix.get(token[:size], ())
        if len(self._cache) > 500_000:
            self._cache.clear()
        result = self._cache[token] = (tuple(found), self._phrases.get(token, []))
        return result

    def mask(self, tokens: Sequence[str]) -> int:
        """A bit mask over :attr:`names` for ``tokens``: bit ``i`` for the families its
        words certainly show (words and prefixes), bit ``i + len(names)`` for those of the
        phrases its words may start. One ``|`` per word: lets a caller bound a sentence's
        families without counting them.

        >>> lex = Lexicon({"a": "due_to", "b": "due"})
        >>> bin(lex.mask(words("due now")))
        '0b110'
        """
        return reduce(or_, map(self._masks.__getitem__, tokens), 0)

    def present(self, tokens: Sequence[str], mask: int | None = None) -> tuple[str, ...]:
        """The families ``tokens`` show, in :attr:`names` order: the keys of
        :meth:`count`, for less work. Phrases are matched only for the families no word
        of the sentence already shows. ``mask`` (its :meth:`mask`) saves finding it again.

        >>> CUE_LEXICON.present(words("It failed due to a retry storm."))
        ('how_tech', 'reason')
        """
        if mask is None:
            mask = self.mask(tokens)
        size = len(self.names)
        certain = mask & ((1 << size) - 1)
        maybe = mask >> size & ~certain
        if maybe:
            certain |= self._phrase_mask(tokens, maybe)
        names = self._names_of.get(certain)
        if names is None:
            if len(self._names_of) > 100_000:
                self._names_of.clear()
            names = self._names_of[certain] = tuple(
                name for i, name in enumerate(self.names) if certain >> i & 1)
        return names

    def _phrase_mask(self, tokens: Sequence[str], wanted: int) -> int:
        """The bits of ``wanted`` whose families a phrase among ``tokens`` shows."""
        found = 0
        bit, phrases = self._bit, self._phrases
        n = len(tokens)
        for i, token in enumerate(tokens):
            follow = phrases.get(token)
            if not follow:
                continue
            for rest, name, single in follow:
                b = bit[name]
                if not wanted & b or found & b:
                    continue
                if single is not None:
                    if i + 1 < n and tokens[i + 1] == single:
                        found |= b
                    continue
                k = len(rest)
                if i + k < n and all(_fits(tokens[i + 1 + j], rest[j]) for j in range(k)):
                    found |= b
        return found

    def _mask_of(self, token: str) -> int:
        entry = self._cache.get(token)
        if entry is None:
            entry = self._families(token)
        found, follow = entry
        bit = self._bit
        mask = 0
        for name in found:
            mask |= bit[name]
        for _rest, name, _single in follow:
            mask |= bit[name] << len(self.names)
        if len(self._masks) > 500_000:
            self._masks.clear()
        self._masks[token] = mask
        return mask

    def count(self, tokens: Sequence[str]) -> dict[str, int]:
        """How many times each family occurs among ``tokens`` (families absent: not keys)."""
        hits: dict[str, int] = {}
        get, cache = hits.get, self._cache
        n = len(tokens)
        for i, token in enumerate(tokens):
            # One look-up per word gives both its families and the phrases it may start.
            entry = cache.get(token)
            if entry is None:
                entry = self._families(token)
            found, follow = entry
            for name in found:
                hits[name] = get(name, 0) + 1
            if follow:
                for rest, name, single in follow:
                    if single is not None:
                        if i + 1 < n and tokens[i + 1] == single:
                            hits[name] = get(name, 0) + 1
                        continue
                    k = len(rest)
                    if i + k < n and all(_fits(tokens[i + 1 + j], rest[j]) for j in range(k)):
                        hits[name] = get(name, 0) + 1
        return hits


def _fits(token: str, pattern: str) -> bool:
    return token.startswith(pattern[:-1]) if pattern.endswith("*") else token == pattern


#: Cue families: presence of each is a feature of a sentence (see rules.features).
CUE_LEXICON = Lexicon({
    "modal": "must should shall need_to needs_to needed_to have_to has_to require required "
             "requires ensure ensures ensured cannot can't can_not won't mandatory",
    "absolute": "always never only any every all no_longer at_all_times",
    "future": "we_will we'll will_be will_now going_to plan_to planning_to intend_to "
              "from_now_on going_forward in_the_future moving_forward",
    "decision": "decid* decision decisions chose choose opted agree agreed agrees agreement "
                "policy policies instead commit_to committed_to settled_on stick_to",
    "after_incident": "after_the_incident after_this_incident after_the_outage "
                      "after_this_outage since_the_incident since_this_incident "
                      "since_the_outage post_incident as_a_result",
    "limit": "limit* cap caps capped max maximum min minimum at_most at_least no_more_than "
             "threshold* exceed* quota budget bound bounded ceiling up_to",
    "how_tech": "timeout timeouts time_out time_outs timed_out retry retries retried backoff "
                "back_off circuit_breaker circuit_breakers rate throttl* latenc* pool* "
                "connection connections memory cpu disk capacity queue* batch* cach* ttl "
                "replica replicas node nodes scal* probe probes health_check health_checks "
                "load alert* monitor* saturat* exhaust* starv* oom resource resources "
                "concurren* parallel*",
    "comparison": "more_than less_than fewer greater higher lower faster slower rather_than "
                  "instead_of increas* decreas* reduc* rais* cut doubl* halv*",
    "reason": "because due_to caus* resulted_in resulting_in result_in led_to leads_to "
              "so_that in_order_to which_meant root_cause therefore thus hence why",
    "behaviour": "reject* accept* allow* prevent* validat* return* disallow* unaffected "
                 "not_affected contain* support* order_by ordered_by sort* dedup* evict* "
                 "verif* enforc* block* not_possible guarantee*",
    "lesson": "learn* lesson lessons realiz* should_have would_have could_have lucky "
              "in_hindsight turned_out takeaway highlight* insight",
    "process": "on_call oncall escalat* runbook runbooks documentation document documented "
               "communicat* review* approv* permission permissions access process processes "
               "training drill drills meeting meetings discuss* procedure procedures owner "
               "ownership",
    "order": "priorit* first before after order ordering sequen* precedence earlier "
             "later_than then",
    "we": "we our us",
    "noise": "thank thanks sorry apologis* apologiz* contact_us reach_out twitter status_page "
             "statuspage subscribe blog_post this_post read_more see_also feel_free "
             "feel_terrible we_feel proud grateful hired welcome congratulat* kudos shout_out",
    "past": "was were had did happened began started noticed saw found received tried "
            "realized discovered",
    "present": "is are does do can will",
    "conditional": "if when whenever unless once otherwise",
    "negation": "not no without lack* nobody none don't doesn't didn't isn't aren't wasn't "
                "weren't can't won't couldn't shouldn't wouldn't",
})

#: Word families that tell the layers apart; counts (up to 3) are layer features.
FAMILY_LEXICON = Lexicon({
    "why_words": "decid* decision agree* policy policies because due_to reason lesson "
                 "learn* should_have would_have hindsight on_call oncall escalat* "
                 "communicat* team teams process runbook runbooks documentation document "
                 "drill drills training review discuss* meeting cautious careful culture "
                 "people human humans manual manually responsib* owner* priorit* tradeoff "
                 "trade_off trade_offs risk appropriate intent chose instead permission "
                 "permissions access audit incident_response postmortem post_mortem "
                 "visibility awareness",
    "how_words": "timeout timeouts time_out timed_out retry retries retried backoff back_off "
                 "circuit rate throttl* latenc* pool connection connections memory cpu disk "
                 "capacity queue batch* cach* ttl replica replicas node nodes scal* probe "
                 "probes health load alert* monitor* saturat* exhaust* starv* oom resource "
                 "resources limit* threshold thresholds performance slow* fast* concurren* "
                 "throughput second seconds minute minutes hour hours byte bytes kb mb gb tb "
                 "kib mib gib tib config* deploy* rollout roll_out pod pods cluster "
                 "infrastructure upgrad* version",
    "what_words": "reject* accept* allow* disallow* validat* return* unaffected contain* only "
                  "user users customer customers request requests endpoint endpoints api "
                  "package packages account accounts data record records transaction "
                  "transactions item items entry entries block* sign* evict* dedup* order_by "
                  "ordered_by invalid valid exist exists behaviour behavior feature response "
                  "token tokens must_not never",
    "people": "team teams engineer engineers people staff support business community on_call "
              "oncall manager managers owner owners member members moderator moderators "
              "human humans someone nobody everyone",
    "practice": "process* policy policies review reviews approv* communicat* runbook runbooks "
                "documentation document drill drills meeting meetings discuss* escalat* "
                "agree* sla slas sla's training declar* coordinat* plan* schedul* follow_up "
                "followup workflow culture hands_on investigat*",
    "reasoning": "because due_to reason reasons why lesson lessons learn* assum* risk* "
                 "careful* cautious* realiz* should_have mistake mistakes understand* knowing "
                 "given decid* decision decisions chose tradeoff tradeoffs trade_off unclear "
                 "lack* missing failed_to unintended inadvertent*",
    "machinery": "pod pods node nodes cluster clusters kubernetes k8s deploy* rollout rollouts "
                 "roll_out config* monitor* alert* metric metrics dashboard dashboards log "
                 "logs logging probe probes health ci pipeline pipelines test tests linter "
                 "version* upgrad* daemonset daemonsets container containers instance "
                 "instances vm vms server servers database db connection connections pool "
                 "pools circuit cache* queue* worker workers",
    "limits": "timeout timeouts time_out retr* backoff back_off rate limit* capacity memory cpu "
              "disk latenc* threshold* second seconds minute minutes hour hours percent size "
              "bandwidth throughput load saturat* exhaust* starv*",
    # Generic behaviour of a system: what it takes in, stores, serves and sends back.
    "function": "request requests respons* return returns reject* accept* valid* invalid user "
                "users package packages file files transaction transactions table tables read "
                "reads write writes data api endpoint endpoints field fields record records "
                "fallback falls_back fall_back default status rout* traffic item items entry "
                "entries account accounts token tokens permission permissions role roles store "
                "stores stored serve serves served send sends fetch* download* upload* "
                "redirect* forward* publish* lookup lookups",
    "generic_present": "is are will would can cannot does do",
})
