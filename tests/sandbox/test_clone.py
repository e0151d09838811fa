"""The sandbox's deep copies: as copy.deepcopy's, for plain data and for anything else."""

from __future__ import annotations

from jamono.sandbox.clone import clone


def test_plain_data_is_copied_deeply_and_shared_parts_stay_shared() -> None:
    shared = {"type": "mrkdwn", "text": "x"}
    message = {"ts": "1.2", "blocks": [{"text": shared}, {"text": shared}], "edited": None}
    copied = clone(message)
    assert copied == message and copied is not message
    assert copied["blocks"][0]["text"] is not shared
    assert copied["blocks"][0]["text"] is copied["blocks"][1]["text"]


def test_what_pickle_cannot_copy_is_copied_as_deepcopy_would() -> None:
    def local() -> str:  # a local function cannot be pickled; deepcopy keeps it as is
        return "hi"

    value = {"on_send": local, "tags": ["a"]}
    copied = clone(value)
    assert copied["on_send"] is local and copied["tags"] == ["a"] and copied["tags"] is not value["tags"]
