"""Slot extraction: duration, attendees, meeting title, service, summary.
Why and how: docs/design/brain.md."""

from __future__ import annotations

import re
import unicodedata

# `[^<>]` inside markup (Slack escapes < and > in typed text): `[^>]` made "<http://<http://…"
# cost 9 s at 40,000 characters, every `<` rescanning to the end.
MENTION_RE = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")
_SLACK_MARKUP_RE = re.compile(r"<!(?:here|channel|everyone)(?:\|[^<>]*)?>|<#C[A-Z0-9]+(?:\|([^<>]*))?>")
_LINK_RE = re.compile(r"<(https?://[^<>|]+)(?:\|([^<>]*))?>")
_AT_NOX_RE = re.compile(r"(?<![\w@])@nox\b[:,]?", re.IGNORECASE)
_SHORTCODE_RE = re.compile(r":[a-z0-9_+\-]+:")

MIN_DURATION, MAX_DURATION = 5, 480

# ---------------------------------------------------------------- attendees


def extract_attendees(text: str, bot_user_id: str | None = None) -> list[str]:
    """Slack user ids mentioned as `<@U…>`, in order, once each, minus the bot."""
    seen: list[str] = []
    for uid in MENTION_RE.findall(text):
        if uid != bot_user_id and uid not in seen:
            seen.append(uid)
    return seen


# ----------------------------------------------------------------- duration

_NUMBER_WORDS: dict[str, float] = {
    "un": 1,
    "une": 1,
    "one": 1,
    "an": 1,
    "a": 1,
    "deux": 2,
    "two": 2,
    "trois": 3,
    "three": 3,
    "quatre": 4,
    "four": 4,
    "cinq": 5,
    "five": 5,
    "dix": 10,
    "ten": 10,
    "quinze": 15,
    "fifteen": 15,
    "vingt": 20,
    "twenty": 20,
    "trente": 30,
    "thirty": 30,
    "quarante": 40,
    "forty": 40,
    "quarante-cinq": 45,
    "forty-five": 45,
    "soixante": 60,
    "sixty": 60,
    "quatre-vingt-dix": 90,
    "ninety": 90,
}
_NUM = (
    r"(\d+(?:[.,]\d+)?|(?:"
    + "|".join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True))
    + r")(?=\s))"
)
_MIN_UNIT = r"(?:minutes?|mins?|mn|min\.?|m)\b"
_HOUR_UNIT = r"(?:heures?|hours?|hrs?|h)"

# Ordered: the most specific spellings first.
_DURATION_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:une?\s+)?demi[- ]?heure\b"), "half"),
    (re.compile(r"\bhalf(?:\s+an|\s+a)?[- ]hour\b"), "half"),
    (re.compile(r"\b(?:un\s+)?quart\s+d'?\s*heure\b"), "quarter"),
    (re.compile(r"\b(?:a\s+)?quarter\s+(?:of\s+an\s+)?hour\b"), "quarter"),
    (re.compile(r"\b" + _NUM + r"\s*" + _HOUR_UNIT + r"\s*(?:et\s+)?demie?\b"), "h_half"),
    (re.compile(r"\b" + _NUM + r"\s+" + _HOUR_UNIT + r"\s+and\s+a\s+half\b"), "h_half"),
    (re.compile(r"\b(an|one|1)\s+hour\s+and\s+a\s+half\b"), "h_half"),
    (re.compile(r"\b(\d{1,2})\s*h\s*(\d{2})\b(?!\s*:)"), "h_m"),
    (re.compile(r"\b(\d{1,2})\s*(?:hours?|hrs?)\s*(?:and\s+)?(\d{1,2})\s*" + _MIN_UNIT), "h_m"),
    (re.compile(r"\b" + _NUM + r"\s*(?:-|to|à|a|/)\s*" + _NUM + r"\s*" + _MIN_UNIT), "range_min"),
    (re.compile(r"\b(\d{1,3})\s+(?:prochaines|next)\s+" + _MIN_UNIT), "min"),
    (re.compile(r"\b" + _NUM + r"\s*-?\s*" + _MIN_UNIT), "min"),
    (re.compile(r"\bquick\s+(5|10|15|20|30|45)\b(?!\s*(?:%|h|k|x|s\b|sec|ms))"), "min"),
    (re.compile(r"\b" + _NUM + r"\s*" + _HOUR_UNIT + r"(?![a-z0-9])"), "hour"),
]
# A number after these words is a moment or a delay, not a length.
_NOT_DURATION_BEFORE = re.compile(
    r"(?:\b(?:à|at|vers|around|dans|in|within|d'ici|by|avant|before|after|après|depuis|since|"
    r"for the last|last|past|ago|il y a|from|de|des|dès|entre|between|until|jusqu'à|jusqu'a|till|"
    r"every|toutes les|tous les|each)\s*)$"
)
_DURATION_CUE_BEFORE = re.compile(
    r"(?:\b(?:for|pour|pendant|during|de|d'|of|about|environ|~|quick|rapide|max|maximum|"
    r"only|juste|just|petit|petite|slot|créneau|call|meeting|sync|point|visio|réunion)\s*)$"
)
_AGO_AFTER = re.compile(r"^\s*(?:ago|late|de retard|plus tard|later)\b")


