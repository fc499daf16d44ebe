"""How the offline extractor's weights were fitted, so anyone can refit them.

One logistic regression over the named features of :func:`dna_kit.extract.scorer.features`
(cue families, sentence shapes, section, block, length, word specificity): a sentence is a
positive when it matches an annotated item under the rule of :mod:`dna_kit.extract.evaluate`. The
weights are per feature; no sentence, phrase or word list comes from the annotations.
``cross_validate`` refits leaving one source file out at a time, which estimates how the
extractor does on write-ups it was not fitted on. A refit is a new
:class:`~dna_kit.extract.scorer.Weights` value passed to the extractor; the fitted defaults
(:data:`~dna_kit.extract.scorer.DEFAULT`) are never changed.

This module uses :mod:`.evaluate` (the matching rule and the report); evaluate never uses
this one.

    python -m dna_kit.extract.fit --gold ../shared/corpus/gold-dev --corpus ../shared/corpus
    python -m dna_kit.extract.fit --gold ... --corpus ... --cv --thresholds=-1.6,-1.5,-1.4,-1.3
    python -m dna_kit.extract.fit --gold ... --corpus ... --features

``--features`` reports, per feature family, what leaving it out costs leaving one write-up
out: every feature the score keeps should earn its place there.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from dna_kit.errors import SourceError
from dna_kit.extract.candidate import Candidate, CandidateSource
from dna_kit.extract.evaluate import EvalReport, evaluate_extraction, load_gold, match_candidates
from dna_kit.extract.offline import extract_offline, score_sentences
from dna_kit.extract.scorer import CUE_SIGNS, DEFAULT, Weights, layer_features
from dna_kit.finding import LAYERS

__all__ = ["UNSCORED", "FeatureGain", "Row", "average_precision", "cross_validate",
           "cross_validate_extraction", "cross_validate_layers", "feature_gains", "fit",
           "fit_layers", "fit_weights", "layer_feature_gains", "sentence_rows"]


@dataclass(frozen=True)
class Row:
    source: str
    features: dict[str, float]
    label: int
    layer: str | None
    layer_features: dict[str, float]


def sentence_rows(gold_dir: str | Path, corpus_dir: str | Path) -> list[Row]:
    """One row per scored sentence of every annotated source: features and label.

    >>> rows = sentence_rows("corpus/gold-dev", "corpus")       # doctest: +SKIP
    >>> sum(r.label for r in rows)                                # doctest: +SKIP
    321
    """
    from dna_kit.ingest import ingest

    rows: list[Row] = []
    for gold_path in sorted(Path(gold_dir).glob("*.y*ml")):
        rel, items = load_gold(gold_path)
        for document in ingest(Path(corpus_dir) / rel):
            scored = score_sentences(document)
            probes = [Candidate(document.text[s.sentence.start:s.sentence.end], "-", "-",
                                "how", "threshold", CandidateSource(rel, 1, 1))
                      for s in scored]
            matched = dict(match_candidates(document.text, probes, items))
            for i, s in enumerate(scored):
                gold = items[matched[i]] if i in matched else None
                section = s.sentence.section.kind if s.sentence.section else None
                rows.append(Row(rel, s.features, int(gold is not None),
                                gold.layer if gold else None,
                                layer_features(s.sentence.text, section,
                                               has_quantity=s.has_quantity)))
    return rows


#: Feature families of :func:`~dna_kit.extract.scorer.features` the sentence score leaves
#: out (the layer still reads the cues among them). Leaving one write-up out, none of them
#: added to the ranking on its own (by more than 0.001 of average precision), and together
#: they lowered it (``--features`` measures each one again; the figures are in
#: docs/explanation/offline-extractor.md).
UNSCORED = frozenset({
    "after_incident", "anaphora", "behaviour", "code", "conditional", "decision",
    "first_in_block", "future", "labelled", "lesson", "link", "negation", "past", "process",
    "question", "reason", "we", "we_past",
})


def _family(name: str) -> str:
    """The family a feature belongs to: ``block:list`` is one of ``block``."""
    head, sep, _ = name.partition(":")
    return head if sep else name


def fit_weights(rows: list[Row], *, l2: float = 1.0, steps: int = 3000,
                rate: float = 0.5, leave_out: frozenset[str] = UNSCORED
                ) -> tuple[float, dict[str, float]]:
    """``(bias, weights)`` of an L2-regularised logistic regression (batch gradient), over
    every feature but the families in ``leave_out``.

    >>> rows = [Row("a", {"modal": 1.0}, 1, "how", {}), Row("b", {}, 0, None, {})]
    >>> bias, weights = fit_weights(rows, steps=200)
    >>> weights["modal"] > 0 > bias
    True
    """
    import numpy as np

    names = sorted({k for r in rows for k in r.features if _family(k) not in leave_out})
    x = np.array([[1.0] + [r.features.get(n, 0.0) for n in names] for r in rows])
    y = np.array([r.label for r in rows], dtype=float)
    # A cue can only add evidence in the direction it was written for: "we decided" never
    # counts against a sentence, "thank you" never for it.
    sign = np.array([0.0] + [CUE_SIGNS.get(n, 0.0) for n in names])
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) / len(y)
        grad[1:] += l2 * w[1:] / len(y)
        w -= rate * grad
        w = np.where(sign > 0, np.maximum(w, 0.0), np.where(sign < 0, np.minimum(w, 0.0), w))
    return float(w[0]), {n: round(float(v), 2) for n, v in zip(names, w[1:], strict=True)
                         if round(float(v), 2)}


def fit_layers(rows: list[Row], *, l2: float = 2.0, steps: int = 3000,
               rate: float = 0.5) -> dict[str, dict[str, float]]:
    """Per layer, feature weights of a softmax regression over annotated sentences.

    >>> rows = [Row("a", {}, 1, "why", {"why_words": 1.0}),
    ...         Row("b", {}, 1, "how", {"how_words": 1.0})]
    >>> Weights(0.0, {}, fit_layers(rows, steps=200)).layer_of({"why_words": 1.0})
    'why'
    """
    import numpy as np

    data = [r for r in rows if r.layer in LAYERS]
    names = sorted({k for r in data for k in r.layer_features})
    x = np.array([[1.0] + [r.layer_features.get(n, 0.0) for n in names] for r in data])
    y = np.zeros((len(data), len(LAYERS)))
    for i, r in enumerate(data):
        y[i, LAYERS.index(str(r.layer))] = 1.0
    w = np.zeros((x.shape[1], len(LAYERS)))
    for _ in range(steps):
        z = x @ w
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        grad = x.T @ (p - y) / len(data)
        grad[1:] += l2 * w[1:] / len(data)
        w -= rate * grad
    return {layer: {n: round(float(v), 2) for n, v in zip(["(bias)", *names], w[:, j],
                                                          strict=True) if round(float(v), 2)}
            for j, layer in enumerate(LAYERS)}


def cross_validate_layers(rows: list[Row], *, l2: float = 2.0,
                          leave_out: frozenset[str] = frozenset()) -> float:
    """Layer accuracy on annotated sentences, each file predicted by weights fitted
    without it (and without the layer feature families in ``leave_out``)."""
    data = [r for r in rows if r.layer in LAYERS]
    if leave_out:
        data = [replace(r, layer_features={k: v for k, v in r.layer_features.items()
                                           if _family(k) not in leave_out}) for r in data]
    right = 0
    for source in sorted({r.source for r in data}):
        weights = Weights(DEFAULT.bias, DEFAULT.weights,
                          fit_layers([r for r in data if r.source != source], l2=l2))
        for r in data:
            if r.source == source:
                right += weights.layer_of(r.layer_features) == r.layer
    return right / max(1, len(data))


def cross_validate(rows: list[Row], *, l2: float = 1.0, steps: int = 3000,
                   leave_out: frozenset[str] = UNSCORED) -> list[float]:
    """Each row's score from weights fitted without its source file."""
    scores = [0.0] * len(rows)
    for source in sorted({r.source for r in rows}):
        train = [r for r in rows if r.source != source]
        bias, weights = fit_weights(train, l2=l2, steps=steps, leave_out=leave_out)
        for i, r in enumerate(rows):
            if r.source == source:
                scores[i] = bias + sum(weights.get(k, 0.0) * v for k, v in r.features.items())
    return scores


