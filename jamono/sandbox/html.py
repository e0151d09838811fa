"""Block Kit and mrkdwn rendered as safe HTML: what the browser playground shows, shared with tests.
Why and how: docs/design/sandbox.md."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jamono.slack.validation import validate_blocks

from .models import SlackError
from .validation import check_view

EMOJI = {
    "eyes": "👀",
    "+1": "👍",
    "thumbsup": "👍",
    "-1": "👎",
    "thumbsdown": "👎",
    "rotating_light": "🚨",
    "white_check_mark": "✅",
    "heavy_check_mark": "✔️",
    "x": "❌",
    "warning": "⚠️",
    "fire": "🔥",
    "calendar": "📅",
    "spiral_calendar_pad": "🗓️",
    "ticket": "🎫",
    "books": "📚",
    "book": "📖",
    "mag": "🔍",
    "bulb": "💡",
    "wave": "👋",
    "tada": "🎉",
    "hourglass_flowing_sand": "⏳",
    "hourglass": "⌛",
    "pushpin": "📌",
    "memo": "📝",
    "link": "🔗",
    "gear": "⚙️",
    "bar_chart": "📊",
    "chart_with_upwards_trend": "📈",
    "red_circle": "🔴",
    "large_orange_circle": "🟠",
    "large_yellow_circle": "🟡",
    "large_green_circle": "🟢",
    "large_blue_circle": "🔵",
    "white_circle": "⚪",
    "robot_face": "🤖",
    "lock": "🔒",
    "key": "🔑",
    "information_source": "ℹ️",
    "question": "❓",
    "bell": "🔔",
    "no_entry": "⛔",
    "rocket": "🚀",
    "speech_balloon": "💬",
    "clipboard": "📋",
    "busts_in_silhouette": "👥",
    "bust_in_silhouette": "👤",
    "stopwatch": "⏱️",
    "timer_clock": "⏲️",
    "page_facing_up": "📄",
    "scroll": "📜",
    "arrow_right": "➡️",
    "thinking_face": "🤔",
    "sparkles": "✨",
    "heart": "❤️",
    "clock1": "🕐",
    "date": "📅",
    "inbox_tray": "📥",
    "outbox_tray": "📤",
    "hammer_and_wrench": "🛠️",
    "wrench": "🔧",
    "shield": "🛡️",
    "zap": "⚡",
    "grey_question": "❔",
    "pencil2": "✏️",
    "floppy_disk": "💾",
    "arrows_counterclockwise": "🔄",
}
SAFE_SCHEMES = ("http://", "https://", "mailto:")
_ANGLE = re.compile(r"<([^<>\n]{1,2000})>")
_EMOJI = re.compile(r":([a-z0-9_+\-]{1,40}):")
_STYLES = (
    (re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])"), "strong"),
    (re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])"), "em"),
    (re.compile(r"(?<![\w~])~([^~\n]+)~(?![\w~])"), "s"),
)
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")
INPUT_TYPES = {
    "plain_text_input": "text",
    "email_text_input": "email",
    "url_text_input": "url",
    "number_input": "number",
    "datepicker": "date",
    "timepicker": "time",
    "datetimepicker": "datetime-local",
}


class SlackRejects(ValueError):
    """Slack would refuse this message or view; `problems` say why (Slack's json-pointer style)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def emoji(name: str) -> str:
    return EMOJI.get(name.split("::")[0], f":{name}:")


@dataclass
class Directory:
    """Names to show for user and channel ids (and to offer in user/channel select menus)."""

    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)


def message_problems(message: Mapping[str, Any]) -> list[str]:
    problems = validate_blocks(message.get("blocks") or [])
    if len(str(message.get("text") or "")) > 40_000:
        problems.append("msg_too_long")
    return problems


def view_problems(view: Mapping[str, Any]) -> list[str]:
    try:
        check_view(dict(view))
    except SlackError as error:
        return [m.removeprefix("[ERROR] ") for m in error.extra.get("response_metadata", {}).get("messages", [])]
    return []


