"""Everything the sandbox hands out and later checks: tokens, OAuth codes, triggers, response URLs.
Why and how: docs/design/sandbox.md."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from .ids import new_trigger_id
from .models import Identity, SlackError

DEFAULT_BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "chat:write",
    "commands",
    "groups:history",
    "im:history",
    "im:write",
    "reactions:write",
    "team:read",
    "users:read",
    "users:read.email",
)
TOKEN_LIFETIME = 43_200  # seconds: Slack's rotating tokens live 12 hours


@dataclass
class Grant:
    """What an OAuth code stands for: one installation of the app into a team."""

    team_id: str
    team_name: str
    user_id: str
    bot_user_id: str
    bot_id: str
    app_id: str
    scopes: tuple[str, ...]
    user_scopes: tuple[str, ...]
    enterprise_id: str | None
    enterprise_name: str | None
    token_rotation: bool
    redirect_uri: str | None
    is_enterprise_install: bool = False


@dataclass
class ResponseUrl:
    """A response_url the sandbox issued for a command or an interaction."""

    channel: str
    user: str
    message_ts: str | None = None
    thread_ts: str | None = None
    uses: int = 0
    created: float = field(default_factory=time.monotonic)


@dataclass
class _Trigger:
    issued: float
    user: str | None
    used: bool = False


class Credentials:
    """Valid tokens and one-time secrets."""

    def __init__(self) -> None:
        self.tokens: dict[str, Identity] = {}
        self.revoked: set[str] = set()
        self._codes: dict[str, Grant] = {}
        self._refresh: dict[str, Grant] = {}
        self._triggers: dict[str, _Trigger] = {}
        self.response_urls: dict[str, ResponseUrl] = {}

    # --- tokens ----------------------------------------------------------------------
    def add_token(self, identity: Identity) -> Identity:
        self.tokens[identity.token] = identity
        self.revoked.discard(identity.token)
        return identity

    def identify(self, token: str | None) -> Identity:
        if not token:
            raise SlackError("not_authed")
        if token in self.revoked:
            raise SlackError("token_revoked")
        identity = self.tokens.get(token)
        if identity is None:
            raise SlackError("invalid_auth")
        return identity

    def revoke(self, token: str) -> bool:
        if token in self.tokens and token not in self.revoked:
            self.revoked.add(token)
            return True
        return False

    def revoke_team(self, team_id: str) -> list[str]:
        """apps.uninstall: every token of that team stops working."""
        gone = [t for t, ident in self.tokens.items() if ident.team_id == team_id and t not in self.revoked]
        self.revoked.update(gone)
        return gone

    # --- OAuth -----------------------------------------------------------------------
    def issue_code(self, grant: Grant) -> str:
        code = f"{secrets.randbelow(10**12)}.{secrets.randbelow(10**12)}.{secrets.token_hex(32)}"
        self._codes[code] = grant
        return code

    def exchange_code(self, code: str | None, redirect_uri: str | None) -> Grant:
        """A code works once, as on Slack; a redirect_uri must match the one it was issued with."""
        grant = self._codes.pop(code or "", None)
        if grant is None:
            raise SlackError("invalid_code")
        if grant.redirect_uri and redirect_uri and grant.redirect_uri != redirect_uri:
            raise SlackError("bad_redirect_uri")
        return grant

    def exchange_refresh(self, refresh_token: str | None) -> tuple[Grant, str]:
        grant = self._refresh.pop(refresh_token or "", None)
        if grant is None:
            raise SlackError("invalid_refresh_token")
        return grant, refresh_token or ""

    def mint(self, grant: Grant, *, kind: str = "bot") -> dict[str, Any]:
        """New token (and refresh token when rotation is on) for a grant; registers it as valid."""
        prefix = "xoxb" if kind == "bot" else "xoxp"
        body = f"{secrets.randbelow(10**12)}-{secrets.randbelow(10**12)}-{secrets.token_urlsafe(18)}"
        token = f"xoxe.{prefix}-1-{body}" if grant.token_rotation else f"{prefix}-{body}"
        is_bot = kind == "bot"
        self.add_token(
            Identity(
                token=token,
                team_id=grant.team_id,
                user_id=grant.bot_user_id if is_bot else grant.user_id,
                app_id=grant.app_id,
                bot_id=grant.bot_id if is_bot else None,
                is_bot=is_bot,
                scopes=grant.scopes if is_bot else grant.user_scopes,
                enterprise_id=grant.enterprise_id,
                is_enterprise_install=grant.is_enterprise_install,
            )
        )
        minted: dict[str, Any] = {"access_token": token}
        if grant.token_rotation:
            refresh = f"xoxe-1-{secrets.token_urlsafe(32)}"
            self._refresh[refresh] = grant if is_bot else _user_grant(grant)
            minted.update(refresh_token=refresh, expires_in=TOKEN_LIFETIME)
        return minted

    # --- triggers --------------------------------------------------------------------
    def issue_trigger(self, user: str | None, *, age: float = 0.0) -> str:
        trigger_id = new_trigger_id()
        self._triggers[trigger_id] = _Trigger(issued=time.monotonic() - age, user=user)
        return trigger_id

    def use_trigger(self, trigger_id: str | None, ttl: float) -> str | None:
        """Consume a trigger: it must exist, be unused and younger than `ttl` seconds."""
        trigger = self._triggers.get(trigger_id or "")
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if time.monotonic() - trigger.issued > ttl:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger.user

    # --- response URLs ---------------------------------------------------------------
    def issue_response_url(self, target: ResponseUrl) -> str:
        key = secrets.token_hex(12)
        self.response_urls[key] = target
        return key


def _user_grant(grant: Grant) -> Grant:
    """Refreshing a user token must mint a user token again."""
    return Grant(**{**grant.__dict__, "bot_user_id": grant.user_id, "bot_id": ""})
