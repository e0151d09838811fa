"""Observability rig: the production topology on loopback — NOX's web app in this process, a real
`jamono worker` subprocess (two processes, one metrics port), the Slack sandbox — on a Redis
database of our own, so no other test's worker takes our jobs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis
from aiohttp import web

from jamono.platform.settings import SANDBOX_SIGNING_SECRET, Settings
from tests.observability.env import free_port, redis_db_url, settings_from_env  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
OBS_REDIS_DB = 9


@pytest.fixture(scope="session")
def obs_sandbox() -> Iterator[object]:
    from jamono.sandbox.server import SandboxThread

    thread = SandboxThread()
    thread.start()
    yield thread.sandbox
    thread.stop()


@pytest.fixture(scope="session")
def obs_redis_url(redis_url: str) -> str:
    url = redis_db_url(redis_url, OBS_REDIS_DB)
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture(scope="session")
def worker_metrics_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def obs_env(admin_database_url: str, obs_redis_url: str, obs_sandbox, worker_metrics_port: int) -> dict[str, str]:
    drop = {"DATABASE_URL", "REDIS_URL", "RABBITMQ_URL", "SENTRY_DSN", "OPENAI_API_KEY", "PROMETHEUS_MULTIPROC_DIR"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("JAMONO_")}
    env.update(
        {
            "DATABASE_URL": admin_database_url,
            "REDIS_URL": obs_redis_url,
            "SLACK_BOT_TOKEN": obs_sandbox.bot_token,
            "SLACK_SIGNING_SECRET": SANDBOX_SIGNING_SECRET,
            "SLACK_API_URL": obs_sandbox.api_url,
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "DEBUG",
            "PYTHONUNBUFFERED": "1",
            "HOST": "127.0.0.1",
            "WORKER_METRICS_PORT": str(worker_metrics_port),
            "JOB_MAX_RETRIES": "0",
            "JAMONO_HOUSEKEEPING_INTERVAL_MIN": "0",  # tested on its own
            "METRICS_WORKSPACE_LABELS": "true",  # the flow test reads per-workspace series
        }
    )
    return env


@pytest.fixture(scope="session")
def obs_settings(obs_env: dict[str, str]) -> Settings:
    return settings_from_env(obs_env)


@pytest.fixture(scope="session")
def obs_workspace(obs_settings: Settings, pool):
    import app
    from jamono.platform.tenancy import register_workspace
    from knowledge.embeddings import get_embedder
    from knowledge.ingest import load_bundled

    identity = app.identify_workspace(obs_settings)
    workspace = register_workspace(pool, identity)
    load_bundled(pool, workspace.tenant_id, get_embedder(redis_url=obs_settings.redis_url))
    return identity, workspace


class Worker:
    """`jamono worker --processes 2` in its own process group; its output is JSON log lines."""

    def __init__(self, env: dict[str, str], log_path: Path, port: int) -> None:
        self.log_path = log_path
        self.port = port
        with open(log_path, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "jamono", "worker", "--processes", "2", "--threads", "2"],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_port(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("worker exited:\n" + self.log()[-3000:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("worker metrics port never opened:\n" + self.log()[-3000:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def obs_worker(obs_env, obs_workspace, worker_metrics_port, tmp_path_factory) -> Iterator[Worker]:
    worker = Worker(obs_env, tmp_path_factory.mktemp("obs-worker") / "worker.log", worker_metrics_port)
    try:
        worker.wait_port()
        yield worker
    finally:
        worker.stop()


@pytest.fixture
async def obs_web(obs_settings, pool, obs_workspace, obs_sandbox) -> AsyncIterator[tuple[str, object]]:
    """NOX's web app on loopback, on our Redis database, and a signed-event sender aimed at it."""
    import app
    from jamono.queue.broker import build_broker
    from jamono.queue.client import DramatiqJobQueue
    from jamono.sandbox.sender import SlackEventSender

    identity, _ = obs_workspace
    broker = build_broker(obs_settings)
    runner = web.AppRunner(app.build_http_app(obs_settings, pool, DramatiqJobQueue(broker), identity), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    async with SlackEventSender(f"{url}/slack/events", SANDBOX_SIGNING_SECRET, sandbox=obs_sandbox) as sender:
        yield url, sender
    await runner.cleanup()
    broker.close()
