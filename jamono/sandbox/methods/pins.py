"""pins.* and bookmarks.*: what a channel keeps at hand (an incident's card, its links)."""

from __future__ import annotations

import copy
import time
from typing import Any

from ..ids import new_id
from ..messages import api_message
from ..models import SlackError
from .context import Method, MethodContext


def pins_add(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    message = ctx.state.messages.get(channel.id, ctx.require("timestamp", "no_item_specified"))
    pinned: list[str] = message.setdefault("pinned_to", [])
    if channel.id in pinned:
        raise SlackError("already_pinned")
    pinned.append(channel.id)
    ctx.state.feed.add("pinned", channel.id, message["ts"], message)
    return {}


def pins_remove(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    message = ctx.state.messages.get(channel.id, ctx.require("timestamp", "no_item_specified"))
    if channel.id not in (message.get("pinned_to") or []):
        raise SlackError("no_pin")
    message["pinned_to"].remove(channel.id)
    if not message["pinned_to"]:
        del message["pinned_to"]
    ctx.state.feed.add("pinned", channel.id, message["ts"], message)
    return {}


def pins_list(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel()
    items = [
        {"type": "message", "channel": channel.id, "message": api_message(m)}
        for m in ctx.state.messages.all(channel.id)
        if channel.id in (m.get("pinned_to") or [])
    ]
    return {"items": items}


def bookmarks_add(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel("channel_id")
    kind = ctx.require("type")
    if kind != "link":
        raise SlackError("invalid_bookmark_type")
    link = str(ctx.require("link", "invalid_link"))
    if not link.lower().startswith(("http://", "https://")):
        raise SlackError("invalid_link")
    now = int(time.time())
    bookmark = {
        "id": new_id("Bk"),
        "channel_id": channel.id,
        "title": str(ctx.require("title"))[:100],
        "link": link,
        "emoji": ctx.arg("emoji", ""),
        "type": "link",
        "entity_id": ctx.arg("entity_id"),
        "date_created": now,
        "date_updated": now,
        "rank": "U",
        "last_updated_by_user_id": ctx.me.user_id,
        "last_updated_by_team_id": ctx.me.team_id,
        "app_id": ctx.me.app_id,
    }
    ctx.state.bookmarks.setdefault(channel.id, []).append(bookmark)
    ctx.state.feed.add("bookmarks", channel.id, None, {"bookmarks": copy.deepcopy(ctx.state.bookmarks[channel.id])})
    return {"bookmark": copy.deepcopy(bookmark)}


def bookmarks_list(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel("channel_id")
    return {"bookmarks": copy.deepcopy(ctx.state.bookmarks.get(channel.id, []))}


def bookmarks_remove(ctx: MethodContext) -> dict[str, Any]:
    channel = ctx.channel("channel_id")
    bookmark_id = ctx.require("bookmark_id")
    kept = [b for b in ctx.state.bookmarks.get(channel.id, []) if b["id"] != bookmark_id]
    if len(kept) == len(ctx.state.bookmarks.get(channel.id, [])):
        raise SlackError("not_found")
    ctx.state.bookmarks[channel.id] = kept
    ctx.state.feed.add("bookmarks", channel.id, None, {"bookmarks": copy.deepcopy(kept)})
    return {}


METHODS: dict[str, Method] = {
    "pins.add": Method(pins_add),
    "pins.remove": Method(pins_remove),
    "pins.list": Method(pins_list),
    "bookmarks.add": Method(bookmarks_add),
    "bookmarks.list": Method(bookmarks_list),
    "bookmarks.remove": Method(bookmarks_remove),
}
