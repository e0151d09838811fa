"""The "Add to Slack" install: Bolt's OAuth flow wired to our stores, pages and plan limits.
Why and how: docs/design/workspaces.md."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import inspect
import json
import logging
import re
from collections.abc import Awaitable, Callable, Collection, Sequence
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

from aiohttp import web
from pydantic import BaseModel, Field
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth import OAuthStateUtils
from slack_sdk.oauth.installation_store import Installation

from jamono.i18n import is_lang, t
from jamono.i18n.catalogs.oauth import STRINGS as PAGE_STRINGS
from jamono.platform.crypto import SecretBox
from jamono.platform.db import Pool, tenant_tx
from jamono.platform.settings import Settings
from jamono.slack.client import async_web_client
from jamono.workspaces.installations import (
    AsyncPostgresInstallationStore,
    PostgresInstallationStore,
    PostgresOAuthStateStore,
    deactivate_workspace,
    route,
)

log = logging.getLogger(__name__)

MANIFEST_PATH = Path(__file__).resolve().parents[2] / "manifest.json"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
Lang = Literal["fr", "en"]
OnInstalled = Callable[[Installation], Awaitable[None] | None]


class OAuthNotConfigured(RuntimeError):
    """Multi-workspace install needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET."""


# --- plan limits -----------------------------------------------------------------------------
class PlanUsage(BaseModel):
    """A tenant's use of its plan.

    agents: NOX deployments with status 'active' in active workspaces (one per installed workspace).
    users: distinct Slack users (per workspace) who talked to NOX in the last 30 days.
    """

    tenant_id: UUID
    plan_type: str
    agents: int
    max_agents: int
    users: int
    max_users: int


class PlanLimitExceeded(Exception):
    """The tenant uses more than its plan allows (strictly more: being at the limit is fine)."""

    def __init__(self, usage: PlanUsage, limit: Literal["agents", "users"]) -> None:
        self.usage = usage
        self.limit = limit
        used, allowed = (usage.agents, usage.max_agents) if limit == "agents" else (usage.users, usage.max_users)
        what = "workspaces with NOX" if limit == "agents" else "people using NOX in the last 30 days"
        super().__init__(f"plan limit reached: {used} {what}, the {usage.plan_type} plan allows {allowed}")


def plan_usage(pool: Pool, tenant_id: UUID | str) -> PlanUsage:
    with tenant_tx(pool, tenant_id) as conn:
        row = conn.execute(
            "SELECT t.id, t.plan_type, t.max_agents, t.max_users,"
            " (SELECT count(*) FROM agent_deployments d JOIN workspaces w ON w.id = d.workspace_id"
            "   WHERE d.tenant_id = t.id AND d.status = 'active' AND w.is_active) AS agents,"
            " (SELECT count(*) FROM (SELECT DISTINCT workspace_id, user_id FROM agent_interactions"
            "   WHERE tenant_id = t.id AND created_at > now() - interval '30 days') AS u) AS users"
            " FROM tenants t WHERE t.id = %s",
            [str(tenant_id)],
        ).fetchone()
    if row is None:
        raise LookupError(f"no tenant {tenant_id}")
    return PlanUsage(
        tenant_id=row["id"],
        plan_type=row["plan_type"],
        agents=row["agents"],
        max_agents=row["max_agents"],
        users=row["users"],
        max_users=row["max_users"],
    )


def enforce_plan_limits(
    pool: Pool, tenant_id: UUID | str, *, check: Collection[Literal["agents", "users"]] = ("agents", "users")
) -> PlanUsage:
    """Raise PlanLimitExceeded when the tenant is over a limit; returns the usage otherwise."""
    usage = plan_usage(pool, tenant_id)
    if "agents" in check and usage.agents > usage.max_agents:
        raise PlanLimitExceeded(usage, "agents")
    if "users" in check and usage.users > usage.max_users:
        raise PlanLimitExceeded(usage, "users")
    return usage


# --- pages -----------------------------------------------------------------------------------
def pick_language(accept_language: str | None) -> Lang:
    """French or English from Accept-Language (q-values honoured); English when neither is asked."""
    best: tuple[float, Lang] = (0.0, "en")
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if not is_lang(primary):
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > best[0]:  # strictly: on a tie the earlier tag, the browser's preference, wins
            best = (quality, primary)
    return best[1]


_CSS = (
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f4f5f7;color:#1d2b3a}"
    "main{max-width:34rem;margin:12vh auto;padding:2rem 2.25rem;background:#fff;border-radius:12px;"
    "box-shadow:0 1px 3px rgba(0,0,0,.12)}"
    "h1{font-size:1.5rem;margin:0 0 .75rem}p{margin:.5rem 0 1rem}.muted{color:#5b6b7b;font-size:.9rem}"
    ".button{display:inline-block;padding:.7rem 1.2rem;border-radius:8px;background:#4a154b;color:#fff;"
    "font-weight:600;text-decoration:none}.button:hover,.button:focus{background:#611f69}"
    ".button.secondary{background:#fff;color:#1d2b3a;border:1px solid #c9d1d9;margin-left:.5rem}"
    ".reason{font-family:ui-monospace,monospace;font-size:.85rem;color:#5b6b7b}"
    ".error h1{color:#a4262c}"
)


def strict_page_headers(css: str) -> dict[str, str]:
    """Headers of a page with no script at all and only its own inline stylesheet (pinned by hash);
    nothing in its URL ever leaks as a referrer; it cannot be framed. The landing page uses them too."""
    css_hash = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'sha256-{css_hash}'; base-uri 'none';"
            " form-action 'none'; frame-ancestors 'none'"
        ),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }


PAGE_HEADERS = strict_page_headers(_CSS)


def page_text(key: str, lang: Lang, **values: object) -> str:
    """A catalog string for an HTML page: our words escaped like the values put into them (team names come
    from Slack)."""
    return html.escape(t(key, lang)).format(**{k: html.escape(str(v)) for k, v in values.items()})


def _page(lang: Lang, title: str, body: str, *, css_class: str = "") -> str:
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{title} · NOX</title><style>{_CSS}</style></head>"
        f'<body><main class="{css_class}"><h1>{title}</h1>{body}</main></body></html>\n'
    )


def render_install_page(authorize_url: str, lang: Lang) -> str:
    body = (
        f"<p>{page_text('install.lead', lang)}</p>"
        f'<p><a class="button" id="add-to-slack" href="{html.escape(authorize_url)}">{page_text("install.button", lang)}</a></p>'
        f'<p class="muted">{page_text("install.note", lang)}</p>'
    )
    return _page(lang, page_text("install.title", lang), body)


def render_success_page(installation: Installation, lang: Lang) -> str:
    team = installation.team_name or installation.enterprise_name or installation.team_id or "Slack"
    team_id = installation.team_id or ""
    app_link = f"slack://app?team={team_id}&id={installation.app_id or ''}" if team_id else "slack://open"
    body = (
        f"<p>{page_text('success.lead', lang, team=team)}</p><p>{page_text('success.next', lang)}</p>"
        f'<p><a class="button" href="{html.escape(app_link)}">{page_text("success.open", lang)}</a>'
        f'<a class="button secondary" href="{html.escape(f"https://app.slack.com/client/{team_id}")}">'
        f"{page_text('success.browser', lang)}</a></p>"
    )
    return _page(lang, page_text("success.title", lang), body)


def render_error_page(reason: str, lang: Lang, install_path: str = INSTALL_PATH, **details: object) -> str:
    """`reason` may come from the query string (`?error=…`): only a code we know is shown, never
    the raw text; plan_limit without its figures (a hand-made link) gets its general wording."""
    code = reason if f"reason.{reason}" in PAGE_STRINGS and reason != "plan_limit_generic" else "other"
    key = f"reason.{code}"
    if code == "plan_limit" and not {"plan", "allowed", "used"} <= details.keys():
        key, details = "reason.plan_limit_generic", {}
    body = (
        f'<p id="reason">{page_text(key, lang, **details)}</p>'
        f'<p><a class="button" href="{html.escape(install_path)}">{page_text("error.retry", lang)}</a></p>'
        f'<p class="reason">{page_text("error.code", lang)}: {html.escape(code)}</p>'
    )
    return _page(lang, page_text("error.title", lang), body, css_class="error")


def _language(request: AsyncBoltRequest) -> Lang:
    values = request.headers.get("accept-language") or []
    return pick_language(values[0] if values else None)


def _html_response(status: int, page: str, cookie: str | None = None) -> BoltResponse:
    headers: dict[str, str | Sequence[str]] = dict(PAGE_HEADERS)
    if cookie is not None:
        headers["Set-Cookie"] = [cookie]
    return BoltResponse(status=status, body=page, headers=headers)


# --- Bolt hooks ------------------------------------------------------------------------------
class InstallCallbacks(AsyncCallbackOptions):
    """Success: check the plan, run `on_installed`, show the success page. Failure: a clear page."""

    def __init__(
        self,
        pool: Pool,
        state_utils: OAuthStateUtils,
        *,
        install_path: str = INSTALL_PATH,
        on_installed: OnInstalled | None = None,
    ) -> None:
        super().__init__(success=self._success, failure=self._failure)
        self.pool = pool
        self.state_utils = state_utils
        self.install_path = install_path
        self.on_installed = on_installed

    async def _success(self, args: AsyncSuccessArgs) -> BoltResponse:
        lang = _language(args.request)
        installation = args.installation
        refused = await asyncio.to_thread(self._refuse_over_plan, installation)
        if refused is not None:
            page = render_error_page(
                "plan_limit",
                lang,
                self.install_path,
                plan=refused.usage.plan_type,
                allowed=refused.usage.max_agents,
                used=refused.usage.agents,
            )
            return _html_response(403, page, self.state_utils.build_set_cookie_for_deletion())
        if self.on_installed is not None:
            try:
                outcome = self.on_installed(installation)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception as exc:  # the install itself succeeded: say so, and log the hook's failure
                log.error(
                    "post-install hook failed (%s)",
                    type(exc).__name__,
                    extra={"team_id": installation.team_id, "enterprise_id": installation.enterprise_id},
                )
        log.info(
            "Slack workspace installed",
            extra={"team_id": installation.team_id, "enterprise_id": installation.enterprise_id},
        )
        return _html_response(
            200, render_success_page(installation, lang), self.state_utils.build_set_cookie_for_deletion()
        )

    def _refuse_over_plan(self, installation: Installation) -> PlanLimitExceeded | None:
        found = route(self.pool, installation.team_id, installation.enterprise_id)
        if found is None:
            return None
        try:
            enforce_plan_limits(self.pool, found.tenant_id, check=["agents"])
        except PlanLimitExceeded as exceeded:
            log.warning("install refused: %s", exceeded, extra={"team_id": installation.team_id})
            deactivate_workspace(self.pool, installation.team_id, installation.enterprise_id)
            return exceeded
        return None

    async def _failure(self, args: AsyncFailureArgs) -> BoltResponse:
        log.warning(
            "Slack install failed: %s",
            args.reason[:60],
            extra={"reason": args.reason[:60], "error": type(args.error).__name__ if args.error else None},
        )
        page = render_error_page(args.reason, _language(args.request), self.install_path)
        return _html_response(args.suggested_status_code, page, self.state_utils.build_set_cookie_for_deletion())


class JamonoOAuthFlow(AsyncOAuthFlow):
    """Bolt's flow with our install page (Bolt's own cannot be restyled through settings)."""

    async def build_install_page_html(self, url: str, request: AsyncBoltRequest) -> str:
        return render_install_page(url, _language(request))

    async def append_set_cookie_headers(self, headers: dict, set_cookie_value: str | None):
        headers = await super().append_set_cookie_headers(headers, set_cookie_value)
        for name, value in PAGE_HEADERS.items():
            headers.setdefault(name, value)
        return headers


# --- building it -----------------------------------------------------------------------------
class _ManifestScopes(BaseModel):
    bot: list[str] = Field(default_factory=list)
    user: list[str] = Field(default_factory=list)


def manifest_scopes(path: Path = MANIFEST_PATH) -> _ManifestScopes:
    """The scopes we ask for are the manifest's: one source of truth for Slack and for us."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OAuthNotConfigured(f"Slack app manifest not found at {path}") from None
    return _ManifestScopes.model_validate(manifest.get("oauth_config", {}).get("scopes", {}))


