"""Builds NOX's Slack app (Bolt AsyncApp), registers the listeners and serves HTTP.
Why and how: docs/design/app.md."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import redis
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from jamono.platform.db import Pool, open_pool
from jamono.platform.settings import Settings, SettingsError, get_settings
from jamono.platform.shutdown import stop_signals, stopping
from jamono.platform.tenancy import TeamIdentity, WorkspaceContext, register_workspace
from jamono.queue.broker import setup_broker
from jamono.queue.client import DramatiqJobQueue, JobQueue
from jamono.queue.names import Actor
from jamono.slack.client import async_web_client, web_client
from jamono.slack.routing import MessageRoutes
from jamono.web.app import build_web_app
from listeners import register_listeners

log = logging.getLogger("jamono.app")
# Slack gives up on a request after 3 s: in-flight requests get more than that to finish on stop.
SHUTDOWN_TIMEOUT_S = 10.0


def identify_workspace(settings: Settings) -> TeamIdentity:
    """`auth.test` with the configured bot token: which team and bot user we are."""
    if settings.slack_bot_token is None:
        raise SettingsError("SLACK_BOT_TOKEN: not set (one workspace); or set SLACK_CLIENT_ID/SECRET for many")
    client = web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    try:
        auth = client.auth_test()
    except SlackApiError as exc:
        raise SettingsError(f"SLACK_BOT_TOKEN: Slack refused it at auth.test ({exc.response.get('error')})") from None
    except OSError as exc:  # URLError, refused, DNS, timeout
        raise SettingsError(f"SLACK_API_URL: cannot reach {settings.slack_api_url} ({exc})") from None
    return TeamIdentity(
        team_id=auth["team_id"],
        enterprise_id=auth.get("enterprise_id"),
        team_name=auth.get("team"),
        domain=(auth.get("url") or "").removeprefix("https://").split(".slack.com")[0] or None,
        bot_user_id=auth.get("user_id"),
        bot_id=auth.get("bot_id"),
        app_id=auth.get("app_id"),
    )


def static_authorize(settings: Settings, identity: TeamIdentity):
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    result = AuthorizeResult(
        enterprise_id=identity.enterprise_id,
        team_id=identity.team_id,
        bot_user_id=identity.bot_user_id,
        bot_id=identity.bot_id,
        bot_token=token,
    )

    async def authorize(**_: Any) -> AuthorizeResult:
        return result

    return authorize


class InjectJobs(AsyncMiddleware):
    """Gives listeners the job queue as `context["jobs"]`. A class, not a decorated function: Bolt
    calls it directly instead of building its keyword arguments on every request (the ack path)."""

    def __init__(self, jobs: JobQueue, routes: MessageRoutes | None = None) -> None:
        self.jobs = jobs
        self.routes = routes

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:  # noqa: A002
        req.context["jobs"] = self.jobs
        if self.routes is not None:
            req.context["routes"] = self.routes
        return await next()


def multi_workspace(settings: Settings) -> bool:
    """Many workspaces install NOX through OAuth; a bot token in env means one workspace, self-hosted."""
    return (
        settings.slack_bot_token is None and bool(settings.slack_client_id) and settings.slack_client_secret is not None
    )


def build_oauth(settings: Settings, pool: Pool, jobs: JobQueue):
    """Bolt's OAuth flow on our stores; a finished install queues NOX's welcome (KB + DM)."""
    from jamono.platform.crypto import load_secret_box
    from jamono.web.authorize_cache import CachedAuthorize
    from jamono.workspaces.oauth import build_oauth_flow

    async def on_installed(installation) -> None:
        authorize.forget(installation.enterprise_id, installation.team_id)  # a re-install brings a new token
        payload = {
            "team_id": installation.team_id or "",
            "enterprise_id": installation.enterprise_id,
            "user_id": installation.user_id,
        }
        await jobs.enqueue_async(Actor.WELCOME_INSTALLATION, payload)

    flow = build_oauth_flow(settings, pool, load_secret_box(settings), on_installed=on_installed)
    authorize = flow.settings.authorize = CachedAuthorize(flow.settings.authorize)
    return flow


def build_bolt_app(
    settings: Settings,
    jobs: JobQueue,
    authorize=None,
    *,
    oauth_flow=None,
    routes: MessageRoutes | None = None,
) -> AsyncApp:
    bolt = AsyncApp(
        name="nox",
        signing_secret=settings.signing_secret,
        authorize=authorize if oauth_flow is None else None,
        oauth_flow=oauth_flow,
        client=async_web_client(None, settings.slack_api_url),
        # Listeners finish (the job is durably queued) before Slack gets its 200.
        process_before_response=True,
        # Signatures are verified in jamono.web.app before Bolt sees the request.
        request_verification_enabled=False,
        # Bolt's middleware for Slack workflow functions and AI-assistant threads, which NOX does not
        # use: off, so the ack path does not pay for them on every request.
        attaching_function_token_enabled=False,
        attaching_conversation_kwargs_enabled=False,
        ignoring_self_assistant_message_events_enabled=False,
    )

    bolt.use(InjectJobs(jobs, routes))

    register_listeners(bolt)
    return bolt


def build_http_app(settings: Settings, pool: Pool, jobs: JobQueue, identity: TeamIdentity | None) -> web.Application:
    """`identity` None: multi-workspace mode, with the install routes."""
    # Which channel messages are worth a job, asked of Redis (jamono.slack.routing).
    routes = MessageRoutes(settings.redis_url, pool) if settings.redis_url else None
    if identity is None:
        flow = build_oauth(settings, pool, jobs)
        bolt = build_bolt_app(settings, jobs, oauth_flow=flow, routes=routes)
    else:
        flow = None
        bolt = build_bolt_app(settings, jobs, static_authorize(settings, identity), routes=routes)

    async def database() -> None:
        def ping() -> None:
            with pool.connection(timeout=2) as conn:
                conn.execute("SELECT 1")

        await asyncio.to_thread(ping)

    checks: dict[str, Callable[[], Awaitable[None]]] = {"database": database}
    if settings.rabbitmq_url:
        checks["broker"] = rabbitmq_check(settings.rabbitmq_url)
    elif settings.redis_url:
        broker_client = redis.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)

        async def broker() -> None:
            await asyncio.to_thread(broker_client.ping)

        checks["broker"] = broker
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    from jamono.web.replay_guard import MemoryReplayGuard, RedisReplayGuard

    replay = RedisReplayGuard(settings.redis_url) if settings.redis_url else MemoryReplayGuard()
    http = build_web_app(bolt, settings.signing_secret, checks, metrics_token=token, replay_guard=replay)
    if flow is not None:
        from jamono.workspaces.oauth import oauth_routes

        http.add_routes(oauth_routes(flow))
    from jamono.web.landing import landing_routes

    http.add_routes(landing_routes(settings, multi_workspace=flow is not None))
    return http


def rabbitmq_check(url: str) -> Callable[[], Awaitable[None]]:
    """RabbitMQ answers when a connection opens (AMQP handshake) within 2 s."""
    import pika

    params = pika.URLParameters(url)
    params.socket_timeout = params.blocked_connection_timeout = params.stack_timeout = 2  # never holds a thread long
    params.connection_attempts, params.retry_delay = 1, 0

    def handshake() -> None:
        pika.BlockingConnection(params).close()

    async def broker() -> None:
        await asyncio.to_thread(handshake)

    return broker


def turn_booker(settings: Settings):
    """Many workspaces share the workers: each one's answering jobs take turns (jamono.fairness)."""
    from dramatiq.brokers.redis import RedisBroker

    from jamono.fairness.plans import quota_for, shared_deployment
    from jamono.fairness.scheduler import TurnBooker

    broker = setup_broker(settings)
    if not shared_deployment(settings) or settings.fair_rate_scale <= 0 or not isinstance(broker, RedisBroker):
        return None
    return TurnBooker(broker, quota_for("free", settings))


