from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from jamono.brain.language import detect_language
from jamono.commands import help_blocks, parse_command
from jamono.slack.kb_views import kb_add_view
from jamono.slack.payloads import CommandJob

_WORKING = {
    "kb search": {"en": ":mag: Searching the knowledge base…", "fr": ":mag: Je cherche dans la base de connaissances…"},
    "ask": {"en": ":eyes: Looking into it…", "fr": ":eyes: Je regarde ça…"},
}
_LATER = {
    "en": "`/nox {name}` is not available in this version yet. `/nox help` lists what works today.",
    "fr": "`/nox {name}` n'est pas encore disponible dans cette version. `/nox help` liste ce qui marche aujourd'hui.",
}


def _job(command: dict[str, Any], text: str, share: bool, lang: str) -> CommandJob:
    return CommandJob(
        team_id=command.get("team_id", ""), enterprise_id=command.get("enterprise_id") or None,
        user=command.get("user_id", ""), channel=command.get("channel_id", ""), text=text,
        response_url=command.get("response_url", ""), trigger_id=command.get("trigger_id", ""),
        share=share, lang=lang,  # type: ignore[arg-type]
    )


async def ack_nox(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
    cmd = parse_command(command.get("text", ""))
    lang = detect_language(cmd.args or command.get("text", "")) if (cmd.args or command.get("text")) else "en"
    if cmd.name in ("kb search", "ask"):
        if not cmd.args:
            await ack(blocks=help_blocks(lang))
            return
        actor = "kb_search" if cmd.name == "kb search" else "answer_command"
        context["jobs"].enqueue(actor, _job(command, cmd.args, cmd.share, lang).model_dump(mode="json"))
        await ack(text=_WORKING[cmd.name][lang])
    elif cmd.name == "kb add":
        await ack()
    elif cmd.name == "help":
        await ack(blocks=help_blocks(lang, cmd.unknown))
    else:
        await ack(text=_LATER[lang].format(name=cmd.name))


async def open_nox_modal(command: dict[str, Any], client: AsyncWebClient) -> None:
    if parse_command(command.get("text", "")).name != "kb add":
        return
    await client.views_open(trigger_id=command["trigger_id"],
                            view=kb_add_view(private_metadata=command.get("channel_id", "")))
