"""`jamono housekeeping` runs the workers' upkeep now; worker pools follow the thread count."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from jamono.platform.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_jamono_housekeeping_reports_its_pass(admin_database_url, pool, tmp_path):
    from jamono.platform.tenancy import TeamIdentity, register_workspace

    register_workspace(pool, TeamIdentity(team_id="T" + uuid.uuid4().hex[:10].upper()))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "JAMONO_"))}
    env.update({"DATABASE_URL": admin_database_url, "JAMONO_DATA_DIR": str(tmp_path), "LOG_LEVEL": "WARNING"})
    out = subprocess.run(
        [sys.executable, "-m", "jamono", "housekeeping"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    line = out.stdout.strip().splitlines()[-1]
    assert line.startswith("housekeeping: ") and line.endswith(" 0 failed")
    assert int(line.split()[1]) >= 1  # workspaces visited


def test_a_worker_pool_allows_two_connections_per_thread(admin_database_url):
    from jamono.container import Runtime

    for threads, expected in ((2, 10), (12, 24)):  # never below JAMONO_DB_POOL_MAX (10)
        runtime = Runtime(load_settings(_env_file=None, database_url=admin_database_url, WORKER_THREADS=threads))
        try:
            assert runtime.pool.max_size == expected
        finally:
            runtime.pool.close()
