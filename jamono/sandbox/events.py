"""Event dicts (the `event` inside an event_callback) derived from stored messages.
Why and how: docs/design/sandbox.md."""

from __future__ import annotations

from typing import Any

from .clone import clone
from .models import Channel

_EVENT_KEYS = (
    "type",
    "subtype",
    "user",
    "bot_id",
    "app_id",
    "text",
    "ts",
    "thread_ts",
    "parent_user_id",
    "team",
    "blocks",
    "files",
    "bot_profile",
    "client_msg_id",
    "upload",
)


def message_event(message: dict[str, Any], channel: Channel) -> dict[str, Any]:
    """The `message` event Slack sends for a stored message."""
    event: dict[str, Any] = {k: clone(message[k]) for k in _EVENT_KEYS if message.get(k) is not None}
    event["type"] = "message"
    event["channel"] = channel.id
    event["event_ts"] = message["ts"]
    event["channel_type"] = channel.channel_type
    if not event.get("blocks"):
        event.pop("blocks", None)
    if event.get("thread_ts") == event["ts"]:
        del event["thread_ts"]  # a parent's own event never carries thread_ts
    return event


def normalize_files(files: list[Any]) -> list[dict[str, Any]]:
    """Shared files as message events carry them; a bare name becomes a text file."""
    result: list[dict[str, Any]] = []
    for index, item in enumerate(files):
        if isinstance(item, dict):
            result.append(clone(item))
            continue
        name = str(item)
        file_id = f"F0SANDBOX{index:02d}"
        result.append(
            {
                "id": file_id,
                "name": name,
                "title": name,
                "mimetype": "text/plain",
                "filetype": name.rsplit(".", 1)[-1] if "." in name else "text",
                "size": 0,
                "url_private": f"https://files.sandbox.invalid/{file_id}/{name}",
            }
        )
    return result


def app_mention_event(message: dict[str, Any], channel: Channel) -> dict[str, Any]:
    """The `app_mention` twin of a channel message that mentions the bot."""
    event = message_event(message, channel)
    event["type"] = "app_mention"
    event.pop("channel_type", None)
    event.pop("subtype", None)
    return event


def bot_message_event(message: dict[str, Any], channel: Channel, *, subtype: str | None) -> dict[str, Any]:
    """The echo of the bot's own post; modern apps get no subtype, legacy bots "bot_message"."""
    event = message_event(message, channel)
    if subtype:
        event["subtype"] = subtype
    return event
