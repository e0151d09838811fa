"""The sandbox makes and furnishes channels as Slack does, refusals included: conversations.create
(name_taken, invalid names, private), conversations.invite (already_in_channel), setTopic, pins
(already_pinned), bookmarks, user groups — and the terminal chat shows them."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from jamono.sandbox import SlackSandbox


async def _error(call) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response["error"]


async def test_create_invite_topic_pin_bookmark(sandbox: SlackSandbox, client: AsyncWebClient):
    created = (await client.conversations_create(name="inc-20261202-checkout-502"))["channel"]
    assert created["name"] == "inc-20261202-checkout-502" and created["creator"] == sandbox.bot_user_id
    assert created["is_channel"] and not created["is_private"]
    assert await _error(client.conversations_create(name="inc-20261202-checkout-502")) == "name_taken"
    assert await _error(client.conversations_create(name="Has Spaces")) == "invalid_name"
    private = (await client.conversations_create(name="inc-secret", is_private=True))["channel"]
    assert private["is_private"] and private["is_group"]
    listed = (await client.conversations_list(types="public_channel,private_channel"))["channels"]
    assert {"inc-20261202-checkout-502", "inc-secret"} <= {c["name"] for c in listed}

    channel = created["id"]
    await client.conversations_invite(channel=channel, users="U0DEV")
    assert await _error(client.conversations_invite(channel=channel, users="U0DEV")) == "already_in_channel"
    assert await _error(client.conversations_invite(channel=channel, users="U0NOBODY")) == "user_not_found"
    members = (await client.conversations_members(channel=channel))["members"]
    assert set(members) == {sandbox.bot_user_id, "U0DEV"}

    await client.conversations_setTopic(channel=channel, topic="SEV1 · investigating")
    assert (await client.conversations_info(channel=channel))["channel"]["topic"]["value"] == "SEV1 · investigating"

    ts = (await client.chat_postMessage(channel=channel, text="card"))["ts"]
    await client.pins_add(channel=channel, timestamp=ts)
    assert await _error(client.pins_add(channel=channel, timestamp=ts)) == "already_pinned"
    assert await _error(client.pins_add(channel=channel, timestamp="1.000001")) == "message_not_found"

    mark = (
        await client.bookmarks_add(
            channel_id=channel, title="Jira OPS-1", type="link", link="https://jira.example.com/browse/OPS-1"
        )
    )["bookmark"]
    assert mark["title"] == "Jira OPS-1"
    assert (
        await _error(client.bookmarks_add(channel_id=channel, title="x", type="link", link="javascript:1"))
        == "invalid_link"
    )
    assert [b["link"] for b in (await client.bookmarks_list(channel_id=channel))["bookmarks"]] == [mark["link"]]
    kinds = [c.kind for c in sandbox.changes()]
    assert {"channel", "invited", "topic", "pinned", "bookmarks"} <= set(kinds)


async def test_usergroups(sandbox: SlackSandbox, client: AsyncWebClient):
    sandbox.add_usergroup("S0ONCALL", ["U0DEV"])
    assert (await client.usergroups_users_list(usergroup="S0ONCALL"))["users"] == ["U0DEV"]
    assert await _error(client.usergroups_users_list(usergroup="S0NOPE")) == "no_such_subteam"
