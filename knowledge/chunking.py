"""Structure-aware chunking: one chunk per Markdown section, long sections split by size.
Why and how: docs/design/knowledge.md."""

from __future__ import annotations

import re
from collections.abc import Iterator

from langchain_text_splitters import (
    MarkdownHeaderTextSplitter,
    RecursiveCharacterTextSplitter,
)
from pydantic import BaseModel, Field

from knowledge.documents import SourceDocument
from knowledge.text import fold, search_text, with_expansions

# Bump when the output of chunk_document changes, so stored documents get re-chunked.
CHUNKER_VERSION = "2"  # 2: joined identifier pairs in search_text

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 120

_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3")]
_OPEN_FENCE = re.compile(r"^([ \t]{0,3})(`{3,}|~{3,})(.*)$")
# Placeholders: a code block, a line's indentation, an escaped character.
_TOKEN = re.compile(r"⟦code:(\d+)⟧|^⟦i:(\d+)⟧|⟦u:([0-9a-f]+)⟧", re.M)


class Chunk(BaseModel):
    """A retrievable passage and everything needed to cite it."""

    source: str
    title: str
    heading: str = ""  # heading path, e.g. "Diagnosis > Logs"
    content: str
    ord: int = Field(ge=0)
    tags: list[str] = Field(default_factory=list)
    lang: str | None = None
    url: str | None = None

    @property
    def search_text(self) -> str:
        """Accent-folded words PostgreSQL indexes (title, heading, tags, content, identifiers)."""
        return search_text(self.title, self.heading, self.content, self.tags)

    @property
    def embedding_text(self) -> str:
        """What the embedding model sees: the passage in its context (title, section)."""
        head = self.title + (f" — {self.heading}" if self.heading else "")
        return with_expansions(f"{head}\n{self.content}")


class _Protected:
    """A document with code blocks and indentation swapped for tokens no splitter touches."""

    def __init__(self, text: str) -> None:
        self.blocks: list[str] = []
        lines = text.split("\n")
        out: list[str] = []
        i = 0
        while i < len(lines):
            opening = _OPEN_FENCE.match(lines[i])
            if opening:
                fence = opening.group(2)
                j = i + 1
                while j < len(lines) and not lines[j].lstrip().startswith(fence[0] * len(fence)):
                    j += 1
                # An unclosed fence is a typo more often than a code block running to the end.
                if j < len(lines):
                    out.append(f"⟦code:{len(self.blocks)}⟧")
                    self.blocks.append("\n".join(lines[i : j + 1]))
                    i = j + 1
                    continue
            # Non-printables (dropped by the header splitter) and our own bracket are escaped.
            line = "".join(c if c.isprintable() and c != "⟦" else f"⟦u:{ord(c):x}⟧" for c in lines[i])
            if opening:  # unclosed: hide the fence from the header splitter's own code tracking
                fence_char = opening.group(2)[0]
                line = line.replace(fence_char, f"⟦u:{ord(fence_char):x}⟧", len(opening.group(2)))
            indent = len(line) - len(line.lstrip(" "))
            out.append(f"⟦i:{indent}⟧{line.lstrip(' ')}" if indent and line.strip() else line)
            i += 1
        self.text = "\n".join(out)

    def _expand(self, text: str, code_cap: int | None = None) -> str:
        """Undo the encoding in one pass (restored text is never re-read as tokens); with
        code_cap, a code block becomes a stand-in of its length capped at code_cap."""

        def replace(m: re.Match[str]) -> str:
            if m.group(1) is not None:
                block = self.blocks[int(m.group(1))]
                return block if code_cap is None else "x" * min(len(block), code_cap)
            if m.group(2) is not None:
                return " " * int(m.group(2))
            return chr(int(m.group(3), 16))

        return _TOKEN.sub(replace, text.replace("  \n", "\n\n"))

    def restore(self, text: str) -> str:
        return re.sub(r"\n{3,}", "\n\n", self._expand(text)).strip("\n")

    def length(self, text: str, cap: int) -> int:
        """Length as the reader will see it; a code block counts as its size, at most cap, so
        the size splitter never needs to cut inside one (big blocks become chunks of their own)."""
        return len(self._expand(text, code_cap=cap))


def _same(a: str, b: str) -> bool:
    return re.sub(r"[^a-z0-9]", "", fold(a)) == re.sub(r"[^a-z0-9]", "", fold(b))


def _heading_path(meta: dict[str, str], title: str) -> str:
    parts = [meta[key] for _, key in _HEADERS if meta.get(key)]
    if parts and "h1" in meta and _same(meta["h1"], title):
        parts = parts[1:]  # the H1 usually repeats the title: the path starts below it
    return " > ".join(parts)


def _sections(doc: SourceDocument, protected: _Protected) -> Iterator[tuple[str, str]]:
    """(heading path, protected section text) pairs in document order."""
    splitter = MarkdownHeaderTextSplitter(headers_to_split_on=_HEADERS, strip_headers=True)
    for part in splitter.split_text(protected.text):
        body = part.page_content
        if body.strip():
            yield _heading_path(part.metadata, doc.title), body


def document_sections(title: str, content: str) -> list[tuple[str, str]]:
    """Whole sections (heading path, text) of a stored document, in order, code blocks intact.

    Answers quote sections, not chunks: a section split for embedding is put back together here
    from the document itself, so no overlap is repeated and no step is left in another chunk.
    """
    protected = _Protected(content)
    doc = SourceDocument(source="-", title=title or "-", content="")
    sections = [(heading, protected.restore(body)) for heading, body in _sections(doc, protected)]
    sections = [(heading, text) for heading, text in sections if text.strip()]
    if not sections and content.strip():
        sections.append(("", protected.restore(protected.text)))
    return sections


def chunk_document(doc: SourceDocument, *, chunk_size: int = CHUNK_SIZE, overlap: int = CHUNK_OVERLAP) -> list[Chunk]:
    """Split a document into ordered chunks; never splits a fenced code block."""
    protected = _Protected(doc.content)
    sizer = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=overlap,
        length_function=lambda t: protected.length(t, chunk_size),
        separators=["  \n", "\n", ". ", " ", ""],
        keep_separator="end",
    )
    pieces: list[tuple[str, str]] = []
    for heading, body in _sections(doc, protected):
        if protected.length(body, chunk_size) <= chunk_size:
            pieces.append((heading, protected.restore(body)))
            continue
        for piece in sizer.split_text(body):
            text = protected.restore(piece)
            if text.strip():
                pieces.append((heading, text))
    if not pieces and doc.content.strip():
        pieces.append(("", protected.restore(protected.text)))
    return [
        Chunk(
            source=doc.source,
            title=doc.title,
            heading=heading,
            content=text,
            ord=i,
            tags=doc.tags,
            lang=doc.lang,
            url=doc.url,
        )
        for i, (heading, text) in enumerate(pieces)
    ]
