"""Ack path benchmark: NOX's `POST /slack/events` against a bare Bolt app that only acks.

Both servers run as separate processes and receive the same signed, distinct `app_mention`
events at 8 and 32 concurrent connections. These machines are noisy, so the two are loaded in
turns (bare, NOX, bare, NOX… for each concurrency, `--rounds` times) and compared as the median
of the per-round ratios; the queue NOX filled is emptied between runs, so a Redis snapshot of
earlier runs' jobs does not land in a later run. Then mention → reply latency through the real
worker and the sandbox.

    .venv/bin/python bench/ack.py [--requests 3000] [--rounds 3] [--mentions 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from jamono.platform.embedded import EmbeddedServices  # noqa: E402
from jamono.platform.settings import SANDBOX_SIGNING_SECRET  # noqa: E402
from jamono.sandbox.signing import signed_headers  # noqa: E402

TEAM, BOT_USER = "T0SANDBOX", "U0NOX"


def bare_server(port: int) -> None:
    """The baseline: Bolt's own aiohttp app with one listener that does nothing but ack."""
    from aiohttp import web
    from slack_bolt.async_app import AsyncApp
    from slack_bolt.authorization import AuthorizeResult

    async def authorize(**_: object) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=None, team_id=TEAM, bot_user_id=BOT_USER, bot_id="B0NOX", bot_token="xoxb-sandbox-token"
        )

    app = AsyncApp(signing_secret=SANDBOX_SIGNING_SECRET, authorize=authorize)

    @app.event("app_mention")
    async def on_mention() -> None:  # Bolt acks events by itself
        return None

    web.run_app(app.web_app(path="/slack/events"), host="127.0.0.1", port=port, access_log=None, print=None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mention_body(i: int) -> bytes:
    ts = f"{int(time.time())}.{i:06d}"
    return json.dumps(
        {
            "token": "x",
            "team_id": TEAM,
            "api_app_id": "A0NOX",
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:12].upper()}",
            "event_time": int(time.time()),
            "event": {
                "type": "app_mention",
                "user": "U0DEV",
                "text": f"<@{BOT_USER}> how do I roll back a deployment? #{i}",
                "ts": ts,
                "channel": "C0OPS",
                "event_ts": ts,
            },
            "authorizations": [{"enterprise_id": None, "team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }
    ).encode()


async def load(url: str, requests: int, concurrency: int) -> dict[str, float]:
    bodies = [mention_body(i) for i in range(requests)]
    latencies: list[float] = []
    failures = 0
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal failures
        while not queue.empty():
            body = queue.get_nowait()
            headers = {"Content-Type": "application/json", **signed_headers(SANDBOX_SIGNING_SECRET, body)}
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    failures += 1
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        # Warm up connections and code paths before measuring.
        for _ in range(20):
            body = mention_body(0)
            async with session.post(
                url,
                data=body,
                headers={"Content-Type": "application/json", **signed_headers(SANDBOX_SIGNING_SECRET, body)},
            ) as r:
                await r.read()
        started = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": requests / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "failures": failures,
    }


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


async def mention_latency(nox_url: str, sandbox, mentions: int) -> dict[str, float]:
    from jamono.sandbox.sender import SlackEventSender

    latencies = []
    async with SlackEventSender(nox_url, SANDBOX_SIGNING_SECRET, sandbox=sandbox) as sender:
        for i in range(mentions):
            # One channel per mention: Slack allows ~1 post/s per channel and NOX keeps to it (a
            # shared limiter), so back-to-back mentions in one channel would measure that pacing.
            channel = f"C0LAT{uuid.uuid4().hex[:8].upper()}"
            envelope = sender.app_mention("U0DEV", channel, f"<@{BOT_USER}> how do I roll back a bad deploy? ({i})")
            ts = envelope["event"]["ts"]
            started = time.perf_counter()
            response = await sender.send_event(envelope)
            assert response.status == 200, response.status
            await sandbox.wait_for(lambda channel=channel, ts=ts: _final_reply(sandbox, channel, ts), timeout=15)
            latencies.append(time.perf_counter() - started)
    latencies.sort()
    return {
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        "n": len(latencies),
    }


def _final_reply(sandbox, channel: str, ts: str) -> bool:
    replies = sandbox.bot_messages(channel, thread_ts=ts)
    return bool(replies) and any(b.get("type") == "actions" for b in (replies[-1].get("blocks") or []))


def report_ack(rounds: list[dict[str, dict[int, dict[str, float]]]], requests: int) -> None:
    print(f"ack path, {requests} signed distinct app_mention events per run, {len(rounds)} rounds")
    print(f"{'round':<7}{'server':<8}{'conc':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'non-200':>9}")
    for i, results in enumerate(rounds, 1):
        for conc in (8, 32):
            for name in ("bare", "nox"):
                r = results[name][conc]
                print(
                    f"{i:<7}{name:<8}{conc:>6}{r['rps']:>10.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['failures']:>9}"
                )
    for conc in (8, 32):
        ratios = [r["nox"][conc]["rps"] / r["bare"][conc]["rps"] for r in rounds]
        p99 = {name: statistics.median(r[name][conc]["p99_ms"] for r in rounds) for name in ("bare", "nox")}
        print(
            f"{conc} connections: throughput ratio nox/bare median {statistics.median(ratios):.2f} "
            f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)}); median p99 nox {p99['nox']:.1f} ms, "
            f"bare {p99['bare']:.1f} ms"
        )