def _to_number(token: str) -> float | None:
    token = token.lower().replace(",", ".")
    if token in _NUMBER_WORDS:
        return _NUMBER_WORDS[token]
    try:
        return float(token)
    except ValueError:
        return None


def _fold(text: str) -> str:
    """Lowercase, unify apostrophes; accents are kept (patterns use them)."""
    return unicodedata.normalize("NFC", text).replace("\u2019", "'").replace("\u2018", "'").lower()


_MEETING_WORD_RE = re.compile(
    r"\b(?:call|meeting|meet|sync|huddle|bridge|(?:war ?)?room|zoom|visio|réunion|reunion|réu|point|appel|"
    r"session|cellule|crise|chat|talk|slot|créneau|creneau|calendar|agenda|minutes? with|minutes? avec)\b"
)


def extract_duration(text: str, near_meeting_word: bool = False) -> int | None:
    """Meeting length in minutes if the message states one, else None.

    Clock times ("à 14h", "at 9:30") and delays ("dans 10 min", "in 2h",
    "5 min ago") are not durations. With `near_meeting_word` (used for
    incidents, whose numbers usually describe the problem: "lag 30 min"),
    a length counts only within a few words of "call", "point", "war room"…
    """
    low = _fold(text)
    low = MENTION_RE.sub(" ", low)
    for pattern, kind in _DURATION_PATTERNS:
        for match in pattern.finditer(low):
            before = low[: match.start()]
            after = low[match.end() :]
            minutes = _duration_minutes(kind, match)
            if minutes is None or _delay_or_clock_time(kind, minutes, before, after):
                continue
            if near_meeting_word:
                window = " ".join([*before.split()[-4:], match.group(0), *after.split()[:3]])
                if not _MEETING_WORD_RE.search(window):
                    continue
            if MIN_DURATION <= minutes <= MAX_DURATION:
                return int(minutes)
    return None


def _delay_or_clock_time(kind: str, minutes: float, before: str, after: str) -> bool:
    """Whether the number read as a length is a delay ("in 10 min", "5 min ago") or a clock time."""
    if kind in {"half", "quarter"}:
        # "dans une demi-heure" is a delay; "une demi-heure" alone is a length.
        if re.search(r"\b(?:dans|in|within|d'ici)\s*$", before):
            return True
    elif _NOT_DURATION_BEFORE.search(before) and not _DURATION_CUE_BEFORE.search(before):
        return True
    if _AGO_AFTER.match(after):
        return True
    if kind == "hour" and minutes > 240 and not _DURATION_CUE_BEFORE.search(before):
        return True  # "14h" is a clock time in French
    return kind == "h_m" and minutes > 240  # "14h30" is a clock time


