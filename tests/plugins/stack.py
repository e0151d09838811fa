"""End-to-end rig: the Slack sandbox, NOX's HTTP app on loopback and a real Dramatiq worker,
all talking to real PostgreSQL and Redis."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator

import pytest
import redis
from dramatiq.brokers.redis import RedisBroker

from jamono.platform.settings import SANDBOX_SIGNING_SECRET, Settings, get_settings
from tests.e2e.serving import serve


@pytest.fixture(scope="session")
def sandbox() -> Iterator[object]:
    from jamono.sandbox.server import SandboxThread

    thread = SandboxThread()
    thread.start()
    yield thread.sandbox
    thread.stop()


@pytest.fixture(scope="session")
def e2e_settings(admin_database_url: str, redis_url: str, sandbox) -> Iterator[Settings]:
    """The process environment the web app and worker read, as `jamono run` would set it."""
    values = {
        "DATABASE_URL": admin_database_url,
        "REDIS_URL": redis_url,
        "SLACK_BOT_TOKEN": sandbox.bot_token,
        "SLACK_SIGNING_SECRET": SANDBOX_SIGNING_SECRET,
        "SLACK_API_URL": sandbox.api_url,
        "JOB_MAX_RETRIES": "2",
        "LOG_FORMAT": "text",
        "JAMONO_HOUSEKEEPING_INTERVAL_MIN": "0",  # tested on its own (tests/observability/test_housekeeping.py)
    }
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    get_settings.cache_clear()
    yield get_settings()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def sandbox_workspace(e2e_settings: Settings, pool):
    """The sandbox team as NOX's workspace, learnt from auth.test as `jamono serve` does."""
    import app
    from jamono.platform.tenancy import register_workspace

    identity = app.identify_workspace(e2e_settings)
    return identity, register_workspace(pool, identity)


@pytest.fixture(scope="session")
def bundled_kb(e2e_settings: Settings, pool, sandbox_workspace):
    from knowledge.embeddings import get_embedder
    from knowledge.ingest import load_bundled

    _, workspace = sandbox_workspace
    return load_bundled(pool, workspace.tenant_id, get_embedder(redis_url=e2e_settings.redis_url))


@pytest.fixture(scope="session")
def broker(e2e_settings: Settings):
    from jamono.queue.broker import setup_broker

    return setup_broker(e2e_settings, force=True)


@pytest.fixture(scope="session")
def worker(broker, e2e_settings: Settings, sandbox_workspace, bundled_kb) -> Iterator[object]:
    """A real Dramatiq worker in this process, running workers.all's actors."""
    import dramatiq

    import workers.all  # noqa: F401 — declares the actors on the broker
    from jamono.container import Runtime, set_runtime

    runtime = Runtime(e2e_settings)
    set_runtime(runtime)
    for actor_name in broker.get_declared_actors():
        broker.get_actor(actor_name).broker = broker
    w = dramatiq.Worker(broker, worker_threads=4, worker_timeout=50)
    w.start()
    yield w
    w.stop()
    set_runtime(None)
    runtime.close()


@pytest.fixture
async def nox_url(e2e_settings: Settings, pool, broker, sandbox_workspace, worker) -> AsyncIterator[str]:
    """NOX's HTTP app on loopback, wired to the real broker and worker."""
    import app
    from jamono.queue.client import DramatiqJobQueue

    identity, _ = sandbox_workspace
    runner, url = await serve(app.build_http_app(e2e_settings, pool, DramatiqJobQueue(broker), identity))
    yield url
    await runner.cleanup()


@pytest.fixture
async def sender(nox_url: str, sandbox) -> AsyncIterator[object]:
    from jamono.sandbox.sender import SlackEventSender

    async with SlackEventSender(f"{nox_url}/slack/events", SANDBOX_SIGNING_SECRET, sandbox=sandbox) as s:
        yield s


NAMESPACE = "jamono-isolated"


@pytest.fixture
async def isolated(e2e_settings, pool, sandbox, sandbox_workspace, redis_url):
    """NOX's HTTP app on a queue namespace no worker reads, so we can count what was queued.

    Yields the sender and a function returning the queued jobs (actor name, payload)."""
    import app
    from jamono.queue.client import DramatiqJobQueue
    from jamono.queue.names import QUEUES as queues
    from jamono.sandbox.sender import SlackEventSender

    client = redis.Redis.from_url(redis_url)
    client.delete(*(f"{NAMESPACE}:{q}{suffix}" for q in queues for suffix in ("", ".msgs")))
    broker = RedisBroker(client=client, namespace=NAMESPACE)
    identity, _ = sandbox_workspace
    runner, url = await serve(app.build_http_app(e2e_settings, pool, DramatiqJobQueue(broker), identity))
    async with SlackEventSender(f"{url}/slack/events", SANDBOX_SIGNING_SECRET, sandbox=sandbox) as sender:

        def queued() -> list[tuple[str, dict]]:
            messages = [json.loads(raw) for q in queues for raw in client.hvals(f"{NAMESPACE}:{q}.msgs")]
            return [(m["actor_name"], m["args"][0]) for m in messages]

        yield sender, queued
    await runner.cleanup()


@pytest.fixture
def fast_integrations(sandbox, e2e_settings) -> Iterator[None]:
    """Jira and Calendar calls that give up fast, and no failpoint left armed by another test."""
    from jamono.actions import failpoints
    from jamono.workspaces.credentials import credential_store
    from tests.e2e.integrations_rig import FAST

    credential_store(e2e_settings).options = FAST
    failpoints.disarm_all()
    yield
    failpoints.disarm_all()


PLACEHOLDER = ":eyes:"


def answered(sandbox, channel: str, thread_ts: str) -> list[dict] | None:
    """NOX's replies in the thread once the placeholder has been replaced by the answer; else None."""
    replies = sandbox.bot_messages(channel, thread_ts=thread_ts)
    if replies and PLACEHOLDER not in (replies[-1].get("text") or ""):
        return replies
    return None
