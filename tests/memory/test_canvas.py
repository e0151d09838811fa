"""The stored postmortem draft made into a canvas's Markdown: our structure kept, people's words inert."""

from __future__ import annotations

from jamono.memory.canvas import document

DRAFT = """# Postmortem (draft): payments 502

_Drafted by NOX from the channel and timeline (no LLM)._

## Summary

Checkout **down**; see [runbook](http://evil.example) ![](@U0BOSS) <!channel>

## Timeline (UTC)

- 10:02 — # not a heading | not a table (@Sam)

## Action items

- [ ] 1. Add an alert — owner @Sam Ops
- [ ] 2. - not a nested list — owner @Dev
"""


def test_headings_bullets_and_checkboxes_stay_and_everything_else_is_text():
    md = document(DRAFT)
    assert not md.startswith("# ") and "payments 502" not in md  # the title is the canvas's own
    assert "\n## Summary\n" in md and "\n## Timeline (UTC)\n" in md and "\n## Action items\n" in md
    assert "- [ ] 1\\. Add an alert — owner @Sam Ops" in md
    assert "- [ ] 2\\. \\- not a nested list" in md or "- [ ] 2\\. - not a nested list" in md
    assert "\\_Drafted by NOX" in md
    assert "\\*\\*down\\*\\*" in md and "\\[runbook\\](http://evil.example)" in md and "!\\[\\](@U0BOSS)" in md
    assert "\\<!channel\\>" in md
    assert "- 10:02 — \\# not a heading \\| not a table" in md or "- 10:02 — # not a heading \\| not a table" in md
    for live in ("**down**", "[runbook](", "![](", "<!channel>", " | not"):
        assert live not in md, live