def average_precision(scores: list[float], labels: list[int], *,
                      positives: int | None = None) -> float:
    """The precision at each positive, down the ranking by score, averaged over
    ``positives`` (default: the positive labels; pass more when some positives were never
    ranked, such as annotated items no sentence matches). Needs no threshold.

    >>> average_precision([0.9, 0.8, 0.1], [1, 0, 1])
    0.8333333333333333
    """
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    hits, total = 0, 0.0
    for rank, i in enumerate(order, 1):
        if labels[i]:
            hits += 1
            total += hits / rank
    return total / max(1, positives if positives is not None else sum(labels))


@dataclass(frozen=True)
class FeatureGain:
    """What one feature family (such as every ``block:``) is worth, leaving one write-up
    out: a figure (the average precision of the sentence ranking, or the layer accuracy) as
    the model is (``current``) and with the family toggled (``toggled``: left out when the
    model keeps it, added when it is one of :data:`UNSCORED`)."""

    feature: str
    scored: bool
    current: float
    toggled: float

    @property
    def gain(self) -> float:
        """How much having the family in the score adds (negative: it costs)."""
        return self.current - self.toggled if self.scored else self.toggled - self.current


def feature_gains(rows: list[Row], *, l2: float = 1.0, steps: int = 1500) -> list[FeatureGain]:
    """Per feature family of the sentence score, what having it in the score adds to the
    average precision leaving one source out, the most useful first: the evidence that
    each feature kept earns its place on write-ups it was not fitted on, and that each one
    left out (:data:`UNSCORED`) would not.

    >>> gains = feature_gains(sentence_rows("corpus/gold-dev", "corpus"))  # doctest: +SKIP
    >>> gains[0].feature, round(gains[0].gain, 3)                           # doctest: +SKIP
    ('quantity', 0.016)
    """
    labels = [r.label for r in rows]

    def precision_of(leave_out: frozenset[str]) -> float:
        return average_precision(cross_validate(rows, l2=l2, steps=steps,
                                                leave_out=leave_out), labels)

    current = precision_of(UNSCORED)
    out = []
    for family in sorted({_family(k) for r in rows for k in r.features}):
        scored = family not in UNSCORED
        toggled = precision_of(UNSCORED | {family} if scored else UNSCORED - {family})
        out.append(FeatureGain(family, scored, current, toggled))
    return sorted(out, key=lambda g: (-g.gain, g.feature))


