from jamono.slack.filters import should_answer_mention, should_answer_message

BOT = "U0NOX"


def test_dms_from_people_are_answered():
    assert should_answer_message({"channel_type": "im", "user": "U1", "text": "hi"}, BOT)
    assert should_answer_message({"channel_type": "im", "user": "U1", "subtype": "file_share"}, BOT)


def test_channel_messages_are_left_to_app_mention():
    assert not should_answer_message({"channel_type": "channel", "user": "U1", "text": "<@U0NOX> hi"}, BOT)


def test_bots_slackbot_self_and_edits_are_ignored():
    for event in (
        {"channel_type": "im", "user": BOT},
        {"channel_type": "im", "bot_id": "B1", "user": "U2"},
        {"channel_type": "im", "subtype": "bot_message", "bot_id": "B1"},
        {"channel_type": "im", "user": "USLACKBOT"},
        {"channel_type": "im", "user": "U1", "subtype": "message_changed"},
        {"channel_type": "im", "user": "U1", "subtype": "message_deleted"},
        {"channel_type": "im", "user": "U1", "subtype": "channel_join"},
    ):
        assert not should_answer_message(event, BOT), event
    assert not should_answer_mention({"user": "U1", "bot_id": "B2"}, BOT)
    assert should_answer_mention({"user": "U1", "text": "<@U0NOX> help"}, BOT)
