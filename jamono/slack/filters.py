"""Which Slack events NOX answers. A channel `@nox` arrives as `app_mention` AND `message`:
mentions are answered from `app_mention`, and `message` keeps direct messages only."""

from __future__ import annotations

from typing import Any

# Subtypes that are still a person talking; everything else (edits, deletions, joins) is ignored.
_HUMAN_SUBTYPES = {None, "file_share", "thread_broadcast"}


def is_from_bot(event: dict[str, Any], bot_user_id: str | None) -> bool:
    user = event.get("user")
    return bool(
        event.get("bot_id")
        or event.get("subtype") == "bot_message"
        or event.get("bot_profile")
        or user is None
        or user == "USLACKBOT"
        or (bot_user_id is not None and user == bot_user_id)
    )


def should_answer_mention(event: dict[str, Any], bot_user_id: str | None) -> bool:
    return event.get("subtype") in _HUMAN_SUBTYPES and not is_from_bot(event, bot_user_id)


def should_answer_message(event: dict[str, Any], bot_user_id: str | None) -> bool:
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") in _HUMAN_SUBTYPES
        and not is_from_bot(event, bot_user_id)
    )


def should_follow_thread(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """A person's reply inside a channel thread, not addressed to NOX with a mention (that one
    comes as app_mention): the worker answers it only in a thread NOX answered, when it reads as
    meant for NOX."""
    thread_ts = event.get("thread_ts")
    return (
        event.get("channel_type") in ("channel", "group")
        and event.get("subtype") in _HUMAN_SUBTYPES
        and not is_from_bot(event, bot_user_id)
        and thread_ts is not None
        and thread_ts != event.get("ts")
        and not (bot_user_id and f"<@{bot_user_id}>" in (event.get("text") or ""))
    )


def should_watch_message(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """A top-level human message in a channel, not addressed to NOX (mentions come as app_mention):
    the worker answers it only if the channel is watched and the message reads like an incident."""
    thread_ts = event.get("thread_ts")
    return (
        event.get("channel_type") in ("channel", "group")
        and event.get("subtype") in _HUMAN_SUBTYPES
        and not is_from_bot(event, bot_user_id)
        and (thread_ts is None or thread_ts == event.get("ts"))
        and not (bot_user_id and f"<@{bot_user_id}>" in (event.get("text") or ""))
    )
