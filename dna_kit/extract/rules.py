"""Rule cues: what makes a sentence carry knowledge, and which layer and kind it belongs to.

Each cue is a named pattern over the sentence (lower-cased, markup removed); a sentence's
score is the sum of the weights of the cues it shows plus a prior for the section it sits
in. The weights are per cue, never per sentence: the patterns name kinds of language
(limits, modal words, decisions, reasons), not phrases from any one write-up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "BIAS",
    "CUES",
    "LAYER_WEIGHTS",
    "WEIGHTS",
    "Cue",
    "classify",
    "content_words",
    "cues_of",
    "features",
    "layer_features",
    "looks_like_injection",
    "score",
]


@dataclass(frozen=True)
class Cue:
    name: str
    pattern: re.Pattern[str]
    weight: float


def _cue(name: str, pattern: str, weight: float) -> Cue:
    return Cue(name, re.compile(pattern, re.I), weight)


CUES: tuple[Cue, ...] = (
    _cue("modal", r"\b(must|should|shall|need(s|ed)? to|ha(ve|s) to|required?|requires|"
                  r"ensure[sd]?|cannot|can't|can not|won't|mandatory)\b", 1.0),
    _cue("absolute", r"\b(always|never|only|any|every|all|no longer|at all times)\b", 0.4),
    _cue("future", r"\b(we will|we'll|will be|will now|going to|plan(ning)? to|intend to|"
                   r"from now on|going forward|in the future|moving forward)\b", 0.9),
    _cue("decision", r"\b(decid\w*|decision|chose|choose|opted|agree[ds]?|agreement|"
                     r"policy|policies|instead|commit(ted)? to|settled on|stick to)\b", 1.0),
    _cue("after_incident", r"\bafter (the|this) (incident|outage)|since (the|this) "
                           r"(incident|outage)|post-incident|as a result\b", 0.6),
    _cue("limit", r"\b(limit\w*|caps?|capped|max(imum)?|min(imum)?|at most|at least|"
                  r"no more than|threshold\w*|exceed\w*|quota|budget|bound(ed)?|ceiling|"
                  r"up to)\b", 0.8),
    _cue("how_tech", r"\b(time-?outs?|timed out|retr(y|ies|ied)|back-?off|circuit.?breakers?|"
                     r"rate|throttl\w*|latenc\w*|pool\w*|connections?|memory|cpu|disk|"
                     r"capacity|queue\w*|batch\w*|cach\w+|ttl|replicas?|nodes?|scal\w+|"
                     r"probes?|health.?checks?|load|alert\w*|monitor\w*|saturat\w*|"
                     r"exhaust\w*|starv\w*|oom|resources?|concurren\w*|parallel\w*)\b", 0.7),
    _cue("comparison", r"\b(more than|less than|fewer|greater|higher|lower|faster|slower|"
                       r"rather than|instead of|increas\w*|decreas\w*|reduc\w*|rais\w+|"
                       r"cut|doubl\w*|halv\w*)\b", 0.4),
    _cue("reason", r"\b(because|due to|caus\w*|result(ed|ing)? in|led to|leads to|so that|"
                   r"in order to|which meant|root cause|therefore|thus|hence|why)\b", 0.5),
    _cue("behaviour", r"\b(reject\w*|accept\w*|allow\w*|prevent\w*|validat\w*|return\w*|"
                      r"disallow\w*|unaffected|not affected|contain\w*|support\w*|order(ed)? by|"
                      r"sort\w*|dedup\w*|evict\w*|verif\w*|enforc\w*|block\w*|"
                      r"is not possible|not be possible|guarantee\w*)\b", 0.6),
    _cue("lesson", r"\b(learn\w*|lessons?|realiz\w*|should have|would have|could have|"
                   r"lucky|in hindsight|turned out|takeaway|highlight\w*|insight)\b", 0.8),
    _cue("process", r"\b(on-?call|escalat\w*|runbooks?|documentation|document(ed)?|"
                    r"communicat\w*|review\w*|approv\w*|permissions?|access|process(es)?|"
                    r"training|drills?|meetings?|discuss\w*|procedures?|owner(ship)?)\b", 0.3),
    _cue("order", r"\b(priorit\w*|first|before|after|order(ing)?|sequen\w*|precedence|"
                  r"earlier|later than|then)\b", 0.2),
    _cue("imperative", r"^(add|implement|create|modify|schedule|investigate|improve|update|"
                       r"review|document|ensure|introduce|move|set|configure|enable|disable|"
                       r"remove|build|automate|migrate|use|make|require|limit|increase|"
                       r"reduce|monitor|alert|audit|establish|define|write|test|upgrade|pin|"
                       r"consider|evaluate|explore|look into|adjust|switch|separate|"
                       r"replace|restrict|rotate|track|verify|validate)\b", 1.0),
    _cue("we", r"\b(we|our|us)\b", 0.2),
    _cue("noise", r"\b(thanks?|thank you|sorry|apologi[sz]\w*|contact us|reach out|twitter|"
                  r"status ?page|subscribe|blog post|this post|read more|see also|"
                  r"feel free)\b", -1.6),
    _cue("narrative_time", r"^(at|on|around|by)\s+(\d|mon|tue|wed|thu|fri|sat|sun|jan|feb|"
                           r"mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\b\d{1,2}:\d{2}\b",
         -0.6),
    _cue("question", r"\?\s*$", -1.0),
)

_SHAPES: tuple[Cue, ...] = (
    _cue("ends_colon", r":\s*$", 0.0),
    _cue("past", r"\b(was|were|had|did|happened|began|started|noticed|saw|found|received|"
                 r"tried|realized|discovered)\b", 0.0),
    _cue("present", r"\b(is|are|does|do|can|will)\b", 0.0),
    _cue("conditional", r"\b(if|when|whenever|unless|once|otherwise)\b", 0.0),
    _cue("negation", r"\b(not|no|without|lack\w*|nobody|none)\b|n't\b", 0.0),
    _cue("anaphora", r"^(this|that|these|those|it|they|which)\b", 0.0),
    _cue("link", r"https?://|\(#\d+\)|^\[#?\w+\]|@\w", 0.0),
    _cue("code", r"`[^`]+`|\b\w+_\w+\b|\b[a-z]+[A-Z]\w*\b|\w+\(\)", 0.0),
    _cue("we_past", r"^(we|i)\s+(\w+ed|had|were|was|went|made|took|saw|found|sent|got)\b", 0.0),
)
# camelCase needs case: compiled again without IGNORECASE.
_CASE_SENSITIVE = {c.name: re.compile(c.pattern.pattern) for c in _SHAPES if c.name == "code"}


def cues_of(text: str) -> list[str]:
    """The names of the cues ``text`` shows.

    >>> cues_of("Retries must be capped at 3.")
    ['modal', 'limit', 'how_tech']
    """
    return [c.name for c in CUES if c.pattern.search(text)]


def features(text: str, section: str | None, *, has_quantity: bool, block: str,
             labelled: bool = False, first_in_block: bool = True,
             doc_freq: Mapping[str, int] | None = None) -> dict[str, float]:
    """The named features of a sentence: cues, shapes, its section, its block, its size,
    and (given the document's word counts) how specific its words are to it."""
    out: dict[str, float] = {c.name: 1.0 for c in CUES if c.pattern.search(text)}
    for c in _SHAPES:
        pattern = _CASE_SENSITIVE.get(c.name, c.pattern)
        if pattern.search(text):
            out[c.name] = 1.0
    out[f"section:{section or 'none'}"] = 1.0
    out[f"block:{block}"] = 1.0
    if has_quantity:
        out["quantity"] = 1.0
    if labelled:
        out["labelled"] = 1.0
    if first_in_block:
        out["first_in_block"] = 1.0
    words = len(text.split())
    out["short"] = 1.0 if words < 6 else 0.0
    out["long"] = 1.0 if words > 45 else 0.0
    out["length"] = min(words, 40) / 40
    if doc_freq is not None:
        content = content_words(text)
        if content:
            # Words the rest of the document repeats are its topic; words said once are
            # the specifics a rule is made of.
            out["central"] = sum(min(doc_freq.get(w, 1), 6) / 6 for w in content) / len(content)
            out["rare"] = sum(1 for w in content if doc_freq.get(w, 1) <= 1) / len(content)
    return out


_STOP = frozenset(re.findall(r"\S+", (
    "the a an and or of to in on for at by with from is are was were be been this that it as "
    "we our not no i you they their its into than then so if when which who what all any can "
    "could would should will has have had do does did there here these those also but")))
_CONTENT = re.compile(r"[a-z][a-z0-9']+")


def content_words(text: str) -> set[str]:
    """Lower-cased words of three letters or more, without the commonest ones."""
    return {w for w in _CONTENT.findall(text.lower()) if len(w) > 2 and w not in _STOP}


#: The weight of each feature, fitted once by logistic regression on the annotated half of
#: the public postmortem corpus (per feature, never per sentence; see README).
WEIGHTS: dict[str, float] = {
    "short": -1.77, "central": -1.76, "length": 1.38, "section:impact": -1.29,
    "rare": 1.26, "ends_colon": -1.14, "section:contributors": 1.09, "comparison": 0.99,
    "quantity": 0.95, "section:none": -0.87, "order": 0.8, "section:timeline": -0.8,
    "modal": 0.78, "imperative": 0.74, "block:quote": -0.72, "block:paragraph": -0.69,
    "section:went_well": -0.67, "long": -0.66, "limit": 0.64, "block:cell": 0.62,
    "section:resolution": 0.62, "section:root_cause": 0.55, "link": 0.54,
    "section:action_items": 0.47, "section:lessons": 0.47, "labelled": 0.43,
    "we_past": -0.43, "absolute": 0.38, "behaviour": 0.34, "conditional": 0.31,
    "section:detection": -0.3, "past": -0.29, "noise": -0.28, "first_in_block": -0.24,
    "present": -0.21, "block:list": 0.2, "after_incident": 0.15, "how_tech": 0.14,
    "section:summary": 0.14, "anaphora": -0.06, "code": -0.06, "question": -0.06,
    "negation": -0.02, "section:went_wrong": -0.01,
}
BIAS = -1.93


def score(feats: Mapping[str, float]) -> float:
    """How likely a sentence with these features states a rule: a logit (0 is even odds).

    >>> score({}) == BIAS
    True
    """
    return BIAS + sum(WEIGHTS.get(name, 0.0) * value for name, value in feats.items())


_INJECTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(previous|prior|above|earlier|all)\b.{0,40}"
    r"\b(instructions?|prompts?|rules?|messages?)\b|\b(system prompt|you are now|"
    r"act as|jailbreak)\b", re.I)