def layer_feature_gains(rows: list[Row], *, l2: float = 2.0) -> list[FeatureGain]:
    """Per feature family of the layer model, the layer accuracy leaving one source out
    with it (``current``) and without it (``toggled``), the most useful first.

    >>> rows = sentence_rows("corpus/gold-dev", "corpus")     # doctest: +SKIP
    >>> layer_feature_gains(rows)[0].feature                  # doctest: +SKIP
    'why_words'
    """
    current = cross_validate_layers(rows, l2=l2)
    families = sorted({_family(k) for r in rows if r.layer in LAYERS
                       for k in r.layer_features})
    out = [FeatureGain(family, True, current,
                       cross_validate_layers(rows, l2=l2, leave_out=frozenset({family})))
           for family in families]
    return sorted(out, key=lambda g: (-g.gain, g.feature))


def fit(rows: list[Row], *, l2: float = 1.0, layer_l2: float = 2.0,
        threshold: float = DEFAULT.threshold) -> Weights:
    """Extraction weights fitted on ``rows``: the sentence score's and the layers'.

    >>> rows = [Row("a", {"modal": 1.0}, 1, "why", {"why_words": 1.0}),
    ...         Row("b", {}, 0, None, {})]
    >>> fit(rows, threshold=-1.0).threshold
    -1.0
    """
    bias, weights = fit_weights(rows, l2=l2)
    return Weights(bias=bias, weights=weights, layer_weights=fit_layers(rows, l2=layer_l2),
                   threshold=threshold)


