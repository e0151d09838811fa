"""Burst benchmark: N distinct signed events (default 10,000) as fast as this machine sends them,
through the production path — `jamono serve` → Redis or RabbitMQ → `jamono worker` → the Slack
sandbox — with each broker in turn.

Prints, per broker: ack throughput, ack latency p50/p99/max, whether every event was acked within
Slack's 3 s, how long the workers took to drain the burst, mention → reply latency p50/p99 under
the burst (from each event's send to NOX's final chat.update, both timed on this machine), and the
exactly-once check (interaction rows, slack_events rows, sandbox replies, duplicates).

    .venv/bin/python bench/burst.py [--events 10000] [--brokers redis,rabbitmq] [--concurrency 64]
                                    [--worker-processes 2 --worker-threads 4]

Each event goes to a channel of its own (one in ten is a DM), so Slack's per-channel post rate
(which NOX keeps to, see jamono/slack/rate_limit.py) does not throttle the drain.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from collections import Counter

from _stack import DEFAULT_RABBITMQ_URL, Stack, load_average, rabbitmq_reachable, rabbitmq_vhost

from tests.reliability import rig  # noqa: E402 — bench/_stack puts the repo on sys.path

SLACK_ACK_DEADLINE_S = 3.0


def reply_times(sandbox) -> dict[tuple[str, str], float]:
    """(channel, thread ts) → when the sandbox received the chat.update that put NOX's answer in place
    of its placeholder in that thread."""
    placeholder_of: dict[tuple[str, str], tuple[str, str]] = {}
    for call in sandbox.calls_to("chat.postMessage"):
        if call.ok and call.params.get("thread_ts"):
            placeholder_of[(call.params["channel"], call.response["ts"])] = (
                call.params["channel"],
                call.params["thread_ts"],
            )
    done: dict[tuple[str, str], float] = {}
    for call in sandbox.calls_to("chat.update"):
        thread = placeholder_of.get((call.params.get("channel"), call.params.get("ts")))
        if call.ok and thread is not None:
            done[thread] = min(done.get(thread, call.time), call.time)
    return done


def run_one(stack: Stack, broker: str, args: argparse.Namespace, rabbitmq_url: str | None) -> dict:
    stack.flush_redis()
    stack.sandbox.reset()
    env = stack.env(broker=broker, rabbitmq_url=rabbitmq_url)
    port = rig.free_port()
    logs = stack.data_dir / "logs"
    web = rig.start_web(env, logs / f"web-{broker}.log", port)
    worker = rig.start_worker(
        env, logs / f"worker-{broker}.log", processes=args.worker_processes, threads=args.worker_threads
    )
    url = f"http://127.0.0.1:{port}/slack/events"
    try:
        rig.wait_port(port, web)
        from jamono.platform.settings import SANDBOX_SIGNING_SECRET
        from jamono.sandbox.sender import SlackEventSender

        payloads = SlackEventSender(url, SANDBOX_SIGNING_SECRET, sandbox=stack.sandbox)
        # Warm up: the worker loads its models, the web process its code paths.
        warm = rig.burst_envelopes(payloads, 20, tag="W" + uuid.uuid4().hex[:3].upper())
        asyncio.run(rig.fire(url, warm, concurrency=4))
        deadline = time.monotonic() + 120
        while stack.count([e["event_id"] for e in warm])[0] < len(warm):
            if time.monotonic() > deadline or not worker.alive():
                raise RuntimeError(f"warm-up did not complete: {worker.log_tail()}")
            time.sleep(0.2)

        tag = uuid.uuid4().hex[:4].upper()
        envelopes = rig.burst_envelopes(payloads, args.events, tag=tag)
        event_ids = [e["event_id"] for e in envelopes]
        load_before = load_average()
        started = time.perf_counter()
        results = asyncio.run(rig.fire(url, envelopes, concurrency=args.concurrency))
        burst_s = time.perf_counter() - started
        statuses = Counter(status for status, _, _ in results)
        latencies = [latency for _, latency, _ in results]
        # Drain: wait until every event has its interaction row (and so its reply).
        deadline = time.monotonic() + args.drain_timeout
        while True:
            interactions, events, duplicated = stack.count(event_ids)
            if interactions >= args.events or time.monotonic() > deadline or not worker.alive():
                break
            time.sleep(1.0)
        drain_s = time.perf_counter() - started
        time.sleep(1.0)  # late duplicates, if any, would land now
        interactions, events, duplicated = stack.count(event_ids)
        done = reply_times(stack.sandbox)
        reply_latencies = [
            done[rig.target(e)] - sent
            for e, (_, _, sent) in zip(envelopes, results, strict=True)
            if rig.target(e) in done
        ]
        replies = rig.answered(stack.sandbox, [rig.target(e) for e in envelopes])
        own = stack.response_seconds(event_ids)
        answered_at = sorted(done[rig.target(e)] for e in envelopes if rig.target(e) in done)
        burst_start = min(sent for _, _, sent in results)
        return {
            "broker": broker,
            "events": args.events,
            "statuses": dict(statuses),
            "burst_s": burst_s,
            "ack_rps": args.events / burst_s,
            "ack_p50_ms": rig.percentile(latencies, 50) * 1000,
            "ack_p99_ms": rig.percentile(latencies, 99) * 1000,
            "ack_max_ms": max(latencies) * 1000,
            "all_acked_in_3s": statuses.get(200, 0) == args.events and max(latencies) < SLACK_ACK_DEADLINE_S,
            "drain_s": drain_s,
            "jobs_per_s": interactions / drain_s if drain_s else 0.0,
            "reply_p50_s": rig.percentile(reply_latencies, 50),
            "reply_p99_s": rig.percentile(reply_latencies, 99),
            "own_p50_s": rig.percentile(own, 50),
            "own_p99_s": rig.percentile(own, 99),
            "half_answered_s": answered_at[len(answered_at) // 2] - burst_start if answered_at else float("nan"),
            "interactions": interactions,
            "slack_events": events,
            "replies": replies,
            "duplicated": duplicated,
            "load_before": load_before,
            "load_after": load_average(),
        }
    finally:
        web.stop()
        worker.stop()


def report(r: dict) -> None:
    ok = r["interactions"] == r["events"] == r["slack_events"] == r["replies"] and r["duplicated"] == 0
    print(f"\n== {r['broker']}: {r['events']} distinct signed events ==")
    print(f"  statuses {r['statuses']}")
    print(f"  ack throughput      {r['ack_rps']:8.0f} events/s   (burst sent in {r['burst_s']:.1f} s)")
    print(
        f"  ack latency         p50 {r['ack_p50_ms']:.1f} ms   p99 {r['ack_p99_ms']:.1f} ms   max {r['ack_max_ms']:.1f} ms"
    )
    print(f"  all acked within 3s {'yes' if r['all_acked_in_3s'] else 'NO'}")
    print(f"  drained in          {r['drain_s']:8.1f} s   ({r['jobs_per_s']:.1f} jobs/s)")
    print(
        f"  mention → reply     p50 {r['reply_p50_s']:.1f} s   p99 {r['reply_p99_s']:.1f} s   (under the burst: queueing included;"
        f" NOX's own response_time_ms: p50 {r['own_p50_s']:.1f} s, p99 {r['own_p99_s']:.1f} s)"
    )
    print(f"  half the events answered {r['half_answered_s']:.1f} s after the burst began")
    print(
        f"  exactly once        {'yes' if ok else 'NO'}: {r['interactions']} interactions, {r['slack_events']} slack_events,"
        f" {r['replies']} replies, {r['duplicated']} duplicates"
    )
    print(f"  {r['load_before']} before, {r['load_after']} after")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--brokers", default="redis,rabbitmq")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--worker-processes", type=int, default=2)
    parser.add_argument("--worker-threads", type=int, default=4)
    parser.add_argument("--drain-timeout", type=float, default=1800)
    args = parser.parse_args()
    rabbitmq_url = os.environ.get("RABBITMQ_URL", DEFAULT_RABBITMQ_URL)
    print(
        f"bench/burst: {args.events} events, {args.concurrency} connections, workers "
        f"{args.worker_processes} processes × {args.worker_threads} threads; {load_average()}"
    )
    failed = False
    with Stack() as stack:
        stack.register_workspace(stack.env())
        for broker in [b.strip() for b in args.brokers.split(",") if b.strip()]:
            if broker == "rabbitmq":
                if not rabbitmq_reachable(rabbitmq_url):
                    print("\n== rabbitmq: skipped (not reachable) ==")
                    continue
                with rabbitmq_vhost(rabbitmq_url) as url:
                    result = run_one(stack, broker, args, url)
            else:
                result = run_one(stack, broker, args, None)
            report(result)
            failed |= not result["all_acked_in_3s"] or result["interactions"] != args.events or result["duplicated"] > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
