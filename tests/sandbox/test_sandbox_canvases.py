"""The canvas Web API against the sandbox, as slack_sdk calls it and Slack documents it: canvases.create
(document_content markdown, canvas_id back), canvases.access.set, canvases.edit, conversations.canvases.create,
files.list finding a canvas again; missing_scope, free teams, canvases turned off, bad arguments."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from jamono.sandbox import SlackSandbox

MD = {"type": "markdown", "markdown": "## Summary\n\n- [ ] 1. add an alert"}


def _client(sb: SlackSandbox) -> WebClient:
    return WebClient(token=sb.bot_token, base_url=sb.api_url)


def _error(call) -> str:
    with pytest.raises(SlackApiError) as caught:
        call()
    return str(caught.value.response["error"])


def test_a_canvas_is_created_shared_with_a_channel_edited_and_found_again(threaded_sandbox: SlackSandbox):
    sb = threaded_sandbox
    sb.grant_scopes("canvases:write", "files:read")
    client = _client(sb)
    channel = client.conversations_create(name="inc-canvas")["channel"]["id"]
    canvas_id = client.canvases_create(title="Postmortem (draft): x", document_content=MD)["canvas_id"]
    assert canvas_id.startswith("F") and sb.canvases(channel) == []  # not shared yet
    client.canvases_access_set(canvas_id=canvas_id, access_level="write", channel_ids=[channel])
    [shared] = sb.canvases(channel)
    assert shared["title"] == "Postmortem (draft): x" and shared["content"] == MD["markdown"]
    assert shared["access"] == {channel: "write"}
    client.canvases_edit(
        canvas_id=canvas_id,
        changes=[{"operation": "insert_at_end", "document_content": {"type": "markdown", "markdown": "- [x] done"}}],
    )
    assert sb.canvases()[0]["content"].endswith("\n- [x] done")
    info = client.files_info(file=canvas_id)["file"]
    assert info["pretty_type"] == "Canvas" and info["permalink"].endswith(f"/docs/{sb.team_id}/{canvas_id}")
    listed = client.files_list(user=sb.bot_user_id, ts_from=0)["files"]
    assert [f["id"] for f in listed if f["title"] == "Postmortem (draft): x"] == [canvas_id]
    assert [f["id"] for f in client.files_list(types="canvas")["files"]] == [canvas_id]
    tab = client.conversations_canvases_create(channel_id=channel, document_content=MD)["canvas_id"]
    assert tab != canvas_id
    assert _error(lambda: client.conversations_canvases_create(channel_id=channel, document_content=MD)) == (
        "channel_canvas_already_exists"
    )


def test_canvases_need_the_scope_a_paid_plan_for_standalone_ones_and_valid_arguments(threaded_sandbox: SlackSandbox):
    sb = threaded_sandbox
    client = _client(sb)
    assert _error(lambda: client.canvases_create(title="t", document_content=MD)) == "missing_scope"
    assert _error(lambda: client.files_list()) == "missing_scope"
    sb.grant_scopes("canvases:write")
    assert _error(lambda: client.canvases_create(document_content={"type": "html", "markdown": "x"})) == (
        "invalid_arguments"
    )
    assert _error(lambda: client.canvases_create(document_content={"type": "markdown"})) == "invalid_arguments"
    canvas_id = client.canvases_create(title="t")["canvas_id"]  # untitled and empty is allowed
    assert _error(
        lambda: client.canvases_access_set(canvas_id=canvas_id, access_level="admin", channel_ids=["C1"])
    ) == ("invalid_arguments")
    assert (
        _error(
            lambda: client.canvases_access_set(
                canvas_id=canvas_id, access_level="read", channel_ids=["C1"], user_ids=["U0DEV"]
            )
        )
        == "invalid_parameters"
    )
    assert _error(lambda: client.canvases_access_set(canvas_id="FNOPE", access_level="read", user_ids=["U0DEV"])) == (
        "canvas_not_found"
    )
    assert _error(lambda: client.canvases_edit(canvas_id=canvas_id, changes=[])) == "invalid_arguments"
    sb.set_plan("free")
    assert _error(lambda: client.canvases_create(title="t", document_content=MD)) == (
        "free_teams_cannot_create_non_tabbed_canvases"
    )
    channel = client.conversations_create(name="inc-free")["channel"]["id"]
    assert client.canvases_create(title="t", document_content=MD, channel_id=channel)["canvas_id"]  # tabbed: fine
    sb.set_plan("pro", canvases_enabled=False)
    assert _error(lambda: client.canvases_create(title="t")) == "canvas_disabled_user_team"
    sb.set_plan("pro")
    sb.revoke_scopes("canvases:write")
    assert _error(lambda: client.canvases_create(title="t")) == "missing_scope"
