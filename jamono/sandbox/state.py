"""All the sandbox's state behind one lock, so the server loop and test threads can share it."""

from __future__ import annotations

import threading
from typing import Any

from .credentials import DEFAULT_BOT_SCOPES, Credentials
from .directory import Directory
from .faults import FaultPlan
from .ids import TsClock
from .messages import ChangeFeed, MessageStore
from .models import ApiCall, Channel, Identity, User, Workspace
from .views import ViewStore

MAX_CALLS = 10_000  # keep memory bounded when the sandbox serves a long `make run`


class SandboxState:
    """The stores plus the lock that guards every read and write of them (reentrant)."""

    def __init__(self, home: Workspace, bot_token: str) -> None:
        self.lock = threading.RLock()
        self.clock = TsClock()
        self.home = home
        self.workspaces: dict[str, Workspace] = {home.team_id: home}
        self.feed = ChangeFeed()
        self.directory = Directory(bot_user_id=home.bot_user_id)
        self.messages = MessageStore(self.feed)
        self.views = ViewStore(self.feed)
        self.credentials = Credentials()
        self.faults = FaultPlan()
        self.calls: list[ApiCall] = []
        self.bookmarks: dict[str, list[dict[str, Any]]] = {}  # channel id -> bookmarks.add's links
        self.trigger_ttl = 3.0
        self.files: dict[str, dict[str, Any]] = {}  # file id -> files.getUploadURLExternal's file
        self.upload_base = ""  # where upload URLs point: this sandbox's own address, once started
        self.client_id = "0000000000.0000000000"
        self.client_secret = "sandbox-client-secret"
        self.credentials.add_token(
            Identity(
                token=bot_token,
                team_id=home.team_id,
                user_id=home.bot_user_id,
                app_id=home.app_id,
                bot_id=home.bot_id,
                is_bot=True,
                scopes=DEFAULT_BOT_SCOPES,
                enterprise_id=home.enterprise_id,
            )
        )
        self._seed()

    def _seed(self) -> None:
        """The defaults a newcomer and most tests need: a dev, #ops, a DM with NOX, the bots."""
        home = self.home
        self.directory.add_user(
            User(id="U0DEV", name="dev", real_name="Dev Eloper", email="dev@sandbox.invalid", team_id=home.team_id)
        )
        self.directory.add_user(
            User(
                id=home.bot_user_id,
                name="nox",
                real_name="NOX",
                is_bot=True,
                bot_id=home.bot_id,
                team_id=home.team_id,
                tz="America/Los_Angeles",
                tz_offset=-28800,
                locale="en-US",
            )
        )
        self.directory.add_user(
            User(
                id="USLACKBOT",
                name="slackbot",
                real_name="Slackbot",
                team_id=home.team_id,
                tz="America/Los_Angeles",
                tz_offset=-28800,
                locale="en-US",
            )
        )
        self.directory.add_channel(Channel(id="C0OPS", name="ops", members=["U0DEV", home.bot_user_id]))
        self.directory.add_channel(
            Channel(id="D0DEV", name="U0DEV", is_im=True, user="U0DEV", members=["U0DEV", home.bot_user_id])
        )

    def reset(self) -> None:
        """Forget conversations, views, calls and faults; keep people, channels and tokens.

        The change feed keeps counting so a reader's last seq stays meaningful.
        """
        with self.lock:
            self.messages = MessageStore(self.feed)
            self.views = ViewStore(self.feed)
            self.faults = FaultPlan()
            self.calls.clear()
            self.bookmarks.clear()
            self.files.clear()

    def workspace_of(self, identity: Identity | None) -> Workspace:
        if identity is None:
            return self.home
        return self.workspaces.get(identity.team_id, self.home)

    def record(self, call: ApiCall) -> None:
        with self.lock:
            self.calls.append(call)
            if len(self.calls) > MAX_CALLS:
                del self.calls[: len(self.calls) - MAX_CALLS]

    def new_message(
        self, *, identity: Identity, text: str, blocks: list[dict[str, Any]] | None, thread_ts: str | None
    ) -> dict[str, Any]:
        """A message authored by a token's identity (bot or user), in Slack's stored shape."""
        workspace = self.workspace_of(identity)
        message: dict[str, Any] = {
            "type": "message",
            "ts": self.clock.next(),
            "thread_ts": thread_ts,
            "user": identity.user_id,
            "bot_id": identity.bot_id if identity.is_bot else None,
            "text": text,
            "blocks": blocks or [],
            "metadata": None,
            "edited": None,
            "team": identity.team_id,
        }
        if identity.is_bot:
            message["app_id"] = identity.app_id
            message["bot_profile"] = {
                "id": identity.bot_id,
                "app_id": identity.app_id,
                "name": "nox",
                "icons": {"image_36": "https://avatars.sandbox.invalid/nox_36.png"},
                "deleted": False,
                "updated": 1732450000,
                "team_id": workspace.team_id,
            }
        return message