def looks_like_injection(text: str) -> bool:
    """True for text addressed to a model rather than to engineers."""
    return bool(_INJECTION.search(text))


# -- layer and kind -------------------------------------------------------------------------

_KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(p, re.I)) for kind, p in (
        ("timeout", r"\btime-?outs?\b|\btimed? out\b|\bdeadline|\bwithin \d"),
        ("retry_policy", r"\bretr(y|ies|ied|ying)\b|back-?off|circuit.?breaker"),
        ("rate_limit", r"rate.?limit|throttl|\bper (second|minute|hour)\b|/s\b|\brps\b|"
                       r"\bqps\b|\brate\b"),
        ("capacity", r"capacity|memory|\bdisk|\bcpu\b|exhaust|starv|\boom\b|out of|"
                     r"\bpool\b|\bsize\b|\bscal\w+|plateau|\bip addresses\b|resources?\b"),
        ("ordering_rule", r"\border(ed|ing)?\b|\bsort|priorit|first.come|\bsequen|"
                          r"\bbefore\b.*\bafter\b|\bprecedence"),
        ("agreement", r"\bagree|\bpolicy|polic(y|ies)|on-?call|escalat|\bteams?\b|"
                      r"communicat|\bsla\b|responsib|\bowner|contact|notify|permission|"
                      r"\bprocess\b|appropriate"),
        ("decision", r"\bdecid|\bdecision|\bchose|\bchoose|\bopted|\binstead\b|"
                     r"going to|stick to|roll(ed)? ?back"),
        ("threshold", r"\bthreshold|\balert|\bexceed|\bmore than|\bless than|\bat least|"
                      r"\bat most|\bup to\b|\bprobe|\bhealth|\blimit"),
        ("heuristic", r"\blearn|\blesson|\bshould have|\bcautious|\bcareful|\bavoid|"
                      r"\bbetter to|\bhindsight|\bif\b.*\b(then|should|must|be)\b"),
        ("invariant", r"\bmust\b|\bnever\b|\balways\b|\bonly\b|\breject|\bvalidat|\bensur|"
                      r"\bnot (be )?(possible|allowed)|\bguarantee"),
    ))

