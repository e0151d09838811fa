"""Turn Slack messages into feature vectors for the intent classifier.
Why and how: docs/design/brain.md."""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from jamono.brain.language import detect_language

EMBEDDING_MODEL_ID = "all-MiniLM-L6-v2"
EMBEDDING_DIM = 384


@dataclass(frozen=True)
class FeatureConfig:
    """Everything that changes the feature space; stored with the model."""

    n_buckets: int = 2**17
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (3, 5)
    word_weight: float = 1.0
    char_weight: float = 1.0
    signal_weight: float = 0.5
    use_embeddings: bool = False
    embedding_weight: float = 1.0
    embedding_model: str | None = None
    # Tense/time and impact cue groups (CUE_NAMES). Off by default so an
    # artifact trained before they existed keeps its dense layout.
    cue_weight: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> FeatureConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("word_ngrams", "char_ngrams"):
            if key in known:
                known[key] = tuple(known[key])  # type: ignore[arg-type]
        return cls(**known)  # type: ignore[arg-type]

    def dense_dim(self) -> int:
        return self.n_signals() + (EMBEDDING_DIM if self.use_embeddings else 0)

    def n_signals(self) -> int:
        return len(SIGNAL_NAMES) + (len(CUE_NAMES) if self.cue_weight else 0)


@dataclass
class FeatureMatrix:
    """A batch of feature rows: hashed sparse part in CSR form plus a dense part."""

    indptr: np.ndarray  # (n + 1,) int64
    indices: np.ndarray  # (nnz,) int64
    values: np.ndarray  # (nnz,) float64
    dense: np.ndarray  # (n, d) float64
    n_buckets: int
    rows: np.ndarray = field(init=False)  # (nnz,) row index of each value

    def __post_init__(self) -> None:
        self.rows = np.repeat(np.arange(len(self.indptr) - 1), np.diff(self.indptr))

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    def take(self, idx: Sequence[int] | np.ndarray) -> FeatureMatrix:
        """Rows `idx`, in that order (for cross-validation folds)."""
        idx = np.asarray(idx, dtype=np.int64)
        starts, ends = self.indptr[idx], self.indptr[idx + 1]
        lengths = ends - starts
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        pos = (
            np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)])
            if len(idx)
            else np.zeros(0, np.int64)
        )
        return FeatureMatrix(indptr, self.indices[pos], self.values[pos], self.dense[idx], self.n_buckets)


# ------------------------------------------------------------ normalisation

# Inside Slack markup `[^<>]`, not `[^>]`: Slack escapes < and > in what people type, so the two
# read Slack text alike, but `[^>]*` rescanned to the end from every `<@` of "<@<@<@…" (quadratic).
_MENTION_RE = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^<>]*)?>")
_HERE_RE = re.compile(r"<!(?:here|channel|everyone)(?:\|[^<>]*)?>|(?<!\w)@(?:here|channel|everyone)\b")
_CHANNEL_RE = re.compile(r"<#C[A-Z0-9]+(?:\|[^<>]*)?>")
_URL_RE = re.compile(r"<https?://[^<>]+>|https?://\S+")
_NOX_RE = re.compile(r"(?<![\w@])@nox\b", re.IGNORECASE)
_CODE_RE = re.compile(r"`{1,3}")
_SHORTCODE_RE = re.compile(r":([a-z0-9_+\-]+):")

_TOKEN_RE = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2})?"  # clock time
    r"|\d+(?:[.,]\d+)?\s?%"  # percentage
    r"|\d+h\d*|\d+\s?(?:min|mins|mn|m|s|sec|ms)\b"  # durations / latencies
    r"|[a-z0-9]+"
    r"|[!?]"
    r"|[\U0001F300-\U0001FAFF\u2600-\u27BF]"
)
_HTTP_5XX = {"500", "502", "503", "504"}
_HTTP_4XX = {"400", "401", "403", "404", "429"}


