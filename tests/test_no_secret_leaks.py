"""Secrets of every type, seeded into real-looking sources, never reach the model endpoint,
the ledger, the cache or the terminal: through the library, the CLI, and the fallback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dna_kit.extract import extract_findings
from dna_kit.ingest import ingest
from dna_kit.llm import LLMClient, load_llm_config
from dna_kit.redact import placeholder
from dna_kit.review import save_candidates
from tests.fakes.openai_server import Fail, FakeOpenAI
from tests.fakes.secrets import seeded_secrets

SEEDED = seeded_secrets(seed=2026)
ONE_LINE = [s for s in SEEDED if "\n" not in s.line]


def write_sources(root: Path) -> Path:
    """A postmortem and a Slack-style chat export, both full of secrets."""
    sources = root / "sources"
    sources.mkdir()
    bullets = "\n".join(f"- We must rotate this within 24 hours: {s.line}" for s in ONE_LINE)
    (key,) = [s for s in SEEDED if "\n" in s.line]
    (sources / "leak.md").write_text(f"""\
# Dispatch outage: leaked credentials during a retry storm

## Summary

Carrier retries must be capped at 3 attempts; during the storm the debug log printed
credentials, and support shared contact details in the incident channel.

## What went wrong

{bullets}

The deploy log printed the signing key, which must never happen again:

```
{key.line}
```

## Action items

- After the incident we decided that debug logging is never enabled in production.
""", encoding="utf-8")
    messages = [{"type": "message", "user": "U01ANA", "ts": f"1773457{200 + i}.000000",
                 "text": f"heads up, this must be rotated within 1 h: {s.line}"}
                for i, s in enumerate(ONE_LINE)]
    (sources / "inc-leak.json").write_text(json.dumps(messages, indent=1), encoding="utf-8")
    return sources


def quoting_model(request: dict[str, Any]) -> dict[str, Any]:
    """A stand-in model that proposes every line it is shown (so every redacted secret
    would end up in a candidate if redaction failed)."""
    user = request["messages"][1]["content"]
    shown = user.split("<document>\n", 1)[1].rsplit("\n</document>", 1)[0]
    candidates = []
    for line in shown.splitlines():
        quote = line.strip().lstrip("- ").strip()
        if not quote or quote.startswith(("#", "```")):
            continue
        candidates.append({"quote": quote, "title": quote[:50], "statement": quote,
                           "layer": "how", "kind": "threshold", "params": {},
                           "confidence": 0.9, "rationale": None})
    return {"candidates": candidates}


def everything_under(root: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace")
                     for p in sorted(root.rglob("*")) if p.is_file())


def ledger_text(project) -> str:
    return everything_under(project.findings_dir)


def assert_no_secret(where: str, text: str) -> None:
    leaked = [s.kind for s in SEEDED if s.secret in text]
    assert not leaked, f"secrets of type {leaked} reached {where}"


def test_the_seeded_sources_really_hold_every_secret(tmp_path: Path) -> None:
    # Guards the tests below: they prove something only if the secrets are in the input.
    sources = write_sources(tmp_path)
    raw = everything_under(sources)
    documents = ingest(sources)
    assert len(documents) == 2
    for seeded in SEEDED:
        assert seeded.secret in raw, seeded.kind
        assert any(seeded.secret in d.text for d in documents), seeded.kind


def test_model_path_sends_and_stores_no_secret(fake_llm: FakeOpenAI, project,
                                               tmp_path: Path) -> None:
    fake_llm.responder = quoting_model
    llm = LLMClient(load_llm_config(), cache_dir=project.dna_dir / ".cache" / "llm")
    saved = []
    for document in ingest(write_sources(tmp_path)):
        candidates = extract_findings(document, llm=llm)
        assert {c.extractor for c in candidates} == {"model"}
        saved += save_candidates(project, candidates)[0]
    assert len(saved) > len(ONE_LINE)
    assert_no_secret("the model endpoint", fake_llm.sent_text() + fake_llm.sent_content())
    assert_no_secret("the project (ledger and cache)", everything_under(project.root))
    stored = ledger_text(project)
    for kind in {s.kind for s in SEEDED}:  # each one was found, and stored redacted
        assert placeholder(kind) in stored, kind
    assert llm.redactions["private_key"] == 1


def test_fallback_path_stores_no_secret(fake_llm: FakeOpenAI, project, tmp_path: Path) -> None:
    fake_llm.responder = lambda request: Fail(500, "down for maintenance")
    llm = LLMClient(load_llm_config(), cache_dir=project.dna_dir / ".cache" / "llm")
    found = []
    with pytest.warns(UserWarning, match="used the offline extractor instead"):
        for document in ingest(write_sources(tmp_path)):
            found += extract_findings(document, llm=llm)
    assert found and {c.extractor for c in found} == {"offline"}
    save_candidates(project, found)
    assert_no_secret("the model endpoint", fake_llm.sent_text())
    assert_no_secret("the ledger", ledger_text(project))
    assert "[REDACTED:" in ledger_text(project)  # secrets were in candidates, redacted


def run_dna(project, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dna_kit", "-C", str(project.root), *args],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_dna_extract_llm_save_leaks_nothing(fake_llm: FakeOpenAI, project,
                                            tmp_path: Path) -> None:
    fake_llm.responder = quoting_model
    sources = write_sources(tmp_path)
    result = run_dna(project, "extract", "--llm", "--save", str(sources))
    assert result.returncode == 0, result.stderr
    assert re.search(r"saved \d+ to the ledger", result.stdout)
    assert fake_llm.chat_requests, "the command did ask the model"
    assert_no_secret("the terminal", result.stdout + result.stderr)
    assert_no_secret("the model endpoint", fake_llm.sent_text() + fake_llm.sent_content())
    assert_no_secret("the project", everything_under(project.root))
    assert placeholder("aws_access_key") in ledger_text(project)
    # --json prints the same candidates, redacted, and a re-run asks the model nothing new.
    again = run_dna(project, "extract", "--llm", "--json", str(sources))
    assert again.returncode == 0, again.stderr
    assert_no_secret("--json output", again.stdout + again.stderr)
    assert json.loads(again.stdout)


@pytest.mark.slow
def test_offline_dna_extract_save_leaks_nothing(project, tmp_path: Path) -> None:
    sources = write_sources(tmp_path)
    result = run_dna(project, "extract", "--save", str(sources))
    assert result.returncode == 0, result.stderr
    assert re.search(r"saved [1-9]\d* to the ledger", result.stdout)
    assert_no_secret("the terminal", result.stdout + result.stderr)
    assert_no_secret("the ledger", ledger_text(project))
    assert "[REDACTED:" in ledger_text(project)
