"""Reliability rig: the Slack sandbox, NOX's web app on loopback and real `jamono worker`
subprocesses, on a Redis server of their own (so no other test's worker can take our jobs,
whichever database numbers other suites pick on the session's Redis)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis

from jamono.platform.settings import Settings
from tests.reliability import rig
from tests.reliability.rig import Web, open_web  # noqa: F401

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


def rabbitmq_reachable(host: str = "127.0.0.1", port: int = 5672) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def rsandbox() -> Iterator[object]:
    from jamono.sandbox.server import SandboxThread

    thread = SandboxThread()
    thread.start()
    yield thread.sandbox
    thread.stop()


@pytest.fixture(scope="session")
def rel_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reliability-logs")


@pytest.fixture(scope="session")
def rel_redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server for the reliability tests alone (database 0: the shared rig; others per test)."""
    from jamono.platform.embedded import EmbeddedRedis

    server = EmbeddedRedis(tmp_path_factory.mktemp("rel-redis"), persistent=False)
    url = server.start()
    yield url
    server.stop()


@pytest.fixture(scope="session")
def rel_redis_url(rel_redis_server: str) -> str:
    redis.Redis.from_url(rel_redis_server).flushdb()
    return rel_redis_server


@pytest.fixture(scope="session")
def rel_env(admin_database_url: str, rel_redis_url: str, rsandbox) -> dict[str, str]:
    """What our worker subprocesses (and the in-process web app) are configured with."""
    return rig.service_env(
        database_url=admin_database_url,
        redis_url=rel_redis_url,
        sandbox=rsandbox,
        JOB_MAX_RETRIES="6",
        # The strictest limiter (one post per channel per second), so its timing can be asserted.
        JAMONO_SLACK_POST_RATE_LIMIT="1",
        JAMONO_SLACK_POST_RATE_WINDOW_S="1",
        # A SIGKILLed worker is noticed within ~1.5 s, and maintenance runs on 1 command in 20.
        JAMONO_REDIS_HEARTBEAT_TIMEOUT_MS="1500",
        JAMONO_REDIS_MAINTENANCE_CHANCE="50000",
    )


@pytest.fixture(scope="session")
def rel_settings(rel_env: dict[str, str]) -> Settings:
    return rig.settings_from_env(rel_env)


@pytest.fixture(scope="session")
def rel_workspace(rel_settings: Settings, pool):
    """The sandbox team as NOX's workspace (auth.test, as `jamono serve` does), with the runbooks."""
    import app
    from jamono.platform.tenancy import register_workspace
    from knowledge.embeddings import get_embedder
    from knowledge.ingest import load_bundled

    identity = app.identify_workspace(rel_settings)
    workspace = register_workspace(pool, identity)
    load_bundled(pool, workspace.tenant_id, get_embedder(redis_url=rel_settings.redis_url))
    return identity, workspace


@pytest.fixture(scope="session")
def rel_worker(rel_env, rel_workspace, rel_logs) -> Iterator[rig.Proc]:
    """One long-lived `jamono worker` (2 processes × 2 threads) for the tests that need one."""
    proc = rig.start_worker(rel_env, rel_logs / "worker.log", processes=2, threads=2)
    yield proc
    proc.stop()


@pytest.fixture
async def rel_web(rel_settings, pool, rel_workspace, rsandbox) -> AsyncIterator[Web]:
    identity, _ = rel_workspace
    runner, w = await open_web(rel_settings, pool, identity, rsandbox)
    yield w
    await w.sender.close()
    await runner.cleanup()
    w.broker.close()


@pytest.fixture
def channel() -> str:
    """A channel of the test's own, so rate budgets and threads never mix between tests."""
    return "C" + uuid.uuid4().hex[:9].upper()


@pytest.fixture
def rabbitmq_url():
    """A throw-away vhost on the machine's RabbitMQ; skipped where there is none to isolate us."""
    url = os.environ.get("TEST_RABBITMQ_URL", RABBITMQ_URL)
    if not rig.rabbitmq_reachable(url):
        pytest.skip("RabbitMQ is not reachable")
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("no rabbitmqctl to make a vhost of our own")
    try:
        with rig.rabbitmq_vhost(url, prefix="jamono-test") as vhost_url:
            yield vhost_url
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"rabbitmqctl refused: {exc}")
