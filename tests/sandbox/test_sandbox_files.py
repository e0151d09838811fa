"""files_upload_v2 against the sandbox, as slack_sdk drives it: files.getUploadURLExternal, the
bytes POSTed to the upload URL, files.completeUploadExternal sharing it in a channel; files.info."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from jamono.sandbox import SlackSandbox


def test_upload_v2_shares_the_file_in_the_channel(threaded_sandbox: SlackSandbox):
    client = WebClient(token=threaded_sandbox.bot_token, base_url=threaded_sandbox.api_url)
    channel = client.conversations_create(name="inc-files")["channel"]["id"]
    done = client.files_upload_v2(
        channel=channel, content="# Postmortem\nété ✓", filename="pm.md", title="Postmortem", initial_comment="draft"
    )
    file_id = done["file"]["id"]
    assert done["file"]["title"] == "Postmortem" and done["file"]["name"] == "pm.md"
    shared = client.conversations_history(channel=channel)["messages"][0]
    assert shared["text"] == "draft" and [f["id"] for f in shared["files"]] == [file_id]
    assert shared["user"] == threaded_sandbox.bot_user_id
    assert client.files_info(file=file_id)["content"] == "# Postmortem\nété ✓"
    assert threaded_sandbox.file(file_id)["content"] == "# Postmortem\nété ✓"


def test_completing_an_upload_that_never_came_is_refused(threaded_sandbox: SlackSandbox):
    client = WebClient(token=threaded_sandbox.bot_token, base_url=threaded_sandbox.api_url)
    url = client.files_getUploadURLExternal(filename="x.md", length=3)
    with pytest.raises(SlackApiError) as caught:
        client.files_completeUploadExternal(files=[{"id": url["file_id"], "title": "x"}])
    assert caught.value.response["error"] == "file_not_found"
    with pytest.raises(SlackApiError) as caught:
        client.files_getUploadURLExternal(filename="x.md", length=0)
    assert caught.value.response["error"] == "invalid_arguments"
    with pytest.raises(SlackApiError) as caught:
        client.files_info(file=url["file_id"])
    assert caught.value.response["error"] == "file_not_found"
