"""A loopback stand-in for the OpenAI chat-completions API, scripted per test.

There is no OpenAI access in development or CI, yet NOX's LLM brain must be
tested through the real `openai` client: its retries, timeouts, Retry-After
handling and error classes are part of the behaviour. So this server speaks the
real wire format (`POST /v1/chat/completions`, OpenAI's response and error
shapes) on 127.0.0.1, runs on its own thread (usable from sync and async tests),
answers from a FIFO queue of scripted steps, and records every request.

Example::

    from openai import OpenAI
    from tests.standins.openai_api import OpenAIStandIn

    with OpenAIStandIn() as api:
        api.rate_limit(retry_after=1)                  # first request: HTTP 429, Retry-After: 1
        api.reply({"answer": "Restart it [1]", "used_sources": [1], "covered": True})
        client = OpenAI(api_key=api.api_key, base_url=api.base_url)
        done = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        assert done.choices[0].message.content.startswith('{"answer"')
        assert len(api.requests) == 2 and api.requests[-1].user_text == "hi"

Each request consumes one step; retries consume steps too (script a 429 *then*
a reply). A step's content may be a callable that receives the request JSON and
returns the content, for answers that depend on the prompt. With the queue
empty, `default` answers (a content or callable) or, if unset, a 400 naming the
problem so a test fails loudly instead of hanging. Capabilities, not one-shot
faults: `json_schema_supported = False` makes every request that asks for
`response_format: json_schema` fail with HTTP 400, as older Ollama/vLLM do.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp import web

from jamono.sandbox.loop_thread import LoopThread

Content = str | dict[str, Any] | list[Any] | None
Responder = Callable[[dict[str, Any]], Content]

RATE_LIMIT_MESSAGE = "Rate limit reached for requests. Please try again later."
SERVER_ERROR_MESSAGE = "The server had an error while processing your request. Sorry about that!"
JSON_SCHEMA_REJECTED = "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model."
JSON_OBJECT_REJECTED = "Invalid parameter: 'response_format' of type 'json_object' is not supported with this model."


@dataclass(frozen=True)
class ApiError:
    """OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`."""

    message: str
    type: str = "invalid_request_error"
    code: str | None = None
    param: str | None = None

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


@dataclass(frozen=True)
class Step:
    """One scripted answer: a completion (status 200) or an error, optionally late."""

    content: Content | Responder = None
    status: int = 200
    error: ApiError | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    finish_reason: str = "stop"
    refusal: str | None = None
    usage: dict[str, int] | None = None


@dataclass(frozen=True)
class RecordedRequest:
    """What the stand-in received; `api_key` is the bearer token, kept apart from `headers`."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    api_key: str | None
    at: float

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("messages") or [])

    def text_of(self, role: str) -> str:
        """All content of one role's messages, joined (string or content-part form)."""
        return "\n".join(_content_text(m.get("content")) for m in self.messages if m.get("role") == role)

    @property
    def system_text(self) -> str:
        return self.text_of("system")

    @property
    def user_text(self) -> str:
        return self.text_of("user")

    @property
    def model(self) -> str | None:
        return (self.body or {}).get("model")

    @property
    def response_format_type(self) -> str | None:
        fmt = (self.body or {}).get("response_format")
        return fmt.get("type") if isinstance(fmt, dict) else None


class OpenAIStandIn:
    """The OpenAI chat-completions API on loopback; see the module docstring for an example."""

    def __init__(self, *, api_key: str = "sk-standin-0000000000000000", model: str = "gpt-4o-mini") -> None:
        self.api_key = api_key
        self.model = model
        self.json_schema_supported = True
        self.json_object_supported = True
        self.default: Content | Responder = None
        self.default_delay_s = 0.0  # how long `default` answers take (a slow model, for benchmarks)
        self.in_flight = 0  # chat completions being answered now, and the most at once
        self.max_in_flight = 0
        self._steps: deque[Step] = deque()
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._thread = LoopThread("openai-standin", what="OpenAI stand-in")
        self._runner: web.AppRunner | None = None
        self._closing: asyncio.Event | None = None
        self._port = 0

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """What `OpenAI(base_url=...)` / `OPENAI_BASE_URL` should be."""
        if not self._port:
            raise RuntimeError("OpenAIStandIn is not started")
        return f"http://127.0.0.1:{self._port}/v1"

    def start(self) -> OpenAIStandIn:
        self._thread.start(self._serve, self._shut)
        return self

    def stop(self) -> None:
        self._thread.stop()

    def __enter__(self) -> OpenAIStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- scripting -------------------------------------------------------------------------

    def push(self, step: Step, times: int = 1) -> Step:
        """Queue a step (`times` copies); the building block of the helpers below."""
        with self._lock:
            self._steps.extend(replace(step) for _ in range(times))
        return step

    def reply(
        self,
        content: Content | Responder,
        *,
        finish_reason: str = "stop",
        usage: dict[str, int] | None = None,
        times: int = 1,
    ) -> Step:
        """A completion whose message content is `content` (dicts and lists are sent as JSON text)."""
        return self.push(Step(content=content, finish_reason=finish_reason, usage=usage), times)

    def malformed(self, content: str = '{"intent": "incident", "severity": ', *, times: int = 1) -> Step:
        """A completion whose content is not valid JSON (e.g. cut off mid-object)."""
        return self.reply(content, times=times)

    def refuse(self, refusal: str = "I'm sorry, I can't help with that.") -> Step:
        """A structured-output refusal, as OpenAI sends it: `content` null, `refusal` set."""
        return self.push(Step(content=None, refusal=refusal))

    def error(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",  # noqa: A002 - OpenAI's field name
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> Step:
        """Any HTTP error in OpenAI's error shape."""
        error = ApiError(message=message, type=type, code=code, param=param)
        return self.push(Step(status=status, error=error, headers=dict(headers or {})), times)

    def rate_limit(self, retry_after: float | str = 1, *, times: int = 1) -> Step:
        """HTTP 429 with a Retry-After header (seconds, or an HTTP date string)."""
        value = retry_after if isinstance(retry_after, str) else _seconds(retry_after)
        return self.error(
            429,
            RATE_LIMIT_MESSAGE,
            type="requests",
            code="rate_limit_exceeded",
            headers={"Retry-After": value},
            times=times,
        )

    def server_error(self, status: int = 500, *, times: int = 1) -> Step:
        return self.error(status, SERVER_ERROR_MESSAGE, type="server_error", times=times)

    def stall(self, seconds: float, content: Content = "{}", *, times: int = 1) -> Step:
        """Answer only after `seconds` (longer than the client's timeout, to test it)."""
        return self.push(Step(content=content, delay_s=seconds), times)

    @property
    def pending(self) -> int:
        """Scripted steps not consumed yet."""
        with self._lock:
            return len(self._steps)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> RecordedRequest:
        with self._lock:
            if not self._requests:
                raise LookupError("the OpenAI stand-in has received no request")
            return self._requests[-1]

    def reset(self) -> None:
        """Forget steps, requests, capabilities and default (between tests sharing one server)."""
        with self._lock:
            self._steps.clear()
            self._requests.clear()
            self.json_schema_supported = self.json_object_supported = True
            self.default = None

    # --- serving ---------------------------------------------------------------------------

    async def _serve(self) -> None:
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat_completions)
        app.router.add_post("/v1/embeddings", self._embeddings)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(runner.addresses[0][1])
        self._runner = runner

    async def _shut(self) -> None:
        assert self._closing is not None and self._runner is not None
        self._closing.set()  # ends stalls at once, so shutdown never waits for them
        await self._runner.cleanup()

    async def _not_found(self, request: web.Request) -> web.Response:
        await self._record(request)
        error = ApiError(f"Invalid URL ({request.method} {request.path})", code="unknown_url")
        return web.json_response(error.body(), status=404)

    async def _record(self, request: web.Request) -> RecordedRequest:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        auth = request.headers.get("Authorization", "")
        headers = {k.lower(): v for k, v in request.headers.items() if k.lower() != "authorization"}
        recorded = RecordedRequest(
            method=request.method,
            path=request.path,
            headers=headers,
            body=body if isinstance(body, dict) else None,
            api_key=auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None,
            at=time.monotonic(),
        )
        with self._lock:
            self._requests.append(recorded)
        return recorded

    async def _chat_completions(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        if recorded.api_key != self.api_key:
            error = ApiError("Incorrect API key provided.", code="invalid_api_key")
            return web.json_response(error.body(), status=401)
        body = recorded.body
        if body is None or not isinstance(body.get("messages"), list) or not body.get("model"):
            error = ApiError("'model' and 'messages' are required properties.", param="messages")
            return web.json_response(error.body(), status=400)
        rejected = self._capability_error(recorded.response_format_type)
        if rejected is not None:
            return web.json_response(rejected.body(), status=400)

        step = self._next_step()
        if step is None:
            error = ApiError("OpenAI stand-in: no scripted response left for this request", code="standin_empty")
            return web.json_response(error.body(), status=400)
        if step.delay_s > 0:
            self.in_flight += 1  # the server's own loop: no lock needed
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                await self._sleep(step.delay_s)
            finally:
                self.in_flight -= 1
        if step.error is not None:
            return web.json_response(step.error.body(), status=step.status, headers=step.headers)

        content = step.content(body) if callable(step.content) else step.content
        text = content if isinstance(content, str) or content is None else json.dumps(content, ensure_ascii=False)
        return web.json_response(self._completion(body, text, step), status=step.status, headers=step.headers)

    async def _embeddings(self, request: web.Request) -> web.Response:
        """Deterministic unit vectors (a hash of each text), instantly: only chat is slow. In base64
        (little-endian float32) when asked, as OpenAI answers, else as lists of floats."""
        import base64
        import hashlib

        import numpy as np

        recorded = await self._record(request)
        body = recorded.body or {}
        texts = body.get("input") or []
        texts = [texts] if isinstance(texts, str) else texts
        dim = int(body.get("dimensions") or 1536)
        as_base64 = body.get("encoding_format") == "base64"
        data = []
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(str(text).encode()).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(dim)
            v /= np.linalg.norm(v)
            vector = base64.b64encode(v.astype("<f4").tobytes()).decode() if as_base64 else v.tolist()
            data.append({"object": "embedding", "index": i, "embedding": vector})
        usage = {"prompt_tokens": sum(len(str(t)) // 4 + 1 for t in texts)}
        usage["total_tokens"] = usage["prompt_tokens"]
        return web.json_response({"object": "list", "data": data, "model": body.get("model"), "usage": usage})

    def _capability_error(self, response_format: str | None) -> ApiError | None:
        if response_format == "json_schema" and not self.json_schema_supported:
            return ApiError(JSON_SCHEMA_REJECTED, param="response_format")
        if response_format == "json_object" and not self.json_object_supported:
            return ApiError(JSON_OBJECT_REJECTED, param="response_format")
        return None

    def _next_step(self) -> Step | None:
        with self._lock:
            if self._steps:
                return self._steps.popleft()
            return None if self.default is None else Step(content=self.default, delay_s=self.default_delay_s)

    async def _sleep(self, seconds: float) -> None:
        assert self._closing is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), timeout=seconds)

    def _completion(self, body: dict[str, Any], text: str | None, step: Step) -> dict[str, Any]:
        prompt_chars = sum(len(_content_text(m.get("content"))) for m in body["messages"] if isinstance(m, dict))
        prompt_tokens = max(1, math.ceil(prompt_chars / 4))
        completion_tokens = max(1, math.ceil(len(text or step.refusal or "") / 4))
        usage = step.usage or {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        return {
            "id": f"chatcmpl-{secrets.token_hex(12)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(body.get("model") or self.model),
            "system_fingerprint": "fp_standin",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": step.refusal},
                    "logprobs": None,
                    "finish_reason": step.finish_reason,
                }
            ],
            "usage": usage,
        }


def _content_text(content: Any) -> str:
    """Message content as text: a string, or the text parts of a content-part list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