def prepare(settings: Settings) -> tuple[Pool, JobQueue, WorkspaceContext | None, TeamIdentity | None]:
    """Pool and queue; in single-workspace mode also the workspace, registered from `auth.test`."""
    pool = open_pool(settings, max_size=4, name="jamono-web")
    jobs = DramatiqJobQueue(setup_broker(settings), turns=turn_booker(settings))
    if multi_workspace(settings):
        return pool, jobs, None, None
    identity = identify_workspace(settings)
    workspace = register_workspace(pool, identity)
    _integrations_from_env(settings, pool, workspace)
    return pool, jobs, workspace, identity


def _integrations_from_env(settings: Settings, pool: Pool, workspace: WorkspaceContext) -> None:
    """JIRA_* / GOOGLE_* for a single-workspace install: a wrong value stops the start, saying which."""
    from jamono.integrations.manage import ConnectError, apply_env
    from jamono.workspaces.credentials import credential_store

    try:
        applied = apply_env(pool, workspace, settings, credential_store(settings))
    except ConnectError as exc:
        raise SettingsError(f"integration settings: {exc}") from None
    if applied:
        log.info("integrations connected from the environment", extra={"integrations": applied})


async def serve(settings: Settings, pool: Pool, jobs: JobQueue, identity: TeamIdentity | None) -> None:
    """HTTP on $PORT (Slack's requests, or only /healthz and /metrics in Socket Mode) until SIGINT
    or SIGTERM; then no new connection, requests in flight finish (each one's job is queued
    before its ack), and the Socket Mode connection closes: Slack redelivers what we did not ack."""
    stop = stop_signals(asyncio.get_running_loop())
    runner = web.AppRunner(
        build_http_app(settings, pool, jobs, identity),
        access_log=None,
        handle_signals=False,
        shutdown_timeout=SHUTDOWN_TIMEOUT_S,
    )
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    handler = None
    if settings.slack_app_token is not None:
        handler = socket_mode_handler(settings, pool, jobs, identity)
        await handler.connect_async()
    _freeze_startup_objects()
    await stop.wait()
    stopping(asyncio.get_running_loop())
    log.info("stopping: no new requests; finishing those in flight")
    if handler is not None:
        await handler.close_async()
    await runner.cleanup()


