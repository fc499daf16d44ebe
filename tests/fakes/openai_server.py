"""A small OpenAI-compatible HTTP server on 127.0.0.1: the one fake the tests may use.

No hosted model exists here, so tests that exercise the model path start this server and
point the real ``openai`` client at it over real HTTP on loopback. It speaks the two
endpoints dna_kit uses (``POST /v1/chat/completions``, ``GET /v1/models``), records every
request it receives, and answers as each test programs it::

    with FakeOpenAI(lambda request: {"questions": ["Why 5 s?"]}) as server:
        ...                                   # point OPENAI_BASE_URL at server.url
    server.chat_requests[0]["messages"]       # what the client sent

A responder is a function from the request's JSON to a reply: text (the message content),
a dict or list (sent as JSON text, which is how a model answers ``response_format``), or
one of the behaviours below. ``script(...)`` queues replies for the next requests, in order,
before the responder is asked again.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "Delay",
    "Fail",
    "FakeOpenAI",
    "Garbage",
    "NotACompletion",
    "Recorded",
    "Reply",
]


@dataclass(frozen=True)
class Reply:
    """A normal completion whose message content is ``content`` (dicts/lists as JSON)."""

    content: Any
    finish_reason: str = "stop"


@dataclass(frozen=True)
class Fail:
    """An HTTP error status with an OpenAI-style error body."""

    status: int = 500
    message: str = "the fake model is having a bad day"


@dataclass(frozen=True)
class Delay:
    """Wait ``seconds`` (the client may time out meanwhile), then answer ``then``."""

    seconds: float
    then: Any = None


@dataclass(frozen=True)
class Garbage:
    """HTTP 200 with a body that is not JSON at all."""

    body: str = "<html><body>502 Bad Gateway (but with a 200)</body></html>"
    content_type: str = "text/html"


@dataclass(frozen=True)
class NotACompletion:
    """HTTP 200 with JSON that is not a chat completion."""

    body: Any = field(default_factory=lambda: {"status": "ok", "result": None})


Responder = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Recorded:
    """One request the server received, as it arrived (header names in lower case)."""

    method: str
    path: str
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.raw or b"null")
        except ValueError:
            return None


def _default_responder(request: dict[str, Any]) -> Any:
    fmt = (request.get("response_format") or {}).get("type")
    return {} if fmt in ("json_object", "json_schema") else "ok"


class FakeOpenAI:
    """The server. Start it with ``with`` (or ``start()``/``stop()``); ``url`` ends in /v1."""

    def __init__(self, responder: Responder | None = None, *,
                 models: tuple[str, ...] = ("fake-model",)) -> None:
        self.responder: Responder = responder or _default_responder
        self.models = models
        self.requests: list[Recorded] = []
        self._script: deque[Any] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- programming it ---------------------------------------------------------------

    def script(self, *replies: Any) -> FakeOpenAI:
        """Answer the next requests with ``replies``, in order, then the responder again."""
        with self._lock:
            self._script.extend(replies)
        return self

    def reply_json(self, data: Any) -> FakeOpenAI:
        """Answer every request from now on with ``data`` as JSON text."""
        self.responder = lambda request: data
        return self

    def reply_text(self, text: str) -> FakeOpenAI:
        """Answer every request from now on with the message content ``text``."""
        self.responder = lambda request: Reply(text)
        return self

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """The JSON bodies of every ``POST /v1/chat/completions``, in order."""
        with self._lock:
            recorded = list(self.requests)
        return [r.json for r in recorded
                if r.method == "POST" and r.path.endswith("/chat/completions")]

    def sent_text(self) -> str:
        """Everything the clients sent in request bodies, decoded: for leak checks."""
        with self._lock:
            recorded = list(self.requests)
        return "\n".join(r.raw.decode("utf-8", "replace") for r in recorded)

    def sent_content(self) -> str:
        """The message texts of every chat request, JSON escapes undone: for leak checks."""
        parts: list[str] = []
        for body in self.chat_requests:
            for message in (body or {}).get("messages", []):
                content = message.get("content")
                parts.append(content if isinstance(content, str) else json.dumps(content))
        return "\n".join(parts)

    # -- running it -------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the fake model server is not running; call start()")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FakeOpenAI:
        handler = _make_handler(self)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: a free one
        httpd.daemon_threads = True
        httpd.block_on_close = False  # a delayed answer must not hold up stop()
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, name="fake-openai",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- answering --------------------------------------------------------------------

    def _record(self, recorded: Recorded) -> None:
        with self._lock:
            self.requests.append(recorded)

    def _next_reply(self, request: dict[str, Any]) -> Any:
        with self._lock:
            if self._script:
                return self._script.popleft()
        return self.responder(request)

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._stopping.is_set() and time.monotonic() < deadline:
            time.sleep(min(0.02, max(0.0, deadline - time.monotonic())))


def _completion(request: dict[str, Any], reply: Reply, number: int) -> dict[str, Any]:
    content = reply.content
    if not isinstance(content, str):
        content = json.dumps(content)
    prompt = sum(len(str(m.get("content", ""))) for m in request.get("messages", []))
    return {
        "id": f"chatcmpl-fake-{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "fake-model"),
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": reply.finish_reason,
            "logprobs": None,
        }],
        "usage": {"prompt_tokens": prompt // 4, "completion_tokens": len(content) // 4,
                  "total_tokens": (prompt + len(content)) // 4},
    }


def _make_handler(server: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeOpenAI/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to answer

        def _json(self, status: int, data: Any) -> None:
            self._send(status, json.dumps(data).encode(), "application/json")

        def _read(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            # Header names are case-insensitive; recorded in lower case ("authorization").
            headers = {k.lower(): v for k, v in self.headers.items()}
            server._record(Recorded(self.command, self.path, headers, raw))
            return raw

        def do_GET(self) -> None:
            self._read()
            if self.path.rstrip("/").endswith("/models"):
                self._json(200, {"object": "list", "data": [
                    {"id": m, "object": "model", "created": 0, "owned_by": "fake"}
                    for m in server.models]})
            else:
                self._json(404, {"error": {"message": f"no route {self.path}",
                                           "type": "not_found"}})

        def do_POST(self) -> None:
            raw = self._read()
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._json(404, {"error": {"message": f"no route {self.path}",
                                           "type": "not_found"}})
                return
            try:
                request = json.loads(raw)
            except ValueError:
                self._json(400, {"error": {"message": "body is not JSON",
                                           "type": "invalid_request_error"}})
                return
            reply = server._next_reply(request)
            while isinstance(reply, Delay):
                server._sleep(reply.seconds)
                reply = reply.then if reply.then is not None else _default_responder(request)
            if isinstance(reply, Fail):
                self._json(reply.status, {"error": {"message": reply.message,
                                                    "type": "server_error",
                                                    "code": reply.status}})
            elif isinstance(reply, Garbage):
                self._send(200, reply.body.encode(), reply.content_type)
            elif isinstance(reply, NotACompletion):
                self._json(200, reply.body)
            else:
                if not isinstance(reply, Reply):
                    reply = Reply(reply)
                number = len(server.requests)
                self._json(200, _completion(request, reply, number))

    return Handler
