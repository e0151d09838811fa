"""A decided proposal stops offering its buttons: the block transform, without Slack."""

from __future__ import annotations

from jamono.actions.messages import retired_blocks

ID = "7f3a"


def reply(*buttons: str) -> list[dict]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Roll back the deploy."}},
        {
            "type": "actions",
            "block_id": f"proposal:{ID}",
            "elements": [{"type": "button", "action_id": b, "value": ID} for b in buttons],
        },
        {"type": "actions", "block_id": f"feedback:{ID}", "elements": [{"type": "button", "action_id": "feedback_up"}]},
    ]


def ids(block: dict) -> list[str]:
    return [e["action_id"] for e in block["elements"]]


def test_the_decided_button_gives_way_to_a_line_and_the_other_choice_stays():
    blocks = retired_blocks(
        reply("propose_ticket", "propose_meeting", "propose_dismiss"), ID, "propose_ticket", "Ticket OPS-1 opened"
    )
    assert blocks is not None
    assert ids(blocks[1]) == ["propose_meeting", "propose_dismiss"]
    assert blocks[2] == {"type": "context", "elements": [{"type": "mrkdwn", "text": "Ticket OPS-1 opened"}]}
    assert blocks[3]["block_id"] == f"feedback:{ID}" and blocks[0]["type"] == "section"


def test_nothing_left_to_decide_drops_dismiss_too():
    blocks = retired_blocks(reply("propose_ticket", "propose_dismiss"), ID, "propose_ticket", "done")
    assert blocks is not None and [b.get("block_id") for b in blocks] == [None, None, f"feedback:{ID}"]
    assert blocks[1]["type"] == "context"


def test_dismissed_removes_every_button():
    blocks = retired_blocks(reply("propose_ticket", "propose_meeting", "propose_dismiss"), ID, None, "Dismissed")
    assert blocks is not None and not any(b.get("block_id", "").startswith("proposal:") for b in blocks)


def test_retiring_twice_changes_nothing_the_second_time():
    once = retired_blocks(reply("propose_ticket", "propose_meeting", "propose_dismiss"), ID, "propose_ticket", "x")
    assert once is not None and retired_blocks(once, ID, "propose_ticket", "x") is None
    gone = retired_blocks(reply("propose_ticket", "propose_dismiss"), ID, "propose_ticket", "x")
    assert gone is not None and retired_blocks(gone, ID, "propose_ticket", "x") is None
    assert retired_blocks(reply("propose_ticket"), "another", "propose_ticket", "x") is None
