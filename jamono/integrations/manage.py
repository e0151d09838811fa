"""Connecting Jira and Google Calendar without the App Home: the command line and env settings.
Why and how: docs/design/admin.md ("Integrations as code")."""

from __future__ import annotations

import json
import logging
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, SecretStr, ValidationError

from jamono.home.forms import GoogleForm, JiraForm
from jamono.home.settings_model import WorkspaceSettings, deep_merge, load_settings, save_settings
from jamono.integrations.egress import EgressPolicy, EgressRefused
from jamono.platform.db import Pool, tenant_tx
from jamono.platform.tenancy import WorkspaceContext
from jamono.workspaces.credentials import CredentialStore, Kind, NotConnected

log = logging.getLogger(__name__)
KINDS: tuple[Kind, ...] = ("jira", "google")
_UNSET: dict[Kind, dict[str, Any]] = {"jira": {"has_token": False}, "google": {"has_credentials": False}}
_SECRET_NAMES: dict[Kind, str] = {"jira": "jira_api_token", "google": "google_credentials"}


class ConnectError(ValueError):
    """What is wrong with the given connection details, in words for the operator."""


class IntegrationState(BaseModel):
    kind: Kind
    state: Literal["connected", "incomplete", "off"]
    where: str | None
    secret_stored: bool
    endpoint: str | None


def _problems(exc: ValidationError) -> str:
    fields = sorted({".".join(str(p) for p in err["loc"]) or "form" for err in exc.errors()})
    return "invalid " + ", ".join(fields)


