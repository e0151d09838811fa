"""The compose stack, for real (run by deploy/smoke.sh once the images exist).

The Slack sandbox runs here on loopback; deploy/compose.yaml runs PostgreSQL, Redis, `migrate`,
`web` and `worker` from the image, every container on the host's network (compose.hostnet.yaml)
with SLACK_API_URL pointed at the sandbox. Then, through the web container:

1. signed mentions are each answered once, in their thread (sandbox calls and database rows);
2. a worker container is `docker kill`ed while it answers: nothing lost, nothing doubled;
3. a preloaded queue is drained by 1 then 2 worker containers: jobs/s for each;
4. `docker compose down` (SIGTERM) and every container exits 0.

Prints the stack's start time and those figures; exits non-zero at the first broken promise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg
import redis
from cryptography.fernet import Fernet

from jamono.platform.settings import SANDBOX_SIGNING_SECRET
from jamono.queue.names import QUEUES
from jamono.sandbox.sender import SlackEventSender
from jamono.sandbox.server import SandboxThread
from tests.reliability import rig

DEPLOY = Path(__file__).resolve().parent
PROJECT = "jamono-smoke"


class Failed(Exception):
    pass


def check(condition: object, what: str) -> None:
    if not condition:
        raise Failed(what)
    print(f"  ok: {what}", flush=True)


class Stack:
    def __init__(self, compose: list[str], env_file: Path, env: dict[str, str]) -> None:
        self.compose = compose
        self.env_file = env_file
        self.env = env

    def run(self, *args: str, check: bool = True, capture: bool = False, timeout: float = 600) -> str:
        cmd = [
            *self.compose,
            "-p",
            PROJECT,
            "--env-file",
            str(self.env_file),
            "-f",
            str(DEPLOY / "compose.yaml"),
            "-f",
            str(DEPLOY / "compose.hostnet.yaml"),
            *args,
        ]
        done = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "JAMONO_ENV_FILE": str(self.env_file)},
        )
        if check and done.returncode != 0:
            raise Failed(
                f"{shlex.join(cmd[len(self.compose) :])} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            )
        return done.stdout if capture else ""

    def containers(self, service: str, *, all_: bool = False) -> list[str]:
        out = subprocess.run(
            [
                "docker",
                "ps",
                *(["-a"] if all_ else []),
                "-q",
                "--filter",
                f"label=com.docker.compose.project={PROJECT}",
                "--filter",
                f"label=com.docker.compose.service={service}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.split()

    def logs(self, service: str) -> str:
        return self.run("logs", "--no-color", "--tail", "60", service, check=False, capture=True)

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{self.env['PORT']}"

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.web}/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def db(self) -> psycopg.Connection:
        return psycopg.connect(
            f"postgresql://jamono:{self.env['POSTGRES_PASSWORD']}@127.0.0.1:{self.env['POSTGRES_PORT']}/jamono",
            autocommit=True,
        )

    def queue(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=int(self.env["REDIS_PORT"]), password=self.env["REDIS_PASSWORD"])


def env_for(sandbox, args: argparse.Namespace) -> dict[str, str]:
    return {
        # Compose's own variables (images, ports on loopback: the machine's own services keep theirs).
        "JAMONO_IMAGE": args.image,
        "POSTGRES_IMAGE": args.postgres_image,
        "REDIS_IMAGE": args.redis_image,
        "POSTGRES_PASSWORD": secrets.token_hex(16),
        "REDIS_PASSWORD": secrets.token_hex(16),
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": str(rig.free_port()),
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(rig.free_port()),
        # The app's settings, as a self-hoster's .env has them, with the sandbox for Slack.
        "SLACK_BOT_TOKEN": sandbox.bot_token,
        "SLACK_SIGNING_SECRET": SANDBOX_SIGNING_SECRET,
        "SLACK_API_URL": sandbox.api_url,
        "JAMONO_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "HOST": "127.0.0.1",
        "PORT": str(rig.free_port()),
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        # Host network: two workers cannot share one metrics port (on their own network they do).
        "WORKER_METRICS_PORT": "0",
        # One core per worker container, as on separate machines: what scaling out adds.
        "WORKER_PROCESSES": "1",
        "WORKER_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        # A killed worker's jobs go back after 5 s instead of 60 (as tests/reliability does).
        "JAMONO_REDIS_HEARTBEAT_TIMEOUT_MS": "5000",
        "JAMONO_REDIS_MAINTENANCE_CHANCE": "50000",
        "JAMONO_HOUSEKEEPING_INTERVAL_MIN": "0",
    }


def wait(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failed(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def send(stack: Stack, sandbox, n: int, tag: str) -> list[dict]:
    """n signed mentions (one in ten a DM), each in a channel of its own, POSTed to the web container."""
    url = f"{stack.web}/slack/events"
    envelopes = rig.burst_envelopes(SlackEventSender(url, SANDBOX_SIGNING_SECRET, sandbox=sandbox), n, tag=tag)
    statuses = asyncio.run(rig.fire(url, envelopes, concurrency=16))
    check(all(status == 200 for status, _, _ in statuses), f"{n} signed events acknowledged 200 by the web container")
    return envelopes


def answered_once(stack: Stack, sandbox, envelopes: list[dict], timeout: float, what: str) -> None:
    targets = [rig.target(e) for e in envelopes]
    wait(lambda: rig.answered(sandbox, targets) == len(targets), timeout, f"{what}: every answer")
    time.sleep(1.0)  # a duplicate, if any, would show by now
    doubled = [
        t
        for t in targets
        if len(sandbox.bot_messages(t[0], thread_ts=t[1])) != 1 or rig.posts_in_thread(sandbox, *t) != 1
    ]
    check(not doubled, f"{what}: {len(targets)} threads with exactly one reply each (doubled: {doubled[:3]})")
    # A failure also ends in a visible reply; only NOX's answers carry the 👍/👎 feedback buttons.
    failed = [
        t
        for t in targets
        if not any("feedback:" in str(m.get("blocks")) for m in sandbox.bot_messages(t[0], thread_ts=t[1]))
    ]
    check(
        not failed,
        f"{what}: every reply is an answer with its feedback buttons, not a failure notice (failures: {failed[:3]})",
    )
    ids = [e["event_id"] for e in envelopes]

    def rows() -> dict[str, int]:
        with stack.db() as conn:
            return dict(
                conn.execute(
                    "SELECT slack_event_id, count(*) FROM agent_interactions WHERE slack_event_id = ANY(%s) GROUP BY 1",
                    [ids],
                ).fetchall()
            )

    # A worker killed after its reply and before its row leaves the row to the redelivered job
    # (after the heartbeat timeout): the reply is seen first, so wait for the rows, then count.
    wait(lambda: all(rows().get(i) for i in ids), timeout, f"{what}: an agent_interactions row for every event")
    counted = rows()
    check(all(counted.get(i) == 1 for i in ids), f"{what}: one agent_interactions row per event in PostgreSQL")


def reply_times(sandbox) -> dict[tuple[str, str], float]:
    """Thread → when the chat.update that replaced NOX's placeholder there reached the sandbox."""
    thread_of = {
        (c.params["channel"], c.response["ts"]): (c.params["channel"], c.params["thread_ts"])
        for c in sandbox.calls_to("chat.postMessage")
        if c.ok and c.params.get("thread_ts")
    }
    done: dict[tuple[str, str], float] = {}
    for call in sandbox.calls_to("chat.update"):
        thread = thread_of.get((call.params.get("channel"), call.params.get("ts")))
        if call.ok and thread is not None:
            done[thread] = min(done.get(thread, call.time), call.time)
    return done


