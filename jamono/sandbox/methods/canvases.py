"""canvases.* and conversations.canvases.create as Slack documents them: the canvases:write scope,
markdown `document_content`, free teams limited to tabbed canvases. Why and how: docs/design/sandbox.md."""

from __future__ import annotations

import json
import secrets
from typing import Any

from ..models import SlackError
from .context import Method, MethodContext

SCOPE = "canvases:write"
MAX_MARKDOWN = 1_048_576  # characters, Slack's 1 MiB
ACCESS_LEVELS = ("read", "write", "owner")
MAX_ACCESS_IDS = 20
EDIT_OPERATIONS = ("insert_after", "insert_before", "insert_at_start", "insert_at_end", "replace", "delete")


def _allowed(ctx: MethodContext) -> None:
    """The token needs canvases:write, and the team canvases at all."""
    if SCOPE not in ctx.me.scopes:
        raise SlackError("missing_scope", needed=SCOPE, provided=",".join(ctx.me.scopes))
    if not ctx.workspace.canvases_enabled:
        raise SlackError("canvas_disabled_user_team")


def _json_arg(ctx: MethodContext, name: str) -> Any:
    raw = ctx.arg(name)
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            raise SlackError("invalid_arguments") from None
    return raw


def _markdown(content: Any) -> str:
    """document_content: {"type": "markdown", "markdown": "..."}, the only type there is."""
    if not isinstance(content, dict) or content.get("type") != "markdown":
        raise SlackError("invalid_arguments", response_metadata={"messages": ["[ERROR] document_content.type"]})
    markdown = content.get("markdown")
    if not isinstance(markdown, str) or len(markdown) > MAX_MARKDOWN:
        raise SlackError("invalid_arguments", response_metadata={"messages": ["[ERROR] document_content.markdown"]})
    return markdown


def _new_canvas(ctx: MethodContext, title: str, markdown: str, tab: str | None) -> dict[str, Any]:
    canvas_id = "F" + secrets.token_hex(5).upper()
    workspace = ctx.workspace
    canvas = {
        "id": canvas_id,
        "name": title,
        "title": title,
        "user": ctx.me.user_id,
        "team": workspace.team_id,
        "created": int(float(ctx.state.clock.next())),
        "mimetype": "application/vnd.slack-docs",
        "filetype": "quip",
        "pretty_type": "Canvas",
        "permalink": f"{workspace.url}docs/{workspace.team_id}/{canvas_id}",
        "content": markdown,
        "complete": True,
        "is_canvas": True,
        "access": {tab: "write"} if tab else {},
        "tabbed_in": tab,
    }
    ctx.state.files[canvas_id] = canvas
    return canvas


def create(ctx: MethodContext) -> dict[str, Any]:
    _allowed(ctx)
    title = str(ctx.arg("title", ""))
    content = _json_arg(ctx, "document_content")
    markdown = _markdown(content) if content is not None else ""
    channel_ref = ctx.arg("channel_id")
    if channel_ref is None and ctx.workspace.plan == "free":
        raise SlackError("free_teams_cannot_create_non_tabbed_canvases")
    tab = ctx.state.directory.resolve(channel_ref).id if channel_ref else None
    return {"canvas_id": _new_canvas(ctx, title, markdown, tab)["id"]}


def channel_create(ctx: MethodContext) -> dict[str, Any]:
    _allowed(ctx)
    channel = ctx.state.directory.resolve(ctx.require("channel_id", "invalid_arguments"))
    if ctx.workspace.plan == "free":
        raise SlackError("team_tier_cannot_create_channel_canvases")
    if any(f.get("channel_canvas_of") == channel.id for f in ctx.state.files.values()):
        raise SlackError("channel_canvas_already_exists")
    content = _json_arg(ctx, "document_content")
    markdown = _markdown(content) if content is not None else ""
    canvas = _new_canvas(ctx, str(ctx.arg("title", "")), markdown, None)
    canvas["channel_canvas_of"] = channel.id
    canvas["access"] = {channel.id: "write"}
    return {"canvas_id": canvas["id"]}


