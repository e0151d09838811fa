"""What Slack gets when a listener fails: unreadable input is refused (a slash command gets an
ephemeral answer), anything else is left to Bolt's 500 so Slack redelivers."""

from __future__ import annotations

import json

from pydantic import BaseModel, ValidationError

from listeners.errors import COMMAND_NOT_UNDERSTOOD, on_listener_error


class _Shape(BaseModel):
    n: int


def _invalid() -> ValidationError:
    try:
        _Shape.model_validate({"n": "many"})
    except ValidationError as exc:
        return exc
    raise AssertionError("unreachable")


async def test_an_unreadable_slash_command_gets_an_ephemeral_answer():
    response = await on_listener_error(_invalid(), {"command": "/nox", "text": "x"}, None)
    assert response is not None and response.status == 200
    assert response.body == json.dumps(COMMAND_NOT_UNDERSTOOD)
    assert COMMAND_NOT_UNDERSTOOD["response_type"] == "ephemeral"


async def test_an_unreadable_event_or_action_is_refused_with_a_400_naming_the_field():
    response = await on_listener_error(_invalid(), {"type": "block_actions"}, None)
    assert response is not None and response.status == 400
    assert "malformed payload (n:" in response.body


async def test_any_other_failure_is_left_to_bolt_so_slack_redelivers():
    assert await on_listener_error(ConnectionError("broker down"), {"type": "event_callback"}, None) is None
