"""files.*: the external upload flow slack_sdk's files_upload_v2 drives (get an upload URL on the
sandbox, POST the bytes, complete: shared in a channel). Why and how: docs/design/sandbox.md."""

from __future__ import annotations

import json
import secrets
from typing import Any

from ..models import SlackError
from .context import Method, MethodContext

MAX_FILE_BYTES = 1_000_000


def get_upload_url(ctx: MethodContext) -> dict[str, Any]:
    name = str(ctx.require("filename", "invalid_arguments"))
    try:
        length = int(ctx.require("length", "invalid_arguments"))
    except ValueError:
        raise SlackError("invalid_arguments") from None
    if length <= 0 or length > MAX_FILE_BYTES:
        raise SlackError("invalid_arguments")
    file_id = "F" + secrets.token_hex(5).upper()
    ctx.state.files[file_id] = {
        "id": file_id,
        "name": name,
        "title": name,
        "size": length,
        "user": ctx.me.user_id,
        "team": ctx.me.team_id,
        "content": None,
        "complete": False,
        "created": int(float(ctx.state.clock.next())),
        "mimetype": "text/plain",
        "filetype": "markdown" if name.endswith(".md") else "text",
    }
    return {"upload_url": f"{ctx.state.upload_base}/upload/v1/{file_id}", "file_id": file_id}


def complete_upload(ctx: MethodContext) -> dict[str, Any]:
    raw = ctx.require("files", "invalid_arguments")
    try:
        wanted = json.loads(raw) if isinstance(raw, str) else list(raw)
    except ValueError:
        raise SlackError("invalid_arguments") from None
    done: list[dict[str, Any]] = []
    for item in wanted:
        stored = ctx.state.files.get(str(item.get("id")))
        if stored is None or stored["content"] is None or stored["user"] != ctx.me.user_id:
            raise SlackError("file_not_found")
        stored["title"] = str(item.get("title") or stored["name"])
        stored["complete"] = True
        done.append(_shown(stored))
    channel_ref = ctx.arg("channel_id")
    if channel_ref:
        channel = ctx.state.directory.resolve(channel_ref)
        message = ctx.state.new_message(
            identity=ctx.me, text=str(ctx.arg("initial_comment", "")), blocks=None, thread_ts=ctx.arg("thread_ts")
        )
        message["files"] = done
        message["upload"] = True
        stored_message = ctx.state.messages.add(channel.id, message)
        ctx.posted.append((channel, stored_message))
        for entry in done:
            ctx.state.files[entry["id"]].setdefault("shares", []).append(channel.id)
    return {"files": done}


def info(ctx: MethodContext) -> dict[str, Any]:
    stored = ctx.state.files.get(str(ctx.require("file", "file_not_found")))
    if stored is None or not stored["complete"]:
        raise SlackError("file_not_found")
    return {"file": _shown(stored), "content": stored["content"]}


def list_files(ctx: MethodContext) -> dict[str, Any]:
    """files.list (files:read): the team's complete files, newest first, filtered by user, channel,
    time and type (`canvas` for canvases, `all` by default)."""
    if "files:read" not in ctx.me.scopes:
        raise SlackError("missing_scope", needed="files:read", provided=",".join(ctx.me.scopes))
    user, channel = ctx.arg("user"), ctx.arg("channel")
    types = {t for t in str(ctx.arg("types", "all")).split(",") if t}
    if types - {"all", "spaces", "snippets", "images", "gdocs", "zips", "pdfs", "canvas"}:
        raise SlackError("unknown_type")
    ts_from, ts_to = float(ctx.arg("ts_from", 0)), float(ctx.arg("ts_to", "inf"))
    found = [
        f
        for f in ctx.state.files.values()
        if f["complete"]
        and f["team"] == ctx.me.team_id
        and (user is None or f["user"] == user)
        and (channel is None or channel in f.get("shares", []) or channel in f.get("access", {}))
        and ts_from <= f["created"] <= ts_to
        and ("all" in types or ("canvas" in types) == bool(f.get("is_canvas")))
    ]
    found.sort(key=lambda f: f["created"], reverse=True)
    try:
        count, page = max(int(ctx.arg("count", 100)), 1), max(int(ctx.arg("page", 1)), 1)
    except ValueError:
        raise SlackError("invalid_arguments") from None
    shown = found[(page - 1) * count : page * count]
    pages = max((len(found) + count - 1) // count, 1)
    return {
        "files": [_shown(f) for f in shown],
        "paging": {"count": count, "total": len(found), "page": page, "pages": pages},
    }


_HIDDEN = ("content", "complete", "access", "tabbed_in", "channel_canvas_of", "team")


def _shown(stored: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in stored.items() if k not in _HIDDEN}


METHODS: dict[str, Method] = {
    "files.getUploadURLExternal": Method(get_upload_url),
    "files.completeUploadExternal": Method(complete_upload),
    "files.info": Method(info),
    "files.list": Method(list_files),
}
