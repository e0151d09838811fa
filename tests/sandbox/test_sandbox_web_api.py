"""The sandbox's Web API driven by the real slack_sdk AsyncWebClient."""

from __future__ import annotations

import re

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from jamono.sandbox import SlackSandbox

TS = re.compile(r"^\d{10}\.\d{6}$")


async def test_auth_test_reports_the_bot_identity(client: AsyncWebClient) -> None:
    info = await client.auth_test()
    assert info.data == {
        "ok": True,
        "url": "https://sandbox.slack.com/",
        "team": "Sandbox",
        "user": "nox",
        "team_id": "T0SANDBOX",
        "user_id": "U0NOX",
        "bot_id": "B0NOX",
        "is_enterprise_install": False,
    }


async def test_unknown_or_revoked_token_is_refused(sandbox: SlackSandbox) -> None:
    stranger = AsyncWebClient(token="xoxb-nope", base_url=sandbox.api_url)
    with pytest.raises(SlackApiError) as refused:
        await stranger.chat_postMessage(channel="C0OPS", text="hi")
    assert refused.value.response.status_code == 200
    assert refused.value.response["error"] == "invalid_auth"

    sandbox.revoke_token(sandbox.bot_token)
    bot = AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
    with pytest.raises(SlackApiError) as revoked:
        await bot.auth_test()
    assert revoked.value.response["error"] == "token_revoked"
    assert sandbox.messages("C0OPS") == []


async def test_token_may_come_as_a_form_field(sandbox: SlackSandbox) -> None:
    anonymous = AsyncWebClient(base_url=sandbox.api_url)
    answer = await anonymous.api_call("auth.test", params={"token": sandbox.bot_token})
    assert answer["user_id"] == "U0NOX"
    assert sandbox.calls_to("auth.test")[-1].token == sandbox.bot_token


async def test_post_reply_update_and_read_a_thread(client: AsyncWebClient, sandbox: SlackSandbox) -> None:
    human = sandbox.user_says("U0DEV", "C0OPS", "the deploy is stuck")
    placeholder = await client.chat_postMessage(channel="C0OPS", thread_ts=human["ts"], text="Looking…")
    assert placeholder["channel"] == "C0OPS" and TS.match(placeholder["ts"])
    assert float(placeholder["ts"]) > float(human["ts"])
    assert placeholder["message"]["bot_id"] == "B0NOX" and placeholder["message"]["thread_ts"] == human["ts"]

    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Restart* the runner"}}]
    updated = await client.chat_update(channel="C0OPS", ts=placeholder["ts"], text="Restart the runner", blocks=blocks)
    assert updated["message"]["edited"]["user"] == "U0NOX"

    replies = await client.conversations_replies(channel="C0OPS", ts=human["ts"])
    assert [m["ts"] for m in replies["messages"]] == [human["ts"], placeholder["ts"]]
    parent, reply = replies["messages"]
    assert parent["reply_count"] == 1 and parent["reply_users"] == ["U0NOX"]
    assert reply["text"] == "Restart the runner" and reply["blocks"] == blocks

    # State inspection sees the same, with every key present.
    [bot] = sandbox.bot_messages("C0OPS", thread_ts=human["ts"])
    assert bot["text"] == "Restart the runner" and bot["edited"] is not None and bot["metadata"] is None
    # slack_sdk sends chat.* as JSON; the sandbox must have read it as such.
    assert {c.transport for c in sandbox.calls_to("chat.postMessage") + sandbox.calls_to("chat.update")} == {"json"}


async def test_replying_to_a_reply_threads_under_the_parent(client: AsyncWebClient, sandbox: SlackSandbox) -> None:
    parent = await client.chat_postMessage(channel="C0OPS", text="parent")
    first = await client.chat_postMessage(channel="C0OPS", text="one", thread_ts=parent["ts"])
    second = await client.chat_postMessage(channel="C0OPS", text="two", thread_ts=first["ts"])
    assert second["message"]["thread_ts"] == parent["ts"]
    history = await client.conversations_history(channel="C0OPS")
    assert [m["text"] for m in history["messages"]] == ["parent"]


async def test_metadata_only_with_include_all_metadata(client: AsyncWebClient) -> None:
    metadata = {"event_type": "nox_answer", "event_payload": {"interaction_id": "42"}}
    posted = await client.chat_postMessage(channel="C0OPS", text="answer", metadata=metadata)
    plain = await client.conversations_replies(channel="C0OPS", ts=posted["ts"])
    assert "metadata" not in plain["messages"][0]
    full = await client.conversations_replies(channel="C0OPS", ts=posted["ts"], include_all_metadata=True)
    assert full["messages"][0]["metadata"] == metadata
    history = await client.conversations_history(channel="C0OPS", include_all_metadata=True)
    assert history["messages"][0]["metadata"] == metadata


