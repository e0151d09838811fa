"""views.*: modals (need a fresh trigger_id) and the App Home tab."""

from __future__ import annotations

from typing import Any

from ..validation import check_view
from .context import Method, MethodContext

_NO_TRIGGER_USER = "U0DEV"  # a trigger issued without a user belongs to the default dev


def views_open(ctx: MethodContext) -> dict[str, Any]:
    view = check_view(ctx.require("view"))
    user = _use_trigger(ctx)
    return {"view": ctx.state.views.open(user, view, _owner(ctx))}


def views_push(ctx: MethodContext) -> dict[str, Any]:
    view = check_view(ctx.require("view"))
    user = _use_trigger(ctx)
    return {"view": ctx.state.views.push(user, view, _owner(ctx))}


def views_update(ctx: MethodContext) -> dict[str, Any]:
    view = check_view(ctx.require("view"))
    view_id = ctx.arg("view_id")
    external_id = ctx.arg("external_id")
    if not view_id and not external_id:
        ctx.require("view_id")
    stored = ctx.state.views.update(view, view_id=view_id, external_id=external_id, expected_hash=ctx.arg("hash"))
    return {"view": stored}


def views_publish(ctx: MethodContext) -> dict[str, Any]:
    user = ctx.state.directory.user(ctx.require("user_id", "user_not_found")).id
    view = check_view(ctx.require("view"))
    return {"view": ctx.state.views.publish_home(user, view, _owner(ctx), ctx.arg("hash"))}


def _use_trigger(ctx: MethodContext) -> str:
    user = ctx.state.credentials.use_trigger(ctx.arg("trigger_id"), ctx.state.trigger_ttl)
    return user or _NO_TRIGGER_USER


def _owner(ctx: MethodContext) -> dict[str, Any]:
    return {"team_id": ctx.me.team_id, "app_id": ctx.me.app_id, "bot_id": ctx.me.bot_id}


METHODS: dict[str, Method] = {
    "views.open": Method(views_open),
    "views.push": Method(views_push),
    "views.update": Method(views_update),
    "views.publish": Method(views_publish),
}
