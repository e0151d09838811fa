"""Socket Mode as Slack speaks it:
Why and how: docs/design/sandbox.md."""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from typing import Any, Literal

from aiohttp import WSMsgType, web

EnvelopeType = Literal["events_api", "slash_commands", "interactive"]


class SocketModeHub:
    """Open sockets, issued URLs and envelopes waiting for their ack. Runs on the sandbox's loop."""

    def __init__(self, app_id: str) -> None:
        self.app_id = app_id
        self.sockets: list[web.WebSocketResponse] = []
        self._tickets: set[str] = set()
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.acks: list[dict[str, Any]] = []  # every ack received, in order

    def issue_ticket(self) -> str:
        ticket = secrets.token_urlsafe(16)
        self._tickets.add(ticket)
        return ticket

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.match_info["ticket"]
        if ticket not in self._tickets:
            return web.Response(status=401, text="invalid or used socket mode ticket")
        self._tickets.discard(ticket)  # Slack's URLs are single use
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self.sockets),
                "debug_info": {"host": "sandbox", "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.app_id},
            }
        )
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    data = json.loads(message.data)
                except ValueError:
                    continue
                if isinstance(data, dict) and isinstance(data.get("envelope_id"), str):
                    self.acks.append(data)
                    waiting = self._pending.pop(data["envelope_id"], None)
                    if waiting is not None and not waiting.done():
                        waiting.set_result(data)
        finally:
            self.sockets.remove(ws)
        return ws

    async def send(
        self,
        envelope_type: EnvelopeType,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """Push one envelope to a connected app; its ack, or TimeoutError when none came in time
        (what makes Slack redeliver it)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.sockets:
            if loop.time() > deadline:
                raise TimeoutError("no app is connected over Socket Mode")
            await asyncio.sleep(0.02)
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        acked: asyncio.Future[dict[str, Any]] = loop.create_future()
        self._pending[envelope_id] = acked
        try:
            await self.sockets[-1].send_json(envelope)
            return await asyncio.wait_for(acked, max(0.0, deadline - loop.time()))
        finally:
            self._pending.pop(envelope_id, None)

    async def close(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
