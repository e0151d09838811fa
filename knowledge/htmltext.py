"""HTML pages to Markdown-ish text with the standard library, keeping what chunking needs.
Why and how: docs/design/knowledge.md."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = {"script", "style", "noscript", "template", "nav", "header", "footer", "svg", "head"}
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "aside",
    "blockquote",
    "table",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "form",
    "hr",
    "details",
    "summary",
}
_HEADINGS = {f"h{i}": i for i in range(1, 7)}


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.title: str | None = None
        self._skip = 0
        self._pre = 0
        self._in_title = False
        self._title_parts: list[str] = []
        self._lists: list[str] = []

    # -- helpers
    def _newline(self, blank: bool = True) -> None:
        self.out.append("\n\n" if blank else "\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
            return
        if tag in _SKIP:
            self._skip += 1
            return
        if self._skip:
            return
        if not self._open_structure(tag):
            self._open_inline(tag)

    def _open_structure(self, tag: str) -> bool:
        """Headings, code and lists; False when the tag is none of them."""
        if tag in _HEADINGS:
            self._newline()
            self.out.append("#" * _HEADINGS[tag] + " ")
        elif tag == "pre":
            self._pre += 1
            self._newline()
            self.out.append("```\n")
        elif tag == "code" and not self._pre:
            self.out.append("`")
        elif tag in ("ul", "ol"):
            self._lists.append(tag)
            self._newline(blank=False)
        elif tag == "li":
            depth = max(len(self._lists) - 1, 0)
            self._newline(blank=False)
            self.out.append("  " * depth + ("1. " if self._lists and self._lists[-1] == "ol" else "- "))
        else:
            return False
        return True

    def _open_inline(self, tag: str) -> None:
        if tag in ("br", "tr"):
            self._newline(blank=False)
        elif tag in ("td", "th"):
            self.out.append(" | ")
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in _BLOCK:
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
            self.title = " ".join("".join(self._title_parts).split()) or None
            return
        if tag in _SKIP:
            self._skip = max(self._skip - 1, 0)
            return
        if self._skip:
            return
        if tag in _HEADINGS:
            self._newline()
        elif tag == "pre":
            self._pre = max(self._pre - 1, 0)
            if not "".join(self.out[-1:]).endswith("\n"):
                self.out.append("\n")
            self.out.append("```")
            self._newline()
        elif tag == "code" and not self._pre:
            self.out.append("`")
        elif tag in ("ul", "ol"):
            if self._lists:
                self._lists.pop()
            self._newline()
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in _BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)
            return
        if self._skip:
            return
        if self._pre:
            self.out.append(data)
        else:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_markdown(html: str) -> tuple[str, str | None]:
    """Return (Markdown text, <title>) for an HTML page."""
    conv = _Converter()
    conv.feed(html)
    conv.close()
    text = "".join(conv.out)
    lines = []
    in_code = False
    for line in text.split("\n"):
        if line.startswith("```"):
            in_code = not in_code
            lines.append(line.strip())
        else:
            lines.append(line if in_code else line.strip())
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.strip() + "\n", conv.title
