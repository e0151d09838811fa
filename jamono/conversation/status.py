"""`/nox status`: is NOX well, and are this workspace's integrations connected and answering?
Why and how: docs/design/conversation.md."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel
from slack_sdk.webhook import WebhookClient

from jamono.container import Runtime
from jamono.i18n import Lang, is_lang, t
from jamono.platform.db import tenant_tx
from jamono.platform.tenancy import WorkspaceContext
from jamono.slack.blockkit import header, section
from jamono.slack.escape import escape_mrkdwn
from jamono.slack.payloads import CommandJob

log = logging.getLogger(__name__)

State = Literal["ok", "warn", "down", "off"]
ICON: dict[State, str] = {
    "ok": ":large_green_circle:",
    "warn": ":large_yellow_circle:",
    "down": ":red_circle:",
    "off": ":white_circle:",
}


class Check(BaseModel):
    name: str
    state: State
    detail: str


def _timed(fn: Callable[[], object]) -> tuple[object, int]:
    started = time.perf_counter()
    result = fn()
    return result, round((time.perf_counter() - started) * 1000)


def _guard(name: str, lang: Lang, fn: Callable[[], Check]) -> Check:
    try:
        return fn()
    except Exception as exc:  # a status page must report, not crash
        log.warning("status check failed", extra={"check": name, "error": type(exc).__name__})
        return Check(name=t(name, lang), state="down", detail=t("failed", lang, reason=type(exc).__name__))


def check_database(rt: Runtime, lang: Lang) -> Check:
    def ping() -> None:
        with rt.pool.connection(timeout=3) as conn:
            conn.execute("SELECT 1")

    _, ms = _timed(ping)
    return Check(name=t("database", lang), state="ok" if ms < 500 else "warn", detail=t("db_ok", lang, ms=ms))


def check_queue(rt: Runtime, lang: Lang) -> Check:
    import dramatiq
    from dramatiq.brokers.redis import RedisBroker

    broker = dramatiq.get_broker()
    if not isinstance(broker, RedisBroker):  # RabbitMQ: this job reached us through it; depth is its own UI's
        return Check(name=t("queue", lang), state="ok", detail=t("queue_up", lang))
    waiting = sum(int(broker.client.llen(f"{broker.namespace}:{q}")) for q in broker.get_declared_queues())
    state: State = "ok" if waiting < 1000 else "warn"
    return Check(name=t("queue", lang), state=state, detail=t("queue_ok", lang, n=waiting))


def check_knowledge(rt: Runtime, ws: WorkspaceContext, lang: Lang) -> Check:
    with tenant_tx(rt.pool, ws.tenant_id) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM knowledge_documents) AS docs, (SELECT count(*) FROM knowledge_chunks) AS chunks"
        ).fetchone()
    assert row is not None  # a SELECT of two counts returns one row
    if not row["docs"]:
        return Check(name=t("kb", lang), state="warn", detail=t("kb_empty", lang))
    return Check(name=t("kb", lang), state="ok", detail=t("kb_docs", lang, docs=row["docs"], chunks=row["chunks"]))


def check_brain(rt: Runtime, lang: Lang) -> Check:
    if rt.settings.openai_api_key is None:
        return Check(name=t("brain", lang), state="ok", detail=t("llm_off", lang))
    return Check(name=t("brain", lang), state="ok", detail=t("llm_on", lang, model=rt.settings.openai_model))


def _plugin(rt: Runtime, ws: WorkspaceContext, kind: Literal["jira", "google"]) -> object | None:
    """The workspace's Jira or Calendar plugin from its stored settings and credentials; None when
    not connected. Building it calls no one."""
    from jamono.home.settings_model import parse_stored
    from jamono.workspaces.credentials import NotConnected, credential_store

    settings = parse_stored(ws.settings)
    store = credential_store(rt.settings)
    with tenant_tx(rt.pool, ws.tenant_id) as conn:
        try:
            if kind == "jira":
                return store.tracker(conn, ws.workspace_id, settings)
            return store.calendar(conn, ws.workspace_id, settings)
        except NotConnected:
            return None


def check_integration(rt: Runtime, ws: WorkspaceContext, kind: Literal["jira", "google"], lang: Lang) -> Check:
    from jamono.home.settings_model import parse_stored

    settings = parse_stored(ws.settings)
    plugin = _plugin(rt, ws, kind)
    if plugin is None:
        return Check(name=t(kind, lang), state="off", detail=t("not_connected", lang))
    where = settings.jira.url if kind == "jira" else settings.google.organizer_email
    try:
        probe = getattr(plugin, "check", None)
        if callable(probe):
            probe()
    except Exception as exc:
        from jamono.integrations.base import IntegrationError

        # An IntegrationError's reason is ours (written for people); any other exception is named
        # by its class only (its text, or a `reason` attribute, may be a remote server's words).
        reason = exc.reason if isinstance(exc, IntegrationError) else type(exc).__name__
        log.warning("status: %s check failed", kind, extra={"error": type(exc).__name__})
        return Check(
            name=t(kind, lang), state="down", detail=t("unreachable", lang, reason=escape_mrkdwn(str(reason)[:120]))
        )
    finally:
        close = getattr(plugin, "close", None)
        if callable(close):
            close()
    # The Jira URL and the organizer are what an admin typed: shown as text, never as markup.
    return Check(name=t(kind, lang), state="ok", detail=t("connected", lang, where=escape_mrkdwn(where)))


def member_summary(check: Check, lang: Lang) -> Check:
    """An integration as a member sees it: its state, without the address, project or error an admin
    typed or a remote server caused (those describe the workspace's setup, not the member's work)."""
    detail = {
        "ok": t("member_connected", lang),
        "down": t("member_failing", lang),
        "warn": t("member_failing", lang),
        "off": t("not_connected", lang),
    }[check.state]
    return check.model_copy(update={"detail": detail})


def is_admin_viewer(rt: Runtime, ws: WorkspaceContext, user_id: str) -> bool:
    """Decided from `users.info` now (as the App Home does); when Slack cannot say, not an admin."""
    from jamono.home.admin import is_workspace_admin
    from jamono.home.settings_model import parse_stored

    try:
        info = rt.slack.get(rt.bot_token(ws)).users_info(user=user_id).data
    except Exception as exc:
        log.warning("status: users.info failed", extra={"error": type(exc).__name__})
        return False
    return is_workspace_admin(info, parse_stored(ws.settings))  # type: ignore[arg-type]


def collect(
    rt: Runtime, ws: WorkspaceContext, lang: Lang, *, queued_at: float | None = None, admin: bool = True
) -> list[Check]:
    """Every check for an admin; a member's integrations are summarised from what is configured,
    without probing the remote service (a member cannot make the workers call a tenant-chosen host)."""
    picked_ms = round(max(0.0, time.time() - queued_at) * 1000) if queued_at else 0
    checks = [
        Check(
            name=t("worker", lang),
            state="ok" if picked_ms < 5000 else "warn",
            detail=t("answering", lang, ms=picked_ms),
        )
    ]
    checks.append(_guard("database", lang, lambda: check_database(rt, lang)))
    checks.append(_guard("queue", lang, lambda: check_queue(rt, lang)))
    checks.append(_guard("kb", lang, lambda: check_knowledge(rt, ws, lang)))
    checks.append(_guard("brain", lang, lambda: check_brain(rt, lang)))
    kinds: tuple[Literal["jira", "google"], ...] = ("jira", "google")
    for kind in kinds:
        checks.append(_integration(rt, ws, kind, lang, admin))
    return checks


def _integration(rt: Runtime, ws: WorkspaceContext, kind: Literal["jira", "google"], lang: Lang, admin: bool) -> Check:
    if admin:
        return _guard(kind, lang, lambda: check_integration(rt, ws, kind, lang))
    return member_summary(_guard(kind, lang, lambda: configured(rt, ws, kind, lang)), lang)


def configured(rt: Runtime, ws: WorkspaceContext, kind: Literal["jira", "google"], lang: Lang) -> Check:
    """Whether an integration is connected, from our own records only (no call out)."""
    plugin = _plugin(rt, ws, kind)
    if plugin is None:
        return Check(name=t(kind, lang), state="off", detail="")
    close = getattr(plugin, "close", None)
    if callable(close):
        close()
    return Check(name=t(kind, lang), state="ok", detail="")


def status_blocks(checks: list[Check], lang: Lang) -> list[dict]:
    lines = "\n".join(f"{ICON[c.state]} *{c.name}* — {c.detail}" for c in checks)
    return [
        header(t("status_title", lang), emoji=None),
        section(lines[:2900]),
    ]


def report_status(rt: Runtime, job: CommandJob, *, queued_at: float | None = None) -> list[Check]:
    from jamono.home.settings_model import parse_stored

    ws = rt.workspaces.get(job.team_id, job.enterprise_id)
    preferred = parse_stored(ws.settings).language
    lang: Lang = preferred if is_lang(preferred) else job.lang
    checks = collect(rt, ws, lang, queued_at=queued_at, admin=is_admin_viewer(rt, ws, job.user))
    WebhookClient(job.response_url).send(
        response_type="in_channel" if job.share else "ephemeral",
        text=t("status_title", lang),
        blocks=status_blocks(checks, lang),
        replace_original=True,
    )
    return checks