def _duration_minutes(kind: str, match: re.Match[str]) -> float | None:
    if kind == "half":
        return 30
    if kind == "quarter":
        return 15
    if kind == "h_half":
        hours = _to_number(match.group(1))
        return None if hours is None else hours * 60 + 30
    if kind == "h_m":
        return int(match.group(1)) * 60 + int(match.group(2))
    if kind == "range_min":
        high = _to_number(match.group(2))
        return high
    number = _to_number(match.group(1))
    if number is None:
        return None
    if kind == "min":
        return number
    return number * 60


# ------------------------------------------------------------------ service

_KNOWN_SYSTEMS = (
    "checkout",
    "payments",
    "payment",
    "billing",
    "invoicing",
    "auth",
    "login",
    "sso",
    "keycloak",
    "okta",
    "kafka",
    "rabbitmq",
    "rabbit",
    "redis",
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongodb",
    "mongo",
    "elasticsearch",
    "opensearch",
    "kibana",
    "grafana",
    "prometheus",
    "alertmanager",
    "loki",
    "jenkins",
    "gitlab",
    "github actions",
    "github",
    "argocd",
    "vault",
    "consul",
    "dns",
    "cdn",
    "cloudflare",
    "s3",
    "nginx",
    "haproxy",
    "traefik",
    "ingress",
    "kubernetes",
    "k8s",
    "eks",
    "gke",
    "aks",
    "terraform",
    "helm",
    "harbor",
    "docker registry",
    "registry",
    "sentry",
    "datadog",
    "pagerduty",
    "vpn",
    "ldap",
    "smtp",
    "cassandra",
    "clickhouse",
    "airflow",
    "celery",
    "sidekiq",
    "memcached",
    "etcd",
    "istio",
    "envoy",
    "rds",
    "sqs",
    "api gateway",
    "cron",
    "backups",
    "webhooks",
    "search",
    "cart",
    "frontend",
    "backend",
    "mobile app",
    "website",
    "site",
    "ci",
    "staging",
    "sftp",
    "mail",
    "nfs",
    "ceph",
    "minio",
    "jira",
    "confluence",
    "slack",
    "zookeeper",
    "nats",
    "pulsar",
    "cognito",
    "iam",
)
_KNOWN_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(s) for s in _KNOWN_SYSTEMS) + r")(?![\w-])")
MAX_SCAN_CHARS = 4000
_IDENT = r"[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*"
_FR_KIND = (
    r"(?:la\s+)?(?:base|bdd|db|base\s+de\s+données)|(?:le\s+)?service|l'api|(?:le\s+)?cluster|"
    r"(?:la\s+)?(?:queue|file)|(?:le\s+)?(?:job|bucket|topic|worker|pod|namespace|serveur|front|back|site)"
)
_FR_KIND_RE = re.compile(r"\b(" + _FR_KIND + r")\s+(?:de\s+|des\s+|du\s+)?(" + _IDENT + r")")
_EN_KINDS = (
    r"service|api|db|database|cluster|queue|topic|bucket|job|worker|"
    r"pods?|namespace|deployment|server|frontend|backend|endpoint|lambda|pipeline"
)
# `\b(IDENT)\s+(KIND)\b`, the old pattern, retried a long a.b.c… chain from every word start in it
# (8,000 characters: a second). `_en_kind_search` finds the same first match in one pass.
_EN_KIND_RE = re.compile(r"\b(" + _IDENT + r")\s+(" + _EN_KINDS + r")\b")
_EN_KIND_AFTER = re.compile(r"\s+(" + _EN_KINDS + r")\b")
_IDENT_CHAIN = re.compile(r"[a-z][a-z0-9]*+(?:[-_.][a-z0-9]++)*+")
_WORD_CHAR = re.compile(r"\w")


