"""Declare incident on a triage reply, and the incident card's buttons and selects: queued, then
acked (Post update opens its modal after the ack, lazily; the submission is queued)."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from jamono.incidents.models import Change, Declaration
from jamono.incidents.views import LEAD_ACTION, SEVERITY_ACTION, STATUS_ACTION, update_modal
from jamono.memory.models import ItemTicket, Publish
from jamono.queue.names import Actor
from jamono.slack.payloads import team_and_enterprise, user_of
from listeners.actions.proposal import _channel


async def handle_declare(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext
) -> None:
    team, enterprise = team_and_enterprise(body, context)
    job = Declaration(
        team_id=team,
        enterprise_id=enterprise,
        user=user_of(body),
        channel=_channel(body),
        interaction_id=action.get("value", ""),
    )
    await context["jobs"].enqueue_async(Actor.INCIDENTS_DECLARE, job.model_dump(mode="json"))
    await ack()


def _request_key(body: dict[str, Any], action: dict[str, Any]) -> str:
    return f"act:{action.get('action_ts') or body.get('trigger_id') or ''}:{action.get('action_id', '')}"


async def handle_card(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    """A status button, the severity select or the lead select on an incident card."""
    team, enterprise = team_and_enterprise(body, context)
    action_id = str(action.get("action_id", ""))
    if action_id.startswith(STATUS_ACTION + ":"):
        incident_id, kind, value = action.get("value", ""), "status", action_id.split(":", 1)[1]
    elif action_id == SEVERITY_ACTION:
        incident_id, _, value = str((action.get("selected_option") or {}).get("value", "")).partition(":")
        kind = "severity"
    else:  # LEAD_ACTION
        block = str(action.get("block_id", ""))
        incident_id, kind, value = block.partition(":")[2], "lead", str(action.get("selected_user") or "")
    job = Change(
        team_id=team,
        enterprise_id=enterprise,
        user=user_of(body),
        key=_request_key(body, action),
        channel=_channel(body),
        incident_id=incident_id or None,
        kind=kind,  # type: ignore[arg-type]
        value=value[:100],
    )
    await context["jobs"].enqueue_async(Actor.INCIDENTS_CHANGE, job.model_dump(mode="json"))
    await ack()


async def handle_item_ticket(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext
) -> None:
    """A postmortem action item's "Create Jira ticket": queued (the worker opens it once)."""
    incident_id, _, n = str(action.get("value", "")).partition(":")
    team, enterprise = team_and_enterprise(body, context)
    try:
        job = ItemTicket(
            team_id=team,
            enterprise_id=enterprise,
            user=user_of(body),
            channel=_channel(body),
            incident_id=incident_id,  # type: ignore[arg-type]
            n=int(n) if n.isdigit() else 0,
        )
    except ValueError:
        await ack()
        return
    await context["jobs"].enqueue_async(Actor.INCIDENTS_ITEM_TICKET, job.model_dump(mode="json"))
    await ack()


async def handle_publish_lesson(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext
) -> None:
    """ "Publish lesson" under a private incident's postmortem: queued (the worker checks the admin)."""
    team, enterprise = team_and_enterprise(body, context)
    locale = str((body.get("user") or {}).get("locale") or "")
    job = Publish(
        team_id=team,
        enterprise_id=enterprise,
        user=user_of(body),
        channel=_channel(body),
        ref=str(action.get("value") or "?")[:40] or "?",
        key=_request_key(body, action),
        lang="fr" if locale.startswith("fr") else "en",
    )
    await context["jobs"].enqueue_async(Actor.INCIDENTS_PUBLISH, job.model_dump(mode="json"))
    await ack()


async def ack_update(ack: AsyncAck) -> None:
    await ack()


async def open_update_modal(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
    lang = "fr" if (body.get("user") or {}).get("locale", "").startswith("fr") else "en"
    await client.views_open(trigger_id=body["trigger_id"], view=update_modal(str(action.get("value", "")), lang))


async def handle_update_submission(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    values = ((view.get("state") or {}).get("values") or {}).get("update") or {}
    element: dict[str, Any] = next(iter(values.values()), {}) if values else {}
    text = str(element.get("value") or "").strip()
    if not text:
        await ack(response_action="errors", errors={"update": "Write the update / Écrivez le point."})
        return
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    team, enterprise = team_and_enterprise(body, context)
    job = Change(
        team_id=team,
        enterprise_id=enterprise,
        user=user_of(body),
        key=f"view:{view.get('id', '')}",
        incident_id=meta.get("i") or None,
        kind="update",
        note=text[:3000],
    )
    await context["jobs"].enqueue_async(Actor.INCIDENTS_CHANGE, job.model_dump(mode="json"))
    await ack()


__all__ = [
    "LEAD_ACTION",
    "SEVERITY_ACTION",
    "ack_update",
    "handle_card",
    "handle_declare",
    "handle_item_ticket",
    "handle_update_submission",
    "open_update_modal",
]
