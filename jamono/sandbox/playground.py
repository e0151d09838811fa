"""The browser playground: see and use NOX as a Slack user would, without a Slack workspace.
Why and how: docs/design/sandbox.md."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .html import Directory, e, emoji, link, plain, render_message_body, render_view
from .models import User
from .sender import SlackEventSender

if TYPE_CHECKING:
    from .server import SlackSandbox

STATIC = Path(__file__).resolve().parent / "playground_static"
MANIFEST = Path(__file__).resolve().parents[2] / "manifest.json"
ADMIN_ID = "U0ADMIN"
_MENTION = re.compile(r"(?<![\w<])@nox\b", re.IGNORECASE)
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
MAX_TEXT = 40_000


def _loopback_host(host_header: str | None) -> bool:
    host = (host_header or "").rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Playground:
    """What one sandbox's playground knows beyond the sandbox: where the app is, and the errors
    the app answered to modal submissions (Slack keeps them on screen, not in the view)."""

    def __init__(self, sandbox: SlackSandbox, events_url: str, signing_secret: str) -> None:
        self.sandbox = sandbox
        self.sender = SlackEventSender(
            events_url, signing_secret, team_id=sandbox.team_id, api_app_id=sandbox.app_id, sandbox=sandbox
        )
        self.errors: dict[str, dict[str, str]] = {}  # view id -> block_id -> message
        self.shortcuts = message_shortcuts()
        if sandbox.user_info(ADMIN_ID) is None:
            sandbox.add_user(
                ADMIN_ID,
                "ada",
                real_name="Ada Admin",
                is_admin=True,
                locale="en-US",
                tz="Europe/London",
                tz_offset=0,
                email="ada@sandbox.invalid",
            )
        if any(c.id == "C0OPS" for c in sandbox.conversations()):
            sandbox.join("C0OPS", ADMIN_ID)
        sandbox.dm_channel(ADMIN_ID)

    # --- who and where ------------------------------------------------------------------------
    def people(self) -> list[User]:
        users = {u.id: u for u in self.sandbox.users()}
        return [users[u] for u in ("U0DEV", ADMIN_ID) if u in users]

    def person(self, user: Any) -> str:
        if user not in {p.id for p in self.people()}:
            raise Refused(400, "unknown user")
        return str(user)

    def names(self) -> Directory:
        users = {u.id: u.name for u in self.sandbox.users()}
        channels = {c.id: c.name for c in self.sandbox.conversations() if not c.is_im and not c.is_mpim}
        return Directory(users=users, channels=channels)

    def conversations(self, user: str) -> tuple[list[tuple[str, str]], str]:
        """(channel id, name) of the channels, and the id of this person's DM with NOX."""
        dm = self.sandbox.dm_channel(user)
        channels = [
            (c.id, c.name) for c in self.sandbox.conversations() if not c.is_im and not c.is_mpim and not c.is_private
        ]
        return sorted(channels, key=lambda c: c[1]), dm

    # --- the page's regions -------------------------------------------------------------------
    def snapshot(self, user: str, channel: str | None, thread_ts: str | None) -> dict[str, Any]:
        seq = self.sandbox.change_seq()
        names = self.names()
        channels, dm = self.conversations(user)
        known = {c for c, _ in channels} | {dm}
        if channel not in known and channel != "home":
            channel = dm
        state: dict[str, Any] = {"seq": seq, "user": user, "channel": channel, "dm": dm}
        state["sidebar"] = self.sidebar(channels, dm, channel)
        if channel == "home":
            home = self.sandbox.home_view(user)
            state["home_id"] = home["id"] if home else None
            state["bookmarks"] = ""
            state["title"] = "NOX · Home"
            state["home"] = (
                render_view(home, names) if home else '<p class="empty">NOX has not published your Home tab yet.</p>'
            )
            state["messages"] = ""
        else:
            title = "NOX" if channel == dm else "#" + dict(channels).get(channel or "", channel or "")
            state["title"] = title
            state["messages"] = self.history(channel or dm, user, names)
            state["home"] = None
            state["bookmarks"] = self.bookmarks(channel or dm)
        state["thread"] = self.thread(channel, thread_ts, user, names) if thread_ts and channel != "home" else None
        state["modal"] = self.modal(user, names)
        return state

    def bookmarks(self, channel: str) -> str:
        items = []
        for bookmark in self.sandbox.bookmarks(channel):
            icon = emoji(str(bookmark["emoji"]).strip(":")) + " " if bookmark.get("emoji") else ""
            items.append(f"<li>{link(str(bookmark.get('link', '')), icon + str(bookmark.get('title', '')))}</li>")
        return "".join(items)

    def sidebar(self, channels: list[tuple[str, str]], dm: str, current: str | None) -> str:
        def item(target: str, label: str) -> str:
            here = ' aria-current="page"' if target == current else ""
            return f'<li><button type="button" class="nav" data-channel="{e(target)}"{here}>{label}</button></li>'

        return (
            '<h2 class="nav-head">Apps</h2><ul>' + item("home", "🏠 NOX · Home") + "</ul>"
            '<h2 class="nav-head">Channels</h2><ul>' + "".join(item(c, "# " + e(n)) for c, n in channels) + "</ul>"
            '<h2 class="nav-head">Direct messages</h2><ul>' + item(dm, "🤖 NOX") + "</ul>"
        )

    def history(self, channel: str, user: str, names: Directory) -> str:
        top = self.sandbox.top_level(channel)
        ephemerals = [m for m in self.sandbox.ephemerals(channel, user) if not m.get("thread_ts")]
        items = sorted(
            [(m["ts"], self.message(channel, m, names)) for m in top]
            + [(m["ts"], self.message(channel, m, names, ephemeral=True)) for m in ephemerals]
        )
        if not items:
            return '<p class="empty">No messages yet. Say hello to NOX below.</p>'
        return "".join(html for _, html in items)

    def thread(self, channel: str | None, thread_ts: str, user: str, names: Directory) -> str | None:
        if not channel:
            return None
        found = self.sandbox.messages(channel, thread_ts)
        if not found:
            return None
        ephemerals = [m for m in self.sandbox.ephemerals(channel, user) if m.get("thread_ts") == thread_ts]
        items = sorted(
            [(m["ts"], self.message(channel, m, names, in_thread=True)) for m in found]
            + [(m["ts"], self.message(channel, m, names, ephemeral=True, in_thread=True)) for m in ephemerals]
        )
        return "".join(html for _, html in items)

    def message(
        self,
        channel: str,
        message: dict[str, Any],
        names: Directory,
        *,
        ephemeral: bool = False,
        in_thread: bool = False,
    ) -> str:
        bot = bool(message.get("bot_id"))
        author = "NOX" if bot else names.users.get(str(message.get("user")), str(message.get("user") or "someone"))
        badge = '<span class="badge">APP</span>' if bot else ""
        only = '<span class="only-you">Only visible to you</span>' if ephemeral else ""
        edited = '<span class="edited">(edited)</span>' if message.get("edited") else ""
        ts = str(message.get("ts", ""))
        body = render_message_body(message, names)
        reactions = "".join(
            f'<span class="reaction" title="{e(", ".join(names.users.get(u, u) for u in r.get("users", [])))}">'
            f"{e(_emoji(str(r.get('name'))))} {int(r.get('count', 0))}</span>"
            for r in message.get("reactions") or []
        )
        footer = f'<div class="reactions">{reactions}</div>' if reactions else ""
        replies = int(message.get("reply_count") or 0)
        if not in_thread and not ephemeral:
            label = f"{replies} repl{'y' if replies == 1 else 'ies'}" if replies else "Reply in thread"
            footer += f'<button type="button" class="thread-link" data-thread="{e(ts)}">{label}</button>'
        if message.get("pinned_to"):
            only += '<span class="pinned">📌 Pinned</span>'
        if self.shortcuts and not ephemeral:
            options = "".join(f'<option value="{e(callback)}">{e(name)}</option>' for callback, name in self.shortcuts)
            footer += (
                f'<select class="msg-menu" aria-label="Message shortcuts ({e(author)}, {e(ts)})">'
                f'<option value="">⋯ Shortcuts</option>{options}</select>'
            )
        avatar = "🤖" if bot else e(author[:1].upper())
        kind = "msg ephemeral" if ephemeral else "msg"
        marker = ' data-ephemeral="1"' if ephemeral else ""
        return (
            f'<article class="{kind}" data-ts="{e(ts)}" data-channel="{e(channel)}"'
            f'{marker} aria-label="{e(author)}">'
            f'<div class="avatar" aria-hidden="true">{avatar}</div><div class="msg-main">'
            f'<div class="msg-head"><span class="author">{e(author)}</span>{badge}{only}{edited}</div>'
            f'<div class="msg-body">{body}</div>{footer}</div></article>'
        )

    def modal(self, user: str, names: Directory) -> dict[str, Any] | None:
        stack = self.sandbox.open_views(user)
        if not stack:
            return None
        view = stack[-1]
        errors = self.errors.get(view["id"], {})
        return {
            "id": view["id"],
            "hash": view.get("hash"),
            "errors": errors,
            "title": e(plain(view.get("title"))),
            "submit": e(plain(view.get("submit"))) if view.get("submit") else "",
            "close": e(plain(view.get("close")) or "Cancel"),
            "html": render_view(view, names, errors=errors),
        }

    # --- actions ------------------------------------------------------------------------------
    async def say(self, user: str, channel: str, text: str, thread_ts: str | None) -> dict[str, Any]:
        text = text.strip()
        if not text or len(text) > MAX_TEXT:
            raise Refused(400, "type between 1 and 40,000 characters")
        channels, dm = self.conversations(user)
        if channel not in {c for c, _ in channels} | {dm}:
            raise Refused(400, "unknown channel")
        if text.startswith("/"):
            command, _, args = text.partition(" ")
            form = self.sender.slash_command(user, args.strip(), command=command, channel=channel)
            response = await self.sender.send_command(form)
            data = response.json()
            if response.ok and isinstance(data, dict) and (data.get("text") or data.get("blocks")):
                self.sandbox.add_ephemeral(channel, user, str(data.get("text") or ""), data.get("blocks"))
            return {"status": response.status}
        conversation = self.sandbox.channel(channel)
        if conversation.is_im:
            envelopes = [self.sender.dm(user, text, channel=channel, thread_ts=thread_ts)]
        elif _MENTION.search(text) or f"<@{self.sandbox.bot_user_id}>" in text:
            mention = _MENTION.sub(f"<@{self.sandbox.bot_user_id}>", text)
            envelopes = self.sender.channel_mention(user, channel, mention, thread_ts=thread_ts)
        else:
            envelopes = [self.sender.message(channel, text, user=user, thread_ts=thread_ts)]
        statuses = [(await self.sender.send_event(envelope)).status for envelope in envelopes]
        event = envelopes[0]["event"]
        return {"status": max(statuses), "ts": event["ts"], "thread_ts": event.get("thread_ts")}

    async def act(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        action = body.get("action")
        if not isinstance(action, dict) or not isinstance(action.get("action_id"), str):
            raise Refused(400, "no action")
        given = {
            k: action[k]
            for k in (
                "action_id",
                "block_id",
                "value",
                "selected_option",
                "selected_options",
                "selected_date",
                "selected_time",
                "selected_user",
                "selected_conversation",
                "selected_channel",
            )
            if k in action
        }
        if body.get("view_id"):
            payload = self.sender.block_actions(user, [given], view=str(body["view_id"]))
        elif body.get("channel") and body.get("ts"):
            payload = self.sender.block_actions(user, [given], channel=str(body["channel"]), message_ts=str(body["ts"]))
            if body.get("ephemeral"):
                payload["container"]["is_ephemeral"] = True
        else:
            raise Refused(400, "an action needs a message or a view")
        response = await self.sender.send_interactive(payload)
        return {"status": response.status}

    async def shortcut(self, user: str, channel: str, ts: str, callback_id: str) -> dict[str, Any]:
        """A message shortcut from the message's menu (Slack's "…" → the app's shortcuts)."""
        if callback_id not in {c for c, _ in self.shortcuts}:
            raise Refused(400, "unknown shortcut")
        if self.sandbox.message(channel, ts) is None:
            raise Refused(404, "no such message")
        payload = self.sender.message_action(user, callback_id, ts, channel)
        response = await self.sender.send_interactive(payload)
        return {"status": response.status}

    async def submit(self, user: str, view_id: str, values: Any) -> dict[str, Any]:
        stack = self.sandbox.open_views(user)
        view = next((v for v in stack if v["id"] == view_id), None)
        if view is None:
            raise Refused(404, "that form is no longer open")
        if not isinstance(values, dict):
            raise Refused(400, "values must be an object")
        self.sandbox.set_view_state(view_id, values)  # Slack keeps what was typed
        payload = self.sender.view_submission(user, view.get("callback_id", ""), values, view_id=view_id)
        response = await self.sender.send_interactive(payload)
        data = response.json()
        if response.ok and isinstance(data, dict) and data.get("response_action") == "errors":
            self.errors[view_id] = {str(k): str(v) for k, v in (data.get("errors") or {}).items()}
            self.sandbox.touch_view(user, view_id)
            return {"status": response.status, "errors": self.errors[view_id]}
        self.errors.pop(view_id, None)
        return {"status": response.status}

    async def close(self, user: str, view_id: str) -> dict[str, Any]:
        stack = self.sandbox.open_views(user)
        view = next((v for v in stack if v["id"] == view_id), None)
        if view is None:
            return {"status": 200}
        if view.get("notify_on_close"):
            payload = self.sender.view_closed(user, view.get("callback_id", ""), view_id=view_id)
            await self.sender.send_interactive(payload)
        else:
            self.sandbox.apply_view_response(user, view_id, 200, None, closed=True)
        return {"status": 200}

    async def open_home(self, user: str) -> dict[str, Any]:
        response = await self.sender.send_event(
            self.sender.app_home_opened(user, channel=self.sandbox.dm_channel(user))
        )
        return {"status": response.status}


def message_shortcuts(path: Path = MANIFEST) -> list[tuple[str, str]]:
    """(callback_id, name) of the app manifest's message shortcuts; none without a manifest."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    shortcuts = manifest.get("features", {}).get("shortcuts", []) if isinstance(manifest, dict) else []
    return [
        (str(s["callback_id"]), str(s.get("name") or s["callback_id"]))
        for s in shortcuts
        if isinstance(s, dict) and s.get("type") == "message" and s.get("callback_id")
    ]


def _emoji(name: str) -> str:
    from .html import emoji

    return emoji(name)


# --- HTTP -----------------------------------------------------------------------------------------
class _Routes:
    """The playground's HTTP handlers, for one sandbox."""

    def __init__(self, sandbox: SlackSandbox) -> None:
        self.sandbox = sandbox

    def playground(self, request: web.Request) -> Playground:
        sandbox = self.sandbox
        if sandbox.playground is None or not _loopback_host(request.host) or not _loopback_host(request.remote):
            raise web.HTTPNotFound(text="The playground runs with `make run` (the sandbox on loopback).")
        return sandbox.playground

    async def page(self, request: web.Request) -> web.Response:
        self.playground(request)
        return web.Response(
            text=(STATIC / "index.html").read_text(encoding="utf-8"),
            headers={**HEADERS, "Content-Type": "text/html; charset=utf-8"},
        )

    async def static(self, request: web.Request) -> web.Response:
        self.playground(request)
        name = request.match_info["name"]
        types = {"app.js": "text/javascript", "app.css": "text/css", "favicon.svg": "image/svg+xml"}
        if name not in types:
            raise web.HTTPNotFound()
        return web.Response(
            text=(STATIC / name).read_text(encoding="utf-8"),
            headers={**HEADERS, "Content-Type": f"{types[name]}; charset=utf-8"},
        )

    async def state(self, request: web.Request) -> web.Response:
        pg = self.playground(request)
        try:
            user = pg.person(request.query.get("as", "U0DEV"))
        except Refused as refused:
            return web.json_response({"error": str(refused)}, status=refused.status, headers=HEADERS)
        snapshot = pg.snapshot(user, request.query.get("channel") or None, request.query.get("thread") or None)
        return web.json_response(snapshot, headers=HEADERS)

    async def events(self, request: web.Request) -> web.StreamResponse:
        self.playground(request)
        sandbox = self.sandbox
        response = web.StreamResponse(headers={**HEADERS, "Content-Type": "text/event-stream"})
        await response.prepare(request)
        last, idle = -1, 0.0
        try:
            while not sandbox.closing and sandbox.playground is not None:
                seq = sandbox.change_seq()
                if seq != last:
                    await response.write(f"event: change\ndata: {seq}\n\n".encode())
                    last, idle = seq, 0.0
                elif idle >= 15:
                    await response.write(b": keep-alive\n\n")
                    idle = 0.0
                await asyncio.sleep(0.1)
                idle += 0.1
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return response

    def post(self, handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.Response:
            pg = self.playground(request)
            # Only the page itself: JSON (never a cross-site form post) from its own origin.
            if request.content_type != "application/json":
                return web.json_response({"error": "send JSON"}, status=415, headers=HEADERS)
            if request.headers.get("Origin") != f"http://{request.host}":
                return web.json_response({"error": "wrong origin"}, status=403, headers=HEADERS)
            try:
                body = await request.json()
                if not isinstance(body, dict):
                    raise ValueError
                user = pg.person(body.get("as"))
                result = await handler(pg, user, body)
            except Refused as refused:
                return web.json_response({"error": str(refused)}, status=refused.status, headers=HEADERS)
            except (ValueError, json.JSONDecodeError):
                return web.json_response({"error": "bad JSON"}, status=400, headers=HEADERS)
            return web.json_response(result, headers=HEADERS)

        return wrapped


async def _say(pg: Playground, user: str, body: dict[str, Any]) -> dict[str, Any]:
    thread = body.get("thread_ts")
    return await pg.say(
        user, str(body.get("channel") or ""), str(body.get("text") or ""), str(thread) if thread else None
    )


async def _act(pg: Playground, user: str, body: dict[str, Any]) -> dict[str, Any]:
    return await pg.act(user, body)


async def _submit(pg: Playground, user: str, body: dict[str, Any]) -> dict[str, Any]:
    return await pg.submit(user, str(body.get("view_id") or ""), body.get("values"))


async def _close(pg: Playground, user: str, body: dict[str, Any]) -> dict[str, Any]:
    return await pg.close(user, str(body.get("view_id") or ""))


async def _home(pg: Playground, user: str, body: dict[str, Any]) -> dict[str, Any]:
    return await pg.open_home(user)


async def _shortcut(pg: Playground, user: str, body: dict[str, Any]) -> dict[str, Any]:
    return await pg.shortcut(
        user, str(body.get("channel") or ""), str(body.get("ts") or ""), str(body.get("callback_id") or "")
    )


def add_playground_routes(app: web.Application, sandbox: SlackSandbox) -> None:
    routes = _Routes(sandbox)
    app.router.add_get("/playground", routes.page)
    app.router.add_get("/playground/static/{name}", routes.static)
    app.router.add_get("/playground/state", routes.state)
    app.router.add_get("/playground/events", routes.events)
    for name, handler in (
        ("say", _say),
        ("action", _act),
        ("submit", _submit),
        ("close", _close),
        ("home", _home),
        ("shortcut", _shortcut),
    ):
        app.router.add_post(f"/playground/{name}", routes.post(handler))


__all__ = ["Playground", "add_playground_routes"]