# --- mrkdwn -------------------------------------------------------------------------------------
def mrkdwn(text: str, names: Directory | None = None) -> str:
    """Slack mrkdwn to HTML. Slack's text arrives with &amp; &lt; &gt; escaped: they are decoded,
    then everything is escaped again by us, so no markup in the text ever reaches the page."""
    names = names or Directory()
    parts = re.split(r"```", text)
    out: list[str] = []
    for index, part in enumerate(parts):
        if index % 2 == 1 and index < len(parts) - 1:
            out.append(f'<pre class="bk-pre"><code>{e(html.unescape(part.strip(chr(10))))}</code></pre>')
        else:
            out.append(_inline_code(part if index % 2 == 0 else "```" + part, names))
    return "".join(out)


def _inline_code(text: str, names: Directory) -> str:
    pieces = re.split(r"`([^`\n]+)`", text)
    return "".join(f"<code>{e(html.unescape(p))}</code>" if i % 2 else _styled(p, names) for i, p in enumerate(pieces))


def _chosen(state: Mapping[str, Any]) -> set[str]:
    """The values a select's submitted state holds, whatever the select's kind."""
    chosen: set[str] = set()
    if isinstance(state.get("selected_option"), Mapping):
        chosen.add(str(state["selected_option"].get("value")))
    chosen |= {str(o.get("value")) for o in state.get("selected_options") or [] if isinstance(o, Mapping)}
    for key in ("selected_user", "selected_conversation", "selected_channel"):
        if state.get(key):
            chosen.add(str(state[key]))
    for key in ("selected_users", "selected_conversations", "selected_channels"):
        chosen |= {str(v) for v in state.get(key) or []}
    return chosen


def _initially_chosen(element: Mapping[str, Any]) -> set[str]:
    """The values a select starts with, before anyone touched it."""
    chosen: set[str] = set()
    if isinstance(element.get("initial_option"), Mapping):
        chosen.add(str(element["initial_option"].get("value")))
    chosen |= {str(o.get("value")) for o in element.get("initial_options") or [] if isinstance(o, Mapping)}
    for key in ("initial_user", "initial_conversation", "initial_channel"):
        if element.get(key):
            chosen.add(str(element[key]))
    for key in ("initial_users", "initial_conversations", "initial_channels"):
        chosen |= {str(v) for v in element.get(key) or []}
    return chosen


def _in_tag(tag: str, match: re.Match[str]) -> str:
    return f"<{tag}>{match.group(1)}</{tag}>"


def _styled(text: str, names: Directory) -> str:
    tokens: list[str] = []

    def keep(rendered: str) -> str:
        tokens.append(rendered)
        return f"\x00{len(tokens) - 1}\x00"

    text = text.replace("\x00", "")
    text = _ANGLE.sub(lambda m: keep(_angle(m.group(1), names)), text)
    escaped = e(html.unescape(text))
    for pattern, tag in _STYLES:
        escaped = pattern.sub(functools.partial(_in_tag, tag), escaped)
    escaped = _EMOJI.sub(lambda m: e(emoji(m.group(1))) if m.group(1) in EMOJI else m.group(0), escaped)
    escaped = escaped.replace("\n", "<br>")
    return _PLACEHOLDER.sub(lambda m: tokens[int(m.group(1))], escaped)


def _angle(inner: str, names: Directory) -> str:
    target, _, label = inner.partition("|")
    target, label = html.unescape(target), html.unescape(label)
    if target.startswith("@"):
        user = target[1:]
        return f'<span class="bk-mention">@{e(label or names.users.get(user, user))}</span>'
    if target.startswith("#"):
        channel = target[1:]
        return f'<span class="bk-mention">#{e(label or names.channels.get(channel, channel))}</span>'
    if target.startswith("!"):
        return f'<span class="bk-mention">{e(label or "@" + target[1:].split("^")[0])}</span>'
    return link(target, label or target)


def link(url: str, label: str) -> str:
    if url.lower().startswith(SAFE_SCHEMES):
        return f'<a href="{e(url)}" target="_blank" rel="noopener noreferrer">{e(label)}</a>'
    return e(label)


def text_object(obj: Any, names: Directory | None = None) -> str:
    if not isinstance(obj, Mapping):
        return e(obj) if obj is not None else ""
    raw = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        return mrkdwn(raw, names)
    rendered = e(raw)
    if obj.get("emoji", True):
        rendered = _EMOJI.sub(lambda m: e(emoji(m.group(1))) if m.group(1) in EMOJI else m.group(0), rendered)
    return rendered


