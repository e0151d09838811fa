"""NOX's offline brain: understand a Slack message with no network at all.
Why and how: docs/design/brain.md."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from jamono.brain.analysis import Analysis, Intent, MeetingNeed, Severity
from jamono.brain.classifier import LinearHead, ordinal_decode
from jamono.brain.extract import (
    extract_attendees,
    extract_duration,
    extract_service,
    meeting_title,
    summarize,
)
from jamono.brain.features import (
    Embed,
    FeatureConfig,
    embedding_text,
    featurize,
    load_embedder,
)
from jamono.brain.language import detect_language
from jamono.brain.training import (
    DEFAULT_MODEL,
    HEADS,
    INTENTS,
    MEETING_THRESHOLD,
    SEVERITIES,
    decide_intent,
    unpack_head,
)
from knowledge.blas import single_threaded_blas

# A reply in an incident thread that the model finds ambiguous ("toujours KO ?",
# "same here") leans towards the thread's incident; how much, and from where.
CONTEXT_WEIGHT = 0.35
CONTEXT_MIN_INCIDENT = 0.6
CONTEXT_MESSAGES = 3
MAX_TEXT_CHARS = 4000


class _Model:
    """One loaded variant: its feature config, three heads and decision thresholds."""

    def __init__(
        self,
        config: FeatureConfig,
        heads: dict[str, LinearHead],
        embed: Embed | None,
        incident_threshold: float = 0.5,
        meeting_threshold: float = MEETING_THRESHOLD,
    ) -> None:
        self.config = config
        self.heads = heads
        self.embed = embed
        self.incident_threshold = incident_threshold
        self.meeting_threshold = meeting_threshold

    def probabilities(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        embeddings = None
        if self.config.use_embeddings:
            assert self.embed is not None
            with single_threaded_blas():
                embeddings = self.embed([embedding_text(t) for t in texts])
        x = featurize(texts, self.config, embeddings=embeddings)
        return {name: head.predict_proba(x) for name, head in self.heads.items()}


class OfflineBrain:
    """Intent, severity, summary, service and meeting need for one message.

    Thread-safe: the artifact loads once under a lock and is read-only after.
    """

    def __init__(self, model_path: str | Path | None = None, bot_user_id: str | None = None) -> None:
        self.model_path = Path(model_path) if model_path else DEFAULT_MODEL
        self.bot_user_id = bot_user_id
        self._lock = threading.Lock()
        self._model: _Model | None = None
        self.meta: dict[str, Any] = {}

    # ------------------------------------------------------------- loading

    def load(self) -> OfflineBrain:
        """Read the artifact (call at worker start to pay the cost up front)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self

    def _load(self) -> _Model:
        with np.load(self.model_path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        self.meta = json.loads(arrays["meta_json"].tobytes().decode("utf-8"))
        variants: dict[str, dict[str, Any]] = self.meta["variants"]
        order = [str(self.meta.get("preferred_variant", "lex")), "lex"]
        for name in dict.fromkeys(order):
            if name not in variants:
                continue
            config = FeatureConfig.from_dict(variants[name]["features"])
            embed = None
            if config.use_embeddings:
                embed = load_embedder()
                if embed is None:
                    continue  # fall back to the lexical-only variant
            heads = {h: unpack_head(arrays, f"{name}__{h}", config.n_buckets) for h in HEADS}
            self.variant = name
            info = variants[name]
            return _Model(
                config,
                heads,
                embed,
                incident_threshold=float(info.get("incident_threshold", 0.5)),
                meeting_threshold=float(info.get("meeting_threshold", MEETING_THRESHOLD)),
            )
        raise RuntimeError(f"{self.model_path} has no usable model variant")

    # ------------------------------------------------------------ analysis

    def analyze(self, text: str, context: Sequence[str] = ()) -> Analysis:
        """Understand one Slack message; `context` = earlier messages of the thread."""
        model = self.load()._model
        assert model is not None
        text = (text or "")[:MAX_TEXT_CHARS]
        context = [c[:MAX_TEXT_CHARS] for c in context if c and c.strip()][-CONTEXT_MESSAGES:]
        probs = model.probabilities([text])
        intent_p = probs["intent"][0].copy()
        if context and float(intent_p.max()) < 0.8:
            intent_p = self._with_thread(intent_p, model.probabilities(context)["intent"])
        intent_idx = int(decide_intent(intent_p[None, :], model.incident_threshold)[0])
        intent = Intent(INTENTS[intent_idx])
        language = detect_language(text, context)

        severity = summary = None
        if intent is Intent.INCIDENT:
            sev_idx = int(ordinal_decode(probs["severity"][:1])[0])
            severity = Severity(SEVERITIES[sev_idx])
            summary = summarize(text)
        service = extract_service(text)
        if service is None and intent is Intent.INCIDENT:
            service = next((s for s in map(extract_service, reversed(context)) if s), None)

        needed = intent is Intent.MEETING or (
            intent is Intent.INCIDENT
            and (severity is Severity.CRITICAL or probs["meeting"][0, 1] >= model.meeting_threshold)
        )
        meeting = MeetingNeed()
        if needed:
            meeting = MeetingNeed(
                needed=True,
                title=meeting_title(text, language, service, incident=intent is Intent.INCIDENT)[:200],
                duration_min=extract_duration(text, near_meeting_word=intent is Intent.INCIDENT),
                attendees=extract_attendees(text, self.bot_user_id),
            )
        return Analysis(
            intent=intent,
            severity=severity,
            summary=summary,
            service=service[:100] if service else None,
            meeting=meeting,
            language=language,
            confidence=round(float(np.clip(intent_p[intent_idx], 0.0, 1.0)), 4),
        )

    def severity_if_incident(self, text: str) -> Severity:
        """The severity the model gives `text` as if it were an incident (for evaluation)."""
        model = self.load()._model
        assert model is not None
        proba = model.probabilities([(text or "")[:MAX_TEXT_CHARS]])["severity"]
        return Severity(SEVERITIES[int(ordinal_decode(proba)[0])])

    @staticmethod
    def _with_thread(own: np.ndarray, earlier: np.ndarray) -> np.ndarray:
        """Lean an unsure reply towards a live incident the thread is about."""
        thread_incident = float(earlier[:, 0].max())
        if thread_incident < CONTEXT_MIN_INCIDENT:
            return own
        prior = np.zeros_like(own)
        prior[0] = 1.0
        mixed = (1.0 - CONTEXT_WEIGHT) * own + CONTEXT_WEIGHT * thread_incident * prior
        return mixed / mixed.sum()
