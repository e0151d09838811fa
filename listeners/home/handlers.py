"""Bolt listener functions for the App Home, to register from `listeners/` (see the module map).
Why and how: docs/design/listeners.md."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from jamono.home import ids
from jamono.home.forms import parse_settings_form
from jamono.home.jobs import HomeJob, SettingsModalJob, SettingsSaveJob
from jamono.home.modals import loading_modal, read_metadata
from jamono.home.secrets import SecretSealer
from jamono.i18n import t
from jamono.platform.settings import get_settings
from jamono.queue.names import Actor
from jamono.slack.payloads import team_and_enterprise, user_of

SECRET_BLOCKS: dict[ids.Section, str] = {"jira": ids.B_JIRA_TOKEN, "google": ids.B_GOOGLE_CREDENTIALS}


def settings_external_id(section: str, trigger_id: str) -> str:
    """One id per click, the same in the ack and the lazy step (both see the same trigger id)."""
    return f"nox-settings-{section}-{hashlib.sha256(trigger_id.encode()).hexdigest()[:32]}"


def _section_of(action_id: str) -> ids.Section:
    section = action_id.removeprefix("home_edit_")
    if section not in ids.SECTIONS:
        raise ValueError(f"not a settings button: {action_id!r}")
    return section  # type: ignore[return-value]


# --- app_home_opened --------------------------------------------------------------------------


async def handle_app_home_opened(body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext) -> None:
    """Queue a fresh Home for the person (Bolt acks events itself once this returns)."""
    if event.get("tab") != "home" or not event.get("user"):
        return
    team_id, enterprise_id = team_and_enterprise(body, context)
    job = HomeJob(team_id=team_id, enterprise_id=enterprise_id, user=event["user"])
    await context["jobs"].enqueue_async(Actor.PUBLISH_HOME, job.model_dump(mode="json"))


# --- home_edit_* buttons ----------------------------------------------------------------------


async def queue_settings_modal(
    jobs: Any, *, team_id: str, enterprise_id: str | None, user: str, section: ids.Section, trigger_id: str
) -> str:
    """Queue the worker job that fills a settings modal; returns the external id to open it with.

    Shared by the Home's Edit buttons and any other entry point (e.g. `/nox config`).
    """
    external_id = settings_external_id(section, trigger_id)
    job = SettingsModalJob(
        team_id=team_id, enterprise_id=enterprise_id, user=user, section=section, external_id=external_id
    )
    await jobs.enqueue_async(Actor.FILL_SETTINGS_MODAL, job.model_dump(mode="json"))
    return external_id


async def ack_home_edit(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    """Queue the job that fills the modal, then ack; `open_settings_loading` runs after (lazy)."""
    team_id, enterprise_id = team_and_enterprise(body, context)
    await queue_settings_modal(
        context["jobs"],
        team_id=team_id,
        enterprise_id=enterprise_id,
        user=user_of(body),
        section=_section_of(action["action_id"]),
        trigger_id=body["trigger_id"],
    )
    await ack()


async def open_settings_loading(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
    section = _section_of(action["action_id"])
    await client.views_open(
        trigger_id=body["trigger_id"], view=loading_modal(settings_external_id(section, body["trigger_id"]))
    )


# --- settings_* submissions -------------------------------------------------------------------


@lru_cache(maxsize=1)
def _default_sealer() -> SecretSealer | None:
    return SecretSealer.from_settings(get_settings())


def sealer_for(context: AsyncBoltContext) -> SecretSealer | None:
    """The app may inject one as context["home_sealer"]; otherwise it comes from the settings."""
    injected = context.get("home_sealer")
    return injected if isinstance(injected, SecretSealer) else _default_sealer()


async def handle_settings_submission(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    """Validate inside the modal (errors shown there); a valid form is queued and the modal closes."""
    section = ids.CALLBACK_SECTIONS[view["callback_id"]]
    meta = read_metadata(view.get("private_metadata"))
    form = parse_settings_form(section, view.get("state", {}), meta.lang, has_secret=meta.has_secret)
    if isinstance(form, dict):
        await ack(response_action="errors", errors=form)
        return
    sealed = None
    secret = getattr(form, "secret", None)
    if secret is not None:
        sealer = sealer_for(context)
        if sealer is None:
            await ack(response_action="errors", errors={SECRET_BLOCKS[section]: t("e_secrets_unavailable", meta.lang)})
            return
        sealed = sealer.seal(secret)
    team_id, enterprise_id = team_and_enterprise(body, context)
    job = SettingsSaveJob(
        team_id=team_id,
        enterprise_id=enterprise_id,
        user=user_of(body),
        section=section,
        changes=form.changes(),
        sealed_secret=sealed,
        lang=meta.lang,
    )
    await context["jobs"].enqueue_async(Actor.SAVE_SETTINGS, job.model_dump(mode="json"))
    await ack()