def check_destination(policy: EgressPolicy, url: str) -> None:
    """Refuse an address the egress guard would refuse (resolves the host once)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConnectError(f"{url[:80]!r} is not an http(s) URL")
    try:
        policy.addresses(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except EgressRefused as exc:
        raise ConnectError(exc.reason) from None
    except OSError:
        # Not resolvable from here now (DNS down, split horizon): the guard checks again at every
        # call, so this is not a reason to refuse; `jamono integrations test` will tell.
        log.warning("egress pre-check: %s does not resolve", parts.hostname[:80])


def _save(
    pool: Pool,
    ws: WorkspaceContext,
    store: CredentialStore,
    kind: Kind,
    changes: dict[str, Any],
    secret: SecretStr,
    endpoint: str | None,
    actor: str,
) -> WorkspaceSettings:
    from jamono.home.flows import audit_settings

    with tenant_tx(pool, ws.tenant_id) as conn:
        before = load_settings(conn, ws.workspace_id)
        store.put(conn, ws.workspace_id, _SECRET_NAMES[kind], secret)
        store.set_endpoint(conn, ws.workspace_id, kind, endpoint)
        flag = {"jira": {"has_token": True}, "google": {"has_credentials": True}}[kind]
        saved = save_settings(conn, ws.workspace_id, deep_merge(changes, {kind: flag}))
        audit_settings(conn, ws, actor, kind, before, saved, secret=True)
    return saved


def connect_jira(
    pool: Pool,
    ws: WorkspaceContext,
    store: CredentialStore,
    policy: EgressPolicy,
    *,
    url: str,
    email: str,
    project_key: str,
    token: SecretStr,
    issue_type: str = "Task",
    endpoint: str | None = None,
    actor: str = "operator",
) -> WorkspaceSettings:
    with tenant_tx(pool, ws.tenant_id) as conn:
        priorities = load_settings(conn, ws.workspace_id).jira.priorities.as_dict()
    try:
        form = JiraForm.model_validate(
            {
                "url": url,
                "email": email,
                "project_key": project_key,
                "issue_type": issue_type,
                "priorities": priorities,
                "api_token": token.get_secret_value(),
            }
        )
    except ValidationError as exc:
        raise ConnectError(_problems(exc)) from None
    check_destination(policy, endpoint or form.url)
    assert form.api_token is not None  # required when none is stored yet: the form says so
    return _save(pool, ws, store, "jira", form.changes(), form.api_token, endpoint, actor)


def connect_google(
    pool: Pool,
    ws: WorkspaceContext,
    store: CredentialStore,
    policy: EgressPolicy,
    *,
    organizer_email: str,
    credentials: SecretStr,
    mode: str = "service_account",
    calendar_id: str = "primary",
    endpoint: str | None = None,
    actor: str = "operator",
) -> WorkspaceSettings:
    try:
        form = GoogleForm.model_validate(
            {
                "mode": mode,
                "organizer_email": organizer_email,
                "calendar_id": calendar_id,
                "credentials": credentials.get_secret_value(),
            }
        )
    except ValidationError as exc:
        raise ConnectError(_problems(exc)) from None
    assert form.credentials is not None
    info = json.loads(form.credentials.get_secret_value())
    nested = [info.get(k) for k in ("installed", "web") if isinstance(info.get(k), dict)]
    token_uri = next((p["token_uri"] for p in (info, *nested) if p.get("token_uri")), None)
    for url in filter(None, (token_uri, endpoint)):
        check_destination(policy, url)
    return _save(pool, ws, store, "google", form.changes(), form.credentials, endpoint, actor)


def disconnect(pool: Pool, ws: WorkspaceContext, kind: Kind, *, actor: str = "operator") -> bool:
    """Delete the stored secret and mark the integration off; False when nothing was stored."""
    from jamono.audit.store import record

    with tenant_tx(pool, ws.tenant_id) as conn:
        gone = conn.execute(
            "DELETE FROM integration_credentials WHERE workspace_id = %s AND kind = %s", [ws.workspace_id, kind]
        ).rowcount
        save_settings(conn, ws.workspace_id, {kind: _UNSET[kind]})
        record(conn, ws.workspace_id, actor, "integration.disconnected", kind, {"secret_deleted": bool(gone)})
    return bool(gone)


def states(pool: Pool, ws: WorkspaceContext) -> list[IntegrationState]:
    with tenant_tx(pool, ws.tenant_id) as conn:
        settings = load_settings(conn, ws.workspace_id)
        rows: list[Any] = conn.execute(
            "SELECT kind, secret_enc IS NOT NULL AS stored, config->>'endpoint' AS endpoint"
            " FROM integration_credentials WHERE workspace_id = %s",
            [ws.workspace_id],
        ).fetchall()
    stored: dict[str, dict[str, Any]] = {r["kind"]: r for r in rows}
    result = []
    for kind in KINDS:
        section = getattr(settings, kind)
        where = settings.jira.url if kind == "jira" else settings.google.organizer_email
        row = stored.get(kind) or {}
        state: Literal["connected", "incomplete", "off"] = (
            "connected" if section.configured else "incomplete" if where or row else "off"
        )
        result.append(
            IntegrationState(
                kind=kind,
                state=state,
                where=where,
                secret_stored=bool(row.get("stored")),
                endpoint=row.get("endpoint"),
            )
        )
    return result


def test_connection(pool: Pool, ws: WorkspaceContext, store: CredentialStore, kind: Kind) -> str:
    """One call through the plugin (and so the egress guard); our words for what failed."""
    from jamono.integrations.base import IntegrationError

    with tenant_tx(pool, ws.tenant_id) as conn:
        settings = load_settings(conn, ws.workspace_id)
        try:
            plugin: Any = (
                store.tracker(conn, ws.workspace_id, settings)
                if kind == "jira"
                else store.calendar(conn, ws.workspace_id, settings)
            )
        except NotConnected:
            raise ConnectError(f"{kind} is not connected") from None
    try:
        return str(plugin.check())
    except IntegrationError as exc:
        raise ConnectError(str(exc.reason)[:200]) from None
    except Exception as exc:  # noqa: BLE001 - another exception's text may be a remote server's words
        raise ConnectError(f"the check failed ({type(exc).__name__})") from None
    finally:
        close = getattr(plugin, "close", None)
        if callable(close):
            close()


def _jira_env(settings: Any) -> dict[str, Any] | None:
    names = {"JIRA_URL": "jira_url", "JIRA_EMAIL": "jira_email", "JIRA_API_TOKEN": "jira_api_token"}
    names["JIRA_PROJECT"] = "jira_project"
    given = {env: getattr(settings, attr) for env, attr in names.items() if getattr(settings, attr)}
    if not given:
        return None
    missing = sorted(set(names) - set(given))
    if missing:
        raise ConnectError(f"JIRA_URL, JIRA_EMAIL, JIRA_API_TOKEN and JIRA_PROJECT go together; missing {missing}")
    return {
        "url": settings.jira_url,
        "email": settings.jira_email,
        "project_key": settings.jira_project,
        "token": settings.jira_api_token,
    }


def _google_env(settings: Any) -> dict[str, Any] | None:
    if not (settings.google_organizer_email or settings.google_credentials_file):
        return None
    if not (settings.google_organizer_email and settings.google_credentials_file):
        raise ConnectError("GOOGLE_ORGANIZER_EMAIL and GOOGLE_CREDENTIALS_FILE go together")
    try:
        credentials = SecretStr(settings.google_credentials_file.read_text())
    except OSError as exc:
        raise ConnectError(f"GOOGLE_CREDENTIALS_FILE cannot be read ({exc.strerror})") from None
    return {
        "organizer_email": settings.google_organizer_email,
        "credentials": credentials,
        "mode": settings.google_auth_mode,
        "calendar_id": settings.google_calendar_id,
    }


def _unchanged(pool: Pool, ws: WorkspaceContext, store: CredentialStore, kind: Kind, wanted: dict) -> bool:
    with tenant_tx(pool, ws.tenant_id) as conn:
        current = load_settings(conn, ws.workspace_id)
        secret = store.secret(conn, ws.workspace_id, kind)
    if kind == "jira":
        same = (current.jira.url, current.jira.email, current.jira.project_key) == (
            wanted["url"].rstrip("/"),
            wanted["email"],
            wanted["project_key"].upper(),
        )
        return same and secret == wanted["token"].get_secret_value()
    google = current.google
    same = (google.organizer_email, google.mode, google.calendar_id) == (
        wanted["organizer_email"],
        wanted["mode"],
        wanted["calendar_id"],
    )
    return same and secret == wanted["credentials"].get_secret_value()


def apply_env(pool: Pool, ws: WorkspaceContext, settings: Any, store: CredentialStore) -> list[Kind]:
    """Connect what the environment describes (JIRA_*, GOOGLE_*); unchanged ones are left alone,
    so a restart neither rewrites the secret nor fills the audit log. Returns what was applied."""
    from jamono.integrations.egress import policy_from_settings

    policy = policy_from_settings(settings)
    applied: list[Kind] = []
    jira = _jira_env(settings)
    if jira is not None and not _unchanged(pool, ws, store, "jira", jira):
        connect_jira(pool, ws, store, policy, **jira)
        applied.append("jira")
    google = _google_env(settings)
    if google is not None and not _unchanged(pool, ws, store, "google", google):
        connect_google(pool, ws, store, policy, **google)
        applied.append("google")
    return applied
