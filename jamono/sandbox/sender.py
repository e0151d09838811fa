"""Deliver signed Slack requests to the app: events, slash commands, interactions.
Why and how: docs/design/sandbox.md."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import aiohttp

from .payloads import Payload, SlackPayloads
from .signing import signed_headers

if TYPE_CHECKING:
    from .server import SlackSandbox

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class SentResponse:
    """What the app answered (status, raw body, headers)."""

    status: int
    body: str
    headers: dict[str, str]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body as JSON, or None when empty or not JSON (a bare ack is an empty 200)."""
        try:
            return json.loads(self.body) if self.body.strip() else None
        except ValueError:
            return None


class SlackEventSender(SlackPayloads):
    """Builds payloads (see SlackPayloads) and POSTs them signed, async or from threads."""

    def __init__(
        self,
        events_url: str,
        signing_secret: str,
        *,
        team_id: str = "T0SANDBOX",
        api_app_id: str = "A0NOX",
        enterprise_id: str | None = None,
        sandbox: SlackSandbox | None = None,
        commands_url: str | None = None,
        interactive_url: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        super().__init__(team_id=team_id, api_app_id=api_app_id, enterprise_id=enterprise_id, sandbox=sandbox)
        self.events_url = events_url
        self.commands_url = commands_url or events_url
        self.interactive_url = interactive_url or events_url
        self.signing_secret = signing_secret
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    # --- signing -----------------------------------------------------------------------
    def sign(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        """X-Slack-Signature and X-Slack-Request-Timestamp for a body (now, unless told)."""
        return signed_headers(self.signing_secret, body, timestamp)

    # --- async -------------------------------------------------------------------------
    async def send_event(
        self,
        envelope: Payload,
        *,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
        raw_body: bytes | None = None,
        content_type: str = "application/json",
    ) -> SentResponse:
        """POST an event envelope; retry_num/retry_reason mimic Slack's redeliveries."""
        body = raw_body if raw_body is not None else json.dumps(envelope).encode()
        headers = self._headers(body, content_type, timestamp, signature, _retry_headers(retry_num, retry_reason))
        return await self._post(self.events_url, body, headers)

    async def send_events(self, envelopes: list[Payload]) -> list[SentResponse]:
        """Deliver several envelopes in order (e.g. the app_mention + message pair)."""
        return [await self.send_event(envelope) for envelope in envelopes]

    async def send_command(
        self,
        form: Mapping[str, str],
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        raw_body: bytes | None = None,
    ) -> SentResponse:
        body = raw_body if raw_body is not None else urlencode(form).encode()
        return await self._post(self.commands_url, body, self._headers(body, FORM, timestamp, signature))

    async def send_interactive(
        self,
        payload: Payload,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        raw_body: bytes | None = None,
    ) -> SentResponse:
        """POST `payload=<json>` as Slack does for buttons, modals and shortcuts."""
        body = raw_body if raw_body is not None else _interactive_body(payload)
        response = await self._post(self.interactive_url, body, self._headers(body, FORM, timestamp, signature))
        self._after_interaction(payload, response)
        return response

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def __aenter__(self) -> SlackEventSender:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- sync (threads, Dramatiq workers, sync tests) ----------------------------------
    def send_event_sync(
        self,
        envelope: Payload,
        *,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
        raw_body: bytes | None = None,
        content_type: str = "application/json",
    ) -> SentResponse:
        body = raw_body if raw_body is not None else json.dumps(envelope).encode()
        headers = self._headers(body, content_type, timestamp, signature, _retry_headers(retry_num, retry_reason))
        return self._post_sync(self.events_url, body, headers)

    def send_command_sync(
        self,
        form: Mapping[str, str],
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        raw_body: bytes | None = None,
    ) -> SentResponse:
        body = raw_body if raw_body is not None else urlencode(form).encode()
        return self._post_sync(self.commands_url, body, self._headers(body, FORM, timestamp, signature))

    def send_interactive_sync(
        self,
        payload: Payload,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        raw_body: bytes | None = None,
    ) -> SentResponse:
        body = raw_body if raw_body is not None else _interactive_body(payload)
        response = self._post_sync(self.interactive_url, body, self._headers(body, FORM, timestamp, signature))
        self._after_interaction(payload, response)
        return response

    # --- transport ---------------------------------------------------------------------
    def _headers(
        self,
        body: bytes,
        content_type: str,
        timestamp: int | None,
        signature: str | None,
        extra: dict[str, str] | None = None,
    ) -> dict[str, str]:
        headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
        headers.update(self.sign(body, timestamp))
        if signature is not None:
            headers["X-Slack-Signature"] = signature
        headers.update(extra or {})
        return headers

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> SentResponse:
        session = self._client_session()
        async with session.post(url, data=body, headers=headers) as response:
            text = await response.text()
            return SentResponse(response.status, text, dict(response.headers))

    def _client_session(self) -> aiohttp.ClientSession:
        """One session per sender, renewed if it is used from another event loop."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
            self._session_loop = loop
        return self._session

    def _post_sync(self, url: str, body: bytes, headers: dict[str, str]) -> SentResponse:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return SentResponse(response.status, response.read().decode(), dict(response.headers.items()))
        except urllib.error.HTTPError as error:
            return SentResponse(error.code, error.read().decode(errors="replace"), dict(error.headers.items()))

    def _after_interaction(self, payload: Payload, response: SentResponse) -> None:
        """Let the sandbox's modal stack follow the app's answer to a submission, as Slack does."""
        if self.sandbox is None or payload.get("type") not in ("view_submission", "view_closed"):
            return
        user = payload["user"]["id"]
        view_id = payload.get("view", {}).get("id")
        if payload["type"] == "view_closed":
            self.sandbox.apply_view_response(user, view_id, 200, None, closed=True)
        else:
            self.sandbox.apply_view_response(user, view_id, response.status, response.json())


def _interactive_body(payload: Payload) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def _retry_headers(retry_num: int | None, retry_reason: str | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
    elif retry_reason is not None:
        headers["X-Slack-Retry-Reason"] = retry_reason
    return headers