_WHY = re.compile(
    r"\b(decid\w*|decision|agree\w*|polic(y|ies)|because|due to|reason|lesson|learn\w*|"
    r"should have|would have|hindsight|on-?call|escalat\w*|communicat\w*|teams?|process|"
    r"runbooks?|documentation|document|drills?|training|review|discuss\w*|meeting|"
    r"cautious|careful|culture|people|humans?|manual(ly)?|responsib\w*|owner\w*|"
    r"priorit\w*|trade-?off|risk|appropriate|intent|chose|instead|permissions?|"
    r"access|audit|incident response|postmortem|post-mortem|visibility|awareness)\b", re.I)
_HOW = re.compile(
    r"\b(time-?outs?|timed? out|retr(y|ies|ied)|back-?off|circuit|rate|throttl\w*|"
    r"latenc\w*|pool|connections?|memory|cpu|disk|capacity|queue|batch\w*|cach\w+|ttl|"
    r"replicas?|nodes?|scal\w+|probes?|health|load|alert\w*|monitor\w*|saturat\w*|"
    r"exhaust\w*|starv\w*|oom|resources?|limit\w*|thresholds?|performance|slow\w*|"
    r"fast\w*|concurren\w*|throughput|seconds?|minutes?|hours?|bytes?|[kmgt]i?b|"
    r"config\w*|deploy\w*|roll.?out|pods?|cluster|infrastructure|upgrad\w*|version)\b",
    re.I)