def start_time(stack: Stack) -> float:
    started = time.monotonic()
    stack.run("up", "-d", "--scale", "worker=1")
    wait(stack.healthy, 300, "web's /healthz to answer 200")
    seconds = time.monotonic() - started
    migrate = stack.containers("migrate", all_=True)
    code = subprocess.run(
        ["docker", "inspect", "-f", "{{.State.ExitCode}}", *migrate], capture_output=True, text=True
    ).stdout.split()
    check(code == ["0"], "migrate ran once and exited 0 before web and worker started")
    print(f"stack start time (compose up → web /healthz 200): {seconds:.1f} s", flush=True)
    for service in ("web", "worker"):  # the image's HEALTHCHECK (python -m jamono.web.healthcheck)
        (container,) = stack.containers(service)
        wait(lambda c=container: health(c) == "healthy", 120, f"{service}'s Docker health check", interval=1)
    print("  ok: Docker reports web and worker healthy (the image's HEALTHCHECK)", flush=True)
    return seconds


def health(container: str) -> str:
    return subprocess.run(
        ["docker", "inspect", "-f", "{{.State.Health.Status}}", container], capture_output=True, text=True
    ).stdout.strip()


def mentions(stack: Stack, sandbox, n: int) -> None:
    print(f"[1] {n} mentions through the web container", flush=True)
    envelopes = send(stack, sandbox, n, "M" + uuid.uuid4().hex[:3].upper())
    answered_once(stack, sandbox, envelopes, 180, "mentions")
    with stack.db() as conn:
        (runbooks,) = conn.execute("SELECT count(*) FROM knowledge_documents WHERE origin = 'bundled'").fetchone()
    check(
        runbooks >= 20, f"the workspace's knowledge base holds the bundled runbooks ({runbooks}), loaded at web's start"
    )


