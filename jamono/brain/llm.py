"""NOX's LLM brain: analysis and grounded answers from any OpenAI-compatible chat-completions endpoint.
Why and how: docs/design/brain.md."""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from email.utils import parsedate_to_datetime
from typing import Any, Literal, TypeVar

import openai
from openai import OpenAI
from pydantic import BaseModel, Field, ValidationError, field_validator

from jamono.brain import prompts
from jamono.brain.analysis import Analysis, Intent, MeetingNeed, Severity
from jamono.brain.completion import MalformedCompletion, create_completion
from jamono.brain.compose import CHECKS_BUDGET_CHARS, ComposedAnswer, HitLike, Source, compose, markdown_to_mrkdwn
from jamono.observability.metrics import record_tokens
from jamono.platform.logs import scrub
from jamono.platform.settings import Settings

log = logging.getLogger("jamono.brain.llm")

Out = TypeVar("Out", bound=BaseModel)
ResponseMode = Literal["json_schema", "json_object", "prompt"]
_MODES: tuple[ResponseMode, ...] = ("json_schema", "json_object", "prompt")
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>")
_CITATION = re.compile(r"\[(\d{1,2}(?:\s*,\s*\d{1,2})*)\]")
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
MAX_SECTIONS = 8


class LLMUsage(BaseModel):
    """Tokens and time spent on one analyse/answer, summed over its calls (repairs, fallbacks)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    model: str = ""
    calls: int = 0
    latency_ms: float = 0.0
    notes: list[str] = Field(default_factory=list, description="e.g. 'response_format:json_object', 'repaired'")


class LLMError(Exception):
    """The LLM brain could not produce a trustworthy result; the caller falls back to the offline brain.

    `reason` is a short code for metadata and metrics: timeout, rate_limited, server_error,
    connection, auth, bad_request, invalid_output, refusal.
    """

    def __init__(self, reason: str, detail: str = "", *, status: int | None = None) -> None:
        self.reason = reason
        self.status = status
        self.detail = scrub(detail)[:300]
        super().__init__(f"{reason}: {self.detail}" if self.detail else reason)


# --- what the model must return: flat, nullable, no constraints (strict mode rejects most keywords) ---


class AnalysisOutput(BaseModel):
    intent: Literal["incident", "meeting", "question", "other"]
    severity: Literal["critical", "high", "medium", "low"] | None = Field(None, description="Incidents only")
    summary: str | None = Field(None, description="One line, incidents only")
    service: str | None = Field(None, description="Affected service as named, or null")
    meeting_needed: bool = False
    meeting_title: str | None = None
    meeting_duration_min: int | None = None
    attendees: list[str] = Field(default_factory=list, description="Bare Slack user ids, e.g. U0123ABCD")
    language: Literal["fr", "en"] = "en"
    confidence: float = 0.5

    @field_validator("intent", "severity", "language", mode="before")
    @classmethod
    def _lenient_words(cls, value: Any) -> Any:
        """Local models write "Incident", "None" or "French"; accept what is unambiguous."""
        if not isinstance(value, str):
            return value
        word = value.strip().lower()
        if word in ("", "none", "null", "n/a"):
            return None
        return {"french": "fr", "français": "fr", "francais": "fr", "english": "en", "anglais": "en"}.get(word, word)


class AnswerOutput(BaseModel):
    answer: str
    used_sources: list[int] = Field(default_factory=list, description="Numbers of the sections used")
    covered: bool = False
    first_checks: str | None = Field(None, description="Incidents only: short checklist, or null")


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema in the shape OpenAI's strict mode demands.

    Every object closed (`additionalProperties: false`) with every property required;
    optional fields stay expressible because their type admits null. Titles and
    defaults are dropped (strict mode refuses `default`).
    """
    return _tighten(model.model_json_schema())


