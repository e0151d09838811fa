"""A terminal chat with NOX through the sandbox: type like in Slack, read NOX's replies.
Why and how: docs/design/sandbox.md."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, TextIO

import aiohttp

from . import forms
from .models import Change
from .render import DIM, RESET, Button, find_buttons, render_blocks, render_message, render_mrkdwn
from .sender import SentResponse, SlackEventSender
from .server import SlackSandbox

HELP = """\
Talk to NOX as you would in Slack:
  hello                  a direct message to NOX
  #ops hello @nox …      a message in #ops (with @nox: a mention NOX answers)
  > more details         reply in the thread of the last conversation
  /nox …                 the /nox slash command (in the current conversation)
  #inc-… /nox …          a /nox command in that channel (after NOX invites you to a channel,
                         /nox goes there until you post elsewhere)
  :click N               click the N-th button of NOX's last message (or of your Home tab)
  :home                  open NOX's App Home tab and show it
  :set N text            fill field N of the open form (options by number or name; lists: a, b)
  :submit / :cancel      send or close the open form
  :react NAME            react with :NAME: to your last message in a channel (📌 pushpin marks
                         it for an incident's timeline)
  :mark                  the "Add to timeline" shortcut on your last message in a channel
  :similar               the "Find similar incidents" shortcut on your last message in a channel
  :file                  show the text of the last file NOX shared (a postmortem draft)
  :help                  this help
  :quit                  leave (Ctrl-D works too)"""

_CHANNEL_CHANGES = ("channel", "invited", "topic", "pinned", "bookmarks")
_MENTION = re.compile(r"(?<![\w<])@nox\b", re.IGNORECASE)


async def run_chat(
    sandbox: SlackSandbox,
    sender: SlackEventSender,
    *,
    user: str = "U0DEV",
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    ansi: bool | None = None,
    linger: float = 0.0,
    poll_interval: float = 0.05,
) -> None:
    """Chat until `:quit` or end of input; `linger` keeps printing replies that long after EOF."""
    use_ansi = stdout.isatty() if ansi is None else ansi
    session = _ChatSession(sandbox, sender, user, stdout, use_ansi)
    lines = _read_lines(stdin)
    session.say(f"Chatting with NOX in the Slack sandbox as {user}. Type :help for commands.", dim=True)
    watcher = asyncio.create_task(session.watch(poll_interval))
    try:
        while True:
            line = await lines.get()
            if line is None:
                if linger:
                    await asyncio.sleep(linger)
                break
            if not await session.handle(line.rstrip("\n")):
                break
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        session.show_changes()


def _read_lines(stdin: TextIO) -> asyncio.Queue[str | None]:
    """Feed stdin lines into a queue from a daemon thread, so reading never blocks the loop."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        try:
            for line in iter(stdin.readline, ""):
                loop.call_soon_threadsafe(queue.put_nowait, line)
        finally:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, name="sandbox-chat-stdin", daemon=True).start()
    return queue


@dataclass
class _Clickable:
    buttons: list[Button]
    channel: str | None
    ts: str | None
    view_id: str | None = None  # buttons of a view (the Home tab, a form) rather than a message


@dataclass
class _Form:
    """The open modal, as a form filled in line by line."""

    view: dict[str, Any]
    values: dict[str, dict[str, Any]]