def worker_killed(stack: Stack, sandbox, n: int) -> None:
    print(f"[2] docker kill a worker while it answers ({n} mentions in flight)", flush=True)
    sandbox.set_latency("chat.update", 1.0)  # each answer holds the worker a second: it dies mid-answer
    try:
        envelopes = send(stack, sandbox, n, "K" + uuid.uuid4().hex[:3].upper())
        channels = {e["event"]["channel"] for e in envelopes}

        def placeholders() -> int:
            return sum(1 for c in sandbox.calls_to("chat.postMessage") if c.params.get("channel") in channels)

        wait(lambda: placeholders() >= 2, 60, "the worker to be answering")
        (victim,) = stack.containers("worker")
        subprocess.run(["docker", "kill", victim], check=True, capture_output=True)
        answered_before = rig.answered(sandbox, [rig.target(e) for e in envelopes])
        check(answered_before < n, f"worker killed mid-way ({answered_before}/{n} answered)")
    finally:
        sandbox.clear_faults()
    subprocess.run(["docker", "start", victim], check=True, capture_output=True)  # what its restart policy would do
    answered_once(stack, sandbox, envelopes, 180, "after the kill")
    with stack.db() as conn:
        (attempts,) = conn.execute(
            "SELECT max(attempts) FROM slack_events WHERE event_id = ANY(%s)", [[e["event_id"] for e in envelopes]]
        ).fetchone()
    check(attempts == 2, "the job the killed worker held was redelivered and finished by its restart (attempts: 2)")


def drain(stack: Stack, sandbox, workers: int, jobs: int) -> float:
    stack.run("stop", "worker")  # graceful: nothing in flight is lost
    sandbox.reset()
    envelopes = send(stack, sandbox, jobs, f"S{workers}" + uuid.uuid4().hex[:2].upper())
    with stack.queue() as q:
        # answers have their own queues, a shard per workspace (jamono.queue.names), other jobs "nox"
        queued = sum(q.hlen(f"jamono:{name}.msgs") for name in QUEUES)
    check(queued >= jobs, f"{jobs} jobs waiting in Redis with no worker running")
    stack.run("up", "-d", "--no-deps", "--scale", f"worker={workers}", "worker")
    check(len(stack.containers("worker")) == workers, f"{workers} worker container(s) running")
    answered_once(stack, sandbox, envelopes, 600, f"drain with {workers} worker(s)")
    times = sorted(reply_times(sandbox).values())
    return (len(times) - 1) / (times[-1] - times[0])


