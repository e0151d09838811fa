"""Slack's answers to a message, view or metadata it would reject, so tests fail where production would;
the Block Kit rules are the app's own validator's (`jamono.slack.validation`).
Why and how: docs/design/sandbox.md."""

from __future__ import annotations

from typing import Any

from jamono.slack.limits import MESSAGE_BLOCKS_MAX, MESSAGE_TEXT_MAX
from jamono.slack.validation import validate_blocks, validate_view

from .models import SlackError


def check_message(text: Any, blocks: Any, attachments: Any = None, *, require_content: bool = True) -> None:
    """Raise Slack's error for a message body chat.postMessage/update/postEphemeral would reject."""
    if text is not None and len(str(text)) > MESSAGE_TEXT_MAX:
        raise SlackError("msg_too_long")
    if blocks is not None:
        problems = validate_blocks(blocks, limit=MESSAGE_BLOCKS_MAX, pointer="/blocks")
        if problems:
            raise SlackError(
                "invalid_blocks", errors=problems, response_metadata={"messages": [f"[ERROR] {p}" for p in problems]}
            )
    if require_content and not text and not blocks and not attachments:
        raise SlackError("no_text")


def check_view(view: Any) -> dict[str, Any]:
    """Validate a view for views.*; Slack answers invalid_arguments with pointers."""
    problems = validate_view(view)
    if problems:
        raise _invalid_arguments(problems)
    return view


def check_metadata(metadata: Any) -> dict[str, Any] | None:
    """Message metadata must be {"event_type": str, "event_payload": object}; {} clears it."""
    if metadata is None or metadata == {}:
        return None
    if not isinstance(metadata, dict):
        raise SlackError("invalid_metadata_format")
    if not isinstance(metadata.get("event_type"), str) or not isinstance(metadata.get("event_payload"), dict):
        raise SlackError("invalid_metadata_format")
    return metadata


def _invalid_arguments(problems: list[str]) -> SlackError:
    return SlackError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {p}" for p in problems]})
