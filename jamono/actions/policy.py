"""The workspace's policy on NOX's external actions: who may decide, and how much.
Why and how: docs/design/actions.md ("Policy")."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from jamono.actions.models import MEETING, TICKET, Action
from jamono.home.admin import is_workspace_admin, slack_user
from jamono.home.settings_model import PolicySettings, WorkspaceSettings
from jamono.i18n import t
from jamono.platform.db import Connection

log = logging.getLogger(__name__)
AUTOMATIC = "automatic"
OPERATOR = "operator"
SYSTEM_DECIDERS = (AUTOMATIC, OPERATOR)  # the workspace's automatic mode; `jamono actions retry`


def _who(client: Any, user: str) -> dict[str, Any]:
    try:
        return slack_user(client.users_info(user=user).data)
    except SlackApiError as exc:
        log.warning("cannot tell who %s is (%s): not allowed to decide", user, exc.response.get("error"))
        return {}


def in_usergroup(client: Any, group: str | None, user: str) -> bool:
    """Asked of Slack at the click (a group's members change); a failure counts as no."""
    if not group:
        return False
    try:
        return user in (client.usergroups_users_list(usergroup=group).get("users") or [])
    except SlackApiError as exc:
        log.warning("cannot read user group %s (%s)", group, exc.response.get("error"))
        return False


def _by_policy(client: Any, user: str, requester: str | None, policy: PolicySettings) -> bool:
    if policy.actions_by == "everyone":
        return True
    if policy.actions_by == "usergroup":
        return in_usergroup(client, policy.usergroup, user)
    return user == requester


def refusal(client: Any, user: str, *, requester: str | None, lang: str, settings: WorkspaceSettings) -> str | None:
    """None when `user` may confirm, retry or dismiss; else what to tell them."""
    if user in SYSTEM_DECIDERS:
        return None
    info = _who(client, user)
    if info.get("is_restricted") or info.get("is_ultra_restricted"):
        return t("act.guest_not_allowed", lang)
    person = bool(info.get("id")) and not (info.get("deleted") or info.get("is_bot"))
    if person and (is_workspace_admin(info, settings) or _by_policy(client, user, requester, settings.policy)):
        return None
    policy = settings.policy
    if policy.actions_by == "usergroup" and policy.usergroup:
        return t("act.group_only", lang, group=policy.usergroup)
    if requester and policy.actions_by == "requester_admins":
        return t("act.not_allowed", lang, requester=requester)
    return t("act.admins_only", lang)


def tickets_today(conn: Connection) -> int:
    """Tickets confirmed since midnight UTC (failed ones did not open anything and are not counted)."""
    row: Any = conn.execute(
        "SELECT count(*) AS n FROM actions WHERE tenant_id = jamono_current_tenant() AND type = %s"
        " AND status IN ('confirmed', 'running', 'done')"
        " AND confirmed_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
        [TICKET],
    ).fetchone()
    return int(row["n"] if isinstance(row, dict) else row[0])


def over_cap(conn: Connection, action: Action, user: str, policy: PolicySettings) -> str | None:
    """None when the action fits the workspace's caps; else what to tell the person."""
    if user == OPERATOR:
        return None
    if action.type == MEETING:
        count = len(action.meeting().attendees)
        if count > policy.max_attendees:
            return t("act.too_many_attendees", action.lang, count=count, cap=policy.max_attendees)
        return None
    if action.type == TICKET and tickets_today(conn) >= policy.max_tickets_per_day:
        return t("act.ticket_cap", action.lang, cap=policy.max_tickets_per_day)
    return None