def _canvas(ctx: MethodContext) -> dict[str, Any]:
    canvas = ctx.state.files.get(str(ctx.require("canvas_id", "invalid_arguments")))
    if canvas is None or not canvas.get("is_canvas"):
        raise SlackError("canvas_not_found")
    return canvas


def edit(ctx: MethodContext) -> dict[str, Any]:
    _allowed(ctx)
    canvas = _canvas(ctx)
    if ctx.workspace.plan == "free" and not (canvas.get("tabbed_in") or canvas.get("channel_canvas_of")):
        raise SlackError("free_teams_cannot_edit_standalone_canvases")
    if ctx.me.user_id != canvas["user"] and canvas["access"].get(ctx.me.user_id) not in ("write", "owner"):
        raise SlackError("restricted_action")
    changes = _json_arg(ctx, "changes")
    if not isinstance(changes, list) or len(changes) != 1 or not isinstance(changes[0], dict):
        raise SlackError("invalid_arguments")  # one operation per call, as Slack allows today
    change = changes[0]
    operation = change.get("operation")
    if operation not in EDIT_OPERATIONS:
        raise SlackError("invalid_arguments")
    if "title_content" in change:
        canvas["title"] = canvas["name"] = _markdown(change["title_content"])
        return {}
    if change.get("section_id"):  # the sandbox keeps no sections: no section id it handed out exists
        raise SlackError("canvas_editing_failed")
    text = _markdown(change.get("document_content")) if operation != "delete" else ""
    if operation == "insert_at_start":
        canvas["content"] = text + "\n" + canvas["content"]
    elif operation == "insert_at_end":
        canvas["content"] = canvas["content"] + "\n" + text
    elif operation == "replace":
        canvas["content"] = text
    else:
        raise SlackError("canvas_editing_failed")  # insert_before/after and delete need a section
    return {}


def _ids(ctx: MethodContext, name: str) -> list[str] | None:
    """A list of ids as clients send them: a JSON array, comma-separated (slack_sdk) or a list."""
    value = ctx.arg(name)
    if value is None:
        return None
    if isinstance(value, str):
        value = _json_arg(ctx, name) if value.lstrip().startswith("[") else [v for v in value.split(",") if v]
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_ACCESS_IDS:
        raise SlackError("invalid_arguments")
    return [str(v) for v in value]


def access_set(ctx: MethodContext) -> dict[str, Any]:
    _allowed(ctx)
    level = ctx.require("access_level", "invalid_arguments")
    if level not in ACCESS_LEVELS:
        raise SlackError("invalid_arguments")
    canvas = _canvas(ctx)
    if canvas["user"] != ctx.me.user_id and canvas["access"].get(ctx.me.user_id) != "owner":
        raise SlackError("restricted_action")
    channels, users = _ids(ctx, "channel_ids"), _ids(ctx, "user_ids")
    if (channels is None) == (users is None):
        raise SlackError("invalid_parameters")  # one of user_ids or channel_ids, not both
    if channels is not None:
        if level == "owner":
            raise SlackError("invalid_parameters")  # only people own a canvas
        for ref in channels:
            channel = ctx.state.directory.resolve(ref)
            if channel.is_im or channel.is_mpim:
                raise SlackError("channel_not_found")  # DMs and MPDMs are not accepted
            canvas["access"][channel.id] = level
    for user in users or []:
        if user not in ctx.state.directory.users:
            raise SlackError("user_not_found")
        canvas["access"][user] = level
    return {}


def delete(ctx: MethodContext) -> dict[str, Any]:
    _allowed(ctx)
    canvas = _canvas(ctx)
    if canvas["user"] != ctx.me.user_id:
        raise SlackError("restricted_action")
    del ctx.state.files[canvas["id"]]
    return {}


METHODS: dict[str, Method] = {
    "canvases.create": Method(create),
    "canvases.edit": Method(edit),
    "canvases.delete": Method(delete),
    "canvases.access.set": Method(access_set),
    "conversations.canvases.create": Method(channel_create),
}