def _en_kind_search(low: str) -> tuple[str, str] | None:
    """`_EN_KIND_RE.search(low)`'s groups, in linear time. A match starts at a word start and its
    name is the whole identifier chain from there (a shorter one would be followed by a letter or
    a separator, not a space), so every start inside one chain shares its end and its fate: each
    chain is tried once, from its first start."""
    n, p = len(low), 0
    while p < n:
        if "a" <= low[p] <= "z" and (p == 0 or not _WORD_CHAR.match(low, p - 1)):
            end = _IDENT_CHAIN.match(low, p).end()  # type: ignore[union-attr]
            kind = _EN_KIND_AFTER.match(low, end)
            if kind:
                return low[p:end], kind.group(1)
            p = max(end, p + 1)
        else:
            p += 1
    return None


_EN_SERVICE_RE = re.compile(r"\b(?:service|svc|app|api)\s+(" + _IDENT + r")")
_COMPOUND_RE = re.compile(r"(?<![\w@/.-])([a-z][a-z0-9]*(?:[-_][a-z0-9]+)+)(?![\w-])")
_BACKTICK_RE = re.compile(r"`([a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+)`")
_COMPOUND_STOP = {
    "on-call",
    "follow-up",
    "followup",
    "post-mortem",
    "war-room",
    "e-mail",
    "real-time",
    "re-run",
    "hot-fix",
    "roll-back",
    "self-hosted",
    "read-only",
    "check-in",
    "sign-in",
    "log-in",
    "set-up",
    "up-to-date",
    "end-to-end",
    "day-to-day",
    "peut-être",
    "est-ce",
    "rendez-vous",
    "c'est-à-dire",
    "au-dessus",
    "au-delà",
    "vis-à-vis",
    "week-end",
    "after-work",
    "stand-up",
    "standup",
    "tête-à-tête",
    "one-on-one",
    "1-on-1",
    "catch-up",
    "go-live",
    "non-prod",
    "pre-prod",
    "pré-prod",
    "re-deploy",
    "redeploy",
    "auto-scaling",
    "multi-az",
    "cross-region",
    "x-ray",
    "t-shirt",
    "high-priority",
    "low-priority",
    "long-term",
    "short-term",
    "in-app",
    "opt-in",
    "ad-hoc",
    "well-known",
    "built-in",
    "plug-in",
    "add-on",
    "sous-réseau",
    "mi-temps",
    "a-t-il",
    "y-a-t-il",
    "va-t-on",
    "peux-tu",
    "pouvez-vous",
    "est-il",
    "sais-tu",
    "as-tu",
    "avez-vous",
    "dis-moi",
    "quelqu'un",
    "rate-limit",
    "rate-limited",
    "rate-limiting",
    "load-balancer",
    "health-check",
    "healthcheck",
    "out-of-memory",
    "crash-loop",
    "crashloopbackoff",
    "time-out",
    "timed-out",
    "sign-up",
    "log-out",
    "push-up",
}
_TICKET_RE = re.compile(r"^[a-z]{2,8}-\d+$")
_COMPOUND_STOP_SUFFIXES = ("-vous", "-tu", "-il", "-elle", "-on", "-nous", "-ce", "-moi", "-là", "-ci")


def _ok_compound(name: str) -> bool:
    if name in _COMPOUND_STOP or _TICKET_RE.match(name) or name.endswith(_COMPOUND_STOP_SUFFIXES):
        return False
    parts = re.split(r"[-_]", name)
    return not all(p.isdigit() for p in parts[1:]) and len(name) >= 4


