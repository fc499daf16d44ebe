"""Redaction speed: what it costs to redact every document before it is sent or stored.

The subject is :func:`dna_kit.redact.redact` over whole incident write-ups; the baseline,
measured in the same run on the same documents, is the offline extractor
(:func:`dna_kit.extract.extract_findings`), the step redaction sits beside in ``dna extract``.
Goal: redacting whole documents adds at most a quarter to extraction (ratio ≤ 0.25).

Reproduce: ``python benchmarks/run.py redact``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "postmortems"
TARGET_BYTES = 2_000_000
GOAL = 0.25


def _texts() -> tuple[list[str], str]:
    """Real write-ups (the bundled example, and the public corpus when it is beside the
    checkout, read in place), each with a few secrets of every type spliced in."""
    sys.path.insert(0, str(ROOT))
    from tests.fakes.secrets import seeded_secrets

    paths = sorted((ROOT / "examples" / "logistics" / "incidents").glob("*.md"))
    origin = "the bundled example's incidents"
    if CORPUS.is_dir():
        paths += sorted(CORPUS.glob("*.md"))
        origin += " and ../shared/corpus/postmortems"
    base = [p.read_text(encoding="utf-8") for p in paths]
    secrets = [s.line for s in seeded_secrets(seed=1)]
    texts: list[str] = []
    size = spliced = 0
    while size < TARGET_BYTES:
        for text in base:
            lines = text.splitlines()
            # A secret every 40 lines: far more than real write-ups hold.
            for at in range(len(lines) - 1, 0, -40):
                lines.insert(at, secrets[spliced % len(secrets)])
                spliced += 1
            doc = "\n".join(lines) + "\n"
            texts.append(doc)
            size += len(doc.encode("utf-8"))
    return texts, origin


def _best_of(runs: int, fn) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run() -> str:
    from dna_kit.document import Document
    from dna_kit.extract import extract_findings
    from dna_kit.redact import redact

    texts, origin = _texts()
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    documents = [Document(f"doc{i}.md", t) for i, t in enumerate(texts)]
    found: dict[str, int] = {}

    def redact_all() -> None:
        found.clear()
        for text in texts:
            for kind, n in redact(text).counts.items():
                found[kind] = found.get(kind, 0) + n

    def redact_all_with_ips() -> None:
        for text in texts:
            redact(text, ip_addresses=True, names=("Ana Souza", "Sam Okafor"))

    def extract_all() -> None:
        for document in documents:
            extract_findings(document)

    t_redact = _best_of(3, redact_all)
    t_full = _best_of(3, redact_all_with_ips)
    t_extract = _best_of(1, extract_all)
    ratio = t_redact / t_extract
    ratio_full = t_full / t_extract
    verdict = "met" if ratio <= GOAL else "NOT met"
    return f"""\
## Redaction

{len(texts)} documents, {megabytes:.1f} MB ({origin}, a secret spliced in every 40 lines;
{sum(found.values())} secrets of {len(found)} types found).

| step | time | throughput | ratio to extraction |
|---|---|---|---|
| offline extraction (baseline) | {t_extract:.2f} s | {megabytes / t_extract:.1f} MB/s | 1 |
| `redact()` (default) | {t_redact:.2f} s | {megabytes / t_redact:.1f} MB/s | {ratio:.2f} |
| `redact()` with IP addresses and 2 names | {t_full:.2f} s | {megabytes / t_full:.1f} MB/s | {ratio_full:.2f} |

Goal: redaction ≤ {GOAL} of extraction time: **{verdict}** ({ratio:.2f}). Best of 3 runs for
redaction, 1 for extraction. Reproduce: `python benchmarks/run.py redact`.
"""


if __name__ == "__main__":
    print(run())
