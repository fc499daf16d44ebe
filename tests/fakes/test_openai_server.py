"""The fake model server itself: what other test folders rely on when they use fake_llm."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.fakes.openai_server import Fail, FakeOpenAI, Reply


def post(server: FakeOpenAI, path: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(server.url + path, data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": "Bearer fake-key"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def chat(server: FakeOpenAI, content: str = "hi") -> tuple[int, dict]:
    body = {"model": "fake-model", "messages": [{"role": "user", "content": content}]}
    return post(server, "/chat/completions", json.dumps(body).encode())


def test_replies_in_script_order_then_the_responder() -> None:
    with FakeOpenAI() as server:
        server.reply_json({"questions": ["why?"]})
        server.script("first", Fail(503), Reply({"n": 2}))
        answers = [chat(server) for _ in range(4)]
    assert [status for status, _ in answers] == [200, 503, 200, 200]
    contents = [body["choices"][0]["message"]["content"] for status, body in answers
                if status == 200]
    assert contents == ["first", '{"n": 2}', '{"questions": ["why?"]}']
    assert answers[1][1]["error"]["message"] == "the fake model is having a bad day"


def test_every_request_is_recorded_with_its_headers() -> None:
    with FakeOpenAI() as server:
        server.reply_text("ok")
        chat(server, "the carrier cap is 5 s")
        status, body = post(server, "/embeddings", b"{}")
        bad_status, _ = post(server, "/chat/completions", b"{not json")
    assert (status, body["error"]["type"]) == (404, "not_found")
    assert bad_status == 400
    assert len(server.requests) == 3
    assert server.requests[0].headers["authorization"] == "Bearer fake-key"
    assert server.chat_requests[0]["messages"][0]["content"] == "the carrier cap is 5 s"
    assert "the carrier cap is 5 s" in server.sent_content()


def test_url_needs_a_running_server() -> None:
    with pytest.raises(RuntimeError, match="not running"):
        _ = FakeOpenAI().url