_WHAT = re.compile(
    r"\b(reject\w*|accept\w*|allow\w*|disallow\w*|validat\w*|return\w*|unaffected|"
    r"contain\w*|only|users?|customers?|requests?|endpoints?|api|packages?|accounts?|"
    r"data|records?|transactions?|spends?|items?|block\w*|sign\w*|evict\w*|dedup\w*|"
    r"order(ed)? by|invalid|valid|exists?|behaviou?r|feature|response|tokens?|"
    r"must not|never)\b", re.I)


def layer_features(text: str, section: str | None, *, has_quantity: bool) -> dict[str, float]:
    """Features that tell the layers apart: word families, cues, section, values."""
    out: dict[str, float] = {c.name: 1.0 for c in CUES if c.pattern.search(text)}
    out[f"section:{section or 'none'}"] = 1.0
    if has_quantity:
        out["quantity"] = 1.0
    for name, family in (("why_words", _WHY), ("how_words", _HOW), ("what_words", _WHAT),
                         *_FAMILIES):
        out[name] = min(len(family.findall(text)), 3) / 3
    return out


# Word families that tell the layers apart: who and how people work (why), the machinery
# and its limits (how), and what the system does for its users (what).
_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.I)) for name, pattern in (
        ("people", r"\b(teams?|engineers?|people|staff|support|business|community|"
                   r"on-?call|managers?|owners?|members?|moderators?|humans?|someone|"
                   r"nobody|everyone)\b"),
        ("practice", r"\b(process\w*|polic(y|ies)|reviews?|approv\w+|communicat\w+|"
                     r"runbooks?|documentation|document|drills?|meetings?|discuss\w*|"
                     r"escalat\w+|agree\w*|sla'?s?|training|declare\w*|coordinat\w+|"
                     r"plan\w*|schedul\w+|follow.?up|workflow|culture|hands-?on|"
                     r"investigat\w+)\b"),
        ("reasoning", r"\b(because|due to|reasons?|why|lessons?|learn\w*|assum\w+|"
                      r"risk\w*|careful\w*|cautious\w*|realiz\w+|should have|mistakes?|"
                      r"understand\w*|knowing|given|decid\w+|decisions?|chose|trade-?offs?|"
                      r"unclear|lack\w*|missing|failed to|unintended|inadvertent\w*)\b"),
        ("machinery", r"\b(pods?|nodes?|clusters?|kubernetes|k8s|deploy\w*|roll-?outs?|"
                      r"config\w*|monitor\w*|alert\w*|metrics?|dashboards?|logs?|logging|"
                      r"probes?|health|ci|pipelines?|tests?|linter|version\w*|upgrad\w+|"
                      r"daemonsets?|containers?|instances?|vms?|servers?|database|db|"
                      r"connections?|pools?|circuit|cache\w*|queue\w*|workers?)\b"),
        ("limits", r"\b(time-?outs?|retr\w+|back-?off|rate|limit\w*|capacity|memory|cpu|"
                   r"disk|latenc\w+|threshold\w*|seconds?|minutes?|hours?|percent|"
                   r"size|bandwidth|throughput|load|saturat\w+|exhaust\w+|starv\w+)\b|%"),
        ("function", r"\b(requests?|respons\w+|returns?|reject\w*|accept\w*|valid\w*|"
                     r"invalid|users?|packages?|files?|transactions?|tables?|reads?|"
                     r"writes?|data|api|endpoints?|fields?|records?|fallback|falls? back|"
                     r"default|status|rout\w+|traffic|spends?|blocks?|mempool|items?|"
                     r"singletons?|coins?|accounts?|tokens?|permissions?|roles?)\b"),
        ("generic_present", r"\b(is|are|will|would|can|cannot|does|do)\b(?! (being|been))"),
    ))


