from jamono.conversation.commands import parse_command


def test_subcommands_are_recognised_with_their_arguments():
    assert parse_command("kb search  disk full ").model_dump(include={"name", "args"}) == {
        "name": "kb search",
        "args": "disk full",
    }
    assert parse_command("KB ADD").name == "kb add"
    assert parse_command("ask why is the api slow --share").share is True


def test_free_text_questions_read_as_ask_and_gibberish_gets_help():
    assert parse_command("how do I restart a pod").name == "ask"
    odd = parse_command("frobnicate")
    assert odd.name == "help" and odd.unknown == "frobnicate"
    assert parse_command("").name == "help"
