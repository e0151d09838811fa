"""Making channels: conversations.create/invite/setTopic, and the user groups whose members get
invited (pins and bookmarks: methods/pins.py). Each refuses what Slack refuses (name_taken,
already_in_channel, no_such_subteam …) so apps meet those answers here first."""

from __future__ import annotations

import re
from typing import Any

from ..ids import new_id
from ..models import Channel, SlackError
from .context import Method, MethodContext

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


def create(ctx: MethodContext) -> dict[str, Any]:
    name = str(ctx.require("name", "invalid_name_required"))
    if not _NAME.match(name):
        raise SlackError("invalid_name_specials" if name.lower() == name else "invalid_name")
    if any(c.name == name for c in ctx.state.directory.channels.values() if not c.is_im and not c.is_mpim):
        raise SlackError("name_taken")
    me = ctx.me.user_id
    channel = Channel(id=new_id("C"), name=name, is_private=ctx.flag("is_private"), members=[me], creator=me)
    ctx.state.directory.add_channel(channel)
    ctx.state.feed.add("channel", channel.id, None, {"name": name, "is_private": channel.is_private, "by": me})
    return {"channel": channel.to_api()}


def invite(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    users = [u for u in str(ctx.require("users", "no_user")).split(",") if u]
    if ctx.me.user_id not in channel.members:
        raise SlackError("not_in_channel")
    added: list[str] = []
    for user in users:
        if user == ctx.me.user_id:
            raise SlackError("cant_invite_self")
        ctx.state.directory.user(user)  # user_not_found
        if user not in channel.members:
            added.append(user)
    if not added:
        raise SlackError("already_in_channel")
    channel.members.extend(added)
    ctx.state.feed.add("invited", channel.id, None, {"users": added, "by": ctx.me.user_id})
    return {"channel": channel.to_api()}


def set_topic(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    topic = str(ctx.arg("topic", ""))
    if len(topic) > 250:
        raise SlackError("too_long")
    if ctx.me.user_id not in channel.members:
        raise SlackError("not_in_channel")
    channel.topic = topic
    ctx.state.feed.add("topic", channel.id, None, {"topic": topic})
    return {"channel": channel.to_api()}


def usergroup_users(ctx: MethodContext) -> dict[str, Any]:
    group = str(ctx.require("usergroup", "no_such_subteam"))
    users = ctx.state.directory.usergroups.get(group)
    if users is None:
        raise SlackError("no_such_subteam")
    return {"users": list(users)}


METHODS: dict[str, Method] = {
    "conversations.create": Method(create),
    "conversations.invite": Method(invite),
    "conversations.setTopic": Method(set_topic),
    "usergroups.users.list": Method(usergroup_users),
}