@dataclass
class _ChatSession:
    sandbox: SlackSandbox
    sender: SlackEventSender
    user: str
    out: TextIO
    ansi: bool
    seen: int = 0
    last_thread: tuple[str, str] | None = None
    clickable: _Clickable | None = None
    command_channel: str | None = None  # where /nox goes: a channel NOX just invited you to, until you post elsewhere
    form: _Form | None = None
    names: dict[str, str] = field(default_factory=dict)
    last_posted: tuple[str, str] | None = None  # (channel, ts) of your last message in a channel
    last_file: str | None = None  # the last file NOX shared

    def __post_init__(self) -> None:
        self.dm = "D0DEV" if self.user == "U0DEV" else self.sandbox.dm_channel(self.user)
        self.seen = len(self.sandbox.changes())

    # --- input -------------------------------------------------------------------------
    async def handle(self, line: str) -> bool:
        """Act on one typed line; False means leave."""
        self.show_changes()  # what NOX said so far, so `:click` and `>` refer to what is on screen
        text = line.strip()
        if not text:
            return True
        if text in (":quit", ":q", ":exit"):
            return False
        if text.startswith(":"):
            await self.meta(text)
        else:
            await self.typed(text)
        return True

    async def meta(self, text: str) -> None:
        """A `:command` of this chat (not something said in Slack)."""
        if text == ":help":
            self.say(HELP)
        elif text.startswith(":click"):
            await self.click(text[len(":click") :].strip())
        elif text == ":home":
            await self.deliver(self.sender.app_home_opened(self.user, channel=self.dm))
        elif text.startswith(":set"):
            self.set_field(text[len(":set") :].strip())
        elif text == ":submit":
            await self.submit()
        elif text.startswith((":react", ":mark", ":file", ":similar")):
            await self.on_message(text)
        elif text == ":cancel":
            await self.cancel()
        else:
            self.say(f"unknown command {text.split()[0]} (try :help)", dim=True)

    async def typed(self, text: str) -> None:
        """Something said in Slack: a /command, a channel post, a thread reply or a DM."""
        if text.startswith("/"):
            await self.command(text)
        elif text.startswith("#"):
            name, _, rest = text[1:].partition(" ")
            if rest.strip().startswith("/"):
                await self.command(rest.strip(), channel=f"#{name}")
            else:
                await self.post(f"#{name}", rest.strip(), thread_ts=None)
        elif text.startswith(">"):
            if self.last_thread is None:
                self.say("no conversation to reply to yet", dim=True)
            else:
                channel, thread_ts = self.last_thread
                await self.post(channel, text[1:].strip(), thread_ts=thread_ts)
        else:
            await self.post(self.dm, text, thread_ts=None)

    async def post(self, channel_ref: str, text: str, *, thread_ts: str | None) -> None:
        try:
            channel = self.sandbox.channel(channel_ref)
        except Exception:
            self.say(f"no such channel {channel_ref}", dim=True)
            return
        if not text:
            return
        if channel.is_im:
            envelopes = [self.sender.dm(self.user, text, channel=channel.id, thread_ts=thread_ts)]
        elif _MENTION.search(text) or f"<@{self.sandbox.bot_user_id}>" in text:
            mention = _MENTION.sub(f"<@{self.sandbox.bot_user_id}>", text)
            envelopes = self.sender.channel_mention(self.user, channel.id, mention, thread_ts=thread_ts)
        else:
            envelopes = [self.sender.message(channel.id, text, user=self.user, thread_ts=thread_ts)]
        event = envelopes[0]["event"]
        self.last_thread = (channel.id, event.get("thread_ts") or event["ts"])
        if not channel.is_im:
            self.last_posted = (channel.id, event["ts"])
        self.command_channel = None
        for envelope in envelopes:
            await self.deliver(envelope)

    async def command(self, text: str, *, channel: str | None = None) -> None:
        command, _, args = text.partition(" ")
        if channel is not None:
            try:
                channel = self.sandbox.channel(channel).id
            except Exception:  # noqa: BLE001
                self.say(f"no such channel {channel}", dim=True)
                return
            self.command_channel = channel
        channel = channel or self.command_channel or (self.last_thread[0] if self.last_thread else self.dm)
        form = self.sender.slash_command(self.user, args.strip(), command=command, channel=channel)
        response = await self.send(self.sender.send_command(form))
        if response is not None and response.ok and response.body.strip():
            self.show_ack(response)

    async def click(self, arg: str) -> None:
        if self.clickable is None or not self.clickable.buttons:
            self.say("NOX has shown no buttons yet", dim=True)
            return
        try:
            button = self.clickable.buttons[int(arg or "1") - 1]
        except (ValueError, IndexError):
            self.say(f"choose a button from 1 to {len(self.clickable.buttons)}", dim=True)
            return
        action: dict[str, Any] = {"action_id": button.action_id, "block_id": button.block_id}
        if button.value is not None:
            action["value"] = button.value
        self.say(f"(you clicked [ {button.text} ])", dim=True)
        if self.clickable.view_id is not None:
            payload = self.sender.block_actions(self.user, [action], view=self.clickable.view_id)
        else:
            payload = self.sender.block_actions(
                self.user, [action], channel=self.clickable.channel, message_ts=self.clickable.ts
            )
        await self.send(self.sender.send_interactive(payload))

    async def on_message(self, text: str) -> None:
        """:react NAME / :mark / :similar on your last channel message; :file shows NOX's last file."""
        if text == ":file":
            found = self.sandbox.file(self.last_file) if self.last_file else None
            self.say(
                found["content"] if found and found.get("content") else "NOX has shared no file yet", dim=not found
            )
            return
        if self.last_posted is None:
            self.say("post a message in a channel first", dim=True)
            return
        channel, ts = self.last_posted
        if text.startswith((":mark", ":similar")):
            callback, name = (
                ("incident_timeline_add", "Add to timeline")
                if text.startswith(":mark")
                else ("incident_find_similar", "Find similar incidents")
            )
            payload = self.sender.message_action(self.user, callback, ts, channel)
            self.say(f"(you used the shortcut {name})", dim=True)
            await self.send(self.sender.send_interactive(payload))
            return
        name = text[len(":react") :].strip().strip(":") or "pushpin"
        item = {"type": "message", "channel": channel, "ts": ts}
        event = {"type": "reaction_added", "user": self.user, "reaction": name, "item": item, "item_user": self.user}
        self.say(f"(you reacted :{name}:)", dim=True)
        await self.deliver(self.sender.event_callback({**event, "event_ts": ts}))

    # --- forms (modals) ----------------------------------------------------------------
    def set_field(self, arg: str) -> None:
        if self.form is None:
            self.say("no form is open", dim=True)
            return
        number, _, typed = arg.partition(" ")
        fields = forms.fields(self.form.view)
        if not number.isdigit() or not 1 <= int(number) <= len(fields):
            self.say(f"choose a field from 1 to {len(fields)}: :set N text", dim=True)
            return
        field_ = fields[int(number) - 1]
        try:
            value = forms.parse_value(field_.element, typed.strip(), users=self.all_users(), channels=self.channels())
        except ValueError as error:
            self.say(f"{field_.label}: {error}", dim=True)
            return
        self.form.values.setdefault(field_.block_id, {})[field_.action_id] = value
        self.say(f"({field_.label}: {forms.shown_value(value, self.all_users(), self.channels()) or '—'})", dim=True)

    async def submit(self) -> None:
        if self.form is None:
            self.say("no form is open", dim=True)
            return
        view = self.form.view
        payload = self.sender.view_submission(
            self.user, str(view.get("callback_id", "")), self.form.values, view_id=view["id"]
        )
        response = await self.send(self.sender.send_interactive(payload))
        data = response.json() if response is not None else None
        if isinstance(data, dict) and data.get("response_action") == "errors":
            labels = {f.block_id: f.label for f in forms.fields(view)}
            lines = [
                f"⚠ {labels.get(block, block)}: {message}" for block, message in (data.get("errors") or {}).items()
            ]
            self.say(self.label("NOX (in the form)") + self.indent("\n".join(lines)))
            return
        if response is not None and response.ok:
            self.say("(form sent)", dim=True)
            if not self.sandbox.open_views(self.user):
                self.form = None

    async def cancel(self) -> None:
        if self.form is None:
            self.say("no form is open", dim=True)
            return
        view = self.form.view
        if view.get("notify_on_close"):
            await self.send(
                self.sender.send_interactive(
                    self.sender.view_closed(self.user, str(view.get("callback_id", "")), view_id=view["id"])
                )
            )
        else:
            self.sandbox.apply_view_response(self.user, view["id"], 200, None, closed=True)
        self.form = None
        self.say("(form closed)", dim=True)

    def show_form(self, view: dict[str, Any]) -> None:
        """The modal as a numbered form; its buttons (if any) become clickable."""
        previous = self.form.values if self.form is not None and self.form.view.get("id") == view.get("id") else {}
        values = forms.initial_values(view)
        for block_id, inner in previous.items():
            if block_id in values:
                values[block_id].update(inner)
        self.form = _Form(view, values)
        title = forms._plain(view.get("title"))
        fields = forms.fields(view)
        lines = [
            render_blocks(
                [b for b in view.get("blocks") or [] if isinstance(b, dict) and b.get("type") != "input"],
                ansi=self.ansi,
                number_buttons=True,
                users=self.user_names(),
            )
        ]
        for number, field_ in enumerate(fields, 1):
            current = forms.shown_value(values[field_.block_id][field_.action_id], self.all_users(), self.channels())
            optional = " (optional)" if field_.optional else ""
            line = f"{number}. {field_.label}{optional}: {current or '—'}"
            options = forms.choices(field_.element)
            if options:
                line += f"   [{options}]"
            lines.append(line)
        if fields:
            submit = forms._plain(view.get("submit")) or "Submit"
            lines.append(f"Fill it in with :set N text, then :submit ({submit}) or :cancel.")
        buttons = find_buttons(view.get("blocks") or [])
        if buttons:
            self.clickable = _Clickable(buttons, None, None, view_id=view["id"])
        self.say(self.label(f"NOX opened a form: {title}") + self.indent("\n".join(line for line in lines if line)))

    def all_users(self) -> dict[str, str]:
        return {u.id: u.name for u in self.sandbox.users()}

    def channels(self) -> dict[str, str]:
        return {c.id: c.name for c in self.sandbox.conversations() if not c.is_im}

    async def deliver(self, envelope: dict[str, Any]) -> None:
        await self.send(self.sender.send_event(envelope))

    async def send(self, request: Any) -> SentResponse | None:
        """Await a delivery; tell the person when the app refused it or is unreachable."""
        try:
            response: SentResponse = await request
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            self.say(f"⚠ could not reach the app ({error.__class__.__name__}: {error})")
            return None
        if not response.ok:
            self.say(f"⚠ the app answered HTTP {response.status}: {response.body[:200]}")
        return response

    def show_ack(self, response: SentResponse) -> None:
        data = response.json()
        if isinstance(data, dict):
            text = render_blocks(data.get("blocks") or [], fallback_text=str(data.get("text", "")), ansi=self.ansi)
        else:
            text = response.body
        if text.strip():
            self.say(self.label("NOX (only you)") + self.indent(text))

    # --- output ------------------------------------------------------------------------
    async def watch(self, interval: float) -> None:
        while True:
            self.show_changes()
            await asyncio.sleep(interval)

    def show_changes(self) -> None:
        for change in self.sandbox.changes(after=self.seen):
            self.seen = change.seq
            self.show(change)

    def show(self, change: Change) -> None:
        message = change.message
        if change.kind == "ephemeral":
            if change.user == self.user:
                self.print_message("NOX (only you)", message, change)
            return
        if change.kind == "view":
            if change.user == self.user:
                self.show_form(message)
            return
        if change.kind == "view_closed":
            if change.user == self.user and self.form is not None and not self.sandbox.open_views(self.user):
                self.form = None
            return
        if change.kind in _CHANNEL_CHANGES:
            self.show_channel_change(change)
            return
        if change.kind == "home":
            if change.user == self.user:
                self.show_home(message)
            return
        if change.kind in ("posted", "updated", "deleted"):
            self.show_message_change(change)

    def show_home(self, message: dict[str, Any]) -> None:
        text = render_message(message, ansi=self.ansi, number_buttons=True, users=self.user_names())
        buttons = find_buttons(message.get("blocks") or [])
        if buttons:
            self.clickable = _Clickable(buttons, None, None, view_id=str(message.get("id")))
        self.say(self.label("NOX · Home") + self.indent(text))

    def show_message_change(self, change: Change) -> None:
        """NOX's own messages only: posted, edited or deleted."""
        message = change.message
        if not message.get("bot_id") or change.channel is None:
            return
        where = self.where(change.channel, message)
        if change.kind == "posted":
            self.print_message(f"NOX{where}", message, change)
            if message.get("thread_ts"):
                self.last_thread = (change.channel, str(message["thread_ts"]))
        elif change.kind == "updated":
            self.print_message(f"NOX{where} (edited)", message, change)
        elif change.kind == "deleted":
            self.say(f"NOX{where} deleted a message", dim=True)

    def show_channel_change(self, change: Change) -> None:
        """Channels NOX makes and furnishes: created, invitations, topic, pins, bookmarks."""
        data, channel = change.message, change.channel or ""
        try:
            name = "#" + self.sandbox.channel(channel).name
        except Exception:  # noqa: BLE001 - a channel gone since: show its id
            name = channel
        if change.kind == "channel":
            self.user_names()[channel] = name[1:]  # so <#C…> reads as its name from now on
            private = " (private)" if data.get("is_private") else ""
            line = f"NOX created {name}{private}"
        elif change.kind == "invited":
            if self.user in (data.get("users") or []):
                self.command_channel = channel  # /nox now goes there (an incident's commands)
            line = f"NOX invited {', '.join('@' + self.user_name(u) for u in data.get('users') or [])} to {name}"
        elif change.kind == "topic":
            line = f"{name} topic: {render_mrkdwn(str(data.get('topic', '')), users=self.user_names())}"
        elif change.kind == "pinned":  # pins.add and pins.remove: the message, with where it is pinned now
            first = render_message(data, users=self.user_names()).splitlines()[0] if data else ""
            verb = "pinned" if channel in (data.get("pinned_to") or []) else "unpinned"
            line = f"📌 NOX {verb} a message in {name}: {first}"
        else:  # the channel's bookmarks after a change: show the newest
            marks = data.get("bookmarks") or []
            if not marks:
                return
            line = f"🔖 {name} bookmark: {marks[-1].get('title', '')} ({marks[-1].get('link', '')})"
        self.say(line, dim=True)

    def user_name(self, user_id: str) -> str:
        info = self.sandbox.user_info(user_id)
        return str(info["name"]) if info else user_id

    def print_message(self, who: str, message: dict[str, Any], change: Change) -> None:
        text = render_message(message, ansi=self.ansi, number_buttons=True, users=self.user_names())
        for shared in message.get("files") or []:
            self.last_file = str(shared.get("id"))
            text += f"\n📎 {shared.get('title')} ({shared.get('name')}) — :file shows it"
        buttons = find_buttons(message.get("blocks") or [])
        if buttons and change.channel and change.ts:
            self.clickable = _Clickable(buttons, change.channel, change.ts)
        self.say(self.label(who) + self.indent(text))

    def where(self, channel: str, message: dict[str, Any]) -> str:
        place = "" if channel == self.dm else f" in #{self.sandbox.channel(channel).name}"
        if message.get("thread_ts") and message["thread_ts"] != message["ts"]:
            place += " ↳"
        return place

    def user_names(self) -> dict[str, str]:
        """Ids → names for rendering mentions: people, and the channels NOX created (by id)."""
        if not self.names:
            for user_id in ("U0DEV", self.user, self.sandbox.bot_user_id):
                info = self.sandbox.user_info(user_id)
                if info:
                    self.names[user_id] = str(info["name"])
        return self.names

    def label(self, who: str) -> str:
        return f"\x1b[1m{who} ›\x1b[0m " if self.ansi else f"{who} › "

    @staticmethod
    def indent(text: str) -> str:
        return text.replace("\n", "\n    ")

    def say(self, text: str, *, dim: bool = False) -> None:
        if dim and self.ansi:
            text = f"{DIM}{text}{RESET}"
        self.out.write(text + "\n")
        self.out.flush()
