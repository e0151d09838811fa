"""App Home tabs and open modals per user, with Slack's view ids, hashes and stacks."""

from __future__ import annotations

from typing import Any

from .clone import clone
from .ids import new_id, new_view_hash
from .messages import ChangeFeed
from .models import SlackError

MAX_STACK = 3  # Slack allows three modals in a stack


class ViewStore:
    """Home views (one per user) and modal stacks (root first). Lock held by the caller."""

    def __init__(self, feed: ChangeFeed) -> None:
        self.homes: dict[str, dict[str, Any]] = {}
        self.stacks: dict[str, list[dict[str, Any]]] = {}
        self._feed = feed

    def publish_home(
        self, user: str, view: dict[str, Any], owner: dict[str, Any], expected_hash: str | None
    ) -> dict[str, Any]:
        current = self.homes.get(user)
        if expected_hash and current is not None and current["hash"] != expected_hash:
            raise SlackError("hash_conflict")
        stored = _full_view(view, owner, view_id=current["id"] if current else None)
        self.homes[user] = stored
        self._feed.add("home", None, None, stored, user)
        return stored

    def open(self, user: str, view: dict[str, Any], owner: dict[str, Any]) -> dict[str, Any]:
        stored = _full_view(view, owner)
        stored["root_view_id"] = stored["id"]
        self.stacks[user] = [stored]
        self._feed.add("view", None, None, stored, user)
        return stored

    def push(self, user: str, view: dict[str, Any], owner: dict[str, Any]) -> dict[str, Any]:
        stack = self.stacks.get(user)
        if not stack:
            raise SlackError("not_found")  # nothing open to push onto
        if len(stack) >= MAX_STACK:
            raise SlackError("push_limit_reached")
        stored = _full_view(view, owner)
        stored["root_view_id"] = stack[0]["id"]
        stored["previous_view_id"] = stack[-1]["id"]
        stack.append(stored)
        self._feed.add("view", None, None, stored, user)
        return stored

    def update(
        self, view: dict[str, Any], *, view_id: str | None, external_id: str | None, expected_hash: str | None
    ) -> dict[str, Any]:
        user, current = self.find(view_id=view_id, external_id=external_id)
        if expected_hash and current["hash"] != expected_hash:
            raise SlackError("hash_conflict")
        keep = {
            k: current[k]
            for k in ("id", "team_id", "app_id", "bot_id", "root_view_id", "previous_view_id", "app_installed_team_id")
        }
        state = current.get("state", {"values": {}})
        current.clear()
        current.update(_full_view(view, {}, view_id=keep["id"]))
        current.update(keep)
        current["state"] = state
        self._feed.add("home" if current["type"] == "home" else "view", None, None, current, user)
        return current

    def close(self, user: str, view_id: str | None = None, *, clear: bool = False) -> None:
        """Drop the top modal (or the one named, or all of them) as Slack does on submit/close."""
        stack = self.stacks.get(user, [])
        if clear or not stack:
            if self.stacks.pop(user, None):
                self._feed.add("view_closed", None, None, {"id": view_id}, user)
            return
        if view_id is None or stack[-1]["id"] == view_id:
            stack.pop()
        else:
            self.stacks[user] = [v for v in stack if v["id"] != view_id]
        if not self.stacks[user]:
            del self.stacks[user]
        self._feed.add("view_closed", None, None, {"id": view_id}, user)

    def find(self, *, view_id: str | None = None, external_id: str | None = None) -> tuple[str, dict[str, Any]]:
        candidates = [(u, v) for u, v in self.homes.items()] + [(u, v) for u, s in self.stacks.items() for v in s]
        for user, view in candidates:
            if view_id and view["id"] == view_id:
                return user, view
            if external_id and view.get("external_id") == external_id:
                return user, view
        raise SlackError("not_found")

    def open_views(self, user: str | None = None) -> list[dict[str, Any]]:
        if user is not None:
            return clone(self.stacks.get(user, []))
        return clone([v for stack in self.stacks.values() for v in stack])


def _full_view(view: dict[str, Any], owner: dict[str, Any], *, view_id: str | None = None) -> dict[str, Any]:
    """The view object Slack returns: what the app sent plus ids, hash and state."""
    stored: dict[str, Any] = {
        "id": view_id or new_id("V"),
        "team_id": owner.get("team_id"),
        "type": view.get("type"),
        "blocks": clone(view.get("blocks", [])),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": {"values": {}},
        "hash": new_view_hash(),
        "title": clone(view.get("title")),
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "close": clone(view.get("close")),
        "submit": clone(view.get("submit")),
        "previous_view_id": None,
        "root_view_id": None,
        "app_id": owner.get("app_id"),
        "external_id": view.get("external_id", ""),
        "app_installed_team_id": owner.get("team_id"),
        "bot_id": owner.get("bot_id"),
    }
    return stored
