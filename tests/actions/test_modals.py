"""The scheduling and incident modals: pre-fill, and errors that come back inside the modal."""

import json

from jamono.actions.buttons import VALUE_LIMIT, meeting_value, parse_meeting_value
from jamono.actions.modals import ModalContext, command_modal, meeting_modal, parse_incident, parse_meeting


def _state(**values):
    out = {}
    for block, value in values.items():
        if isinstance(value, list):
            out[block] = {"value": {"type": "multi_users_select", "selected_users": value}}
        elif isinstance(value, dict):
            out[block] = {"value": {"type": "static_select", "selected_option": value}}
        else:
            out[block] = {"value": {"type": "plain_text_input", "value": value}}
    return {"values": out}


def test_meeting_form_errors_are_keyed_by_block_in_the_modal_language():
    errors = parse_meeting(_state(title="", duration="90min", attendees=[]), "fr")
    assert set(errors) == {"title", "duration", "attendees"}
    assert errors["duration"].startswith("Un nombre entier")
    form = parse_meeting(_state(title=" Post-mortem ", duration="45", attendees=["U1", "U2"], agenda=None))
    assert form.title == "Post-mortem" and form.duration_min == 45 and form.attendees == ["U1", "U2"]
    assert parse_meeting(_state(title="x", duration="481", attendees=["U1"])) == {
        "duration": "A whole number of minutes between 5 and 480."
    }


def test_incident_form():
    assert set(parse_incident(_state(summary="oops", severity={"value": "high"}))) == {"summary"}
    form = parse_incident(
        _state(summary="db   replica lagging", severity={"value": "nonsense"}, service="", details="")
    )
    assert form.summary == "db replica lagging" and form.severity == "medium" and form.service is None


def test_schedule_button_carries_the_prefill_within_slacks_limit():
    value = meeting_value(
        "4f1c3a9e-1111-4222-8333-944445555666",
        title="Sync: outage",
        duration_min=45,
        attendees=["U0DEV", "U0TOKYO"],
        lang="fr",
    )
    prefill = parse_meeting_value(value)
    assert (prefill.title, prefill.duration_min, prefill.attendees, prefill.lang) == (
        "Sync: outage",
        45,
        ["U0DEV", "U0TOKYO"],
        "fr",
    )
    huge = meeting_value(
        "x", title="t" * 500, duration_min=None, attendees=[f"U{i:0>60}" for i in range(20)], lang="en"
    )
    assert len(huge) <= VALUE_LIMIT and json.loads(huge)["t"] == "t" * 200
    assert parse_meeting_value("4f1c3a9e-1111-4222-8333-944445555666").interaction_id  # older, bare ids
    assert parse_meeting_value("{not json").interaction_id is None


def test_modals_round_trip_their_context():
    view = meeting_modal(
        ModalContext(interaction_id="i", channel="C1", thread_ts="1.2", lang="fr"),
        title="Revue",
        duration_min=None,
        attendees=["U1", "U1"],
    )
    assert ModalContext.load(view["private_metadata"]) == ModalContext(
        interaction_id="i", channel="C1", thread_ts="1.2", lang="fr"
    )
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["duration"]["element"]["initial_value"] == "30" and blocks["attendees"]["element"][
        "initial_users"
    ] == ["U1"]
    incident = command_modal("incident", {"channel_id": "C9", "user_id": "U1"})
    assert incident["callback_id"] == "nox_incident" and ModalContext.load(incident["private_metadata"]).channel == "C9"
    assert len(view["title"]["text"]) <= 24 and len(incident["title"]["text"]) <= 24