def fold(text: str) -> str:
    """Lowercase and strip accents: Slack typists drop them half of the time."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace("\u2019", "'").replace("\u2018", "'")


def normalise(text: str) -> str:
    """Slack markup → placeholder words, then accent-folded lowercase text."""
    text = _MENTION_RE.sub(" xmention ", text)
    text = _HERE_RE.sub(" xhere ", text)
    text = _CHANNEL_RE.sub(" xchannel ", text)
    text = _URL_RE.sub(" xurl ", text)
    text = _NOX_RE.sub(" xnox ", text)
    text = _SHORTCODE_RE.sub(lambda m: " emoji_" + m.group(1).replace("-", "_") + " ", text)
    text = _CODE_RE.sub(" xcode ", text)
    return re.sub(r"\s+", " ", fold(text)).strip()


def _shape(token: str) -> list[str]:
    """Raw token plus a shape token for numbers (times, %, HTTP codes…)."""
    if token[0].isdigit():
        if ":" in token:
            return ["xtime"]
        if token.endswith("%"):
            return ["xpct"]
        if re.fullmatch(r"\d+h\d*", token):
            return ["xdur"]
        if re.fullmatch(r"\d+\s?(?:min|mins|mn|m)", token):
            return ["xdur"]
        if re.fullmatch(r"\d+\s?(?:s|sec|ms)", token):
            return ["xlatency"]
        if token in _HTTP_5XX:
            return [token, "x5xx"]
        if token in _HTTP_4XX:
            return [token, "x4xx"]
        return ["xnum"]
    return [token]


def tokens(text: str) -> list[str]:
    """Word tokens of a normalised message, numbers replaced by their shape."""
    out: list[str] = []
    for raw in _TOKEN_RE.findall(normalise(text)):
        out.extend(_shape(raw))
    return out


# ------------------------------------------------------------------ signals

SIGNAL_NAMES: tuple[str, ...] = (
    "question_mark",
    "ends_with_question",
    "exclamation",
    "many_exclamations",
    "digits",
    "percent",
    "clock_time",
    "http_5xx",
    "http_4xx",
    "mention",
    "several_mentions",
    "here_channel",
    "code",
    "url",
    "shouting",
    "emoji",
    "len_le_4",
    "len_le_10",
    "len_le_25",
    "len_gt_25",
    "french",
    "meeting_word",
    "meeting_request",
    "meeting_length",
)

# Vocabulary of calls and meetings (folded). "call" alone is ambiguous ("api
# calls time out"), which is why these are features the model weighs, not rules.
_MEETING_WORD_RE = re.compile(
    r"\b(?:call|calls|meeting|meet|sync|huddle|bridge|war ?room|zoom|visio|reunion|reu|point|appel|"
    r"pont|cellule de crise|crisis|standup|1:1|one-on-one|tete-a-tete|workshop|atelier|creneau|slot)\b"
)
_MEETING_REQUEST_RE = re.compile(
    r"\b(?:(?:can|could|shall) we (?:get|jump|hop|do|have|set up|schedule|book|meet|sync|talk|grab|start|open)|"
    r"let'?s (?:meet|sync|talk|jump|hop|get on|open|do a|have a|set up)|jump on|hop on|join (?:the|now|us)|"
    r"on s'appelle|on se (?:fait|cale|voit|retrouve|prend|capte|call)|on (?:monte|ouvre|lance|fait) (?:un|une)|"
    r"je (?:lance|monte|ouvre) (?:un|une)|rejoignez|rejoindre|dispo pour|free for|are you free|t'es dispo|"
    r"tu es dispo|vous etes dispo|got time|(?:book|schedule|set up|organise|organize|planifie|cale|caler|"
    r"reserve|bloque|bloquer|block) (?:a|an|un|une|the|la|le|\d)|war ?room|cellule de crise|point de crise|"
    r"need (?:a|an|un|une) (?:bridge|huddle|call|war|meeting|sync|point|visio|reunion)|"
    r"(?:en|on a|on the|sur|dans le) (?:visio|call|zoom|meet|huddle|bridge|pont|war ?room))"
)
_LENGTH_RE = re.compile(
    r"\b\d{1,3} ?(?:min|mins|minutes|mn)\b|\b\d h ?\d{0,2}\b|demi-heure|half an hour|half-hour|"
    r"quart d'heure|\b(?:une|one|an) (?:heure|hour)\b"
)


def signals(text: str, toks: list[str]) -> np.ndarray:
    """Message-shape cues that words alone encode poorly."""
    stripped = text.strip()
    folded = fold(_MENTION_RE.sub(" ", text))
    letters = [c for c in _MENTION_RE.sub("", text) if c.isalpha()]
    upper = sum(1 for c in letters if c.isupper())
    n = len([t for t in toks if t not in {"?", "!"}])
    mentions = len(_MENTION_RE.findall(text))
    values = [
        "?" in text,
        stripped.endswith("?"),
        "!" in text,
        text.count("!") >= 2,
        any(c.isdigit() for c in _MENTION_RE.sub("", text)),
        "xpct" in toks,
        "xtime" in toks,
        "x5xx" in toks,
        "x4xx" in toks,
        mentions >= 1,
        mentions >= 2,
        "xhere" in toks,
        "`" in text,
        "xurl" in toks,
        len(letters) >= 6 and upper / max(1, len(letters)) > 0.5,
        any(t.startswith("emoji_") or len(t) == 1 and ord(t) > 0x2600 for t in toks),
        n <= 4,
        4 < n <= 10,
        10 < n <= 25,
        n > 25,
        detect_language(text) == "fr",
        bool(_MEETING_WORD_RE.search(folded)),
        bool(_MEETING_REQUEST_RE.search(folded)),
        bool(_LENGTH_RE.search(folded)),
    ]
    return np.asarray(values, dtype=np.float64)


# -------------------------------------------------------------------- cues

# Groups of words that say *when* something happened and *how many* it hurts,
# in English and French (folded: lowercase, no accents). Each group is one
# feature, so evidence learned from "yesterday" also counts for "hier" or
# "last night", and "every customer" for "tous les clients", which the hashed
# n-grams alone only learn word by word. Features the model weighs, not rules.
_W = r"(?<![\w])"  # start of a word (handles the French elision "l'", "d'")
_CUES: tuple[tuple[str, str], ...] = (
    (
        "cue_past",
        _W
        + r"(?<!since )(?<!depuis )(?:yesterday|last (?:night|week|weekend|month|year|time|monday|tuesday|wednesday|thursday|"
        r"friday|saturday|sunday|spring|summer|autumn|fall|winter|quarter|sprint)|earlier (?:today|this week)|"
        r"\d+ (?:days?|weeks?|months?) ago|a (?:week|month) ago|the other day|hier|avant-hier|"
        r"(?:la semaine|le mois|le week-end|l'an|l'annee|le trimestre|le sprint) (?:dernier|derniere|passee?)|"
        r"il y a (?:\d+|deux|trois|quelques) (?:jours|semaines|mois)|l'autre jour|"
        r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) dernier)\b",
    ),
    (
        "cue_past_tense",
        _W + r"(?:was|were|had|lasted|went|happened|caused|took|came from|"
        r"etait|etaient|a ete|ont ete|avait|avaient|a dure|s'est (?:passe|produit|deroule)|venait|a eu|on a eu)\b",
    ),
    (
        "cue_since_ongoing",
        _W
        + r"(?:(?:since|depuis) (?!then\b|lors\b)\w+|still|toujours|keeps?|continue[sd]?|ongoing|right now|currently|"
        r"at the moment|en ce moment|actuellement|en cours|encore|again|ca empire|getting worse)\b",
    ),
    (
        "cue_resolved",
        _W + r"(?:resolved|fixed|recovered|mitigated|back to normal|back up|back online|all good|"
        r"all clear|all green|stable (?:again|since)|closing|closed|works again|working again|is back|are back|"
        r"resolu|resolue|corrige|corrigee|retabli|retablie|revenu|revenue|reparti|repartis|remarche|"
        r"retour a la normale|rentre dans l'ordre|cloture|clos|fin d'alerte|tout est ok|tout va bien|de nouveau)\b",
    ),
    (
        "cue_review",
        _W + r"(?:post-?mortems?|post mortems?|rca|root cause|retro|retros|retrospective|"
        r"incident review|review of|write-?up|timeline|lessons learned|learnings|takeaways?|action items?|"
        r"five whys|5 whys|cause racine|compte rendu|rex|retour d'experience|revue (?:post-incident|d'incident|du)|"
        r"bilan|chronologie|5 pourquoi|actions? (?:de suivi|du postmortem))\b",
    ),
    (
        "cue_planned",
        _W + r"(?:planned|scheduled|maintenance|change window|change request|upcoming|will be|we'll|"
        r"we will|going to|next (?:week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
        r"(?:tonight|tomorrow|on \w+day) at|reminder|prevue?s?|programmee?s?|planifiee?s?|fenetre de|a venir|"
        r"sera|seront|on va|va etre|demain (?:a|matin|soir)|ce soir a|la semaine (?:pro|prochaine)|rappel|"
        r"avis de|annonce)\b",
    ),
    (
        "cue_all",
        _W + r"(?:all (?:users|customers|clients|tenants|accounts|regions|requests|our)|every(?:one|body)?|"
        r"nobody|no one|noone|not a single|100 ?%|entire|whole|complete(?:ly)?|total(?:ly)?|full outage|"
        r"tout le monde|tous les|toutes les|personne ne|plus personne|aucune? (?:client|commande|transaction)|"
        r"pas une? seule?|totale?|complete|generale?|partout)\b",
    ),
    (
        "cue_many",
        _W + r"(?:many|most|lots of|a lot of|majority|large (?:share|part|number)|half|a third|"
        r"a big chunk|plenty|widespread|beaucoup|la plupart|majorite|plein de|moitie|un tiers|grosse partie|"
        r"nombreux|nombreuses|massivement)\b",
    ),
    (
        "cue_few",
        _W + r"(?:some (?:users|customers|clients|requests)|a few|a handful|few (?:users|customers)|"
        r"minority|small (?:share|number|part)|quelques|certains|certaines|une poignee|un petit nombre|"
        r"de temps en temps|sometimes|occasionally|intermittent)\b",
    ),
    (
        "cue_one",
        _W + r"(?:one (?:user|customer|client|tenant|person)|a single|only one|just one|just me|"
        r"for me|on my (?:laptop|machine)|others (?:can|are fine|seem fine)|everyone else|everybody else|"
        r"un seul|une seule|un utilisateur|une utilisatrice|un client|une cliente|chez moi|sur mon poste|"
        r"les autres (?:si|oui|ca marche)|les collegues (?:si|oui))\b",
    ),
    (
        "cue_internal",
        _W + r"(?:internal|staging|preprod|pre-prod|recette|dev cluster|dev env|non-prod|"
        r"ci|jenkins|gitlab|back ?office|admin panel|sandbox|qa|interne|internes|the team|l'equipe|"
        r"users unaffected|customers unaffected|no customer impact|pas d'impact (?:client|utilisateur)|"
        r"aucun impact client)\b",
    ),
    (
        "cue_minor",
        _W + r"(?:no (?:functional )?impact|cosmetic|harmless|minor|typo|misaligned|tooltip|"
        r"aucun impact|sans impact|pas d'impact|cosmetique|detail|coquille|faute|mal aligne|infobulle)\b",
    ),
    (
        "cue_data_loss",
        _W + r"(?:data loss|lost (?:data|\w+ (?:rows|records|orders))|deleted|dropped|truncated|"
        r"corrupt(?:ed|ion)?|wiped|overwr(?:ote|itten)|are gone|is gone|missing from the db|perte de donnees|"
        r"perdu|perdues?|supprimee?s?|effacee?s?|ecrasee?s?|corrompue?s?|ont disparu)\b",
    ),
    (
        "cue_security",
        _W + r"(?:leak(?:ed|s)?|breach|exfiltrat\w*|unauthori[sz]ed|intrusion|intruder|ransom\w*|"
        r"compromised?|attacker|hacked|credentials|secret key|public (?:repo|gist|bucket|channel)|fuite|piratage|"
        r"pirate|acces non autorise|compromis|compromise|identifiants|"
        r"(?:cles?|mot de passe|token|secrets?) [^.!?]{0,40}(?:repo|depot|gist|bucket|canal) public)\b",
    ),
)
_CUE_RES = tuple((name, re.compile(pattern)) for name, pattern in _CUES)
_PCT_RE = re.compile(r"(\d{1,3})(?:[.,]\d+)? ?%")
CUE_NAMES: tuple[str, ...] = (*(name for name, _ in _CUES), "pct_high", "pct_mid", "pct_low")


def cues(text: str) -> np.ndarray:
    """Tense/time and impact cue groups of one message (see `_CUES`), plus the
    size of any percentage: ≥50%, 10–49%, <10% ("xpct" alone loses the value)."""
    folded = fold(_MENTION_RE.sub(" ", text))
    values = [bool(regex.search(folded)) for _, regex in _CUE_RES]
    pcts = [int(m.group(1)) for m in _PCT_RE.finditer(folded)]
    values += [any(p >= 50 for p in pcts), any(10 <= p < 50 for p in pcts), any(p < 10 for p in pcts)]
    return np.asarray(values, dtype=np.float64)


# ------------------------------------------------------------------ hashing


def _hash(feature: str, n_buckets: int) -> tuple[int, float]:
    """Stable bucket and sign (crc32, not Python's salted hash())."""
    h = zlib.crc32(feature.encode("utf-8"))
    return h % n_buckets, (1.0 if h & 0x80000000 else -1.0)


def _hashed_group(features: list[str], n_buckets: int, weight: float) -> dict[int, float]:
    """Signed hashed counts, sublinear (log1p), L2-normalised, scaled by `weight`."""
    counts: dict[str, int] = {}
    for f in features:
        counts[f] = counts.get(f, 0) + 1
    vec: dict[int, float] = {}
    for f, c in counts.items():
        idx, sign = _hash(f, n_buckets)
        vec[idx] = vec.get(idx, 0.0) + sign * (1.0 + np.log(c))
    norm = float(np.sqrt(sum(v * v for v in vec.values())))
    if norm == 0.0:
        return {}
    return {k: weight * v / norm for k, v in vec.items()}


def lexical_features(text: str, config: FeatureConfig) -> tuple[dict[int, float], list[str]]:
    """Hashed sparse features of one message, and its tokens (for signals)."""
    toks = tokens(text)
    lo, hi = config.word_ngrams
    seq = ["xbos", *toks]
    words: list[str] = []
    for n in range(lo, hi + 1):
        for i in range(len(seq) - n + 1):
            gram = seq[i : i + n]
            if n == 1 and gram[0] == "xbos":
                continue
            words.append("w" + str(n) + ":" + " ".join(gram))
    # Char n-grams see digits as "0" so "09:10" and "14:32" look alike.
    chars_text = " " + re.sub(r"\d", "0", " ".join(t for t in toks if t != "xbos")) + " "
    chars: list[str] = []
    clo, chi = config.char_ngrams
    for n in range(clo, chi + 1):
        for i in range(len(chars_text) - n + 1):
            piece = chars_text[i : i + n]
            if piece.strip():
                chars.append("c:" + piece)
    vec = _hashed_group(words, config.n_buckets, config.word_weight)
    for k, v in _hashed_group(chars, config.n_buckets, config.char_weight).items():
        vec[k] = vec.get(k, 0.0) + v
    return vec, toks


Embed = Callable[[Sequence[str]], np.ndarray]


def load_embedder() -> Embed | None:
    """The local sentence embedder's `embed`, or None when it is not installed."""
    try:
        from knowledge.embeddings import local_embedder
    except ImportError:
        return None
    embedder = local_embedder()
    return embedder.embed


def embedding_text(text: str) -> str:
    """What the sentence embedder sees: Slack ids and links carry no meaning for it."""
    text = _MENTION_RE.sub(" ", text)
    text = _HERE_RE.sub(" everyone ", text)
    text = _CHANNEL_RE.sub(" ", text)
    text = _URL_RE.sub(" link ", text)
    text = _NOX_RE.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip() or "."


def featurize(
    texts: Sequence[str],
    config: FeatureConfig,
    embed: Embed | None = None,
    embeddings: np.ndarray | None = None,
) -> FeatureMatrix:
    """Feature rows for `texts`; embeddings are computed with `embed` unless given."""
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    dense = np.zeros((len(texts), config.dense_dim()), dtype=np.float64)
    n_base = len(SIGNAL_NAMES)
    n_sig = config.n_signals()
    for row, text in enumerate(texts):
        vec, toks = lexical_features(text, config)
        for k in sorted(vec):
            indices.append(k)
            values.append(vec[k])
        indptr.append(len(indices))
        dense[row, :n_base] = config.signal_weight * signals(text, toks)
        if config.cue_weight:
            dense[row, n_base:n_sig] = config.cue_weight * cues(text)
    if config.use_embeddings and len(texts):
        if embeddings is None:
            if embed is None:
                raise RuntimeError("this feature config needs sentence embeddings but no embedder is available")
            embeddings = embed([embedding_text(t) for t in texts])
        dense[:, n_sig:] = config.embedding_weight * np.asarray(embeddings, dtype=np.float64)
    return FeatureMatrix(
        np.asarray(indptr, dtype=np.int64),
        np.asarray(indices, dtype=np.int64),
        np.asarray(values, dtype=np.float64),
        dense,
        config.n_buckets,
    )
