"""auth.*, oauth.v2.access and apps.uninstall: installing, identifying and revoking."""

from __future__ import annotations

from typing import Any

from ..credentials import Grant
from ..models import SlackError
from .context import Method, MethodContext


def auth_test(ctx: MethodContext) -> dict[str, Any]:
    me = ctx.me
    workspace = ctx.workspace
    user = ctx.state.directory.users.get(me.user_id)
    body: dict[str, Any] = {
        "url": workspace.url,
        "team": workspace.team_name,
        "user": user.name if user else me.user_id,
        "team_id": me.team_id,
        "user_id": me.user_id,
    }
    if me.bot_id:
        body["bot_id"] = me.bot_id
    if me.enterprise_id:
        body["enterprise_id"] = me.enterprise_id
    body["is_enterprise_install"] = me.is_enterprise_install
    return body


def auth_revoke(ctx: MethodContext) -> dict[str, Any]:
    ctx.state.credentials.revoke(ctx.me.token)
    return {"revoked": True}


def api_test(ctx: MethodContext) -> dict[str, Any]:
    if ctx.arg("error"):
        raise SlackError(str(ctx.arg("error")))
    return {"args": dict(ctx.params)} if ctx.params else {}


def oauth_v2_access(ctx: MethodContext) -> dict[str, Any]:
    _check_client(ctx)
    credentials = ctx.state.credentials
    if ctx.arg("grant_type") == "refresh_token":
        grant, _ = credentials.exchange_refresh(ctx.arg("refresh_token"))
        is_user = grant.bot_id == ""
        minted = credentials.mint(grant, kind="user" if is_user else "bot")
        scopes = grant.user_scopes if is_user else grant.scopes
        body = {"app_id": grant.app_id, "scope": ",".join(scopes), "token_type": "user" if is_user else "bot", **minted}
        if is_user:
            body["user_id"] = grant.user_id
        else:
            body["bot_user_id"] = grant.bot_user_id
        return {**body, **_team_fields(grant)}
    grant = credentials.exchange_code(ctx.arg("code"), ctx.arg("redirect_uri"))
    authed_user: dict[str, Any] = {"id": grant.user_id}
    if grant.user_scopes:
        user_tokens = credentials.mint(grant, kind="user")
        authed_user.update(scope=",".join(grant.user_scopes), token_type="user", **user_tokens)
    bot_tokens = credentials.mint(grant, kind="bot")
    return {
        "app_id": grant.app_id,
        "authed_user": authed_user,
        "scope": ",".join(grant.scopes),
        "token_type": "bot",
        "bot_user_id": grant.bot_user_id,
        **bot_tokens,
        **_team_fields(grant),
    }


def apps_uninstall(ctx: MethodContext) -> dict[str, Any]:
    _check_client(ctx)
    ctx.state.credentials.revoke_team(ctx.me.team_id)
    return {}


def _team_fields(grant: Grant) -> dict[str, Any]:
    enterprise = {"id": grant.enterprise_id, "name": grant.enterprise_name or ""} if grant.enterprise_id else None
    return {
        "team": {"id": grant.team_id, "name": grant.team_name},
        "enterprise": enterprise,
        "is_enterprise_install": grant.is_enterprise_install,
    }


def _check_client(ctx: MethodContext) -> None:
    """Client credentials come as HTTP Basic (slack_sdk) or as form fields."""
    client_id, client_secret = ctx.client_auth or (ctx.arg("client_id"), ctx.arg("client_secret"))
    if client_id != ctx.state.client_id:
        raise SlackError("invalid_client_id")
    if client_secret != ctx.state.client_secret:
        raise SlackError("bad_client_secret")


METHODS: dict[str, Method] = {
    "auth.test": Method(auth_test),
    "auth.revoke": Method(auth_revoke),
    "api.test": Method(api_test, needs_token=False),
    "oauth.v2.access": Method(oauth_v2_access, needs_token=False),
    "apps.uninstall": Method(apps_uninstall),
}
