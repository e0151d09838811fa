"""Test doubles for the knowledge package."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from knowledge.text import fold


class HashEmbedder:
    """Bag of words hashed into `dim` signed buckets: texts sharing words are close.

    Deterministic and instant, so ingestion and search logic can be tested without the model;
    `model_id` can pose as another model to exercise model switches.
    """

    def __init__(self, model_id: str = "test-hash-64", dim: int = 64) -> None:
        self.model_id = model_id
        self.dim = dim
        self.calls = 0
        self.texts = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", fold(text)):
                digest = hashlib.sha1(word.encode()).digest()
                out[row, digest[0] % self.dim] += 1.0 if digest[1] & 1 else -1.0
                out[row, digest[2] % self.dim] += 0.5 if digest[3] & 1 else -0.5
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
            else:
                out[row, 0] = 1.0
        return out
