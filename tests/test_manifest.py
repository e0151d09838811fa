"""The app manifest asks for exactly what NOX uses: every scope is needed by a Web API method the
code calls or an event it subscribes to, and every such method or event is covered by a scope."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))

# Slack's documented requirements for what we call (bot tokens). A method absent here fails the test
# until someone looks up its scope: that is the point.
METHOD_SCOPES: dict[str, set[str]] = {
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "chat_getPermalink": set(),
    "views_open": set(),
    "views_update": set(),
    "views_publish": set(),
    "users_info": {"users:read"},
    "users_lookupByEmail": {"users:read.email"},
    "conversations_replies": {"channels:history", "groups:history", "im:history"},
    "conversations_history": {"channels:history", "groups:history", "im:history", "mpim:history"},
    "conversations_info": {"channels:read", "groups:read"},
    "conversations_join": {"channels:join"},
    "conversations_open": {"im:write", "mpim:write"},
    "conversations_list": {"channels:read", "groups:read", "im:read", "mpim:read"},
    "conversations_members": {"channels:read", "groups:read", "im:read", "mpim:read"},
    "conversations_create": {"channels:manage", "groups:write", "im:write", "mpim:write"},
    "conversations_invite": {"channels:manage", "groups:write", "im:write", "mpim:write"},
    "conversations_setTopic": {"channels:manage", "groups:write", "im:write", "mpim:write"},
    "pins_add": {"pins:write"},
    "bookmarks_add": {"bookmarks:write"},
    "bookmarks_list": {"bookmarks:read"},
    "usergroups_users_list": {"usergroups:read"},
    "files_upload_v2": {"files:write"},
    "files_list": {"files:read"},
    "files_info": {"files:read"},
    "canvases_create": {"canvases:write"},
    "canvases_access_set": {"canvases:write"},
}
EVENT_SCOPES: dict[str, set[str]] = {
    "app_mention": {"app_mentions:read"},
    "message.im": {"im:history"},
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "channel_created": {"channels:read"},
    "team_join": {"users:read"},
    "app_home_opened": set(),
    "app_uninstalled": set(),
    "tokens_revoked": set(),
    "reaction_added": {"reactions:read"},
    "member_joined_channel": {"channels:read", "groups:read"},
}
OTHER_FEATURES: dict[str, str] = {"commands": "the /nox slash command"}
CODE_DIRS = ("jamono", "listeners", "workers", "knowledge")


def called_methods() -> set[str]:
    found: set[str] = set()
    pattern = re.compile(
        r"\.((?:chat|views|users|conversations|reactions|team|bots|files|pins|im|bookmarks|usergroups|canvases)_[A-Za-z0-9_]+)\("
    )
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "sandbox" in path.parts:
                continue
            found |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_called_method_is_known_and_covered_by_a_scope():
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    methods = called_methods()
    assert {"chat_postMessage", "users_info", "conversations_join"} <= methods  # the scan sees the code
    unknown = methods - METHOD_SCOPES.keys()
    assert not unknown, f"look up the scopes of {sorted(unknown)} and add them to METHOD_SCOPES"
    for method in methods:
        assert not METHOD_SCOPES[method] or METHOD_SCOPES[method] & scopes, (
            f"{method} needs one of {METHOD_SCOPES[method]}"
        )


def test_every_subscribed_event_is_covered_and_every_scope_is_used():
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    events = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    for event in events:
        assert event in EVENT_SCOPES, f"unknown event {event}"
        assert EVENT_SCOPES[event] <= scopes, f"{event} needs {EVENT_SCOPES[event] - scopes}"
    used = set(OTHER_FEATURES) | {s for e in events for s in EVENT_SCOPES[e]}
    for method in called_methods():
        used |= METHOD_SCOPES[method] & scopes
    assert scopes - used == set(), f"scopes nothing uses (least privilege): {sorted(scopes - used)}"


def test_manifest_urls_and_surfaces():
    features, settings = MANIFEST["features"], MANIFEST["settings"]
    assert features["app_home"]["home_tab_enabled"] and settings["interactivity"]["is_enabled"]
    assert [c["command"] for c in features["slash_commands"]] == ["/nox"]
    assert {s["callback_id"] for s in features["shortcuts"]} >= {
        "kb_save_message",
        "jira_from_message",
        "incident_timeline_add",
    }
    assert MANIFEST["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        features["slash_commands"][0]["url"],
    ]
    assert all(u.endswith("/slack/events") for u in urls)
