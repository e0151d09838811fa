"""What the App Home's workers do: publish a Home tab, fill a settings modal, save settings.
Why and how: docs/design/home.md."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import psycopg
from pydantic import BaseModel, ValidationError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from jamono.audit.store import AuditEntry, latest, record
from jamono.home.admin import is_workspace_admin, slack_user, user_locale
from jamono.home.jobs import HomeJob, SettingsModalJob, SettingsSaveJob
from jamono.home.metrics import UsageMetrics, recent_interactions, usage_metrics
from jamono.home.modals import SETTINGS_MODALS, notice_modal
from jamono.home.secrets import SECRET_FLAGS, SECRET_NAMES, SecretSealer, SecretStore, SecretUnavailable
from jamono.home.settings_model import WorkspaceSettings, deep_merge, load_settings, save_settings
from jamono.home.views import AUDIT_SHOWN, home_view
from jamono.i18n import resolve_lang, t
from jamono.platform.db import Connection, Pool, tenant_tx
from jamono.platform.tenancy import WorkspaceContext
from jamono.slack.limits import VIEW_BLOCKS_MAX
from jamono.slack.validation import validate_view

if TYPE_CHECKING:
    from jamono.container import Runtime

log = logging.getLogger(__name__)
RECENT_LIMIT = 5


class SaveOutcome(BaseModel):
    saved: bool
    refused: bool = False
    secret_stored: bool = False
    secret_problem: str | None = None


def fetch_user(client: WebClient, user_id: str) -> dict[str, Any]:
    return slack_user(client.users_info(user=user_id, include_locale=True).data)  # type: ignore[arg-type]


def _tz(user: dict[str, Any]) -> str:
    """The person's Slack time zone, so "per day" means their days; UTC when unknown."""
    name = user.get("tz")
    if not isinstance(name, str) or not name:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def _metrics(conn: Connection, days: int, now: datetime | None, tz: str) -> UsageMetrics | None:
    """A window's metrics, or None if its query fails: the rest of the Home still renders."""
    try:
        with conn.transaction():  # a savepoint: a failed query must not abort the whole transaction
            return usage_metrics(conn, days, now=now, tz=tz)
    except psycopg.Error:
        log.exception("usage metrics (%s days) failed", days)
        return None


def _audit_entries(conn: Connection) -> list[AuditEntry]:
    """The latest audit entries, or none if the read fails: the rest of the Home still renders."""
    try:
        with conn.transaction():
            return latest(conn, AUDIT_SHOWN)
    except psycopg.Error:
        log.exception("audit log unavailable for the App Home")
        return []


def build_home(
    pool: Pool, ws: WorkspaceContext, user: dict[str, Any], *, now: datetime | None = None
) -> dict[str, Any]:
    """The Home view for `user` (a `users.info` user object)."""
    tz = _tz(user)
    with tenant_tx(pool, ws.tenant_id) as conn:
        settings = load_settings(conn, ws.workspace_id)
        admin = is_workspace_admin(user, settings)
        recent = recent_interactions(conn, user["id"], limit=RECENT_LIMIT)
        m7 = _metrics(conn, 7, now, tz) if admin else None
        m30 = _metrics(conn, 30, now, tz) if admin else None
        audit = _audit_entries(conn) if admin else []
    lang = resolve_lang(settings.language, user_locale(user))
    view = home_view(
        user_id=user["id"],
        is_admin=admin,
        settings=settings,
        metrics_7d=m7,
        metrics_30d=m30,
        recent=recent,
        lang=lang,
        audit=audit,
    )
    try:  # the open incidents, for everyone (never a reason to lose the Home)
        from jamono.incidents.flows import home_blocks

        incidents = home_blocks(pool, ws.tenant_id, lang)
        if incidents:
            view["blocks"] = [*view["blocks"][:1], *incidents, *view["blocks"][1:]][:VIEW_BLOCKS_MAX]
    except Exception:  # noqa: BLE001
        log.exception("open incidents unavailable for the App Home")
    problems = validate_view(view)
    if problems:  # a bug, but the person should still get a Home: log it and publish the safe part
        log.error("invalid home view for %s: %s", ws.team_id, problems[:5])
        view = home_view(
            user_id=user["id"],
            is_admin=False,
            settings=WorkspaceSettings(),
            metrics_7d=None,
            metrics_30d=None,
            recent=[],
            lang=lang,
        )
    return view


def publish_home(
    pool: Pool, client: WebClient, ws: WorkspaceContext, user_id: str, *, now: datetime | None = None
) -> dict[str, Any]:
    view = build_home(pool, ws, fetch_user(client, user_id), now=now)
    client.views_publish(user_id=user_id, view=view)
    return view


def fill_settings_modal(pool: Pool, client: WebClient, ws: WorkspaceContext, job: SettingsModalJob) -> dict[str, Any]:
    """Swap the listener's "loading" modal for the section's form, or for a refusal.

    Raises SlackApiError(not_found) when the loading modal is not open yet (the listener opens it
    just after queueing): the actor's retry then finds it.
    """
    user = fetch_user(client, job.user)
    with tenant_tx(pool, ws.tenant_id) as conn:
        settings = load_settings(conn, ws.workspace_id)
        admin = is_workspace_admin(user, settings)
    lang = resolve_lang(settings.language, user_locale(user))
    if admin:
        view = SETTINGS_MODALS[job.section](settings, lang, external_id=job.external_id)
    else:
        view = notice_modal(t("only_admins", lang), lang, external_id=job.external_id)
    client.views_update(external_id=job.external_id, view=view)
    return view


