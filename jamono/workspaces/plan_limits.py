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
    """The limit this user would exceed, or None when they may be answered."""
    with tenant_tx(pool, ws.tenant_id) as conn:
        row = conn.execute(
            "SELECT t.plan_type, t.max_users,"
            " EXISTS (SELECT 1 FROM agent_interactions WHERE tenant_id = t.id AND workspace_id = %s AND user_id = %s"
            "   AND created_at > now() - interval '30 days') AS known,"
            " (SELECT count(*) FROM (SELECT DISTINCT workspace_id, user_id FROM agent_interactions"
            "   WHERE tenant_id = t.id AND created_at > now() - interval '30 days') AS u) AS users"
            " FROM tenants t WHERE t.id = %s",
            [ws.workspace_id, user_id, ws.tenant_id],
        ).fetchone()
    if row is None or row["known"] or row["users"] < row["max_users"]:
        return None
    return UserLimit(plan_type=row["plan_type"], max_users=row["max_users"], users=row["users"])
