"""Tenants and workspaces: which tenant a Slack team belongs to, and creating it on first sight."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb
from pydantic import BaseModel, Field

from jamono.platform.db import Pool, no_tenant_tx, tenant_tx


class TeamIdentity(BaseModel):
    """What `auth.test` or an OAuth install tells us about a workspace."""

    team_id: str
    enterprise_id: str | None = None
    team_name: str | None = None
    domain: str | None = None
    bot_user_id: str | None = None
    bot_id: str | None = None
    app_id: str | None = None


class WorkspaceContext(BaseModel):
    tenant_id: UUID
    workspace_id: UUID
    deployment_id: UUID | None
    team_id: str
    enterprise_id: str | None = None
    bot_user_id: str | None = None
    is_active: bool = True
    settings: dict[str, Any] = Field(default_factory=dict)
    plan_type: str = "free"  # the tenant's plan: its daily budgets and answer rate (jamono.fairness)


class UnknownWorkspace(LookupError):
    """No tenant owns this Slack team (not installed, or uninstalled and purged)."""


def resolve_ids(pool: Pool, team_id: str, enterprise_id: str | None) -> tuple[UUID, UUID, bool] | None:
    with no_tenant_tx(pool) as conn:
        row = conn.execute("SELECT * FROM jamono_resolve_team(%s, %s)", [enterprise_id, team_id]).fetchone()
    if row is None:
        return None
    return row["tenant_id"], row["workspace_id"], row["is_active"]


def load_workspace(pool: Pool, team_id: str, enterprise_id: str | None = None) -> WorkspaceContext:
    ids = resolve_ids(pool, team_id, enterprise_id)
    if ids is None:
        raise UnknownWorkspace(team_id)
    tenant_id, workspace_id, _ = ids
    with tenant_tx(pool, tenant_id) as conn:
        row = conn.execute(
            "SELECT w.id, w.tenant_id, w.slack_team_id, w.slack_enterprise_id, w.bot_user_id, w.is_active, w.settings,"
            " d.id AS deployment_id, (SELECT plan_type FROM tenants WHERE id = w.tenant_id) AS plan_type"
            " FROM workspaces w LEFT JOIN agent_deployments d"
            "   ON d.workspace_id = w.id AND d.agent_id = (SELECT id FROM agents WHERE slug = 'nox')"
            " WHERE w.id = %s",
            [workspace_id],
        ).fetchone()
    if row is None:
        raise UnknownWorkspace(team_id)
    return WorkspaceContext(
        tenant_id=row["tenant_id"],
        workspace_id=row["id"],
        deployment_id=row["deployment_id"],
        team_id=row["slack_team_id"],
        enterprise_id=row["slack_enterprise_id"],
        bot_user_id=row["bot_user_id"],
        is_active=row["is_active"],
        settings=row["settings"],
        plan_type=row["plan_type"] or "free",
    )


def register_workspace(pool: Pool, identity: TeamIdentity, *, tenant_name: str | None = None) -> WorkspaceContext:
    """Create (or refresh) the tenant, workspace and NOX deployment for a Slack team; idempotent."""
    with no_tenant_tx(pool) as conn:
        # Serialise concurrent first registrations of the same team, or of one Grid org's workspaces
        # (web and worker booting together, an org installing in several workspaces at once).
        lock = f"{identity.enterprise_id}:*" if identity.enterprise_id else f"None:{identity.team_id}"
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [lock])
        row = conn.execute(
            "SELECT * FROM jamono_resolve_team(%s, %s)", [identity.enterprise_id, identity.team_id]
        ).fetchone()
        existing = (row["tenant_id"], row["workspace_id"]) if row else None
        # The customer is the Grid org when there is one: its workspaces share one tenant (its plan,
        # max_agents and budgets); otherwise the workspace is its own tenant (docs/design/workspaces.md).
        org_tenant = (
            None if existing or not identity.enterprise_id else _enterprise_tenant(conn, identity.enterprise_id)
        )
        tenant_id = existing[0] if existing else org_tenant or uuid.uuid4()
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
        if existing is None:
            if org_tenant is None:
                conn.execute(
                    "INSERT INTO tenants (id, name) VALUES (%s, %s)",
                    [tenant_id, tenant_name or identity.team_name or identity.team_id],
                )
            inserted = conn.execute(
                "INSERT INTO workspaces (tenant_id, slack_team_id, slack_enterprise_id, name, domain, bot_user_id, bot_id, app_id)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                [
                    tenant_id,
                    identity.team_id,
                    identity.enterprise_id,
                    identity.team_name,
                    identity.domain,
                    identity.bot_user_id,
                    identity.bot_id,
                    identity.app_id,
                ],
            ).fetchone()
            assert inserted is not None  # INSERT … RETURNING returns its row
            workspace_id = inserted["id"]
        else:
            workspace_id = existing[1]
            conn.execute(
                "UPDATE workspaces SET name = coalesce(%s, name), domain = coalesce(%s, domain),"
                " bot_user_id = coalesce(%s, bot_user_id), bot_id = coalesce(%s, bot_id), app_id = coalesce(%s, app_id),"
                " is_active = true, deactivated_at = NULL, updated_at = now() WHERE id = %s",
                [
                    identity.team_name,
                    identity.domain,
                    identity.bot_user_id,
                    identity.bot_id,
                    identity.app_id,
                    workspace_id,
                ],
            )
        conn.execute(
            "INSERT INTO agent_deployments (tenant_id, workspace_id, agent_id, status)"
            " SELECT %s, %s, id, 'active' FROM agents WHERE slug = 'nox'"
            " ON CONFLICT (workspace_id, agent_id) DO UPDATE SET status = 'active'",
            [tenant_id, workspace_id],
        )
    return load_workspace(pool, identity.team_id, identity.enterprise_id)


def _enterprise_tenant(conn: Any, enterprise_id: str) -> UUID | None:
    row = conn.execute("SELECT jamono_resolve_enterprise(%s) AS tenant_id", [enterprise_id]).fetchone()
    return row["tenant_id"] if row else None


def update_workspace_settings(pool: Pool, ctx: WorkspaceContext, changes: dict[str, Any]) -> None:
    with tenant_tx(pool, ctx.tenant_id) as conn:
        conn.execute(
            "UPDATE workspaces SET settings = settings || %s, updated_at = now() WHERE id = %s",
            [Jsonb(changes), ctx.workspace_id],
        )


class WorkspaceCache:
    """Workers resolve the same few teams over and over: keep them for a short while."""

    def __init__(self, pool: Pool, ttl_s: float = 30.0) -> None:
        self.pool = pool
        self.ttl_s = ttl_s
        self._entries: dict[tuple[str | None, str], tuple[float, WorkspaceContext]] = {}
        self._lock = threading.Lock()

    def get(self, team_id: str, enterprise_id: str | None = None) -> WorkspaceContext:
        key = (enterprise_id, team_id)
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
        if hit and now - hit[0] < self.ttl_s:
            return hit[1]
        ctx = load_workspace(self.pool, team_id, enterprise_id)
        with self._lock:
            self._entries[key] = (now, ctx)
        return ctx

    def forget(self, team_id: str, enterprise_id: str | None = None) -> None:
        with self._lock:
            self._entries.pop((enterprise_id, team_id), None)
