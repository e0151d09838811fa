"""A throw-away workspace holding an evaluation corpus, on the same services the app uses.
Why and how: docs/design/evals.md."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, cast
from uuid import UUID

from jamono.platform.db import Pool
from jamono.platform.settings import Settings
from jamono.platform.tenancy import WorkspaceContext
from knowledge.embeddings import Embedder


@dataclass
class CorpusTenant:
    settings: Settings
    pool: Pool
    workspace: WorkspaceContext
    embedder: Embedder

    @property
    def tenant_id(self) -> UUID:
        return self.workspace.tenant_id


@contextmanager
def corpus_tenant(corpus: Path, *, label: str, report_to: TextIO = sys.stdout) -> Iterator[CorpusTenant]:
    """Start (or reach) the services, migrate, ingest `corpus` into a new tenant; drop it after."""
    from jamono.platform.db import open_pool, tenant_tx
    from jamono.platform.embedded import EmbeddedServices
    from jamono.platform.settings import get_settings
    from jamono.platform.tenancy import TeamIdentity, register_workspace
    from knowledge.embeddings import CachedEmbedder, local_embedder
    from knowledge.ingest import ingest_paths
    from migrations.runner import apply_migrations

    settings = get_settings()
    services = EmbeddedServices(
        settings.data_dir,
        database_url=settings.database_url,
        redis_url=settings.redis_url,
        rabbitmq_url=settings.rabbitmq_url,
    )
    services.start()
    get_settings.cache_clear()
    settings = get_settings()
    pool = None
    tenant_id = None
    try:
        apply_migrations(settings.database_url or "")
        pool = open_pool(settings, max_size=2, name=f"jamono-eval-{label}")
        embedder: Embedder = local_embedder()
        if settings.redis_url:  # same vectors, computed once across runs
            embedder = cast(Embedder, CachedEmbedder(embedder, settings.redis_url))
        team = "TEVAL" + uuid.uuid4().hex[:10].upper()
        workspace = register_workspace(pool, TeamIdentity(team_id=team, team_name=f"eval {label}"))
        tenant_id = workspace.tenant_id
        report = ingest_paths(pool, tenant_id, [corpus], embedder, relative_to=corpus)
        print(f"corpus: {report.summary()}", file=report_to)
        for failure in report.failed:
            print(f"  failed {failure.source}: {failure.reason}", file=sys.stderr)
        yield CorpusTenant(settings, pool, workspace, embedder)
    finally:
        if pool is not None:
            if tenant_id is not None:
                with tenant_tx(pool, tenant_id) as conn:
                    conn.execute("DELETE FROM tenants WHERE id = %s", [tenant_id])
            pool.close()
        services.stop()
