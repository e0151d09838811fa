"""Incidents' pure parts: channel names, what a change says, the card, the settings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from jamono.incidents.flows import _parse
from jamono.incidents.models import Change, Incident, IncidentSettings
from jamono.incidents.views import card_blocks, channel_name, event_line, slug, topic


def _incident(**changes) -> Incident:
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    base = {
        "id": uuid.uuid4(),
        "tenant_id": uuid.uuid4(),
        "workspace_id": uuid.uuid4(),
        "idempotency_key": "k",
        "title": "Checkout <!here> & 502s",
        "severity": "high",
        "status": "investigating",
        "lead": "U0LEAD",
        "reporter": "U0DEV",
        "started_at": now,
        "updated_at": now,
        "last_update_at": now,
    }
    return Incident.model_validate({**base, **changes})


def test_channel_names_are_slack_safe_dated_and_numbered():
    moment = datetime(2026, 12, 2, tzinfo=UTC)
    assert (
        channel_name(moment, "Prod is DOWN!! Checkout returns 502", 0)
        == "inc-20261202-prod-is-down-checkout-returns-502"
    )
    assert channel_name(moment, "Base de données indisponible", 1) == "inc-20261202-base-de-donnees-indisponible-2"
    assert slug("!!!") == "incident" and len(slug("x" * 200)) <= 40


def _change(kind: str, value: str = "", note: str = "") -> Change:
    return Change(team_id="T", user="U0DEV", key="k", kind=kind, value=value, note=note)  # type: ignore[arg-type]


def test_changes_are_validated_in_english_and_french():
    assert _parse(_change("status", "Identified", "bad deploy")) == ("status", "identified", "bad deploy")
    assert _parse(_change("status", "surveillance")) == ("status", "monitoring", "")
    assert _parse(_change("status", "resolved", "done")) == ("resolved", "resolved", "done")
    assert _parse(_change("status", "fixed")) is None
    assert _parse(_change("severity", "critique")) == ("severity", "critical", "")
    assert _parse(_change("lead", "<@U0LEAD|lea>")) == ("lead", "U0LEAD", "")
    assert _parse(_change("lead", "lea")) is None
    assert _parse(_change("update", note="")) is None


def test_the_card_escapes_what_we_did_not_write_and_keeps_its_buttons_while_open():
    incident = _incident(last_update="<@U0EVIL> & <!channel>")
    blocks = card_blocks(incident, jira_connected=False)
    text = str(blocks[1:])
    assert "<!channel>" not in text and "<@U0EVIL>" not in text and "&lt;@U0EVIL&gt; &amp; &lt;!channel&gt;" in text
    assert "<!date^" in text and "*Lead:* <@U0LEAD>" in text and "*Jira:* not connected" in text
    assert blocks[-1]["type"] == "actions" and blocks[-1]["block_id"] == f"incident:{incident.id}"
    resolved = card_blocks(_incident(status="resolved", resolved_at=incident.started_at), jira_connected=True)
    assert not [b for b in resolved if b["type"] == "actions"] and "Resolved" in resolved[0]["text"]["text"]
    assert "<!here>" not in topic(incident) and len(topic(_incident(title="x" * 400))) <= 250
    assert "&lt;!here&gt;" in event_line(incident, "update", "U0DEV", "", "<!here> now")


def test_settings_fall_back_to_defaults():
    settings = IncidentSettings.of({"incidents": {"reminder_minutes": {"critical": 5, "bogus": 1, "low": -3}}})
    assert settings.reminder_minutes == {"critical": 5, "high": 30, "medium": 60, "low": 240}
    assert IncidentSettings.of({"incidents": {"responders_group": "not a group"}}) == IncidentSettings()
    assert IncidentSettings.of(None).private_channels is False
