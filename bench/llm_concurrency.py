"""LLM-bound concurrency: how many answers one worker process keeps in flight when the LLM is slow.

The OpenAI stand-in (tests/standins/openai_api.py) answers every chat completion after a fixed
--llm-delay seconds (embeddings at once). --mentions distinct mentions are sent at once through
the production path (`jamono serve` → Redis → ONE `jamono worker` process → sandbox), with
--offline `/nox kb search` commands (no LLM) sent during the burst. For each --threads setting
in turn, prints: answers/s over the drain, the chat completions open at once (most, and mean over
the drain; --timeline: second by second), the whole machine's CPU per answer split by part
(worker, PostgreSQL, Redis, web, the harness), the worker process's peak RSS, how long the offline
jobs waited, and the exactly-once check.

    .venv/bin/python bench/llm_concurrency.py [--mentions 400] [--threads 8,96] [--llm-delay 2]

Target (issue 18): ≥ 64 answers in flight, ≥ 0.8 × 64 / delay answers per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
import uuid
from typing import Any

from _stack import Stack, load_average

from tests.reliability import rig  # noqa: E402 — bench/_stack puts the repo on sys.path
from tests.standins.openai_api import OpenAIStandIn  # noqa: E402

ANALYSIS = {
    "intent": "question",
    "severity": None,
    "summary": None,
    "service": None,
    "meeting_needed": False,
    "meeting_title": None,
    "meeting_duration_min": None,
    "attendees": [],
    "language": "en",
    "confidence": 0.8,
}
ANSWER = {"answer": "Restart the ingest job [1].", "used_sources": [1], "covered": True, "first_checks": None}


def respond(body: dict[str, Any]) -> str:
    name = ((body.get("response_format") or {}).get("json_schema") or {}).get("name", "")
    text = json.dumps(body.get("messages"))
    is_answer = name == "answer" or '"used_sources"' in text
    return json.dumps(ANSWER if is_answer else ANALYSIS)


def group_cpu_s(pgid: int) -> float:
    from offline import group_cpu_s as cpu

    return cpu(pgid)


def cpu_by_part(groups: dict[int, str]) -> dict[str, float]:
    """CPU seconds so far of every process, summed by part: PostgreSQL, Redis, a known group, other."""
    tick = os.sysconf("SC_CLK_TCK")
    parts: dict[str, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                name, rest = f.read().split(" (", 1)[1].rsplit(")", 1)
            fields = rest.split()
        except (OSError, ValueError, IndexError):
            continue
        part = "postgres" if "postgres" in name else "redis" if "redis" in name else groups.get(int(fields[2]), "other")
        parts[part] = parts.get(part, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return parts


def group_rss_mb(pgid: int) -> float:
    """Resident memory of the process group's processes, MB."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[2]) != pgid:
                    continue
            with open(f"/proc/{entry}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total / 1024


def run_one(stack: Stack, api: OpenAIStandIn, threads: int, args: argparse.Namespace) -> dict:
    stack.flush_redis()
    stack.sandbox.reset()
    api.reset()
    api.default, api.default_delay_s = respond, args.llm_delay
    api.max_in_flight = 0
    env = stack.env(OPENAI_API_KEY=api.api_key, OPENAI_BASE_URL=api.base_url, OPENAI_TIMEOUT_S="30")
    port = rig.free_port()
    logs = stack.data_dir / "logs"
    web = rig.start_web(env, logs / f"web-{threads}.log", port)
    worker = rig.start_worker(env, logs / f"worker-{threads}.log", processes=1, threads=threads)
    url = f"http://127.0.0.1:{port}/slack/events"
    try:
        rig.wait_port(port, web)
        from jamono.platform.settings import SANDBOX_SIGNING_SECRET
        from jamono.sandbox.sender import SlackEventSender

        payloads = SlackEventSender(url, SANDBOX_SIGNING_SECRET, sandbox=stack.sandbox)
        warm = rig.burst_envelopes(payloads, 8, tag="W" + uuid.uuid4().hex[:3].upper())
        asyncio.run(rig.fire(url, warm, concurrency=8))
        _wait(stack, [e["event_id"] for e in warm], worker, 180)
        api.max_in_flight = 0

        tag = uuid.uuid4().hex[:4].upper()
        envelopes = rig.burst_envelopes(payloads, args.mentions, tag=tag)
        ids = [e["event_id"] for e in envelopes]
        peak = {"rss": 0.0}
        stop = threading.Event()

        in_flight: list[tuple[float, int]] = []  # (time, chat completions open), every 50 ms

        def sample() -> None:
            next_rss = 0.0
            while not stop.is_set():
                in_flight.append((time.perf_counter(), api.in_flight))
                if time.perf_counter() >= next_rss:
                    peak["rss"] = max(peak["rss"], group_rss_mb(worker.pid))
                    next_rss = time.perf_counter() + 0.5
                stop.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        responses_before = len(stack.sandbox.calls_to("response_url"))
        cpu_before = group_cpu_s(worker.pid)
        groups = {worker.pid: "worker", web.pid: "web", os.getpgid(0): "harness (sandbox, stand-in)"}
        parts_before = cpu_by_part(groups)
        requests_before = len(api.requests)
        started = time.perf_counter()
        asyncio.run(rig.fire(url, envelopes, concurrency=64))
        sent_offline = _send_offline(payloads, args.offline, args.llm_delay)
        answered_at = _wait(stack, ids, worker, args.drain_timeout)
        during = [n for t, n in in_flight if started <= t <= answered_at]
        if args.timeline:
            for second in range(int(answered_at - started) + 1):
                now = [n for t, n in in_flight if second <= t - started < second + 1]
                print(f"  t={second:3d}s in flight {sum(now) / max(len(now), 1):6.1f}", flush=True)
        drain_s = time.perf_counter() - started
        worker_cpu = group_cpu_s(worker.pid) - cpu_before
        parts_after = cpu_by_part(groups)
        cpu_ms = {k: 1000 * (v - parts_before.get(k, 0.0)) / args.mentions for k, v in parts_after.items()}
        offline_done = _wait_offline(stack, responses_before, args.offline, 120)
        chats = [r for r in api.requests[requests_before:] if r.path.endswith("/chat/completions") and r.body]
        prompt_chars = sum(len(json.dumps(r.body.get("messages"), ensure_ascii=False)) for r in chats)
        stop.set()
        sampler.join()
        waits = [done - sent for sent, done in zip(sent_offline, offline_done, strict=False)]
        interactions, events, duplicated = stack.count(ids)
        return {
            "threads": threads,
            "mentions": args.mentions,
            "drain_s": drain_s,
            "answers_per_s": args.mentions / (answered_at - started),
            "max_in_flight": api.max_in_flight,
            "mean_in_flight": sum(during) / len(during) if during else 0.0,
            "chat_calls": len(chats),
            "worker_cpu_ms_per_answer": 1000 * worker_cpu / args.mentions,
            "prompt_tokens_per_answer": prompt_chars / 4 / args.mentions,
            "peak_rss_mb": peak["rss"],
            "cpu_ms_per_answer_by_part": {k: round(v, 1) for k, v in sorted(cpu_ms.items(), key=lambda kv: -kv[1])},
            "offline_wait_p50_s": rig.percentile(waits, 50) if waits else float("nan"),
            "offline_wait_max_s": max(waits) if waits else float("nan"),
            "offline_done": len(offline_done),
            "interactions": interactions,
            "slack_events": events,
            "duplicated": duplicated,
            "load": load_average(),
        }
    finally:
        web.stop()
        worker.stop()


def _send_offline(payloads, n: int, spacing: float) -> list[float]:
    """`/nox kb search …` commands, one every spacing/2 s, while the answers wait for the LLM."""
    sent = []
    for i in range(n):
        time.sleep(spacing / 2)
        form = payloads.slash_command("U0DEV", f"kb search restart ingest {i}", channel=f"C0KB{i:04d}")
        sent.append(time.time())  # the sandbox stamps what it receives with time.time()
        status = payloads.send_command_sync(form).status
        if status != 200:
            raise RuntimeError(f"kb search command refused: {status}")
    return sent


def _wait_offline(stack: Stack, before: int, n: int, timeout: float) -> list[float]:
    """When the sandbox received each offline job's response (its own clock), in order."""
    deadline = time.monotonic() + timeout
    while len(stack.sandbox.calls_to("response_url")) - before < n and time.monotonic() < deadline:
        time.sleep(0.05)
    return sorted(call.time for call in stack.sandbox.calls_to("response_url")[before:])


def _wait(stack: Stack, ids: list[str], worker, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while stack.count(ids)[0] < len(ids):
        if time.monotonic() > deadline or not worker.alive():
            raise RuntimeError(f"not drained: {worker.log_tail()}")
        time.sleep(0.1)
    return time.perf_counter()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentions", type=int, default=400)
    parser.add_argument("--threads", default="8,96", help="worker threads to compare, comma-separated")
    parser.add_argument("--llm-delay", type=float, default=2.0)
    parser.add_argument("--offline", type=int, default=10, help="kb search commands sent during the burst")
    parser.add_argument("--drain-timeout", type=float, default=900)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--timeline", action="store_true", help="print the chat calls open, second by second")
    args = parser.parse_args()
    print(f"bench/llm_concurrency: {args.mentions} mentions, LLM answers after {args.llm_delay:g} s; {load_average()}")
    results = []
    with Stack() as stack, OpenAIStandIn() as api:
        stack.register_workspace(stack.env(OPENAI_API_KEY=api.api_key, OPENAI_BASE_URL=api.base_url))
        for threads in [int(t) for t in args.threads.split(",") if t.strip()]:
            r = run_one(stack, api, threads, args)
            results.append(r)
            ok = r["interactions"] == r["mentions"] == r["slack_events"] and r["duplicated"] == 0
            print(f"\n== 1 worker process × {threads} threads ==")
            print(f"  {r['mentions']} answers in {r['drain_s']:.1f} s: {r['answers_per_s']:.1f} answers/s")
            print(
                f"  chat completions open at once: max {r['max_in_flight']}, mean {r['mean_in_flight']:.0f}"
                f" from the first mention sent to the last answer ({r['chat_calls']} calls)"
            )
            print(
                f"  worker CPU {r['worker_cpu_ms_per_answer']:.0f} ms per answer;"
                f" prompts ~{r['prompt_tokens_per_answer']:.0f} tokens per answer (chars / 4)"
            )
            split = ", ".join(f"{k} {v:.0f}" for k, v in r["cpu_ms_per_answer_by_part"].items() if v >= 0.5)
            print(f"  CPU ms per answer, whole machine: {sum(r['cpu_ms_per_answer_by_part'].values()):.0f} ({split})")
            print(f"  worker peak RSS {r['peak_rss_mb']:.0f} MB (supervisor + worker process)")
            print(
                f"  offline jobs (kb search) during the burst: {r['offline_done']}/{args.offline} done,"
                f" waited p50 {r['offline_wait_p50_s']:.2f} s, max {r['offline_wait_max_s']:.2f} s"
            )
            print(
                f"  exactly once {'yes' if ok else 'NO'}: {r['interactions']} interactions,"
                f" {r['slack_events']} slack_events, {r['duplicated']} duplicates; {r['load']}"
            )
    if len(results) > 1:
        print(f"\nanswers/s ratio {results[-1]['answers_per_s'] / results[0]['answers_per_s']:.2f}")
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
