"""What a person reads, through the real path (signed HTTP → listener → queue → worker → sandbox):
answers quote the sections that fix things, across languages, in incidents and in thread follow-ups."""

from __future__ import annotations

import uuid

import pytest

from jamono.sandbox.render import render_message
from knowledge.documents import SourceDocument
from knowledge.ingest import ingest_documents
from tests.plugins.drained import queue_drained

PLACEHOLDER = ":eyes:"

# An English-only runbook on a topic the bundled ones do not cover: its explanatory sections
# repeat the symptom's words, its fix sits under Diagnosis and Mitigation.
BROKER_RUNBOOK = """# Message broker — consumer lag keeps growing

## Meaning

Consumer lag grows when the consumers of a group read messages more slowly than producers write
them: the lag of the consumer group keeps growing and messages wait longer and longer.

## Impact

Messages are processed late; with retention limits, unread messages can be deleted before they
are read.

## Diagnosis

Describe the group to see the lag per partition and which consumer owns it:

```shell
kafka-consumer-groups --bootstrap-server broker:9092 --describe --group <group>
```

A single partition far behind points at one slow or stuck consumer.

## Mitigation

Add consumers up to the number of partitions, or restart the stuck consumer:

```shell
kubectl -n <ns> scale deployment/<consumer> --replicas=<partitions>
```
"""


def _answered(sandbox, channel: str, thread_ts: str):
    replies = sandbox.bot_messages(channel, thread_ts=thread_ts)
    if replies and PLACEHOLDER not in (replies[-1].get("text") or ""):
        return replies
    return None


def _shown(message: dict) -> str:
    return render_message(message)


@pytest.fixture(scope="module")
def broker_runbook(pool, sandbox_workspace, e2e_settings):
    from knowledge.embeddings import get_embedder

    _, workspace = sandbox_workspace
    report = ingest_documents(
        pool,
        workspace.tenant_id,
        [
            SourceDocument(
                source="runbooks/broker-consumer-lag.md",
                title="Message broker — consumer lag keeps growing",
                content=BROKER_RUNBOOK,
                lang="en",
            )
        ],
        get_embedder(redis_url=e2e_settings.redis_url),
    )
    assert not report.failed
    return report


async def test_a_how_to_question_gets_the_diagnosis_and_fix_not_the_meaning(worker, sender, sandbox, broker_runbook):
    envelope = sender.dm(
        "U0DEV",
        "the consumer group lag keeps growing and messages wait longer and longer, "
        "how do I find the slow consumer and fix it?",
    )
    ts = envelope["event"]["ts"]
    assert (await sender.send_event(envelope)).status == 200
    reply = (await sandbox.wait_for(lambda: _answered(sandbox, "D0DEV", ts), timeout=20))[-1]
    shown = _shown(reply)
    assert "kafka-consumer-groups --bootstrap-server broker:9092 --describe --group <group>" in shown
    assert "--replicas=<partitions>" in shown, "the Mitigation section is quoted too, code block whole"
    assert "Consumer lag grows when" not in shown, "the Meaning paraphrase of the symptom is not the answer"
    assert "Diagnosis" in shown and "Mitigation" in shown


async def test_a_french_question_is_answered_from_an_english_runbook_in_french(worker, sender, sandbox, broker_runbook):
    envelope = sender.dm(
        "U0DEV",
        "le retard du groupe de consommateurs kafka augmente sans arrêt, "
        "comment trouver le consommateur lent et corriger ?",
    )
    ts = envelope["event"]["ts"]
    assert (await sender.send_event(envelope)).status == 200
    reply = (await sandbox.wait_for(lambda: _answered(sandbox, "D0DEV", ts), timeout=20))[-1]
    shown = _shown(reply)
    assert "D'après" in shown and "Sources :" in shown, "NOX's own words are French"
    assert "kafka-consumer-groups" in shown, "the English runbook's commands are quoted as written"


async def _reported(sender, sandbox, text: str) -> str:
    """An @nox report in a fresh channel, and NOX's reply as Slack shows it."""
    channel = "C" + uuid.uuid4().hex[:9].upper()
    envelope = sender.app_mention("U0DEV", channel, text)
    ts = envelope["event"]["ts"]
    assert (await sender.send_event(envelope)).status == 200
    return _shown((await sandbox.wait_for(lambda: _answered(sandbox, channel, ts), timeout=20))[-1])