def plain(obj: Any) -> str:
    """The text of a text object, unrendered (for labels and attributes, escaped by the caller)."""
    if isinstance(obj, Mapping):
        text = html.unescape(str(obj.get("text", "")))
        return _EMOJI.sub(lambda m: emoji(m.group(1)) if m.group(1) in EMOJI else m.group(0), text)
    return "" if obj is None else str(obj)


# --- blocks -------------------------------------------------------------------------------------
@dataclass
class Renderer:
    """One surface: `surface` is message, modal or home; `state` is a view's state.values (typed
    values survive a re-render); `errors` are a view_submission's errors by block_id."""

    names: Directory = field(default_factory=Directory)
    surface: str = "message"
    state: Mapping[str, Any] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    interactive: bool = True
    _ids: int = 0

    def blocks(self, blocks: Sequence[Any]) -> str:
        return "".join(self.block(b, i) for i, b in enumerate(blocks) if isinstance(b, Mapping))

    def block(self, block: Mapping[str, Any], index: int) -> str:
        kind = block.get("type")
        block_id = str(block.get("block_id") or f"b{index}")
        body = self._block_body(kind, block, block_id)
        return f'<div class="bk-block bk-{e(kind)}" data-block-id="{e(block_id)}">{body}</div>'

    def _block_body(self, kind: Any, block: Mapping[str, Any], block_id: str) -> str:
        if kind == "section":
            return self.section(block, block_id)
        if kind == "header":
            level = "h3" if self.surface == "message" else "h2"
            return f'<{level} class="bk-header-text">{text_object(block.get("text"))}</{level}>'
        if kind == "divider":
            return '<hr class="bk-hr">'
        if kind == "context":
            return self.context(block)
        if kind == "actions":
            return "".join(self.element(el, block_id) for el in block.get("elements") or [] if isinstance(el, Mapping))
        if kind == "image":
            title = plain(block.get("title"))
            caption = f"<figcaption>{e(title)}</figcaption>" if title else ""
            return (
                f'<figure class="bk-image"><div class="bk-image-box" role="img" aria-label="{e(block.get("alt_text"))}">'
                f"🖼 {e(block.get('alt_text'))}</div>{caption}</figure>"
            )
        if kind == "rich_text":
            return "".join(self.rich(el) for el in block.get("elements") or [] if isinstance(el, Mapping))
        if kind == "input":
            return self.input_block(block, block_id)
        if kind == "markdown":
            return f'<div class="bk-text">{mrkdwn(str(block.get("text", "")), self.names)}</div>'
        if kind in ("video", "file"):
            return f'<div class="bk-file">[{e(kind)}: {e(plain(block.get("title")) or block.get("external_id", ""))}]</div>'
        return f'<div class="bk-unknown">[{e(kind)} block]</div>'

    def section(self, block: Mapping[str, Any], block_id: str) -> str:
        out = ""
        if isinstance(block.get("text"), Mapping):
            out += f'<div class="bk-text">{text_object(block["text"], self.names)}</div>'
        fields = [f for f in block.get("fields") or [] if isinstance(f, Mapping)]
        if fields:
            out += (
                '<div class="bk-fields">'
                + "".join(f'<div class="bk-field">{text_object(f, self.names)}</div>' for f in fields)
                + "</div>"
            )
        accessory = block.get("accessory")
        if isinstance(accessory, Mapping):
            out = f'<div class="bk-section-main">{out}</div><div class="bk-accessory">{self.element(accessory, block_id)}</div>'
        return out

    def context(self, block: Mapping[str, Any]) -> str:
        items = []
        for element in block.get("elements") or []:
            if not isinstance(element, Mapping):
                continue
            if element.get("type") == "image":
                items.append(
                    f'<span class="bk-img-inline" role="img" aria-label="{e(element.get("alt_text"))}">🖼</span>'
                )
            else:
                items.append(f"<span>{text_object(element, self.names)}</span>")
        return "".join(items)

    def input_block(self, block: Mapping[str, Any], block_id: str) -> str:
        element: Mapping[str, Any] = block["element"] if isinstance(block.get("element"), Mapping) else {}
        self._ids += 1
        dom_id = f"in-{self._ids}-{re.sub(r'[^A-Za-z0-9_-]', '_', block_id)[:60]}"
        label = e(plain(block.get("label")))
        optional = ' <span class="bk-optional">(optional)</span>' if block.get("optional") else ""
        error = self.errors.get(block_id)
        error_id = f"{dom_id}-error"
        hint = plain(block.get("hint"))
        described = " ".join(x for x in (f"{dom_id}-hint" if hint else "", error_id if error else "") if x)
        control = self.element(element, block_id, dom_id=dom_id, described_by=described, invalid=bool(error))
        grouped = element.get("type") in ("checkboxes", "radio_buttons")
        if grouped:
            head = f'<fieldset class="bk-input"><legend class="bk-label">{label}{optional}</legend>'
            tail = "</fieldset>"
        else:
            head = f'<div class="bk-input"><label class="bk-label" for="{dom_id}">{label}{optional}</label>'
            tail = "</div>"
        hint_html = f'<div class="bk-hint" id="{dom_id}-hint">{e(hint)}</div>' if hint else ""
        error_html = f'<div class="bk-error" id="{error_id}" role="alert">{e(error)}</div>' if error else ""
        return head + control + hint_html + error_html + tail

    # --- elements ---------------------------------------------------------------------------
    def _data(self, element: Mapping[str, Any], block_id: str) -> str:
        return (
            f'data-action-id="{e(element.get("action_id", ""))}" data-block-id="{e(block_id)}" '
            f'data-type="{e(element.get("type", ""))}"'
        )

    def _state(self, block_id: str, element: Mapping[str, Any]) -> Mapping[str, Any]:
        found = self.state.get(block_id, {}).get(str(element.get("action_id", "")), {})
        return found if isinstance(found, Mapping) else {}

    def element(
        self,
        element: Mapping[str, Any],
        block_id: str,
        *,
        dom_id: str = "",
        described_by: str = "",
        invalid: bool = False,
    ) -> str:
        kind = element.get("type")
        idattr = f' id="{dom_id}"' if dom_id else ""
        aria = (f' aria-describedby="{described_by}"' if described_by else "") + (
            ' aria-invalid="true"' if invalid else ""
        )
        disabled = "" if self.interactive else " disabled"
        if kind in ("mrkdwn", "plain_text"):
            return text_object(element, self.names)
        if kind == "image":
            return f'<span class="bk-img-inline" role="img" aria-label="{e(element.get("alt_text"))}">🖼</span>'
        if kind == "button":
            text = e(plain(element.get("text")))
            style = element.get("style") if element.get("style") in ("primary", "danger") else "default"
            url = element.get("url")
            if isinstance(url, str) and url.lower().startswith(SAFE_SCHEMES):
                return (
                    f'<a class="bk-button bk-{style}" href="{e(url)}" target="_blank" rel="noopener noreferrer" '
                    f'{self._data(element, block_id)} data-url="1">{text}</a>'
                )
            value = f' data-value="{e(element["value"])}"' if "value" in element else ""
            return f'<button type="button" class="bk-button bk-{style}" {self._data(element, block_id)}{value}{disabled}>{text}</button>'
        if kind == "overflow":
            options = "".join(self._option(o) for o in element.get("options") or [] if isinstance(o, Mapping))
            return (
                f'<select class="bk-overflow" aria-label="More actions" {self._data(element, block_id)}{disabled}>'
                f'<option value="">⋯</option>{options}</select>'
            )
        if kind in INPUT_TYPES:
            return self._text_input(element, block_id, idattr, aria)
        if kind in ("checkboxes", "radio_buttons"):
            return self._choices(element, block_id, dom_id, aria)
        if isinstance(kind, str) and "select" in kind:
            return self._select(element, block_id, idattr, aria, disabled)
        return f'<span class="bk-unknown">[{e(kind)}]</span>'

    def _text_input(self, element: Mapping[str, Any], block_id: str, idattr: str, aria: str) -> str:
        kind = str(element.get("type"))
        state = self._state(block_id, element)
        value_key = {"datepicker": "selected_date", "timepicker": "selected_time"}.get(kind, "value")
        initial_key = {"datepicker": "initial_date", "timepicker": "initial_time"}.get(kind, "initial_value")
        value = state.get(value_key, element.get(initial_key, ""))
        placeholder = plain(element.get("placeholder"))
        common = (
            f'{idattr} class="bk-field-input" {self._data(element, block_id)}{aria}'
            + (f' placeholder="{e(placeholder)}"' if placeholder else "")
            + (f' maxlength="{int(element["max_length"])}"' if isinstance(element.get("max_length"), int) else "")
        )
        if kind == "plain_text_input" and element.get("multiline"):
            return f'<textarea{common} rows="4">{e(value)}</textarea>'
        extra = ' step="any"' if kind == "number_input" and element.get("is_decimal_allowed") else ""
        return f'<input type="{INPUT_TYPES[kind]}"{common}{extra} value="{e(value)}">'

    def _choices(self, element: Mapping[str, Any], block_id: str, dom_id: str, aria: str) -> str:
        kind = element.get("type")
        input_type = "checkbox" if kind == "checkboxes" else "radio"
        state = self._state(block_id, element)
        if state:
            chosen_options = state.get("selected_options") or (
                [state["selected_option"]] if state.get("selected_option") else []
            )
        else:
            chosen_options = element.get("initial_options") or (
                [element["initial_option"]] if element.get("initial_option") else []
            )
        chosen = {str(o.get("value")) for o in chosen_options if isinstance(o, Mapping)}
        name = dom_id or f"{block_id}-{element.get('action_id', '')}"
        items = []
        for index, option in enumerate(o for o in element.get("options") or [] if isinstance(o, Mapping)):
            value = str(option.get("value", ""))
            checked = " checked" if value in chosen else ""
            items.append(
                f'<label class="bk-choice"><input type="{input_type}" name="{e(name)}" value="{e(value)}" '
                f'data-text="{e(plain(option.get("text")))}" {self._data(element, block_id)}{checked}{aria if index == 0 else ""}> '
                f"{text_object(option.get('text'), self.names)}</label>"
            )
        return f'<div class="bk-choices">{"".join(items)}</div>'

    def _option(self, option: Mapping[str, Any], chosen: set[str] | None = None) -> str:
        value = str(option.get("value", ""))
        selected = " selected" if chosen and value in chosen else ""
        return f'<option value="{e(value)}"{selected}>{e(plain(option.get("text")))}</option>'

    def _select(self, element: Mapping[str, Any], block_id: str, idattr: str, aria: str, disabled: str) -> str:
        kind = str(element.get("type"))
        multi = kind.startswith("multi_")
        state = self._state(block_id, element)
        chosen = _chosen(state) if state else _initially_chosen(element)
        options = self._select_options(kind, element, chosen)
        placeholder = plain(element.get("placeholder")) or "Choose…"
        blank = "" if multi else f'<option value="">{e(placeholder)}</option>'
        label = "" if idattr else f' aria-label="{e(placeholder)}"'
        return (
            f'<select class="bk-select"{idattr}{label} {self._data(element, block_id)}{aria}{disabled}'
            f"{' multiple' if multi else ''}>{blank}{options}</select>"
        )

    def _select_options(self, kind: str, element: Mapping[str, Any], chosen: set[str]) -> str:
        if "user" in kind:
            return "".join(
                self._option({"value": u, "text": {"text": "@" + n}}, chosen) for u, n in self.names.users.items()
            )
        if "conversation" in kind or "channel" in kind:
            return "".join(
                self._option({"value": c, "text": {"text": "#" + n}}, chosen) for c, n in self.names.channels.items()
            )
        options = "".join(self._option(o, chosen) for o in element.get("options") or [] if isinstance(o, Mapping))
        for group in element.get("option_groups") or []:
            if isinstance(group, Mapping):
                inner = "".join(self._option(o, chosen) for o in group.get("options") or [] if isinstance(o, Mapping))
                options += f'<optgroup label="{e(plain(group.get("label")))}">{inner}</optgroup>'
        return options

    # --- rich text --------------------------------------------------------------------------
    def rich(self, element: Mapping[str, Any]) -> str:
        kind = element.get("type")
        children = [c for c in element.get("elements") or [] if isinstance(c, Mapping)]
        if kind == "rich_text_list":
            tag = "ol" if element.get("style") == "ordered" else "ul"
            return f"<{tag}>" + "".join(f"<li>{self.rich(c)}</li>" for c in children) + f"</{tag}>"
        if kind == "rich_text_preformatted":
            return '<pre class="bk-pre"><code>' + "".join(self.inline(c) for c in children) + "</code></pre>"
        if kind == "rich_text_quote":
            return "<blockquote>" + "".join(self.inline(c) for c in children) + "</blockquote>"
        return '<div class="bk-rich">' + "".join(self.inline(c) for c in children) + "</div>"

    def inline(self, element: Mapping[str, Any]) -> str:
        kind = element.get("type")
        if kind == "text":
            out = e(element.get("text", "")).replace("\n", "<br>")
            style = element.get("style") or {}
            for key, tag in (("code", "code"), ("bold", "strong"), ("italic", "em"), ("strike", "s")):
                if isinstance(style, Mapping) and style.get(key):
                    out = f"<{tag}>{out}</{tag}>"
            return out
        if kind == "link":
            url = str(element.get("url", ""))
            return link(url, str(element.get("text") or url))
        if kind == "user":
            user = str(element.get("user_id", ""))
            return f'<span class="bk-mention">@{e(self.names.users.get(user, user))}</span>'
        if kind == "channel":
            channel = str(element.get("channel_id", ""))
            return f'<span class="bk-mention">#{e(self.names.channels.get(channel, channel))}</span>'
        if kind == "emoji":
            return e(
                element.get("unicode") and _unicode(str(element["unicode"])) or emoji(str(element.get("name", "")))
            )
        if kind == "broadcast":
            return f'<span class="bk-mention">@{e(element.get("range", ""))}</span>'
        if kind == "usergroup":
            return f'<span class="bk-mention">@{e(element.get("usergroup_id", ""))}</span>'
        return e(element.get("text", ""))