#: Per layer, the weight of each layer feature (a softmax regression fitted on the
#: annotated half of the public corpus; see dna_kit.extract.train).
LAYER_WEIGHTS: dict[str, dict[str, float]] = {
    "what": {
        "function": 1.12, "limit": -0.82, "section:timeline": -0.81, "comparison": -0.76,
        "future": -0.69, "limits": -0.64, "process": -0.6, "section:summary": 0.6,
        "imperative": -0.57, "section:root_cause": 0.52, "(bias)": -0.45,
        "practice": -0.44, "absolute": 0.42, "modal": -0.39, "noise": -0.39,
        "reason": 0.38, "after_incident": -0.35, "generic_present": 0.3,
        "reasoning": -0.29, "lesson": -0.28, "how_tech": -0.27, "machinery": -0.27,
        "section:lessons": -0.26, "why_words": -0.26, "how_words": -0.23,
        "behaviour": 0.21, "quantity": -0.21, "decision": 0.15, "narrative_time": 0.15,
        "section:resolution": 0.15, "people": 0.14, "section:none": -0.14, "order": 0.11,
        "section:contributors": 0.09, "section:went_wrong": -0.09, "what_words": 0.08,
        "section:action_items": -0.07, "we": -0.02,
    },
    "how": {
        "imperative": 1.05, "section:timeline": 1.05, "practice": -0.78, "quantity": 0.76,
        "reasoning": -0.76, "after_incident": 0.7, "limit": 0.7, "how_words": 0.65,
        "section:went_wrong": -0.51, "section:action_items": 0.49, "machinery": 0.48,
        "limits": 0.45, "how_tech": 0.44, "section:resolution": -0.39, "why_words": -0.37,
        "process": -0.36, "what_words": -0.36, "reason": -0.33, "section:summary": -0.33,
        "generic_present": 0.32, "(bias)": -0.31, "lesson": 0.31, "we": -0.31,
        "order": 0.27, "decision": -0.25, "modal": 0.25, "people": -0.18,
        "comparison": 0.16, "noise": -0.15, "absolute": -0.13,
        "section:contributors": -0.13, "narrative_time": 0.12, "section:none": -0.11,
        "future": -0.1, "function": 0.08, "section:root_cause": -0.08,
        "section:lessons": 0.02, "behaviour": 0.01,
    },
    "why": {
        "practice": 1.22, "function": -1.19, "reasoning": 1.04, "process": 0.96,
        "future": 0.79, "(bias)": 0.76, "why_words": 0.63, "generic_present": -0.62,
        "section:went_wrong": 0.6, "comparison": 0.59, "quantity": -0.55, "noise": 0.54,
        "imperative": -0.48, "section:root_cause": -0.44, "how_words": -0.41,
        "section:action_items": -0.41, "order": -0.38, "after_incident": -0.35, "we": 0.33,
        "absolute": -0.29, "what_words": 0.29, "narrative_time": -0.27,
        "section:summary": -0.27, "section:none": 0.25, "section:resolution": 0.24,
        "section:timeline": -0.24, "section:lessons": 0.23, "behaviour": -0.22,
        "machinery": -0.2, "limits": 0.18, "how_tech": -0.17, "modal": 0.14, "limit": 0.12,
        "decision": 0.1, "reason": -0.06, "people": 0.04, "section:contributors": 0.04,
        "lesson": -0.03,
    },
}


def classify(text: str, section: str | None, *, has_quantity: bool) -> tuple[str, str]:
    """``(layer, kind)`` of a sentence from its words and its section.

    >>> classify("We decided to stick to a first-come, first-served system.", "summary",
    ...          has_quantity=False)[0]
    'why'
    """
    feats = layer_features(text, section, has_quantity=has_quantity)

    def logit(layer: str) -> float:
        weights = LAYER_WEIGHTS[layer]
        return weights.get("(bias)", 0.0) + sum(weights.get(k, 0.0) * v
                                                for k, v in feats.items())

    layer = max(("what", "how", "why"), key=logit)
    return layer, _kind(text, layer, section, has_quantity)


_LAYER_KINDS = {
    "how": ("timeout", "retry_policy", "rate_limit", "capacity", "threshold", "ordering_rule",
            "invariant"),
    "why": ("decision", "agreement", "heuristic"),
    "what": ("ordering_rule", "invariant", "threshold", "capacity"),
}



def _kind(text: str, layer: str, section: str | None, has_quantity: bool) -> str:
    if section == "action_items" and _IMPERATIVE.match(text):
        return "action_item"
    allowed = _LAYER_KINDS[layer]
    for kind, pattern in _KIND_PATTERNS:
        if kind in allowed and pattern.search(text):
            return kind
    if section == "action_items":
        return "action_item"
    if layer == "why":
        return "heuristic"
    if layer == "how":
        return "threshold" if has_quantity else "invariant"
    return "invariant"


_IMPERATIVE = next(c.pattern for c in CUES if c.name == "imperative")
