"""The bundled runbooks' vectors ship with Jamono; they must cover today's bundled text exactly."""

import numpy as np

from knowledge.embeddings import local_embedder
from knowledge.shipped_vectors import bundled_texts, load_shipped, text_key


def test_every_bundled_chunk_has_a_shipped_vector():
    model = local_embedder().model_id
    shipped = load_shipped(model)
    missing = [t[:60] for t in bundled_texts() if text_key(model, t) not in shipped]
    assert not missing, f"{len(missing)} bundled chunks have no shipped vector: run `jamono kb bundle-vectors`"


def test_shipped_vectors_match_the_live_model():
    embedder = local_embedder()
    texts = bundled_texts()
    sample = [texts[0], texts[len(texts) // 2]]
    shipped = load_shipped(embedder.model_id)
    live = embedder.embed(sample)
    for text, vector in zip(sample, live, strict=True):
        stored = shipped[text_key(embedder.model_id, text)]
        assert float(np.dot(stored, vector) / np.linalg.norm(stored)) > 0.999
