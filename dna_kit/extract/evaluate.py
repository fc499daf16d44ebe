"""Scoring an extractor against hand annotations (``dna eval-extract``).

Gold files are YAML, one per source, in the shape of the public postmortem corpus::

    postmortem: postmortems/01_flags-outage.md   # relative to the corpus folder
    items:
    - quote: "A connection timeout cut from 1 second to 300 milliseconds ..."
      layer: how
      kind: timeout

**How a candidate matches a gold item.** Quotes are compared with whitespace collapsed
(runs of spaces, tabs and line breaks become one space). Both are located in the collapsed
source text; a candidate matches a gold item when it covers at least
:data:`MATCH_OVERLAP` (half) of the annotated quote and at least :data:`MATCH_SHARE` (a
quarter) of the candidate is annotated text, so a sentence that holds an annotated clause
matches it, but a whole paragraph does not match one of its sentences. Each gold item
matches at most one candidate and each candidate at most one gold item (best-covered
first). A quote not found in the source is located by the best word overlap instead.

This rule reproduces the reference points the project was given: calling every sentence of
the annotated half a finding scores recall 0.98 at precision 0.18 with it (the reference
says 0.99 and 0.19).

Precision is matched candidates / candidates, recall matched gold items / gold items (both
over all files together), F1 their harmonic mean; recall per layer uses the gold layer;
layer accuracy is the share of matched pairs whose layers agree.

**Parameter values.** Where a matched gold item names values with units (``1s``,
``~85%``, ``15MB``), each is compared with the candidate's ``params`` by what it means,
not how it is written (``1s`` is ``1000ms``; "up to" and "~" are ignored; names are not
compared: they are a judgement). Value recall is the share of those annotated values the
candidate has; value precision, over the same pairs, the share of the candidate's values
that are annotated. Values without a unit that reads as one ("quarterly", ``1.270.0``)
are left out on both sides.

>>> report = evaluate_extraction("corpus/gold-dev", "corpus")   # doctest: +SKIP
>>> round(report.f1, 2)                                          # doctest: +SKIP
0.6
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dna_kit.errors import SourceError
from dna_kit.finding import LAYERS

__all__ = ["MATCH_OVERLAP", "EvalReport", "FileScore", "evaluate_extraction",
           "match_candidates"]

#: A candidate must cover at least this share of the annotated quote ...
MATCH_OVERLAP = 0.5
#: ... and at least this share of the candidate must be annotated text.
MATCH_SHARE = 0.25
_WS = re.compile(r"\s+")


def collapse(text: str) -> str:
    """Whitespace runs → one space, ends stripped."""
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True)
class GoldItem:
    quote: str
    layer: str
    kind: str
    id: str = ""
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class FileScore:
    """Counts for one source file."""

    path: str
    candidates: int
    gold: int
    matched: int
    layer_agree: int
    kind_agree: int
    gold_by_layer: dict[str, int] = field(default_factory=dict)
    matched_by_layer: dict[str, int] = field(default_factory=dict)
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)
    #: Annotated values with units on matched items, and how many the candidates have.
    values_gold: int = 0
    values_found: int = 0
    #: The candidates' values on those same pairs, and how many are annotated.
    values_given: int = 0
    values_right: int = 0


@dataclass
class EvalReport:
    """Precision, recall, F1, recall per layer and layer accuracy over every gold file."""

    files: list[FileScore]

    def _sum(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    def _share(self, part: str, whole: str) -> float:
        return self._sum(part) / max(1, self._sum(whole))

    @property
    def precision(self) -> float:
        return self._share("matched", "candidates")

    @property
    def recall(self) -> float:
        return self._share("matched", "gold")

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    @property
    def layer_accuracy(self) -> float:
        return self._share("layer_agree", "matched")

    @property
    def kind_accuracy(self) -> float:
        return self._share("kind_agree", "matched")

    @property
    def value_recall(self) -> float:
        return self._share("values_found", "values_gold")

    @property
    def value_precision(self) -> float:
        return self._share("values_right", "values_given")

    def recall_by_layer(self) -> dict[str, float]:
        out = {}
        for layer in LAYERS:
            gold = sum(f.gold_by_layer.get(layer, 0) for f in self.files)
            hit = sum(f.matched_by_layer.get(layer, 0) for f in self.files)
            out[layer] = hit / gold if gold else 0.0
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "files": len(self.files), "candidates": self._sum("candidates"),
            "gold": self._sum("gold"), "matched": self._sum("matched"),
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4), "layer_accuracy": round(self.layer_accuracy, 4),
            "kind_accuracy": round(self.kind_accuracy, 4),
            "recall_by_layer": {k: round(v, 4) for k, v in self.recall_by_layer().items()},
            "param_values": {
                "gold": self._sum("values_gold"), "found": self._sum("values_found"),
                "given": self._sum("values_given"), "right": self._sum("values_right"),
                "recall": round(self.value_recall, 4),
                "precision": round(self.value_precision, 4),
            },
        }

    def to_text(self) -> str:
        """A short table for the terminal."""
        j = self.to_json()
        by_layer = ", ".join(f"{k} {v:.2f}" for k, v in j["recall_by_layer"].items())
        return "\n".join([
            f"files {j['files']}  candidates {j['candidates']}  gold {j['gold']}  "
            f"matched {j['matched']}",
            f"precision {j['precision']:.3f}  recall {j['recall']:.3f}  F1 {j['f1']:.3f}",
            f"layer accuracy {j['layer_accuracy']:.3f}  kind accuracy "
            f"{j['kind_accuracy']:.3f}",
            f"recall by layer: {by_layer}",
            f"param values: {j['param_values']['found']} of {j['param_values']['gold']} "
            f"annotated found (recall {j['param_values']['recall']:.3f}), precision "
            f"{j['param_values']['precision']:.3f}",
        ])


def _span(haystack: str, needle: str) -> tuple[int, int] | None:
    at = haystack.find(needle)
    if at < 0:
        return None
    return at, at + len(needle)


def _word_span(haystack: str, needle: str) -> tuple[int, int] | None:
    """The sentence-sized window of ``haystack`` sharing the most words with ``needle``."""
    words = set(re.findall(r"\w+", needle.lower()))
    if not words:
        return None
    best, best_score = None, 0.0
    for m in re.finditer(r"[^.!?]+[.!?]?", haystack):
        found = set(re.findall(r"\w+", m.group().lower()))
        score = len(words & found) / max(1, len(words | found))
        if score > best_score:
            best, best_score = (m.start(), m.end()), score
    return best if best_score >= 0.5 else None


def match_candidates(text: str, candidates: Sequence[Any],
                     gold: Sequence[GoldItem]) -> list[tuple[int, int]]:
    """``(candidate index, gold index)`` pairs matched one-to-one (see the module doc).

    >>> from dna_kit.extract import Candidate, CandidateSource
    >>> c = Candidate("Retries stop\\nat 3.", "t", "s", "how", "retry_policy",
    ...               CandidateSource("pm.md", 1, 2))
    >>> match_candidates("Retries stop\\nat 3. Fine.", [c], [GoldItem("Retries stop at 3.",
    ...                  "how", "retry_policy")])
    [(0, 0)]
    """
    flat = collapse(text)
    cand_spans = [_span(flat, collapse(c.quote)) for c in candidates]
    gold_spans = [_span(flat, collapse(g.quote)) or _word_span(flat, collapse(g.quote))
                  for g in gold]
    pairs: list[tuple[float, float, int, int]] = []
    for ci, cs in enumerate(cand_spans):
        if cs is None:
            continue
        for gi, gs in enumerate(gold_spans):
            if gs is None:
                continue
            overlap = min(cs[1], gs[1]) - max(cs[0], gs[0])
            if overlap <= 0:
                continue
            of_gold = overlap / (gs[1] - gs[0])
            of_cand = overlap / (cs[1] - cs[0])
            if of_gold >= MATCH_OVERLAP and of_cand >= MATCH_SHARE:
                pairs.append((of_gold, of_cand, ci, gi))
    pairs.sort(key=lambda p: (-p[0], -p[1], p[2], p[3]))
    used_c: set[int] = set()
    used_g: set[int] = set()
    out = []
    for _, _, ci, gi in pairs:
        if ci in used_c or gi in used_g:
            continue
        used_c.add(ci)
        used_g.add(gi)
        out.append((ci, gi))
    return sorted(out)


def value_key(text: object) -> tuple[str, float] | None:
    """What a parameter value means, ``(dimension, value in the base unit)``, or None when
    it holds no value with a unit. A value written with words after it ("2KB compressed")
    is read up to them.

    >>> value_key("1s") == value_key("1000ms"), value_key("up to 45min"), value_key("weekly")
    (True, ('duration', 2700.0), None)
    """
    from dna_kit.errors import InvalidFinding
    from dna_kit.extract.quantities import find_quantities
    from dna_kit.units import parse_quantity

    raw = str(text).strip().strip("'\"")
    try:
        quantity = parse_quantity(raw)
    except InvalidFinding:
        found = find_quantities(raw)
        if not found:
            return None
        try:
            quantity = parse_quantity(found[0][2])
        except InvalidFinding:
            return None
    return quantity.dimension, round(quantity.value, 6)


def _shared(these: list[tuple[str, float]], those: list[tuple[str, float]]) -> int:
    """How many of ``these`` are among ``those``, each of ``those`` used once."""
    left = list(those)
    n = 0
    for value in these:
        if value in left:
            left.remove(value)
            n += 1
    return n


def load_gold(path: Path) -> tuple[str, list[GoldItem]]:
    """``(source path relative to the corpus, items)`` of one gold file."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SourceError(f"cannot read gold annotations: {exc}", path=path) from None
    if not isinstance(data, dict) or not isinstance(data.get("postmortem"), str):
        raise SourceError("gold file needs 'postmortem: PATH' and 'items: [...]'", path=path,
                          field="postmortem")
    items = []
    for n, item in enumerate(data.get("items") or []):
        if not isinstance(item, dict) or not item.get("quote"):
            raise SourceError(f"item {n} has no quote", path=path, field=f"items[{n}].quote")
        params = item.get("params") or {}
        if not isinstance(params, dict):
            raise SourceError(f"item {n} params must be a mapping", path=path,
                              field=f"items[{n}].params")
        items.append(GoldItem(quote=str(item["quote"]), layer=str(item.get("layer")),
                              kind=str(item.get("kind")), id=str(item.get("id") or n),
                              params={str(k): str(v) for k, v in params.items()}))
    return data["postmortem"], items