def authorization_url_for(api_url: str) -> str | None:
    """Slack's authorize page, or the same path on the sandbox's host when SLACK_API_URL is not slack.com."""
    parts = urlsplit(api_url)
    host = (parts.hostname or "").lower()
    if host == "slack.com" or host.endswith(".slack.com"):
        return None  # Bolt's default, https://slack.com/oauth/v2/authorize
    path = parts.path.rstrip("/")
    path = path[: -len("/api")] if path.endswith("/api") else path
    return urlunsplit((parts.scheme, parts.netloc, f"{path}/oauth/v2/authorize", "", ""))


def build_oauth_settings(
    settings: Settings,
    pool: Pool,
    box: SecretBox,
    *,
    on_installed: OnInstalled | None = None,
    redirect_uri: str | None = None,
    manifest_path: Path = MANIFEST_PATH,
    state_expiration_seconds: int = 600,
    token_rotation_expiration_minutes: int = 120,
) -> AsyncOAuthSettings:
    """Everything Bolt needs for multi-workspace install and per-team authorize."""
    if not settings.slack_client_id or settings.slack_client_secret is None:
        raise OAuthNotConfigured("set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for the Add to Slack install")
    client_id = settings.slack_client_id
    client_secret = settings.slack_client_secret.get_secret_value()
    scopes = manifest_scopes(manifest_path)
    store = AsyncPostgresInstallationStore(PostgresInstallationStore(pool, box, client_id))
    state_utils = OAuthStateUtils(expiration_seconds=state_expiration_seconds)
    bolt_log = logging.getLogger("jamono.workspaces.oauth.bolt")
    oauth = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes.bot,
        user_scopes=scopes.user,
        redirect_uri=redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=InstallCallbacks(pool, state_utils, install_path=INSTALL_PATH, on_installed=on_installed),
        authorization_url=authorization_url_for(settings.slack_api_url),
        installation_store=store,
        token_rotation_expiration_minutes=token_rotation_expiration_minutes,
        state_store=PostgresOAuthStateStore(pool, expiration_seconds=state_expiration_seconds),
        state_expiration_seconds=state_expiration_seconds,
        logger=bolt_log,
    )
    # Bolt's default authorize refreshes tokens against slack.com whatever SLACK_API_URL says, and
    # calls auth.test on every event: point it at our API base and remember auth.test per token.
    oauth.authorize = AsyncInstallationStoreAuthorize(
        logger=bolt_log,
        installation_store=store,
        client_id=client_id,
        client_secret=client_secret,
        token_rotation_expiration_minutes=token_rotation_expiration_minutes,
        cache_enabled=True,
        client=async_web_client(None, settings.slack_api_url),
        user_token_resolution=oauth.user_token_resolution,
    )
    return oauth


