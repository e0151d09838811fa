"""The HTTP surface: Slack requests (verified, parsed, handed to Bolt), health and metrics.
Why and how: docs/design/web.md."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from jamono.observability.metrics import ACK, render, slack_event_type, slack_outcome
from jamono.platform import context
from jamono.slack.payloads import MessageEvent, PayloadError, validate_event_body
from jamono.web.replay_guard import ReplayGuard

log = logging.getLogger(__name__)

# The only headers Bolt and our listeners read (content type, Slack's retry markers).
_BOLT_HEADERS = ("Content-Type", "X-Slack-Retry-Num", "X-Slack-Retry-Reason")
MAX_BODY_BYTES = 1024 * 1024  # Slack's payloads are a few kB; a megabyte is generous
HealthCheck = Callable[[], Awaitable[None]]


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)


def check_interactivity(payload: object) -> None:
    """Bolt reads these fields as objects (and `actions` as a list of them): refuse other shapes."""
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise PayloadError("interactivity payload has no type")
    for key in ("user", "team", "channel", "message", "container", "enterprise", "state"):
        if payload.get(key) is not None and not isinstance(payload[key], dict):
            raise PayloadError(f"interactivity payload: {key} is not an object")
    if "view" in payload and not isinstance(payload["view"], dict):
        raise PayloadError("interactivity payload: view is not an object")
    actions = payload.get("actions")
    if actions is not None and not (isinstance(actions, list) and all(isinstance(a, dict) for a in actions)):
        raise PayloadError("interactivity payload: actions is not a list of objects")


def _signed(verifier: SignatureVerifier, raw: str, timestamp: str | None, signature: str | None) -> bool:
    try:
        return verifier.is_valid(raw, timestamp, signature)
    except (ValueError, TypeError):  # a timestamp that is not a number; a non-ASCII signature
        return False


def parse_slack_body(raw: str, content_type: str) -> tuple[dict, MessageEvent | None]:
    """Events come as JSON; commands as a form; interactivity as a form with a JSON `payload`.
    A message event comes back validated too (listeners read it from the context)."""
    if content_type == "application/json":
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: absurdly nested arrays/objects
            raise PayloadError("body is not valid JSON") from None
        return body, validate_event_body(body)
    if content_type == "application/x-www-form-urlencoded":
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True, strict_parsing=False).items()}
        if "payload" in form:
            try:
                payload = json.loads(form["payload"])
            except (ValueError, RecursionError):
                raise PayloadError("interactivity payload is not valid JSON") from None
            check_interactivity(payload)
            return payload, None
        if "command" in form or "ssl_check" in form:
            return form, None
        raise PayloadError("form body is neither a slash command nor an interactivity payload")
    raise PayloadError(f"unsupported content type {content_type[:60]!r}")


def build_web_app(
    bolt: AsyncApp,
    signing_secret: str,
    checks: dict[str, HealthCheck],
    *,
    metrics_token: str | None = None,
    replay_guard: ReplayGuard | None = None,
) -> web.Application:
    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: web.Request) -> web.Response:
        """Counts every Slack request once (type, outcome, ack latency) under a fresh request scope."""
        started = time.perf_counter()
        scope = context.Scope()
        token = context.begin(scope)
        try:
            response = await handle_slack(request, scope)
        except Exception:
            ACK.record(scope.event_type, "failed", time.perf_counter() - started)
            raise
        finally:
            context.end(token)
        ACK.record(scope.event_type, slack_outcome(response.status, scope.queued), time.perf_counter() - started)
        return response

    async def handle_slack(request: web.Request, scope: context.Scope) -> web.Response:
        raw = await _read_text(request)
        if isinstance(raw, web.Response):
            return raw
        headers = request.headers
        signature = headers.get("X-Slack-Signature")
        if not _signed(verifier, raw, headers.get("X-Slack-Request-Timestamp"), signature):
            log.warning("slack request refused: bad or stale signature", extra={"path": request.path})
            return _error(401, "invalid signature")
        if replay_guard is None:
            return await dispatch(request, scope, raw)
        assert signature is not None
        return await _dispatch_once(replay_guard, signature, request.path, lambda: dispatch(request, scope, raw))

    async def dispatch(request: web.Request, scope: context.Scope, raw: str) -> web.Response:
        headers = request.headers
        try:
            body, message_event = parse_slack_body(raw, request.content_type)
        except PayloadError as exc:
            log.warning("slack request refused: %s", exc)
            return _error(400, str(exc))
        scope.event_type = slack_event_type(body)
        scope.request_id = body.get("event_id") or context.new_request_id()
        # Bolt gets the body already parsed (mode "socket_mode" is how Bolt accepts a dict; it only
        # changes signature checking, which Bolt leaves to us) and just the headers it reads.
        bolt_response = await bolt.async_dispatch(
            AsyncBoltRequest(
                body=body,
                query=request.query_string,
                mode="socket_mode",
                context={"message_event": message_event} if message_event is not None else None,
                headers={name: headers[name] for name in _BOLT_HEADERS if name in headers},
            )
        )
        if bolt_response.status == 404 and body.get("type") == "event_callback":
            # An event type we do not act on: acknowledge it so Slack does not redeliver it.
            return web.Response(status=200)
        return await to_aiohttp_response(bolt_response)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", _healthz(checks))
    app.router.add_get("/metrics", _metrics(metrics_token))
    return app


async def _read_text(request: web.Request) -> str | web.Response:
    """The body as text, or the answer that refuses it (too large, not UTF-8)."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return _error(413, "payload too large")
    try:
        raw_bytes = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _error(413, "payload too large")
    try:
        return raw_bytes.decode("utf-8")
    except UnicodeDecodeError:
        return _error(400, "body is not UTF-8")


async def _dispatch_once(
    replay_guard: ReplayGuard, signature: str, path: str, dispatch: Callable[[], Awaitable[web.Response]]
) -> web.Response:
    """Dispatch a signed request unless its signature was already accepted; a request that was
    not accepted (error, 3xx and up) gives its signature back so Slack's retry gets through."""
    try:
        first = await replay_guard.claim(signature)
    except Exception as exc:  # Redis down: the enqueue will say so (5xx, Slack retries); fail open
        log.warning("slack request not checked for replay: %s", type(exc).__name__)
        return await dispatch()
    if not first:
        log.warning("slack request ignored: a replay of a signed request already accepted", extra={"path": path})
        return web.Response(status=200)
    response: web.Response | None = None
    try:
        response = await dispatch()
        return response
    finally:
        if response is None or response.status >= 300:
            try:
                await replay_guard.release(signature)
            except Exception as exc:  # the signature stays remembered: a replay is refused
                log.warning("could not release a Slack signature: %s", type(exc).__name__)


def _healthz(checks: dict[str, HealthCheck]) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def healthz(_: web.Request) -> web.Response:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), timeout=3)
                results[name] = "ok"
            except Exception as exc:  # a health check reports every failure, whatever its kind
                results[name] = f"error: {type(exc).__name__}"
        healthy = all(v == "ok" for v in results.values())
        return web.json_response({"ok": healthy, **results}, status=200 if healthy else 503)

    return healthz


def _metrics(metrics_token: str | None) -> Callable[[web.Request], Awaitable[web.Response]]:
    expected = f"Bearer {metrics_token}".encode() if metrics_token else None

    async def metrics(request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "").encode()
        if expected is not None and not hmac.compare_digest(given, expected):
            return _error(401, "metrics need the bearer token (METRICS_TOKEN)")
        body, content_type = render()
        return web.Response(body=body, headers={"Content-Type": content_type})

    return metrics