def cross_validate_extraction(gold_dir: str | Path, corpus_dir: str | Path, *,
                              l2: float = 1.0, layer_l2: float = 2.0,
                              threshold: float | None = None) -> EvalReport:
    """The whole extractor scored on each annotated write-up with weights fitted without
    it: an estimate of how it does on write-ups nobody annotated. ``threshold`` replaces
    the extractor's own (:data:`DEFAULT`'s).

    >>> cross_validate_extraction("corpus/gold-dev", "corpus").f1   # doctest: +SKIP
    0.486...
    """
    cut = DEFAULT.threshold if threshold is None else threshold
    rows = sentence_rows(gold_dir, corpus_dir)
    if len({r.source for r in rows}) < 2 or not any(r.label for r in rows):
        raise SourceError("leaving one source out needs at least two annotated sources with "
                          "matching sentences", path=gold_dir)
    files = []
    for source in sorted({r.source for r in rows}):
        weights = fit([r for r in rows if r.source != source], l2=l2, layer_l2=layer_l2,
                      threshold=cut)
        report = evaluate_extraction(gold_dir, corpus_dir, only=[source],
                                     extractor=partial(extract_offline, weights=weights))
        files += report.files
    return EvalReport(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--layer-l2", type=float, default=2.0)
    parser.add_argument("--cv", action="store_true", help="also cross-validate by file")
    parser.add_argument("--features", action="store_true",
                        help="also report what each feature family is worth leaving one "
                             "write-up out: to the score (average precision) and to the "
                             "layer (accuracy); a few minutes")
    parser.add_argument("--thresholds", default="",
                        help="with --cv, also the whole extractor at each of these "
                             "comma-separated thresholds (the one with the best F1 is the "
                             "one to use)")
    args = parser.parse_args(argv)
    rows = sentence_rows(args.gold, args.corpus)
    bias, weights = fit_weights(rows, l2=args.l2)
    out: dict[str, Any] = {"BIAS": round(bias, 2), "WEIGHTS": dict(sorted(
        weights.items(), key=lambda kv: -abs(kv[1])))}
    print(f"{len(rows)} sentences, {sum(r.label for r in rows)} matched an annotation")
    print("# the defaults of dna_kit/extract/scorer.py (DEFAULT is built from them):")
    print(f"_BIAS = {out['BIAS']}")
    print("_WEIGHTS = " + repr(out["WEIGHTS"]))
    print("_LAYER_WEIGHTS = " + repr(fit_layers(rows, l2=args.layer_l2)))
    if args.features:
        gains = feature_gains(rows, l2=args.l2)
        print("per feature family, leaving one write-up out: average precision of the "
              f"ranking {gains[0].current:.3f} as scored; with the family toggled (left "
              "out, or added when the score leaves it out):")
        print(f"{'feature':<16} {'in score':>8} {'toggled':>8} {'gain':>7}")
        for g in gains:
            print(f"{g.feature:<16} {'yes' if g.scored else 'no':>8} {g.toggled:>8.3f} "
                  f"{g.gain:>+7.3f}")
        layer = layer_feature_gains(rows, l2=args.layer_l2)
        print("per feature family of the layer model, leaving one write-up out: layer "
              f"accuracy {layer[0].current:.3f} with every family; without each:")
        print(f"{'feature':<16} {'without':>8} {'gain':>7}")
        for g in layer:
            print(f"{g.feature:<16} {g.toggled:>8.3f} {g.gain:>+7.3f}")
    if args.cv:
        print(f"layer accuracy, leave one file out: "
              f"{cross_validate_layers(rows, l2=args.layer_l2):.3f}")
        report = cross_validate_extraction(args.gold, args.corpus, l2=args.l2,
                                           layer_l2=args.layer_l2)
        print("whole extractor, leave one write-up out:")
        print(report.to_text())
        for text in filter(None, args.thresholds.split(",")):
            cut = float(text)
            j = cross_validate_extraction(args.gold, args.corpus, l2=args.l2,
                                          layer_l2=args.layer_l2, threshold=cut).to_json()
            print(f"threshold {cut:+.2f}: precision {j['precision']:.3f}  recall "
                  f"{j['recall']:.3f}  F1 {j['f1']:.3f}  layer accuracy "
                  f"{j['layer_accuracy']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
