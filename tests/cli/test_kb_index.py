"""`jamono kb index` gives tenants above the threshold an HNSW index of their own, and keeps it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from knowledge.search import tenant_index_name
from tests.knowledge.crowds import MODEL, fill_tenants

ROOT = Path(__file__).resolve().parents[2]


def test_jamono_kb_index_builds_then_keeps(admin_database_url, base_settings, tmp_path):
    from jamono.platform.db import open_pool
    from tests.plugins.services import scratch_database

    with scratch_database(admin_database_url, "jamono_cli_kbi") as url:
        pool = open_pool(base_settings.model_copy(update={"database_url": url}), max_size=2, name="cli-kbi")
        try:
            ids = fill_tenants(pool, url, {"big": 120, "small": 30})
        finally:
            pool.close()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "JAMONO_"))}
        env.update({"DATABASE_URL": url, "JAMONO_DATA_DIR": str(tmp_path), "LOG_LEVEL": "WARNING"})
        lines = []
        for _ in range(2):
            out = subprocess.run(
                [sys.executable, "-m", "jamono", "kb", "index", "--min-rows", "100"],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
            )  # fmt: skip
            assert out.returncode == 0, out.stderr
            lines.append(out.stdout.strip().splitlines()[-1])
        with psycopg.connect(url) as conn:
            names = {
                r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'knowledge_chunks'")
            }
    assert lines[0].startswith("tenant indexes: 1 built, 0 dropped, 0 kept")
    assert lines[1].startswith("tenant indexes: 0 built, 0 dropped, 1 kept")
    assert tenant_index_name(ids["big"], MODEL) in names
    assert tenant_index_name(ids["small"], MODEL) not in names