def evaluate_extraction(gold_dir: str | Path, corpus_dir: str | Path, *,
                        extractor: Callable[[Any], list[Any]] | None = None,
                        only: Sequence[str] | None = None) -> EvalReport:
    """Run ``extractor`` (default: the offline one, with its fitted weights) on every
    annotated source and score it.

    ``only`` limits the run to these sources (paths as the gold files give them).
    Raises :class:`~dna_kit.errors.SourceError` naming a gold file that is unreadable or
    points at a missing source.

    >>> evaluate_extraction("corpus/gold-dev", "corpus").recall   # doctest: +SKIP
    0.629...
    """
    from dna_kit.extract.offline import extract_offline
    from dna_kit.ingest import ingest

    extract = extractor or extract_offline
    gold_dir, corpus_dir = Path(gold_dir), Path(corpus_dir)
    files = sorted(gold_dir.glob("*.y*ml"))
    if not files:
        raise SourceError("no gold annotation files (*.yaml) here", path=gold_dir)
    scores = []
    for gold_path in files:
        rel, items = load_gold(gold_path)
        if only is not None and rel not in only:
            continue
        source = corpus_dir / rel
        if not source.is_file():
            raise SourceError(f"postmortem={rel!r} is not a file under {corpus_dir}",
                              path=gold_path, field="postmortem")
        documents = ingest(source)
        candidates = [c for d in documents for c in extract(d)]
        text = "\n".join(d.text for d in documents)
        pairs = match_candidates(text, candidates, items)
        score = FileScore(path=rel, candidates=len(candidates), gold=len(items),
                          matched=len(pairs), layer_agree=0, kind_agree=0)
        for item in items:
            score.gold_by_layer[item.layer] = score.gold_by_layer.get(item.layer, 0) + 1
        for ci, gi in pairs:
            layer = items[gi].layer
            score.matched_by_layer[layer] = score.matched_by_layer.get(layer, 0) + 1
            score.layer_agree += candidates[ci].layer == layer
            score.kind_agree += candidates[ci].kind == items[gi].kind
            gold_values = [v for v in map(value_key, items[gi].params.values()) if v]
            if gold_values:
                given = [v for v in map(value_key, candidates[ci].params.values()) if v]
                score.values_gold += len(gold_values)
                score.values_found += _shared(gold_values, given)
                score.values_given += len(given)
                score.values_right += _shared(given, gold_values)
        hit_g = {gi for _, gi in pairs}
        hit_c = {ci for ci, _ in pairs}
        score.missed = [collapse(items[i].quote) for i in range(len(items)) if i not in hit_g]
        score.spurious = [collapse(candidates[i].quote) for i in range(len(candidates))
                          if i not in hit_c]
        scores.append(score)
    return EvalReport(scores)