async def test_an_incident_after_a_deploy_gets_the_rollback_steps_first(worker, sender, sandbox):
    shown = await _reported(
        sender, sandbox, "the payments API returns 502 for all EU customers since 14:05, right after deploy 4.12"
    )
    assert "Incident" in shown and "What to check first" in shown
    assert "rollout undo" in shown, "a recent deploy points at the rollback runbook's steps"
    assert "No runbook" not in shown


async def test_an_incident_nothing_matches_says_so(worker, sender, sandbox):
    shown = await _reported(
        sender, sandbox, "URGENT the espresso machine on floor 3 is leaking everywhere, the floor is flooded"
    )
    assert "rollout undo" not in shown and "kubectl" not in shown
    assert "runbook" in shown.lower()


async def _mention_answered(sender, sandbox, channel: str, text: str) -> str:
    envelope = sender.app_mention("U0DEV", channel, text)
    ts = envelope["event"]["ts"]
    assert (await sender.send_event(envelope)).status == 200
    await sandbox.wait_for(lambda: _answered(sandbox, channel, ts), timeout=20)
    return ts


async def _reply(sender, channel: str, thread_ts: str, text: str, user: str = "U0DEV") -> str:
    envelope = sender.message(channel, text, user=user, thread_ts=thread_ts)
    assert (await sender.send_event(envelope)).status == 200
    return envelope["event"]["ts"]


async def test_a_follow_up_in_the_thread_is_answered_without_a_mention(worker, sender, sandbox, broker_runbook, broker):
    channel = "C" + uuid.uuid4().hex[:9].upper()
    root = await _mention_answered(
        sender, sandbox, channel, "consumer group lag keeps growing on the orders topic, what should I check?"
    )
    assert len(sandbox.bot_messages(channel, thread_ts=root)) == 1
    await _reply(sender, channel, root, "and if restarting the consumer doesn't fix it?")
    replies = await sandbox.wait_for(lambda: (r := _answered(sandbox, channel, root)) and len(r) == 2 and r, timeout=20)
    assert "scale deployment" in _shown(replies[-1]), "answered from the thread's runbook"
    # NOX answered unasked once: the next reply waits for a mention (never twice in a row).
    await _reply(sender, channel, root, "what about the staging cluster?")
    await queue_drained(broker)  # the reply's job has run
    assert len(sandbox.bot_messages(channel, thread_ts=root)) == 2


async def test_replies_not_meant_for_nox_stay_unanswered(worker, sender, sandbox, broker_runbook, broker):
    channel = "C" + uuid.uuid4().hex[:9].upper()
    root = await _mention_answered(sender, sandbox, channel, "consumer group lag keeps growing, how do I fix it?")
    await _reply(sender, channel, root, "<@U0ALICE> can you look at the orders consumer? is the lag growing for you?")
    await _reply(sender, channel, root, "thanks!")
    other = "C" + uuid.uuid4().hex[:9].upper()  # a thread NOX never answered
    said = sandbox.user_says("U0DEV", other, "anyone seen consumer lag on orders?")
    await _reply(sender, other, said["ts"], "yes, how do I find the slow consumer?")
    await queue_drained(broker)  # the reply's job has run
    assert len(sandbox.bot_messages(channel, thread_ts=root)) == 1
    assert sandbox.bot_messages(other) == []
    assert not [c for c in sandbox.calls_to("conversations.replies") if c.params.get("ts") == said["ts"]], (
        "a thread NOX never answered costs no call to Slack"
    )


async def test_a_channel_can_turn_follow_ups_off(worker, sender, sandbox, broker_runbook, broker):
    channel = "C" + uuid.uuid4().hex[:9].upper()
    response = await sender.send_command(sender.slash_command("U0DEV", "followups off", channel=channel))
    assert response.status == 200
    await sandbox.wait_for(
        lambda: [c for c in sandbox.calls_to("response_url") if "only answer when someone" in str(c.params)], timeout=15
    )
    root = await _mention_answered(sender, sandbox, channel, "consumer group lag keeps growing, how do I fix it?")
    await _reply(sender, channel, root, "and if that doesn't work, what next?")
    await queue_drained(broker)  # the reply's job has run
    assert len(sandbox.bot_messages(channel, thread_ts=root)) == 1
