"""Reading documents: front matter, titles, HTML, hashing."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.documents import (
    SourceDocument,
    UnsupportedDocument,
    discover_files,
    load_file,
    parse_document,
    split_front_matter,
)
from knowledge.htmltext import html_to_markdown


def test_front_matter_scalars_inline_and_block_lists():
    meta, body = split_front_matter(
        "---\ntitle: \"Disk: full\"\ntags: [linux, 'disk, space', ops]\nlang: fr\naliases:\n  - a\n  - b\n"
        "url: https://wiki.example/disk\n---\n# Body\n"
    )
    assert meta == {
        "title": "Disk: full",
        "tags": ["linux", "disk, space", "ops"],
        "lang": "fr",
        "aliases": ["a", "b"],
        "url": "https://wiki.example/disk",
    }
    assert body == "# Body\n"


def test_markdown_title_falls_back_to_first_h1_then_file_name():
    doc = parse_document("```sh\n# not a title\n```\n\n# Real title\n\ntext", source="x/y.md")
    assert doc.title == "Real title"
    doc = parse_document("no heading here at all", source="ops/disk-full_host.md")
    assert doc.title == "Disk full host"


def test_text_files_use_the_file_name_and_keep_hash_lines(tmp_path: Path):
    path = tmp_path / "restart-workers.txt"
    path.write_text("# this is a shell comment, not a title\nrun make restart\n", encoding="utf-8")
    doc = load_file(path, source="restart-workers.txt")
    assert doc.title == "Restart workers"
    assert "# this is a shell comment" in doc.content


def test_language_from_front_matter_or_guessed():
    assert parse_document("---\nlang: FR\n---\nhello", source="a.md").lang == "fr"
    fr = parse_document(
        "Le disque est plein et la base ne répond pas pour les utilisateurs dans la zone.", source="b.md"
    )
    en = parse_document("The disk is full and the database does not answer for the users in the zone.", source="c.md")
    assert (fr.lang, en.lang) == ("fr", "en")
    assert parse_document("kubectl get pods", source="d.md").lang is None


def test_html_keeps_headings_code_and_lists_and_drops_chrome():
    text, title = html_to_markdown(
        "<html><head><title>Redis  OOM</title><style>p{}</style></head><body><nav>Home | Docs</nav>"
        "<h1>Redis OOM</h1><p>When Redis is <b>full</b>:</p><ul><li>check memory</li><li>check eviction</li></ul>"
        "<h2>Fix</h2><pre>redis-cli info memory\n  used_memory_human</pre><script>alert(1)</script></body></html>"
    )
    assert title == "Redis OOM"
    assert "# Redis OOM" in text and "## Fix" in text
    assert "- check memory\n- check eviction" in text
    assert "```\nredis-cli info memory\n  used_memory_human\n```" in text
    assert "Home | Docs" not in text and "alert(1)" not in text


def test_html_file_becomes_a_document(tmp_path: Path):
    path = tmp_path / "page.html"
    path.write_text("<html><head><title>Page</title></head><body><h2>Steps</h2><p>Do it.</p></body></html>")
    doc = load_file(path)
    assert doc.title == "Page" and "## Steps" in doc.content and doc.source == path.resolve().as_posix()


def test_hash_ignores_line_endings_and_trailing_spaces_but_not_content_or_title():
    base = SourceDocument(source="a", title="T", content="line one\nline two\n")
    assert (
        base.content_hash
        == SourceDocument(source="a", title="T", content="line one  \r\nline two\r\n\n\n").content_hash
    )
    assert base.content_hash != SourceDocument(source="a", title="T", content="line one\nline 2\n").content_hash
    assert base.content_hash != SourceDocument(source="a", title="T2", content="line one\nline two\n").content_hash
    assert (
        base.content_hash
        != SourceDocument(source="a", title="T", content="line one\nline two\n", tags=["x"]).content_hash
    )
    # A moved link is not new content: nothing to re-embed.
    assert (
        base.content_hash
        == SourceDocument(source="a", title="T", content="line one\nline two\n", url="https://x").content_hash
    )


def test_discovery_is_recursive_and_skips_unsupported_and_hidden(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("a/one.md", "a/two.HTML", "three.txt", "four.pdf", ".git/x.md", "LICENSE"):
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover_files([tmp_path])]
    assert found == ["a/one.md", "a/two.HTML", "three.txt"]
    with pytest.raises(UnsupportedDocument):
        load_file(tmp_path / "four.pdf")
