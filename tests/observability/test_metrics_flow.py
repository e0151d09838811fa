"""One signed mention through the production topology, seen in the metrics and the logs.

Web `/metrics` (this process): the Slack event by type and outcome, the ack histogram.
Worker `/metrics` (a `jamono worker --processes 2` subprocess, multiprocess mode, one port):
the handle_message job's duration and outcome, NOX's response time for the workspace, the
queue depth. Worker logs: every line of the job — slack_sdk's Web API calls included — carries
the event's request id and the job id, and no token.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp

from tests.observability.promtext import scrape, value
from tests.plugins.stack import PLACEHOLDER, answered  # noqa: F401


async def _eventually(check, timeout: float = 20.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.2)


async def test_a_mention_shows_in_web_and_worker_metrics_and_logs(obs_web, obs_worker, obs_sandbox, obs_workspace):
    url, sender = obs_web
    identity, _ = obs_workspace
    worker_url = f"http://127.0.0.1:{obs_worker.port}/metrics"
    web_before = await scrape(f"{url}/metrics")
    worker_before = await scrape(worker_url)

    envelope = sender.app_mention("U0DEV", "C0OBS", "how do I roll back a Kubernetes deployment?")
    assert (await sender.send_event(envelope)).status == 200
    await obs_sandbox.wait_for(lambda: answered(obs_sandbox, "C0OBS", envelope["event"]["ts"]), timeout=30)

    web_after = await scrape(f"{url}/metrics")
    assert (
        value(web_after, "jamono_slack_events_total", type="app_mention", outcome="queued")
        - value(web_before, "jamono_slack_events_total", type="app_mention", outcome="queued")
    ) == 1
    assert value(web_after, "jamono_slack_ack_seconds_count") - value(web_before, "jamono_slack_ack_seconds_count") == 1
    assert (
        value(web_after, "jamono_slack_ack_seconds_bucket", le="3.0")
        >= value(web_after, "jamono_slack_ack_seconds_count")
        - value(web_after, "jamono_slack_ack_seconds_bucket", le="+Inf")
        + 1
    )

    async def worker_saw_it() -> str | None:
        text = await scrape(worker_url)
        done = value(text, "jamono_job_duration_seconds_count", actor="handle_message") - value(
            worker_before, "jamono_job_duration_seconds_count", actor="handle_message"
        )
        return text if done >= 1 else None

    worker_after = await _eventually(worker_saw_it)
    assert worker_after, "the worker's /metrics never showed the handle_message job"
    assert value(worker_after, "jamono_jobs_total", actor="handle_message", outcome="success") >= 1
    assert value(worker_after, "agent_response_time_seconds_count", agent="nox", workspace=identity.team_id) >= 1
    assert value(worker_after, "agent_response_time_seconds_sum", workspace=identity.team_id) > 0
    assert value(worker_after, "jamono_queue_messages", queue="nox", state="ready") >= 0
    assert 'jamono_queue_messages{queue="nox",state="dead"}' in worker_after
    assert value(worker_after, "jamono_kb_search_seconds_count", mode="hybrid") >= 1

    # The logs: the request id (the Slack event id) follows the event into the job and its Web API calls.
    lines = [json.loads(line) for line in obs_worker.log().splitlines() if line.startswith("{")]
    mine = [entry for entry in lines if entry.get("request_id") == envelope["event_id"]]
    assert mine, "no worker log line carried the event's request id"
    assert all(entry.get("job_id") for entry in mine)
    assert len({entry["job_id"] for entry in mine}) == 1
    web_api = [entry for entry in mine if entry["logger"].startswith("slack_sdk")]
    assert any("chat.postMessage" in entry["msg"] for entry in web_api), "slack_sdk's request log lacks the ids"
    assert obs_sandbox.bot_token not in obs_worker.log()


async def test_refused_and_ignored_requests_are_counted(obs_web):
    url, sender = obs_web
    before = await scrape(f"{url}/metrics")
    edit = sender.message("D0DEV", "an edit NOX does not answer", subtype="message_changed")
    assert (await sender.send_event(edit)).status == 200
    async with aiohttp.ClientSession() as session:
        forged = await session.post(
            f"{url}/slack/events",
            data=b'{"type":"event_callback"}',
            headers={
                "Content-Type": "application/json",
                "X-Slack-Signature": "v0=bad",
                "X-Slack-Request-Timestamp": "1",
            },
        )
        assert forged.status == 401
    after = await scrape(f"{url}/metrics")

    def delta(**labels: str) -> float:
        return value(after, "jamono_slack_events_total", **labels) - value(
            before, "jamono_slack_events_total", **labels
        )

    assert delta(type="message", outcome="ignored") == 1
    assert delta(type="other", outcome="refused") == 1
    assert delta(outcome="queued") == 0