def extract_service(text: str) -> str | None:
    """The affected service as named in the message ("payments-api", "base orders")."""
    # Its kind patterns retry a long a.b.c… chain from every word start (quadratic): the head of a
    # message names the service, so only that much is read (as analyze reads).
    low = _fold(text[:MAX_SCAN_CHARS])
    low = MENTION_RE.sub(" ", low)
    low = _LINK_RE.sub(" ", low)
    low = _AT_NOX_RE.sub(" ", low)
    match: re.Match[str] | None
    for match in _BACKTICK_RE.finditer(low):
        if _ok_compound(match.group(1)) and not re.search(r"\.(?:ya?ml|json|py|sh|tf|conf|log|txt)$", match.group(1)):
            return match.group(1)
    for match in _COMPOUND_RE.finditer(low):
        if _ok_compound(match.group(1)):
            return match.group(1)
    match = _FR_KIND_RE.search(low)
    if match and match.group(2) not in _GENERIC_NAMES:
        kind = re.sub(r"^(?:la|le|l')\s*", "", match.group(1))
        if kind in {"service", "api"}:
            return match.group(2)
        return f"{kind} {match.group(2)}"
    found = _en_kind_search(low)
    if found and found[0] not in _GENERIC_NAMES:
        name, kind = found
        return f"{name} {kind}" if kind not in {"service", "api"} else (name if kind == "service" else f"{name} api")
    match = _EN_SERVICE_RE.search(low)
    if match and match.group(1) not in _GENERIC_NAMES:
        return match.group(1)
    match = _KNOWN_RE.search(low)
    if match:
        return match.group(1)
    return None


_GENERIC_NAMES = {
    "the",
    "a",
    "an",
    "our",
    "my",
    "your",
    "this",
    "that",
    "prod",
    "production",
    "main",
    "whole",
    "entire",
    "same",
    "new",
    "old",
    "le",
    "la",
    "les",
    "de",
    "des",
    "du",
    "en",
    "est",
    "is",
    "are",
    "was",
    "of",
    "to",
    "in",
    "on",
    "for",
    "and",
    "et",
    "ou",
    "or",
    "any",
    "some",
    "every",
    "which",
    "what",
    "que",
    "qui",
    "quel",
    "quelle",
    "ce",
    "cette",
    "mon",
    "notre",
    "nos",
    "un",
    "une",
    "all",
    "its",
    "it",
    "not",
    "pas",
    "no",
    "down",
    "up",
    "ko",
    "slow",
    "lent",
    "tout",
    "toute",
    "their",
    "his",
    "her",
    "one",
    "two",
    "each",
    "other",
    "another",
    "that's",
    "also",
    "just",
    "still",
    "partie",
    "part",
    "moment",
    "coup",
    "fois",
    "bien",
    "mal",
    "seul",
    "seule",
}


# ------------------------------------------------------------------ summary

_GREETING_RE = re.compile(
    r"^(?:(?:hi|hey|hello|yo|salut|bonjour|coucou|bonsoir|allo|allô|hola)\b[\s,!.]*"
    r"(?:(?:the\s+)?team|all|folks|everyone|guys|y'all|la team|l'équipe|tout le monde|les gars|"
    r"les amis)?[\s,!.:-]*)+",
    re.IGNORECASE,
)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+|\n+")
MAX_SUMMARY = 140


