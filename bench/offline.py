"""Offline throughput per core: a big workspace's channel traffic, most of it not for NOX.

Sends --events distinct signed events through the production path (`jamono serve` → Redis →
`jamono worker` → the Slack sandbox), no LLM: a share --answered of them NOX answers (mentions
and one DM in ten of those), the rest is people talking to each other (top-level messages in
channels nobody asked NOX to watch, replies in threads NOX is not in). Waits until every answer
is in and the queue is empty, and reads the CPU time the web and worker processes spent
(/proc, whole process groups). Prints events per CPU-second (the throughput of one core), CPU
milliseconds per answered and per ignored event, and the drain time.

    .venv/bin/python bench/offline.py [--events 3000] [--answered 0.1] [--worker-threads 8]

Run it in two checkouts one after the other to compare commits: the figures are per CPU-second,
so the load other processes put on the machine matters less than wall time would.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid

from _stack import Stack, load_average

from tests.reliability import rig  # noqa: E402 — bench/_stack puts the repo on sys.path

TICK = os.sysconf("SC_CLK_TCK")


def group_cpu_s(pgid: int) -> float:
    """User + system CPU seconds of every live process in a process group."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after ")": state, ppid, pgrp, …, utime (11), stime (12)
            total += int(fields[11]) + int(fields[12])
    return total / TICK


def traffic(payloads, n: int, answered_share: float, tag: str) -> tuple[list[dict], list[str]]:
    """n events, `answered_share` of them for NOX; returns (envelopes, event ids NOX answers)."""
    envelopes, answered = [], []
    every = max(1, round(1 / answered_share)) if answered_share > 0 else n + 1
    threads = [f"{1_700_000_000 + i}.000100" for i in range(50)]  # threads NOX never posted in
    for i in range(n):
        channel = f"C{tag}{i % 40:03d}"
        if i % every == 0:
            text = f"{rig.QUESTIONS[(i // every) % len(rig.QUESTIONS)]} ({tag}-{i})"  # every question in turn
            if (i // every) % 10 == 9:
                env = payloads.dm("U0DEV", text, channel=f"D{tag}{i:05d}")
            else:
                env = payloads.app_mention("U0DEV", f"C{tag}A{i:05d}", text)
            answered.append(env["event_id"])
        elif i % 3 == 0:
            env = payloads.message(channel, f"sure, see you at 12:{i % 60:02d}", thread_ts=threads[i % len(threads)])
        else:
            env = payloads.message(channel, f"the build {i} is green again, shipping the release notes")
        envelopes.append(env)
    return envelopes, answered


def run(stack: Stack, args: argparse.Namespace) -> dict:
    stack.flush_redis()
    stack.sandbox.reset()
    env = stack.env()
    port = rig.free_port()
    logs = stack.data_dir / "logs"
    web = rig.start_web(env, logs / "web.log", port)
    worker = rig.start_worker(env, logs / "worker.log", processes=1, threads=args.worker_threads)
    url = f"http://127.0.0.1:{port}/slack/events"
    try:
        rig.wait_port(port, web)
        from jamono.platform.settings import SANDBOX_SIGNING_SECRET
        from jamono.sandbox.sender import SlackEventSender

        payloads = SlackEventSender(url, SANDBOX_SIGNING_SECRET, sandbox=stack.sandbox)
        warm, warm_ids = traffic(payloads, 60, args.answered, "W" + uuid.uuid4().hex[:3].upper())
        asyncio.run(rig.fire(url, warm, concurrency=4))
        _drain(stack, warm_ids, worker, timeout=180)

        envelopes, answered = traffic(payloads, args.events, args.answered, uuid.uuid4().hex[:4].upper())
        web_before, worker_before = group_cpu_s(web.pid), group_cpu_s(worker.pid)
        started = time.perf_counter()
        results = asyncio.run(rig.fire(url, envelopes, concurrency=args.concurrency))
        burst_s = time.perf_counter() - started
        _drain(stack, answered, worker, timeout=args.drain_timeout)
        drain_s = time.perf_counter() - started
        web_cpu, worker_cpu = group_cpu_s(web.pid) - web_before, group_cpu_s(worker.pid) - worker_before
        interactions, _, duplicated = stack.count(answered)
        return {
            "events": args.events,
            "answered": len(answered),
            "acked": sum(1 for status, _, _ in results if status == 200),
            "burst_s": burst_s,
            "drain_s": drain_s,
            "web_cpu_s": web_cpu,
            "worker_cpu_s": worker_cpu,
            "events_per_cpu_s": args.events / (web_cpu + worker_cpu),
            "worker_events_per_cpu_s": args.events / worker_cpu if worker_cpu else float("inf"),
            "interactions": interactions,
            "duplicated": duplicated,
            "load": load_average(),
        }
    finally:
        web.stop()
        worker.stop()


def _drain(stack: Stack, answered: list[str], worker, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        done = stack.count(answered)[0] >= len(answered) and rig.queue_depth(stack.redis_url) == 0
        if done:
            return
        if time.monotonic() > deadline or not worker.alive():
            raise RuntimeError(f"not drained: {worker.log_tail()}")
        time.sleep(0.25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--answered", type=float, default=0.1, help="share of the events NOX answers")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--worker-threads", type=int, default=8)
    parser.add_argument("--drain-timeout", type=float, default=1800)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    print(f"bench/offline: {args.events} events, {args.answered:.0%} for NOX; 1 worker process; {load_average()}")
    with Stack() as stack:
        stack.register_workspace(stack.env())
        r = run(stack, args)
    ignored = r["events"] - r["answered"]
    print(f"  acked {r['acked']}/{r['events']} (burst sent in {r['burst_s']:.1f} s), drained in {r['drain_s']:.1f} s")
    print(f"  answered {r['interactions']}/{r['answered']}, {r['duplicated']} duplicates")
    print(f"  CPU: web {r['web_cpu_s']:.1f} s, worker {r['worker_cpu_s']:.1f} s")
    print(f"  events per CPU-second (web + worker): {r['events_per_cpu_s']:.1f}")
    print(f"  events per worker CPU-second:          {r['worker_events_per_cpu_s']:.1f}")
    print(
        f"  CPU per event: {1000 * (r['web_cpu_s'] + r['worker_cpu_s']) / r['events']:.2f} ms"
        f" ({r['answered']} answered, {ignored} for other people)"
    )
    print(f"  {r['load']}")
    if args.json:
        print(json.dumps(r))
    return 0 if r["interactions"] == r["answered"] and r["duplicated"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
