"""The Bolt listener functions: queue before ack, errors inside the modal, secrets sealed."""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import AsyncMock

import pytest
from cryptography.fernet import Fernet

from jamono.home import ids
from jamono.home.modals import metadata
from jamono.home.secrets import SecretSealer
from jamono.queue.names import Actor
from listeners.home.handlers import (
    ack_home_edit,
    handle_app_home_opened,
    handle_settings_submission,
    open_settings_loading,
    settings_external_id,
)
from tests.home.test_forms import SERVICE_ACCOUNT, google_state, jira_state, text
from tests.listeners.doubles import TEAM, listener_rig


@pytest.fixture
def sealer() -> SecretSealer:
    return SecretSealer([Fernet.generate_key().decode()])


async def test_home_opened_queues_a_publish():
    jobs, _, context = listener_rig()
    body = {"team_id": "T1", "event": {}}
    await handle_app_home_opened(body, {"type": "app_home_opened", "user": "U1", "tab": "home"}, context)
    await handle_app_home_opened(body, {"type": "app_home_opened", "user": "U1", "tab": "messages"}, context)
    await handle_app_home_opened(body, {"type": "app_home_opened", "tab": "home"}, context)  # no user: nothing
    assert jobs.jobs == [(Actor.PUBLISH_HOME, {"team_id": TEAM, "enterprise_id": None, "user": "U1"})]


async def test_edit_button_queues_then_acks_then_opens_the_loading_modal():
    jobs, ack, context = listener_rig()
    body = {"team": {"id": "T1"}, "user": {"id": "U1"}, "trigger_id": "123.456.abc"}
    action = {"action_id": "home_edit_jira"}
    await ack_home_edit(ack, body, action, context)
    client = AsyncMock()  # the lazy step runs after the ack
    await open_settings_loading(body, action, client)
    job = jobs.only(Actor.FILL_SETTINGS_MODAL)
    external_id = settings_external_id("jira", "123.456.abc")
    assert job["section"] == "jira" and job["external_id"] == external_id
    ack.assert_awaited_once_with()
    opened = client.views_open.await_args.kwargs
    assert opened["trigger_id"] == "123.456.abc" and opened["view"]["external_id"] == external_id


async def test_edit_button_refuses_unknown_sections():
    jobs, ack, context = listener_rig()
    with pytest.raises(ValueError):
        await ack_home_edit(ack, {"trigger_id": "t"}, {"action_id": "home_edit_billing"}, context)
    assert jobs.jobs == [] and ack.await_count == 0


def submission(section: str, state: dict[str, Any], *, lang: str = "en", has_secret: bool = False) -> tuple[dict, dict]:
    view = {
        "callback_id": ids.CALLBACKS[section],
        "state": state,  # type: ignore[index]
        "private_metadata": metadata(lang, has_secret),
    }  # type: ignore[arg-type]
    return {"team": {"id": "T1"}, "user": {"id": "U1"}, "view": view}, view


async def test_invalid_submission_answers_with_errors_and_queues_nothing(sealer):
    jobs, ack, context = listener_rig(home_sealer=sealer)
    body, view = submission("jira", jira_state(**{ids.B_JIRA_URL: text("http://x")}), lang="fr")
    await handle_settings_submission(ack, body, view, context)
    assert jobs.jobs == []
    kwargs = ack.await_args.kwargs
    assert (
        ack.await_count == 1
        and kwargs["response_action"] == "errors"
        and kwargs["errors"][ids.B_JIRA_URL].startswith("L'URL Jira")
    )


async def test_valid_submission_queues_sealed_secret_then_acks(sealer):
    jobs, ack, context = listener_rig(home_sealer=sealer)
    body, view = submission("jira", jira_state())
    await handle_settings_submission(ack, body, view, context)
    job = jobs.only(Actor.SAVE_SETTINGS)
    ack.assert_awaited_once_with()
    assert job["section"] == "jira" and job["changes"]["jira"]["project_key"] == "OPS"
    assert "ATATT3xFfGF0-secret-token" not in json.dumps(job)
    assert sealer.open(job["sealed_secret"]).get_secret_value() == "ATATT3xFfGF0-secret-token"


async def test_kept_secret_travels_as_nothing(sealer):
    jobs, ack, context = listener_rig(home_sealer=sealer)
    body, view = submission("google", google_state(**{ids.B_GOOGLE_CREDENTIALS: text(None)}), has_secret=True)
    await handle_settings_submission(ack, body, view, context)
    job = jobs.only(Actor.SAVE_SETTINGS)
    assert job["sealed_secret"] is None and job["changes"] == {
        "google": {"mode": "service_account", "organizer_email": "ops@acme.io", "calendar_id": "primary"}
    }


async def test_a_secret_without_encryption_keys_is_refused_in_the_modal(monkeypatch):
    from listeners.home import handlers as slack_handlers

    monkeypatch.setattr(slack_handlers, "_default_sealer", lambda: None)
    jobs, ack, context = listener_rig()
    body, view = submission("google", google_state(**{ids.B_GOOGLE_CREDENTIALS: text(SERVICE_ACCOUNT)}))
    await handle_settings_submission(ack, body, view, context)
    assert jobs.jobs == [] and ack.await_count == 1
    assert ack.await_args.kwargs["errors"] == {
        ids.B_GOOGLE_CREDENTIALS: "This NOX server can't store secrets yet (no encryption key configured)."
    }


async def test_general_submission_needs_no_sealer(monkeypatch):
    from listeners.home import handlers as slack_handlers
    from tests.home.test_forms import general_state

    monkeypatch.setattr(slack_handlers, "_default_sealer", lambda: None)
    jobs, ack, context = listener_rig()
    body, view = submission("general", general_state())
    await handle_settings_submission(ack, body, view, context)
    job = jobs.only(Actor.SAVE_SETTINGS)
    assert job["changes"]["action_mode"] == "automatic" and job["sealed_secret"] is None
