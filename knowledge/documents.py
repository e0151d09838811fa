"""Source documents: files (Markdown, text, HTML) read into one normalised, hashable shape.
Why and how: docs/design/knowledge.md."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field, computed_field, field_validator

from knowledge.htmltext import html_to_markdown

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
TEXT_SUFFIXES = frozenset({".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUPPORTED_SUFFIXES = MARKDOWN_SUFFIXES | TEXT_SUFFIXES | HTML_SUFFIXES

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
# Was `^#[ \t]+(.+?)[ \t#]*$`: the lazy title retried the trailing class at every step, 5 s on a
# 20,000-character heading of "#"s. `_h1_title` gives the same title in linear time.
_H1_LINE = re.compile(r"#[ \t]+(.+)")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
_FR_HINTS = frozenset("le la les des du une est dans pour avec sur pas que qui sont ou au aux cette vous nous".split())
_EN_HINTS = frozenset("the and is are of to in for with on that this be it you not or by from".split())


class UnsupportedDocument(ValueError):
    """The file type is not one we can read (or the file is not text)."""


def normalise_text(text: str) -> str:
    """NFC, LF line endings, no trailing spaces, at most one blank line in a row (outside code)."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).replace("\t", "    ")
    out: list[str] = []
    in_code = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
        line = line.rstrip()
        if not in_code and not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"


