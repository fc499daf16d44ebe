"""The model client over real HTTP against the fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from dna_kit.errors import ModelError, ProjectError
from dna_kit.llm import LLMClient, LLMConfig, load_llm_config
from tests.fakes.openai_server import Delay, Fail, FakeOpenAI, Garbage, NotACompletion, Reply
from tests.fakes.secrets import seeded_secrets

SCHEMA = {
    "type": "object",
    "required": ["rules"],
    "properties": {"rules": {"type": "array", "items": {
        "type": "object", "required": ["quote", "layer"],
        "properties": {"quote": {"type": "string"}, "layer": {"enum": ["what", "how", "why"]}},
    }}},
}
GOOD = {"rules": [{"quote": "Retries are capped at 5 s.", "layer": "how"}]}


def client() -> LLMClient:
    config = load_llm_config()
    assert config is not None
    return LLMClient(config)


# -- configuration ------------------------------------------------------------------------

def test_nothing_configured_means_no_model() -> None:
    assert load_llm_config({}, environ={}) is None
    assert load_llm_config(None, environ={"OPENAI_API_KEY": "k"}) is None
    assert load_llm_config({"llm": {"model": None}}, environ={}) is None


def test_env_model_wins_and_off_turns_a_configured_model_off() -> None:
    project = {"llm": {"model": "llama3.1", "base_url": "http://127.0.0.1:9/v1"}}
    config = load_llm_config(project, environ={"DNA_LLM_MODEL": "qwen2.5"})
    assert config is not None and config.model == "qwen2.5"
    assert config.base_url == "http://127.0.0.1:9/v1"
    assert load_llm_config(project, environ={"DNA_LLM_MODEL": "off"}) is None
    from_file = load_llm_config(project, environ={})
    assert from_file is not None and from_file.model == "llama3.1"
    assert from_file.origin.startswith("dna/config.yaml")


def test_a_model_without_an_endpoint_or_key_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match=r"DNA_LLM_MODEL='gpt-4o-mini'.*OPENAI_API_KEY"):
        load_llm_config({}, environ={"DNA_LLM_MODEL": "gpt-4o-mini"})


def test_a_key_in_the_committed_config_is_refused() -> None:
    with pytest.raises(ProjectError, match=r"llm.api_key.*OPENAI_API_KEY"):
        load_llm_config({"llm": {"model": "m", "api_key": "abc"}}, environ={})


def test_bad_settings_name_the_setting_and_value() -> None:
    with pytest.raises(ProjectError, match=r"DNA_LLM_TIMEOUT='soon' is not a number"):
        load_llm_config({}, environ={"DNA_LLM_MODEL": "m", "OPENAI_BASE_URL": "http://x",
                                     "DNA_LLM_TIMEOUT": "soon"})
    with pytest.raises(ProjectError, match=r"llm.max_retries=1.5 is not a whole number"):
        load_llm_config({"llm": {"model": "m", "max_retries": 1.5}},
                        environ={"OPENAI_BASE_URL": "http://x"})
    with pytest.raises(ProjectError, match=r"unknown llm setting\(s\) \['modle'\]"):
        load_llm_config({"llm": {"modle": "m"}}, environ={})


def test_the_key_only_goes_to_an_endpoint_the_environment_names() -> None:
    env = {"OPENAI_API_KEY": "sk-my-real-key-0123456789abcdef"}
    from_repo = load_llm_config({"llm": {"model": "m", "base_url": "https://evil.test/v1"}},
                                environ=env)
    assert from_repo is not None and from_repo.api_key == "not-needed"
    from_env = load_llm_config({"llm": {"model": "m"}},
                               environ={**env, "OPENAI_BASE_URL": "https://mine.test/v1"})
    assert from_env is not None and from_env.api_key == env["OPENAI_API_KEY"]


def test_a_config_file_endpoint_never_receives_the_key(fake_llm: FakeOpenAI,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL")
    monkeypatch.delenv("DNA_LLM_MODEL")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-my-real-key-0123456789abcdef")
    config = load_llm_config({"llm": {"model": "fake-model", "base_url": fake_llm.url}})
    assert config is not None
    LLMClient(config).complete_text("s", "u", purpose="smoke")
    (request,) = fake_llm.requests
    assert request.headers["authorization"] == "Bearer not-needed"


def test_the_key_is_never_printed() -> None:
    config = load_llm_config({}, environ={"DNA_LLM_MODEL": "m",
                                          "OPENAI_API_KEY": "very-secret-key-123"})
    assert config is not None
    assert "very-secret-key-123" not in repr(config)
    assert "very-secret-key-123" not in config.describe()


def test_fixture_configures_the_fake_endpoint(fake_llm: FakeOpenAI) -> None:
    config = load_llm_config()
    assert config is not None
    assert config.base_url == fake_llm.url and config.model == "fake-model"
    assert LLMClient(config).list_models() == ["fake-model"]


# -- structured answers -------------------------------------------------------------------

def test_json_answer_is_parsed_and_asked_for_with_the_schema(fake_llm: FakeOpenAI) -> None:
    fake_llm.responder = lambda request: GOOD
    assert client().complete_json("Find rules.", "Retries are capped at 5 s.", SCHEMA,
                                  purpose="extract") == GOOD
    (request,) = fake_llm.chat_requests
    assert request["model"] == "fake-model"
    assert request["temperature"] == 0
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["schema"] == SCHEMA
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    assert request["messages"][1]["content"] == "Retries are capped at 5 s."
    # Servers that ignore response_format still see the schema in the prompt.
    assert '"required": ["rules"]' in request["messages"][0]["content"]


def test_a_reply_breaking_the_schema_is_sent_back_with_what_was_wrong(
        fake_llm: FakeOpenAI) -> None:
    bad = {"rules": [{"quote": "Retries are capped at 5 s.", "layer": "hwo"}]}
    fake_llm.script(bad, "```json\n" + json.dumps(GOOD) + "\n```")
    llm = client()
    assert llm.complete_json("Find rules.", "text", SCHEMA, purpose="extract") == GOOD
    _first, second = fake_llm.chat_requests
    assert len(second["messages"]) == 4
    assert second["messages"][2] == {"role": "assistant", "content": json.dumps(bad)}
    fix = second["messages"][3]["content"]
    assert "$.rules[0].layer" in fix and "'hwo'" in fix
    assert llm.stats["schema_retries"] == 1


def test_no_valid_answer_after_the_fix_attempts_is_a_model_error(fake_llm: FakeOpenAI) -> None:
    fake_llm.responder = lambda request: "I think the rules are about retries."
    with pytest.raises(ModelError, match=r"no answer matching the schema for 'extract' in 3 "
                                         r"tries.*not JSON"):
        client().complete_json("Find rules.", "text", SCHEMA, purpose="extract")
    assert len(fake_llm.chat_requests) == 3


def test_a_server_without_json_schema_support_gets_json_mode(fake_llm: FakeOpenAI) -> None:
    def responder(request):
        if request.get("response_format", {}).get("type") == "json_schema":
            return Fail(400, "response_format json_schema is not supported")
        return GOOD

    fake_llm.responder = responder
    llm = client()
    assert llm.complete_json("Find rules.", "a", SCHEMA, purpose="extract") == GOOD
    assert llm.complete_json("Find rules.", "b", SCHEMA, purpose="extract") == GOOD
    formats = [r["response_format"]["type"] for r in fake_llm.chat_requests]
    assert formats == ["json_schema", "json_object", "json_object"]  # remembered


# -- cache --------------------------------------------------------------------------------

def test_a_second_run_is_answered_from_the_cache(fake_llm: FakeOpenAI) -> None:
    fake_llm.responder = lambda request: GOOD
    assert client().complete_json("Find rules.", "text", SCHEMA, purpose="extract") == GOOD
    fake_llm.responder = lambda request: {"rules": []}  # would differ if it were asked
    again = client()
    assert again.complete_json("Find rules.", "text", SCHEMA, purpose="extract") == GOOD
    assert len(fake_llm.chat_requests) == 1
    assert again.stats["cache_hits"] == 1 and again.stats["requests"] == 0
    # A different question is a different key.
    assert again.complete_json("Find rules.", "other", SCHEMA, purpose="extract") == {"rules": []}
    assert len(fake_llm.chat_requests) == 2


def test_text_answers_are_cached_too(fake_llm: FakeOpenAI) -> None:
    fake_llm.script("def cap(): return 5.0")
    assert client().complete_text("Rewrite.", "dna", purpose="drill") == "def cap(): return 5.0"
    assert client().complete_text("Rewrite.", "dna", purpose="drill") == "def cap(): return 5.0"
    assert len(fake_llm.chat_requests) == 1


def test_the_project_cache_is_under_dna_and_never_committed(
        fake_llm: FakeOpenAI, project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DNA_LLM_CACHE_DIR")
    subprocess.run(["git", "init", "-q", str(project.root)], check=True)
    fake_llm.responder = lambda request: GOOD
    config = load_llm_config()
    assert config is not None
    llm = LLMClient(config, project=project.root / "dna")  # a path in the project will do
    llm.complete_json("Find rules.", "text", SCHEMA, purpose="extract")
    assert llm.cache_dir == project.dna_dir / ".cache" / "llm"
    entries = list(llm.cache_dir.glob("*/*.json"))
    assert len(entries) == 1
    assert json.loads(entries[0].read_text())["purpose"] == "extract"
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                            cwd=project.root, capture_output=True, text=True, check=True)
    assert "dna/config.yaml" in status.stdout  # git does see the project ...
    assert ".cache" not in status.stdout       # ... but not the cached answers


def test_a_damaged_cache_entry_is_a_miss(fake_llm: FakeOpenAI, tmp_path: Path) -> None:
    fake_llm.responder = lambda request: GOOD
    llm = client()
    llm.complete_json("Find rules.", "text", SCHEMA, purpose="extract")
    (entry,) = llm.cache_dir.glob("*/*.json")
    entry.write_text("{not json")
    assert client().complete_json("Find rules.", "text", SCHEMA, purpose="extract") == GOOD
    assert len(fake_llm.chat_requests) == 2


# -- failures -----------------------------------------------------------------------------

def test_server_errors_are_retried_with_backoff(fake_llm: FakeOpenAI) -> None:
    fake_llm.script(Fail(500), Fail(503), Reply(GOOD))
    llm = client()
    assert llm.complete_json("Find rules.", "text", SCHEMA, purpose="extract") == GOOD
    assert len(fake_llm.chat_requests) == 3
    assert llm.stats["retries"] == 2


def test_a_server_that_keeps_failing_is_a_model_error(fake_llm: FakeOpenAI,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DNA_LLM_MAX_RETRIES", "2")
    fake_llm.responder = lambda request: Fail(502, "upstream unavailable")
    with pytest.raises(ModelError, match=r"answered HTTP 502 after 3 tries: upstream "
                                         r"unavailable \(while asking for 'extract'\)"):
        client().complete_json("Find rules.", "text", SCHEMA, purpose="extract")
    assert len(fake_llm.chat_requests) == 3


def test_a_client_error_is_not_retried(fake_llm: FakeOpenAI) -> None:
    fake_llm.responder = lambda request: Fail(401, "invalid api key")
    with pytest.raises(ModelError, match="HTTP 401: invalid api key"):
        client().complete_text("s", "u", purpose="drill")
    assert len(fake_llm.chat_requests) == 1


def test_a_slow_server_times_out_into_a_model_error(fake_llm: FakeOpenAI,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DNA_LLM_TIMEOUT", "0.3")
    monkeypatch.setenv("DNA_LLM_MAX_RETRIES", "1")
    fake_llm.responder = lambda request: Delay(5, then=GOOD)
    with pytest.raises(ModelError, match=r"timed out \(0.3 s per request\) after 2 tries"):
        client().complete_json("Find rules.", "text", SCHEMA, purpose="extract")
    assert len(fake_llm.chat_requests) == 2


def test_a_timeout_then_an_answer_succeeds(fake_llm: FakeOpenAI,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DNA_LLM_TIMEOUT", "0.3")
    fake_llm.script(Delay(5, then=GOOD), Reply(GOOD))
    assert client().complete_json("Find rules.", "text", SCHEMA, purpose="extract") == GOOD


@pytest.mark.parametrize("garbage", [Garbage(), NotACompletion(), Reply("")],
                         ids=["html", "not-a-completion", "empty"])
def test_garbage_is_a_model_error(fake_llm: FakeOpenAI, garbage) -> None:
    fake_llm.responder = lambda request: garbage
    with pytest.raises(ModelError, match="answered 'extract' with"):
        client().complete_json("Find rules.", "text", SCHEMA, purpose="extract")


def test_an_endpoint_that_is_down_is_a_model_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeOpenAI() as server:
        url = server.url  # a port that was free a moment ago and is closed now
    config = LLMConfig(model="m", base_url=url, api_key="k", max_retries=1, backoff=0.01,
                       timeout=5)
    with pytest.raises(ModelError, match=r"cannot reach m at http://127\.0\.0\.1:\d+/v1 "
                                         r"after 2 tries"):
        LLMClient(config, cache_dir=None).complete_text("s", "u", purpose="drill")


def test_an_endpoint_that_stopped_serving_is_left_alone_for_a_while(
        fake_llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once every retry is spent, the next questions fail at once, naming the pause,
    instead of each waiting through its own retries; after the pause it is asked again."""
    monkeypatch.setenv("DNA_LLM_MAX_RETRIES", "1")
    fake_llm.responder = lambda request: Fail(503, "overloaded")
    llm = client()
    with pytest.raises(ModelError, match="answered HTTP 503 after 2 tries"):
        llm.complete_json("Find rules.", "text", SCHEMA, purpose="extract")
    assert len(fake_llm.chat_requests) == 2
    with pytest.raises(ModelError, match=r"not asked: it failed 0 s ago and is left alone "
                                         r"for 60 s \(while asking for 'drill'\)"):
        llm.complete_text("s", "u", purpose="drill")
    assert len(fake_llm.chat_requests) == 2  # nothing sent
    assert llm.stats["skipped_while_down"] == 1

    monkeypatch.setenv("DNA_LLM_DOWN_PAUSE", "0")
    fake_llm.responder = lambda request: Reply(GOOD)
    rested = client()
    rested._down_since = llm._down_since  # the same failure, with no pause configured
    assert rested.complete_json("Find rules.", "text", SCHEMA, purpose="extract") == GOOD
    assert len(fake_llm.chat_requests) == 3


