"""users.*, team.info and bots.info: who is in the workspace."""

from __future__ import annotations

from typing import Any

from ..models import SlackError
from .context import Method, MethodContext


def users_info(ctx: MethodContext) -> dict[str, Any]:
    user = ctx.state.directory.user(ctx.require("user", "user_not_found"))
    return {"user": user.to_api(include_locale=ctx.flag("include_locale"))}


def users_list(ctx: MethodContext) -> dict[str, Any]:
    users = list(ctx.state.directory.users.values())
    page, meta = ctx.page(users, default_limit=200)
    locale = ctx.flag("include_locale")
    return {
        "members": [u.to_api(include_locale=locale) for u in page],
        "cache_ts": 1732450000,
        "response_metadata": meta["response_metadata"],
    }


def lookup_by_email(ctx: MethodContext) -> dict[str, Any]:
    email = str(ctx.require("email", "users_not_found")).lower()
    for user in ctx.state.directory.users.values():
        if user.email and user.email.lower() == email:
            return {"user": user.to_api()}
    raise SlackError("users_not_found")


def team_info(ctx: MethodContext) -> dict[str, Any]:
    wanted = ctx.arg("team", ctx.me.team_id)
    workspace = ctx.state.workspaces.get(wanted)
    if workspace is None:
        raise SlackError("team_not_found")
    team: dict[str, Any] = {
        "id": workspace.team_id,
        "name": workspace.team_name,
        "url": workspace.url,
        "domain": workspace.team_domain,
        "email_domain": "",
        "icon": {"image_default": True, "image_34": "https://avatars.sandbox.invalid/team_34.png"},
        "avatar_base_url": "https://avatars.sandbox.invalid/",
        "is_verified": False,
    }
    if workspace.enterprise_id:
        team.update(enterprise_id=workspace.enterprise_id, enterprise_name=workspace.enterprise_name or "")
    return {"team": team}


def bots_info(ctx: MethodContext) -> dict[str, Any]:
    bot_id = ctx.arg("bot", ctx.me.bot_id)
    for workspace in ctx.state.workspaces.values():
        if workspace.bot_id == bot_id:
            bot = {
                "id": workspace.bot_id,
                "deleted": False,
                "name": "nox",
                "updated": 1732450000,
                "app_id": workspace.app_id,
                "user_id": workspace.bot_user_id,
                "icons": {"image_36": "https://avatars.sandbox.invalid/nox_36.png"},
            }
            return {"bot": bot}
    raise SlackError("bot_not_found")


METHODS: dict[str, Method] = {
    "users.info": Method(users_info),
    "users.list": Method(users_list),
    "users.lookupByEmail": Method(lookup_by_email),
    "team.info": Method(team_info),
    "bots.info": Method(bots_info),
}
