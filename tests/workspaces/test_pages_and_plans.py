"""The install pages (well-formed, localized, script-free) and the plan limits."""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

import pytest
from slack_sdk.oauth.installation_store import Installation

from jamono.platform.db import tenant_tx
from jamono.platform.tenancy import TeamIdentity, register_workspace
from jamono.workspaces.oauth import (
    PAGE_HEADERS,
    PlanLimitExceeded,
    authorization_url_for,
    enforce_plan_limits,
    pick_language,
    render_error_page,
    render_install_page,
    render_success_page,
)
from jamono.workspaces.plan_limits import over_user_limit
from tests.workspaces.teams import new_team

VOID = {"meta", "link", "br", "img", "input", "hr"}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def check(page: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == [], checker.stack
    assert "script" not in checker.tags and "iframe" not in checker.tags and "img" not in checker.tags
    # The only stylesheet is the one the Content-Security-Policy allows by hash.
    (style,) = checker.styles
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in PAGE_HEADERS["Content-Security-Policy"]
    return checker


def sample_installation(team_name: str = "Ops") -> Installation:
    return Installation(app_id="A0NOX", team_id="T0OPS", team_name=team_name, user_id="U1", bot_token="xoxb-secret")


def test_pages_are_well_formed_in_both_languages():
    for lang in ("en", "fr"):
        install = render_install_page("https://slack.com/oauth/v2/authorize?client_id=1&scope=a,b&state=s&x=<y>", lang)
        check(install)
        assert "state=s&amp;x=&lt;y&gt;" in install
        success = render_success_page(sample_installation('"><script>alert(1)</script>'), lang)
        check(success)
        assert "xoxb-secret" not in success and "&lt;script&gt;" in success
        assert 'href="slack://app?team=T0OPS&amp;id=A0NOX"' in success
        for reason in ("invalid_state", "invalid_browser", "access_denied", "storage_error", "<weird>"):
            page = render_error_page(reason, lang)
            check(page)
            assert 'href="/slack/install"' in page
    assert "Réessayer" in render_error_page("invalid_code", "fr") and "Try again" in render_error_page(
        "invalid_code", "en"
    )
    # An unknown reason (it can come from the query string) shows a generic reason, never its text.
    weird = render_error_page("<weird> call +1-555-0100", "en")
    assert "weird" not in weird and "555" not in weird and "Reason code: other" in weird


def test_plan_limit_renders_with_or_without_its_figures():
    """`/slack/oauth_redirect?error=plan_limit` (no figures) used to raise KeyError: a 500."""
    for lang in ("en", "fr"):
        generic = render_error_page("plan_limit", lang)
        check(generic)
        assert "plan_limit" in generic and "{plan}" not in generic
    detailed = render_error_page("plan_limit", "en", plan="free", allowed=1, used=2)
    assert "Your free plan allows NOX in 1 workspace(s) and this would make 2" in detailed


def test_language_follows_accept_language():
    assert pick_language("fr-CA,fr;q=0.9,en;q=0.8") == "fr"
    assert pick_language("en-GB,en;q=0.9,fr;q=0.8") == "en"
    assert pick_language("de-DE,de;q=0.9,fr;q=0.5,en;q=0.4") == "fr"
    assert pick_language("fr;q=0,en") == "en"
    assert pick_language("") == pick_language(None) == pick_language("ja,zh") == "en"
    assert pick_language("fr;q=bogus, en;q=0.1") == "en"


def test_authorize_url_follows_the_api_base():
    assert authorization_url_for("https://slack.com/api/") is None
    assert authorization_url_for("http://127.0.0.1:4567/api/") == "http://127.0.0.1:4567/oauth/v2/authorize"
    assert (
        authorization_url_for("https://slack-proxy.internal/slack/api")
        == "https://slack-proxy.internal/slack/oauth/v2/authorize"
    )


def answered(pool, ctx, *who_when: tuple[str, str]) -> None:
    """Interactions with these people, that long ago."""
    with tenant_tx(pool, ctx.tenant_id) as conn:
        for user, age in who_when:
            conn.execute(
                "INSERT INTO agent_interactions (tenant_id, workspace_id, user_id, channel_id, message_type, message,"
                " created_at) VALUES (%s, %s, %s, 'C1', 'app_mention', 'hi', now() - %s::interval)",
                [ctx.tenant_id, ctx.workspace_id, user, age],
            )


def test_plan_limits_count_active_workspaces_and_recent_users(pool, admin):
    team = new_team()
    ctx = register_workspace(pool, TeamIdentity(team_id=team, team_name="Plan"))
    usage = enforce_plan_limits(pool, ctx.tenant_id)
    assert (usage.agents, usage.max_agents, usage.users, usage.plan_type) == (1, 1, 0, "free")

    admin.execute("UPDATE tenants SET max_users = 2 WHERE id = %s", [ctx.tenant_id])
    answered(pool, ctx, ("U1", "1 day"), ("U1", "2 days"), ("U2", "3 days"), ("U3", "40 days"))
    assert enforce_plan_limits(pool, ctx.tenant_id).users == 2  # at the limit is fine; U3 is too old
    with tenant_tx(pool, ctx.tenant_id) as conn:
        conn.execute(
            "INSERT INTO agent_interactions (tenant_id, workspace_id, user_id, channel_id, message_type, message)"
            " VALUES (%s, %s, 'U4', 'C1', 'direct_message', 'hi')",
            [ctx.tenant_id, ctx.workspace_id],
        )
    with pytest.raises(
        PlanLimitExceeded, match="3 people using NOX in the last 30 days, the free plan allows 2"
    ) as exc:
        enforce_plan_limits(pool, ctx.tenant_id)
    assert exc.value.limit == "users"
    assert enforce_plan_limits(pool, ctx.tenant_id, check=("agents",)).users == 3

    admin.execute("INSERT INTO workspaces (tenant_id, slack_team_id) VALUES (%s, %s)", [ctx.tenant_id, new_team()])
    second = admin.execute(
        "SELECT id FROM workspaces WHERE tenant_id = %s AND slack_team_id <> %s", [ctx.tenant_id, team]
    ).fetchone()["id"]
    admin.execute(
        "INSERT INTO agent_deployments (tenant_id, workspace_id, agent_id)"
        " SELECT %s, %s, id FROM agents WHERE slug = 'nox'",
        [ctx.tenant_id, second],
    )
    with pytest.raises(PlanLimitExceeded, match="2 workspaces with NOX") as exc:
        enforce_plan_limits(pool, ctx.tenant_id, check=("agents",))
    assert exc.value.usage.agents == 2
    admin.execute("UPDATE workspaces SET is_active = false WHERE id = %s", [second])
    assert enforce_plan_limits(pool, ctx.tenant_id, check=("agents",)).agents == 1


def test_the_message_path_refuses_a_newcomer_past_the_months_people(pool, admin):
    """A regular is answered on one lookup; a newcomer counts the month's people, up to the limit."""
    ctx = register_workspace(pool, TeamIdentity(team_id=new_team(), team_name="Limit"))
    admin.execute("UPDATE tenants SET max_users = 2 WHERE id = %s", [ctx.tenant_id])
    answered(pool, ctx, ("U1", "1 day"), ("U1", "2 days"), ("U2", "3 days"), ("U3", "40 days"))
    assert over_user_limit(pool, ctx, "U1") is None and over_user_limit(pool, ctx, "U2") is None
    refused = over_user_limit(pool, ctx, "U3")  # last seen 40 days ago: a newcomer this month
    assert refused is not None and (refused.max_users, refused.users, refused.plan_type) == (2, 2, "free")
    admin.execute("UPDATE tenants SET max_users = 3 WHERE id = %s", [ctx.tenant_id])
    assert over_user_limit(pool, ctx, "U9") is None
