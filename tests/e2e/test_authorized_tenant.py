"""The tenant of a request is the workspace Bolt authorized, never the payload's own team fields.

In a Slack Connect channel shared with another organisation, an event's `team_id`, `event.team`
and `event.user_team` (and a command's `team_id`) can name the other side; only the installation
the authorize step resolved may choose whose data and token a job uses."""

from __future__ import annotations

OTHER_ORG = "T0OTHERORG"


def _from_the_other_org(envelope: dict) -> dict:
    envelope["team_id"] = OTHER_ORG
    envelope["context_team_id"] = OTHER_ORG
    envelope["is_ext_shared_channel"] = True
    envelope["event"]["team"] = OTHER_ORG
    envelope["event"]["user_team"] = OTHER_ORG
    return envelope


async def test_a_shared_channel_mention_is_queued_for_the_authorized_workspace(isolated, sandbox_workspace):
    sender, queued = isolated
    identity, _ = sandbox_workspace
    envelope = _from_the_other_org(sender.app_mention("U0DEV", "C0OPS", "how do I roll back?"))
    assert envelope["authorizations"][0]["team_id"] == identity.team_id != OTHER_ORG
    assert (await sender.send_event(envelope)).status == 200
    [(name, payload)] = queued()
    assert name == "handle_message"
    assert payload["team_id"] == identity.team_id


async def test_a_command_naming_another_team_is_queued_for_the_authorized_workspace(isolated, sandbox_workspace):
    sender, queued = isolated
    identity, _ = sandbox_workspace
    form = sender.slash_command("U0DEV", "ask how do I roll back?")
    form["team_id"] = OTHER_ORG
    assert (await sender.send_command(form)).status == 200
    [(name, payload)] = queued()
    assert name == "answer_command"
    assert payload["team_id"] == identity.team_id
