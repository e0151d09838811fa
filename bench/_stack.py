"""Shared by bench/burst.py and bench/scaleout.py: bring up NOX's real services on loopback.

PostgreSQL and Redis are embedded (a temp data dir) unless DATABASE_URL / REDIS_URL are set;
RabbitMQ is the machine's (RABBITMQ_URL, default guest@127.0.0.1:5672) on a vhost of the bench's
own, created with rabbitmqctl when it is there, so no other user's queues are touched.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.reliability.rig import rabbitmq_reachable, rabbitmq_vhost  # noqa: E402,F401 — re-exported

DEFAULT_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


class Stack:
    """Embedded PostgreSQL + Redis (unless given), migrations, the Slack sandbox, the workspace."""

    def __init__(self) -> None:
        from jamono.platform.embedded import EmbeddedServices

        self.data_dir = Path(tempfile.mkdtemp(prefix="jamono-bench-"))
        self.services = EmbeddedServices(
            self.data_dir,
            database_url=os.environ.get("DATABASE_URL"),
            redis_url=os.environ.get("REDIS_URL"),
            rabbitmq_url=None,
        )
        self.sandbox_thread = None
        self.sandbox = None
        self.tenant_id = None
        self._count_conn = None

    def __enter__(self) -> Stack:
        from jamono.sandbox.server import SandboxThread
        from migrations.runner import apply_migrations

        self.services.start()
        apply_migrations(self.database_url)
        self.sandbox_thread = SandboxThread()
        self.sandbox = self.sandbox_thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._count_conn is not None:
            self._count_conn.close()
        if self.sandbox_thread is not None:
            self.sandbox_thread.stop()
        self.services.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    @property
    def database_url(self) -> str:
        return self.services.database_url or ""

    @property
    def redis_url(self) -> str:
        return self.services.redis_url or ""

    def env(self, *, broker: str = "redis", rabbitmq_url: str | None = None, **extra: str) -> dict[str, str]:
        from tests.reliability import rig

        env = rig.service_env(
            database_url=self.database_url,
            sandbox=self.sandbox,
            redis_url=self.redis_url,
            rabbitmq_url=rabbitmq_url if broker == "rabbitmq" else None,
            JAMONO_DATA_DIR=str(self.data_dir),
            **extra,
        )
        return env

    def register_workspace(self, env: dict[str, str]) -> None:
        """The sandbox team as NOX's workspace, with the bundled runbooks embedded as the workers
        embed them (as `jamono run` does): else the first worker re-embeds them all mid-benchmark."""
        import app
        from jamono.container import settings_embedder
        from jamono.platform.db import open_pool
        from jamono.platform.tenancy import register_workspace
        from knowledge.ingest import load_bundled
        from tests.reliability import rig

        settings = rig.settings_from_env(env)
        pool = open_pool(settings, max_size=2, name="bench")
        try:
            workspace = register_workspace(pool, app.identify_workspace(settings))
            load_bundled(pool, workspace.tenant_id, settings_embedder(settings))
            self.tenant_id = workspace.tenant_id
        finally:
            pool.close()

    def flush_redis(self) -> None:
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()

    def response_seconds(self, event_ids: list[str]) -> list[float]:
        """NOX's own measure per event: from the web process receiving it to the reply in Slack."""
        import psycopg

        with psycopg.connect(self.database_url) as conn:
            rows = conn.execute(
                "SELECT response_time_ms FROM agent_interactions WHERE slack_event_id = ANY(%s)", [event_ids]
            ).fetchall()
        return [r[0] / 1000 for r in rows]

    def count(self, event_ids: list[str]) -> tuple[int, int, int]:
        """(interaction rows, slack_events rows, event ids with more than one interaction) — as owner,
        on one connection kept for it: benchmarks poll this every 100 ms, and a new connection each
        time cost the database more CPU than some of what they measure."""
        import psycopg

        if self._count_conn is None or self._count_conn.closed:
            self._count_conn = psycopg.connect(self.database_url, autocommit=True)
        conn = self._count_conn
        # With the tenant, both counts are index lookups, not scans of tables that grow run after run.
        tenant = "tenant_id = %s AND" if self.tenant_id else ""
        args = [self.tenant_id, event_ids] if self.tenant_id else [event_ids]
        interactions, duplicated = conn.execute(
            "SELECT count(*), count(*) - count(DISTINCT slack_event_id) FROM agent_interactions"
            f" WHERE {tenant} slack_event_id = ANY(%s)",
            args,
        ).fetchone()
        events = conn.execute(f"SELECT count(*) FROM slack_events WHERE {tenant} event_id = ANY(%s)", args).fetchone()[
            0
        ]
        return interactions, events, duplicated
