"""Chunking follows headings, keeps code blocks whole and keeps the text as written."""

from __future__ import annotations

import re

from knowledge.chunking import CHUNK_SIZE, chunk_document
from knowledge.documents import SourceDocument

FENCE = "```"


def doc(content: str, title: str = "Redis — memory full") -> SourceDocument:
    return SourceDocument(
        source="runbooks/redis.md", title=title, content=content, tags=["redis"], lang="en", url="https://wiki/redis"
    )


def test_heading_paths_follow_the_outline_below_the_title():
    chunks = chunk_document(
        doc(
            "# Redis — memory full\n\nIntro line.\n\n## Diagnosis\n\nLook first.\n\n### Logs\n\nRead the logs.\n\n"
            "### Metrics\n\nWatch used_memory.\n\n## Mitigation\n\nRaise maxmemory.\n"
        )
    )
    assert [(c.heading, c.content) for c in chunks] == [
        ("", "Intro line."),
        ("Diagnosis", "Look first."),
        ("Diagnosis > Logs", "Read the logs."),
        ("Diagnosis > Metrics", "Watch used_memory."),
        ("Mitigation", "Raise maxmemory."),
    ]
    assert [c.ord for c in chunks] == list(range(5))
    assert all(c.title == "Redis — memory full" and c.tags == ["redis"] and c.lang == "en" for c in chunks)
    assert all(c.source == "runbooks/redis.md" and c.url == "https://wiki/redis" for c in chunks)


def test_an_h1_other_than_the_title_stays_in_the_path():
    chunks = chunk_document(doc("# Appendix\n\n## Tools\n\nUse redis-cli.\n", title="Redis"))
    assert chunks[0].heading == "Appendix > Tools"


def test_code_blocks_are_never_split_even_when_longer_than_a_chunk():
    script = "\n".join(f"    redis-cli -n {i} --scan --pattern 'session:*' | head  # step {i}" for i in range(60))
    assert len(script) > 2 * CHUNK_SIZE
    prose = " ".join(f"Sentence number {i} explains the step." for i in range(80))
    chunks = chunk_document(doc(f"## Cleanup\n\n{prose}\n\n{FENCE}bash\n{script}\n{FENCE}\n\n{prose}\n"))
    assert len(chunks) >= 3
    with_code = [c for c in chunks if FENCE in c.content]
    assert len(with_code) == 1
    assert f"{FENCE}bash\n{script}\n{FENCE}" in with_code[0].content  # whole, indentation intact
    for c in chunks:
        assert c.content.count(FENCE) % 2 == 0
        assert c.heading == "Cleanup"
        if FENCE not in c.content:
            assert len(c.content) <= CHUNK_SIZE


def test_hash_lines_inside_code_are_not_headings():
    chunks = chunk_document(doc(f"## Fix\n\n{FENCE}sh\n# flush one db\nredis-cli -n 2 flushdb\n{FENCE}\n"))
    assert len(chunks) == 1 and chunks[0].heading == "Fix"
    assert "# flush one db" in chunks[0].content


def test_long_sections_split_near_the_target_size_with_overlap():
    paragraphs = [" ".join(f"word{p}_{i}" for i in range(40)) for p in range(12)]
    chunks = chunk_document(doc("## Long\n\n" + "\n\n".join(paragraphs) + "\n"))
    assert len(chunks) > 3
    assert all(len(c.content) <= CHUNK_SIZE for c in chunks)
    joined = " ".join(c.content for c in chunks)
    for p in paragraphs:  # nothing lost
        assert all(w in joined for w in p.split()[::7])


def test_indentation_blank_lines_and_special_spaces_survive():
    text = "## Steps\n\n- first\n  - nested detail\n\nSecond paragraph\u202f: fin.\n"
    chunks = chunk_document(doc(text))
    assert chunks[0].content == "- first\n  - nested detail\n\nSecond paragraph\u202f: fin."


def test_text_that_looks_like_our_placeholders_is_kept_verbatim():
    chunks = chunk_document(doc("## Odd\n\nLiteral ⟦code:0⟧ and ⟦i:4⟧ stay as written.\n"))
    assert chunks[0].content == "Literal ⟦code:0⟧ and ⟦i:4⟧ stay as written."


def test_unclosed_fence_does_not_swallow_the_rest():
    chunks = chunk_document(doc(f"## Diagnosis\n\n{FENCE}shell\n$ kubectl get pods\n\n## Mitigation\n\nTODO\n"))
    assert [c.heading for c in chunks] == ["Diagnosis", "Mitigation"]


def test_search_and_embedding_texts_carry_context_and_split_identifiers():
    chunk = chunk_document(doc("## Diagnóstico\n\nThe KubePodCrashLooping alert fires.\n"))[0]
    assert "kube pod crash looping" in chunk.search_text and "diagnostico" in chunk.search_text
    assert "redis" in chunk.search_text  # tag and title
    assert chunk.embedding_text.startswith("Redis — memory full — Diagnóstico\n")
    assert re.search(r"Kube Pod Crash Looping", chunk.embedding_text)


def test_empty_document_has_no_chunks():
    assert chunk_document(doc("\n\n")) == []