def test_a_refused_request_does_not_pause_the_endpoint(fake_llm: FakeOpenAI) -> None:
    """A 4xx is about the request, not the endpoint: the next question is still sent."""
    fake_llm.script(Fail(400, "bad request"), Reply("fine"))
    llm = client()
    with pytest.raises(ModelError, match="HTTP 400"):
        llm.complete_text("s", "u", purpose="drill")
    assert llm.complete_text("s", "u2", purpose="drill") == "fine"


# -- redaction ----------------------------------------------------------------------------

def test_secrets_are_redacted_before_they_are_sent(fake_llm: FakeOpenAI) -> None:
    secrets = seeded_secrets(seed=11)
    user = "\n".join(s.line for s in secrets)
    fake_llm.script("not json", GOOD)  # the fix-up round sends text too
    llm = client()
    llm.complete_json("Find rules. Ops: ana.souza+oncall@example-logistics.com", user, SCHEMA,
                      purpose="extract")
    sent = fake_llm.sent_content() + fake_llm.sent_text()
    for seeded in secrets:
        assert seeded.secret not in sent, seeded.kind
    assert "[REDACTED:aws_access_key]" in sent
    assert llm.redactions["email"] >= 2 and llm.redactions["private_key"] == 1


def test_names_and_addresses_are_redacted_when_configured(fake_llm: FakeOpenAI) -> None:
    config = load_llm_config()
    assert config is not None
    llm = LLMClient(LLMConfig(**{**config.__dict__, "redact_names": ("Ana Souza",),
                                 "redact_ip_addresses": True}))
    llm.complete_text("s", "Ana Souza restarted 10.0.3.17 at 03:12", purpose="drill")
    sent = fake_llm.chat_requests[0]["messages"][1]["content"]
    assert sent == "[REDACTED:name] restarted [REDACTED:ip_address] at 03:12"
