"""Throughput of the local all-MiniLM-L6-v2 embedder on runbook-sized chunks.

    .venv/bin/python bench/embeddings.py                       # numpy vs a naive numpy baseline
    .venv/bin/python bench/embeddings.py --compare /tmp/stvenv/bin/python
        # also sentence-transformers (torch) and onnxruntime, run by that interpreter on the
        # same chunks: they stay out of the project's dependencies, this only measures them
    .venv/bin/python bench/embeddings.py --busy 1     # with one other process hogging a core

Prints texts/s and tokens/s at 1, 16 and 64 texts per embed() call, ratios to the naive
baseline measured in the same run, and which BLAS numpy uses.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RUNBOOKS = Path(os.environ.get("JAMONO_SHARED", ROOT.parent / "shared")) / "corpus" / "runbooks"
BATCH_SIZES = (1, 16, 64)
# A competing process for --busy; it ends by itself after an hour in any case.
BUSY_LOOP = "import time\nend = time.monotonic() + 3600\nwhile time.monotonic() < end: pass"


def load_chunks(n: int, size: int = 800) -> list[str]:
    """~size-char pieces of the runbooks, cut at whitespace; shifted passes until n distinct."""
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(RUNBOOKS.rglob("*.md"))]
    if not texts:
        raise SystemExit(f"no runbooks under {RUNBOOKS}")
    chunks: list[str] = []
    for shift in range(0, size, size // 4):
        for text in texts:
            start = shift
            while start < len(text) and len(chunks) < n:
                end = min(len(text), start + size)
                cut = text.rfind(" ", start + size // 2, end) if end < len(text) else end
                end = cut if cut > 0 else end
                piece = text[start:end].strip()
                if len(piece) > size // 4:
                    chunks.append(piece)
                start = end
        if len(chunks) >= n:
            break
    return chunks[:n]


def blas_info() -> str:
    """What numpy's BLAS is and how many threads it uses (threadpoolctl if present)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        import contextlib
        import io

        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            np.show_config()
        lines = [ln.strip() for ln in buf.getvalue().splitlines() if "openblas configuration" in ln or "name:" in ln]
        return "threadpoolctl not installed; np.show_config(): " + "; ".join(dict.fromkeys(lines))
    infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(
        f"{i['internal_api']} {i.get('version')} kernel={i.get('architecture')} threads={i['num_threads']}"
        for i in infos
    )


def one_pass(embed: Callable[[Sequence[str]], object], chunks: list[str], batch: int) -> float:
    """Seconds to embed all chunks, batch texts per call, after a warm-up call."""
    embed(chunks[:batch])
    start = time.perf_counter()
    for i in range(0, len(chunks), batch):
        embed(chunks[i : i + batch])
    return time.perf_counter() - start


# --------------------------------------------------------------------------- baseline


def naive_embedder(model: object) -> Callable[[Sequence[str]], np.ndarray]:
    """The straightforward numpy forward pass, one text at a time, a fresh array per op.

    Same weights and maths as LocalMiniLM, without its length-sorted batching, reused
    buffers, blocked feed-forward or own threads: what those are measured against.
    """
    m: object = model
    a1, a2, a3, a4, a5 = (np.float32(c) for c in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429))

    def erf(x: np.ndarray) -> np.ndarray:  # Abramowitz & Stegun 7.1.26
        t = 1.0 / (1.0 + np.float32(0.3275911) * np.abs(x))
        poly = t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5))))
        return np.sign(x) * (1.0 - poly * np.exp(-x * x))

    def norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + m._eps) * w + b  # type: ignore[attr-defined]

    def one(ids: list[int]) -> np.ndarray:
        t, d, nh = len(ids), m.dim, m._heads  # type: ignore[attr-defined]
        h = norm(m._word[ids] + m._pos[:t] + m._type0, *m._emb_ln)  # type: ignore[attr-defined]
        for L in m._layers:  # type: ignore[attr-defined]
            q, k, v = np.split(h @ L.wqkv + L.bqkv, 3, axis=1)
            q, k, v = (x.reshape(t, nh, -1).transpose(1, 0, 2) for x in (q, k, v))
            s = q @ k.transpose(0, 2, 1)
            p = np.exp(s - s.max(-1, keepdims=True))
            ctx = (p / p.sum(-1, keepdims=True)) @ v
            h = norm(ctx.transpose(1, 0, 2).reshape(t, d) @ L.wo + L.bo + h, *L.ln1)
            inter = h @ L.wi + L.bi
            inter = inter * 0.5 * (1.0 + erf(inter / np.float32(math.sqrt(2.0))))
            h = norm(inter @ L.wo2 + L.bo2 + h, *L.ln2)
        v = h.mean(0)
        return v / np.linalg.norm(v)

    def embed(texts: Sequence[str]) -> np.ndarray:
        return np.stack([one(ids) for ids in m.tokenize(texts)])  # type: ignore[attr-defined]

    return embed


# --------------------------------------------------------------------------- other runtimes


def worker(kind: str, model_dir: str) -> None:
    """Serve timings from the comparison venv: chunks on the first stdin line, then one
    batch size per line, each answered with the seconds of one pass."""
    chunks: list[str] = json.loads(sys.stdin.readline())
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if kind == "torch":
        import torch
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(model_dir, device="cpu")
        label = f"torch {torch.__version__} sentence-transformers (threads={torch.get_num_threads()})"

        def embed(texts: Sequence[str]) -> object:
            return model.encode(list(texts), batch_size=64, convert_to_numpy=True)

    else:
        embed, label = _onnx_embedder(model_dir)
    print(json.dumps({"label": label}), flush=True)
    for line in sys.stdin:
        print(json.dumps({"seconds": one_pass(embed, chunks, int(line))}), flush=True)