def _notify(client: WebClient, user_id: str, text: str) -> None:
    try:
        client.chat_postMessage(channel=user_id, text=text)
    except SlackApiError as exc:
        log.warning("could not tell %s about their settings change: %s", user_id, exc.response.get("error"))


def apply_settings(
    pool: Pool,
    client: WebClient,
    ws: WorkspaceContext,
    job: SettingsSaveJob,
    *,
    sealer: SecretSealer | None,
    store: SecretStore | None,
) -> SaveOutcome:
    """Save a submitted modal if its author is (still) an admin, then refresh their Home."""
    user = fetch_user(client, job.user)
    lang = job.lang
    outcome = SaveOutcome(saved=False)
    try:
        with tenant_tx(pool, ws.tenant_id) as conn:
            current = load_settings(conn, ws.workspace_id)
            if not is_workspace_admin(user, current):
                outcome = SaveOutcome(saved=False, refused=True)
            else:
                changes = job.changes
                problem = None
                if job.sealed_secret:
                    problem = _store_secret(conn, ws, job, sealer, store)
                    if problem is None:
                        changes = deep_merge(changes, {job.section: {SECRET_FLAGS[job.section]: True}})
                saved = save_settings(conn, ws.workspace_id, changes)
                audit_settings(
                    conn, ws, job.user, job.section, current, saved, secret=problem is None and bool(job.sealed_secret)
                )
                outcome = SaveOutcome(
                    saved=True, secret_stored=bool(job.sealed_secret) and problem is None, secret_problem=problem
                )
    except ValidationError:
        # The listener validated the form; reaching this is a bug. Say so instead of going silent.
        log.exception("settings changes from %s failed validation", job.user)
        _notify(client, job.user, t("save_failed", lang))
        return outcome
    if outcome.refused:
        _notify(client, job.user, t("save_refused", lang))
        return outcome
    if outcome.secret_problem:
        _notify(client, job.user, t("secret_not_stored", lang, reason=outcome.secret_problem))
    try:
        publish_home(pool, client, ws, job.user)
    except SlackApiError as exc:  # saved already: a stale Home is not worth a retry
        log.warning("could not refresh the App Home: %s", exc.response.get("error"))
    return outcome


def _changed(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted names of the settings that differ (names only: values may be private)."""
    names: list[str] = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if isinstance(old, dict) and isinstance(new, dict):
            names += _changed(old, new, f"{prefix}{key}.")
        elif old != new:
            names.append(f"{prefix}{key}")
    return names


def audit_settings(
    conn: Connection,
    ws: WorkspaceContext,
    actor: str,
    section: str,
    before: WorkspaceSettings,
    after: WorkspaceSettings,
    *,
    secret: bool = False,
) -> None:
    """The audit entries of one settings save: admins added/removed, policy, integrations, the rest."""
    changed = _changed(before.stored(), after.stored())
    if before.admins != after.admins:
        added = [u for u in after.admins if u not in before.admins]
        removed = [u for u in before.admins if u not in after.admins]
        record(conn, ws.workspace_id, actor, "admins.changed", details={"added": added, "removed": removed})
    policy = [name for name in changed if name.startswith("policy.")]
    if policy:
        record(conn, ws.workspace_id, actor, "policy.changed", "policy", {"changed": policy})
    if section in ("jira", "google") and (
        secret or (getattr(after, section).configured and not getattr(before, section).configured)
    ):
        record(conn, ws.workspace_id, actor, "integration.connected", section, {"changed": changed, "secret": secret})
        return
    rest = [name for name in changed if not name.startswith("policy.") and name != "admins"]
    if rest:
        record(conn, ws.workspace_id, actor, "settings.changed", section, {"changed": rest})


def _store_secret(
    conn: Connection,
    ws: WorkspaceContext,
    job: SettingsSaveJob,
    sealer: SecretSealer | None,
    store: SecretStore | None,
) -> str | None:
    """Open and store the job's secret; the reason it could not be, or None on success."""
    if job.section not in SECRET_NAMES:
        return "this section has no secret"
    if sealer is None or store is None:
        return "secret storage is not configured on this NOX server"
    try:
        value = sealer.open(job.sealed_secret or "")
    except SecretUnavailable:
        return "it could not be decrypted (the encryption keys changed); please enter it again"
    store.put(conn, ws.workspace_id, SECRET_NAMES[job.section], value)
    return None


# --- Actor entry points: each takes the worker Runtime and the job's payload -------------------


def _client(rt: Runtime, ws: WorkspaceContext) -> WebClient:
    return rt.slack.get(rt.bot_token(ws))


def run_publish_home(rt: Runtime, payload: dict[str, Any]) -> None:
    job = HomeJob.model_validate(payload)
    ws = rt.workspaces.get(job.team_id, job.enterprise_id)
    publish_home(rt.pool, _client(rt, ws), ws, job.user)


def run_fill_settings_modal(rt: Runtime, payload: dict[str, Any]) -> None:
    job = SettingsModalJob.model_validate(payload)
    ws = rt.workspaces.get(job.team_id, job.enterprise_id)
    fill_settings_modal(rt.pool, _client(rt, ws), ws, job)


def run_save_settings(rt: Runtime, payload: dict[str, Any], *, store: SecretStore | None = None) -> None:
    job = SettingsSaveJob.model_validate(payload)
    ws = rt.workspaces.get(job.team_id, job.enterprise_id)
    apply_settings(rt.pool, _client(rt, ws), ws, job, sealer=SecretSealer.from_settings(rt.settings), store=store)
    # Workers cache workspaces (and their settings) briefly: drop this one so the change applies now.
    rt.workspaces.forget(job.team_id, job.enterprise_id)
