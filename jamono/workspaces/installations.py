"""Slack installations and OAuth states in PostgreSQL, for Bolt's OAuth flow and authorize step.
Why and how: docs/design/workspaces.md."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from slack_bolt.error import BoltError
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator

from jamono.platform.crypto import SecretBox
from jamono.platform.db import Connection, Pool, no_tenant_tx, tenant_tx
from jamono.platform.tenancy import TeamIdentity, register_workspace, resolve_ids

log = logging.getLogger(__name__)


# --- routing ---------------------------------------------------------------------------------
class Route(BaseModel):
    """Where a Slack team's rows live."""

    tenant_id: UUID
    workspace_id: UUID
    is_active: bool


def _team_key(enterprise_id: str | None, team_id: str | None) -> str | None:
    return team_id or enterprise_id


def route(pool: Pool, team_id: str | None, enterprise_id: str | None) -> Route | None:
    """The tenant and workspace of a Slack team, before any tenant is known (definer function)."""
    key = _team_key(enterprise_id, team_id)
    if key is None:
        return None
    ids = resolve_ids(pool, key, enterprise_id)
    if ids is None:
        return None
    return Route(tenant_id=ids[0], workspace_id=ids[1], is_active=ids[2])


def _match_team(enterprise_id: str | None, team_id: str | None) -> tuple[str, list[Any]]:
    # Slack ids are nullable (org installs have no team): `=` would never match NULL.
    return "enterprise_id IS NOT DISTINCT FROM %s AND team_id IS NOT DISTINCT FROM %s", [enterprise_id, team_id]


# --- conversions -----------------------------------------------------------------------------
def _when(epoch: float | int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, tz=UTC)


