"""PostgreSQL restarted under load: a PostgreSQL of this test's own (pgserver's binaries, pg_ctl)
is stopped and started while events keep arriving. `/healthz` answers 503 while it is down and
200 once the pools have reconnected; every event is either acked and answered after the restart,
or refused (non-2xx) and answered once Slack redelivers it — none lost, none answered twice."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import psycopg
import pytest
import redis

from jamono.platform.db import open_pool
from tests.reliability import rig
from tests.reliability.rig import open_web

PG_TEST_REDIS_DB = 2  # on the reliability tests' own Redis server
OUTAGE_S = 3.0


class RestartablePostgres:
    """pgserver's PostgreSQL (with pgvector) in a temp dir, stopped and started with pg_ctl."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self.socket_dir: str | None = None
        self.system_user: str | None = None

    def start_first(self) -> str:
        import pgserver

        server = pgserver.get_server(self.pgdata, cleanup_mode=None)  # we stop it ourselves
        self.system_user = server.system_user
        admin = server.get_uri()
        self.socket_dir = parse_qs(urlsplit(admin).query)["host"][0]
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute('CREATE DATABASE "jamono"')
        return server.get_uri("jamono")

    def _pg_ctl(self, args: list[str]) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(args, pgdata=self.pgdata, user=self.system_user, timeout=30)

    def stop(self) -> None:
        self._pg_ctl(["-w", "-m", "fast", "stop"])

    def start(self) -> None:
        self._pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log"), "start"])


@pytest.fixture
def own_postgres(tmp_path):
    from migrations.runner import apply_migrations

    pg = RestartablePostgres(tmp_path / "pgdata")
    url = pg.start_first()
    apply_migrations(url)
    yield pg, url
    with contextlib.suppress(Exception):  # already stopped
        pg.stop()


async def healthz(url: str) -> int:
    async with aiohttp.ClientSession() as session, session.get(f"{url}/healthz") as response:
        return response.status


async def test_postgres_restart_under_load_loses_nothing(own_postgres, rel_env, rel_redis_server, rsandbox, rel_logs):
    pg, database_url = own_postgres
    broker_url = rig.redis_db_url(rel_redis_server, PG_TEST_REDIS_DB)
    redis.Redis.from_url(broker_url).flushdb()
    env = {**rel_env, "DATABASE_URL": database_url, "REDIS_URL": broker_url, "JOB_MAX_RETRIES": "10"}
    settings = rig.settings_from_env(env)

    import app
    from jamono.platform.tenancy import register_workspace

    pool = open_pool(settings, max_size=4, name="pg-restart-web")
    identity = app.identify_workspace(settings)
    ws = register_workspace(pool, identity)
    runner, web = await open_web(settings, pool, identity, rsandbox)
    worker = rig.start_worker(env, rel_logs / "pg-restart-worker.log", processes=1, threads=2)
    sent: list[tuple[dict, int]] = []
    stop_load = asyncio.Event()

    async def load() -> None:
        i = 0
        while not stop_load.is_set():
            envelope = web.sender.app_mention("U0DEV", f"C0PG{i:04d}", f"<@U0NOX> pods crashlooping #{i}")
            sent.append((envelope, (await web.sender.send_event(envelope)).status))
            i += 1
            await asyncio.sleep(0.05)

    try:
        assert await healthz(web.url) == 200
        loader = asyncio.create_task(load())
        await asyncio.sleep(1.0)
        await asyncio.to_thread(pg.stop)
        down_at = time.monotonic()
        statuses_down = [await healthz(web.url)]
        await asyncio.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_at)))
        statuses_down.append(await healthz(web.url))
        await asyncio.to_thread(pg.start)
        recovered = time.monotonic()
        while await healthz(web.url) != 200:
            assert time.monotonic() - recovered < 30, "the web pool did not reconnect"
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)
        stop_load.set()
        await loader
        assert statuses_down == [503, 503]

        refused = [e for e, status in sent if not 200 <= status < 300]
        if refused:  # Slack redelivers what was not acked
            again = await rig.fire(f"{web.url}/slack/events", refused, concurrency=8, retry_num=1)
            assert {s for s, _, _ in again} == {200}
        event_ids = [e["event_id"] for e, _ in sent]
        assert len(event_ids) > 20, "events kept arriving before, during and after the outage"

        def all_answered() -> bool:
            return all(c["interactions"] == 1 for c in rig.rows(pool, ws.tenant_id, event_ids).values())

        try:
            await rig.wait_until(all_answered, timeout=60, interval=0.5, what="every event to be answered")
        except AssertionError:
            counts = rig.rows(pool, ws.tenant_id, event_ids)
            missing = [
                (e["event_id"], status, rig.event_row(pool, ws.tenant_id, e["event_id"]))
                for e, status in sent
                if counts[e["event_id"]]["interactions"] != 1
            ]
            raise AssertionError(
                f"{len(missing)} of {len(sent)} events unanswered, e.g. {missing[:5]}; queue "
                f"{rig.queue_depth(broker_url)}; worker log: {worker.log_tail(3000)}"
            ) from None
        counts = rig.rows(pool, ws.tenant_id, event_ids)
        assert all(c == {"interactions": 1, "events": 1} for c in counts.values())
        for envelope, _ in sent:
            channel, ts = rig.target(envelope)
            assert rig.posts_in_thread(rsandbox, channel, ts) == 1, (channel, ts)
        print(f"\npostgres restart: {len(sent)} events, {len(refused)} refused during the outage and redelivered")
    finally:
        stop_load.set()
        worker.stop()
        await web.sender.close()
        await runner.cleanup()
        web.broker.close()
        pool.close()
