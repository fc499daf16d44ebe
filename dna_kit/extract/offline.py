"""The offline extractor: rule cues over well-segmented sentences. No network, no model,
deterministic, and fast enough for an archive of write-ups (see benchmarks/bench_extract.py).

Steps: segment the document (:mod:`.segment`), score each sentence by its cues and its
section (:mod:`.scorer`), keep those reaching the weights' threshold, classify layer and
kind, name the values (:mod:`.quantities`), and drop near-duplicates (the same rule told
twice, say in the summary and the timeline), keeping the better-scored telling. Every step
takes the :class:`~dna_kit.extract.scorer.Weights` to use (default: the fitted ones).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from dna_kit.document import Document
from dna_kit.extract.candidate import Candidate, CandidateSource
from dna_kit.extract.lexicon import CUE_LEXICON, words
from dna_kit.extract.quantities import (
    find_params,
    find_quantities,
    has_number_word,
    may_hold_digits,
)
from dna_kit.extract.scorer import (
    DEFAULT,
    ScoreBound,
    Weights,
    classify,
    content_of,
    content_words,
    features,
    looks_like_injection,
    score,
    specificity_of,
)
from dna_kit.extract.segment import Sentence, segment

__all__ = ["DUPLICATE_JACCARD", "Scored", "extract_offline", "score_sentences"]

#: Two sentences sharing this share of their words state the same thing.
DUPLICATE_JACCARD = 0.7



def _title(sentence: Sentence) -> str:
    if sentence.label and not re.match(r"^[\d:\- TUCZ]+$", sentence.label):
        return sentence.label[:80]
    words = sentence.text.rstrip(".!:;").split()
    title = " ".join(words[:9])
    return title + ("…" if len(words) > 9 else "")


def _confidence(value: float) -> float:
    # The score is a logit fitted against annotations: its logistic is a probability.
    return round(min(0.95, max(0.05, 1.0 / (1.0 + math.exp(-value)))), 3)


@dataclass(frozen=True)
class Scored:
    """A sentence with its features, whether it holds a value with a unit, and its score."""

    sentence: Sentence
    features: dict[str, float]
    quantities: list[tuple[int, int, str, str]]
    score: float
    #: The sentence's words and content words, as scoring found them (saves finding them
    #: again for its layer and for near-duplicates).
    tokens: list[str] = field(default_factory=list, repr=False, compare=False)
    content: frozenset[str] = field(default_factory=frozenset, repr=False, compare=False)

    @property
    def has_quantity(self) -> bool:
        return bool(self.quantities)


def score_sentences(document: Document, weights: Weights = DEFAULT) -> list[Scored]:
    """Every prose sentence of ``document`` with its features and its score under
    ``weights``, in order.

    Sentences that are too short to state anything, and sentences addressed to a model
    ("ignore previous instructions..."), are left out: they are not knowledge about the
    system, and leaving them out touches no other sentence.

    >>> doc = Document("pm.md", "## Action items\\n\\n- Retries must be capped at 3.\\n")
    >>> [(s.sentence.text, s.has_quantity) for s in score_sentences(doc)]
    [('Retries must be capped at 3.', True)]
    """
    return list(iter_scored(document, weights))


def iter_scored(document: Document, weights: Weights = DEFAULT, *,
                prune: bool = False) -> Iterator[Scored]:
    """:func:`score_sentences` one at a time: a long document's features are never all
    held at once (the word counts of the document are taken in a first pass).

    With ``prune``, sentences that cannot reach ``weights.threshold`` are left out, and
    their values with units are never looked for: a value can add at most the
    ``quantity`` weight, and only to a sentence with a digit in it.
    """
    threshold = weights.threshold if prune else None
    sentences = [s for s in segment(document)
                 if len(s.text) >= 12 and _is_prose(s.text) and not looks_like_injection(s.text)]
    # Each sentence's words are needed twice (the document's word counts, then its own
    # features): kept from the first pass for an ordinary document, found again for a huge
    # one so its words are never all held at once.
    keep = len(document.text) <= _KEEP_WORDS_UP_TO
    kept: list[tuple[list[str], set[str]]] = []
    doc_freq: Counter[str] = Counter()
    for s in sentences:
        tokens = words(s.text)
        content = content_of(tokens)
        doc_freq.update(content)
        if keep:
            kept.append((tokens, content))
    previous_end = None
    text = document.text
    n = len(sentences)
    new_block = _NEW_BLOCK.search
    cue_mask = CUE_LEXICON.mask
    gain = weights.weights.get("quantity")
    most = max(gain or 0.0, 0.0)  # the most a value can add
    bound = ScoreBound.make(weights) if threshold is not None else None
    for i, s in enumerate(sentences):
        first = previous_end is None or bool(new_block(text[previous_end:s.start]))
        previous_end = s.end
        if keep:
            tokens, content = kept[i]
        else:
            tokens = words(s.text)
            content = content_of(tokens)
        # Values in digits: what the weights were fitted on. "Ten times" in a story is
        # weaker evidence of a rule; it still becomes a parameter (extract_offline).
        valued = may_hold_digits(s.text)
        up = most if valued else 0.0
        # Found once for the bound and the features.
        mask, specific = cue_mask(tokens), specificity_of(content, doc_freq)
        # The bound is exact up to rounding in another summation order: a margin keeps
        # every sentence that features() could score at the threshold.
        if bound is not None and threshold is not None and bound(
                s.text, tokens, content, s.block, bool(s.label), first, doc_freq,
                n, mask, specific) < threshold - up - 1e-9:
            continue
        feats = features(s.text, has_quantity=False, block=s.block, labelled=bool(s.label),
                         first_in_block=first, doc_freq=doc_freq, tokens=tokens,
                         content=content, doc_sentences=n, mask=mask, specificity=specific)
        total = score(feats, weights)
        if threshold is not None and total + up < threshold:
            continue
        quantities = find_quantities(s.text, number_words=False) if valued else []
        if quantities:
            # features() puts "quantity" last, so this is the score it would give.
            feats["quantity"] = 1.0
            if gain is not None:
                total += gain * 1.0
        yield Scored(s, feats, quantities, total, tokens, frozenset(content))


def _is_prose(text: str) -> bool:
    """Mostly letters: not a row of numbers, a hash, or a drawing made of symbols; and not
    a bare link with a word or two around it (a reference, not a statement)."""
    if "://" in text and len(_URL.sub("", text).split()) < 4:
        return False
    if text.isascii():
        # The same count without building a string: in ASCII, [\W\d_] is "not A-Z, a-z".
        letters = len(text.encode().translate(None, _ASCII_NOT_LETTERS))
    else:
        letters = len(_NOT_LETTERS.sub("", text))
    return letters >= 0.6 * (len(text) - text.count(" "))


_NOT_LETTERS = re.compile(r"[\W\d_]+")
_ASCII_NOT_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())
_URL = re.compile(r"\w+://\S+")


#: Documents up to this many characters keep their sentences' words between the passes.
_KEEP_WORDS_UP_TO = 1_000_000
_NEW_BLOCK = re.compile(r"\n[ \t>]*\n|\n[ \t]*(?:[-*+]|\d+[.)])[ \t]|\||^\s*$")


def extract_offline(document: Document, weights: Weights = DEFAULT) -> list[Candidate]:
    """Candidate findings of ``document``, in source order: the sentences scoring at least
    ``weights.threshold`` under ``weights``.

    >>> from dna_kit.document import Document
    >>> doc = Document("pm.md", "## Action items\\n\\n- Retries must be capped at 3.\\n")
    >>> [(c.layer, c.kind, dict(c.params)) for c in extract_offline(doc)]
    [('how', 'retry_policy', {'max_retries': '3'})]
    """
    threshold = weights.threshold
    items = [item for item in iter_scored(document, weights, prune=True)
             if item.score >= threshold]
    # Near-duplicates go first: only the sentences kept are classified and their values
    # named (on a write-up that repeats itself, that is most of the work).
    keep = _distinct([item.score for item in items], [item.content for item in items])
    return [_candidate(document, items[i], weights) for i in keep]


def _candidate(document: Document, item: Scored, weights: Weights) -> Candidate:
    sentence = item.sentence
    section = sentence.section.kind if sentence.section else None
    layer, kind = classify(sentence.text, section, has_quantity=item.has_quantity,
                           base=item.features, weights=weights, tokens=item.tokens)
    return Candidate(
        quote=document.text[sentence.start:sentence.end],
        title=_title(sentence),
        statement=sentence.text,
        layer=layer,
        kind=kind,
        params=_params(sentence.text, item.quantities),
        confidence=_confidence(item.score),
        source=CandidateSource(document.path, document.line_of(sentence.start),
                               document.line_of(sentence.end - 1)),
        question=sentence.section.question if sentence.section else None,
        extractor="offline",
    )


def _params(text: str, quantities: list[tuple[int, int, str, str]]) -> dict[str, str]:
    if has_number_word(text):  # "retried ten times": values written as words too
        return find_params(text)
    return find_params(text, quantities) if quantities else {}


def _words(text: str) -> frozenset[str]:
    return frozenset(content_words(text))


def drop_near_duplicates(scored: list[tuple[float, Candidate]]) -> list[Candidate]:
    """Keep the best-scored of each group of near-identical candidates, in source order.

    >>> c = Candidate("Retries stop at 3.", "t", "Retries stop at 3.", "how", "retry_policy",
    ...               CandidateSource("pm.md", 1, 1))
    >>> len(drop_near_duplicates([(1.0, c), (2.0, c)]))
    1
    """
    keep = _distinct([score for score, _ in scored],
                     [_words(c.statement) for _, c in scored])
    return [scored[i][1] for i in keep]


def _similar(these: frozenset[str], those: frozenset[str]) -> bool:
    """Whether two sets of words share :data:`DUPLICATE_JACCARD` of their union."""
    common = len(these & those)
    union = len(these) + len(those) - common
    return bool(union) and common / union >= DUPLICATE_JACCARD


def _distinct(scores: list[float], content: list[frozenset[str]]) -> list[int]:
    """The indices, in order, of the best-scored of each group sharing
    :data:`DUPLICATE_JACCARD` of their content words.

    Prefix filtering keeps this near linear on a write-up that repeats itself: with each
    set's words ordered rarest first, two sets that share that much of their words share a
    word among the first ``n - floor(t * n) + 1`` of each, so only those are indexed and
    looked up, and the few sets found are compared whole.
    """
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    frequency = Counter(w for words in content for w in words)
    kept: list[int] = []
    kept_words: list[frozenset[str]] = []
    index: dict[str, list[int]] = {}
    for i in order:
        words = content[i]
        n = len(words)
        keep = n - int(DUPLICATE_JACCARD * n) + 1
        prefix = sorted(words, key=lambda w: (frequency[w], w))[:keep]
        found = {k for w in prefix for k in index.get(w, ())}
        if any(_similar(words, kept_words[k]) for k in found):
            continue
        slot = len(kept)
        kept.append(i)
        kept_words.append(words)
        for w in prefix:
            index.setdefault(w, []).append(slot)
    return sorted(kept)
