"""The answers' shards: stable per workspace, counted as one in metrics, all scaled on by KEDA."""

from __future__ import annotations

import yaml

from jamono.queue.names import (
    ANSWER_QUEUES,
    ANSWER_SHARDS,
    ANSWERS_QUEUE,
    NOX_QUEUE,
    QUEUES,
    Actor,
    answers_queue,
    queue_family,
    queue_of,
)
from tests.architecture.import_graph import ROOT


def test_a_workspace_answers_on_one_shard_and_other_jobs_on_nox() -> None:
    shard = queue_of(Actor.HANDLE_MESSAGE, "T0FAIRA")
    assert shard == answers_queue("T0FAIRA") == "nox_answers.1", "crc32: the same in every process and release"
    assert queue_of(Actor.ANSWER_COMMAND, "T0FAIRA") == shard
    assert queue_of(Actor.HANDLE_MESSAGE) == ANSWERS_QUEUE, "no workspace: the first answers queue"
    assert queue_of(Actor.PUBLISH_HOME, "T0FAIRA") == NOX_QUEUE
    teams = [f"T{i:08d}" for i in range(400)]
    assert {answers_queue(t) for t in teams} == set(ANSWER_QUEUES) - {ANSWERS_QUEUE}
    assert len(ANSWER_QUEUES) == ANSWER_SHARDS + 1 and set(ANSWER_QUEUES) < set(QUEUES)


def test_metrics_count_the_shards_as_the_answers_queue() -> None:
    assert {queue_family(q) for q in ANSWER_QUEUES} == {ANSWERS_QUEUE}
    assert queue_family(NOX_QUEUE) == NOX_QUEUE


def test_the_fleet_scales_on_every_queue() -> None:
    """A shard KEDA does not read would let its workspaces' answers wait with no worker added."""
    docs = yaml.safe_load_all((ROOT / "deploy/k8s/base/worker-scaledobject.yaml").read_text())
    scaled = next(d for d in docs if d["kind"] == "ScaledObject")
    lists = {t["metadata"]["listName"] for t in scaled["spec"]["triggers"]}
    assert lists == {f"jamono:{q}" for q in QUEUES}
