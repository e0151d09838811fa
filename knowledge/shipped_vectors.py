"""Vectors of the bundled runbooks, computed once and shipped with Jamono.
Why and how: docs/design/knowledge.md."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from knowledge.bundle import BUNDLED_DIR, BUNDLED_PREFIX
from knowledge.chunking import chunk_document
from knowledge.documents import load_paths
from knowledge.embeddings import Embedder

VECTORS_FILE = Path(__file__).resolve().parent / "bundled" / "vectors.npz"


def text_key(model_id: str, text: str) -> str:
    return hashlib.sha256(f"{model_id}\0{text}".encode()).hexdigest()


def bundled_texts() -> list[str]:
    """The exact texts `load_bundled` embeds, in a stable order."""
    folders = sorted(p for p in BUNDLED_DIR.iterdir() if p.is_dir() and not p.name.startswith("."))
    docs, _ = load_paths(folders, relative_to=BUNDLED_DIR, source_prefix=BUNDLED_PREFIX)
    texts = [chunk.embedding_text for doc in sorted(docs, key=lambda d: d.source) for chunk in chunk_document(doc)]
    return list(dict.fromkeys(texts))


def load_shipped(model_id: str, path: Path = VECTORS_FILE) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    with np.load(path, allow_pickle=False) as data:
        if str(data["model_id"]) != model_id:
            return {}
        return {str(k): v.astype(np.float32) for k, v in zip(data["keys"], data["vectors"], strict=True)}


def build(embedder: Embedder, path: Path = VECTORS_FILE) -> int:
    """Embed every bundled chunk and write the file (float16: ample for cosine ranking)."""
    texts = bundled_texts()
    vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
    keys = np.array([text_key(embedder.model_id, t) for t in texts])
    np.savez_compressed(path, model_id=np.array(embedder.model_id), keys=keys, vectors=vectors.astype(np.float16))
    return len(texts)
