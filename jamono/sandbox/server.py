"""The Slack sandbox: a loopback Slack Web API the real slack_sdk clients can talk to.
Why and how: docs/design/sandbox.md."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from .clone import clone
from .credentials import DEFAULT_BOT_SCOPES, Grant, ResponseUrl
from .events import bot_message_event, message_event, normalize_files
from .loop_thread import LoopThread
from .messages import api_message
from .methods import METHODS, MethodContext
from .models import ApiCall, Change, Channel, Identity, SlackError, User, Workspace
from .parsing import parse_api_request
from .payloads import SlackPayloads
from .richtext import rich_text_blocks
from .signing import signed_headers
from .socket_mode import EnvelopeType, SocketModeHub
from .state import SandboxState
from .validation import check_message
from .waiting import poll, poll_sync

log = logging.getLogger("jamono.sandbox")
T = TypeVar("T")
RESPONSE_URL_MAX_USES = 5  # Slack accepts five posts per response_url


@dataclass(frozen=True)
class _Echo:
    url: str
    signing_secret: str
    subtype: str | None


class SlackSandbox:
    """A fake Slack workspace with a Web API on loopback. Thread-safe state, one event loop."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-sandbox-token",
        team_id: str = "T0SANDBOX",
        team_name: str = "Sandbox",
        team_domain: str = "sandbox",
        bot_user_id: str = "U0NOX",
        bot_id: str = "B0NOX",
        app_id: str = "A0NOX",
        enterprise_id: str | None = None,
        client_id: str = "0000000000.0000000000",
        client_secret: str = "sandbox-client-secret",
        app_token: str = "xapp-1-A0NOX-sandbox",
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token  # app-level token: Socket Mode's apps.connections.open
        self.workspace = Workspace(
            team_id=team_id,
            team_name=team_name,
            team_domain=team_domain,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            app_id=app_id,
            enterprise_id=enterprise_id,
            enterprise_name="Sandbox Enterprise" if enterprise_id else None,
        )
        self._state = SandboxState(self.workspace, bot_token)
        self._state.client_id = client_id
        self._state.client_secret = client_secret
        self.echo_results: list[tuple[str, int]] = []  # (event_id, HTTP status or -1) of echoed events
        self.loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._echo: _Echo | None = None
        self._echo_session: aiohttp.ClientSession | None = None
        self._background: set[asyncio.Task[None]] = set()
        # Where the consent screen sends people back when the app gives no redirect_uri (Slack uses
        # the app's configured redirect URL the same way).
        self.oauth_redirect_url: str | None = None
        self.socket_mode = SocketModeHub(app_id)
        self.playground: Any = None  # a playground.Playground once enable_playground() is called
        self.closing = False

    # --- identity ----------------------------------------------------------------------
    @property
    def team_id(self) -> str:
        return self.workspace.team_id

    @property
    def team_domain(self) -> str:
        return self.workspace.team_domain

    @property
    def bot_user_id(self) -> str:
        return self.workspace.bot_user_id

    @property
    def bot_id(self) -> str:
        return self.workspace.bot_id

    @property
    def app_id(self) -> str:
        return self.workspace.app_id

    @property
    def client_id(self) -> str:
        return self._state.client_id

    @property
    def client_secret(self) -> str:
        return self._state.client_secret

    @property
    def trigger_ttl(self) -> float:
        """Seconds a trigger_id stays usable (Slack: 3)."""
        return self._state.trigger_ttl

    @trigger_ttl.setter
    def trigger_ttl(self, seconds: float) -> None:
        self._state.trigger_ttl = seconds

    @property
    def auto_create_channels(self) -> bool:
        """Whether unknown C…/G…/D… ids are created on first use (else channel_not_found)."""
        return self._state.directory.auto_create_channels

    @auto_create_channels.setter
    def auto_create_channels(self, value: bool) -> None:
        with self._state.lock:
            self._state.directory.auto_create_channels = value

    # --- lifecycle ---------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on loopback; port 0 picks a free port (read it back from api_url)."""
        if self._runner is not None:
            raise RuntimeError("sandbox already started")
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response_url/{key}", self._handle_response_url)
        app.router.add_post("/upload/v1/{file_id}", self._handle_upload)
        app.router.add_get("/", self._handle_index)
        app.router.add_get("/oauth/v2/authorize", self._handle_authorize)
        app.router.add_get("/socket-mode/{ticket}", self.socket_mode.handle)
        from .playground import add_playground_routes

        add_playground_routes(app, self)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self.closing = False
        self._host = host
        self._port = int(runner.addresses[0][1])
        self.loop = asyncio.get_running_loop()
        with self._state.lock:
            self._state.upload_base = self.base_url.rstrip("/")

    async def stop(self) -> None:
        self.closing = True  # open playground event streams end now, so the server stops at once
        await self.socket_mode.close()
        if self.playground is not None:
            await self.playground.sender.close()
            self.playground = None
        for task in list(self._background):
            task.cancel()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        if self._echo_session is not None:
            await self._echo_session.close()
            self._echo_session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SlackSandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("sandbox not started")
        return f"http://{self._host}:{self._port}/"

    @property
    def api_url(self) -> str:
        """What to pass as slack_sdk's base_url (trailing slash included)."""
        return self.base_url + "api/"

    def enable_playground(self, events_url: str, signing_secret: str) -> str:
        """Serve the browser playground at /playground, delivering what people do there to the app
        at `events_url`, signed with `signing_secret`. Loopback only. Returns the page's URL."""
        from .playground import Playground

        if self._port is None:
            raise RuntimeError("sandbox not started")
        self.playground = Playground(self, events_url, signing_secret)
        return self.base_url + "playground"

    def disable_playground(self) -> None:
        """Stop serving the playground (from any thread but the sandbox's own loop)."""
        playground, self.playground = self.playground, None
        if playground is not None and self.loop is not None and self.loop.is_running():
            asyncio.run_coroutine_threadsafe(playground.sender.close(), self.loop).result(timeout=5)

    def add_ephemeral(
        self,
        channel: str,
        user: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        *,
        source: str = "command_response",
    ) -> None:
        """An ephemeral from NOX that the app returned in an HTTP answer (a slash command's ack)."""
        with self._state.lock:
            self._state.messages.add_ephemeral(
                {
                    "channel": channel,
                    "user": user,
                    "ts": self._state.clock.next(),
                    "thread_ts": None,
                    "text": text,
                    "blocks": clone(blocks) or [],
                    "bot_id": self.bot_id,
                    "source": source,
                }
            )

    def touch_view(self, user: str, view_id: str) -> None:
        """Note a change shown around a view (the errors of a submission) so pages redraw it."""
        with self._state.lock:
            self._state.feed.add("view_errors", None, None, {"id": view_id}, user)

    def change_seq(self) -> int:
        """The sequence number of the newest visible change (see changes())."""
        with self._state.lock:
            return self._state.feed.seq

    # --- HTTP handlers -----------------------------------------------------------------
    async def _handle_index(self, request: web.Request) -> web.Response:
        return web.Response(text=f"Jamono Slack sandbox for team {self.team_id}. Web API at {self.api_url}\n")

    async def _handle_authorize(self, request: web.Request) -> web.Response:
        """Slack's consent screen, with the person already clicking *Allow*: back to the app's
        redirect URL with a one-time code (or `error=access_denied` when `?deny=1`).

        The workspace is `?team=` (a new one is created on the fly) or the sandbox's own; the
        installer is `?user=` (default U0DEV); the redirect is `redirect_uri` or `oauth_redirect_url`.
        """
        query = request.query
        if query.get("client_id") != self.client_id:
            return web.Response(status=400, text="Invalid client_id parameter")
        redirect_uri = query.get("redirect_uri") or self.oauth_redirect_url
        if not redirect_uri:
            return web.Response(status=400, text="No redirect_uri: pass one, or set sandbox.oauth_redirect_url")
        state = query.get("state", "")
        if query.get("deny"):
            target = {"error": "access_denied", "state": state}
        else:
            scopes = tuple(s for s in query.get("scope", "").split(",") if s) or DEFAULT_BOT_SCOPES
            code = self.issue_oauth_code(
                team_id=query.get("team") or None,
                user=query.get("user") or "U0DEV",
                scopes=scopes,
                redirect_uri=query.get("redirect_uri"),
            )
            target = {"code": code, "state": state}
        separator = "&" if "?" in redirect_uri else "?"
        raise web.HTTPFound(redirect_uri + separator + urlencode(target))

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        received = time.time()
        ctx: MethodContext | None = None
        token: str | None = None
        params: dict[str, Any] = {}
        transport = "query"
        headers: dict[str, str]
        try:
            parsed = await parse_api_request(request)
            token, params, transport = parsed.token, parsed.params, parsed.transport
        except SlackError as error:
            status, body, headers = 200, {"ok": False, "error": error.error}, {}
        else:
            with self._state.lock:
                delay = self._state.faults.latency(method)
            if delay:
                await asyncio.sleep(delay)
            with self._state.lock:
                fault = self._state.faults.take(method)
            if fault is not None:
                status, body, headers = fault.response()
            else:
                status, body, headers, ctx = self._dispatch(method, parsed.params, parsed.token, parsed.client_auth)
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self._state.record(
            ApiCall(method, clone(params), token, received, status, clone(body), transport, _peer_text(peer))
        )
        if ctx is not None and ctx.posted and self._echo is not None:
            with self._state.lock:  # other threads may be editing these messages right now
                posted = clone(ctx.posted)
            for channel, message in posted:
                self._spawn(self._deliver_echo(self._echo, channel, message))
        headers["X-Slack-Req-Id"] = secrets.token_hex(16)
        return web.json_response(body, status=status, headers=headers)

    def _dispatch(
        self, method: str, params: dict[str, Any], token: str | None, client_auth: tuple[str, str] | None
    ) -> tuple[int, dict[str, Any], dict[str, str], MethodContext | None]:
        if method == "apps.connections.open":
            return 200, self._open_socket(token), {}, None
        spec = METHODS.get(method)
        if spec is None:
            return 200, {"ok": False, "error": "unknown_method", "req_method": method}, {}, None
        headers: dict[str, str] = {}
        with self._state.lock:
            try:
                identity = self._identify(token, required=spec.needs_token)
                if identity is not None:
                    headers["X-OAuth-Scopes"] = ",".join(identity.scopes)
                ctx = MethodContext(self._state, params, identity, client_auth)
                return 200, {"ok": True, **spec.handler(ctx)}, headers, ctx
            except SlackError as error:
                return 200, {"ok": False, "error": error.error, **error.extra}, headers, None
            except Exception:  # a sandbox bug must surface loudly, as Slack's 500 would
                log.exception("sandbox failed answering %s", method)
                return 500, {"ok": False, "error": "internal_error"}, headers, None

    def _open_socket(self, token: str | None) -> dict[str, Any]:
        """Only the app-level token opens a socket (a bot token gets not_allowed_token_type)."""
        if not token:
            return {"ok": False, "error": "not_authed"}
        if token != self.app_token:
            return {"ok": False, "error": "not_allowed_token_type" if token.startswith("xox") else "invalid_auth"}
        ticket = self.socket_mode.issue_ticket()
        return {"ok": True, "url": f"ws://{self._host}:{self._port}/socket-mode/{ticket}"}

    async def socket_send(
        self,
        envelope_type: EnvelopeType,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """Push an envelope over Socket Mode from any thread or loop; the app's ack (TimeoutError
        when it did not ack in time)."""
        if self.loop is None:
            raise RuntimeError("sandbox not started")
        sent = asyncio.run_coroutine_threadsafe(
            self.socket_mode.send(
                envelope_type,
                clone(payload),
                retry_attempt=retry_attempt,
                retry_reason=retry_reason,
                timeout=timeout,
            ),
            self.loop,
        )
        return await asyncio.wrap_future(sent)

    def _identify(self, token: str | None, *, required: bool) -> Identity | None:
        if required:
            return self._state.credentials.identify(token)
        try:
            return self._state.credentials.identify(token) if token else None
        except SlackError:
            return None

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal gave: the file's bytes, once."""
        body = await request.read()
        with self._state.lock:
            stored = self._state.files.get(request.match_info["file_id"])
            if stored is None or stored["content"] is not None:
                return web.Response(status=404, text="file not found")
            if len(body) != stored["size"]:
                return web.Response(status=400, text="length mismatch")
            stored["content"] = body.decode("utf-8", "replace")
        return web.Response(text=f"OK - {len(body)}")

    def file(self, file_id: str) -> dict[str, Any] | None:
        """A file uploaded through files_upload_v2, with its text content."""
        with self._state.lock:
            stored = self._state.files.get(file_id)
            return clone(stored) if stored else None

    def canvases(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Canvases created through canvases.create (with their markdown), those a channel can open
        when `channel` is given; oldest first."""
        with self._state.lock:
            found = [
                clone(f)
                for f in self._state.files.values()
                if f.get("is_canvas") and (channel is None or channel in f["access"])
            ]
        return sorted(found, key=lambda f: f["created"])

    def grant_scopes(self, *scopes: str, team_id: str | None = None) -> None:
        """Give the team's bot tokens more scopes, as a re-install with a newer manifest would."""
        team = team_id or self.team_id
        with self._state.lock:
            credentials = self._state.credentials
            for token, identity in list(credentials.tokens.items()):
                if identity.team_id == team and identity.is_bot:
                    added = tuple(s for s in scopes if s not in identity.scopes)
                    credentials.tokens[token] = dataclasses.replace(identity, scopes=identity.scopes + added)

    def revoke_scopes(self, *scopes: str, team_id: str | None = None) -> None:
        team = team_id or self.team_id
        with self._state.lock:
            credentials = self._state.credentials
            for token, identity in list(credentials.tokens.items()):
                if identity.team_id == team and identity.is_bot:
                    kept = tuple(s for s in identity.scopes if s not in scopes)
                    credentials.tokens[token] = dataclasses.replace(identity, scopes=kept)

    def set_plan(self, plan: str, *, canvases_enabled: bool = True, team_id: str | None = None) -> None:
        """The team's plan ("free" limits canvases) and whether its admins allow canvases."""
        with self._state.lock:
            workspace = self._state.workspaces[team_id or self.team_id]
            workspace.plan, workspace.canvases_enabled = plan, canvases_enabled

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        received = time.time()
        raw = await request.read()
        try:
            body = json.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            status, answer = 400, {"ok": False, "error": "invalid_payload"}
            body = {"raw": raw.decode(errors="replace")}
        else:
            status, answer = self._apply_response_url(request.match_info["key"], body)
        self._state.record(ApiCall("response_url", clone(body), None, received, status, answer, "json"))
        return web.json_response(answer, status=status)

    def _apply_response_url(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """What Slack does with a response_url post: replace/delete the original, or post anew."""
        with self._state.lock:
            target = self._state.credentials.response_urls.get(key)
            if target is None:
                return 404, {"ok": False, "error": "expired_url"}
            if target.uses >= RESPONSE_URL_MAX_USES:
                return 404, {"ok": False, "error": "used_url"}
            target.uses += 1
            try:
                self._respond(target, body)
            except SlackError as error:
                return 400, {"ok": False, "error": error.error}
        return 200, {"ok": True}

    def _respond(self, target: ResponseUrl, body: dict[str, Any]) -> None:
        messages = self._state.messages
        text, blocks = body.get("text"), body.get("blocks")
        original = messages.find(target.channel, target.message_ts) if target.message_ts else None
        if body.get("delete_original"):
            if original is not None:
                messages.delete(target.channel, original["ts"])
            return
        check_message(text, blocks, body.get("attachments"))
        if body.get("replace_original") and original is not None:
            changes: dict[str, Any] = {"text": str(text or ""), "blocks": clone(blocks) or []}
            changes["edited"] = {"user": self.bot_user_id, "ts": self._state.clock.next()}
            messages.update(target.channel, original["ts"], changes)
            return
        if body.get("response_type") == "in_channel":
            bot = self._state.credentials.tokens[self.bot_token]
            message = self._state.new_message(
                identity=bot, text=str(text or ""), blocks=blocks, thread_ts=body.get("thread_ts")
            )
            messages.add(target.channel, message)
            return
        messages.add_ephemeral(
            {
                "channel": target.channel,
                "user": target.user,
                "ts": self._state.clock.next(),
                "thread_ts": body.get("thread_ts") or target.thread_ts,
                "text": str(text or ""),
                "blocks": clone(blocks) or [],
                "bot_id": self.bot_id,
                "source": "response_url",
            }
        )

    # --- event echo --------------------------------------------------------------------
    def echo_events_to(self, url: str | None, signing_secret: str = "", *, subtype: str | None = "bot_message") -> None:
        """Deliver the bot's own posts back to the app as signed `message` events (None: off).

        Slack does this to any app subscribed to message events; the app must
        ignore them. `subtype=None` gives the modern shape (bot_id and user set,
        no subtype) that a subtype-only filter would miss.
        """
        self._echo = _Echo(url, signing_secret, subtype) if url else None

    async def _deliver_echo(self, echo: _Echo, channel: Channel, message: dict[str, Any]) -> None:
        team = str(message.get("team") or self.team_id)
        envelopes = SlackPayloads(
            team_id=team,
            api_app_id=self.app_id,
            enterprise_id=self.workspace.enterprise_id,
            bot_user_id=self.bot_user_id,
            team_domain=self.team_domain,
        )
        envelope = envelopes.event_callback(bot_message_event(message, channel, subtype=echo.subtype))
        body = json.dumps(envelope).encode()
        headers = {"Content-Type": "application/json", **signed_headers(echo.signing_secret, body)}
        if self._echo_session is None or self._echo_session.closed:
            self._echo_session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        try:
            async with self._echo_session.post(echo.url, data=body, headers=headers) as response:
                status = response.status
        except (TimeoutError, aiohttp.ClientError) as error:
            log.warning("sandbox could not echo event to %s: %s", echo.url, error)
            status = -1
        with self._state.lock:
            self.echo_results.append((envelope["event_id"], status))

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- directory ---------------------------------------------------------------------
    def add_user(
        self,
        id: str,
        name: str,
        *,
        tz: str = "Europe/Paris",
        tz_offset: int = 3600,
        email: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        locale: str = "fr-FR",
        is_bot: bool = False,
        real_name: str = "",
        is_restricted: bool = False,
    ) -> None:
        user = User(
            id=id,
            name=name,
            real_name=real_name,
            tz=tz,
            tz_offset=tz_offset,
            email=email,
            is_admin=is_admin,
            is_owner=is_owner,
            locale=locale,
            is_bot=is_bot,
            team_id=self.team_id,
            is_restricted=is_restricted,
        )
        with self._state.lock:
            self._state.directory.add_user(user)

    def add_channel(
        self, id: str, name: str, *, is_im: bool = False, is_private: bool = False, members: list[str] | None = None
    ) -> None:
        user = None
        if is_im:
            user = next((m for m in members or [] if m != self.bot_user_id), None)
        channel = Channel(
            id=id, name=name, is_im=is_im, is_private=is_private, user=user, members=list(members or [self.bot_user_id])
        )
        with self._state.lock:
            self._state.directory.add_channel(channel)

    def users(self) -> list[User]:
        """Everyone in the directory (copies)."""
        with self._state.lock:
            return clone(list(self._state.directory.users.values()))

    def conversations(self) -> list[Channel]:
        """Every channel, DM and group DM the sandbox knows (copies)."""
        with self._state.lock:
            return clone(list(self._state.directory.channels.values()))

    def join(self, channel: str, user: str) -> None:
        """Make a user a member of a channel (as /invite would)."""
        with self._state.lock:
            members = self._state.directory.resolve(channel).members
            if user not in members:
                members.append(user)

    def add_usergroup(self, group_id: str, users: list[str]) -> None:
        """A user group (S…) whose members usergroups.users.list answers."""
        with self._state.lock:
            self._state.directory.usergroups[group_id] = list(users)

    def channel(self, ref: str) -> Channel:
        """The channel an id/#name/user id refers to (auto-created like the Web API does)."""
        with self._state.lock:
            return clone(self._state.directory.resolve(ref))

    def dm_channel(self, user: str) -> str:
        with self._state.lock:
            return self._state.directory.dm_for(user)[0].id

    def user_info(self, user: str) -> dict[str, Any] | None:
        with self._state.lock:
            found = self._state.directory.users.get(user)
            return found.to_api(include_locale=True) if found else None

    # --- humans talking ----------------------------------------------------------------
    def user_says(
        self, user: str, channel: str, text: str, *, thread_ts: str | None = None, files: list[Any] | None = None
    ) -> dict[str, Any]:
        """Record a person's message in history; returns the `message` event Slack would send."""
        with self._state.lock:
            conversation = self._state.directory.resolve(channel)
            message: dict[str, Any] = {
                "type": "message",
                "ts": self._state.clock.next(),
                "thread_ts": thread_ts,
                "user": user,
                "bot_id": None,
                "text": text,
                "blocks": rich_text_blocks(text),
                "metadata": None,
                "edited": None,
                "team": self.team_id,
                "client_msg_id": secrets.token_hex(16),
            }
            if files:
                message.update(subtype="file_share", files=normalize_files(files), upload=False)
            stored = self._state.messages.add(conversation.id, message)
            return message_event(stored, conversation)

    # --- credentials -------------------------------------------------------------------
    def issue_oauth_code(
        self,
        *,
        team_id: str | None = None,
        team_name: str | None = None,
        team_domain: str | None = None,
        enterprise_id: str | None = None,
        user: str = "U0DEV",
        scopes: tuple[str, ...] | list[str] = DEFAULT_BOT_SCOPES,
        user_scopes: tuple[str, ...] | list[str] = (),
        token_rotation: bool = False,
        bot_user_id: str | None = None,
        bot_id: str | None = None,
        redirect_uri: str | None = None,
    ) -> str:
        """A one-time code for oauth.v2.access, as Slack's redirect would carry after install."""
        with self._state.lock:
            workspace = self._workspace(team_id, team_name, team_domain, enterprise_id, bot_user_id, bot_id)
            grant = Grant(
                team_id=workspace.team_id,
                team_name=workspace.team_name,
                user_id=user,
                bot_user_id=workspace.bot_user_id,
                bot_id=workspace.bot_id,
                app_id=self.app_id,
                scopes=tuple(scopes),
                user_scopes=tuple(user_scopes),
                enterprise_id=workspace.enterprise_id,
                enterprise_name=workspace.enterprise_name,
                token_rotation=token_rotation,
                redirect_uri=redirect_uri,
            )
            return self._state.credentials.issue_code(grant)

    def install(
        self, team_id: str, team_name: str | None = None, *, token: str | None = None, enterprise_id: str | None = None
    ) -> str:
        """Shortcut for tests: a valid bot token for another workspace, without the OAuth dance."""
        with self._state.lock:
            workspace = self._workspace(team_id, team_name, None, enterprise_id, None, None)
            token = token or f"xoxb-{team_id.lower()}-{secrets.token_hex(8)}"
            self._state.credentials.add_token(
                Identity(
                    token=token,
                    team_id=team_id,
                    user_id=workspace.bot_user_id,
                    app_id=self.app_id,
                    bot_id=workspace.bot_id,
                    is_bot=True,
                    scopes=DEFAULT_BOT_SCOPES,
                    enterprise_id=enterprise_id,
                )
            )
            return token

    def _workspace(
        self,
        team_id: str | None,
        team_name: str | None,
        team_domain: str | None,
        enterprise_id: str | None,
        bot_user_id: str | None,
        bot_id: str | None,
    ) -> Workspace:
        team_id = team_id or self.team_id
        existing = self._state.workspaces.get(team_id)
        if existing is not None:
            return existing
        workspace = Workspace(
            team_id=team_id,
            team_name=team_name or team_id,
            team_domain=team_domain or team_id.lower(),
            bot_user_id=bot_user_id or self.bot_user_id,
            bot_id=bot_id or self.bot_id,
            app_id=self.app_id,
            enterprise_id=enterprise_id,
            enterprise_name="Sandbox Enterprise" if enterprise_id else None,
        )
        self._state.workspaces[team_id] = workspace
        return workspace

    def valid_tokens(self) -> list[str]:
        with self._state.lock:
            credentials = self._state.credentials
            return [t for t in credentials.tokens if t not in credentials.revoked]

    def revoke_token(self, token: str) -> None:
        """Calls with this token now fail with token_revoked (what Slack says after uninstall/revoke)."""
        with self._state.lock:
            self._state.credentials.revoke(token)

    def issue_trigger_id(self, user: str | None = None, *, age: float = 0.0) -> str:
        """A trigger_id for views.open/push; `age` > trigger_ttl gives an already-expired one."""
        with self._state.lock:
            return self._state.credentials.issue_trigger(user, age=age)

    def response_url_for(
        self, channel: str, user: str, *, message_ts: str | None = None, thread_ts: str | None = None
    ) -> str:
        """A response_url served by this sandbox; posts to it are recorded (see ephemerals())."""
        with self._state.lock:
            key = self._state.credentials.issue_response_url(
                ResponseUrl(channel=channel, user=user, message_ts=message_ts, thread_ts=thread_ts)
            )
        return f"{self.base_url}response_url/{key}"

    # --- faults ------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        *,
        error: str = "ratelimited",
        status: int | None = None,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """Make the next `count` calls to `method` ("*": any) fail; see FaultPlan.fail_next."""
        with self._state.lock:
            self._state.faults.fail_next(method, error=error, status=status, retry_after=retry_after, count=count)

    def set_latency(self, method: str, seconds: float) -> None:
        with self._state.lock:
            self._state.faults.set_latency(method, seconds)

    def clear_faults(self) -> None:
        with self._state.lock:
            self._state.faults.clear()

    def reset(self) -> None:
        """Clean slate between tests sharing one sandbox: messages, ephemerals, views, calls, faults."""
        with self._state.lock:
            self._state.reset()
            self.echo_results.clear()

    # --- views -------------------------------------------------------------------------
    def apply_view_response(
        self, user: str, view_id: str | None, status: int, body: Any, *, closed: bool = False
    ) -> None:
        """Follow the app's answer to view_submission as Slack's client would."""
        views = self._state.views
        with self._state.lock:
            if closed or (status == 200 and not body):
                views.close(user, view_id)
                return
            if status != 200 or not isinstance(body, dict):
                return
            action = body.get("response_action")
            owner = {"team_id": self.team_id, "app_id": self.app_id, "bot_id": self.bot_id}
            try:
                if action == "clear":
                    views.close(user, clear=True)
                elif action == "update" and view_id:
                    views.update(body.get("view", {}), view_id=view_id, external_id=None, expected_hash=None)
                elif action == "push":
                    views.push(user, body.get("view", {}), owner)
            except SlackError as error:
                log.warning("sandbox could not apply response_action %s: %s", action, error.error)

    # --- inspection --------------------------------------------------------------------
    @property
    def calls(self) -> list[ApiCall]:
        with self._state.lock:
            return list(self._state.calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        with self._state.lock:
            return [c for c in self._state.calls if c.method == method]

    def messages(self, channel: str, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """Current messages of a channel (replies included) or of one thread, oldest first."""
        with self._state.lock:
            store = self._state.messages
            found = store.thread(channel, store.thread_root(channel, thread_ts)) if thread_ts else store.all(channel)
            return clone(found)

    def top_level(self, channel: str) -> list[dict[str, Any]]:
        """A channel's messages as its history shows them: no thread replies (but broadcasts)."""
        with self._state.lock:
            return clone(self._state.messages.top_level(channel))

    def set_view_state(self, view_id: str, values: dict[str, Any]) -> None:
        """Keep what a person typed in a view (Slack keeps it in view.state across updates)."""
        with self._state.lock, contextlib.suppress(SlackError):
            self._state.views.find(view_id=view_id)[1]["state"] = {"values": clone(values)}

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        with self._state.lock:
            found = self._state.messages.find(channel, ts)
            return clone(found) if found is not None else None

    def bot_messages(self, channel: str | None = None, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """Messages posted by a bot, in one channel/thread or everywhere."""
        with self._state.lock:
            channels = [channel] if channel else self._state.messages.channels()
            found = [m for c in channels for m in self.messages(c, thread_ts) if m.get("bot_id")]
        return sorted(found, key=lambda m: m["ts"])

    def ephemerals(self, channel: str | None = None, user: str | None = None) -> list[dict[str, Any]]:
        """Ephemeral messages (chat.postEphemeral and response_url posts), oldest first."""
        with self._state.lock:
            return clone(
                [
                    e
                    for e in self._state.messages.ephemerals
                    if channel in (None, e["channel"]) and user in (None, e["user"])
                ]
            )

    def home_view(self, user: str) -> dict[str, Any] | None:
        with self._state.lock:
            view = self._state.views.homes.get(user)
            return clone(view) if view else None

    def open_views(self, user: str | None = None) -> list[dict[str, Any]]:
        """Modals currently open (a user's stack, root first)."""
        with self._state.lock:
            return self._state.views.open_views(user)

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self._state.lock:
            try:
                return clone(self._state.views.find(view_id=view_id)[1])
            except SlackError:
                return None

    def bookmarks(self, channel: str) -> list[dict[str, Any]]:
        """The channel's bookmarks (bookmarks.add), in order."""
        with self._state.lock:
            return clone(self._state.bookmarks.get(channel, []))

    def reactions(self, channel: str, ts: str) -> dict[str, list[str]]:
        """Reaction name -> users who added it."""
        with self._state.lock:
            found = self._state.messages.find(channel, ts) or {}
            return {r["name"]: list(r["users"]) for r in found.get("reactions", [])}

    def changes(self, after: int = 0) -> list[Change]:
        """Visible changes (posts, edits, deletions, ephemerals, views) after sequence number `after`."""
        with self._state.lock:
            return self._state.feed.after(after)

    def api_view(self, channel: str, ts: str) -> dict[str, Any] | None:
        """A message exactly as conversations.history would show it (unset keys dropped)."""
        found = self.message(channel, ts)
        return api_message(found) if found else None

    # --- waiting -----------------------------------------------------------------------
    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Poll until predicate() is truthy and return it; TimeoutError shows recent calls."""
        return await poll(predicate, timeout, self.describe)

    def wait_for_sync(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        return poll_sync(predicate, timeout, self.describe)

    async def wait_for_bot_reply(
        self,
        channel: str,
        thread_ts: str | None = None,
        predicate: Callable[[dict[str, Any]], Any] | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """The first bot message in the thread (or channel) that satisfies predicate."""
        return await poll(
            self._bot_reply_finder(channel, thread_ts, predicate), timeout, lambda: self.describe(channel)
        )

    def wait_for_bot_reply_sync(
        self,
        channel: str,
        thread_ts: str | None = None,
        predicate: Callable[[dict[str, Any]], Any] | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        return poll_sync(self._bot_reply_finder(channel, thread_ts, predicate), timeout, lambda: self.describe(channel))

    def _bot_reply_finder(
        self, channel: str, thread_ts: str | None, predicate: Callable[[dict[str, Any]], Any] | None
    ) -> Callable[[], dict[str, Any] | None]:
        def find() -> dict[str, Any] | None:
            for message in self.bot_messages(channel, thread_ts):
                if predicate is None or predicate(message):
                    return message
            return None

        return find

    def describe(self, channel: str | None = None, *, last: int = 20) -> str:
        """A readable dump of recent API calls (and a channel's messages) for failure messages."""
        lines = [f"last {last} API calls to the sandbox:"]
        lines += [f"  {call.summary()}" for call in self.calls[-last:]] or ["  (none)"]
        if channel:
            lines.append(f"messages in {channel}:")
            for m in self.messages(channel):
                who = f"bot {m['bot_id']}" if m.get("bot_id") else m.get("user")
                thread = f" (thread {m['thread_ts']})" if m.get("thread_ts") and m["thread_ts"] != m["ts"] else ""
                lines.append(f"  {m['ts']}{thread} {who}: {str(m.get('text'))[:80]!r}")
        return "\n".join(lines)


class SandboxThread:
    """Runs a SlackSandbox in its own event loop on a daemon thread.

    For sync tests, Dramatiq worker threads, and async tests whose loop must not
    also serve the sandbox (a blocking sync client there would deadlock).
    """

    def __init__(
        self, sandbox: SlackSandbox | None = None, *, host: str = "127.0.0.1", port: int = 0, **sandbox_kwargs: Any
    ) -> None:

        self.sandbox = sandbox or SlackSandbox(**sandbox_kwargs)
        self._host = host
        self._port = port
        self._thread = LoopThread("slack-sandbox", what="slack sandbox")

    @property
    def api_url(self) -> str:
        return self.sandbox.api_url

    def start(self) -> SlackSandbox:
        self._thread.start(lambda: self.sandbox.start(self._host, self._port), self.sandbox.stop)
        return self.sandbox

    def stop(self) -> None:
        self._thread.stop()

    def __enter__(self) -> SlackSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _peer_text(peer: object) -> str | None:
    """The client's address and port: calls on one kept-alive connection share it."""
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return None
