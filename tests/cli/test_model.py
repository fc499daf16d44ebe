"""`dna model` and `dna redact`, run as a person would, against the fake endpoint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.secrets import seeded_secrets


def dna(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dna_kit", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_model_without_configuration_says_offline(project, monkeypatch) -> None:
    for name in ("DNA_LLM_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    result = dna("-C", str(project.root), "model", "--check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("no model configured: everything runs offline")


def test_model_shows_the_configuration_and_checks_the_endpoint(fake_llm: FakeOpenAI,
                                                                project) -> None:
    result = dna("-C", str(project.root), "model")
    assert result.returncode == 0, result.stderr
    assert f"model:     fake-model at {fake_llm.url} (from DNA_LLM_MODEL)" in result.stdout
    assert fake_llm.requests == []  # nothing is sent without --check
    checked = dna("-C", str(project.root), "model", "--check")
    assert checked.returncode == 0, checked.stderr
    assert "endpoint:  answers; 1 model(s) offered" in checked.stdout
    assert [r.path for r in fake_llm.requests] == ["/v1/models"]


def test_model_check_fails_cleanly_when_the_endpoint_does(fake_llm: FakeOpenAI, project,
                                                          monkeypatch) -> None:
    monkeypatch.setenv("DNA_LLM_MAX_RETRIES", "0")
    url = fake_llm.url
    fake_llm.stop()
    result = dna("-C", str(project.root), "model", "--check")
    assert result.returncode == 1
    assert result.stderr.startswith(f"dna model: cannot reach fake-model at {url}")
    assert "Traceback" not in result.stderr


def test_a_key_in_the_config_file_is_refused(project, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.delenv("DNA_LLM_MODEL", raising=False)
    project.config_path.write_text("llm:\n  model: m\n  api_key: abc\n", encoding="utf-8")
    result = dna("-C", str(project.root), "model")
    assert result.returncode == 1
    assert "llm.api_key must not be kept in a committed file" in result.stderr


def test_redact_prints_what_a_model_would_see(tmp_path: Path) -> None:
    secrets = seeded_secrets(seed=5)
    source = tmp_path / "pm.md"
    source.write_text("\n".join(s.line for s in secrets) + "\nAna Ruiz was paged at 10.0.0.7\n",
                      encoding="utf-8")
    result = dna("redact", str(source), "--ip-addresses", "--name", "Ana Ruiz")
    assert result.returncode == 0, result.stderr
    for seeded in secrets:
        assert seeded.secret not in result.stdout, seeded.kind
    assert result.stdout.endswith("[REDACTED:name] was paged at [REDACTED:ip_address]\n")
    counts = dna("redact", "--counts", str(source))
    assert counts.stdout.startswith(f"{source}: aws_access_key 1, aws_secret_key 2,")
    assert "ip_address" not in counts.stdout  # only on request


def test_redact_names_bad_files_and_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "ok.md"
    good.write_text("mail ops@example.com\n", encoding="utf-8")
    (tmp_path / "bin.md").write_bytes(b"\xff\xfe\x00binary")
    result = dna("redact", "--counts", "missing.md", str(tmp_path / "bin.md"), str(good))
    assert result.returncode == 1
    assert "dna redact: missing.md: No such file or directory" in result.stderr
    assert f"dna redact: {tmp_path / 'bin.md'}: not UTF-8 text (byte 0)" in result.stderr
    assert result.stdout == f"{good}: email 1\n"


@pytest.mark.parametrize("command", ["model", "redact"])
def test_help_ends_with_an_example(command: str) -> None:
    result = dna(command, "--help")
    assert result.returncode == 0
    assert "Example:\n  " in result.stdout


def test_extract_with_a_dead_endpoint_warns_once_per_file_and_loses_nothing(
        fake_llm: FakeOpenAI, tmp_path: Path, monkeypatch) -> None:
    """Each file says in one line that the offline extractor stood in; the files after the
    first do not wait through retries of their own; the candidates are the offline ones."""
    monkeypatch.setenv("DNA_LLM_MAX_RETRIES", "1")
    sources = tmp_path / "incidents"
    sources.mkdir()
    for name in ("a.md", "b.md"):
        (sources / name).write_text(f"# Outage {name}\n\n## Action items\n\n"
                                    "- Carrier retries must be capped at 3 attempts.\n",
                                    encoding="utf-8")
    offline = dna("extract", "--json", str(sources), cwd=tmp_path)
    fake_llm.stop()
    result = dna("extract", "--llm", "--json", str(sources), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == offline.stdout and result.stdout.count('"quote"') == 2
    warnings = [line for line in result.stderr.splitlines() if line.strip()]
    assert warnings[0].startswith("dna extract: warning: ") and "a.md" in warnings[0]
    assert "cannot reach fake-model" in warnings[0] and "after 2 tries" in warnings[0]
    assert warnings[1].startswith("dna extract: warning: ") and "b.md" in warnings[1]
    assert "not asked: it failed" in warnings[1]
    assert warnings[1].endswith("used the offline extractor instead")
    assert "ModelFallback" not in result.stderr and "extract_with_model(" not in result.stderr
