"""Bad input on `POST /slack/events`: a few hundred seeded, signed, malformed requests. Every one
gets a 4xx (never a 5xx) — except well-formed envelopes of unknown event types, which are acked
and ignored, as Slack requires — no traceback reaches the logs, and nothing is queued."""

from __future__ import annotations

import logging
from collections import Counter

import aiohttp
import pytest
import redis
from dramatiq.brokers.redis import RedisBroker

from jamono.platform.settings import SANDBOX_SIGNING_SECRET
from jamono.sandbox.signing import signed_headers
from tests.reliability.fuzz_cases import cases
from tests.reliability.rig import open_web

SEED = 20261124
N_CASES = 420
NAMESPACE = "jamono-fuzz"


@pytest.fixture
async def fuzz_web(rel_settings, pool, rel_workspace, rsandbox, rel_redis_url):
    """NOX's web app on a queue namespace no worker reads, so anything queued stays countable."""
    client = redis.Redis.from_url(rel_redis_url)
    for key in client.scan_iter(f"{NAMESPACE}:*"):
        client.delete(key)
    identity, _ = rel_workspace
    runner, web = await open_web(
        rel_settings, pool, identity, rsandbox, broker=RedisBroker(client=client, namespace=NAMESPACE)
    )

    def queued() -> int:
        return sum(client.hlen(key) for key in client.scan_iter(f"{NAMESPACE}:*.msgs"))

    yield web, queued
    await web.sender.close()
    await runner.cleanup()
    client.close()


async def test_malformed_requests_get_4xx_no_traceback_and_nothing_is_queued(fuzz_web, caplog):
    web, queued = fuzz_web
    caplog.set_level(logging.INFO)
    statuses: Counter[tuple[str, int]] = Counter()
    bad: list[str] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        for case in cases(SEED, N_CASES):
            headers = {"Content-Type": case.content_type, **signed_headers(SANDBOX_SIGNING_SECRET, case.body)}
            if not case.content_type:
                headers["Content-Type"] = ""
            async with session.post(f"{web.url}/slack/events", data=case.body, headers=headers) as response:
                await response.read()
                statuses[(case.kind, response.status)] += 1
                # An unknown event type is acked (2xx), or refused (4xx) when its bytes are not UTF-8.
                wanted = range(400, 500) if case.expect == "4xx" else [*range(200, 300), *range(400, 500)]
                if response.status not in wanted:
                    bad.append(f"{response.status} (wanted {case.expect}): {case.describe()}")
    kinds = Counter(kind for kind, _ in statuses.elements())
    assert len(kinds) >= 15, f"the generator should cover many kinds of bad input: {sorted(kinds)}"
    assert not bad, f"{len(bad)} of {N_CASES} bad requests were not answered as expected:\n" + "\n".join(bad[:15])
    tracebacks = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not tracebacks, [f"{r.name}: {r.getMessage()[:200]}" for r in tracebacks[:5]]
    assert queued() == 0, "a refused request must never leave a job behind"
    # And the app still serves a good request afterwards.
    envelope = web.sender.app_mention("U0DEV", "C0FUZZ", "<@U0NOX> still there?")
    assert (await web.sender.send_event(envelope)).status == 200
    assert queued() == 1