def socket_mode_handler(settings: Settings, pool: Pool, jobs: JobQueue, identity: TeamIdentity | None):
    from jamono.web.socket_mode import NoxSocketModeHandler

    bolt = (
        build_bolt_app(settings, jobs, oauth_flow=build_oauth(settings, pool, jobs))
        if identity is None
        else build_bolt_app(settings, jobs, static_authorize(settings, identity))
    )
    assert settings.slack_app_token is not None
    return NoxSocketModeHandler(bolt, settings.slack_app_token.get_secret_value())


def main() -> None:
    settings = get_settings()
    pool, jobs, workspace, identity = prepare(settings)
    who = f"team {identity.team_id}" if identity else "every installed workspace (Add to Slack at /slack/install)"
    if settings.slack_app_token is not None:
        log.info("serving Slack for %s over Socket Mode (health and metrics on port %s)", who, settings.port)
    else:
        log.info("serving Slack for %s on port %s", who, settings.port)
    if identity is not None:
        # One workspace, self-hosted: its runbook library is loaded as "Add to Slack" loads it for
        # an install (a worker job, idempotent: unchanged runbooks cost one read each).
        jobs.enqueue(Actor.WELCOME_INSTALLATION, {"team_id": identity.team_id, "enterprise_id": identity.enterprise_id})
    try:
        asyncio.run(serve(settings, pool, jobs, identity))
    finally:
        setup_broker(settings).close()  # the process's broker, built by prepare()
        pool.close()
    log.info("stopped")


def _freeze_startup_objects() -> None:
    """The modules, app and clients built at start live as long as the process: out of the
    collector's sight, so its full collections (the ack path's worst pauses) stay short."""
    gc.collect()
    gc.freeze()


if __name__ == "__main__":
    main()
