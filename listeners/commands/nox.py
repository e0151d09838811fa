import time
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from jamono.actions.modals import command_modal
from jamono.brain.language import detect_language
from jamono.conversation.commands import NoxCommand, config_blocks, help_blocks, parse_command
from jamono.home.ids import SECTIONS, Section
from jamono.home.modals import loading_modal
from jamono.i18n import Lang, t
from jamono.kb.views import kb_add_view
from jamono.queue.names import Actor
from jamono.slack.payloads import CommandJob, team_and_enterprise
from listeners.commands.incident import (
    ask_job,
    change_job,
    is_timeline,
    publish_job,
    queue_ask,
    queue_change,
    queue_list,
    queue_publish,
)
from listeners.home.handlers import queue_settings_modal, settings_external_id

_WORKING = {  # what the ack says meanwhile
    "kb search": "working.kb_search",
    "ask": "working.ask",
    "kb remove": "working.kb_remove",
}


def _job(command: dict[str, Any], text: str, share: bool, lang: str) -> CommandJob:
    return CommandJob(
        team_id=command.get("team_id", ""),
        enterprise_id=command.get("enterprise_id") or None,
        user=command.get("user_id", ""),
        channel=command.get("channel_id", ""),
        text=text,
        response_url=command.get("response_url", ""),
        trigger_id=command.get("trigger_id", ""),
        share=share,
        lang=lang,  # type: ignore[arg-type]
    )


def _authorized(command: dict[str, Any], context: AsyncBoltContext) -> dict[str, Any]:
    """The command with the workspace Bolt authorized in place of the payload's own team fields."""
    team_id, enterprise_id = team_and_enterprise(command, context)
    return {**command, "team_id": team_id, "enterprise_id": enterprise_id}


async def _queue_question(
    cmd: NoxCommand, command: dict[str, Any], lang: Lang, ack: AsyncAck, context: AsyncBoltContext
) -> None:
    """`/nox ask`, `kb search`, `kb remove`: the words go to a worker; none at all get the help."""
    if not cmd.args:
        await ack(blocks=help_blocks(lang))
        return
    actor = {"kb search": Actor.KB_SEARCH, "ask": Actor.ANSWER_COMMAND, "kb remove": Actor.KB_REMOVE}[cmd.name]
    await context["jobs"].enqueue_async(actor, _job(command, cmd.args, cmd.share, lang).model_dump(mode="json"))
    await ack(text=t(_WORKING[cmd.name], lang))


async def ack_nox(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
    command = _authorized(command, context)
    cmd = parse_command(command.get("text", ""))
    lang = detect_language(cmd.args or command.get("text", "")) if (cmd.args or command.get("text")) else "en"
    if cmd.name in ("kb search", "ask", "kb remove"):
        await _queue_question(cmd, command, lang, ack, context)
    elif (cmd.name == "incident" and is_timeline(cmd.args)) or cmd.name in ("summary", "similar"):
        kind = "timeline" if cmd.name == "incident" else cmd.name
        await queue_ask(ask_job(command, kind, "" if kind == "timeline" else cmd.args, lang), ack, context)
    elif cmd.name == "incident" and (published := publish_job(command, cmd.args, lang)) is not None:
        await queue_publish(published, ack, context)  # an admin shares a private incident's lesson
    elif cmd.name == "incident" and (change := change_job(command, cmd.args)) is not None:
        await queue_change(change, ack, context)  # in an incident's channel: a change, not the modal
    elif cmd.name == "incidents":
        await queue_list(command, lang, ack, context)
    elif cmd.name in ("kb add", "incident", "meeting"):  # modals, opened after the ack
        await ack()
    elif cmd.name == "help":
        await ack(blocks=help_blocks(lang, cmd.unknown))
    elif cmd.name == "status":
        payload = _job(command, "", cmd.share, lang).model_dump(mode="json")
        await context["jobs"].enqueue_async(Actor.NOX_STATUS, {**payload, "queued_at": time.time()})
        await ack(text=t("working.status", lang))
    elif cmd.name == "followups" and cmd.args.lower() in ("on", "off"):
        payload = _job(command, "", False, lang).model_dump(mode="json")
        await context["jobs"].enqueue_async(Actor.SET_FOLLOW_UPS, {**payload, "enabled": cmd.args.lower() == "on"})
        await ack()
    elif cmd.name == "followups":
        await ack(blocks=help_blocks(lang, command.get("text", "")))
    elif cmd.name == "config":
        await queue_settings_modal(
            context["jobs"],
            team_id=command.get("team_id", ""),
            enterprise_id=command.get("enterprise_id") or None,
            user=command.get("user_id", ""),
            section=_config_section(cmd.args),
            trigger_id=command.get("trigger_id", ""),
        )
        await ack(blocks=config_blocks(lang, command.get("team_id", ""), command.get("api_app_id", "")))
    else:
        await ack(text=t("later", lang, name=cmd.name))


def _config_section(args: str) -> Section:
    wanted = args.strip().lower()
    return wanted if wanted in SECTIONS else "general"  # type: ignore[return-value]


async def open_nox_modal(command: dict[str, Any], client: AsyncWebClient) -> None:
    cmd = parse_command(command.get("text", ""))
    if cmd.name == "config":  # a worker fills the loading modal in (and checks the user may edit)
        section = _config_section(cmd.args)
        await client.views_open(
            trigger_id=command["trigger_id"], view=loading_modal(settings_external_id(section, command["trigger_id"]))
        )
        return
    if cmd.name == "incident" and (
        is_timeline(cmd.args)
        or change_job(command, cmd.args) is not None
        or publish_job(command, cmd.args, "en") is not None
    ):
        return
    if cmd.name in ("incident", "meeting"):
        await client.views_open(trigger_id=command["trigger_id"], view=command_modal(cmd.name, command, cmd.args))
        return
    if cmd.name != "kb add":
        return
    await client.views_open(
        trigger_id=command["trigger_id"], view=kb_add_view(private_metadata=command.get("channel_id", ""))
    )
