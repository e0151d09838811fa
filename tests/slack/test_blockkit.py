"""The one Block Kit builder set keeps every block within Slack's limits, whatever the input."""

from __future__ import annotations

from jamono.slack import blockkit as bk
from jamono.slack.limits import RADIO_OPTIONS_MAX, SECTION_TEXT_MAX, VIEW_BLOCKS_MAX
from jamono.slack.validation import validate_blocks, validate_view


def test_views_keep_to_slacks_block_count() -> None:
    blocks = [bk.section(f"line {i}") for i in range(VIEW_BLOCKS_MAX + 20)]
    for view in (
        bk.modal(callback_id="c", title="A title far longer than Slack allows", blocks=blocks, submit="Go"),
        bk.home(blocks, callback_id="home"),
    ):
        assert len(view["blocks"]) == VIEW_BLOCKS_MAX
        assert validate_view(view) == []


def test_choices_keep_to_slacks_option_count_and_find_the_initial_one() -> None:
    options = [bk.option(f"choice {i}", str(i)) for i in range(15)]
    radio = bk.choice("radio_buttons", "v", options, selected="3")
    assert len(radio["options"]) == RADIO_OPTIONS_MAX and radio["initial_option"]["value"] == "3"
    assert "initial_option" not in bk.choice("radio_buttons", "v", options, selected="14")  # clipped away
    block = bk.input_block("b", "label", bk.choice("static_select", "v", options, placeholder="p" * 200))
    assert validate_blocks([block]) == []


def test_long_text_and_labels_are_clipped_never_refused() -> None:
    blocks = [
        bk.header("h" * 500),
        *bk.split_sections("```\n" + "x" * 90 + "\n" * 200 + "```"),
        bk.section("s" * 10_000),
        bk.context("c" * 10_000),
        bk.actions([bk.button("b" * 100, "a", value="v" * 5000, accessibility_label="l" * 100)]),
        bk.fields_section(["f" * 3000] * 12, text="t" * 4000),
    ]
    assert validate_blocks(blocks) == []
    assert all(len(b["text"]["text"]) <= SECTION_TEXT_MAX for b in blocks if b["type"] == "section" and "text" in b)
