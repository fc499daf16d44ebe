"""The optional language model: configuration, and a client that redacts, retries and caches.

dna_kit never needs a model. When one is configured (a model name in ``DNA_LLM_MODEL`` or
``llm.model`` in ``dna/config.yaml``, and the usual ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``
for any OpenAI-compatible endpoint: a hosted API, Ollama, vLLM, llama.cpp's server), it
improves extraction, interview follow-ups and drafts::

    config = load_llm_config(project.config())     # None: no model, use the offline path
    if config is not None:
        client = LLMClient(config, project=project)  # answers cached in dna/.cache/llm
        reply = client.complete_json(system, user, schema, purpose="extract")

Every text is passed through :func:`dna_kit.redact.redact` before it leaves the machine.
Answers are cached by a hash of (model, messages, schema), so a re-run sends nothing and
gets the same answer. Timeouts, HTTP 5xx, 429 and dropped connections are retried with
exponential backoff; an answer that is not JSON matching the schema is sent back to the
model once or twice with what was wrong. Anything else raises
:class:`~dna_kit.errors.ModelError` with a message that says what happened, so callers can
fall back to the offline path.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dna_kit.errors import ModelError, ProjectError
from dna_kit.fileio import atomic_write
from dna_kit.project import redaction_settings_of
from dna_kit.redact import redact

if TYPE_CHECKING:
    from dna_kit.project import Project

__all__ = ["DEFAULT_CACHE_SUBDIR", "LLMClient", "LLMConfig", "client_for_project",
           "load_llm_config"]

#: Where answers are cached, under the project's ``dna/`` folder.
DEFAULT_CACHE_SUBDIR = Path(".cache") / "llm"
_CACHE_VERSION = 1
_OFF = {"", "0", "off", "none", "no", "false"}
_CONFIG_KEYS = {
    "model", "base_url", "timeout", "max_retries", "backoff", "down_pause", "fix_attempts",
    "temperature", "redact_names", "redact_ip_addresses", "cache",
}


@dataclass(frozen=True)
class LLMConfig:
    """Which model to ask, where, and how patiently.

    ``timeout`` is per request in seconds; ``max_retries`` counts extra tries after a
    timeout, 5xx, 429 or dropped connection, waiting ``backoff`` seconds and doubling (at
    most 8 s); once those tries are spent, the endpoint is not asked again for
    ``down_pause`` seconds (a dead endpoint costs one document's retries, not every
    document's); ``fix_attempts`` is how often a reply that breaks the schema is sent back.
    ``redact_names`` and ``redact_ip_addresses`` extend redaction (e-mail addresses, phone
    numbers and secrets are always redacted). ``cache_dir``: None means the project's
    ``dna/.cache/llm``; ``cache=False`` turns caching off.
    """

    model: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never printed
    timeout: float = 60.0
    max_retries: int = 3
    backoff: float = 0.5
    down_pause: float = 60.0
    fix_attempts: int = 2
    temperature: float = 0.0
    redact_names: tuple[str, ...] = ()
    redact_ip_addresses: bool = False
    cache: bool = True
    cache_dir: Path | None = None
    origin: str = "DNA_LLM_MODEL"

    def describe(self) -> str:
        """``"llama3.1 at http://127.0.0.1:11434/v1"`` (credentials in the URL redacted)."""
        where = redact(self.base_url).text if self.base_url else "the OpenAI API"
        return f"{self.model} at {where}"


def _number(section: Mapping[str, Any], env: Mapping[str, str], key: str, env_name: str,
            default: float, *, integer: bool = False) -> float:
    raw: Any = env.get(env_name)
    where = env_name
    if raw is None or raw == "":
        raw, where = section.get(key, default), f"dna/config.yaml: llm.{key}"
    try:
        value = float(raw)
        if value < 0 or (integer and value != int(value)):
            raise ValueError
    except (TypeError, ValueError):
        kind = "a whole number ≥ 0" if integer else "a number ≥ 0"
        raise ProjectError(f"{where}={raw!r} is not {kind}") from None
    return int(value) if integer else value


def load_llm_config(project_config: Mapping[str, Any] | None = None, *,
                    environ: Mapping[str, str] | None = None) -> LLMConfig | None:
    """The model to use, or None when none is configured (then everything stays offline).

    The model name comes from ``DNA_LLM_MODEL`` (``off`` or empty turns a configured model
    off), else ``llm.model`` of the project's ``dna/config.yaml`` (pass ``project.config()``).
    The endpoint is ``OPENAI_BASE_URL`` (or ``llm.base_url``), the key ``OPENAI_API_KEY``
    (never the config file: it is committed; and never sent to an endpoint that only the
    config file names). ``DNA_LLM_TIMEOUT``, ``DNA_LLM_MAX_RETRIES``,
    ``DNA_LLM_BACKOFF`` and ``DNA_LLM_CACHE_DIR`` override the matching ``llm.*`` settings.

    >>> load_llm_config({}, environ={}) is None
    True
    >>> load_llm_config({"llm": {"model": "llama3.1", "base_url": "http://127.0.0.1:11434/v1"}},
    ...                 environ={}).describe()
    'llama3.1 at http://127.0.0.1:11434/v1'
    """
    env = os.environ if environ is None else environ
    section: Any = (project_config or {}).get("llm") or {}
    if not isinstance(section, Mapping):
        raise ProjectError(f"dna/config.yaml: llm={section!r} must be a mapping of settings")
    unknown = sorted(set(section) - _CONFIG_KEYS)
    if "api_key" in unknown:
        raise ProjectError("dna/config.yaml: llm.api_key must not be kept in a committed file;"
                           " set OPENAI_API_KEY in the environment instead")
    if unknown:
        raise ProjectError(f"dna/config.yaml: unknown llm setting(s) {unknown!r}; known: "
                           + ", ".join(sorted(_CONFIG_KEYS)))
    if "DNA_LLM_MODEL" in env:
        model, origin = env["DNA_LLM_MODEL"].strip(), "DNA_LLM_MODEL"
        if model.lower() in _OFF:
            return None
    else:
        origin = "dna/config.yaml: llm.model"
        configured = section.get("model")
        if configured is None or (isinstance(configured, str)
                                  and configured.strip().lower() in _OFF):
            return None
        if not isinstance(configured, str):
            raise ProjectError(f"{origin}={configured!r} must be a model name")
        model = configured.strip()
    base_url = env.get("OPENAI_BASE_URL") or section.get("base_url") or None
    api_key = env.get("OPENAI_API_KEY") or None
    if base_url and not env.get("OPENAI_BASE_URL"):
        # The endpoint comes from a committed file: a repository must not be able to send
        # your key to a server of its choosing. Local servers need no key; for a remote
        # one, name it in OPENAI_BASE_URL.
        api_key = None
    if api_key is None and base_url is None:
        raise ModelError(f"{origin}={model!r} names a model, but neither OPENAI_API_KEY nor "
                         "OPENAI_BASE_URL is set; set them, or unset the model to stay offline")
    redaction = redaction_settings_of(section.get("redact_names"),
                                      section.get("redact_ip_addresses"))
    cache_dir: Path | None = None
    cache = section.get("cache", True) is not False
    env_cache = env.get("DNA_LLM_CACHE_DIR")
    if env_cache is not None:
        if env_cache.strip().lower() in _OFF:
            cache = False
        else:
            cache_dir = Path(env_cache).expanduser()
    return LLMConfig(
        model=model,
        base_url=str(base_url) if base_url else None,
        # Local servers (Ollama, llama.cpp) ignore the key, but the client insists on one.
        api_key=api_key or "not-needed",
        timeout=_number(section, env, "timeout", "DNA_LLM_TIMEOUT", 60.0),
        max_retries=int(_number(section, env, "max_retries", "DNA_LLM_MAX_RETRIES", 3,
                                integer=True)),
        backoff=_number(section, env, "backoff", "DNA_LLM_BACKOFF", 0.5),
        down_pause=_number(section, env, "down_pause", "DNA_LLM_DOWN_PAUSE", 60.0),
        fix_attempts=int(_number(section, {}, "fix_attempts", "", 2, integer=True)),
        temperature=_number(section, {}, "temperature", "", 0.0),
        redact_names=redaction["names"],
        redact_ip_addresses=redaction["ip_addresses"],
        cache=cache,
        cache_dir=cache_dir,
        origin=origin,
    )


def _json_text(content: str) -> str:
    """The JSON inside a reply: code fences and chatter around it removed."""
    text = content.strip()
    fenced = re.match(r"^```[a-zA-Z]*\s*\n(.*?)\n?```\s*$", text, re.DOTALL)
    if fenced:
        return fenced.group(1).strip()
    if text[:1] in "{[":
        return text
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    if not starts:
        return text
    end = max(text.rfind("}"), text.rfind("]"))
    return text[min(starts):end + 1] if end > min(starts) else text


def _schema_problems(data: Any, schema: Mapping[str, Any], limit: int = 5) -> list[str]:
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - the llm extra installs it
        raise ModelError("checking model answers needs the jsonschema package: "
                         "pip install 'dna_kit[llm]'") from None
    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema)
    problems: list[str] = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}"
                              for p in error.absolute_path)
        problems.append(f"{where}: {error.message}")
        if len(problems) >= limit:
            break
    return problems


def _shorten(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


class LLMClient:
    """Asks the configured model; redacts what it sends, retries, caches what it gets.

    Where answers are cached: ``cache_dir`` when given; else nowhere if the configuration
    turns the cache off; else ``config.cache_dir`` (``DNA_LLM_CACHE_DIR``); else
    ``dna/.cache/llm`` of ``project`` (a :class:`~dna_kit.project.Project`, or a path in
    one); else nowhere. The current directory never decides. The folder gets a
    ``.gitignore`` of its own, so cached answers never end up in a commit.

    >>> client = LLMClient(load_llm_config(), project=project)  # doctest: +SKIP
    >>> client.complete_text("Be brief.", "Say hi", purpose="smoke test")  # doctest: +SKIP
    'Hi.'
    """

    def __init__(self, config: LLMConfig, cache_dir: str | Path | None = None, *,
                 project: Project | str | Path | None = None) -> None:
        if not isinstance(config, LLMConfig):
            raise ModelError(f"LLMClient needs an LLMConfig, got {config!r}; "
                             "use load_llm_config()")
        self.config = config
        self.cache_dir = self._resolve_cache_dir(cache_dir, project)
        #: What this client did: requests sent, cache hits, retries, schema re-asks.
        self.stats: Counter[str] = Counter()
        #: How many secrets of each type were redacted from what was sent.
        self.redactions: Counter[str] = Counter()
        self._client: Any = None
        # Servers differ in which structured-output modes they take; the first that works
        # is remembered: a JSON Schema, then plain JSON mode, then only the prompt.
        self._json_modes = ["json_schema", "json_object", "none"]
        # When the endpoint last stopped serving (its retries spent): until ``down_pause``
        # has passed it is not asked again.
        self._down_since: float | None = None

    def _resolve_cache_dir(self, cache_dir: str | Path | None,
                           project: Project | str | Path | None) -> Path | None:
        if cache_dir is not None:
            return Path(cache_dir)
        if not self.config.cache:
            return None
        if self.config.cache_dir is not None:
            return self.config.cache_dir
        if project is None:
            return None
        from dna_kit.project import Project, find_project

        found = project if isinstance(project, Project) else find_project(project)
        return found.dna_dir / DEFAULT_CACHE_SUBDIR

    # -- public -----------------------------------------------------------------------

    def complete_json(self, system: str, user: str, schema: Mapping[str, Any], *,
                      purpose: str) -> Any:
        """Ask for a JSON answer matching ``schema`` (a JSON Schema); return it parsed.

        The reply is checked against the schema; when it does not match, the model is told
        what was wrong and asked again (``fix_attempts`` times), then ModelError.

        >>> client.complete_json("Extract rules.", text, {"type": "object"},
        ...                      purpose="extract")   # doctest: +SKIP
        {'candidates': [...]}
        """
        schema = dict(schema)
        system = (f"{system.rstrip()}\n\nReply with one JSON value only (no prose, no code "
                  f"fences) that matches this JSON Schema:\n"
                  f"{json.dumps(schema, sort_keys=True)}")
        messages = self._messages(system, user)
        key = self._key(messages, schema)
        cached = self._cache_get(key)
        if cached is not None:
            data, problems = self._parse(cached, schema)
            if not problems:
                self.stats["cache_hits"] += 1
                return data
        conversation = list(messages)
        problems = []
        for attempt in range(self.config.fix_attempts + 1):
            content = self._chat(conversation, schema=schema, purpose=purpose)
            data, problems = self._parse(content, schema)
            if not problems:
                self._cache_put(key, content, purpose)
                return data
            if attempt < self.config.fix_attempts:
                self.stats["schema_retries"] += 1
                # The model's own words go back too, redacted like everything else.
                conversation = [*messages, *self._messages(None, None, assistant=content,
                                                           followup=_fix_request(problems))]
        raise ModelError(
            f"{self.config.describe()} gave no answer matching the schema for "
            f"{purpose!r} in {self.config.fix_attempts + 1} tries; last problems: "
            + "; ".join(problems))

    def complete_text(self, system: str, user: str, *, purpose: str) -> str:
        """Ask for plain text (a drafted rewrite, a summary); cached like JSON answers.

        >>> client.complete_text("Rewrite the module.", dna, purpose="drill")  # doctest: +SKIP
        'def dispatch(...): ...'
        """
        messages = self._messages(system, user)
        key = self._key(messages, None)
        cached = self._cache_get(key)
        if cached is not None:
            self.stats["cache_hits"] += 1
            return cached
        content = self._chat(messages, schema=None, purpose=purpose)
        self._cache_put(key, content, purpose)
        return content

    def list_models(self) -> list[str]:
        """The model ids the endpoint offers (``GET /models``): a quick reachability check."""
        client = self._openai()
        try:
            return [m.id for m in client.models.list()]
        except Exception as exc:  # any failure of the endpoint is a ModelError here
            raise self._error(exc, "listing models") from exc

    # -- messages, cache --------------------------------------------------------------

    def _redact(self, text: str) -> str:
        result = redact(text, names=self.config.redact_names,
                        ip_addresses=self.config.redact_ip_addresses)
        self.redactions.update(result.counts)
        return result.text

    def _messages(self, system: str | None, user: str | None, *, assistant: str | None = None,
                  followup: str | None = None) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for role, text in (("system", system), ("user", user), ("assistant", assistant),
                           ("user", followup)):
            if text is not None:
                out.append({"role": role, "content": self._redact(text)})
        return out

    def _key(self, messages: list[dict[str, str]], schema: Mapping[str, Any] | None) -> str:
        blob = json.dumps({"v": _CACHE_VERSION, "model": self.config.model,
                           "messages": messages, "schema": schema,
                           "temperature": self.config.temperature},
                          sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def _cache_path(self, key: str) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / key[:2] / f"{key}.json"

    def _cache_get(self, key: str) -> str | None:
        path = self._cache_path(key)
        if path is None or not path.is_file():
            return None
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            content = record["content"]
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a damaged entry is just a miss; it is rewritten below
        return content if isinstance(content, str) else None

    def _cache_put(self, key: str, content: str, purpose: str) -> None:
        path = self._cache_path(key)
        if path is None or self.cache_dir is None:
            return
        ignore = self.cache_dir / ".gitignore"
        if not ignore.exists():
            atomic_write(ignore, "# dna_kit's cache of model answers: never committed\n*\n")
        record = {"model": self.config.model, "purpose": purpose, "key": key,
                  "saved": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                  "content": content}
        atomic_write(path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")

    @staticmethod
    def _parse(content: str, schema: Mapping[str, Any]) -> tuple[Any, list[str]]:
        try:
            data = json.loads(_json_text(content))
        except ValueError as exc:
            return None, [f"not JSON ({exc}): {_shorten(content, 80)!r}"]
        return data, _schema_problems(data, schema)

    # -- the wire ---------------------------------------------------------------------

    def _openai(self) -> Any:
        if self._client is None:
            try:
                import openai
            except ImportError:
                raise ModelError("a model is configured but the openai package is not "
                                 "installed: pip install 'dna_kit[llm]'") from None
            kwargs: dict[str, Any] = {"api_key": self.config.api_key,
                                      "timeout": self.config.timeout,
                                      "max_retries": 0}  # retries are ours, with backoff
            if self.config.base_url:
                kwargs["base_url"] = self.config.base_url
            self._client = openai.OpenAI(**kwargs)
        return self._client

    def _response_format(self, schema: Mapping[str, Any] | None, purpose: str) -> Any:
        if schema is None or self._json_modes[0] == "none":
            return None
        if self._json_modes[0] == "json_object":
            return {"type": "json_object"}
        name = re.sub(r"[^A-Za-z0-9_-]+", "_", purpose)[:64] or "answer"
        return {"type": "json_schema",
                "json_schema": {"name": name, "schema": dict(schema), "strict": False}}

    def _chat(self, messages: list[dict[str, str]], *, schema: Mapping[str, Any] | None,
              purpose: str) -> str:
        if self._down_since is not None:
            since = time.monotonic() - self._down_since
            if since < self.config.down_pause:
                self.stats["skipped_while_down"] += 1
                raise ModelError(
                    f"{self.config.describe()} not asked: it failed {since:.0f} s ago and is "
                    f"left alone for {self.config.down_pause:g} s (while asking for "
                    f"{purpose!r})")
            self._down_since = None
        try:
            return self._ask(messages, schema=schema, purpose=purpose)
        except _Unavailable as exc:
            self._down_since = time.monotonic()
            raise exc.error from exc.__cause__

    def _ask(self, messages: list[dict[str, str]], *, schema: Mapping[str, Any] | None,
             purpose: str) -> str:
        import openai

        client = self._openai()
        attempt = 0
        while True:
            request: dict[str, Any] = {"model": self.config.model, "messages": messages,
                                       "temperature": self.config.temperature}
            response_format = self._response_format(schema, purpose)
            if response_format is not None:
                request["response_format"] = response_format
            self.stats["requests"] += 1
            try:
                response = client.chat.completions.create(**request)
            except openai.BadRequestError as exc:
                # Older servers reject structured output; fall back one mode and try again.
                if response_format is not None and len(self._json_modes) > 1:
                    self._json_modes.pop(0)
                    continue
                raise self._error(exc, purpose) from exc
            except (openai.APITimeoutError, openai.APIConnectionError,
                    openai.RateLimitError, openai.InternalServerError) as exc:
                if attempt >= self.config.max_retries:
                    raise _Unavailable(self._error(exc, purpose, tries=attempt + 1)) from exc
                self.stats["retries"] += 1
                time.sleep(min(8.0, self.config.backoff * 2 ** attempt))
                attempt += 1
                continue
            except openai.APIStatusError as exc:
                if exc.status_code >= 500 and attempt < self.config.max_retries:
                    self.stats["retries"] += 1
                    time.sleep(min(8.0, self.config.backoff * 2 ** attempt))
                    attempt += 1
                    continue
                error = self._error(exc, purpose, tries=attempt + 1)
                if exc.status_code >= 500:
                    raise _Unavailable(error) from exc
                raise error from exc
            except openai.OpenAIError as exc:
                raise self._error(exc, purpose) from exc
            return self._content(response, purpose)

    def _content(self, response: Any, purpose: str) -> str:
        choices = getattr(response, "choices", None)
        if not choices:
            what = _shorten(response if isinstance(response, str) else repr(response), 80)
            raise ModelError(f"{self.config.describe()} answered {purpose!r} with something "
                             f"that is not a chat completion: {what!r}")
        message = getattr(choices[0], "message", None)
        content = getattr(message, "content", None)
        if not isinstance(content, str) or not content.strip():
            reason = getattr(choices[0], "finish_reason", None)
            raise ModelError(f"{self.config.describe()} answered {purpose!r} with no text "
                             f"(finish_reason={reason!r})")
        return content

    def _error(self, exc: BaseException, purpose: str, *, tries: int = 1) -> ModelError:
        import openai

        where = self.config.describe()
        after = f" after {tries} tries" if tries > 1 else ""
        if isinstance(exc, openai.APITimeoutError):
            text = f"{where} timed out ({self.config.timeout:g} s per request){after}"
        elif isinstance(exc, openai.APIConnectionError):
            text = f"cannot reach {where}{after}: {_shorten(str(exc.__cause__ or exc), 100)}"
        elif isinstance(exc, openai.APIStatusError):
            body = exc.body.get("message") if isinstance(exc.body, dict) else None
            detail = str(body or re.sub(r"^Error code: \d+ - ", "", str(exc.message)))
            text = f"{where} answered HTTP {exc.status_code}{after}: {_shorten(detail, 160)}"
        else:
            text = f"{where} failed: {_shorten(str(exc), 160)}"
        return ModelError(f"{text} (while asking for {purpose!r})")


class _Unavailable(Exception):
    """The endpoint did not serve after every retry: ``error`` says how."""

    def __init__(self, error: ModelError) -> None:
        super().__init__(str(error))
        self.error = error


def client_for_project(project: Project) -> LLMClient | None:
    """A client for ``project``'s configured model, caching in that project's
    ``dna/.cache/llm`` (not the current directory's), or None when no model is configured.

    >>> client_for_project(project) is None   # no DNA_LLM_MODEL, no llm.model  # doctest: +SKIP
    True
    """
    config = load_llm_config(project.config())
    if config is None:
        return None
    return LLMClient(config, project=project)


def _fix_request(problems: list[str]) -> str:
    return ("That reply does not match the JSON Schema: " + "; ".join(problems)
            + ". Reply again with only the corrected JSON value.")
