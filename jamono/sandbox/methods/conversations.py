"""conversations.*: reading channels and threads, opening DMs."""

from __future__ import annotations

from typing import Any

from ..messages import api_message
from ..models import SlackError
from .context import Method, MethodContext


def info(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    return {"channel": channel.to_api(include_num_members=ctx.flag("include_num_members"))}


def replies(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    ts = ctx.require("ts", "thread_not_found")
    root = ctx.state.messages.thread_root(channel.id, ts)
    thread = ctx.state.messages.thread(channel.id, root)
    if not thread:
        raise SlackError("thread_not_found")
    page, meta = ctx.page(_window(ctx, thread), default_limit=1000)
    metadata = ctx.flag("include_all_metadata")
    return {"messages": [api_message(m, include_metadata=metadata) for m in page], **meta}


def history(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    newest_first = list(reversed(_window(ctx, ctx.state.messages.top_level(channel.id))))
    page, meta = ctx.page(newest_first)
    metadata = ctx.flag("include_all_metadata")
    return {"messages": [api_message(m, include_metadata=metadata) for m in page], "pin_count": 0, **meta}


def open_conversation(ctx: MethodContext) -> dict[str, Any]:
    if ctx.arg("channel"):
        channel, existed = ctx.channel(), True
    else:
        users = [u for u in str(ctx.require("users", "users_list_not_supplied")).split(",") if u]
        for user in users:
            ctx.state.directory.user(user)
        if len(users) == 1:
            channel, existed = ctx.state.directory.dm_for(users[0])
        else:
            channel, existed = ctx.state.directory.mpim_for(users)
    body: dict[str, Any] = {"channel": channel.to_api() if ctx.flag("return_im") else {"id": channel.id}}
    if existed:
        body.update(no_op=True, already_open=True)
    return body


def list_conversations(ctx: MethodContext) -> dict[str, Any]:
    wanted = set(str(ctx.arg("types", "public_channel")).split(","))
    channels = [c for c in ctx.state.directory.channels.values() if _type_name(c) in wanted]
    page, meta = ctx.page(channels)
    return {"channels": [c.to_api() for c in page], "response_metadata": meta["response_metadata"]}


def members(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    page, meta = ctx.page(channel.members)
    return {"members": page, "response_metadata": meta["response_metadata"]}


def join(ctx: MethodContext) -> dict[str, Any]:
    """Slack's join: public channels only; a second join answers `already_in_channel` as a warning."""
    channel = ctx.channel()
    if channel.is_im or channel.is_mpim or channel.is_private:
        raise SlackError("method_not_supported_for_channel_type")
    me = ctx.me.user_id
    already = me in channel.members
    if not already:
        channel.members.append(me)
    channel.is_member = True
    body: dict[str, Any] = {"channel": channel.to_api()}
    if already:
        body["warning"] = "already_in_channel"
    return body


def _type_name(channel: Any) -> str:
    if channel.is_im:
        return "im"
    if channel.is_mpim:
        return "mpim"
    return "private_channel" if channel.is_private else "public_channel"


def _window(ctx: MethodContext, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply oldest/latest/inclusive as Slack does (exclusive bounds unless inclusive)."""
    oldest, latest = ctx.arg("oldest"), ctx.arg("latest")
    inclusive = ctx.flag("inclusive")

    def inside(ts: str) -> bool:
        value = float(ts)
        if oldest is not None and (value < float(oldest) or (value == float(oldest) and not inclusive)):
            return False
        return not (latest is not None and (value > float(latest) or (value == float(latest) and not inclusive)))

    return [m for m in messages if inside(m["ts"])]


METHODS: dict[str, Method] = {
    "conversations.info": Method(info),
    "conversations.replies": Method(replies),
    "conversations.history": Method(history),
    "conversations.open": Method(open_conversation),
    "conversations.list": Method(list_conversations),
    "conversations.members": Method(members),
    "conversations.join": Method(join),
}
