"""NOX's own views and messages, at their worst case, rendered strictly by the playground's renderer:
whatever Slack would refuse fails here (jamono/sandbox/html.py checks what the sandbox's Web API
checks), and hostile text in them stays text."""

from __future__ import annotations

import pytest

from jamono.actions.modals import ModalContext, incident_modal, meeting_modal
from jamono.conversation.commands import help_blocks
from jamono.home.modals import general_settings_modal, google_settings_modal, jira_settings_modal, loading_modal
from jamono.home.settings_model import WorkspaceSettings
from jamono.home.views import home_view
from jamono.kb.views import kb_add_view
from jamono.sandbox.html import Directory, render_message_body, render_view
from tests.home.factories import big_metrics, big_recent, big_settings

NAMES = Directory(users={"U0DEV": "dev"}, channels={"C0OPS": "ops"})


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("is_admin", [True, False])
def test_the_home_tab_at_its_largest_renders_and_slack_would_take_it(lang, is_admin):
    view = home_view(
        user_id="U0DEV",
        is_admin=is_admin,
        settings=big_settings(),
        metrics_7d=big_metrics(7),
        metrics_30d=big_metrics(30),
        recent=big_recent(50),
        lang=lang,
    )
    rendered = render_view(view, NAMES, strict=True)
    assert "<script" not in rendered and 'evil.example">' not in rendered.replace('href="https://evil.example"', "")
    assert ('data-action-id="home_edit_general"' in rendered) is is_admin


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_modal_renders_and_slack_would_take_it(lang):
    context = ModalContext(channel="C0OPS", lang=lang)
    for view in (
        incident_modal(context),
        meeting_modal(context, title="T" * 200, attendees=["U0DEV"] * 60),
        general_settings_modal(big_settings(), lang),
        jira_settings_modal(big_settings(), lang),
        google_settings_modal(big_settings(), lang),
        general_settings_modal(WorkspaceSettings(), lang),
        loading_modal("x" * 40, lang),
        kb_add_view(lang),
    ):
        rendered = render_view(view, NAMES, strict=True)
        assert "bk-block" in rendered, view.get("callback_id")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_help_renders_and_slack_would_take_it(lang):
    rendered = render_message_body({"blocks": help_blocks(lang, unknown="<script>x</script>")}, NAMES, strict=True)
    assert "<script>" not in rendered
