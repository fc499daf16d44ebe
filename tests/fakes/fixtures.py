"""The ``fake_llm`` fixture: a model endpoint on 127.0.0.1 that ``load_llm_config()`` finds.

Registered for every test folder through ``pytest_plugins`` in ``tests/conftest.py``::

    def test_follow_ups(fake_llm, project):
        fake_llm.responder = lambda request: {"questions": ["Why 5 s and not 10 s?"]}
        ...
        assert fake_llm.chat_requests      # what was sent, for assertions
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.openai_server import FakeOpenAI

#: The model name the fixture configures.
FAKE_MODEL = "fake-model"


@pytest.fixture
def fake_llm(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeOpenAI]:
    """Start the fake server and set ``OPENAI_BASE_URL``, ``OPENAI_API_KEY`` and
    ``DNA_LLM_MODEL`` so the code under test uses it; its cache goes to a fresh temp folder
    (a cache shared between tests would answer one test with another's reply)."""
    server = FakeOpenAI(models=(FAKE_MODEL,))
    server.start()
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", "fake-key-for-the-loopback-server")
    monkeypatch.setenv("DNA_LLM_MODEL", FAKE_MODEL)
    monkeypatch.setenv("DNA_LLM_CACHE_DIR", str(tmp_path / "llm-cache"))
    # Fail fast in tests: short waits between retries; a generous timeout for a busy CI box.
    monkeypatch.setenv("DNA_LLM_BACKOFF", "0.01")
    monkeypatch.setenv("DNA_LLM_TIMEOUT", "20")
    # A proxy configured on the machine must not see loopback traffic.
    no_proxy = ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1", "localhost"]))
    monkeypatch.setenv("NO_PROXY", no_proxy)
    monkeypatch.setenv("no_proxy", no_proxy)
    try:
        yield server
    finally:
        server.stop()