def _epoch(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def _scopes(scopes: Iterable[str] | str | None) -> str | None:
    if not scopes:
        return None
    return scopes if isinstance(scopes, str) else ",".join(scopes)


_INSERT_COLUMNS = (
    "tenant_id",
    "workspace_id",
    "client_id",
    "app_id",
    "enterprise_id",
    "enterprise_name",
    "enterprise_url",
    "team_id",
    "team_name",
    "is_enterprise_install",
    "token_type",
    "bot_id",
    "bot_user_id",
    "bot_scopes",
    "bot_token_enc",
    "bot_refresh_token_enc",
    "bot_token_expires_at",
    "user_id",
    "user_scopes",
    "user_token_enc",
    "user_refresh_token_enc",
    "user_token_expires_at",
    "installed_at",
)
# Saving an install again (same installed_at: a token refresh) never erases what is known: Bolt hands
# back copies whose user token it blanked for another user, and bot-only saves carry no user fields.
_UPSERT = (
    f"INSERT INTO slack_installations ({', '.join(_INSERT_COLUMNS)})"
    f" VALUES ({', '.join('%(' + c + ')s' for c in _INSERT_COLUMNS)})"
    " ON CONFLICT (workspace_id, client_id, installed_at) DO UPDATE SET "
    + ", ".join(f"{c} = coalesce(EXCLUDED.{c}, slack_installations.{c})" for c in _INSERT_COLUMNS[3:-1])
)
_SELECT = "SELECT * FROM slack_installations"
_NEWEST = " ORDER BY installed_at DESC, id DESC LIMIT 1"
_DROP_EMPTY = (
    "DELETE FROM slack_installations WHERE workspace_id = %s AND bot_token_enc IS NULL AND user_token_enc IS NULL"
)


class _PooledStore:
    """What both stores share: the pool, and the `logger` slack_sdk's store interfaces ask for."""

    def __init__(self, pool: Pool, logger: logging.Logger | None) -> None:
        self.pool = pool
        self._logger = logger or log

    @property
    def logger(self) -> logging.Logger:
        return self._logger


# --- the installation store ------------------------------------------------------------------
class PostgresInstallationStore(_PooledStore, InstallationStore):
    """slack_sdk's sync InstallationStore over the tenant-owned `slack_installations` table."""

    def __init__(self, pool: Pool, box: SecretBox, client_id: str, *, logger: logging.Logger | None = None) -> None:
        super().__init__(pool, logger)
        self.box = box
        self.client_id = client_id

    def __repr__(self) -> str:
        return f"PostgresInstallationStore(client_id={self.client_id!r}, box={self.box!r})"

    # --- writing ---------------------------------------------------------------------------
    def save(self, installation: Installation) -> None:
        """Register the tenant/workspace (first install creates them), then store encrypted tokens."""
        team_key = _team_key(installation.enterprise_id, installation.team_id)
        if team_key is None:
            raise ValueError("an installation needs a team id or an enterprise id")
        workspace = register_workspace(
            self.pool,
            TeamIdentity(
                team_id=team_key,
                enterprise_id=installation.enterprise_id,
                team_name=installation.team_name or installation.enterprise_name,
                bot_user_id=installation.bot_user_id,
                bot_id=installation.bot_id,
                app_id=installation.app_id,
            ),
        )
        row = self._row(installation, workspace.tenant_id, workspace.workspace_id)
        with tenant_tx(self.pool, workspace.tenant_id) as conn:
            conn.execute(_UPSERT, row)
        self._logger.info(
            "stored Slack installation",
            extra={
                "team_id": installation.team_id,
                "enterprise_id": installation.enterprise_id,
                "key_id": self.box.primary_key_id,
            },
        )

    def save_bot(self, bot: Bot) -> None:
        """Bolt saves a refreshed bot token through this (bot-only mode): same row, new token."""
        self.save(
            Installation(
                app_id=bot.app_id,
                enterprise_id=bot.enterprise_id,
                enterprise_name=bot.enterprise_name,
                team_id=bot.team_id,
                team_name=bot.team_name,
                bot_token=bot.bot_token,
                bot_id=bot.bot_id,
                bot_user_id=bot.bot_user_id,
                bot_scopes=bot.bot_scopes,
                bot_refresh_token=bot.bot_refresh_token,
                bot_token_expires_at=bot.bot_token_expires_at,
                is_enterprise_install=bot.is_enterprise_install,
                installed_at=bot.installed_at,
                user_id=None,  # type: ignore[arg-type]  # a bot-only row has no installer
            )
        )

    def _row(self, i: Installation, tenant_id: UUID, workspace_id: UUID) -> dict[str, Any]:
        seal = self.box.encrypt_optional
        return {
            "tenant_id": tenant_id,
            "workspace_id": workspace_id,
            "client_id": self.client_id,
            "app_id": i.app_id,
            "enterprise_id": i.enterprise_id,
            "enterprise_name": i.enterprise_name,
            "enterprise_url": i.enterprise_url,
            "team_id": i.team_id,
            "team_name": i.team_name,
            "is_enterprise_install": bool(i.is_enterprise_install),
            "token_type": i.token_type,
            "bot_id": i.bot_id,
            "bot_user_id": i.bot_user_id,
            "bot_scopes": _scopes(i.bot_scopes),
            "bot_token_enc": seal(i.bot_token),
            "bot_refresh_token_enc": seal(i.bot_refresh_token),
            "bot_token_expires_at": _when(i.bot_token_expires_at),
            "user_id": i.user_id,
            "user_scopes": _scopes(i.user_scopes),
            "user_token_enc": seal(i.user_token),
            "user_refresh_token_enc": seal(i.user_refresh_token),
            "user_token_expires_at": _when(i.user_token_expires_at),
            "installed_at": _when(i.installed_at),
        }

    # --- reading ---------------------------------------------------------------------------
    def find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        if is_enterprise_install or team_id is None:
            team_id = None
        found = route(self.pool, team_id, enterprise_id)
        if found is None:
            return None
        with tenant_tx(self.pool, found.tenant_id) as conn:
            row = self._latest_bot_row(conn, found.workspace_id, enterprise_id, team_id)
        return None if row is None else self._bot(row)

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        if is_enterprise_install or team_id is None:
            team_id = None
        located = self._locate(enterprise_id, team_id, user_id)
        if located is None:
            return None
        found, where, params = located
        with tenant_tx(self.pool, found.tenant_id) as conn:
            row = conn.execute(f"{_SELECT} WHERE {where}{_NEWEST}", params).fetchone()
            if row is None:
                return None
            bot_row = None
            if user_id is not None or row["bot_token_enc"] is None:
                # A user's own install may be older than the workspace's latest bot token: use the latest.
                bot_row = self._latest_bot_row(conn, found.workspace_id, enterprise_id, team_id)
        installation = self._installation(row)
        if bot_row is not None and bot_row["id"] != row["id"]:
            bot = self._bot(bot_row)
            installation.bot_id, installation.bot_user_id = bot.bot_id, bot.bot_user_id
            installation.bot_token, installation.bot_scopes = bot.bot_token, bot.bot_scopes
            installation.bot_refresh_token = bot.bot_refresh_token
            installation.bot_token_expires_at = bot.bot_token_expires_at
        return installation

    def _where(self, workspace_id: UUID, enterprise_id: str | None, team_id: str | None) -> tuple[str, list[Any]]:
        team_sql, team_params = _match_team(enterprise_id, team_id)
        return f"workspace_id = %s AND client_id = %s AND {team_sql}", [workspace_id, self.client_id, *team_params]

    def _locate(
        self, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> tuple[Route, str, list[Any]] | None:
        """The team's route and the WHERE clause (narrowed to `user_id` if given) for its rows; None: unknown team."""
        found = route(self.pool, team_id, enterprise_id)
        if found is None:
            return None
        where, params = self._where(found.workspace_id, enterprise_id, team_id)
        if user_id is not None:
            where += " AND user_id = %s"
            params.append(user_id)
        return found, where, params

    def _latest_bot_row(self, conn: Connection, workspace_id: UUID, enterprise_id: str | None, team_id: str | None):
        where, params = self._where(workspace_id, enterprise_id, team_id)
        return conn.execute(f"{_SELECT} WHERE {where} AND bot_token_enc IS NOT NULL{_NEWEST}", params).fetchone()

    def _installation(self, row: dict[str, Any]) -> Installation:
        opened = self.box.decrypt_optional
        return Installation(
            app_id=row["app_id"],
            enterprise_id=row["enterprise_id"],
            enterprise_name=row["enterprise_name"],
            enterprise_url=row["enterprise_url"],
            team_id=row["team_id"],
            team_name=row["team_name"],
            bot_token=opened(row["bot_token_enc"]),
            bot_id=row["bot_id"],
            bot_user_id=row["bot_user_id"],
            bot_scopes=row["bot_scopes"] or "",
            bot_refresh_token=opened(row["bot_refresh_token_enc"]),
            bot_token_expires_at=_epoch(row["bot_token_expires_at"]),
            user_id=row["user_id"],
            user_token=opened(row["user_token_enc"]),
            user_scopes=row["user_scopes"] or "",
            user_refresh_token=opened(row["user_refresh_token_enc"]),
            user_token_expires_at=_epoch(row["user_token_expires_at"]),
            is_enterprise_install=row["is_enterprise_install"],
            token_type=row["token_type"],
            installed_at=row["installed_at"].timestamp(),
        )

    def _bot(self, row: dict[str, Any]) -> Bot:
        return Bot(
            app_id=row["app_id"],
            enterprise_id=row["enterprise_id"],
            enterprise_name=row["enterprise_name"],
            team_id=row["team_id"],
            team_name=row["team_name"],
            bot_token=self.box.decrypt(row["bot_token_enc"]),
            bot_id=row["bot_id"],
            bot_user_id=row["bot_user_id"],
            bot_scopes=row["bot_scopes"] or "",
            bot_refresh_token=self.box.decrypt_optional(row["bot_refresh_token_enc"]),
            bot_token_expires_at=_epoch(row["bot_token_expires_at"]),
            is_enterprise_install=row["is_enterprise_install"],
            installed_at=row["installed_at"].timestamp(),
        )

    # --- deleting --------------------------------------------------------------------------
    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget bot tokens (tokens_revoked for the bot); rows left with no token go too."""
        self._clear(enterprise_id, team_id, "bot", None)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Without user_id: every install of the team. With it: that user's tokens only (the bot's stay)."""
        if user_id is not None:
            self._clear(enterprise_id, team_id, "user", user_id)
            return
        self._delete(enterprise_id, team_id)

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self._delete(enterprise_id, team_id)

    def _delete(self, enterprise_id: str | None, team_id: str | None) -> None:
        located = self._locate(enterprise_id, team_id)
        if located is None:
            return
        found, where, params = located
        with tenant_tx(self.pool, found.tenant_id) as conn:
            conn.execute(f"DELETE FROM slack_installations WHERE {where}", params)

    def _clear(self, enterprise_id: str | None, team_id: str | None, kind: str, user_id: str | None) -> None:
        located = self._locate(enterprise_id, team_id, user_id)
        if located is None:
            return
        found, where, params = located
        with tenant_tx(self.pool, found.tenant_id) as conn:
            conn.execute(f"UPDATE slack_installations SET {_CLEARED[kind]} WHERE {where}", params)
            conn.execute(_DROP_EMPTY, [found.workspace_id])


_CLEARED = {
    "bot": "bot_token_enc = NULL, bot_refresh_token_enc = NULL, bot_token_expires_at = NULL",
    "user": "user_token_enc = NULL, user_refresh_token_enc = NULL, user_token_expires_at = NULL",
}


class AsyncPostgresInstallationStore(AsyncInstallationStore):
    """The same store for Bolt's AsyncApp: each call runs in a thread (psycopg's pool is sync)."""

    def __init__(self, store: PostgresInstallationStore) -> None:
        self.sync = store

    @property
    def logger(self) -> logging.Logger:
        return self.sync.logger

    @property
    def client_id(self) -> str:
        return self.sync.client_id

    def __repr__(self) -> str:
        return f"AsyncPostgresInstallationStore({self.sync!r})"

    async def async_save(self, installation: Installation) -> None:
        try:
            await asyncio.to_thread(self.sync.save, installation)
        except Exception as exc:
            # Bolt turns a BoltError into its failure page ("storage_error") instead of a bare 500.
            self.logger.error(
                "could not store a Slack installation (%s)", type(exc).__name__, extra={"team_id": installation.team_id}
            )
            raise BoltError(f"could not store the installation ({type(exc).__name__})") from exc

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.sync.save_bot, bot)

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        return await asyncio.to_thread(
            lambda: self.sync.find_bot(
                enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
            )
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await asyncio.to_thread(
            lambda: self.sync.find_installation(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(lambda: self.sync.delete_bot(enterprise_id=enterprise_id, team_id=team_id))

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(
            lambda: self.sync.delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
        )

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(lambda: self.sync.delete_all(enterprise_id=enterprise_id, team_id=team_id))


# --- OAuth states ----------------------------------------------------------------------------
class PostgresOAuthStateStore(_PooledStore, OAuthStateStore, AsyncOAuthStateStore):
    """One-time OAuth `state` values shared by every web process (a global table, no tenant yet)."""

    def __init__(self, pool: Pool, expiration_seconds: int = 600, *, logger: logging.Logger | None = None) -> None:
        super().__init__(pool, logger)
        self.expiration_seconds = expiration_seconds

    def issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        with no_tenant_tx(self.pool) as conn:
            conn.execute(
                "INSERT INTO slack_oauth_states (state, expire_at) VALUES (%s, now() + make_interval(secs => %s))",
                [state, self.expiration_seconds],
            )
            # Sweep a few expired states as we go: no scheduler needed, the table stays small.
            conn.execute(
                "DELETE FROM slack_oauth_states WHERE state IN ("
                " SELECT state FROM slack_oauth_states WHERE expire_at <= now() LIMIT 100)"
            )
        return state

    def consume(self, state: str) -> bool:
        """True once for a live state; expired, unknown and reused states are all False."""
        if not state:
            return False
        with no_tenant_tx(self.pool) as conn:
            row = conn.execute(
                "DELETE FROM slack_oauth_states WHERE state = %s AND expire_at > now() RETURNING state", [state]
            ).fetchone()
        return row is not None

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.consume, state)


# --- for workers and uninstall events --------------------------------------------------------
def bot_token_for(
    pool: Pool,
    box: SecretBox,
    team_id: str | None,
    enterprise_id: str | None = None,
    *,
    rotator: TokenRotator | None = None,
    minutes_before_expiration: int = 10,
) -> str | None:
    """The newest bot token of an active workspace (None: not installed, or uninstalled).

    With a `rotator` (slack_sdk's TokenRotator), a token about to expire is refreshed first, under
    a row lock so two workers never spend the same refresh token. The margin is smaller than
    Bolt's (120 min) so the web process, which sees events first, usually refreshes before us.
    """
    found = route(pool, team_id, enterprise_id)
    if found is None or not found.is_active:
        return None
    latest = (
        "SELECT id, bot_id, bot_user_id, bot_token_enc, bot_refresh_token_enc, bot_token_expires_at, installed_at"
        " FROM slack_installations WHERE workspace_id = %s AND bot_token_enc IS NOT NULL" + _NEWEST
    )
    with tenant_tx(pool, found.tenant_id) as conn:
        row = conn.execute(latest, [found.workspace_id]).fetchone()
    if row is None:
        return None
    if rotator is None or not _expiring(row, minutes_before_expiration):
        return box.decrypt(row["bot_token_enc"])
    with tenant_tx(pool, found.tenant_id) as conn:
        row = conn.execute(latest + " FOR UPDATE", [found.workspace_id]).fetchone()
        if row is None:
            return None
        bot = Bot(
            bot_token=box.decrypt(row["bot_token_enc"]),
            bot_id=row["bot_id"] or "",
            bot_user_id=row["bot_user_id"] or "",
            bot_refresh_token=box.decrypt_optional(row["bot_refresh_token_enc"]),
            bot_token_expires_at=_epoch(row["bot_token_expires_at"]),
            installed_at=row["installed_at"].timestamp(),
        )
        refreshed = rotator.perform_bot_token_rotation(bot=bot, minutes_before_expiration=minutes_before_expiration)
        if refreshed is None:  # another worker refreshed it while we waited for the lock
            return bot.bot_token
        conn.execute(
            "UPDATE slack_installations SET bot_token_enc = %s, bot_refresh_token_enc = coalesce(%s, bot_refresh_token_enc),"
            " bot_token_expires_at = %s WHERE id = %s",
            [
                box.encrypt(refreshed.bot_token),
                box.encrypt_optional(refreshed.bot_refresh_token),
                _when(refreshed.bot_token_expires_at),
                row["id"],
            ],
        )
        return refreshed.bot_token


def _expiring(row: dict[str, Any], minutes: int) -> bool:
    expires = row["bot_token_expires_at"]
    return (
        expires is not None
        and row["bot_refresh_token_enc"] is not None
        and expires.timestamp() <= datetime.now(UTC).timestamp() + minutes * 60
    )


class Revoked(BaseModel):
    """What an uninstall or a revocation removed."""

    installations_deleted: int = 0
    bot_tokens_cleared: int = 0
    user_tokens_cleared: int = 0


def deactivate_workspace(pool: Pool, team_id: str | None, enterprise_id: str | None = None) -> Revoked:
    """`app_uninstalled`: delete every Slack token of the workspace and mark it (and NOX) inactive.

    Integration credentials (Jira, Google) stay, encrypted, so a re-install finds them again.
    """
    found = route(pool, team_id, enterprise_id)
    if found is None:
        return Revoked()
    with tenant_tx(pool, found.tenant_id) as conn:
        deleted = conn.execute("DELETE FROM slack_installations WHERE workspace_id = %s", [found.workspace_id]).rowcount
        # The grace period before its data is deleted starts now (jamono/privacy/purge.py).
        conn.execute(
            "UPDATE workspaces SET is_active = false, deactivated_at = coalesce(deactivated_at, now()),"
            " updated_at = now() WHERE id = %s",
            [found.workspace_id],
        )
        conn.execute(
            "UPDATE agent_deployments SET status = 'removed' WHERE workspace_id = %s AND status = 'active'",
            [found.workspace_id],
        )
    log.info(
        "workspace deactivated",
        extra={"team_id": team_id, "enterprise_id": enterprise_id, "installations_deleted": deleted},
    )
    return Revoked(installations_deleted=deleted)


def revoke_tokens(
    pool: Pool,
    team_id: str | None,
    enterprise_id: str | None,
    bot_user_ids: Iterable[str] = (),
    user_ids: Iterable[str] = (),
) -> Revoked:
    """`tokens_revoked`: forget exactly the tokens Slack says are dead (event.tokens.bot / .oauth)."""
    found = route(pool, team_id, enterprise_id)
    bots, users = list(bot_user_ids), list(user_ids)
    if found is None or not (bots or users):
        return Revoked()
    with tenant_tx(pool, found.tenant_id) as conn:
        cleared_bots = (
            conn.execute(
                f"UPDATE slack_installations SET {_CLEARED['bot']}"
                " WHERE workspace_id = %s AND bot_user_id = ANY(%s) AND bot_token_enc IS NOT NULL",
                [found.workspace_id, bots],
            ).rowcount
            if bots
            else 0
        )
        cleared_users = (
            conn.execute(
                f"UPDATE slack_installations SET {_CLEARED['user']}"
                " WHERE workspace_id = %s AND user_id = ANY(%s) AND user_token_enc IS NOT NULL",
                [found.workspace_id, users],
            ).rowcount
            if users
            else 0
        )
        deleted = conn.execute(_DROP_EMPTY, [found.workspace_id]).rowcount
    return Revoked(installations_deleted=deleted, bot_tokens_cleared=cleared_bots, user_tokens_cleared=cleared_users)
