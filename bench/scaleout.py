"""Scale-out benchmark: job throughput with one `jamono worker` process, then with two, draining
the same kind of queue (Redis broker) preloaded with N `handle_message` jobs.

The queue is filled through the real path (signed events → `jamono serve` → Redis) while no
worker runs; then the workers start (each its own `jamono worker --processes 1 --threads T`, as
on separate machines) and throughput is timed between the first and the last job's reply in the
sandbox, so process start-up and model loading are left out. Prints jobs/s for 1 and 2 workers,
their ratio, and the load average — on a shared 2-core machine, read the ratio with it.

    .venv/bin/python bench/scaleout.py [--jobs 600] [--threads 4] [--max-workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid

from _stack import Stack, load_average
from burst import reply_times

from tests.reliability import rig  # noqa: E402 — bench/_stack puts the repo on sys.path


def drain(stack: Stack, workers: int, args: argparse.Namespace) -> dict:
    stack.flush_redis()
    stack.sandbox.reset()
    env = stack.env()
    logs = stack.data_dir / "logs"
    port = rig.free_port()
    web = rig.start_web(env, logs / f"web-{workers}.log", port)
    url = f"http://127.0.0.1:{port}/slack/events"
    procs: list[rig.Proc] = []
    try:
        rig.wait_port(port, web)
        from jamono.platform.settings import SANDBOX_SIGNING_SECRET
        from jamono.sandbox.sender import SlackEventSender

        payloads = SlackEventSender(url, SANDBOX_SIGNING_SECRET, sandbox=stack.sandbox)
        envelopes = rig.burst_envelopes(payloads, args.jobs, tag=uuid.uuid4().hex[:4].upper())
        results = asyncio.run(rig.fire(url, envelopes, concurrency=32))
        assert all(status == 200 for status, _, _ in results), "every event queued"
        queued = rig.queue_depth(stack.redis_url)
        load_before = load_average()
        for i in range(workers):
            procs.append(rig.start_worker(env, logs / f"worker-{workers}-{i}.log", processes=1, threads=args.threads))
        event_ids = [e["event_id"] for e in envelopes]
        deadline = time.monotonic() + args.timeout
        while stack.count(event_ids)[0] < args.jobs:
            if time.monotonic() > deadline or not all(p.alive() for p in procs):
                raise RuntimeError(f"drain did not complete: {procs[0].log_tail()}")
            time.sleep(0.5)
        done = reply_times(stack.sandbox)
        times = sorted(done[rig.target(e)] for e in envelopes if rig.target(e) in done)
        span = times[-1] - times[0]
        interactions, _, duplicated = stack.count(event_ids)
        return {
            "workers": workers,
            "queued": queued,
            "jobs": interactions,
            "duplicated": duplicated,
            "span_s": span,
            "jobs_per_s": (len(times) - 1) / span if span > 0 else float("nan"),
            "load_before": load_before,
            "load_after": load_average(),
        }
    finally:
        for proc in procs:
            proc.stop()
        web.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=600)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--max-workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    print(
        f"bench/scaleout: {args.jobs} preloaded jobs, workers of 1 process × {args.threads} threads; {load_average()}"
    )
    results = []
    with Stack() as stack:
        stack.register_workspace(stack.env())
        for workers in range(1, args.max_workers + 1):
            r = drain(stack, workers, args)
            results.append(r)
            print(
                f"  {workers} worker process(es): {r['jobs']}/{r['queued']} jobs, {r['jobs_per_s']:.1f} jobs/s "
                f"(first→last reply {r['span_s']:.1f} s), {r['duplicated']} duplicates; "
                f"{r['load_before']} before, {r['load_after']} after"
            )
    base = results[0]["jobs_per_s"]
    for r in results[1:]:
        print(f"throughput ratio {r['workers']} workers / 1 worker: {r['jobs_per_s'] / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
