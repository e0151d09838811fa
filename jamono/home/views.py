"""The App Home tab (`views.publish`): what NOX can do and your recent conversations for everyone;
configuration and usage for admins. Pure: everything it shows is passed in.
Why and how: docs/design/home.md."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from jamono.audit.store import AuditEntry
from jamono.conversation.commands import help_lines
from jamono.home import formatting as fmt
from jamono.home.charts import hbar_rows, sparkline
from jamono.home.ids import B_HOME_AUDIT, B_HOME_GENERAL, B_HOME_GOOGLE, B_HOME_JIRA, B_HOME_POLICY, EDIT_ACTIONS
from jamono.home.metrics import RecentInteraction, UsageMetrics
from jamono.home.modals import (
    general_settings_modal,
    google_settings_modal,
    jira_settings_modal,
    loading_modal,
    notice_modal,
)
from jamono.home.settings_model import SEVERITIES, WorkspaceSettings
from jamono.i18n import Lang, t
from jamono.slack.blockkit import (
    Block,
    button,
    clip,
    context,
    divider,
    escape,
    fields_section,
    header,
    home,
    one_line,
    section,
    sections_from_lines,
)

__all__ = [
    "home_view",
    "general_settings_modal",
    "jira_settings_modal",
    "google_settings_modal",
    "loading_modal",
    "notice_modal",
]

RECENT_SHOWN = 20
RECENT_MESSAGE_CHARS = 120
_INTENT_EMOJI = {"incident": ":rotating_light:", "question": ":grey_question:", "meeting": ":calendar:"}


def home_view(
    *,
    user_id: str,
    is_admin: bool,
    settings: WorkspaceSettings,
    metrics_7d: UsageMetrics | None,
    metrics_30d: UsageMetrics | None,
    recent: Sequence[RecentInteraction],
    lang: Lang,
    audit: Sequence[AuditEntry] = (),
) -> dict[str, Any]:
    """The whole Home tab for one person; `user_id` is who it is published for."""
    blocks = _everyone(settings, recent, lang)
    if is_admin:
        blocks += _configuration(settings, lang)
        blocks += _audit(audit, lang)
        blocks += _usage(
            [m for m in (metrics_7d, metrics_30d) if m is not None],
            lang,
            missing=metrics_7d is None or metrics_30d is None,
        )
    else:
        blocks.append(context(t("not_admin_hint", lang)))
    return home(blocks, callback_id="nox_home", private_metadata=user_id)


# --- everyone ---------------------------------------------------------------------------------


def _everyone(settings: WorkspaceSettings, recent: Sequence[RecentInteraction], lang: Lang) -> list[Block]:
    name = escape(one_line(settings.display_name))
    commands = "\n".join(f"• {usage} — {what}" for usage, what in help_lines(lang) if usage.startswith("`/nox"))
    blocks: list[Block] = [
        header(t("home_title", lang, name=settings.display_name)),
        section(t("home_intro", lang)),
        section("\n".join([t("how_mention", lang, name=name), t("how_dm", lang)])),
        section(f"{t('how_commands', lang)}\n{commands}"),
        divider(),
        header(t("recent_header", lang)),
    ]
    if not recent:
        blocks.append(context(t("recent_empty", lang)))
        return blocks
    lines = [_recent_line(item, lang) for item in recent[:RECENT_SHOWN]]
    if len(recent) > RECENT_SHOWN:
        lines.append(t("recent_more", lang, count=len(recent) - RECENT_SHOWN))
    return blocks + sections_from_lines(lines)


def _recent_line(item: RecentInteraction, lang: Lang) -> str:
    emoji = ":warning:" if not item.success else _INTENT_EMOJI.get(item.intent or "", ":speech_balloon:")
    where = t("dm", lang) if item.channel_id.startswith("D") else f"<#{item.channel_id}>"
    vote = {1: " 👍", -1: " 👎"}.get(item.user_satisfaction or 0, "")
    # Backticks in someone's message would open a code block that swallows the following lines.
    message = escape(clip(one_line(item.message).replace("`", "'"), RECENT_MESSAGE_CHARS)) or "…"
    return f"{emoji} {fmt.slack_date(item.created_at, lang)} · {where} · {message}{vote}"


# --- admins: configuration --------------------------------------------------------------------


def _edit(section_name: str, lang: Lang) -> dict[str, Any]:
    return button(t("edit", lang), EDIT_ACTIONS[section_name], value=section_name)  # type: ignore[index]


def _field(label_key: str, value: str, lang: Lang) -> str:
    return f"*{t(label_key, lang)}*\n{value}"


def _status(configured: bool, started: bool, lang: Lang) -> str:
    return t("status_connected" if configured else "status_incomplete" if started else "status_off", lang)


def _configuration(settings: WorkspaceSettings, lang: Lang) -> list[Block]:
    none = f"_{t('none', lang)}_"
    admins = " ".join(f"<@{u}>" for u in settings.admins) or f"_{t('slack_admins_only', lang)}_"
    general = fields_section(
        [
            _field("f_action_mode", t(f"mode_{settings.action_mode}", lang), lang),
            _field(
                "f_incident_channel", f"<#{settings.incident_channel}>" if settings.incident_channel else none, lang
            ),
            _field("f_language", t(f"lang_{settings.language}", lang), lang),
            _field("f_display_name", escape(settings.display_name), lang),
            _field("f_admins", clip(admins, 1900), lang),
        ],
        block_id=B_HOME_GENERAL,
        accessory=_edit("general", lang),
        text=f"*{t('general', lang)}*",
    )

    jira = settings.jira
    jira_started = bool(jira.url or jira.email or jira.project_key or jira.has_token)
    priorities = ", ".join(f"{t(f'sev_{s}', lang)} → {escape(getattr(jira.priorities, s))}" for s in SEVERITIES)
    jira_block = fields_section(
        [
            _field("f_status", _status(jira.configured, jira_started, lang), lang),
            _field("f_jira_url", escape(jira.url) if jira.url else none, lang),
            _field("f_jira_account", escape(jira.email) if jira.email else none, lang),
            _field("f_jira_project", f"{escape(jira.project_key or '—')} · {escape(jira.issue_type)}", lang),
            _field("f_jira_token", t("secret_stored" if jira.has_token else "secret_missing", lang), lang),
            _field("f_priorities", priorities, lang),
        ],
        block_id=B_HOME_JIRA,
        accessory=_edit("jira", lang),
        text=f"*{t('jira', lang)}*",
    )

    google = settings.google
    google_started = bool(google.organizer_email or google.has_credentials)
    google_block = fields_section(
        [
            _field("f_status", _status(google.configured, google_started, lang), lang),
            _field("f_google_mode", t(f"gmode_{google.mode}", lang), lang),
            _field("f_google_organizer", escape(google.organizer_email) if google.organizer_email else none, lang),
            _field("f_google_calendar", escape(google.calendar_id), lang),
            _field(
                "f_google_credentials", t("secret_stored" if google.has_credentials else "secret_missing", lang), lang
            ),
        ],
        block_id=B_HOME_GOOGLE,
        accessory=_edit("google", lang),
        text=f"*{t('google', lang)}*",
    )

    return [divider(), header(t("config_header", lang)), general, jira_block, google_block, _policy(settings, lang)]


def _policy(settings: WorkspaceSettings, lang: Lang) -> Block:
    policy = settings.policy
    who = t(f"ab_{policy.actions_by}", lang)
    if policy.actions_by == "usergroup" and policy.usergroup:
        who += f" (<!subteam^{policy.usergroup}>)"
    block = fields_section(
        [
            _field("f_actions_by", who, lang),
            _field(
                "f_caps",
                t("caps", lang, attendees=policy.max_attendees, tickets=policy.max_tickets_per_day),
                lang,
            ),
            _field("f_retention", t("days", lang, days=policy.retention_days), lang),
        ],
        block_id=B_HOME_POLICY,
        accessory=_edit("policy", lang),
    )
    block["text"] = {"type": "mrkdwn", "text": f"*{t('policy', lang)}*"}
    return block


AUDIT_SHOWN = 10
_PERSON = re.compile(r"^[UW][A-Z0-9]{2,30}$")


def _audit_line(entry: AuditEntry, lang: Lang) -> str:
    actor = f"<@{entry.actor}>" if _PERSON.match(entry.actor) else f"_{escape(entry.actor)}_"
    target = f" · {escape(clip(one_line(entry.target), 120))}" if entry.target else ""
    return f"{fmt.slack_date(entry.at, lang)} · {actor} · `{entry.action}`{target}"


def _audit(entries: Sequence[AuditEntry], lang: Lang) -> list[Block]:
    blocks: list[Block] = [divider(), header(t("audit_header", lang))]
    if not entries:
        return [*blocks, context(t("audit_empty", lang))]
    lines = [_audit_line(e, lang) for e in entries[:AUDIT_SHOWN]]
    return [
        *blocks,
        section("\n".join(lines), block_id=B_HOME_AUDIT),
        context(t("audit_hint", lang, count=len(lines))),
    ]


# --- admins: usage ----------------------------------------------------------------------------


def _usage(windows: Sequence[UsageMetrics], lang: Lang, *, missing: bool) -> list[Block]:
    blocks: list[Block] = [divider(), header(t("usage_header", lang))]
    for metrics in windows:
        blocks += _window(metrics, lang)
    if missing:
        blocks.append(context(t("metrics_unavailable", lang)))
    return blocks


def _votes(metrics: UsageMetrics, lang: Lang) -> str:
    ratio = metrics.satisfaction
    if ratio is None:
        return f"_{t('no_votes', lang)}_"
    return t(
        "votes",
        lang,
        up=fmt.integer(metrics.thumbs_up, lang),
        down=fmt.integer(metrics.thumbs_down, lang),
        ratio=fmt.percent(ratio, lang),
    )


def _window(metrics: UsageMetrics, lang: Lang) -> list[Block]:
    n = lambda value: fmt.integer(value, lang)  # noqa: E731 — a local shorthand
    latency = f"{fmt.duration_ms(metrics.median_ms, lang)} · {fmt.duration_ms(metrics.p95_ms, lang)}"
    numbers = fields_section(
        [
            _field("m_questions", n(metrics.questions), lang),
            _field("m_incidents", n(metrics.incidents), lang),
            _field("m_tickets", n(metrics.tickets), lang),
            _field("m_meetings", n(metrics.meetings), lang),
            _field("m_latency", latency, lang),
            _field("m_votes", _votes(metrics, lang), lang),
            _field("m_tokens", n(metrics.tokens), lang),
            _field("m_failures", n(metrics.failures), lang),
        ],
        block_id=f"home_usage_{metrics.days}d",
        text=t("usage_window", lang, days=metrics.days),
    )
    blocks: list[Block] = [numbers]
    if metrics.per_day:
        counts = [d.count for d in metrics.per_day]
        if len(metrics.per_day) <= 7:
            rows = [(f"{fmt.weekday(d.day, lang)} {fmt.short_date(d.day, lang)}", d.count) for d in metrics.per_day]
            chart = "```\n" + "\n".join(hbar_rows(rows)) + "\n```"
        else:
            chart = f"`{sparkline(counts)}`"
        blocks.append(section(chart))
        blocks.append(
            context(
                t(
                    "per_day",
                    lang,
                    first=fmt.short_date(metrics.per_day[0].day, lang),
                    last=fmt.short_date(metrics.per_day[-1].day, lang),
                    peak=n(max(counts)),
                )
            )
        )
    return blocks
