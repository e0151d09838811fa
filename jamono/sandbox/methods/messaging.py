"""chat.* and reactions.*: posting, editing and decorating messages."""

from __future__ import annotations

import copy
from typing import Any

from ..messages import api_message
from ..models import SlackError
from ..validation import check_message, check_metadata
from .context import Method, MethodContext, truthy

# Posting options Slack accepts and stores on the message as-is.
_PASSTHROUGH = ("attachments", "username", "icon_emoji", "icon_url")


def post_message(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    text, blocks, attachments = ctx.arg("text", ""), ctx.params.get("blocks"), ctx.params.get("attachments")
    check_message(text, blocks, attachments)
    metadata = check_metadata(ctx.params.get("metadata"))
    message = ctx.state.new_message(identity=ctx.me, text=str(text), blocks=blocks, thread_ts=ctx.arg("thread_ts"))
    message["metadata"] = copy.deepcopy(metadata)
    for key in _PASSTHROUGH:
        if ctx.params.get(key) is not None:
            message[key] = copy.deepcopy(ctx.params[key])
    if message["thread_ts"] and truthy(ctx.params.get("reply_broadcast")):
        message["subtype"] = "thread_broadcast"
    stored = ctx.state.messages.add(channel.id, message)
    ctx.posted.append((channel, stored))
    return {"channel": channel.id, "ts": stored["ts"], "message": api_message(stored)}


def update(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    ts = ctx.require("ts", "message_not_found")
    message = ctx.state.messages.get(channel.id, ts)
    if message.get("user") != ctx.me.user_id:
        raise SlackError("cant_update_message")
    text, blocks, attachments = ctx.params.get("text"), ctx.params.get("blocks"), ctx.params.get("attachments")
    has_metadata = "metadata" in ctx.params
    check_message(text, blocks, attachments, require_content=not has_metadata)
    # Slack keeps what an update leaves out; [] / {} clear blocks / metadata.
    changes: dict[str, Any] = {"edited": {"user": ctx.me.user_id, "ts": ctx.state.clock.next()}}
    if text is not None:
        changes["text"] = str(text)
    if blocks is not None:
        changes["blocks"] = copy.deepcopy(blocks)
    if attachments is not None:
        changes["attachments"] = copy.deepcopy(attachments)
    if has_metadata:
        changes["metadata"] = copy.deepcopy(check_metadata(ctx.params.get("metadata")))
    stored = ctx.state.messages.update(channel.id, ts, changes)
    return {"channel": channel.id, "ts": ts, "text": stored["text"], "message": api_message(stored)}


def delete(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    ts = ctx.require("ts", "message_not_found")
    message = ctx.state.messages.get(channel.id, ts)
    if message.get("user") != ctx.me.user_id:
        raise SlackError("cant_delete_message")
    ctx.state.messages.delete(channel.id, ts)
    return {"channel": channel.id, "ts": ts}


def post_ephemeral(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    user = ctx.require("user", "user_not_in_channel")
    text, blocks = ctx.arg("text", ""), ctx.params.get("blocks")
    check_message(text, blocks, ctx.params.get("attachments"))
    ts = ctx.state.clock.next()
    ctx.state.messages.add_ephemeral(
        {
            "channel": channel.id,
            "user": user,
            "ts": ts,
            "thread_ts": ctx.arg("thread_ts"),
            "text": str(text),
            "blocks": copy.deepcopy(blocks) or [],
            "bot_id": ctx.me.bot_id,
            "source": "chat.postEphemeral",
        }
    )
    return {"message_ts": ts}


def get_permalink(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    message = ctx.state.messages.get(channel.id, ctx.require("message_ts", "message_not_found"))
    return {"channel": channel.id, "permalink": permalink(ctx.workspace.team_domain, channel.id, message)}


def permalink(domain: str, channel: str, message: dict[str, Any]) -> str:
    """https://<domain>.slack.com/archives/C…/p<ts digits>, with thread_ts and cid for replies."""
    ts = message["ts"]
    url = f"https://{domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
    thread_ts = message.get("thread_ts")
    if thread_ts and thread_ts != ts:
        url += f"?thread_ts={thread_ts}&cid={channel}"
    return url


def reactions_add(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    ts = ctx.require("timestamp", "message_not_found")
    ctx.state.messages.add_reaction(channel.id, ts, _emoji(ctx), ctx.me.user_id)
    return {}


def reactions_remove(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    ts = ctx.require("timestamp", "message_not_found")
    ctx.state.messages.remove_reaction(channel.id, ts, _emoji(ctx), ctx.me.user_id)
    return {}


def reactions_get(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    message = ctx.state.messages.get(channel.id, ctx.require("timestamp", "message_not_found"))
    return {"type": "message", "channel": channel.id, "message": api_message(message)}


def _emoji(ctx: MethodContext) -> str:
    name = str(ctx.require("name", "invalid_name")).strip(":")
    if not name:
        raise SlackError("invalid_name")
    return name


METHODS: dict[str, Method] = {
    "chat.postMessage": Method(post_message),
    "chat.update": Method(update),
    "chat.delete": Method(delete),
    "chat.postEphemeral": Method(post_ephemeral),
    "chat.getPermalink": Method(get_permalink),
    "reactions.add": Method(reactions_add),
    "reactions.remove": Method(reactions_remove),
    "reactions.get": Method(reactions_get),
}