def scale_out(stack: Stack, sandbox, jobs: int) -> None:
    print(f"[3] a queue of {jobs} jobs drained by 1, then 2 worker containers", flush=True)
    load = rig_load()
    one = drain(stack, sandbox, 1, jobs)
    two = drain(stack, sandbox, 2, jobs)
    print(
        f"scale-out: 1 worker {one:.1f} jobs/s, 2 workers {two:.1f} jobs/s, ratio {two / one:.2f}"
        f" (load average {load} → {rig_load()})",
        flush=True,
    )
    # Printed, not asserted: on a machine other work keeps busy the two can come out even, and a
    # figure that depends on the neighbours must not decide whether a change lands.
    if two > one:
        print("  ok: two worker containers drain the queue faster than one", flush=True)
    else:
        print(f"  WARNING: two worker containers were not faster than one (load average {rig_load()})", flush=True)


def rig_load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def down(stack: Stack) -> None:
    print("[4] docker compose down (SIGTERM to every container)", flush=True)
    running = subprocess.run(
        ["docker", "ps", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    names = {
        c: subprocess.run(["docker", "inspect", "-f", "{{.Name}}", c], capture_output=True, text=True).stdout.strip()
        for c in running
    }
    waiters = {c: subprocess.Popen(["docker", "wait", c], stdout=subprocess.PIPE, text=True) for c in running}
    time.sleep(0.5)  # the waits are registered before anything stops
    started = time.monotonic()
    stack.run("down", "-v", "--timeout", "150")
    took = time.monotonic() - started
    codes = {names[c]: (w.communicate(timeout=30)[0].strip() or "?") for c, w in waiters.items()}
    print(f"  exit codes: {json.dumps(codes)}; down took {took:.1f} s", flush=True)
    check(
        len(codes) >= 4 and all(code == "0" for code in codes.values()),
        f"all {len(codes)} running containers exited 0 on SIGTERM (none killed after the grace period)",
    )
    left = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={PROJECT}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    check(not left, "no container of the stack is left")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--compose", default="docker-compose", help="the compose command (docker-compose or 'docker compose')"
    )
    parser.add_argument("--image", default="jamono:smoke")
    parser.add_argument("--postgres-image", default="local/postgres-pgvector:17")
    parser.add_argument("--redis-image", default="local/redis:7")
    parser.add_argument("--mentions", type=int, default=20)
    parser.add_argument("--kill-mentions", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=150, help="jobs per drain in the scale-out")
    args = parser.parse_args()

    sandbox_thread = SandboxThread()
    sandbox = sandbox_thread.start()
    env = env_for(sandbox, args)
    with tempfile.TemporaryDirectory(prefix="jamono-smoke-") as tmp:
        env_file = Path(tmp) / "smoke.env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
        env_file.chmod(0o600)
        stack = Stack(shlex.split(args.compose), env_file, env)
        stack.run("down", "-v", "--timeout", "10", check=False)  # a previous run's leftovers
        try:
            start_time(stack)
            mentions(stack, sandbox, args.mentions)
            worker_killed(stack, sandbox, args.kill_mentions)
            scale_out(stack, sandbox, args.jobs)
            down(stack)
        except Failed as exc:
            print(f"deploy-test FAILED: {exc}", file=sys.stderr)
            for service in ("migrate", "web", "worker"):
                print(f"--- {service} logs ---\n{stack.logs(service)}", file=sys.stderr)
            stack.run("down", "-v", "--timeout", "20", check=False)
            return 1
        except BaseException:
            stack.run("down", "-v", "--timeout", "20", check=False)
            raise
        finally:
            sandbox_thread.stop()
    print("deploy-test: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
