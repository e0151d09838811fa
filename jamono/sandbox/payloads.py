"""Builders for what Slack sends an app: event envelopes, slash-command forms, interaction payloads.
Why and how: docs/design/sandbox.md."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .clone import clone
from .events import app_mention_event, message_event
from .ids import TsClock, new_event_id, new_trigger_id
from .models import Channel
from .richtext import rich_text_blocks

if TYPE_CHECKING:
    from .server import SlackSandbox

Payload = dict[str, Any]


class SlackPayloads:
    """Real-shaped payloads for one app installed in one workspace."""

    def __init__(
        self,
        *,
        team_id: str = "T0SANDBOX",
        api_app_id: str = "A0NOX",
        enterprise_id: str | None = None,
        sandbox: SlackSandbox | None = None,
        bot_user_id: str = "U0NOX",
        team_domain: str = "sandbox",
        verification_token: str = "sandbox-verification-token",
    ) -> None:
        self.team_id = team_id
        self.api_app_id = api_app_id
        self.enterprise_id = enterprise_id
        self.sandbox = sandbox
        self.bot_user_id = sandbox.bot_user_id if sandbox else bot_user_id
        self.team_domain = sandbox.team_domain if sandbox else team_domain
        self.verification_token = verification_token
        self._clock = TsClock()

    # --- Events API --------------------------------------------------------------------
    def event_callback(self, event: Payload, *, event_id: str | None = None, event_time: int | None = None) -> Payload:
        """Wrap an event in the event_callback envelope Slack POSTs to the events URL."""
        return {
            "token": self.verification_token,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": self.enterprise_id,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or new_event_id(),
            "event_time": int(time.time()) if event_time is None else event_time,
            "authorizations": [
                {
                    "enterprise_id": self.enterprise_id,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + secrets.token_urlsafe(48),
        }

    def url_verification(self, challenge: str) -> Payload:
        return {"token": self.verification_token, "challenge": challenge, "type": "url_verification"}

    def app_mention(self, user: str, channel: str, text: str, *, thread_ts: str | None = None) -> Payload:
        """`@nox …` in a channel (the bot mention is added to the text if missing)."""
        text = self._with_mention(text)
        message, conversation = self._user_message(user, channel, text, thread_ts=thread_ts)
        return self.event_callback(app_mention_event(message, conversation))

    def channel_mention(self, user: str, channel: str, text: str, *, thread_ts: str | None = None) -> list[Payload]:
        """Both envelopes Slack sends for one channel @mention: app_mention, then message."""
        text = self._with_mention(text)
        message, conversation = self._user_message(user, channel, text, thread_ts=thread_ts)
        return [
            self.event_callback(app_mention_event(message, conversation)),
            self.event_callback(message_event(message, conversation)),
        ]

    def dm(self, user: str, text: str, *, channel: str = "D0DEV", thread_ts: str | None = None) -> Payload:
        """A direct message to the bot: a `message` event with channel_type "im"."""
        message, conversation = self._user_message(user, channel, text, thread_ts=thread_ts)
        return self.event_callback(message_event(message, conversation))

    def message(
        self,
        channel: str,
        text: str,
        *,
        user: str | None = "U0DEV",
        subtype: str | None = None,
        bot_id: str | None = None,
        thread_ts: str | None = None,
        files: list[Any] | None = None,
        **extra: Any,
    ) -> Payload:
        """Any `message` event: a human's (recorded in the sandbox) or one with a subtype/bot_id."""
        if subtype is None and bot_id is None and user is not None:
            message, conversation = self._user_message(user, channel, text, thread_ts=thread_ts, files=files)
            event = message_event(message, conversation)
        else:
            conversation = self._channel(channel)
            ts = self._clock.next()
            event = {
                "type": "message",
                "channel": conversation.id,
                "text": text,
                "ts": ts,
                "event_ts": ts,
                "channel_type": conversation.channel_type,
            }
            for key, value in (("subtype", subtype), ("user", user), ("bot_id", bot_id), ("thread_ts", thread_ts)):
                if value is not None:
                    event[key] = value
        event.update(extra)
        return self.event_callback(event)

    def app_home_opened(self, user: str, *, tab: str = "home", channel: str | None = None) -> Payload:
        event: Payload = {
            "type": "app_home_opened",
            "user": user,
            "channel": channel or self._dm_id(user),
            "tab": tab,
            "event_ts": self._clock.next(),
        }
        view = self.sandbox.home_view(user) if self.sandbox else None
        if view is not None:
            event["view"] = view
        return self.event_callback(event)

    def team_join(self, user: str) -> Payload:
        profile = self.sandbox.user_info(user) if self.sandbox else None
        user_object = profile or {
            "id": user,
            "team_id": self.team_id,
            "name": user,
            "deleted": False,
            "is_bot": False,
            "profile": {},
        }
        return self.event_callback(
            {"type": "team_join", "user": user_object, "cache_ts": int(time.time()), "event_ts": self._clock.next()}
        )

    def channel_created(self, channel: str, name: str, *, creator: str = "U0DEV") -> Payload:
        if self.sandbox:
            self.sandbox.add_channel(channel, name)
        created = int(time.time())
        info = {
            "id": channel,
            "name": name,
            "created": created,
            "creator": creator,
            "is_channel": True,
            "name_normalized": name,
        }
        return self.event_callback({"type": "channel_created", "channel": info, "event_ts": self._clock.next()})

    def app_uninstalled(self) -> Payload:
        return self.event_callback({"type": "app_uninstalled", "event_ts": self._clock.next()})

    def tokens_revoked(self, *, oauth: Iterable[str] = (), bot: Iterable[str] | None = None) -> Payload:
        bots = [self.bot_user_id] if bot is None else list(bot)
        event = {
            "type": "tokens_revoked",
            "tokens": {"oauth": list(oauth), "bot": bots},
            "event_ts": self._clock.next(),
        }
        return self.event_callback(event)

    # --- slash commands ----------------------------------------------------------------
    def slash_command(self, user: str, text: str, *, command: str = "/nox", channel: str = "C0OPS") -> dict[str, str]:
        """The form fields Slack POSTs for a slash command (all values are strings)."""
        form = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel,
            "channel_name": self._channel_name(channel),
            "user_id": user,
            "user_name": self._user_name(user),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url(channel, user),
            "trigger_id": self._trigger(user),
        }
        if self.enterprise_id:
            form.update(enterprise_id=self.enterprise_id, enterprise_name="Sandbox Enterprise")
        return form

    # --- interactivity -----------------------------------------------------------------
    def block_actions(
        self,
        user: str,
        actions: list[Mapping[str, Any]],
        *,
        channel: str | None = None,
        message_ts: str | None = None,
        view: Payload | str | None = None,
    ) -> Payload:
        """A click in a message (channel + message_ts) or in a view (view dict or view_id)."""
        payload = self._interaction("block_actions", user)
        blocks: list[Any] = []
        if view is not None:
            view_obj = self._find_view(view)
            blocks = view_obj.get("blocks", [])
            payload.update(container={"type": "view", "view_id": view_obj.get("id")}, view=view_obj)
            payload["state"] = clone(view_obj.get("state", {"values": {}}))
        else:
            if channel is None or message_ts is None:
                raise ValueError("block_actions needs channel and message_ts, or a view")
            message = self._find_message(channel, message_ts)
            blocks = message.get("blocks", [])
            container: Payload = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": False,
            }
            if message.get("thread_ts"):
                container["thread_ts"] = message["thread_ts"]
            payload.update(
                container=container,
                channel={"id": channel, "name": self._channel_name(channel)},
                message=message,
                state={"values": {}},
                response_url=self._response_url(
                    channel, user, message_ts=message_ts, thread_ts=message.get("thread_ts")
                ),
            )
        payload["actions"] = [self._action(a, blocks) for a in actions]
        return payload

    def view_submission(
        self,
        user: str,
        callback_id: str,
        values: Mapping[str, Any],
        *,
        private_metadata: str = "",
        view_id: str | None = None,
    ) -> Payload:
        """A modal's submit: state.values in Slack's {block_id: {action_id: {type, …}}} shape.

        A value may be given as Slack's full dict, a plain string (plain_text_input),
        a list (multi-select; user ids make multi_users_select) or a one-level
        {block_id: value} shorthand where action_id equals block_id.
        """
        payload = self._interaction("view_submission", user)
        stored = self._open_view(user, view_id)
        view = stored or {
            "id": view_id or "V" + secrets.token_hex(5).upper(),
            "team_id": self.team_id,
            "type": "modal",
            "blocks": [],
            "hash": f"{time.time():.6f}.{secrets.token_hex(4)}",
            "title": {"type": "plain_text", "text": "NOX"},
            "previous_view_id": None,
            "root_view_id": None,
            "app_id": self.api_app_id,
            "external_id": "",
            "app_installed_team_id": self.team_id,
            "bot_id": None,
        }
        view["callback_id"] = callback_id
        view["private_metadata"] = private_metadata or view.get("private_metadata", "")
        view["state"] = {"values": state_values(values)}
        payload.update(view=view, response_urls=[])
        return payload

    def view_closed(
        self, user: str, callback_id: str, *, view_id: str | None = None, is_cleared: bool = False
    ) -> Payload:
        payload = self._interaction("view_closed", user)
        view = self._open_view(user, view_id) or {"id": view_id, "type": "modal", "callback_id": callback_id}
        view["callback_id"] = callback_id
        payload.update(view=view, is_cleared=is_cleared)
        payload.pop("trigger_id", None)
        return payload

    def message_action(self, user: str, callback_id: str, message: Payload | str, channel: str) -> Payload:
        """A message shortcut ("…" menu on a message); `message` is the message dict or its ts."""
        found = self._find_message(channel, message) if isinstance(message, str) else clone(message)
        payload = self._interaction("message_action", user)
        payload.update(
            callback_id=callback_id,
            action_ts=self._clock.next(),
            channel={"id": channel, "name": self._channel_name(channel)},
            message_ts=found.get("ts"),
            message=found,
            response_url=self._response_url(
                channel, user, message_ts=found.get("ts"), thread_ts=found.get("thread_ts")
            ),
        )
        return payload

    def shortcut(self, user: str, callback_id: str) -> Payload:
        """A global shortcut (lightning menu): only a trigger_id to open a modal with."""
        payload = self._interaction("shortcut", user)
        payload.update(callback_id=callback_id, action_ts=self._clock.next())
        return payload

    # --- helpers -----------------------------------------------------------------------
    def _interaction(self, kind: str, user: str) -> Payload:
        return {
            "type": kind,
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": {
                "id": user,
                "username": self._user_name(user),
                "name": self._user_name(user),
                "team_id": self.team_id,
            },
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": self._trigger(user),
            "enterprise": {"id": self.enterprise_id, "name": "Sandbox Enterprise"} if self.enterprise_id else None,
            "is_enterprise_install": False,
        }

    def _action(self, given: Mapping[str, Any], blocks: list[Any]) -> Payload:
        """Complete an action from the element it clicks (block_id, type, text, value)."""
        action_id = given.get("action_id")
        found_block, element = _find_element(blocks, action_id, given.get("block_id"))
        action: Payload = {
            "action_id": action_id,
            "block_id": given.get("block_id") or found_block or "",
            "type": "button",
        }
        if element is not None:
            action["type"] = element.get("type", "button")
            for key in ("text", "value", "style"):
                if key in element:
                    action[key] = clone(element[key])
        action.update({k: clone(v) for k, v in given.items() if k not in ("action_id", "block_id")})
        action["action_ts"] = self._clock.next()
        return action

    def _with_mention(self, text: str) -> str:
        mention = f"<@{self.bot_user_id}>"
        return text if mention in text else f"{mention} {text}"

    def _user_message(
        self, user: str, channel: str, text: str, *, thread_ts: str | None, files: list[Any] | None = None
    ) -> tuple[Payload, Channel]:
        if self.sandbox is not None:
            event = self.sandbox.user_says(user, channel, text, thread_ts=thread_ts, files=files)
            conversation = self.sandbox.channel(event["channel"])
            said = self.sandbox.message(event["channel"], event["ts"])
            assert said is not None  # user_says just posted it
            return said, conversation
        conversation = self._channel(channel)
        ts = self._clock.next()
        message: Payload = {
            "type": "message",
            "ts": ts,
            "user": user,
            "text": text,
            "team": self.team_id,
            "client_msg_id": str(uuid.uuid4()),
            "blocks": rich_text_blocks(text),
        }
        if thread_ts:
            message["thread_ts"] = thread_ts
        return message, conversation

    def _channel(self, channel: str) -> Channel:
        if self.sandbox is not None:
            return self.sandbox.channel(channel)
        if channel.startswith("D"):
            return Channel(id=channel, name=channel, is_im=True)
        return Channel(id=channel, name=channel.lower(), is_private=channel.startswith("G"))

    def _channel_name(self, channel: str) -> str:
        if channel.startswith("D"):
            return "directmessage"
        return self._channel(channel).name

    def _user_name(self, user: str) -> str:
        info = self.sandbox.user_info(user) if self.sandbox else None
        return str(info["name"]) if info else user.lower()

    def _dm_id(self, user: str) -> str:
        return self.sandbox.dm_channel(user) if self.sandbox else "D" + user[1:]

    def _trigger(self, user: str) -> str:
        return self.sandbox.issue_trigger_id(user) if self.sandbox else new_trigger_id()

    def _response_url(
        self, channel: str, user: str, *, message_ts: str | None = None, thread_ts: str | None = None
    ) -> str:
        if self.sandbox is not None:
            return self.sandbox.response_url_for(channel, user, message_ts=message_ts, thread_ts=thread_ts)
        return f"https://hooks.slack.com/commands/{self.team_id}/{secrets.randbelow(10**13)}/{secrets.token_hex(12)}"

    def _find_message(self, channel: str, ts: str) -> Payload:
        found = self.sandbox.message(channel, ts) if self.sandbox else None
        return found or {"type": "message", "ts": ts, "text": "", "user": self.bot_user_id}

    def _find_view(self, view: Payload | str) -> Payload:
        if isinstance(view, dict):
            return clone(view)
        found = self.sandbox.view(view) if self.sandbox else None
        return found or {"id": view, "type": "modal", "blocks": [], "state": {"values": {}}}

    def _open_view(self, user: str, view_id: str | None) -> Payload | None:
        if self.sandbox is None:
            return None
        if view_id is not None:
            return self.sandbox.view(view_id)
        stack = self.sandbox.open_views(user)
        return stack[-1] if stack else None


def state_values(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Normalise test-friendly values into view.state.values."""
    result: dict[str, dict[str, Any]] = {}
    for block_id, inner in values.items():
        if isinstance(inner, Mapping) and "type" not in inner:
            result[block_id] = {action_id: _state_value(v) for action_id, v in inner.items()}
        else:
            result[block_id] = {block_id: _state_value(inner)}
    return result


def _state_value(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(clone(value))
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
        if items and all(v[:1] in ("U", "W") and v[1:].isalnum() and v.isupper() for v in items):
            return {"type": "multi_users_select", "selected_users": items}
        return {"type": "multi_static_select", "selected_options": [option(v) for v in items]}
    return {"type": "plain_text_input", "value": value}


def option(value: str, text: str | None = None) -> dict[str, Any]:
    """A select option as Slack echoes it in state and actions."""
    return {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}


def _find_element(blocks: list[Any], action_id: Any, block_id: Any) -> tuple[str | None, dict[str, Any] | None]:
    for block in blocks:
        if not isinstance(block, dict) or (block_id and block.get("block_id") != block_id):
            continue
        candidates = list(block.get("elements", [])) if block.get("type") == "actions" else []
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block.get("block_id"), element
    return None, None