def ack_throughput(
    args: argparse.Namespace,
    env: dict[str, str],
    servers: dict[str, tuple[subprocess.Popen[bytes], int]],
    empty_queue: Callable[[], None],
) -> None:
    """The bare server and NOX's, side by side, round after round; `servers` is the caller's to
    clean up if this fails half way."""
    for name in ("bare", "nox"):
        port = free_port()
        cmd = [__file__, "--serve-bare", str(port)] if name == "bare" else ["-m", "jamono", "serve"]
        servers[name] = (start(cmd, {**env, "PORT": str(port)}), port)
    for proc, port in servers.values():
        wait_port(port, proc)
    rounds: list[dict[str, dict[int, dict[str, float]]]] = []
    for _ in range(args.rounds):
        results: dict[str, dict[int, dict[str, float]]] = {"bare": {}, "nox": {}}
        for conc in (8, 32):
            for name in ("bare", "nox"):
                empty_queue()
                url = f"http://127.0.0.1:{servers[name][1]}/slack/events"
                results[name][conc] = asyncio.run(load(url, args.requests, conc))
        rounds.append(results)
    for proc, _ in servers.values():
        stop(proc)
    report_ack(rounds, args.requests)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mentions", type=int, default=40)
    parser.add_argument("--latency-only", action="store_true", help="skip the ack throughput runs")
    parser.add_argument("--serve-bare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        bare_server(args.serve_bare)
        return 0

    from jamono.sandbox.server import SandboxThread
    from migrations.runner import apply_migrations

    data_dir = Path(tempfile.mkdtemp(prefix="jamono-bench-"))
    services = EmbeddedServices(
        data_dir,
        database_url=os.environ.get("DATABASE_URL"),
        redis_url=os.environ.get("REDIS_URL"),
        rabbitmq_url=os.environ.get("RABBITMQ_URL"),
    )
    services.start()
    apply_migrations(services.database_url or "")
    sandbox_thread = SandboxThread()
    sandbox_thread.start()
    sandbox = sandbox_thread.sandbox
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": sandbox.bot_token,
        "SLACK_SIGNING_SECRET": SANDBOX_SIGNING_SECRET,
        "SLACK_API_URL": sandbox.api_url,
        "LOG_LEVEL": "WARNING",
        "JAMONO_DATA_DIR": str(data_dir),
        "HOST": "127.0.0.1",
    }  # the sandbox's signing secret is public: loopback only
    os.environ.update(env)
    import redis

    queue = redis.Redis.from_url(services.redis_url or env["REDIS_URL"])

    def empty_queue() -> None:  # only the keys NOX's broker writes, never the rest of a shared Redis
        for key in queue.scan_iter("jamono:*"):
            queue.delete(key)

    servers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    try:
        if not args.latency_only:
            ack_throughput(args, env, servers, empty_queue)
        empty_queue()  # the worker below must not first work through the throughput runs' jobs
        port = free_port()
        web_proc = start(["-m", "jamono", "serve"], {**env, "PORT": str(port)})
        worker_proc = start(["-m", "jamono", "worker", "--threads", "4"], env)
        try:
            wait_port(port, web_proc)
            import app
            from jamono.container import settings_embedder
            from jamono.platform.db import open_pool
            from jamono.platform.settings import get_settings
            from jamono.platform.tenancy import register_workspace
            from knowledge.ingest import load_bundled

            get_settings.cache_clear()
            settings = get_settings()
            pool = open_pool(settings, max_size=2)
            workspace = register_workspace(pool, app.identify_workspace(settings))
            load_bundled(pool, workspace.tenant_id, settings_embedder(settings))  # as workers embed
            pool.close()
            # Warm the worker (model loading) before measuring.
            asyncio.run(mention_latency(f"http://127.0.0.1:{port}/slack/events", sandbox, 3))
            latency = asyncio.run(mention_latency(f"http://127.0.0.1:{port}/slack/events", sandbox, args.mentions))
        finally:
            stop(web_proc)
            stop(worker_proc)
        print(
            f"mention → reply (offline brain, {latency['n']} sequential mentions): "
            f"p50 {latency['p50_ms']:.0f} ms, p99 {latency['p99_ms']:.0f} ms"
        )
    finally:
        for proc, _ in servers.values():
            if proc.poll() is None:
                stop(proc)
        sandbox_thread.stop()
        services.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
