"""Channel histories, threads, reactions and ephemerals, plus the ordered feed of changes.
Why and how: docs/design/sandbox.md."""

from __future__ import annotations

from typing import Any

from .clone import clone
from .models import Change, SlackError

# Keys every stored message has (None when unset), so tests can index them blindly.
MESSAGE_KEYS = ("ts", "thread_ts", "user", "bot_id", "text", "blocks", "metadata", "edited")


class ChangeFeed:
    """Append-only log of visible changes; readers remember the last seq they saw."""

    def __init__(self) -> None:
        self._changes: list[Change] = []

    def add(
        self, kind: str, channel: str | None, ts: str | None, message: dict[str, Any], user: str | None = None
    ) -> None:
        seq = len(self._changes) + 1
        self._changes.append(Change(seq, kind, channel, ts, clone(message), user))

    @property
    def seq(self) -> int:
        """The sequence number of the newest change (0 before any)."""
        return len(self._changes)

    def after(self, seq: int) -> list[Change]:
        return self._changes[seq:]


class MessageStore:
    """Every conversation's messages in ts order (ts are handed out increasing)."""

    def __init__(self, feed: ChangeFeed) -> None:
        self._channels: dict[str, dict[str, dict[str, Any]]] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self._feed = feed

    # --- writing ---------------------------------------------------------------------
    def add(self, channel: str, message: dict[str, Any]) -> dict[str, Any]:
        """Store a new message; a reply also updates its parent's thread summary."""
        for key in MESSAGE_KEYS:
            message.setdefault(key, None)
        message.setdefault("type", "message")
        if message["blocks"] is None:
            message["blocks"] = []
        history = self._channels.setdefault(channel, {})
        thread_ts = message.get("thread_ts")
        if thread_ts is not None:
            thread_ts = self.thread_root(channel, thread_ts)
            message["thread_ts"] = thread_ts
            parent = history.get(thread_ts)
            if parent is not None and thread_ts != message["ts"]:
                message.setdefault("parent_user_id", parent.get("user"))
                self._bump_thread(parent, message)
        history[message["ts"]] = message
        self._feed.add("posted", channel, message["ts"], message)
        return message

    def update(self, channel: str, ts: str, changes: dict[str, Any]) -> dict[str, Any]:
        message = self.get(channel, ts)
        message.update(changes)
        self._feed.add("updated", channel, ts, message)
        return message

    def delete(self, channel: str, ts: str) -> None:
        """Remove a message; a thread parent with replies stays as Slack's tombstone."""
        message = self.get(channel, ts)
        if message.get("reply_count"):
            message.update(
                subtype="tombstone", text="This message was deleted.", blocks=[], user="USLACKBOT", bot_id=None
            )
            self._feed.add("deleted", channel, ts, message)
            return
        del self._channels[channel][ts]
        parent_ts = message.get("thread_ts")
        if parent_ts and parent_ts != ts and parent_ts in self._channels[channel]:
            self._recount_thread(self._channels[channel][parent_ts], channel)
        self._feed.add("deleted", channel, ts, message)

    def add_ephemeral(self, ephemeral: dict[str, Any]) -> dict[str, Any]:
        self.ephemerals.append(ephemeral)
        self._feed.add("ephemeral", ephemeral.get("channel"), ephemeral.get("ts"), ephemeral, ephemeral.get("user"))
        return ephemeral

    def add_reaction(self, channel: str, ts: str, name: str, user: str) -> None:
        message = self.get(channel, ts)
        reactions: list[dict[str, Any]] = message.setdefault("reactions", [])
        for reaction in reactions:
            if reaction["name"] == name:
                if user in reaction["users"]:
                    raise SlackError("already_reacted")
                reaction["users"].append(user)
                reaction["count"] += 1
                self._feed.add("reaction", channel, ts, message, user)
                return
        reactions.append({"name": name, "users": [user], "count": 1})
        self._feed.add("reaction", channel, ts, message, user)

    def remove_reaction(self, channel: str, ts: str, name: str, user: str) -> None:
        message = self.get(channel, ts)
        for reaction in message.get("reactions", []):
            if reaction["name"] == name and user in reaction["users"]:
                reaction["users"].remove(user)
                reaction["count"] -= 1
                if not reaction["users"]:
                    message["reactions"].remove(reaction)
                if not message["reactions"]:
                    del message["reactions"]
                self._feed.add("reaction", channel, ts, message, user)
                return
        raise SlackError("no_reaction")

    # --- reading ---------------------------------------------------------------------
    def get(self, channel: str, ts: str) -> dict[str, Any]:
        try:
            return self._channels[channel][ts]
        except KeyError:
            raise SlackError("message_not_found") from None

    def find(self, channel: str, ts: str) -> dict[str, Any] | None:
        return self._channels.get(channel, {}).get(ts)

    def thread_root(self, channel: str, thread_ts: str) -> str:
        """Replying to a reply threads under its parent, as Slack does."""
        target = self.find(channel, thread_ts)
        if target is not None and target.get("thread_ts"):
            return str(target["thread_ts"])
        return thread_ts

    def all(self, channel: str) -> list[dict[str, Any]]:
        return list(self._channels.get(channel, {}).values())

    def channels(self) -> list[str]:
        return list(self._channels)

    def thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """Parent first, then replies in order (what conversations.replies lists)."""
        return [m for m in self.all(channel) if m["ts"] == thread_ts or m.get("thread_ts") == thread_ts]

    def top_level(self, channel: str) -> list[dict[str, Any]]:
        """What conversations.history lists: no thread replies except broadcasts."""
        return [
            m
            for m in self.all(channel)
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
        ]

    # --- thread bookkeeping ----------------------------------------------------------
    @staticmethod
    def _bump_thread(parent: dict[str, Any], reply: dict[str, Any]) -> None:
        parent["thread_ts"] = parent["ts"]
        parent["reply_count"] = parent.get("reply_count", 0) + 1
        users = parent.setdefault("reply_users", [])
        if reply.get("user") and reply["user"] not in users:
            users.append(reply["user"])
        parent["reply_users_count"] = len(users)
        parent["latest_reply"] = reply["ts"]
        parent.setdefault("is_locked", False)
        parent.setdefault("subscribed", False)

    def _recount_thread(self, parent: dict[str, Any], channel: str) -> None:
        replies = [m for m in self.thread(channel, parent["ts"]) if m["ts"] != parent["ts"]]
        parent["reply_count"] = len(replies)
        parent["reply_users"] = list(dict.fromkeys(m["user"] for m in replies if m.get("user")))
        parent["reply_users_count"] = len(parent["reply_users"])
        if replies:
            parent["latest_reply"] = replies[-1]["ts"]


def api_message(message: dict[str, Any], *, include_metadata: bool = True) -> dict[str, Any]:
    """A stored message as Slack's API shows it: unset keys dropped, metadata on request."""
    shown = {k: clone(v) for k, v in message.items() if v is not None}
    if not include_metadata:
        shown.pop("metadata", None)
    if not shown.get("blocks"):
        shown.pop("blocks", None)
    return shown