def build_oauth_flow(
    settings: Settings, pool: Pool, box: SecretBox, *, on_installed: OnInstalled | None = None, **options
) -> JamonoOAuthFlow:
    """The flow to give `AsyncApp(oauth_flow=...)`: our settings plus our install page."""
    return JamonoOAuthFlow(
        client=async_web_client(None, settings.slack_api_url),
        logger=logging.getLogger("jamono.workspaces.oauth.bolt"),
        settings=build_oauth_settings(settings, pool, box, on_installed=on_installed, **options),
    )


_TEAM_ID = re.compile(r"T[A-Z0-9]{1,20}")


def oauth_routes(flow: AsyncOAuthFlow) -> list[web.RouteDef]:
    """GET routes for the install page and Slack's redirect, to add to our aiohttp app."""

    async def install(request: web.Request) -> web.Response:
        team = request.query.get("team")
        if team is not None and not _TEAM_ID.fullmatch(team):  # Bolt would put it in Slack's authorize URL
            lang = pick_language(request.headers.get("Accept-Language"))
            return web.Response(
                status=400,
                text=render_error_page("bad_team", lang, flow.install_path),
                content_type="text/html",
                charset="utf-8",
                headers={k: v for k, v in PAGE_HEADERS.items() if k.lower() != "content-type"},
            )
        return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

    async def redirect(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

    return [web.get(flow.install_path, install), web.get(flow.redirect_uri_path, redirect)]