async def test_history_is_newest_first_and_paginates(client: AsyncWebClient) -> None:
    for n in range(5):
        await client.chat_postMessage(channel="C0OPS", text=f"m{n}")
    first = await client.conversations_history(channel="C0OPS", limit=3)
    assert [m["text"] for m in first["messages"]] == ["m4", "m3", "m2"] and first["has_more"]
    rest = await client.conversations_history(
        channel="C0OPS", limit=3, cursor=first["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in rest["messages"]] == ["m1", "m0"] and not rest["has_more"]


async def test_ephemeral_permalink_delete_and_reactions(client: AsyncWebClient, sandbox: SlackSandbox) -> None:
    eph = await client.chat_postEphemeral(channel="C0OPS", user="U0DEV", text="only you")
    assert TS.match(eph["message_ts"])
    assert [e["text"] for e in sandbox.ephemerals("C0OPS", user="U0DEV")] == ["only you"]
    assert sandbox.ephemerals(user="U0OTHER") == []

    parent = await client.chat_postMessage(channel="C0OPS", text="parent")
    reply = await client.chat_postMessage(channel="C0OPS", text="reply", thread_ts=parent["ts"])
    top = await client.chat_getPermalink(channel="C0OPS", message_ts=parent["ts"])
    assert top["permalink"] == f"https://sandbox.slack.com/archives/C0OPS/p{parent['ts'].replace('.', '')}"
    threaded = await client.chat_getPermalink(channel="C0OPS", message_ts=reply["ts"])
    assert threaded["permalink"].endswith(f"/p{reply['ts'].replace('.', '')}?thread_ts={parent['ts']}&cid=C0OPS")

    await client.reactions_add(channel="C0OPS", timestamp=parent["ts"], name="eyes")
    assert sandbox.reactions("C0OPS", parent["ts"]) == {"eyes": ["U0NOX"]}
    with pytest.raises(SlackApiError, match="already_reacted"):
        await client.reactions_add(channel="C0OPS", timestamp=parent["ts"], name="eyes")
    await client.reactions_remove(channel="C0OPS", timestamp=parent["ts"], name="eyes")
    assert sandbox.reactions("C0OPS", parent["ts"]) == {}

    await client.chat_delete(channel="C0OPS", ts=reply["ts"])
    assert [m["text"] for m in sandbox.messages("C0OPS")] == ["parent"]
    with pytest.raises(SlackApiError, match="message_not_found"):
        await client.chat_update(channel="C0OPS", ts=reply["ts"], text="gone")


async def test_the_bot_cannot_edit_a_human_message(client: AsyncWebClient, sandbox: SlackSandbox) -> None:
    human = sandbox.user_says("U0DEV", "C0OPS", "mine")
    with pytest.raises(SlackApiError, match="cant_update_message"):
        await client.chat_update(channel="C0OPS", ts=human["ts"], text="yours")


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"text": ""}, "no_text"),
        ({"text": "x" * 40_001}, "msg_too_long"),
        ({"text": "t", "blocks": [{"text": "no type"}]}, "invalid_blocks"),
        (
            {"text": "t", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]},
            "invalid_blocks",
        ),
        ({"text": "t", "blocks": [{"type": "divider"}] * 51}, "invalid_blocks"),
        (  # the app's own Block Kit validator: a button label over 75 characters
            {
                "text": "t",
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [
                            {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "x" * 76}}
                        ],
                    }
                ],
            },
            "invalid_blocks",
        ),
        ({"text": "t", "metadata": {"event_payload": {}}}, "invalid_metadata_format"),
    ],
)
async def test_message_validation(client: AsyncWebClient, sandbox: SlackSandbox, kwargs: dict, error: str) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel="C0OPS", **kwargs)
    assert refused.value.response["error"] == error
    assert sandbox.messages("C0OPS") == []


async def test_fifty_blocks_and_3000_chars_are_fine(client: AsyncWebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3000}}] + [{"type": "divider"}] * 49
    assert (await client.chat_postMessage(channel="C0OPS", text="big", blocks=blocks))["ok"]


