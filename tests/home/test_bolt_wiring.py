"""The listener functions registered on a real Bolt app exactly as the report says to wire them,
driven with the sandbox's payloads: queue before ack, the loading modal opens, errors stay in the modal."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest
from cryptography.fernet import Fernet
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from jamono.home import ids
from jamono.home.secrets import SecretSealer
from jamono.home.settings_model import WorkspaceSettings
from jamono.home.views import home_view, jira_settings_modal
from jamono.queue.names import Actor
from jamono.sandbox import SlackSandbox
from jamono.sandbox.payloads import SlackPayloads
from listeners.home.handlers import (
    ack_home_edit,
    handle_app_home_opened,
    handle_settings_submission,
    open_settings_loading,
)


def register_home(app: AsyncApp) -> None:
    """What the report asks to add under listeners/ (events, actions, views)."""
    app.event("app_home_opened")(handle_app_home_opened)
    app.action(re.compile(ids.EDIT_ACTION_PATTERN))(ack=ack_home_edit, lazy=[open_settings_loading])
    app.view_submission(re.compile(ids.CALLBACK_PATTERN))(handle_settings_submission)


class Jobs:
    def __init__(self) -> None:
        self.queued: list[tuple[str, dict[str, Any]]] = []

    async def enqueue_async(self, actor_name: str, payload: dict[str, Any], **_: Any) -> None:
        self.queued.append((actor_name, json.loads(json.dumps(payload))))


@pytest.fixture
async def rig() -> AsyncIterator[tuple[AsyncApp, SlackSandbox, SlackPayloads, Jobs]]:
    async with SlackSandbox() as sandbox:
        jobs = Jobs()
        sealer = SecretSealer([Fernet.generate_key().decode()])
        result = AuthorizeResult(
            enterprise_id=None,
            team_id=sandbox.team_id,
            bot_user_id=sandbox.bot_user_id,
            bot_id=sandbox.bot_id,
            bot_token=sandbox.bot_token,
        )

        async def authorize(**_: Any) -> AuthorizeResult:
            return result

        app = AsyncApp(
            signing_secret="unused",
            authorize=authorize,
            process_before_response=True,
            request_verification_enabled=False,
            client=AsyncWebClient(base_url=sandbox.api_url),
        )

        @app.middleware
        async def inject(context, next):  # noqa: A002
            context["jobs"] = jobs
            context["home_sealer"] = sealer
            await next()

        register_home(app)
        yield app, sandbox, SlackPayloads(team_id=sandbox.team_id, sandbox=sandbox), jobs


async def dispatch(app: AsyncApp, payload: dict[str, Any], *, interactive: bool) -> Any:
    if interactive:
        request = AsyncBoltRequest(
            body=urlencode({"payload": json.dumps(payload)}),
            headers={"content-type": ["application/x-www-form-urlencoded"]},
        )
    else:
        request = AsyncBoltRequest(body=json.dumps(payload), headers={"content-type": ["application/json"]})
    return await app.async_dispatch(request)


async def test_opening_the_home_queues_a_publish(rig):
    app, sandbox, payloads, jobs = rig
    response = await dispatch(app, payloads.app_home_opened("U0DEV"), interactive=False)
    assert response.status == 200
    assert jobs.queued == [(Actor.PUBLISH_HOME, {"team_id": sandbox.team_id, "enterprise_id": None, "user": "U0DEV"})]


async def test_edit_button_queues_the_fill_and_opens_a_loading_modal(rig):
    app, sandbox, payloads, jobs = rig
    web = AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
    home = home_view(
        user_id="U0DEV",
        is_admin=True,
        settings=WorkspaceSettings(),
        metrics_7d=None,
        metrics_30d=None,
        recent=[],
        lang="en",
    )
    published = (await web.views_publish(user_id="U0DEV", view=home))["view"]
    click = payloads.block_actions(
        "U0DEV", [{"action_id": "home_edit_jira", "block_id": ids.B_HOME_JIRA}], view=published
    )
    response = await dispatch(app, click, interactive=True)
    assert response.status == 200
    ((name, job),) = jobs.queued
    assert name == Actor.FILL_SETTINGS_MODAL and job["section"] == "jira"
    opened = await sandbox.wait_for(lambda: sandbox.open_views("U0DEV"))
    assert opened[-1]["external_id"] == job["external_id"] and opened[-1]["callback_id"] == ids.LOADING_CALLBACK
    if web.session is not None:
        await web.session.close()


async def test_submissions(rig):
    app, sandbox, payloads, jobs = rig
    modal = jira_settings_modal(WorkspaceSettings(), "fr")

    def submit(url: str) -> dict[str, Any]:
        return payloads.view_submission(
            "U0DEV",
            ids.CALLBACKS["jira"],
            {
                ids.B_JIRA_URL: url,
                ids.B_JIRA_EMAIL: "nox@acme.io",
                ids.B_JIRA_TOKEN: "tok-123456789",
                ids.B_JIRA_PROJECT: "OPS",
                ids.B_JIRA_ISSUE_TYPE: "Task",
                **{ids.B_JIRA_PRIORITY.format(severity=s): "P" for s in ("critical", "high", "medium", "low")},
            },
            private_metadata=modal["private_metadata"],
        )

    bad = submit("http://acme")
    response = await dispatch(app, bad, interactive=True)
    body = json.loads(response.body)
    assert body["response_action"] == "errors" and list(body["errors"]) == [ids.B_JIRA_URL]
    assert body["errors"][ids.B_JIRA_URL].startswith("L'URL Jira")
    assert jobs.queued == []

    response = await dispatch(app, submit("https://acme.atlassian.net"), interactive=True)
    assert response.status == 200 and not response.body
    ((name, job),) = jobs.queued
    assert name == Actor.SAVE_SETTINGS and "tok-123456789" not in json.dumps(job) and job["sealed_secret"]
