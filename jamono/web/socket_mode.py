"""Socket Mode with the HTTP path's rules:
Why and how: docs/design/web.md."""

from __future__ import annotations

import logging
import time

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from jamono.observability.metrics import ACK, slack_event_type, slack_outcome
from jamono.platform import context
from jamono.slack.payloads import MessageEvent, PayloadError, validate_event_body
from jamono.web.app import check_interactivity

log = logging.getLogger(__name__)


def check_envelope(envelope_type: str, payload: object) -> MessageEvent | None:
    """What `jamono.web.app` checks of an HTTP body, for an envelope's payload."""
    if envelope_type == "events_api":
        return validate_event_body(payload)
    if envelope_type == "interactive":
        check_interactivity(payload)
        return None
    if envelope_type == "slash_commands":
        if not isinstance(payload, dict) or not isinstance(payload.get("command"), str):
            raise PayloadError("slash command payload has no command")
        return None
    raise PayloadError(f"unsupported envelope type {envelope_type[:40]!r}")


class NoxSocketModeHandler(AsyncSocketModeHandler):
    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        started = time.perf_counter()
        scope = context.Scope()
        token = context.begin(scope)
        status = 500
        try:
            status = await self._dispatch(client, req, scope)
        finally:
            context.end(token)
            ACK.record(scope.event_type, slack_outcome(status, scope.queued), time.perf_counter() - started)

    async def _dispatch(self, client: SocketModeClient, req: SocketModeRequest, scope: context.Scope) -> int:
        try:
            message_event = check_envelope(req.type, req.payload)
        except PayloadError as exc:
            log.warning("slack envelope refused (acknowledged, not processed): %s", exc)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return 400
        body = req.payload
        scope.event_type = slack_event_type(body)
        scope.request_id = body.get("event_id") or context.new_request_id()
        response = await self.app.async_dispatch(
            AsyncBoltRequest(
                mode="socket_mode",
                body=body,
                headers=build_headers(req),
                context={"message_event": message_event} if message_event is not None else None,
            )
        )
        if response.status == 404 and req.type == "events_api":
            # An event type we do not act on: acknowledge it so Slack does not redeliver it.
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return 200
        if response.status == 400:  # a payload no redelivery will fix: acknowledged and dropped
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return 400
        await send_async_response(client, req, response, time.time())  # no ack unless 200
        return response.status