def _unicode(code: str) -> str:
    try:
        return "".join(chr(int(part, 16)) for part in code.split("-"))
    except ValueError:
        return ""


# --- surfaces -----------------------------------------------------------------------------------
def render_message_body(
    message: Mapping[str, Any], names: Directory | None = None, *, strict: bool = False, interactive: bool = True
) -> str:
    """A message's content: its blocks (else its text as mrkdwn), attachments, and Slack's refusal
    when it would refuse it."""
    problems = message_problems(message)
    if problems and strict:
        raise SlackRejects(problems)
    names = names or Directory()
    renderer = Renderer(names=names, interactive=interactive)
    blocks = message.get("blocks") or []
    body = (
        renderer.blocks(blocks)
        if blocks
        else f'<div class="bk-text">{mrkdwn(str(message.get("text") or ""), names)}</div>'
    )
    for attachment in message.get("attachments") or []:
        if not isinstance(attachment, Mapping):
            continue
        inner = (
            renderer.blocks(attachment["blocks"])
            if attachment.get("blocks")
            else mrkdwn(str(attachment.get("text") or attachment.get("fallback") or ""), names)
        )
        color = str(attachment.get("color") or "")
        bar = f' data-color="{e(color)}"' if re.fullmatch(r"#?[0-9A-Fa-f]{6}|good|warning|danger", color) else ""
        body += f'<div class="bk-attachment"{bar}>{inner}</div>'
    if problems:
        body += _problems(problems)
    return body


def render_view(
    view: Mapping[str, Any],
    names: Directory | None = None,
    *,
    errors: Mapping[str, str] | None = None,
    strict: bool = False,
) -> str:
    """A Home tab's or a modal's blocks (the modal's frame, title and buttons are the page's)."""
    problems = view_problems(view)
    if problems and strict:
        raise SlackRejects(problems)
    state = view.get("state", {}).get("values", {}) if isinstance(view.get("state"), Mapping) else {}
    renderer = Renderer(
        names=names or Directory(), surface=str(view.get("type") or "modal"), state=state, errors=errors or {}
    )
    return renderer.blocks(view.get("blocks") or []) + (_problems(problems) if problems else "")


def _problems(problems: list[str]) -> str:
    items = "".join(f"<li>{e(p)}</li>" for p in problems)
    return f'<div class="bk-rejected" role="alert"><strong>Slack would reject this:</strong><ul>{items}</ul></div>'
