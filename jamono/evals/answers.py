"""`jamono eval answers`: does the answer a person reads contain the fix?
Why and how: docs/design/evals.md."""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

KEYS = ("n", "answer_hit", "answer_hit_en", "answer_hit_fr", "source_hit", "mean_chars")


class Question(BaseModel):
    id: str
    lang: str
    question: str
    relevant: list[str]
    expect_any: list[str]


class Answered(BaseModel):
    question: Question
    text: str  # what Slack shows
    sources: list[str]  # cited documents, as corpus paths
    seconds: float

    @property
    def answer_hit(self) -> bool:
        return contains_any(self.text, self.question.expect_any)

    @property
    def source_hit(self) -> bool:
        return bool(set(self.sources) & set(self.question.relevant))


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def contains_any(text: str, phrases: Sequence[str]) -> bool:
    seen = _squash(text)
    return any(_squash(p) in seen for p in phrases if p.strip())


def load_questions(path: Path) -> list[Question]:
    return [
        Question.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def score(answered: Sequence[Answered]) -> dict[str, float | int | None]:
    def rate(items: Sequence[Answered], attr: str) -> float | None:
        return round(sum(bool(getattr(a, attr)) for a in items) / len(items), 4) if items else None

    english = [a for a in answered if a.question.lang == "en"]
    french = [a for a in answered if a.question.lang == "fr"]
    return {
        "n": len(answered),
        "answer_hit": rate(answered, "answer_hit"),
        "answer_hit_en": rate(english, "answer_hit"),
        "answer_hit_fr": rate(french, "answer_hit"),
        "source_hit": rate(answered, "source_hit"),
        "mean_chars": round(statistics.fmean(len(a.text) for a in answered), 1) if answered else None,
    }


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jamono eval answers", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, required=True, help="folder of documents (sources = paths relative to it)"
    )
    parser.add_argument("--data", type=Path, required=True, help="JSON lines: id, lang, question, relevant, expect_any")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    parser.add_argument("--verbose", action="store_true", help="show every question with its verdicts")
    parser.add_argument("--show", action="store_true", help="print each visible answer in full")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if not args.corpus.is_dir():
        print(f"eval answers: corpus {args.corpus} is not a folder", file=sys.stderr)
        return 2
    questions = load_questions(args.data)
    if not questions:
        print(f"eval answers: no questions in {args.data}", file=sys.stderr)
        return 2

    from jamono.container import Runtime
    from jamono.conversation.answering import think
    from jamono.evals.corpus_tenant import corpus_tenant
    from jamono.sandbox.render import render_blocks
    from jamono.slack.blocks import answer_blocks

    out = sys.stderr if args.json else sys.stdout
    answered: list[Answered] = []
    with corpus_tenant(args.corpus, label="answers", report_to=out) as kb:
        rt = Runtime(kb.settings)
        try:
            for q in questions:
                started = time.perf_counter()
                reply = think(rt, kb.workspace, q.question)
                text = render_blocks(answer_blocks(reply, "eval"))
                cited = [s.source for s in reply.answer.sources]
                answered.append(Answered(question=q, text=text, sources=cited, seconds=time.perf_counter() - started))
        finally:
            rt.close()

    for a in answered:
        if args.verbose or args.show:
            mark = ("A" if a.answer_hit else "-") + ("S" if a.source_hit else "-")
            print(f"{mark} {a.question.id} [{a.question.lang}] {len(a.text):>5} chars  cited {a.sources[:3]}", file=out)
        if args.show:
            print("    " + a.text.replace("\n", "\n    "), file=out)
    figures = score(answered)
    for key in KEYS:
        print(f"{key:<14} {figures[key]}", file=out)
    if args.json:
        print(json.dumps({key: figures[key] for key in KEYS}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
