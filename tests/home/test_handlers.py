"""The Bolt listener functions: queue before ack, errors inside the modal, secrets sealed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.fernet import Fernet
from slack_bolt.context.async_context import AsyncBoltContext

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


class Recorder:
    """The queue, ack and client in one timeline, so tests can assert what happened first."""

    def __init__(self) -> None:
        self.timeline: list[tuple[str, Any]] = []

    async def enqueue_async(self, actor_name: str, payload: dict[str, Any], **_: Any) -> None:
        json.dumps(payload)  # must be serialisable for the broker
        self.timeline.append(("enqueue", (actor_name, payload)))

    async def ack(self, **kwargs: Any) -> None:
        self.timeline.append(("ack", kwargs))

    async def views_open(self, **kwargs: Any) -> None:
        self.timeline.append(("views_open", kwargs))

    def queued(self) -> list[tuple[str, dict[str, Any]]]:
        return [item for kind, item in self.timeline if kind == "enqueue"]


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def sealer() -> SecretSealer:
    return SecretSealer([Fernet.generate_key().decode()])


def ctx(rec: Recorder, sealer: SecretSealer | None = None) -> AsyncBoltContext:
    context = AsyncBoltContext({"jobs": rec, "team_id": "T0CTX"})
    if sealer is not None:
        context["home_sealer"] = sealer
    return context


async def test_home_opened_queues_a_publish(rec):
    body = {"team_id": "T1", "event": {}}
    await handle_app_home_opened(body, {"type": "app_home_opened", "user": "U1", "tab": "home"}, ctx(rec))
    await handle_app_home_opened(body, {"type": "app_home_opened", "user": "U1", "tab": "messages"}, ctx(rec))
    # The workspace Bolt authorized (the context's), not the payload's own team_id.
    assert rec.queued() == [(Actor.PUBLISH_HOME, {"team_id": "T0CTX", "enterprise_id": None, "user": "U1"})]


async def test_edit_button_queues_then_acks_then_opens_the_loading_modal(rec):
    body = {"team": {"id": "T1"}, "user": {"id": "U1"}, "trigger_id": "123.456.abc"}
    action = {"action_id": "home_edit_jira"}
    await ack_home_edit(rec.ack, body, action, ctx(rec))
    await open_settings_loading(body, action, rec)
    kinds = [kind for kind, _ in rec.timeline]
    assert kinds == ["enqueue", "ack", "views_open"]
    ((name, job),) = rec.queued()
    external_id = settings_external_id("jira", "123.456.abc")
    assert name == Actor.FILL_SETTINGS_MODAL and job["section"] == "jira" and job["external_id"] == external_id
    opened = rec.timeline[2][1]
    assert opened["trigger_id"] == "123.456.abc" and opened["view"]["external_id"] == external_id


async def test_edit_button_refuses_unknown_sections(rec):
    with pytest.raises(ValueError):
        await ack_home_edit(rec.ack, {"trigger_id": "t"}, {"action_id": "home_edit_billing"}, ctx(rec))


def submission(section: str, state: dict[str, Any], *, lang: str = "en", has_secret: bool = False) -> tuple[dict, dict]:
    view = {
        "callback_id": ids.CALLBACKS[section],
        "state": state,  # type: ignore[index]
        "private_metadata": metadata(lang, has_secret),
    }  # type: ignore[arg-type]
    return {"team": {"id": "T1"}, "user": {"id": "U1"}, "view": view}, view


async def test_invalid_submission_answers_with_errors_and_queues_nothing(rec, sealer):
    body, view = submission("jira", jira_state(**{ids.B_JIRA_URL: text("http://x")}), lang="fr")
    await handle_settings_submission(rec.ack, body, view, ctx(rec, sealer))
    assert rec.queued() == []
    ((kind, kwargs),) = rec.timeline
    assert kwargs["response_action"] == "errors" and kwargs["errors"][ids.B_JIRA_URL].startswith("L'URL Jira")


async def test_valid_submission_queues_sealed_secret_then_acks(rec, sealer):
    body, view = submission("jira", jira_state())
    await handle_settings_submission(rec.ack, body, view, ctx(rec, sealer))
    assert [kind for kind, _ in rec.timeline] == ["enqueue", "ack"] and rec.timeline[1][1] == {}
    ((name, job),) = rec.queued()
    assert name == Actor.SAVE_SETTINGS and job["section"] == "jira" and job["changes"]["jira"]["project_key"] == "OPS"
    assert "ATATT3xFfGF0-secret-token" not in json.dumps(job)
    assert sealer.open(job["sealed_secret"]).get_secret_value() == "ATATT3xFfGF0-secret-token"


async def test_kept_secret_travels_as_nothing(rec, sealer):
    body, view = submission("google", google_state(**{ids.B_GOOGLE_CREDENTIALS: text(None)}), has_secret=True)
    await handle_settings_submission(rec.ack, body, view, ctx(rec, sealer))
    ((name, job),) = rec.queued()
    assert job["sealed_secret"] is None and job["changes"] == {
        "google": {"mode": "service_account", "organizer_email": "ops@acme.io", "calendar_id": "primary"}
    }


async def test_a_secret_without_encryption_keys_is_refused_in_the_modal(rec, monkeypatch):
    from listeners.home import handlers as slack_handlers

    monkeypatch.setattr(slack_handlers, "_default_sealer", lambda: None)
    body, view = submission("google", google_state(**{ids.B_GOOGLE_CREDENTIALS: text(SERVICE_ACCOUNT)}))
    await handle_settings_submission(rec.ack, body, view, ctx(rec))
    assert rec.queued() == []
    ((kind, kwargs),) = rec.timeline
    assert kwargs["errors"] == {
        ids.B_GOOGLE_CREDENTIALS: "This NOX server can't store secrets yet (no encryption key configured)."
    }


async def test_general_submission_needs_no_sealer(rec, monkeypatch):
    from listeners.home import handlers as slack_handlers
    from tests.home.test_forms import general_state

    monkeypatch.setattr(slack_handlers, "_default_sealer", lambda: None)
    body, view = submission("general", general_state())
    await handle_settings_submission(rec.ack, body, view, ctx(rec))
    ((name, job),) = rec.queued()
    assert job["changes"]["action_mode"] == "automatic" and job["sealed_secret"] is None