def _tighten(node: Any) -> Any:
    if isinstance(node, list):
        return [_tighten(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("title", "default"):
            continue
        if key in ("properties", "$defs"):
            out[key] = {name: _tighten(sub) for name, sub in value.items()}
        else:
            out[key] = _tighten(value)
    if out.get("type") == "object" or "properties" in out:
        out["additionalProperties"] = False
        out["required"] = list(out.get("properties", {}))
    return out


_SCHEMAS: dict[type[BaseModel], tuple[str, dict[str, Any]]] = {
    AnalysisOutput: ("nox_analysis", strict_schema(AnalysisOutput)),
    AnswerOutput: ("nox_answer", strict_schema(AnswerOutput)),
}


def register_output(output: type[BaseModel], name: str) -> None:
    """Another feature's structured output (e.g. incident write-ups), sent as a strict JSON schema."""
    _SCHEMAS.setdefault(output, (name, strict_schema(output)))


class LLMBrain:
    """Analyse messages and answer from runbooks with an OpenAI-compatible model (OpenAI, Azure, Ollama, vLLM)."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None,
        model: str,
        timeout_s: float = 20.0,
        max_retries: int = 2,
        bot_user_id: str | None = None,
        max_retry_wait_s: float = 5.0,
        repair_attempts: int = 1,
    ) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.bot_user_id = bot_user_id
        self.repair_attempts = repair_attempts
        # Adapted once per server, on its first 400 that names the feature.
        self.response_mode: ResponseMode = "json_schema"
        self._tokens_param = "max_tokens"
        self._send_temperature = True
        self._client = OpenAI(
            api_key=api_key,
            base_url=base_url or None,
            timeout=timeout_s,
            max_retries=max_retries,
            http_client=openai.DefaultHttpxClient(event_hooks={"response": [_retry_after_cap(max_retry_wait_s)]}),
        )

    @classmethod
    def from_settings(cls, settings: Settings, *, bot_user_id: str | None = None) -> LLMBrain | None:
        """The configured brain, or None without OPENAI_API_KEY (NOX then thinks offline)."""
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
        if not key:
            return None
        return cls(
            api_key=key,
            base_url=settings.openai_base_url,
            model=settings.openai_model,
            timeout_s=settings.openai_timeout_s,
            bot_user_id=bot_user_id,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> LLMBrain:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- analysis ------------------------------------------------------------------------------

    def analyze(
        self, text: str, context: Sequence[str] = (), *, bot_user_id: str | None = None
    ) -> tuple[Analysis, LLMUsage]:
        """The message's intent, severity, meeting need and language. Raises LLMError.

        `bot_user_id` overrides the constructor's: one brain can serve many workspaces, each with its own NOX.
        """
        if not text.strip():
            return Analysis(intent=Intent.OTHER, confidence=1.0), LLMUsage(model=self.model)
        bot = bot_user_id or self.bot_user_id
        tag = prompts.new_tag()
        system = prompts.analyze_system(tag, bot)
        user = prompts.analyze_user(text, context, tag)
        output, usage = self._complete("analyze", system, user, AnalysisOutput, max_tokens=500)
        return _to_analysis(output, [text, *context], bot), usage

    # --- answers -------------------------------------------------------------------------------

    def answer(
        self, message: str, analysis: Analysis, hits: Sequence[HitLike], *, context: Sequence[str] = ()
    ) -> tuple[ComposedAnswer, LLMUsage]:
        """A short answer grounded in the relevant hits, citing them; "I don't know" otherwise. Raises LLMError."""
        sections = [h for h in hits if h.relevant][:MAX_SECTIONS]
        if not sections:
            return _dont_know(analysis, message), LLMUsage(model=self.model)
        tag = prompts.new_tag()
        system = prompts.answer_system(tag, analysis.language)
        labelled = [(f"{h.title} — {h.heading}" if h.heading else h.title, h.content) for h in sections]
        user = prompts.answer_user(message, analysis, labelled, context, tag)
        output, usage = self._complete("answer", system, user, AnswerOutput, max_tokens=1000)
        return self._to_answer(output, analysis, message, sections, usage), usage

    def _to_answer(
        self, out: AnswerOutput, analysis: Analysis, message: str, sections: Sequence[HitLike], usage: LLMUsage
    ) -> ComposedAnswer:
        checks = out.first_checks if analysis.intent is Intent.INCIDENT else None
        if prompts.recites_instructions(out.answer) or (checks and prompts.recites_instructions(checks)):
            log.warning("llm answer withheld: it recites NOX's instructions", extra={"op": "answer"})
            usage.notes.append("withheld:prompt_echo")
            return _dont_know(analysis, message)
        text = out.answer.strip()
        cited = {int(n) for group in _CITATION.findall(_outside_code(text)) for n in group.split(",")}
        used = [n for n in dict.fromkeys([*out.used_sources, *sorted(cited)]) if 1 <= n <= len(sections)]
        if not out.covered or not used or not text:
            return _dont_know(analysis, message)
        sources: list[Source] = []
        position: dict[int, int] = {}
        for number in used:
            hit = sections[number - 1]
            index = next((i for i, s in enumerate(sources) if s.document_id == hit.document_id), None)
            if index is None:
                sources.append(
                    Source(
                        document_id=hit.document_id,
                        title=hit.title,
                        heading=hit.heading,
                        url=hit.url,
                        source=hit.source,
                    )
                )
                index = len(sources) - 1
            position[number] = index + 1
        text = _fit(_renumber(markdown_to_mrkdwn(text), position), prompts.ANSWER_MAX_CHARS)
        first_checks = _fit(markdown_to_mrkdwn(checks), CHECKS_BUDGET_CHARS) if checks and checks.strip() else None
        return ComposedAnswer(text=text, sources=sources, first_checks=first_checks)

    # --- one structured completion, with bounded retries, fallbacks and repair ----------------

    def complete(self, op: str, system: str, user: str, output: type[Out], *, max_tokens: int) -> tuple[Out, LLMUsage]:
        """One structured completion (a registered output); raises LLMError."""
        return self._complete(op, system, user, output, max_tokens=max_tokens)

    def _complete(self, op: str, system: str, user: str, output: type[Out], *, max_tokens: int) -> tuple[Out, LLMUsage]:
        usage = LLMUsage(model=self.model)
        deadline = time.monotonic() + self.timeout_s * (self.max_retries + 1)
        tail: list[dict[str, str]] = [{"role": "user", "content": user}]
        repairs = self.repair_attempts
        while True:
            response = self._create(op, system, tail, output, usage, deadline, max_tokens)
            try:
                content = _content(response)
            except LLMError as exc:
                log.warning("llm output unusable", extra={"op": op, "reason": exc.reason})
                raise
            try:
                return _parse(content, output), usage
            except (ValueError, ValidationError) as exc:
                problem = _problem(exc)
                if repairs <= 0:
                    log.warning("llm output invalid", extra={"op": op, "problem": problem})
                    raise LLMError("invalid_output", problem) from None
                repairs -= 1
                usage.notes.append("repaired")
                tail = [
                    *tail,
                    {"role": "assistant", "content": prompts.clip(content, 4000)},
                    {"role": "user", "content": prompts.repair_user(problem)},
                ]

    def _request_options(self, system: str, output: type[BaseModel], max_tokens: int) -> tuple[str, dict[str, Any]]:
        """The system message and the request's options, as this server accepts them so far."""
        name, schema = _SCHEMAS[output]
        kwargs: dict[str, Any] = {self._tokens_param: max_tokens}
        if self._send_temperature:
            kwargs["temperature"] = 0.1
        instructions = system
        if self.response_mode == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": schema, "strict": True},
            }
        else:
            instructions = prompts.with_schema(system, schema)
            if self.response_mode == "json_object":
                kwargs["response_format"] = {"type": "json_object"}
        return instructions, kwargs

    def _create(
        self,
        op: str,
        system: str,
        tail: list[dict[str, str]],
        output: type[BaseModel],
        usage: LLMUsage,
        deadline: float,
        max_tokens: int,
    ) -> Any:
        for _ in range(len(_MODES) + 2):  # each pass adapts one request feature the server rejected
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LLMError("timeout", f"{op} ran out of its {self.timeout_s * (self.max_retries + 1):.1f}s budget")
            instructions, kwargs = self._request_options(system, output, max_tokens)
            started = time.monotonic()
            try:
                response = create_completion(
                    self._client,
                    {"model": self.model, "messages": [{"role": "system", "content": instructions}, *tail], **kwargs},
                    timeout=max(min(self.timeout_s, remaining), 0.05),
                )
            except MalformedCompletion as exc:
                log.warning("llm output unusable", extra={"op": op, "reason": "invalid_output"})
                raise LLMError("invalid_output", str(exc)) from None
            except openai.BadRequestError as exc:
                if self._adapt(exc, usage):
                    continue
                raise self._failed(op, "bad_request", exc, started) from None
            except openai.APITimeoutError as exc:
                raise self._failed(op, "timeout", exc, started) from None
            except openai.RateLimitError as exc:
                raise self._failed(op, "rate_limited", exc, started) from None
            except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
                raise self._failed(op, "auth", exc, started) from None
            except openai.APIStatusError as exc:
                raise self._failed(
                    op, "server_error" if exc.status_code >= 500 else "bad_request", exc, started
                ) from None
            except openai.APIConnectionError as exc:
                raise self._failed(op, "connection", exc, started) from None
            except openai.OpenAIError as exc:
                raise self._failed(op, "error", exc, started) from None
            _record(usage, response, started)
            log.info(
                "llm call",
                extra={
                    "op": op,
                    "model": usage.model,
                    "mode": self.response_mode,
                    "prompt_tokens": usage.prompt_tokens,
                    "completion_tokens": usage.completion_tokens,
                    "latency_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        raise LLMError("bad_request", "the server rejected every request shape we know")

    def _adapt(self, exc: openai.BadRequestError, usage: LLMUsage) -> bool:
        """Step down to what this server supports, when its 400 names the feature it lacks."""
        body = exc.body if isinstance(exc.body, dict) else {}
        said = f"{exc.message} {body.get('message', '')} {body.get('param', '')}".lower()
        change = None
        if self.response_mode != "prompt" and any(w in said for w in ("response_format", "json_schema", "json_object")):
            self.response_mode = _MODES[_MODES.index(self.response_mode) + 1]
            change = f"response_format:{self.response_mode}"
        elif self._tokens_param == "max_tokens" and "max_tokens" in said:
            self._tokens_param, change = "max_completion_tokens", "max_completion_tokens"
        elif self._send_temperature and "temperature" in said:
            self._send_temperature, change = False, "no_temperature"
        if change:
            usage.notes.append(change)
            log.warning("llm server rejected a request feature; adapting", extra={"change": change})
        return change is not None

    def _failed(self, op: str, reason: str, exc: openai.OpenAIError, started: float) -> LLMError:
        status = getattr(exc, "status_code", None)
        error = LLMError(reason, f"{type(exc).__name__}: {getattr(exc, 'message', '') or exc}", status=status)
        log.warning(
            "llm call failed",
            extra={
                "op": op,
                "reason": reason,
                "status": status,
                "latency_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
        return error


# --- helpers ---------------------------------------------------------------------------------------


def _retry_after_cap(limit_s: float) -> Callable[[Any], None]:
    """A response hook: a server asking us to wait longer than `limit_s` gets no retry, so we fail fast.

    The openai client honours Retry-After up to two minutes; a Slack user will not wait that long,
    and the offline brain answers at once.
    """

    def hook(response: Any) -> None:  # the client's httpx Response; its headers are mutable
        wait = _retry_after_s(response.headers)
        if wait is not None and wait > limit_s:
            response.headers["x-should-retry"] = "false"

    return hook


def _retry_after_s(headers: Mapping[str, str]) -> float | None:
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        try:
            return parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError):
            return None


def _record(usage: LLMUsage, response: Any, started: float) -> None:
    usage.calls += 1
    usage.latency_ms += (time.monotonic() - started) * 1000
    usage.model = getattr(response, "model", None) or usage.model
    counted = getattr(response, "usage", None)
    if counted is not None:  # some local servers send none
        usage.prompt_tokens += counted.prompt_tokens or 0
        usage.completion_tokens += counted.completion_tokens or 0
        usage.total_tokens += counted.total_tokens or 0
        record_tokens(usage.model, counted.prompt_tokens or 0, counted.completion_tokens or 0)


def _content(response: Any) -> str:
    if not getattr(response, "choices", None):
        raise LLMError("invalid_output", "the response has no choices")
    choice = response.choices[0]
    if getattr(choice.message, "refusal", None) or choice.finish_reason == "content_filter":
        raise LLMError("refusal", "the model declined to answer")
    return choice.message.content or ""


def _parse(content: str, output: type[Out]) -> Out:
    """JSON from strict mode is bare; fallback modes may wrap it in a code fence or prose."""
    text = content.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, re.S)
    if fenced:
        text = fenced.group(1)
    try:
        data = json.loads(text)
    except ValueError:
        start, end = text.find("{"), text.rfind("}")
        if not 0 <= start < end:
            raise
        data = json.loads(text[start : end + 1])
    return output.model_validate(data)


def _problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'root'}: {e['msg']}" for e in exc.errors()[:5])
    return f"not valid JSON ({exc})"


def _to_analysis(out: AnalysisOutput, texts: Sequence[str], bot_user_id: str | None) -> Analysis:
    """Trust the model's judgement, not its facts: ids must appear in the text, severity needs an incident."""
    incident = out.intent == "incident"
    present = [i for i in dict.fromkeys(_MENTION.findall("\n".join(texts))) if i != bot_user_id]
    wanted = {_bare_id(a) for a in out.attendees}
    meeting = MeetingNeed(needed=False)
    if out.meeting_needed:
        duration = out.meeting_duration_min
        meeting = MeetingNeed(
            needed=True,
            title=_clean(out.meeting_title, 200),
            duration_min=None if not duration or duration <= 0 else min(max(duration, 5), 480),
            attendees=[i for i in present if i in wanted],
        )
    confidence = out.confidence if math.isfinite(out.confidence) else 0.5
    return Analysis(
        intent=Intent(out.intent),
        severity=(Severity(out.severity) if out.severity else Severity.MEDIUM) if incident else None,
        summary=_clean(out.summary, 300) if incident else None,
        service=_clean(out.service, 100),
        meeting=meeting,
        language=out.language,
        confidence=min(max(confidence, 0.0), 1.0),
    )


def _dont_know(analysis: Analysis, message: str) -> ComposedAnswer:
    """The offline brain's honest no-match reply ("not in the runbooks, add one with /nox kb add")."""
    return compose(analysis, message, [])


def _bare_id(value: str) -> str:
    match = _MENTION.search(value)
    return match.group(1) if match else value.strip().lstrip("@").upper()


def _clean(value: str | None, limit: int) -> str | None:
    value = " ".join((value or "").split())
    return prompts.clip(value, limit) if value else None


def _outside_code(text: str) -> str:
    return " ".join(part for i, part in enumerate(_CODE.split(text)) if i % 2 == 0)


def _renumber(text: str, position: dict[int, int]) -> str:
    """Citations point at the sections the model saw; renumber them to the Sources line's order."""

    def fix(match: re.Match[str]) -> str:
        numbers = [int(n) for n in match.group(1).split(",")]
        if not all(n in position for n in numbers):
            return match.group(0)
        return "[" + ", ".join(str(n) for n in dict.fromkeys(position[n] for n in numbers)) + "]"

    parts = _CODE.split(text)
    return "".join(part if i % 2 else _CITATION.sub(fix, part) for i, part in enumerate(parts))


def _fit(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a line or word, code fences kept balanced."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 6]  # room for " …" and a closing fence
    boundary = max(cut.rfind("\n"), cut.rfind(" "))
    cut = (cut[:boundary] if boundary > limit // 2 else cut).rstrip()
    if cut.count("```") % 2:
        return cut + "\n```"
    return cut + " …"
