"""Incident surfaces stay thin: each request is validated, queued, then acked — no Web API call
before the ack (the sandbox's call log proves it), the job carries what the worker needs."""

from __future__ import annotations


async def test_incident_commands_are_queued_before_the_ack(isolated, sandbox):
    sender, queued = isolated
    before = len(sandbox.calls)
    for text in (
        "incident status identified bad deploy",
        "incident severity HIGH",
        "incident lead <@U0LEAD|lea>",
        "incident update rolled back, watching",
        "incident resolve fixed",
        "incident statut surveillance",
        "incidents",
    ):
        response = await sender.send_command(sender.slash_command("U0DEV", text, channel="C0INC1"))
        assert response.status == 200, text
    assert sandbox.calls[before:] == []  # nothing but the queue before the ack
    jobs = queued()
    changes = [job for actor, job in jobs if actor == "incidents_change"]
    assert sorted((j["kind"], j["value"], j["note"]) for j in changes) == sorted(
        [
            ("status", "identified", "bad deploy"),
            ("severity", "HIGH", ""),
            ("lead", "<@U0LEAD|lea>", ""),
            ("update", "", "rolled back, watching"),
            ("resolved", "", "fixed"),
            ("status", "surveillance", ""),
        ]
    )
    assert all(j["channel"] == "C0INC1" and j["key"].startswith("cmd:") for j in changes)
    assert len({j["key"] for j in changes}) == len(changes)  # one key per request (its trigger id)
    assert [actor for actor, _ in jobs].count("incidents_list") == 1


async def test_nox_incident_alone_still_opens_the_declaration_modal(isolated, sandbox):
    sender, queued = isolated
    response = await sender.send_command(sender.slash_command("U0DEV", "incident"))
    assert response.status == 200
    view = await sandbox.wait_for(
        lambda: [v for v in sandbox.open_views("U0DEV") if v["callback_id"] == "nox_incident"]
    )
    assert {"summary", "severity", "lead"} <= {b["block_id"] for b in view[-1]["blocks"]}
    assert not [a for a, _ in queued() if a.startswith("incidents_")]


async def test_declare_and_card_clicks_are_queued(isolated, sandbox):
    sender, queued = isolated
    message = sandbox.user_says("U0NOX", "C0INC2", "card")  # any message to click on
    card = sender.block_actions(
        "U0DEV",
        [
            {
                "action_id": "incident_status:monitoring",
                "block_id": "incident:x",
                "value": "7f0a3a3e-1111-4222-8333-444455556666",
            }
        ],
        channel="C0INC2",
        message_ts=message["ts"],
    )
    severity = sender.block_actions(
        "U0DEV",
        [
            {
                "action_id": "incident_severity",
                "block_id": "incident:x",
                "selected_option": {"value": "7f0a3a3e-1111-4222-8333-444455556666:low"},
            }
        ],
        channel="C0INC2",
        message_ts=message["ts"],
    )
    declare = sender.block_actions(
        "U0DEV",
        [{"action_id": "propose_incident", "block_id": "proposal:y", "value": "7f0a3a3e-1111-4222-8333-444455556666"}],
        channel="C0OPS",
        message_ts=message["ts"],
    )
    for payload in (card, severity, declare):
        assert (await sender.send_interactive(payload)).status == 200
    jobs = queued()
    changes = [j for a, j in jobs if a == "incidents_change"]
    assert sorted((j["kind"], j["value"]) for j in changes) == [("severity", "low"), ("status", "monitoring")]
    assert all(j["incident_id"] == "7f0a3a3e-1111-4222-8333-444455556666" for j in changes)
    declared = [j for a, j in jobs if a == "incidents_declare"]
    assert len(declared) == 1 and declared[0]["interaction_id"] == "7f0a3a3e-1111-4222-8333-444455556666"
