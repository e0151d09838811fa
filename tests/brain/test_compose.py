import uuid
from dataclasses import dataclass, field

from jamono.brain.analysis import Analysis, Intent, Severity
from jamono.brain.compose import compose, excerpt, markdown_to_mrkdwn, split_blocks
from jamono.brain.engine import Reply
from jamono.slack.blockkit import split_sections as section
from jamono.slack.blocks import answer_blocks
from jamono.slack.limits import SECTION_TEXT_MAX as SECTION_LIMIT


@dataclass
class Hit:
    title: str
    heading: str
    content: str
    relevant: bool = True
    url: str | None = None
    source: str = "doc.md"
    document_id: uuid.UUID = field(default_factory=uuid.uuid4)


ROLLBACK = """Roll back when the new version misbehaves.

```bash
kubectl rollout undo deployment/web -n prod
kubectl rollout status deployment/web -n prod
```

Check the **events** afterwards with [the docs](https://kubernetes.io/docs/).

- Confirm the previous ReplicaSet is serving
- Tell the incident channel"""


def test_code_blocks_are_kept_whole_and_markdown_becomes_mrkdwn():
    blocks = split_blocks(ROLLBACK)
    assert any(b.startswith("```bash") and b.endswith("```") and "rollout status" in b for b in blocks)
    text = markdown_to_mrkdwn(ROLLBACK)
    assert "*events*" in text and "the docs (<https://kubernetes.io/docs/>)" in text and "• Confirm" in text


def test_excerpt_prefers_matching_blocks_within_budget():
    text = excerpt(ROLLBACK, "how do I roll back with kubectl rollout undo", budget=200)
    assert "kubectl rollout undo" in text and text.count("```") % 2 == 0


def test_question_answer_quotes_the_runbook_and_cites_it():
    hit = Hit("Rolling back a Deployment", "Mitigation", ROLLBACK, url="https://wiki/rollback")
    answer = compose(Analysis(intent=Intent.QUESTION), "how to roll back a deployment", [hit])
    assert "kubectl rollout undo deployment/web -n prod" in answer.text
    assert answer.sources[0].title == "Rolling back a Deployment"


def test_nothing_relevant_means_saying_so_in_the_message_language():
    noise = Hit("Unrelated", "", "bananas", relevant=False)
    en = compose(Analysis(intent=Intent.QUESTION, language="en"), "how do I rotate the vault key", [noise])
    fr = compose(Analysis(intent=Intent.QUESTION, language="fr"), "comment changer la clé vault", [noise])
    assert "/nox kb add" in en.text and not en.sources
    assert "base de connaissances" in fr.text


def test_incident_blocks_carry_triage_and_stay_within_limits():
    hit = Hit("Rolling back a Deployment", "Mitigation", ROLLBACK * 20)
    analysis = Analysis(intent=Intent.INCIDENT, severity=Severity.CRITICAL, summary="web is down", service="web")
    reply = Reply(analysis=analysis, answer=compose(analysis, "web is down after deploy", [hit]))
    blocks = answer_blocks(reply, str(uuid.uuid4()))
    assert blocks[0]["type"] == "header" and "critical" in blocks[0]["text"]["text"]
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in blocks if b["type"] == "section")
    assert len(blocks) <= 50


def test_long_sections_split_without_breaking_code_fences():
    text = "```\n" + "\n".join(f"line {i} " + "x" * 80 for i in range(100)) + "\n```"
    parts = section(text)
    assert len(parts) > 1
    assert all(p["text"]["text"].count("```") % 2 == 0 for p in parts)
    assert all(len(p["text"]["text"]) <= SECTION_LIMIT for p in parts)


def test_an_incident_summary_cannot_ping_the_channel():
    analysis = Analysis(
        intent=Intent.INCIDENT, severity=Severity.HIGH, summary="<!channel> db down", service="<@U0BOSS>"
    )
    reply = Reply(analysis=analysis, answer=compose(analysis, "db down", []))
    shown = str(answer_blocks(reply, "x"))
    assert "<!channel>" not in shown and "&lt;!channel&gt; db down" in shown and "<@U0BOSS>" not in shown
    from jamono.slack.blocks import fallback_text

    assert "<!channel>" not in fallback_text(reply)
