"""Answers are built from the sections that say what to do, whichever chunk search matched."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from jamono.brain.analysis import Analysis, Intent
from jamono.brain.asks import Ask, ask_of
from jamono.brain.compose import ANSWER_BUDGET_CHARS, compose, markdown_to_mrkdwn
from jamono.brain.engine import search_query, with_context_hits

DOC_ID = uuid.uuid4()
RUNBOOK = """# DiskAlmostFull

## Meaning

The alert fires when the data disk of a host is almost full and keeps filling.

## Impact

Writes fail once the disk is full.

## Diagnosis

Find what grows:

```shell
du -xh /var | sort -h | tail -20
```

## Mitigation

Rotate and compress the logs:

```shell
logrotate -f /etc/logrotate.conf
```

## Escalation

Page the storage team in #storage-oncall.
"""


@dataclass
class Hit:
    title: str
    heading: str
    content: str
    relevant: bool = True
    url: str | None = None
    source: str = "disk.md"
    document_id: uuid.UUID = field(default_factory=lambda: DOC_ID)
    score: float = 1.0
    similarity: float = 0.6


@dataclass
class Doc:
    id: uuid.UUID
    title: str
    content: str
    source: str = "disk.md"
    url: str | None = None


def documents(ids):
    return {DOC_ID: Doc(DOC_ID, "DiskAlmostFull", RUNBOOK)} if DOC_ID in ids else {}


MEANING_HIT = Hit("DiskAlmostFull", "Meaning", "The alert fires when the data disk of a host is almost full.")


def test_a_symptom_that_matched_the_meaning_is_answered_with_diagnosis_and_mitigation():
    answer = compose(
        Analysis(intent=Intent.QUESTION), "disk almost full on a host, how do I fix it?", [MEANING_HIT], documents
    )
    assert "du -xh /var | sort -h | tail -20" in answer.text and "logrotate -f" in answer.text
    assert "The alert fires when" not in answer.text
    assert answer.sources[0].heading == "Mitigation, Diagnosis"  # a fix question: the fix first
    assert answer.text.index("logrotate") < answer.text.index("du -xh")


def test_the_question_decides_which_sections_are_quoted():
    meaning = compose(
        Analysis(intent=Intent.QUESTION), "what does the DiskAlmostFull alert mean?", [MEANING_HIT], documents
    )
    assert "The alert fires when" in meaning.text
    contact = compose(
        Analysis(intent=Intent.QUESTION), "who should I call about a full disk?", [MEANING_HIT], documents
    )
    assert "#storage-oncall" in contact.text


def test_an_incident_gets_its_checks_from_the_runbooks_action_sections():
    answer = compose(
        Analysis(intent=Intent.INCIDENT), "disk almost full on db-3, writes failing", [MEANING_HIT], documents
    )
    assert answer.first_checks and "du -xh" in answer.first_checks and "The alert fires" not in answer.first_checks


def test_without_the_document_the_matched_chunk_is_still_quoted():
    answer = compose(Analysis(intent=Intent.QUESTION), "disk full", [MEANING_HIT], lambda ids: {})
    assert "The alert fires when" in answer.text


def test_long_sections_stay_within_the_budget_with_code_blocks_whole():
    steps = "\n\n".join(f"Step {i}: check the thing number {i} carefully before going on." for i in range(80))
    code = "```shell\n" + "\n".join(f"kubectl get pods -n ns{i}" for i in range(30)) + "\n```"
    long_runbook = f"# Big\n\n## Diagnosis\n\n{steps}\n\n{code}\n\n## Mitigation\n\n{steps}\n"

    def big(ids):
        return {DOC_ID: Doc(DOC_ID, "Big", long_runbook)}

    answer = compose(Analysis(intent=Intent.QUESTION), "how do I check pods", [Hit("Big", "Diagnosis", "x")], big)
    assert len(answer.text) < ANSWER_BUDGET_CHARS + 400
    assert answer.text.count("```") % 2 == 0
    assert "kubectl get pods -n ns29" in answer.text, "the code block is kept whole"


def test_runbook_text_cannot_ping_or_disguise_a_link():
    text = markdown_to_mrkdwn("Run `kubectl -n <ns> get pods` then tell <!channel>. See [SSO](https://evil.example/x).")
    assert "&lt;ns&gt;" in text and "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "SSO (<https://evil.example/x>)" in text


def test_asks_in_english_and_french():
    assert ask_of("how do I fix the replication lag?") is Ask.FIX
    assert ask_of("comment réparer la réplication ?") is Ask.FIX
    assert ask_of("why is the api slow, where do I look?") is Ask.DIAGNOSE
    assert ask_of("pourquoi le pod redémarre ?") is Ask.DIAGNOSE
    assert ask_of("what does this alert mean?") is Ask.MEANING
    assert ask_of("qui dois-je appeler ?") is Ask.CONTACT
    assert ask_of("and if that doesn't work?") is Ask.NEXT
    assert ask_of("api is down") is Ask.HOW_TO
    assert ask_of("why is it slow and how do I fix it?") is Ask.HOW_TO


def test_a_short_follow_up_is_searched_with_the_threads_question():
    context = ["<@U0NOX> consumer lag keeps growing on orders", "NOX: From *Broker*: ..."]
    assert search_query("and on staging?", context) == "consumer lag keeps growing on orders\nand on staging?"
    assert search_query("and on staging?", []) == "and on staging?"
    long = "a long new question with many words that stands on its own and needs no thread at all"
    assert search_query(long, context) == long


def test_a_recent_change_puts_the_rollback_runbook_first_only_when_the_symptom_matches_nothing_clearly():
    rollback = Hit("Rollback", "Execute", "kubectl rollout undo", document_id=uuid.uuid4(), score=0.4)
    vague = [Hit("Other", "Meaning", "x", similarity=0.36, score=0.9)]
    clear = [Hit("Crashloop", "Diagnosis", "y", similarity=0.7, score=0.9, document_id=uuid.uuid4())]
    assert with_context_hits(vague, [rollback])[0].title == "Rollback"
    assert with_context_hits(clear, [rollback])[0].title == "Crashloop"
    assert with_context_hits(clear, [rollback])[-1].score == 0.9, "as strong as the symptom's best"
    assert with_context_hits(clear, [Hit("R", "h", "c", relevant=False)]) == clear


def test_the_chosen_runbooks_translation_is_not_offered_as_a_second_runbook():
    en = Hit("Disk", "Meaning", "x", score=1.0)
    en.lang = "en"  # type: ignore[attr-defined]
    fr = Hit("Disque", "Signification", "y", score=0.99, document_id=uuid.uuid4())
    fr.lang = "fr"  # type: ignore[attr-defined]
    answer = compose(Analysis(intent=Intent.QUESTION), "disk almost full, how do I fix it?", [en, fr], documents)
    assert [s.title for s in answer.sources] == ["DiskAlmostFull"]


def test_a_weak_best_match_is_offered_as_the_closest_runbook_not_as_the_answer():
    weak = Hit("DiskAlmostFull", "Meaning", "x", similarity=0.38)
    answer = compose(Analysis(intent=Intent.QUESTION), "kafka consumers are lagging", [weak], documents)
    assert answer.text.startswith("No runbook clearly covers this; the closest I found is *DiskAlmostFull*")
    strong = compose(Analysis(intent=Intent.QUESTION), "disk almost full", [MEANING_HIT], documents)
    assert strong.text.startswith("From *DiskAlmostFull*")


def test_answers_are_built_in_linear_time_from_hostile_text():
    import time

    from jamono.brain.compose import excerpt
    from jamono.brain.cues import change_query

    started = time.perf_counter()
    for text in ("[" * 40_000, "[a](" * 10_000, "x" * 40_000, "```\n" * 10_000, "what does the " * 3_000):
        markdown_to_mrkdwn(text)
        excerpt(text, text, 2400)
        ask_of(text)
        change_query(text, "en")
        search_query(text, ["earlier question"])
    assert time.perf_counter() - started < 2.0


def test_a_runbooks_title_and_headings_cannot_ping_either():
    from jamono.brain.engine import Reply
    from jamono.slack.blocks import answer_blocks

    doc_id = uuid.uuid4()
    content = "# x\n\n## Diagnosis <!here>\n\nRun `df -h`.\n"
    hit = Hit(
        "<!channel> Disk",
        "Diagnosis <!here>",
        "Run `df -h`.",
        document_id=doc_id,
        url="https://wiki.example/a|<!everyone>",
    )
    answer = compose(
        Analysis(intent=Intent.QUESTION),
        "disk",
        [hit],
        lambda ids: {doc_id: Doc(doc_id, "<!channel> Disk", content, url=hit.url)},
    )
    shown = str(answer_blocks(Reply(analysis=Analysis(intent=Intent.QUESTION), answer=answer), "x"))
    assert "<!channel>" not in shown and "<!here>" not in shown and "<!everyone>" not in shown
