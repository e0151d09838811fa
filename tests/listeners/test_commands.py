"""`/nox`: help and unknown input answered at once; work queued before the ack; modals opened."""

from __future__ import annotations


async def test_help_and_unknown_subcommands_get_help_not_an_error(isolated):
    sender, queued = isolated
    for text in ("", "help", "frobnicate", "kb nonsense"):
        response = await sender.send_command(sender.slash_command("U0DEV", text))
        assert response.status == 200, text
        body = response.json()
        assert "/nox kb add" in str(body["blocks"])
    unknown = (await sender.send_command(sender.slash_command("U0DEV", "frobnicate"))).json()
    assert "frobnicate" in str(unknown["blocks"])
    assert queued() == []


async def test_kb_search_and_questions_are_queued_before_the_ack(isolated):
    sender, queued = isolated
    searched = await sender.send_command(sender.slash_command("U0DEV", "kb search  pods pending"))
    asked = await sender.send_command(sender.slash_command("U0DEV", "comment redémarrer un pod bloqué ?"))
    assert (searched.status, asked.status) == (200, 200)
    jobs = dict(queued())
    assert jobs["kb_search"]["text"] == "pods pending" and jobs["kb_search"]["response_url"]
    assert jobs["answer_command"]["lang"] == "fr"


async def test_kb_add_opens_the_modal(isolated, sandbox):
    sender, _ = isolated
    response = await sender.send_command(sender.slash_command("U0DEV", "kb add"))
    assert response.status == 200
    view = await sandbox.wait_for(lambda: sandbox.open_views("U0DEV")[-1])
    assert view["callback_id"] == "kb_add"
    assert [b["block_id"] for b in view["blocks"]] == ["title", "content", "tags"]


async def test_modal_errors_come_back_inside_the_modal(isolated):
    sender, queued = isolated
    submission = sender.view_submission(
        "U0DEV",
        "kb_add",
        {
            "title": {"value": {"type": "plain_text_input", "value": "x"}},
            "content": {"value": {"type": "plain_text_input", "value": "too short"}},
            "tags": {"value": {"type": "plain_text_input", "value": None}},
        },
    )
    response = await sender.send_interactive(submission)
    assert response.status == 200
    body = response.json()
    assert body["response_action"] == "errors" and set(body["errors"]) == {"title", "content"}
    assert queued() == []


async def test_a_valid_modal_and_the_message_shortcut_queue_a_save(isolated, sandbox):
    sender, queued = isolated
    submission = sender.view_submission(
        "U0DEV",
        "kb_add",
        {
            "title": {"value": {"type": "plain_text_input", "value": "Restarting the billing worker"}},
            "content": {
                "value": {
                    "type": "plain_text_input",
                    "value": "Run `systemctl restart billing-worker` then check the queue depth.",
                }
            },
            "tags": {"value": {"type": "plain_text_input", "value": "billing, workers"}},
        },
    )
    assert (await sender.send_interactive(submission)).status == 200
    message = sandbox.user_says("U0DEV", "C0OPS", "fixed: the cron was pointing at the old bucket")
    shortcut = sender.message_action("U0DEV", "kb_save_message", message, "C0OPS")
    assert (await sender.send_interactive(shortcut)).status == 200
    saves = [payload for name, payload in queued() if name == "kb_save"]
    assert {s.get("title") for s in saves} == {"Restarting the billing worker", None}
    assert any(s["message_ts"] == message["ts"] and s["channel"] == "C0OPS" for s in saves)
    assert next(s for s in saves if s.get("title"))["tags"] == ["billing", "workers"]
