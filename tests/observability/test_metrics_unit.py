"""The pieces of the metrics that need no services: the ack stats, types, outcomes, labels."""

from __future__ import annotations

import os

from jamono.observability.metrics import ACK_BUCKETS, AckStats, _label, slack_event_type, slack_outcome
from tests.observability.promtext import samples


def _text(stats: AckStats) -> str:
    from prometheus_client import CollectorRegistry, generate_latest

    registry = CollectorRegistry()
    registry.register(stats)
    return generate_latest(registry).decode()


def test_ack_stats_are_a_cumulative_histogram_and_a_counter():
    stats = AckStats()
    for seconds in (0.0004, 0.001, 0.004, 0.012, 5.0):  # 0.001 falls in le=0.001 (bounds are inclusive)
        stats.record("app_mention", "queued", seconds)
    stats.record("something_new", "ignored", 0.002)  # unknown types are counted as "other"
    found = {(name, tuple(sorted(labels.items()))): value for name, labels, value in samples(_text(stats))}
    bucket = lambda le: found[("jamono_slack_ack_seconds_bucket", (("le", le),))]  # noqa: E731
    assert bucket("0.001") == 2 and bucket("0.0025") == 3 and bucket("0.005") == 4 and bucket("0.015") == 5
    assert bucket("3.0") == 5 and bucket("+Inf") == 6 == stats.count
    assert found[("jamono_slack_ack_seconds_count", ())] == 6
    assert abs(found[("jamono_slack_ack_seconds_sum", ())] - 5.0194) < 1e-9
    assert found[("jamono_slack_events_total", (("outcome", "queued"), ("type", "app_mention")))] == 5
    assert found[("jamono_slack_events_total", (("outcome", "ignored"), ("type", "other")))] == 1
    assert len(ACK_BUCKETS) == len(set(ACK_BUCKETS))


def test_slack_request_types_and_outcomes():
    assert slack_event_type({"type": "event_callback", "event": {"type": "app_mention"}}) == "app_mention"
    assert slack_event_type({"type": "event_callback", "event": {"type": "reaction_added"}}) == "other"
    assert slack_event_type({"type": "event_callback", "event": "garbage"}) == "other"
    assert slack_event_type({"command": "/nox", "text": "help"}) == "slash_command"
    assert slack_event_type({"type": "block_actions"}) == "block_actions"
    assert slack_event_type({"type": "url_verification"}) == "url_verification"
    assert [slack_outcome(s, q) for s, q in ((200, True), (200, False), (401, False), (413, False), (500, True))] == [
        "queued",
        "ignored",
        "refused",
        "refused",
        "failed",
    ]


def test_label_values_never_carry_free_text_or_tokens():
    assert _label("jira.create_ticket") == "jira.create_ticket"
    assert _label("T0SANDBOX") == "T0SANDBOX"
    for bad in ("xoxb-123-456", "sk-abcdef", "how do I roll back?", "a" * 65, "", None, "<@U123>"):
        assert _label(bad) == "other"


def test_record_action_counts_by_type_and_outcome():
    from prometheus_client import REGISTRY

    from jamono.observability.metrics import record_action

    def count() -> float:
        return (
            REGISTRY.get_sample_value("jamono_actions_total", {"type": "jira.create_ticket", "outcome": "created"}) or 0
        )

    before = count()
    record_action("jira.create_ticket", "created")
    record_action("jira.create_ticket", "created")
    assert count() - before == 2
    record_action("free text type!", "created")
    assert REGISTRY.get_sample_value("jamono_actions_total", {"type": "other", "outcome": "created"}) >= 1


def test_prepare_multiprocess(monkeypatch, tmp_path):
    from jamono.queue.job_metrics import MULTIPROC_ENV, prepare_multiprocess

    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    monkeypatch.delenv("JAMONO_WORKER_METRICS_PORT", raising=False)  # restored (absent) after the test
    assert prepare_multiprocess(0) is None and MULTIPROC_ENV not in os.environ
    first = prepare_multiprocess(9999)
    assert first is not None and first.is_dir()
    monkeypatch.delenv(MULTIPROC_ENV)
    assert prepare_multiprocess(9999) != first  # two `jamono worker` never share a directory
    given = tmp_path / "prom"
    given.mkdir()
    (given / "counter_123.db").write_bytes(b"stale")
    monkeypatch.setenv(MULTIPROC_ENV, str(given))
    assert prepare_multiprocess(9999) == given and list(given.iterdir()) == []


async def test_web_metrics_can_require_a_bearer_token():
    from aiohttp.test_utils import TestClient, TestServer
    from slack_bolt.async_app import AsyncApp

    from jamono.web.app import build_web_app

    bolt = AsyncApp(signing_secret="s", token="xoxb-x", request_verification_enabled=False)
    async with TestClient(TestServer(build_web_app(bolt, "s", {}, metrics_token="s3cret"))) as client:
        assert (await client.get("/metrics")).status == 401
        assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status == 401
        ok = await client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
        assert ok.status == 200 and "jamono_slack_ack_seconds" in await ok.text()
    async with TestClient(TestServer(build_web_app(bolt, "s", {}))) as client:
        assert (await client.get("/metrics")).status == 200  # no token configured: open, as before
