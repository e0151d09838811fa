"""The seed's plan limits on the message path: a tenant's plan allows `max_users` people a month.
Why and how: docs/design/workspaces.md."""

from __future__ import annotations

from pydantic import BaseModel

from jamono.i18n import Lang, t
from jamono.platform.db import Pool, tenant_tx
from jamono.platform.tenancy import WorkspaceContext


class UserLimit(BaseModel):
    plan_type: str
    max_users: int
    users: int

    def message(self, lang: Lang) -> str:
        return t("plan.user_limit", lang, plan=self.plan_type, allowed=self.max_users, used=self.users)


def over_user_limit(pool: Pool, ws: WorkspaceContext, user_id: str) -> UserLimit | None:
    """The limit this user would exceed, or None when they may be answered.

    Someone already answered this month is one indexed lookup. Only a newcomer counts the month's
    people, and only up to the limit: counting them all on every message cost a busy tenant a scan
    of its month of interactions per answer.
    """
    with tenant_tx(pool, ws.tenant_id) as conn:
        row = conn.execute(
            "SELECT t.plan_type, t.max_users,"
            " EXISTS (SELECT 1 FROM agent_interactions WHERE tenant_id = t.id AND workspace_id = %s AND user_id = %s"
            "   AND created_at > now() - interval '30 days') AS known"
            " FROM tenants t WHERE t.id = %s",
            [ws.workspace_id, user_id, ws.tenant_id],
        ).fetchone()
        if row is None or row["known"]:
            return None
        counted = conn.execute(
            "SELECT count(*) AS n FROM (SELECT DISTINCT workspace_id, user_id FROM agent_interactions"
            " WHERE tenant_id = %s AND created_at > now() - interval '30 days' LIMIT %s) AS u",
            [ws.tenant_id, row["max_users"]],
        ).fetchone()
    users = counted["n"] if counted else 0
    if users < row["max_users"]:
        return None
    return UserLimit(plan_type=row["plan_type"], max_users=row["max_users"], users=users)