async def test_invalid_blocks_say_where(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(
            channel="C0OPS",
            text="t",
            blocks=[{"type": "divider"}, {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
        )
    assert any("/blocks/1/text" in e for e in refused.value.response["errors"])


async def test_channels_users_and_unknowns(client: AsyncWebClient, sandbox: SlackSandbox) -> None:
    sandbox.add_user("U0ANA", "ana", tz="America/New_York", tz_offset=-18000, email="ana@example.com", is_admin=True)
    ana = (await client.users_info(user="U0ANA"))["user"]
    assert (ana["tz"], ana["tz_offset"], ana["is_admin"], ana["is_bot"]) == ("America/New_York", -18000, True, False)
    assert ana["profile"]["email"] == "ana@example.com" and ana["profile"]["display_name"] == "ana"
    with pytest.raises(SlackApiError, match="user_not_found"):
        await client.users_info(user="U0GHOST")
    members = (await client.users_list())["members"]
    assert {"U0DEV", "U0NOX", "U0ANA"} <= {m["id"] for m in members}

    ops = (await client.conversations_info(channel="C0OPS"))["channel"]
    assert (ops["name"], ops["is_channel"], ops["is_im"], ops["is_private"], ops["is_member"]) == (
        "ops",
        True,
        False,
        False,
        True,
    )
    dm = (await client.conversations_info(channel="D0DEV"))["channel"]
    assert dm["is_im"] and dm["user"] == "U0DEV"
    opened = await client.conversations_open(users="U0ANA")
    assert opened["channel"]["id"].startswith("D")
    posted = await client.chat_postMessage(channel="U0ANA", text="hello in DM")
    assert posted["channel"] == opened["channel"]["id"]

    auto = await client.chat_postMessage(channel="C0NEW", text="auto-created")
    assert auto["channel"] == "C0NEW"
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.chat_postMessage(channel="not-a-channel", text="x")
    sandbox.auto_create_channels = False
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.chat_postMessage(channel="C0OTHER", text="x")
    with pytest.raises(SlackApiError, match="unknown_method"):
        await client.api_call("chat.teleport")


async def test_team_and_bot_info(client: AsyncWebClient) -> None:
    team = (await client.team_info())["team"]
    assert (team["id"], team["name"], team["domain"]) == ("T0SANDBOX", "Sandbox", "sandbox")
    bot = (await client.bots_info(bot="B0NOX"))["bot"]
    assert (bot["app_id"], bot["user_id"]) == ("A0NOX", "U0NOX")


async def test_user_says_returns_a_real_message_event(sandbox: SlackSandbox) -> None:
    dm = sandbox.user_says("U0DEV", "D0DEV", "hi <@U0NOX>")
    assert dm["type"] == "message" and dm["channel_type"] == "im" and dm["channel"] == "D0DEV"
    assert dm["event_ts"] == dm["ts"] and dm["team"] == "T0SANDBOX" and "thread_ts" not in dm
    assert dm["blocks"][0]["type"] == "rich_text"
    assert {"type": "user", "user_id": "U0NOX"} in dm["blocks"][0]["elements"][0]["elements"]
    reply = sandbox.user_says(
        "U0DEV", "C0OPS", "in thread", thread_ts=sandbox.user_says("U0DEV", "C0OPS", "top")["ts"], files=["log.txt"]
    )
    assert reply["channel_type"] == "channel" and reply["thread_ts"] and reply["subtype"] == "file_share"
    assert reply["files"][0]["name"] == "log.txt"


async def test_wait_for_explains_a_timeout(sandbox: SlackSandbox, client: AsyncWebClient) -> None:
    await client.chat_postMessage(channel="C0OPS", text="not what you wait for")
    with pytest.raises(TimeoutError) as waited:
        await sandbox.wait_for_bot_reply("C0OPS", predicate=lambda m: "ticket" in m["text"], timeout=0.1)
    assert "chat.postMessage [ok]" in str(waited.value) and "not what you wait for" in str(waited.value)
    found = await sandbox.wait_for(lambda: sandbox.bot_messages("C0OPS")[0]["text"])
    assert found == "not what you wait for"


async def test_reset_forgets_conversations_but_keeps_people(sandbox: SlackSandbox, client: AsyncWebClient) -> None:
    sandbox.add_user("U0ANA", "ana")
    await client.chat_postMessage(channel="C0OPS", text="hi")
    sandbox.reset()
    assert sandbox.messages("C0OPS") == [] and sandbox.calls == []
    assert (await client.users_info(user="U0ANA"))["ok"]
