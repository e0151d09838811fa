"""`jamono worker` and `jamono serve` stopped as process managers stop them: SIGTERM to the whole
process group. A worker finishes the job it holds (Dramatiq's own shutdown), every one of its
processes exits (the metrics fork included) and the command exits 0; `serve` stops listening and
exits 0 over HTTP and over Socket Mode. Nothing of ours is left running."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis

from tests.reliability import rig
from tests.reliability.rig import open_web

STOP_TEST_REDIS_DB = 2  # on the reliability tests' own Redis server: this test's queue only
SLOW_S = 3.0  # how long the sandbox holds the reply's chat.update: the job is in flight meanwhile


def _ours(marker: str) -> list[int]:
    """Live (non-zombie) processes whose environment carries `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes() and (entry / "stat").read_text().split()[2] != "Z":
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _stop_group(proc: rig.Proc, timeout: float = 60) -> int:
    assert proc.proc is not None
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        return proc.proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"still running {timeout}s after SIGTERM: {proc.log_tail()}") from None


async def _none_left(marker: str) -> None:
    await rig.wait_until(lambda: not _ours(marker), timeout=10, what="every process to exit")


@pytest.fixture
def stop_env(rel_env, rel_redis_server, rel_workspace):
    url = rig.redis_db_url(rel_redis_server, STOP_TEST_REDIS_DB)
    redis.Redis.from_url(url).flushdb()
    marker = f"JAMONO_STOP_TEST={uuid.uuid4().hex}"  # how we find every process these commands start
    key, _, value = marker.partition("=")
    return {**rel_env, "REDIS_URL": url, key: value}, marker


async def test_sigterm_to_a_worker_group_finishes_the_job_in_flight_and_exits_0(
    stop_env, pool, rel_workspace, rsandbox, channel, rel_logs
):
    env, marker = stop_env
    env = {**env, "WORKER_METRICS_PORT": str(rig.free_port())}  # so the metrics fork is there too
    identity, ws = rel_workspace
    runner, web = await open_web(rig.settings_from_env(env), pool, identity, rsandbox)
    worker = rig.start_worker(env, rel_logs / "graceful-worker.log", processes=2, threads=2)
    try:
        # The supervisor, its two worker processes and the metrics fork.
        await rig.wait_until(lambda: len(_ours(marker)) >= 4, timeout=60, what="the worker processes and their fork")
        envelope = web.sender.app_mention("U0DEV", channel, "<@U0NOX> how do I roll back a deployment?")
        event_id, ts = envelope["event_id"], envelope["event"]["ts"]
        rsandbox.set_latency("chat.update", SLOW_S)
        assert (await web.sender.send_event(envelope)).status == 200
        # In flight: the placeholder is posted and the answer's chat.update is held by the sandbox.
        await rig.wait_until(
            lambda: (rig.event_row(pool, ws.tenant_id, event_id) or {}).get("reply_ts"),
            timeout=60,
            what="the job to post its placeholder",
        )
        await asyncio.sleep(0.5)
        assert rig.event_row(pool, ws.tenant_id, event_id)["status"] != "answered"

        started = time.monotonic()
        code = await asyncio.to_thread(_stop_group, worker)
        log = worker.log_tail(50000)
        assert code == 0, log
        assert "Killing" not in log, "one stop, not a second signal's kill"
        row = rig.event_row(pool, ws.tenant_id, event_id)
        assert row["status"] == "answered" and row["attempts"] == 1, "finished by the worker that held it"
        assert rig.final_reply(rsandbox, channel, ts), rsandbox.describe(channel)
        assert len(rsandbox.bot_messages(channel, thread_ts=ts)) == 1
        assert time.monotonic() - started < 30
        await _none_left(marker)
        assert rig.queue_depth(env["REDIS_URL"]) == 0, "nothing left unacked in the broker"
    finally:
        rsandbox.clear_faults()
        worker.stop()
        await web.sender.close()
        await runner.cleanup()
        web.broker.close()


@pytest.mark.parametrize("transport", ["http", "socket_mode"])
async def test_sigterm_to_serve_stops_it_cleanly(transport, stop_env, rsandbox, rel_logs, channel):
    env, marker = stop_env
    if transport == "socket_mode":
        env = {**env, "SLACK_APP_TOKEN": rsandbox.app_token}
    port = rig.free_port()
    web = rig.start_web(env, rel_logs / f"graceful-serve-{transport}.log", port)
    try:
        await asyncio.to_thread(rig.wait_port, port, web)
        if transport == "socket_mode":
            await rig.wait_until(lambda: rsandbox.socket_mode.sockets, timeout=30, what="the Socket Mode connection")
        code = await asyncio.to_thread(_stop_group, web, 30)
        log = web.log_tail(20000)
        assert code == 0, log
        assert "Traceback" not in log, log
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, "nothing listens on the port any more"
        await _none_left(marker)
        if transport == "socket_mode":
            await rig.wait_until(lambda: not rsandbox.socket_mode.sockets, timeout=10, what="the socket to close")
    finally:
        web.stop()