class SourceDocument(BaseModel):
    """One document to index: its identity (`source`), metadata and normalised Markdown body."""

    source: str = Field(min_length=1, max_length=2000)
    title: str = Field(min_length=1, max_length=500)
    content: str
    url: str | None = None
    tags: list[str] = Field(default_factory=list)
    lang: str | None = None
    # A document copied from a private conversation is used only there (None: the whole workspace).
    channel_scope: str | None = None

    @field_validator("content")
    @classmethod
    def _normalise_content(cls, value: str) -> str:
        return normalise_text(value)

    @field_validator("title")
    @classmethod
    def _normalise_title(cls, value: str) -> str:
        return " ".join(unicodedata.normalize("NFC", value).split())

    @field_validator("tags")
    @classmethod
    def _normalise_tags(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(t.strip() for t in value if t and t.strip()))

    @field_validator("lang")
    @classmethod
    def _normalise_lang(cls, value: str | None) -> str | None:
        return value.strip().lower()[:8] or None if value else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def content_hash(self) -> str:
        """sha256 over what shapes the chunks (not the url: a moved link is not new content)."""
        payload = json.dumps(
            {"title": self.title, "tags": self.tags, "lang": self.lang, "content": self.content},
            ensure_ascii=False,
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def split_front_matter(text: str) -> tuple[dict[str, str | list[str]], str]:
    """Parse a leading `---` block of simple YAML (scalars, [a, b] and `- item` lists)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta: dict[str, str | list[str]] = {}
    key: str | None = None
    for raw in match.group(1).splitlines():
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = re.match(r"^\s*-\s+(.*)$", line)
        if item and key is not None:
            current = meta.get(key)
            values = current if isinstance(current, list) else []
            values.append(_unquote(item.group(1)))
            meta[key] = values
            continue
        pair = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        if not pair:
            continue
        key, value = pair.group(1).lower(), pair.group(2).strip()
        if value.startswith("[") and value.endswith("]"):
            meta[key] = [_unquote(v) for v in _split_list(value[1:-1]) if v.strip()]
        else:
            meta[key] = _unquote(value)
    return meta, text[match.end() :]


def _split_list(inner: str) -> list[str]:
    """Split "a, 'b, c', d" on commas outside quotes."""
    parts, buf, quote = [], [], ""
    for ch in inner:
        if quote:
            buf.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            buf.append(ch)
        elif ch == ",":
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return [p.strip() for p in parts]


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def guess_lang(text: str) -> str | None:
    """'fr' or 'en' from function words; None when the text gives too little evidence."""
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    fr = sum(w in _FR_HINTS for w in words)
    en = sum(w in _EN_HINTS for w in words)
    if fr + en < 5:
        return None
    return "fr" if fr > en else "en"


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [v.strip() for v in value.split(",") if v.strip()]


def _as_str(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        return ", ".join(value) or None
    return value or None


def _h1_title(line: str) -> str | None:
    """A `# Title ##` line's title (trailing spaces and #s dropped, at least one character kept,
    as the old pattern did), or None for any other line."""
    match = _H1_LINE.match(line)
    if match is None:
        return None
    content = match.group(1)
    return content.rstrip(" \t#") or content[:1]


def title_from(content: str, fallback: str) -> str:
    """The first `#` heading outside code blocks, else a readable form of the file name."""
    in_code = False
    for line in content.splitlines():
        if _FENCE.match(line):
            in_code = not in_code
            continue
        title = _h1_title(line) if not in_code else None
        if title is not None:
            return title.strip()
    stem = re.sub(r"[_\-]+", " ", fallback).strip()
    return stem[:1].upper() + stem[1:] if stem else "Untitled"


def parse_document(
    text: str,
    *,
    source: str,
    kind: str = "markdown",
    name: str | None = None,
    defaults: dict[str, str | list[str]] | None = None,
) -> SourceDocument:
    """Build a SourceDocument from raw text; kind is "markdown", "text" or "html"."""
    html_title: str | None = None
    if kind == "html":
        text, html_title = html_to_markdown(text)
    meta: dict[str, str | list[str]] = dict(defaults or {})
    if kind in ("markdown", "html"):
        found, text = split_front_matter(text)
        meta.update(found)
    content = normalise_text(text)
    fallback_name = name or Path(source).stem
    title = _as_str(meta.get("title")) or html_title or (title_from(content, fallback_name) if kind != "text" else None)
    if not title:
        title = title_from("", fallback_name)
    lang = _as_str(meta.get("lang")) or _as_str(meta.get("language")) or guess_lang(content)
    return SourceDocument(
        source=source,
        title=title,
        content=content,
        url=_as_str(meta.get("url")),
        tags=_as_list(meta.get("tags")),
        lang=lang,
    )


def kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in HTML_SUFFIXES:
        return "html"
    raise UnsupportedDocument(f"{path.name}: unsupported file type (use .md, .markdown, .txt, .html or .htm)")


def load_file(path: Path, *, source: str | None = None) -> SourceDocument:
    """Read one file; source defaults to its absolute POSIX path."""
    kind = kind_of(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnsupportedDocument(f"{path.name}: not UTF-8 text ({exc.reason})") from None
    return parse_document(text, source=source or path.resolve().as_posix(), kind=kind, name=path.stem)


def discover_files(paths: list[Path]) -> list[Path]:
    """Supported files under the given files and folders (recursive, sorted, hidden ones skipped)."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if (
                    child.is_file()
                    and child.suffix.lower() in SUPPORTED_SUFFIXES
                    and not any(p.startswith(".") for p in rel)
                ):
                    found.setdefault(child, None)
        elif path.is_file():
            found.setdefault(path, None)
        else:
            raise FileNotFoundError(str(path))
    return list(found)


class IngestFailure(BaseModel):
    source: str
    reason: str


def load_paths(
    paths: Sequence[Path | str], *, relative_to: Path | str | None = None, source_prefix: str = ""
) -> tuple[list[SourceDocument], list[IngestFailure]]:
    """Read supported files under paths; source = prefix + path relative to `relative_to`
    (or the absolute path)."""
    base = Path(relative_to).resolve() if relative_to is not None else None
    docs: list[SourceDocument] = []
    failures: list[IngestFailure] = []
    for path in discover_files([Path(p) for p in paths]):
        resolved = path.resolve()
        source = source_prefix + (resolved.relative_to(base).as_posix() if base else resolved.as_posix())
        try:
            docs.append(load_file(path, source=source))
        except (UnsupportedDocument, OSError, ValueError) as exc:
            failures.append(IngestFailure(source=source, reason=str(exc)))
    return docs, failures