def clean_text(text: str) -> str:
    """Strip Slack markup (mentions, @nox, @here, links) and collapse whitespace."""
    text = unicodedata.normalize("NFC", text)
    text = MENTION_RE.sub(" ", text)
    text = _SLACK_MARKUP_RE.sub(lambda m: f"#{m.group(1)}" if m.group(1) else " ", text)
    text = _LINK_RE.sub(lambda m: m.group(2) or m.group(1), text)
    text = _AT_NOX_RE.sub(" ", text)
    text = _SHORTCODE_RE.sub(" ", text)
    text = re.sub(r"```.*?```", " ", text, flags=re.DOTALL)
    lines = [re.sub(r"[ \t]+", " ", line).strip(" \t,:;-") for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def summarize(text: str, limit: int = MAX_SUMMARY) -> str | None:
    """First sentence without mentions or greetings, at most `limit` characters."""
    cleaned = clean_text(text)
    cleaned = _GREETING_RE.sub("", cleaned).strip()
    if not cleaned:
        return None
    sentences = [s.strip() for s in _SENTENCE_END_RE.split(cleaned) if s.strip()]
    summary = sentences[0]
    for extra in sentences[1:]:
        if len(summary) >= 25:
            break
        summary = f"{summary} {extra}"
    summary = re.sub(r"\s+", " ", summary)
    if len(summary) > limit:
        cut = summary[: limit - 1]
        if " " in cut[limit // 2 :]:
            cut = cut[: cut.rfind(" ")]
        summary = cut.rstrip(" ,;:-") + "…"
    first = summary.split(" ", 1)[0]
    if first.isalpha():
        summary = summary[:1].upper() + summary[1:]
    return summary


# -------------------------------------------------------------------- title

_TOPIC_RES = [
    re.compile(
        r"\b(?:sync|call|meeting|chat|talk|discussion|catch[- ]?up|meet|huddle|review|session|"
        r"demo|walkthrough|workshop)\b[^.?!\n]{0,30}?\b(?:about|on|regarding|re:?|to discuss|"
        r"around|to go over|to review|for)\s+(.+)",
    ),
    re.compile(
        r"\b(?:point|réunion|reunion|appel|visio|call|sync|échange|echange|atelier|démo|demo|"
        r"rétro|retro|session)\b[^.?!\n]{0,30}?\b(?:sur|pour parler d[eu]|pour discuter d[eu]|"
        r"à propos d[eu]|a propos d[eu]|concernant|au sujet d[eu]|pour)\s+(.+)",
    ),
    re.compile(r"\b(?:faire le point|parler|discuter|causer)\s+(?:sur|de|du|des)\s+(.+)"),
    re.compile(r"\b(?:talk|chat|discuss|go over|walk through)\s+(?:about\s+)?(.+)"),
]
_TOPIC_STOP_RE = re.compile(
    r"[?.!,;:\n(]|\s(?:tomorrow|today|tonight|this (?:morning|afternoon|evening|week)|next week|"
    r"demain|aujourd'hui|ce (?:matin|soir)|cet (?:aprem|après-midi|apres-midi)|cette semaine|"
    r"la semaine prochaine|avant|before|after|après|at|à|a \d|vers|around|with|avec|when|quand|"
    r"if|si|asap|svp|stp|please|pls|plz|dès que|as soon|pendant|for \d|de \d|en visio|on zoom|"
    r"on meet|sur meet|sur zoom|sur teams|on teams|ensemble|together|\d+\s*(?:min|h|mn))\b|\s[\U0001F300-\U0001FAFF]"
)
_TITLE_STOPWORDS_RE = re.compile(
    r"^(?:the|a|an|our|this|that|le|la|les|un|une|des|du|de|ce|cette|notre|nos|quick|rapide)\s+|^l'",
    re.IGNORECASE,
)
_TITLE_TRAILING_RE = re.compile(
    r"\s+(?:de|du|des|d'|of|the|for|on|sur|pour|and|et|to|la|le|les|a|an|un|une)$", re.IGNORECASE
)


def _topic(text: str) -> str | None:
    low = clean_text(text)
    for pattern in _TOPIC_RES:
        match = pattern.search(low.lower())
        if not match:
            continue
        start = match.start(1)
        raw = low[start:]
        stop = _TOPIC_STOP_RE.search(raw.lower())
        topic = raw[: stop.start()] if stop else raw
        topic = topic.strip(" '\"-")
        prev = None
        while prev != topic:
            prev = topic
            topic = _TITLE_STOPWORDS_RE.sub("", topic)
            topic = _TITLE_TRAILING_RE.sub("", topic).strip()
        words = topic.split()
        if 1 <= len(words) <= 10 and len(topic) >= 3:
            return topic[:80]
    return None


def meeting_title(
    text: str,
    language: str,
    service: str | None = None,
    incident: bool = False,
) -> str:
    """A short calendar title in the message's language."""
    topic = _topic(text)
    if incident:
        subject = service or topic or summarize(text, 80) or ("incident" if language == "en" else "incident")
        return f"War room : {subject}" if language == "fr" else f"War room: {subject}"
    if topic:
        return f"Point : {topic}" if language == "fr" else f"Sync: {topic}"
    if service:
        return f"Point : {service}" if language == "fr" else f"Sync: {service}"
    return "Point rapide" if language == "fr" else "Quick sync"
