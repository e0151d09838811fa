"""`/nox incident <verb> …` in an incident's channel and `/nox incidents`: parsed, queued, acked.

The slash command's trigger_id names the request: a retry of it lands on the same event."""

from __future__ import annotations

from typing import Any, Literal

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from jamono.incidents.models import Change, ChangeKind, Lang, ListRequest
from jamono.memory.models import Ask, Publish
from jamono.queue.names import Actor

TIMELINE_VERBS = ("timeline", "chronologie")
PUBLISH_VERBS = ("publish", "publier")

VERBS: dict[str, ChangeKind | Literal["help"]] = {
    "status": "status",
    "statut": "status",
    "severity": "severity",
    "sev": "severity",
    "sévérité": "severity",
    "severite": "severity",
    "lead": "lead",
    "responsable": "lead",
    "update": "update",
    "point": "update",
    "resolve": "resolved",
    "résoudre": "resolved",
    "resoudre": "resolved",
    "help": "help",
    "aide": "help",
}


def change_job(command: dict[str, Any], args: str) -> Change | None:
    """A Change for `/nox incident <verb> …`, or None when the words are not a verb (→ the modal)."""
    verb, _, rest = args.strip().partition(" ")
    kind = VERBS.get(verb.lower())
    if kind is None:
        return None
    rest = rest.strip()
    value, note = rest, ""
    if kind in ("status", "severity", "lead"):
        value, _, note = rest.partition(" ")
    elif kind in ("update", "resolved"):
        value, note = "", rest
    return Change(
        team_id=command.get("team_id", ""),
        enterprise_id=command.get("enterprise_id") or None,
        user=command.get("user_id", ""),
        key=f"cmd:{command.get('trigger_id') or ''}",
        channel=command.get("channel_id", ""),
        kind=kind,
        value=value[:3000],
        note=note.strip()[:3000],
        response_url=command.get("response_url") or None,
    )


async def queue_change(job: Change, ack: AsyncAck, context: AsyncBoltContext) -> None:
    await context["jobs"].enqueue_async(Actor.INCIDENTS_CHANGE, job.model_dump(mode="json"))
    await ack()


async def queue_list(command: dict[str, Any], lang: Lang, ack: AsyncAck, context: AsyncBoltContext) -> None:
    job = ListRequest(
        team_id=command.get("team_id", ""),
        enterprise_id=command.get("enterprise_id") or None,
        user=command.get("user_id", ""),
        channel=command.get("channel_id", ""),
        response_url=command.get("response_url") or None,
        lang=lang,
    )
    await context["jobs"].enqueue_async(Actor.INCIDENTS_LIST, job.model_dump(mode="json"))
    await ack()


def ask_job(command: dict[str, Any], what: str, text: str, lang: str) -> Ask:
    """`/nox incident timeline`, `/nox summary`, `/nox similar [text]` for the worker."""
    return Ask(
        team_id=command.get("team_id", ""),
        enterprise_id=command.get("enterprise_id") or None,
        user=command.get("user_id", ""),
        channel=command.get("channel_id", ""),
        what=what,  # type: ignore[arg-type]
        text=text[:3000],
        response_url=command.get("response_url") or None,
        lang=lang,  # type: ignore[arg-type]
    )


def is_timeline(args: str) -> bool:
    return args.strip().lower() in TIMELINE_VERBS


async def queue_ask(job: Ask, ack: AsyncAck, context: AsyncBoltContext) -> None:
    await context["jobs"].enqueue_async(Actor.INCIDENTS_ASK, job.model_dump(mode="json"))
    await ack()


def publish_job(command: dict[str, Any], args: str, lang: str) -> Publish | None:
    """`/nox incident publish INC-n` (an admin shares a private incident's lesson), else None."""
    verb, _, ref = args.strip().partition(" ")
    if verb.lower() not in PUBLISH_VERBS:
        return None
    return Publish(
        team_id=command.get("team_id", ""),
        enterprise_id=command.get("enterprise_id") or None,
        user=command.get("user_id", ""),
        channel=command.get("channel_id", ""),
        ref=(ref.strip().split() or ["?"])[0][:40],
        key=f"cmd:{command.get('trigger_id') or ''}",
        lang="fr" if verb.lower() == "publier" else lang,  # type: ignore[arg-type]
    )


async def queue_publish(job: Publish, ack: AsyncAck, context: AsyncBoltContext) -> None:
    await context["jobs"].enqueue_async(Actor.INCIDENTS_PUBLISH, job.model_dump(mode="json"))
    await ack()
