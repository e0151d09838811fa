"""Fair-share benchmark: does one tenant's flood delay another tenant's answers?

Two workspaces installed on one multi-workspace deployment (the production path: signed events →
`jamono serve` → Redis → `jamono worker` → the Slack sandbox, each team with its own bot token).
Tenant B sends one mention a second, first on an idle system, then while tenant A floods N
mentions (default 2,000) as fast as this machine sends them. Prints B's mention → reply p50/p99
(from each event's send to NOX's final chat.update, both timed on this machine) idle and under
the flood, their ratio (the target: B's p99 under flood ≤ 2× idle), how much of A's flood was
answered meanwhile, and the exactly-once check for B (and for A once drained, with --drain).

    .venv/bin/python bench/fair_share.py [--flood 2000] [--b-mentions 40] [--worker-processes 2]
                                         [--worker-threads 4] [--drain] [--env KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from datetime import UTC, datetime

from _stack import Stack, load_average
from burst import reply_times

from tests.reliability import rig  # noqa: E402 — bench/_stack puts the repo on sys.path

TEAM_A, TEAM_B = "T0FAIRA", "T0FAIRB"


def multi_env(stack: Stack, key: str, extra: dict[str, str]) -> dict[str, str]:
    """Many workspaces (OAuth installs, a token per team), as a SaaS deployment runs."""
    env = stack.env(
        SLACK_CLIENT_ID=stack.sandbox.client_id,
        SLACK_CLIENT_SECRET=stack.sandbox.client_secret,
        JAMONO_ENCRYPTION_KEYS=key,
        **extra,
    )
    env.pop("SLACK_BOT_TOKEN", None)
    return env


def install(stack: Stack, env: dict[str, str], team: str) -> None:
    """What a finished "Add to Slack" leaves behind: the installation (encrypted token), the tenant and
    its bundled runbooks."""
    from slack_sdk.oauth.installation_store import Installation

    from jamono.container import settings_embedder
    from jamono.platform.crypto import load_secret_box
    from jamono.platform.db import open_pool
    from jamono.platform.tenancy import load_workspace
    from jamono.workspaces.installations import PostgresInstallationStore
    from knowledge.ingest import load_bundled

    token = stack.sandbox.install(team, f"Team {team}")
    settings = rig.settings_from_env(env)
    pool = open_pool(settings, max_size=2, name="bench-install")
    try:
        store = PostgresInstallationStore(pool, load_secret_box(settings), settings.slack_client_id or "")
        store.save(
            Installation(
                app_id=stack.sandbox.app_id,
                team_id=team,
                team_name=f"Team {team}",
                bot_token=token,
                bot_id=stack.sandbox.bot_id,
                bot_user_id=stack.sandbox.bot_user_id,
                bot_scopes="app_mentions:read,chat:write,channels:history,im:history,users:read",
                user_id="U0DEV",
                installed_at=datetime.now(UTC).timestamp(),
            )
        )
        load_bundled(pool, load_workspace(pool, team).tenant_id, settings_embedder(settings))  # as workers embed
    finally:
        pool.close()


def mentions(payloads, n: int, tag: str) -> list[dict]:
    """n mentions, each in a channel of its own (Slack's per-channel post rate stays out of it)."""
    return [
        payloads.app_mention("U0DEV", f"C{tag}{i:05d}", f"{rig.QUESTIONS[i % len(rig.QUESTIONS)]} ({tag}-{i})")
        for i in range(n)
    ]


async def paced(url: str, envelopes: list[dict], every_s: float) -> list[tuple[int, float, float]]:
    """One mention every `every_s` seconds, each sent on its own (B's steady trickle)."""
    results = []
    start = time.monotonic()
    for i, envelope in enumerate(envelopes):
        await asyncio.sleep(max(0.0, start + i * every_s - time.monotonic()))
        results.extend(await rig.fire(url, [envelope], concurrency=1))
    return results


def _flood_process(url: str, flood: list[dict], start_at: float, concurrency: int, out) -> None:
    """A's users, on machines of their own: the flood is sent from another process, so it does not
    take this process's CPU from the Slack stand-in that B's replies go through."""
    time.sleep(max(0.0, start_at - time.time()))
    out.send(asyncio.run(rig.fire(url, flood, concurrency=concurrency)))
    out.close()


def flood_and_trickle(url: str, flood: list[dict], trickle: list[dict], args) -> tuple[list, list]:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    start_at = time.time() + 5.0 + args.b_lead_s  # the child's start-up, then B's lead
    child = context.Process(target=_flood_process, args=(url, flood, start_at, args.concurrency, send))
    child.start()
    time.sleep(max(0.0, start_at - args.b_lead_s - time.time()))  # B is already trickling when A begins
    b = asyncio.run(paced(url, trickle, args.b_every_s))
    a = receive.recv()
    child.join()
    return a, b


def latencies(stack: Stack, envelopes: list[dict], results: list, timeout: float) -> list[float]:
    """Mention → reply seconds for each envelope, waiting up to `timeout` for the last replies."""
    deadline = time.monotonic() + timeout
    while True:
        done = reply_times(stack.sandbox)
        if all(rig.target(e) in done for e in envelopes) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    return [
        done[rig.target(e)] - sent for e, (_, _, sent) in zip(envelopes, results, strict=True) if rig.target(e) in done
    ]


def phases(stack: Stack, envelopes: list[dict], results: list) -> tuple[list[float], list[float]]:
    """(queue wait: sent → a worker claims the event, work: claim → reply in Slack) per envelope."""
    import psycopg

    with psycopg.connect(stack.database_url) as conn:
        claimed = dict(
            conn.execute(
                "SELECT event_id, extract(epoch FROM received_at) FROM slack_events WHERE event_id = ANY(%s)",
                [[e["event_id"] for e in envelopes]],
            ).fetchall()
        )
    done = reply_times(stack.sandbox)
    waits, work = [], []
    for envelope, (_, _, sent) in zip(envelopes, results, strict=True):
        at = claimed.get(envelope["event_id"])
        if at is not None and rig.target(envelope) in done:
            waits.append(float(at) - sent)
            work.append(done[rig.target(envelope)] - float(at))
    return waits, work


def answered(stack: Stack, envelopes: list[dict]) -> int:
    done = reply_times(stack.sandbox)
    return sum(1 for e in envelopes if rig.target(e) in done)


def summary(name: str, values: list[float], sent: int) -> str:
    return (
        f"  B {name:<12} {len(values)}/{sent} answered   p50 {rig.percentile(values, 50):6.2f} s   "
        f"p99 {rig.percentile(values, 99):6.2f} s   max {max(values) if values else float('nan'):6.2f} s"
    )


def run(stack: Stack, args: argparse.Namespace) -> int:
    from jamono.platform.crypto import generate_key
    from jamono.platform.settings import SANDBOX_SIGNING_SECRET
    from jamono.sandbox.sender import SlackEventSender

    extra = dict(kv.split("=", 1) for kv in args.env)
    env = multi_env(stack, generate_key(), extra)
    for team in (TEAM_A, TEAM_B):
        install(stack, env, team)
    logs = stack.data_dir / "logs"
    port = rig.free_port()
    web = rig.start_web(env, logs / "web.log", port)
    worker = rig.start_worker(env, logs / "worker.log", processes=args.worker_processes, threads=args.worker_threads)
    url = f"http://127.0.0.1:{port}/slack/events"
    try:
        rig.wait_port(port, web)
        a = SlackEventSender(url, SANDBOX_SIGNING_SECRET, team_id=TEAM_A, sandbox=stack.sandbox)
        b = SlackEventSender(url, SANDBOX_SIGNING_SECRET, team_id=TEAM_B, sandbox=stack.sandbox)
        warm = mentions(a, 4, "AW") + mentions(b, 4, "BW")
        warm_results = asyncio.run(rig.fire(url, warm, concurrency=4))
        if len(latencies(stack, warm, warm_results, 180)) < len(warm):
            raise RuntimeError(f"warm-up did not complete: {worker.log_tail()}")

        tag = uuid.uuid4().hex[:3].upper()
        idle = mentions(b, args.b_mentions, "BI" + tag)
        idle_results = asyncio.run(paced(url, idle, args.b_every_s))
        idle_s = latencies(stack, idle, idle_results, 60)

        flood = mentions(a, args.flood, "AF" + tag)
        trickle = mentions(b, args.b_mentions, "BF" + tag)
        load_before = load_average()
        started = time.time()
        flood_results, trickle_results = flood_and_trickle(url, flood, trickle, args)
        flood_sent_s = max(sent for _, _, sent in flood_results) - min(sent for _, _, sent in flood_results)
        under_s = latencies(stack, trickle, trickle_results, args.b_timeout)
        a_answered = answered(stack, flood)
        a_elapsed = time.time() - started
        load_after = load_average()
        statuses = {s for s, _, _ in flood_results + trickle_results}

        print(f"\n== tenant A floods {args.flood} mentions; tenant B sends one every {args.b_every_s:g} s ==")
        print(f"  A's flood sent in {flood_sent_s:.1f} s (HTTP statuses {sorted(statuses)})")
        print(summary("idle", idle_s, len(idle)))
        print(summary("under flood", under_s, len(trickle)))
        for name, envelopes, results in (("idle", idle, idle_results), ("under flood", trickle, trickle_results)):
            waits, work = phases(stack, envelopes, results)
            print(
                f"    {name}: queue wait p50 {rig.percentile(waits, 50):.2f} s p99 {rig.percentile(waits, 99):.2f} s;"
                f" claim → reply p50 {rig.percentile(work, 50):.2f} s p99 {rig.percentile(work, 99):.2f} s"
            )
        ratio50 = rig.percentile(under_s, 50) / rig.percentile(idle_s, 50)
        ratio99 = rig.percentile(under_s, 99) / rig.percentile(idle_s, 99)
        print(f"  ratio under flood / idle: p50 {ratio50:.2f}×   p99 {ratio99:.2f}×   (target p99 ≤ 2×)")
        print(f"  A: {a_answered}/{args.flood} answered {a_elapsed:.0f} s after the flood began")
        b_ids = [e["event_id"] for e in idle + trickle]
        interactions, events, duplicated = stack.count(b_ids)
        print(f"  B exactly once: {interactions} interactions, {events} slack_events, {duplicated} duplicates")
        if args.drain:
            a_ids = [e["event_id"] for e in flood]
            deadline = time.monotonic() + args.drain_timeout
            while stack.count(a_ids)[0] < args.flood and time.monotonic() < deadline and worker.alive():
                time.sleep(2)
            interactions, events, duplicated = stack.count(a_ids)
            print(
                f"  A drained {time.time() - started:.0f} s after the flood began: {interactions} interactions,"
                f" {events} slack_events, {answered(stack, flood)} replies, {duplicated} duplicates"
            )
        print(f"  {load_before} before the flood, {load_after} after")
        return 0 if ratio99 <= 2.0 else 1
    finally:
        web.stop()
        worker.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flood", type=int, default=2000)
    parser.add_argument("--b-mentions", type=int, default=40)
    parser.add_argument("--b-every-s", type=float, default=1.0)
    parser.add_argument("--b-lead-s", type=float, default=2.0)
    parser.add_argument("--b-timeout", type=float, default=600)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--worker-processes", type=int, default=2)
    parser.add_argument("--worker-threads", type=int, default=4)
    parser.add_argument("--drain", action="store_true", help="wait for A's flood to drain, check exactly-once")
    parser.add_argument("--drain-timeout", type=float, default=1800)
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for web and workers")
    args = parser.parse_args()
    print(
        f"bench/fair_share: A floods {args.flood}, B {args.b_mentions} mentions at 1 per {args.b_every_s:g} s; "
        f"workers {args.worker_processes} processes × {args.worker_threads} threads; {load_average()}"
    )
    with Stack() as stack:
        return run(stack, args)


if __name__ == "__main__":
    sys.exit(main())
