"""The reliability rig: NOX's real processes on loopback, and the means to break them.

Shared by tests/reliability and bench/ (burst, scale-out). Workers are real `jamono worker`
subprocesses (so they can be SIGKILLed); the web app is `app.build_http_app` served on loopback;
Slack is the sandbox. Nothing here stands in for our own code.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import redis
from aiohttp import web

from jamono.platform.db import tenant_tx
from jamono.platform.settings import SANDBOX_SIGNING_SECRET, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = ":eyes:"


def redis_db_url(url: str, db: int) -> str:
    """The same Redis server, another database number (isolates our queues and keys)."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("db="))
        return f"unix://{parts.path}?" + (query + "&" if query else "") + f"db={db}"
    return urlunsplit(parts._replace(path=f"/{db}"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_env(
    *, database_url: str, sandbox, redis_url: str | None = None, rabbitmq_url: str | None = None, **extra: str
) -> dict[str, str]:
    """The environment `jamono worker` / `jamono serve` get, with nothing leaking from ours."""
    drop = {"DATABASE_URL", "REDIS_URL", "RABBITMQ_URL", "JOB_MAX_RETRIES", "SENTRY_DSN", "OPENAI_API_KEY"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("JAMONO_")}
    env.update(
        {
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": sandbox.bot_token,
            "SLACK_SIGNING_SECRET": SANDBOX_SIGNING_SECRET,
            "SLACK_API_URL": sandbox.api_url,
            "LOG_FORMAT": "text",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "WORKER_METRICS_PORT": "0",  # several worker groups run at once here: no shared metrics port
            "JAMONO_HOUSEKEEPING_INTERVAL_MIN": "0",  # tested on its own
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    if rabbitmq_url:
        env["RABBITMQ_URL"] = rabbitmq_url
    env.update(extra)
    return env


def settings_from_env(env: dict[str, str]) -> Settings:
    """Settings as a process started with `env` would read them (no .env file), built without
    touching this process's environment: every field is given, from `env` or its default."""
    values: dict[str, object] = {}
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias if isinstance(field.validation_alias, str) else None
        key = alias or name
        if (alias or name.upper()) in env:
            values[key] = env[alias or name.upper()]
        elif not field.is_required():
            values[key] = field.get_default(call_default_factory=True)
    return load_settings(_env_file=None, **values)


class Proc:
    """A `python -m jamono …` subprocess in its own process group, output to a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.args = args
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Proc:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "jamono", *self.args],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole group: dramatiq's supervisor and its worker processes."""
        if self.proc is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        self.proc.wait(timeout=30)

    def stop(self, timeout: float = 15) -> None:
        if not self.alive():
            return
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=timeout)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def start_worker(env: dict[str, str], log_path: Path, *, processes: int = 1, threads: int = 4) -> Proc:
    return Proc(["worker", "--processes", str(processes), "--threads", str(threads)], env, log_path).start()


def start_web(env: dict[str, str], log_path: Path, port: int) -> Proc:
    return Proc(["serve"], {**env, "PORT": str(port), "HOST": "127.0.0.1"}, log_path).start()


def wait_port(port: int, proc: Proc | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            raise RuntimeError(f"process exited: {proc.log_tail()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start in time")


async def serve_app(application: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(application, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=2048)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


# --- what happened ---------------------------------------------------------------------------
def final_reply(sandbox, channel: str, thread_ts: str) -> list[dict] | None:
    """NOX's messages in the thread once its placeholder has been replaced by an answer."""
    replies = sandbox.bot_messages(channel, thread_ts=thread_ts)
    if replies and all(PLACEHOLDER not in (r.get("text") or "") for r in replies):
        return replies
    return None


def answered(sandbox, targets: Iterable[tuple[str, str]]) -> int:
    """How many (channel, thread_ts) have their final reply."""
    return sum(1 for channel, ts in targets if final_reply(sandbox, channel, ts))


def rows(pool, tenant_id, event_ids: list[str]) -> dict[str, dict[str, int]]:
    """Per event id: agent_interactions rows and slack_events rows (+ its status and attempts)."""
    found: dict[str, dict[str, int]] = {e: {"interactions": 0, "events": 0} for e in event_ids}
    with tenant_tx(pool, tenant_id) as conn:
        for r in conn.execute(
            "SELECT slack_event_id, count(*) AS n FROM agent_interactions"
            " WHERE slack_event_id = ANY(%s) GROUP BY slack_event_id",
            [event_ids],
        ):
            found[r["slack_event_id"]]["interactions"] = r["n"]
        for r in conn.execute(
            "SELECT event_id, count(*) AS n FROM slack_events WHERE event_id = ANY(%s) GROUP BY event_id", [event_ids]
        ):
            found[r["event_id"]]["events"] = r["n"]
    return found


def posts_in_thread(sandbox, channel: str, ts: str) -> int:
    return len(
        [
            c
            for c in sandbox.calls_to("chat.postMessage")
            if c.ok and c.params.get("channel") == channel and c.params.get("thread_ts") == ts
        ]
    )


def queue_depth(redis_url: str, namespace: str = "jamono", queue: str | None = None) -> int:
    """Messages waiting plus messages fetched but not yet acked (Redis broker; default: NOX's
    queues, answers and the rest)."""
    from jamono.queue.names import QUEUES

    client = redis.Redis.from_url(redis_url)
    try:
        return sum(int(client.hlen(f"{namespace}:{q}.msgs")) for q in ([queue] if queue else QUEUES))
    finally:
        client.close()


async def wait_until(predicate, timeout: float, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(interval)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


# --- the burst ----------------------------------------------------------------------------------
QUESTIONS = [
    "how do I roll back a Kubernetes deployment?",
    "pods stuck in CrashLoopBackOff, what should I check?",
    "postgres refuses connections: too many clients",
    "disk full on the build runners, help",
    "la base postgres refuse les connexions, que faire ?",
    "how do I rotate the TLS certificate?",
]


def burst_envelopes(payloads, n: int, *, tag: str, channels: int | None = None) -> list[dict]:
    """n distinct mentions (and one DM in ten), spread over `channels` channels (default: one each)."""
    envelopes = []
    for i in range(n):
        question = f"{QUESTIONS[i % len(QUESTIONS)]} ({tag}-{i})"
        if i % 10 == 9:
            envelopes.append(payloads.dm("U0DEV", question, channel=f"D{tag}{i:05d}"))
        else:
            channel = f"C{tag}{(i if channels is None else i % channels):05d}"
            envelopes.append(payloads.app_mention("U0DEV", channel, question))
    return envelopes


def target(envelope: dict) -> tuple[str, str]:
    event = envelope["event"]
    return event["channel"], event.get("thread_ts") or event["ts"]


async def fire(
    url: str,
    envelopes: list[dict],
    *,
    concurrency: int = 64,
    retry_num: int | None = None,
    secret: str = SANDBOX_SIGNING_SECRET,
) -> list[tuple[int, float, float]]:
    """POST every envelope signed, `concurrency` at a time: (status, seconds to the ack, sent at)."""
    import json

    import aiohttp

    from jamono.sandbox.signing import signed_headers

    bodies = [json.dumps(e).encode() for e in envelopes]
    results: list[tuple[int, float, float]] = [(0, 0.0, 0.0)] * len(bodies)
    next_index = 0

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal next_index
        while next_index < len(bodies):
            i = next_index
            next_index += 1
            headers = {"Content-Type": "application/json", **signed_headers(secret, bodies[i])}
            if retry_num is not None:
                headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_error"})
            sent = time.time()
            started = time.perf_counter()
            try:
                async with session.post(url, data=bodies[i], headers=headers) as response:
                    await response.read()
                    status = response.status
            except (TimeoutError, aiohttp.ClientError):
                status = -1
            results[i] = (status, time.perf_counter() - started, sent)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
    return results


def event_row(pool, tenant_id, event_id: str) -> dict | None:
    """The idempotency record of one Slack event (status, attempts, reply_ts), or None."""
    with tenant_tx(pool, tenant_id) as conn:
        return conn.execute(
            "SELECT status, attempts, reply_ts FROM slack_events WHERE event_id = %s", [event_id]
        ).fetchone()


# --- RabbitMQ ------------------------------------------------------------------------------------
def rabbitmq_reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5672), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def rabbitmq_vhost(url: str, prefix: str = "jamono-bench"):
    """A throw-away vhost on the local RabbitMQ (rabbitmqctl), so nobody else's queues are touched;
    without rabbitmqctl (a remote RabbitMQ), the URL as given."""
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        yield url
        return
    vhost = f"{prefix}-{uuid.uuid4().hex[:8]}"
    user = urlsplit(url).username or "guest"
    subprocess.run([ctl, "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run([ctl, "set_permissions", "-p", vhost, user, ".*", ".*", ".*"], check=True, capture_output=True)
    try:
        yield urlunsplit(urlsplit(url)._replace(path="/" + quote(vhost, safe="")))
    finally:
        subprocess.run([ctl, "delete_vhost", vhost], capture_output=True)


class Web:
    """NOX's HTTP app on loopback, plus a signed-event sender aimed at it."""

    def __init__(self, url: str, sender, broker) -> None:
        self.url = url
        self.sender = sender
        self.broker = broker


async def open_web(settings: Settings, pool, identity, sandbox, broker=None):
    import app
    from jamono.queue.broker import build_broker
    from jamono.queue.client import DramatiqJobQueue
    from jamono.sandbox.sender import SlackEventSender

    broker = broker or build_broker(settings)
    runner, url = await serve_app(app.build_http_app(settings, pool, DramatiqJobQueue(broker), identity))
    sender = SlackEventSender(f"{url}/slack/events", SANDBOX_SIGNING_SECRET, sandbox=sandbox, timeout=30)
    return runner, Web(url, sender, broker)
