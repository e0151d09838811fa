"""What a worker process needs, built once: settings, database pool, Slack clients, NOX's brain."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING
from uuid import UUID

import redis
from slack_sdk import WebClient

from jamono.brain.compose import HitLike
from jamono.brain.engine import Nox
from jamono.platform.db import Pool, open_pool, tenant_tx
from jamono.platform.settings import Settings, get_settings
from jamono.platform.tenancy import WorkspaceCache, WorkspaceContext
from jamono.slack.client import ClientCache

if TYPE_CHECKING:
    from knowledge.embeddings import Embedder
    from knowledge.store import StoredDocument


def settings_embedder(settings: Settings) -> Embedder:
    """The embedder the workers use: loading runbooks with any other embeds them twice."""
    from knowledge.embeddings import get_embedder

    return get_embedder(
        openai_api_key=settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
        openai_base_url=settings.openai_base_url,
        redis_url=settings.redis_url,
    )


class WorkspaceNotInstalled(RuntimeError):
    """No live bot token for this workspace (never installed, uninstalled, or tokens revoked)."""

    def __init__(self, team_id: str) -> None:
        super().__init__(f"no bot token for team {team_id}")


class Runtime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # Event locks live on one shared connection (jamono.queue.event_log) and a job borrows a
        # connection per statement or transaction only: threads waiting for an LLM or Slack hold none,
        # so many threads (WORKER_THREADS=96 with an LLM) need no more connections than their DB work.
        self.pool: Pool = open_pool(
            settings, max_size=max(settings.db_pool_max, min(2 * settings.worker_threads, 64)), name="jamono-worker"
        )
        self.workspaces = WorkspaceCache(self.pool)
        self.slack = ClientCache(settings.slack_api_url)

    @cached_property
    def cache(self) -> redis.Redis | None:
        if not self.settings.redis_url:
            return None
        return redis.Redis.from_url(self.settings.redis_url, socket_timeout=2, socket_connect_timeout=2)

    @cached_property
    def embedder(self) -> Embedder:
        return settings_embedder(self.settings)

    @cached_property
    def nox(self) -> Nox:
        from jamono.brain.llm import LLMBrain
        from jamono.brain.offline import OfflineBrain

        return Nox(OfflineBrain(), LLMBrain.from_settings(self.settings))

    @cached_property
    def secret_box(self):
        from jamono.platform.crypto import load_secret_box

        return load_secret_box(self.settings)

    @cached_property
    def token_rotator(self):
        """Refreshes expiring bot tokens (Slack token rotation) against our Slack API base."""
        from slack_sdk.oauth.token_rotation import TokenRotator

        s = self.settings
        if not s.slack_client_id or s.slack_client_secret is None:
            return None
        return TokenRotator(
            client_id=s.slack_client_id,
            client_secret=s.slack_client_secret.get_secret_value(),
            client=WebClient(base_url=s.slack_api_url),
        )

    def bot_token(self, ws: WorkspaceContext) -> str:
        """Single-workspace mode: the token from the environment; otherwise the workspace's installation."""
        if self.settings.slack_bot_token is not None:
            return self.settings.slack_bot_token.get_secret_value()
        from jamono.workspaces.installations import bot_token_for

        token = bot_token_for(self.pool, self.secret_box, ws.team_id, ws.enterprise_id, rotator=self.token_rotator)
        if token is None:
            raise WorkspaceNotInstalled(ws.team_id)
        return token

    def search(
        self, ws: WorkspaceContext, query: str, k: int = 5, channel: str | None = None, *, past_incidents: bool = True
    ) -> Sequence[HitLike]:
        """Hybrid search in the workspace's knowledge base; sources it voted 👎 rank lower;
        documents saved from a private conversation only in that conversation (`channel`);
        without `past_incidents`, runbooks only (no document learned from a resolved incident)."""
        from jamono.conversation.exchanges import demoted_documents
        from knowledge.search import search

        with tenant_tx(self.pool, ws.tenant_id) as conn:
            hits = search(
                conn,
                query,
                self.embedder,
                k=k + (0 if past_incidents else 3),
                demote=demoted_documents(conn),
                channel=channel,
            )
        if past_incidents:
            return hits
        return [h for h in hits if getattr(h, "origin", None) != "incident"][:k]

    def documents(self, ws: WorkspaceContext, ids: Sequence[UUID]) -> Mapping[UUID, StoredDocument]:
        """Whole documents of the workspace, for the sections an answer quotes."""
        from knowledge.store import load_documents

        with tenant_tx(self.pool, ws.tenant_id) as conn:
            return load_documents(conn, ids)

    def close(self) -> None:
        if "nox" in self.__dict__ and self.nox.llm is not None:
            self.nox.llm.close()
        self.pool.close()


_runtime: Runtime | None = None
_lock = threading.Lock()


def get_runtime() -> Runtime:
    global _runtime
    with _lock:
        if _runtime is None:
            _runtime = Runtime(get_settings())
        return _runtime


def set_runtime(runtime: Runtime | None) -> None:
    """Tests and the dev runner install their own runtime (or reset it)."""
    global _runtime
    with _lock:
        _runtime = runtime
