"""Declare benchmark: from the Declare incident click to the incident card pinned in its channel.

The real path on loopback: embedded PostgreSQL and Redis (unless DATABASE_URL / REDIS_URL are
set), the Slack sandbox, one `jamono serve` and one `jamono worker` process. For each of
`--declarations` incidents, one after another: a signed mention reports an incident in #ops, NOX
triages it (the baseline measured in the same run: mention → triage reply), then a signed click
on the reply's Declare incident button; the time runs from sending the click to the sandbox
receiving the card's pins.add. Jira is not connected (the ticket is a separate job). Prints
p50/p99/max of both, the ack of the click, and the exactly-once counts (one channel, one card,
one pin per declaration).

    .venv/bin/python bench/declare.py [--declarations 50] [--threads 4]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._stack import Stack, load_average  # noqa: E402
from tests.reliability import rig  # noqa: E402


async def _wait(predicate, timeout: float = 60.0, interval: float = 0.002):
    deadline = time.monotonic() + timeout
    while True:
        found = predicate()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(interval)


async def run(stack: Stack, url: str, n: int) -> dict:
    from jamono.platform.settings import SANDBOX_SIGNING_SECRET
    from jamono.sandbox.sender import SlackEventSender

    sandbox = stack.sandbox
    triage, declare, acks, channels = [], [], [], []
    async with SlackEventSender(f"{url}/slack/events", SANDBOX_SIGNING_SECRET, sandbox=sandbox) as sender:
        for i in range(n + 1):  # the first one warms the worker (model loading), not counted
            tag = uuid.uuid4().hex[:6]
            mention = sender.app_mention(
                "U0DEV", "C0OPS", f"prod is down!! bench{tag} api returns 502 for every customer"
            )
            t_mention = time.time()
            await sender.send_event(mention)
            ts = mention["event"]["ts"]

            def reply(ts=ts):
                return next(
                    (
                        m
                        for m in sandbox.bot_messages("C0OPS", thread_ts=ts)
                        if "propose_incident" in str(m.get("blocks"))
                    ),
                    None,
                )

            message = await _wait(reply)
            t_reply = max(c.time for c in sandbox.calls_to("chat.update") if c.params.get("ts") == message["ts"])
            block = next(b for b in message["blocks"] if str(b.get("block_id", "")).startswith("proposal:"))
            button = next(e for e in block["elements"] if e["action_id"] == "propose_incident")
            click = sender.block_actions(
                "U0DEV",
                [{"action_id": "propose_incident", "block_id": block["block_id"], "value": button["value"]}],
                channel="C0OPS",
                message_ts=message["ts"],
            )
            pins_before = len(sandbox.calls_to("pins.add"))
            t_click = time.time()
            response = await sender.send_interactive(click)
            t_ack = time.time()
            assert response.status == 200, response.body
            pinned = await _wait(lambda pins_before=pins_before: sandbox.calls_to("pins.add")[pins_before:])
            if i == 0:
                continue
            triage.append(t_reply - t_mention)
            acks.append(t_ack - t_click)
            declare.append(pinned[0].time - t_click)
            channels.append(pinned[0].params["channel"])
        await asyncio.sleep(1.0)  # anything still running would show up in the counts
    creates = [c for c in sandbox.calls_to("conversations.create") if c.ok]
    cards = {
        ch: [m for m in sandbox.bot_messages(ch) if (m.get("metadata") or {}).get("event_type") == "nox_incident_card"]
        for ch in channels
    }
    pins = [c for c in sandbox.calls_to("pins.add") if c.ok]
    return {
        "triage": triage,
        "declare": declare,
        "acks": acks,
        "channels": len(set(channels)),
        "creates": len(creates),
        "cards": sum(len(v) for v in cards.values()),
        "pins": len(pins),
    }


def _line(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{name}: p50 {statistics.median(ms):.0f} ms, p99 {rig.percentile(ms, 99):.0f} ms, "
        f"max {max(ms):.0f} ms (n={len(ms)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--declarations", type=int, default=50)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    print(f"bench/declare: {args.declarations} declarations, one at a time; {load_average()}")
    with Stack() as stack:
        env = stack.env()
        stack.register_workspace(env)
        logs = stack.data_dir / "logs"
        port = rig.free_port()
        web = rig.start_web(env, logs / "web.log", port)
        worker = rig.start_worker(env, logs / "worker.log", processes=1, threads=args.threads)
        try:
            rig.wait_port(port, web)
            result = asyncio.run(run(stack, f"http://127.0.0.1:{port}", args.declarations))
        finally:
            worker.stop()
            web.stop()
    n = args.declarations
    print(_line("baseline, mention → triage reply", result["triage"]))
    print(_line("Declare click → ack", result["acks"]))
    print(_line("Declare click → card pinned", result["declare"]))
    once = (
        result["channels"] == n + 0 and result["creates"] == n + 1 and result["pins"] == n + 1 and result["cards"] == n
    )
    print(
        f"exactly once: {once} (channels created {result['creates']}, cards {result['cards']} in the {n} measured"
        f" channels, pins {result['pins']}, incl. the warm-up); {load_average()}"
    )
    return 0 if once else 1


if __name__ == "__main__":
    raise SystemExit(main())