def _onnx_embedder(model_dir: str) -> tuple[Callable[[Sequence[str]], np.ndarray], str]:
    """Export BertModel to ONNX once (under /tmp), then tokenise, run, mean-pool, normalise."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    path = Path("/tmp/minilm-bench/model.onnx")
    if not path.exists():
        import torch
        from transformers import AutoModel

        path.parent.mkdir(parents=True, exist_ok=True)

        class Encoder(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.bert = AutoModel.from_pretrained(model_dir).eval()

            def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
                return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        ids = torch.ones((2, 16), dtype=torch.long)
        torch.onnx.export(
            Encoder(),
            (ids, torch.ones_like(ids)),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            opset_version=17,
            dynamo=False,
            dynamic_axes={n: {0: "batch", 1: "seq"} for n in ("input_ids", "attention_mask", "last_hidden_state")},
        )
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = os.cpu_count() or 1
    session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    tok = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    tok.enable_truncation(256)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")

    def embed(texts: Sequence[str]) -> np.ndarray:
        # Length-sorted batches of 64, as sentence-transformers and LocalMiniLM do.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), 384), dtype=np.float32)
        for i in range(0, len(order), 64):
            enc = tok.encode_batch([texts[j].strip() for j in order[i : i + 64]])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            (h,) = session.run(None, {"input_ids": ids, "attention_mask": mask})
            pooled = (h * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[order[i : i + 64]] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out

    return embed, f"onnxruntime {ort.__version__} (intra-op threads={opts.intra_op_num_threads})"


class Remote:
    """A torch or onnxruntime worker in another interpreter, kept alive so its passes can
    be interleaved with ours (load from other processes then hits all alike)."""

    def __init__(self, python: str, kind: str, chunks: list[str], model_dir: str) -> None:
        self._stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (lives as long as the worker)
        self._proc = subprocess.Popen(
            [python, __file__, "--worker", kind, "--model-dir", model_dir],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self.label = self._ask(json.dumps(chunks))["label"]

    def run(self, batch: int) -> float:
        return float(self._ask(str(batch))["seconds"])

    def _ask(self, line: str) -> dict[str, Any]:
        assert self._proc.stdin and self._proc.stdout
        self._proc.stdin.write(line + "\n")
        self._proc.stdin.flush()
        answer = self._proc.stdout.readline()
        if not answer:
            self._stderr.seek(0)
            raise RuntimeError(self._stderr.read().strip().splitlines()[-1:])
        return json.loads(answer)

    def close(self) -> None:
        if self._proc.stdin:
            self._proc.stdin.close()
        self._proc.wait(timeout=60)


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; each measurement keeps its best")
    parser.add_argument(
        "--compare", metavar="PYTHON", help="interpreter with torch, sentence-transformers, onnxruntime"
    )
    parser.add_argument("--busy", type=int, default=0, help="CPU-burning processes to run alongside (contention)")
    parser.add_argument("--worker", choices=("torch", "onnx"), help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.model_dir)
        return

    sys.path.insert(0, str(ROOT))
    from knowledge.embeddings import LocalMiniLM, _default_model_dir

    chunks = load_chunks(args.chunks)
    model = LocalMiniLM().load()
    tokens = sum(len(ids) for ids in model.tokenize(chunks))
    print(f"{len(chunks)} chunks, {tokens} tokens (mean {tokens / len(chunks):.0f}, max 256), {os.cpu_count()} cores")
    print(f"BLAS: {blas_info()}")
    print(f"LocalMiniLM threads={model.threads} batch_tokens={model.batch_tokens} ffn_rows={model.ffn_rows}")
    env = {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS_", "OMP_", "MKL_"))}
    print(f"env: {env or '-'}; load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")

    naive = naive_embedder(model)
    runs: list[tuple[str, int, Callable[[], float]]] = [
        ("naive numpy, per text", 1, lambda: one_pass(naive, chunks, 1))
    ]
    runs += [("LocalMiniLM (numpy)", b, functools.partial(one_pass, model.embed, chunks, b)) for b in BATCH_SIZES]
    remotes: list[Remote] = []
    for kind in ("torch", "onnx") if args.compare else ():
        try:
            remotes.append(Remote(args.compare, kind, chunks, str(_default_model_dir())))
        except RuntimeError as exc:
            print(f"{kind}: could not start: {exc}")
    runs += [(r.label, b, functools.partial(r.run, b)) for r in remotes for b in BATCH_SIZES]

    # Rounds over every implementation, best per implementation: other processes on a
    # shared machine only ever add time, and interleaving spreads their load evenly.
    busy = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(args.busy)]
    best = [math.inf] * len(runs)
    try:
        for round_no in range(1, args.repeat + 1):
            for i, (_, _, run) in enumerate(runs):
                best[i] = min(best[i], run())
            print(f"round {round_no}/{args.repeat} done, load average {os.getloadavg()[0]:.2f}")
    finally:
        for proc in busy:
            proc.kill()
        for remote in remotes:
            remote.close()

    base = best[0]
    print(f"\n{'implementation':<62} {'batch':>5} {'texts/s':>9} {'tokens/s':>9} {'vs naive':>9}")
    for (name, batch, _), seconds in zip(runs, best, strict=True):
        print(f"{name:<62} {batch:>5} {len(chunks) / seconds:>9.1f} {tokens / seconds:>9.0f} {base / seconds:>8.2f}x")


if __name__ == "__main__":
    main()
