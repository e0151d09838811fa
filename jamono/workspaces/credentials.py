"""Per-workspace Jira and Google credentials, encrypted at rest in `integration_credentials`.
Why and how: docs/design/workspaces.md."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from psycopg.types.json import Jsonb
from pydantic import SecretStr

from jamono.home.settings_model import WorkspaceSettings
from jamono.integrations.base import Calendar, TicketTracker
from jamono.integrations.egress import EgressPolicy, policy_from_settings
from jamono.integrations.retry import RetryPolicy
from jamono.platform.crypto import SecretBox
from jamono.platform.db import Connection

Kind = Literal["jira", "google"]
# The names the App Home stores secrets under (jamono.home.secrets.SECRET_NAMES) → table kind.
KIND_OF_NAME: dict[str, Kind] = {"jira_api_token": "jira", "google_credentials": "google"}


class NotConnected(LookupError):
    """The workspace has not connected this integration (or not completely)."""

    def __init__(self, kind: Kind) -> None:
        super().__init__(f"{kind} is not connected")
        self.kind = kind


@dataclass(frozen=True)
class PluginOptions:
    """How plugins talk to the outside: per-call timeout and in-process retry budget."""

    timeout_s: float = 10.0
    retry: RetryPolicy = RetryPolicy()


DEFAULT_OPTIONS = PluginOptions()


class CredentialStore:
    """`SecretStore` for the App Home, and the reader the action workers build plugins from."""

    def __init__(
        self, box: SecretBox, options: PluginOptions = DEFAULT_OPTIONS, egress: EgressPolicy | None = None
    ) -> None:
        self._box = box
        self.options = options
        # Where plugins may connect (JAMONO_EGRESS_ALLOW); None: the process's settings.
        self.egress = egress

    def __repr__(self) -> str:
        return f"CredentialStore({self._box!r})"

    # -- writing (App Home) --

    def put(self, conn: Connection, workspace_id: UUID, name: str, value: SecretStr) -> None:
        """Encrypt and upsert; `conn` is inside the tenant's transaction, so RLS applies."""
        kind = KIND_OF_NAME.get(name)
        if kind is None:
            raise ValueError(f"unknown secret name {name!r}")
        ciphertext = self._box.encrypt(value.get_secret_value())
        conn.execute(
            "INSERT INTO integration_credentials (tenant_id, workspace_id, kind, secret_enc)"
            " SELECT tenant_id, id, %s, %s FROM workspaces WHERE id = %s"
            " ON CONFLICT (workspace_id, kind) DO UPDATE SET secret_enc = EXCLUDED.secret_enc, updated_at = now()",
            [kind, ciphertext, workspace_id],
        )

    def set_endpoint(self, conn: Connection, workspace_id: UUID, kind: Kind, endpoint: str | None) -> None:
        """Point a workspace's plugin at another API root (operators' proxies; tests' stand-ins)."""
        conn.execute(
            "INSERT INTO integration_credentials (tenant_id, workspace_id, kind, config)"
            " SELECT tenant_id, id, %s, %s FROM workspaces WHERE id = %s"
            " ON CONFLICT (workspace_id, kind) DO UPDATE SET config = integration_credentials.config || EXCLUDED.config,"
            " updated_at = now()",
            [kind, Jsonb({"endpoint": endpoint}), workspace_id],
        )

    # -- reading (action workers) --

    def _row(self, conn: Connection, workspace_id: UUID, kind: Kind) -> tuple[str | None, dict[str, Any]]:
        row = conn.execute(
            "SELECT secret_enc, config FROM integration_credentials WHERE workspace_id = %s AND kind = %s",
            [workspace_id, kind],
        ).fetchone()
        if row is None:
            return None, {}
        secret = self._box.decrypt_optional(row["secret_enc"])
        return secret, dict(row["config"] or {})

    def secret(self, conn: Connection, workspace_id: UUID, kind: Kind) -> str | None:
        """The stored secret in clear, for comparing (env settings applied at each start)."""
        return self._row(conn, workspace_id, kind)[0]

    def tracker(self, conn: Connection, workspace_id: UUID, settings: WorkspaceSettings) -> TicketTracker:
        """A JiraTracker for the workspace, or NotConnected. Close it after the job."""
        from jamono.integrations.jira.tracker import JiraTracker

        jira = settings.jira
        token, config = self._row(conn, workspace_id, "jira")
        if not (jira.url and jira.email and jira.project_key and token):
            raise NotConnected("jira")
        return JiraTracker(
            config.get("endpoint") or jira.url,
            jira.email,
            token,
            timeout_s=self.options.timeout_s,
            retry_policy=self.options.retry,
            egress=self.egress,
        )

    def calendar(self, conn: Connection, workspace_id: UUID, settings: WorkspaceSettings) -> Calendar:
        """A GoogleCalendar for the workspace, or NotConnected. Close it after the job."""
        from jamono.integrations.google.calendar import GoogleCalendar

        google = settings.google
        secret, config = self._row(conn, workspace_id, "google")
        if not (google.organizer_email and secret):
            raise NotConnected("google")
        info = json.loads(secret)
        kwargs: dict[str, Any] = {
            "calendar_id": google.calendar_id,
            "api_endpoint": config.get("endpoint"),
            "timeout_s": self.options.timeout_s,
            "retry_policy": self.options.retry,
            "egress": self.egress,
        }
        if google.mode == "service_account":
            return GoogleCalendar.from_service_account(info, google.organizer_email, **kwargs)
        nested = [info.get(k) for k in ("installed", "web") if isinstance(info.get(k), dict)]
        flat = {k: v for part in (*nested, info) for k, v in part.items()}
        return GoogleCalendar.from_user_token(
            refresh_token=flat["refresh_token"],
            client_id=flat["client_id"],
            client_secret=flat["client_secret"],
            token_uri=flat.get("token_uri") or "https://oauth2.googleapis.com/token",
            **kwargs,
        )


_store: CredentialStore | None = None


def credential_store(settings: Any) -> CredentialStore:
    """The process's store (one SecretBox per process: the key file is read once).

    Tests and operators tune plugin timeouts and retries through its `options`.
    """
    global _store
    from jamono.platform.crypto import load_secret_box

    if _store is None:
        _store = CredentialStore(load_secret_box(settings), egress=policy_from_settings(settings))
    return _store
