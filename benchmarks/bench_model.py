"""The model path's overhead, and what the cache saves on a re-run.

`dna extract --llm` over the bundled example's incidents (and the public corpus when it is
beside the checkout), against the loopback OpenAI-compatible server used by the tests,
which answers after a fixed delay standing in for a fast local model. Measured in the same
run: the offline extractor on the same documents (the baseline), a first model run (every
chunk asked), and a re-run (every answer from the cache). Goal: a cached re-run sends
nothing and costs at most 2x the offline extractor (the redaction, schema checks and quote
checks that remain).

Reproduce: ``python benchmarks/run.py model``
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "postmortems"
LATENCY = 0.05  # seconds per answer: a small model on a local GPU
GOAL = 2.0


def _responder(request: dict[str, Any]) -> Any:
    """Proposes every sentence with a number or a rule word, as a model might."""
    from tests.fakes.openai_server import Delay

    user = request["messages"][1]["content"]
    shown = user.split("<document>\n", 1)[1].rsplit("\n</document>", 1)[0]
    candidates = []
    for block in re.split(r"\n\s*\n|\n(?=- )", shown):
        if block.lstrip().startswith("#"):
            continue
        block = re.sub(r"\s+", " ", block).strip().lstrip("- ").strip()
        for quote in re.split(r"(?<=[.!?]) (?=[A-Z])", block):
            if re.search(r"\d|\bmust\b|\bnever\b|\bdecided\b|\balways\b", quote):
                candidates.append({"quote": quote, "title": quote[:40], "statement": quote,
                                   "layer": "how", "kind": "threshold", "params": {},
                                   "confidence": 0.7, "rationale": None})
    return Delay(LATENCY, then={"candidates": candidates})


def run() -> str:
    sys.path.insert(0, str(ROOT))
    from dna_kit.extract import extract_findings
    from dna_kit.ingest import ingest
    from dna_kit.llm import LLMClient, LLMConfig
    from tests.fakes.openai_server import FakeOpenAI

    sources = [ROOT / "examples" / "logistics" / "incidents"]
    origin = "the bundled example's incidents"
    if CORPUS.is_dir():
        sources.append(CORPUS)
        origin += " and ../shared/corpus/postmortems"
    documents = [d for s in sources for d in ingest(s)]
    megabytes = sum(len(d.text.encode("utf-8")) for d in documents) / 1e6

    start = time.perf_counter()
    offline = sum(len(extract_findings(d)) for d in documents)
    t_offline = time.perf_counter() - start

    with FakeOpenAI(_responder) as server, tempfile.TemporaryDirectory() as cache:
        os.environ.setdefault("NO_PROXY", "127.0.0.1")
        config = LLMConfig(model="bench-model", base_url=server.url, api_key="x",
                           timeout=30, backoff=0.05)
        timings = []
        counts = []
        for _ in range(2):
            client = LLMClient(config, cache_dir=cache)
            before = len(server.chat_requests)
            start = time.perf_counter()
            found = sum(len(extract_findings(d, llm=client)) for d in documents)
            timings.append(time.perf_counter() - start)
            counts.append((found, len(server.chat_requests) - before))
    (first_found, first_asked), (again_found, again_asked) = counts
    ratio = timings[1] / t_offline
    verdict = "met" if ratio <= GOAL and again_asked == 0 else "NOT met"
    return f"""\
## The model path and its cache

{len(documents)} documents, {megabytes:.2f} MB ({origin}); the loopback server answers each
request after {LATENCY * 1000:.0f} ms.

| run | time | requests sent | candidates | ratio to offline |
|---|---|---|---|---|
| offline extractor (baseline) | {t_offline:.2f} s | 0 | {offline} | 1 |
| `--llm`, first run | {timings[0]:.2f} s | {first_asked} | {first_found} | {timings[0] / t_offline:.2f} |
| `--llm`, re-run from the cache | {timings[1]:.2f} s | {again_asked} | {again_found} | {ratio:.2f} |

Goal: a cached re-run sends nothing and takes at most {GOAL:g}x the offline extractor:
**{verdict}** ({again_asked} requests, {ratio:.2f}x). Reproduce: `python benchmarks/run.py model`.
"""


if __name__ == "__main__":
    print(run())
