"""Chat exports in the Slack export shape: a channel folder of daily JSON files (each a list
of messages), or one JSON file (a list of messages, or ``{"messages": [...]}``).

Each message becomes one line of text (``[2026-03-14 14:03] ana: the carrier is down``,
replies indented under their thread), mapped back to the line of the message in the JSON
file, and one timeline event. User ids are resolved through ``users.json`` when the export
has one beside or above the channel folder.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from bisect import bisect_right
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dna_kit.document import Document, TimelineEvent
from dna_kit.errors import SourceError

__all__ = ["SLACK_METADATA", "looks_like_chat", "read_chat"]

#: Files at the root of a Slack export that describe the workspace, not a conversation.
SLACK_METADATA = frozenset({"users.json", "channels.json", "groups.json", "dms.json",
                            "mpims.json", "integration_logs.json", "canvases.json",
                            "org_users.json", "huddles.json"})

_TS_KEY = re.compile(r'"ts"\s*:\s*"?([0-9.]+)"?')
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


def looks_like_chat(head: str) -> bool:
    """True when a JSON text's start looks like Slack messages (``"ts"`` and ``"text"``)."""
    start = head.lstrip()[:1]
    return start in ("[", "{") and '"ts"' in head and ('"text"' in head or '"type"' in head)


def _user_names(path: Path) -> dict[str, str]:
    for folder in (path.parent, path.parent.parent):
        users = folder / "users.json"
        if users.is_file():
            try:
                data = json.loads(users.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return {}
            names = {}
            for user in data if isinstance(data, list) else []:
                if isinstance(user, Mapping) and "id" in user:
                    profile = user.get("profile") or {}
                    names[str(user["id"])] = str(
                        user.get("name") or profile.get("display_name")
                        or user.get("real_name") or user["id"])
            return names
    return {}


def _when(ts: str) -> str:
    try:
        moment = _dt.datetime.fromtimestamp(float(ts), tz=_dt.UTC)
    except (ValueError, OverflowError, OSError):
        return ts
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _who(message: Mapping[str, Any], names: Mapping[str, str]) -> str:
    profile = message.get("user_profile") or {}
    user = message.get("user") or message.get("bot_id") or "unknown"
    return str(names.get(str(user)) or profile.get("display_name") or profile.get("real_name")
               or message.get("username") or user)


def read_chat(path: Path, text: str, options: dict[str, Any]) -> list[Document]:
    """One chat export file as one document (kind ``chat``)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"malformed chat export: {exc.msg} (column {exc.colno})",
                          path=path, line=exc.lineno) from None
    if isinstance(data, Mapping) and isinstance(data.get("messages"), list):
        data = data["messages"]
    if not isinstance(data, list):
        raise SourceError("malformed chat export: expected a list of messages or "
                          f'{{"messages": [...]}}, got a JSON {type(data).__name__}', path=path,
                          line=1)
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    ts_line: dict[str, int] = {}
    # The last "ts" with a value is the message's own: a parent's "replies" list names
    # its replies' timestamps before the replies themselves appear.
    for m in _TS_KEY.finditer(text):
        ts_line[m.group(1)] = bisect_right(line_starts, m.start())
    names = _user_names(path)
    warnings: list[str] = []
    messages: list[tuple[str, Mapping[str, Any]]] = []
    for index, message in enumerate(data):
        if not isinstance(message, Mapping):
            raise SourceError(f"malformed chat export: message {index} is a "
                              f"{type(message).__name__}, not an object", path=path, line=1)
        ts = message.get("ts")
        if ts is None:
            raise SourceError(f"malformed chat export: message {index} has no 'ts' field",
                              path=path, line=1, field="ts")
        if not isinstance(message.get("text", ""), str):
            raise SourceError(f"malformed chat export: message {index} 'text' is not text",
                              path=path, line=ts_line.get(str(ts), 1), field="text")
        if message.get("text"):
            messages.append((str(ts), message))
    if not messages:
        raise SourceError("chat export holds no messages with text", path=path, line=1)
    by_ts = {ts: m for ts, m in messages}
    replies: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    roots: list[tuple[str, Mapping[str, Any]]] = []
    for ts, message in messages:
        parent = str(message.get("thread_ts") or ts)
        if parent != ts and parent in by_ts:
            replies.setdefault(parent, []).append((ts, message))
        else:
            roots.append((ts, message))
    out_lines: list[str] = []
    line_map: list[int] = []
    events: list[TimelineEvent] = []

    def emit(ts: str, message: Mapping[str, Any], indent: str) -> None:
        who = _who(message, names)
        body = _MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)),
                            str(message["text"]))
        source_line = ts_line.get(ts, 1)
        when = _when(ts)
        parts = body.split("\n")
        out_lines.append(f"{indent}[{when}] {who}: {parts[0]}")
        line_map.append(source_line)
        for extra in parts[1:]:
            out_lines.append(f"{indent}    {extra}")
            line_map.append(source_line)
        events.append(TimelineEvent(time=when, actor=who, text=" ".join(body.split()),
                                    line=source_line))

    for ts, message in roots:
        emit(ts, message, "")
        for reply_ts, reply in sorted(replies.get(ts, []), key=lambda r: float(r[0])):
            emit(reply_ts, reply, "  ↳ ")
    return [Document(path=str(path), text="\n".join(out_lines) + "\n", kind="chat",
                     events=events, line_map=line_map, warnings=warnings)]
