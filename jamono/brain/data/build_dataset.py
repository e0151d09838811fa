"""Build intents_train.jsonl from the hand-written sources plus templated variety.
Why and how: docs/design/brain.md."""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
# Our own held-out messages (same grammar), never read by `build`: they measure
# the model on wording it was not trained on, beside the tiny shared dev set.
HELDOUT = HERE / "heldout"
OUT = HERE / "intents_train.jsonl"
SEED = 20240611

_LABEL_RE = re.compile(r"^(q|o|m(\d+)?|i([chml])(\+m(\d+)?)?)$")
_SEV = {"c": "critical", "h": "high", "m": "medium", "l": "low"}


def parse_label(label: str) -> dict[str, object]:
    """`ih+m30` → incident, high, meeting needed 30 min; see LABELLING.md."""
    match = _LABEL_RE.match(label)
    if not match:
        raise ValueError(f"bad label {label!r}")
    if label == "q":
        return {"intent": "question", "severity": None, "meeting": {"needed": False, "duration_min": None}}
    if label == "o":
        return {"intent": "other", "severity": None, "meeting": {"needed": False, "duration_min": None}}
    if label.startswith("m"):
        dur = int(match.group(2)) if match.group(2) else None
        return {"intent": "meeting", "severity": None, "meeting": {"needed": True, "duration_min": dur}}
    # A critical incident always needs a war room, asked for or not; lower
    # severities need a meeting only when the message asks for a call.
    needed = bool(match.group(4)) or match.group(3) == "c"
    dur = int(match.group(5)) if match.group(5) else None
    return {
        "intent": "incident",
        "severity": _SEV[match.group(3)],
        "meeting": {"needed": needed, "duration_min": dur},
    }


def read_sources(src: Path = SRC, pattern: str = "*.txt") -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for path in sorted(src.glob(pattern)):
        lang = path.name.split("_", 1)[0]
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            label, sep, text = line.partition(" :: ")
            if not sep or not text.strip():
                raise ValueError(f"{path.name}:{lineno}: expected 'LABEL :: text'")
            rows.append({"text": text.strip(), **parse_label(label.strip()), "lang": lang, "source": "hand"})
    return rows


# ---------------------------------------------------------------- templates

CORE_SERVICES = [
    "payments-api",
    "checkout",
    "checkout-service",
    "auth-service",
    "the login",
    "api-gateway",
    "orders-api",
    "cart-api",
    "the public api",
    "user-service",
    "the website",
    "the mobile api",
    "booking-api",
    "search-api",
    "pricing-service",
    "the storefront",
    "account-service",
]
INTERNAL_SERVICES = [
    "grafana",
    "jenkins",
    "the staging cluster",
    "gitlab ci",
    "the internal wiki",
    "kibana",
    "argocd",
    "the dev cluster",
    "harbor",
    "sonarqube",
    "the vpn",
    "the bastion",
    "vault-ui",
    "the admin back office",
    "airflow",
    "the metrics pipeline",
    "the build cache",
]
DATASTORES = [
    "orders-db",
    "the users database",
    "postgres-main",
    "the redis cache",
    "mongo-events",
    "the elasticsearch cluster",
    "mysql-billing",
    "the kafka cluster",
    "rabbitmq",
    "cassandra-ring",
]
FR_CORE = [
    "payments-api",
    "le checkout",
    "le service d'auth",
    "la gateway",
    "orders-api",
    "l'api panier",
    "l'api publique",
    "le site",
    "l'appli mobile",
    "booking-api",
    "la recherche",
    "le front",
    "l'espace client",
    "le tunnel de paiement",
    "user-service",
    "le service de tarification",
]
FR_INTERNAL = [
    "grafana",
    "jenkins",
    "la préprod",
    "la CI gitlab",
    "le wiki interne",
    "kibana",
    "argocd",
    "le cluster de dev",
    "harbor",
    "sonarqube",
    "le VPN",
    "le bastion",
    "le back office",
    "airflow",
    "la stack de monitoring",
    "le cache de build",
]
FR_DATASTORES = [
    "la base orders",
    "la bdd users",
    "postgres-main",
    "redis-sessions",
    "mongo-events",
    "elastic-logs",
    "mysql-billing",
    "kafka-prod",
    "rabbitmq",
    "la base de prod",
]

EN_INCIDENT = {
    "critical": [
        "{core} is completely down",
        "{core} down for everyone!!",
        "100% of requests to {core} fail",
        "{core} hard down since {time}",
        "total outage on {core}, nothing works",
        "{store} is gone, all writes fail and we lost data",
        "{store} corrupted, data loss confirmed",
        "{core} returns 503 to every single user",
        "full outage: {core} unreachable in all regions",
        "security incident: credentials for {store} leaked publicly",
        "{core} is dead, customers can't do anything",
        "someone deleted {store} in prod",
        "prod down, {core} and everything behind it",
    ],
    "high": [
        "{core} error rate at {pct}% since {time}",
        "{core} p99 latency is {sec}s, many users affected",
        "{core} is super slow for most users",
        "{core} degraded, lots of customer complaints",
        "about {pct}% of calls to {core} time out",
        "{store} replication lag {mins} min, users see stale data",
        "{store} cpu at 100%, most queries slow",
        "{core} intermittently 502ing for a lot of people",
        "backlog on {store}: {k}k messages and growing, orders delayed",
        "{core} flapping, half the pods keep restarting",
        "is {core} down or is it just me? every call times out",
        "anyone else seeing 5xx on {core}? customers are complaining",
    ],
    "medium": [
        "{internal} is down",
        "{internal} is broken since {time}",
        "one {core} pod is crashlooping, others are ok",
        "disk on {store} at {disk}%",
        "{internal} super slow, builds waiting",
        "{store} backup failed last night",
        "{core} slightly slower for some users, still within slo",
        "{internal} returns 500 on some pages",
        "a few users report errors on {core}",
        "{internal} unreachable from the office network",
        "{store} replica down, running without redundancy",
        "nightly job on {store} didn't run",
    ],
    "low": [
        "typo on the {core} error page",
        "cosmetic glitch on {core}'s settings page",
        "one user can't access {internal}",
        "a single customer reports a broken link on {core}",
        "{internal} dashboard has one panel showing no data",
        "harmless warning spam in {core} logs",
        "I can't log into {internal}, others can",
        "wrong icon on the {internal} sidebar",
        "minor: tooltip misaligned in {internal}",
        "one flaky test in the {core} repo",
    ],
}
FR_INCIDENT = {
    "critical": [
        "{core} est complètement down",
        "grosse panne sur {core}, plus rien ne marche",
        "100% d'erreurs sur {core}",
        "{core} est HS depuis {time}, panne totale",
        "{store} a planté et on a perdu des données",
        "données corrompues sur {store}, perte de données confirmée",
        "{core} renvoie des 503 à tout le monde",
        "panne générale : {core} injoignable partout",
        "incident sécu : les identifiants de {store} ont fuité",
        "{core} ne répond plus du tout, les clients ne peuvent plus rien faire",
        "quelqu'un a supprimé {store} en prod",
        "la prod est par terre, {core} et tout le reste",
    ],
    "high": [
        "taux d'erreur à {pct}% sur {core} depuis {time}",
        "{core} rame, p99 à {sec}s, beaucoup d'utilisateurs impactés",
        "{core} rame énormément pour la plupart des users",
        "service dégradé sur {core}, plein de clients se plaignent",
        "environ {pct}% des appels à {core} partent en timeout",
        "lag de réplication de {mins} min sur {store}, les users voient des vieilles données",
        "{store} à 100% de CPU, la plupart des requêtes rament",
        "{core} renvoie des 502 par intermittence pour beaucoup de monde",
        "{k}k messages en attente sur {store} et ça monte, les commandes sont en retard",
        "{core} fait le yoyo, la moitié des pods redémarrent",
        "c'est moi ou {core} est down ? tous mes appels timeout",
        "vous avez aussi des 5xx sur {core} ? les clients râlent",
    ],
    "medium": [
        "{internal} est down",
        "{internal} est KO depuis {time}",
        "un pod de {core} est en crashloop, les autres tiennent",
        "disque à {disk}% sur {store}",
        "{internal} rame à mort, les builds attendent",
        "le backup de {store} a échoué cette nuit",
        "{core} un peu plus lent pour certains users, on reste dans le SLO",
        "{internal} renvoie des 500 sur certaines pages",
        "quelques utilisateurs ont des erreurs sur {core}",
        "{internal} injoignable depuis le réseau du bureau",
        "une réplique de {store} est tombée, on tourne sans redondance",
        "le job de nuit sur {store} n'a pas tourné",
    ],
    "low": [
        "coquille sur la page d'erreur de {core}",
        "petit bug d'affichage sur {core}",
        "un utilisateur n'a pas accès à {internal}",
        "un seul client signale un lien cassé sur {core}",
        "un panel de {internal} n'affiche rien",
        "des warnings sans impact dans les logs de {core}",
        "j'arrive pas à me connecter à {internal}, les autres si",
        "mauvaise icône dans le menu de {internal}",
        "détail : infobulle mal placée dans {internal}",
        "un test flaky sur le repo de {core}",
    ],
}
EN_WARROOM = ["can we get a call going?", "war room?", "let's open a bridge", "jump on a call pls", "need a huddle now"]
FR_WARROOM = [
    "on monte une war room ?",
    "on s'appelle ?",
    "cellule de crise svp",
    "visio tout de suite ?",
    "on fait un point de crise ?",
]

EN_TOPICS = [
    "the postgres upgrade",
    "the on-call rotation",
    "the terraform modules",
    "the k8s migration",
    "the alerting rules",
    "the cost report",
    "the release plan",
    "the backup strategy",
    "the slo review",
    "the helm charts",
    "the kafka retention",
    "the incident process",
    "the vault rollout",
    "capacity planning",
    "the dr test",
    "the new ci",
    "the observability roadmap",
    "the network redesign",
]
FR_TOPICS = [
    "la montée de version postgres",
    "le planning d'astreinte",
    "les modules terraform",
    "la migration k8s",
    "les règles d'alerting",
    "le rapport de coûts",
    "le plan de MEP",
    "la stratégie de backup",
    "la revue des SLO",
    "les charts helm",
    "la rétention kafka",
    "le process incident",
    "le déploiement de vault",
    "le capacity planning",
    "le test de PRA",
    "la nouvelle CI",
    "la roadmap observabilité",
    "la refonte réseau",
]
EN_DUR = [
    ("15 min", 15),
    ("30 min", 30),
    ("30mn", 30),
    ("half-hour", 30),
    ("one hour", 60),
    ("1h", 60),
    ("45 minutes", 45),
    ("20min", 20),
    ("1h30", 90),
    ("2 hours", 120),
    ("10 mins", 10),
    ("90 min", 90),
    ("", None),
]
FR_DUR = [
    ("15 min", 15),
    ("30 min", 30),
    ("30mn", 30),
    ("une demi-heure", 30),
    ("une heure", 60),
    ("1h", 60),
    ("45 minutes", 45),
    ("20mn", 20),
    ("1h30", 90),
    ("deux heures", 120),
    ("un quart d'heure", 15),
    ("", None),
]
EN_WHEN = ["", " tomorrow", " this afternoon", " on thursday", " at 10", " next week", " today", " before friday"]
FR_WHEN = ["", " demain", " cet aprem", " jeudi", " à 10h", " la semaine pro", " aujourd'hui", " avant vendredi"]
EN_MEETING = [
    "can we sync{d} on {topic}{w}?",
    "{d} call about {topic}{w}?",
    "let's meet{w} to discuss {topic}",
    "free for a{d} chat on {topic}{w}?",
    "@nox book a{d} meeting about {topic}{w} with {m}",
    "{m} can we do a{d} sync{w} re {topic}?",
    "need a{d} session on {topic}{w}",
    "could we set up a{d} call{w} for {topic}?",
]
FR_MEETING = [
    "on peut faire un point{d} sur {topic}{w} ?",
    "dispo pour un call{d} sur {topic}{w} ?",
    "on se voit{w} pour parler de {topic}",
    "t'as un créneau{w} pour {topic} ?",
    "@nox organise une réunion{d} sur {topic}{w} avec {m}",
    "{m} on se cale un point{d}{w} sur {topic} ?",
    "besoin d'une session{d} sur {topic}{w}",
    "on pourrait caler une visio{d}{w} pour {topic} ?",
]
EN_QUESTION = [
    "how do I set up an alert when {core} is down?",
    "what's the runbook if {store} goes down?",
    "where are the dashboards for {core}?",
    "who owns {core}?",
    "how do I restart {core} safely?",
    "how do we monitor the error rate of {core}?",
    "what should we do if {core} has an outage?",
    "how do I get read access to {store}?",
    "where are the logs of {core}?",
    "how do I scale {core}?",
    "what's the slo for {core}?",
    "how do I deploy a new version of {core}?",
    "how do I check the health of {store}?",
    "is there a doc on how {core} handles failover?",
    "why does {core} use {store}?",
]
FR_QUESTION = [
    "comment je mets une alerte quand {core} tombe ?",
    "c'est quoi le runbook si {store} tombe ?",
    "ils sont où les dashboards de {core} ?",
    "qui est responsable de {core} ?",
    "comment on redémarre {core} proprement ?",
    "comment on surveille le taux d'erreur de {core} ?",
    "on fait quoi si {core} tombe en panne ?",
    "comment j'ai un accès en lecture à {store} ?",
    "où sont les logs de {core} ?",
    "comment on scale {core} ?",
    "c'est quoi le SLO de {core} ?",
    "comment je déploie une nouvelle version de {core} ?",
    "comment vérifier la santé de {store} ?",
    "y a une doc sur la bascule de {core} ?",
    "pourquoi {core} utilise {store} ?",
]
EN_OTHER = [
    "{core} incident resolved, back to normal",
    "postmortem for the {core} outage is ready for review",
    "deploy of {core} done, all green",
    "maintenance on {store} on {day} at {time}, no action needed",
    "thanks for fixing {core} so fast 🙏",
    "{core} is back up",
    "rca for last week's {core} outage is in confluence",
    "fyi we're upgrading {store} next week",
    "the {core} alert was a false positive, closing",
    "{internal} upgrade done",
    "last month's {core} outage won't happen again, we added a circuit breaker",
]
FR_OTHER = [
    "incident {core} résolu, retour à la normale",
    "le postmortem de la panne de {core} est prêt à relire",
    "MEP de {core} terminée, tout est vert",
    "maintenance sur {store} {day} à {time}, rien à faire",
    "merci d'avoir réparé {core} aussi vite 🙏",
    "{core} est de nouveau up",
    "le RCA de la panne de {core} de la semaine dernière est sur confluence",
    "pour info on met à jour {store} la semaine pro",
    "l'alerte sur {core} était un faux positif, je ferme",
    "montée de version de {internal} terminée",
    "la panne de {core} du mois dernier ne se reproduira pas, on a ajouté un circuit breaker",
]
EN_DAYS = ["saturday", "sunday", "tuesday", "friday"]
FR_DAYS = ["samedi", "dimanche", "mardi", "vendredi"]
MENTIONS = ["<@U02HK7Q1M>", "<@U07ZZ8XY1>", "<@U0AB12CD3>", "<@U05QWERTY1>", "<@U09LKJH45>", "<@U03KD8WQ2>"]
EN_PREFIX = ["", "", "", "@nox ", "hey team, ", "🚨 ", "urgent: ", "{m} ", "heads up: ", "fyi ", "hi all, "]
FR_PREFIX = ["", "", "", "@nox ", "salut la team, ", "🚨 ", "urgent : ", "{m} ", "attention : ", "hello, ", "bonjour, "]
EN_SUFFIX = ["", "", "", " pls help", " 🔥", "!!", " can someone look?", " any idea?", " :(", " ...", " fyi"]
FR_SUFFIX = ["", "", "", " svp", " 🔥", " !!", " qqn peut regarder ?", " une idée ?", " :(", " ...", " help"]


def _typo(rng: random.Random, text: str) -> str:
    """Occasional Slack-style slips: a dropped or doubled letter."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if w.isalpha() and len(w) > 4]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    words[i] = w[:j] + w[j + 1 :] if rng.random() < 0.5 else w[:j] + w[j] + w[j:]
    return " ".join(words)


def _fill(rng: random.Random, template: str, lang: str) -> str:
    core = FR_CORE if lang == "fr" else CORE_SERVICES
    internal = FR_INTERNAL if lang == "fr" else INTERNAL_SERVICES
    stores = FR_DATASTORES if lang == "fr" else DATASTORES
    values = {
        "core": rng.choice(core),
        "internal": rng.choice(internal),
        "store": rng.choice(stores),
        "time": f"{rng.randrange(0, 24):02d}:{rng.choice([0, 5, 10, 15, 20, 30, 42, 45, 50]):02d}",
        "pct": str(rng.choice([8, 12, 15, 20, 25, 30, 35, 40, 45, 60])),
        "sec": str(rng.choice([3, 4, 5, 8, 12, 20])),
        "mins": str(rng.choice([5, 10, 15, 30])),
        "k": str(rng.choice([10, 25, 40, 80, 120])),
        "disk": str(rng.choice([82, 85, 88, 90])),
        "m": rng.choice(MENTIONS),
        "day": rng.choice(FR_DAYS if lang == "fr" else EN_DAYS),
    }
    text = template.format(**values)
    if lang == "fr":
        text = re.sub(r"\bde le ", "du ", text)
        text = re.sub(r"\bde les ", "des ", text)
        text = re.sub(r"\bà le ", "au ", text)
        text = re.sub(r"\bde (?=[aeiouéh])", "d'", text)
    return text


def _decorate(
    rng: random.Random, text: str, lang: str, prefix: bool = True, suffix: bool = True, calm: bool = False
) -> str:
    if prefix:
        choices = FR_PREFIX if lang == "fr" else EN_PREFIX
        if calm:  # alarm prefixes would be unnatural on questions and FYIs
            choices = [c for c in choices if not c.startswith(("urgent", "🚨", "attention", "heads"))]
        text = rng.choice(choices).format(m=rng.choice(MENTIONS)) + text
    if suffix:
        text = text + rng.choice(FR_SUFFIX if lang == "fr" else EN_SUFFIX)
    if rng.random() < 0.12:
        text = _typo(rng, text)
    if rng.random() < 0.08:
        text = text.upper() if len(text) < 60 else text
    elif rng.random() < 0.25:
        text = text[:1].upper() + text[1:]
    return text


_Add = Callable[[str, str, str], None]


def templated(rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []

    def add(text: str, label: str, lang: str) -> None:
        rows.append({"text": text, **parse_label(label), "lang": lang, "source": "template"})

    # One generator, in this order: the same seed gives the same rows.
    _incident_rows(rng, add)
    _meeting_rows(rng, add)
    _calm_rows(rng, add)
    return rows


def _incident_rows(rng: random.Random, add: _Add) -> None:
    for lang, table, warroom in (("en", EN_INCIDENT, EN_WARROOM), ("fr", FR_INCIDENT, FR_WARROOM)):
        for sev, templates in table.items():
            for template in templates:
                for _ in range(2):
                    text = _decorate(rng, _fill(rng, template, lang), lang)
                    label = "i" + sev[0]
                    if sev in {"critical", "high"} and rng.random() < 0.15:
                        text = f"{text} {rng.choice(MENTIONS)} {rng.choice(warroom)}"
                        label += "+m"
                    add(text, label, lang)


def _meeting_rows(rng: random.Random, add: _Add) -> None:
    for lang, templates, topics, durs, whens in (
        ("en", EN_MEETING, EN_TOPICS, EN_DUR, EN_WHEN),
        ("fr", FR_MEETING, FR_TOPICS, FR_DUR, FR_WHEN),
    ):
        for template in templates:
            for _ in range(9):
                dur_text, dur = rng.choice(durs)
                if "{d}" not in template:
                    dur_text, dur = "", None
                d = _duration_phrase(dur_text, lang)
                text = template.format(topic=rng.choice(topics), w=rng.choice(whens), m=rng.choice(MENTIONS), d=d)
                text = re.sub(r"\s+", " ", text)
                add(_decorate(rng, text, lang, prefix=False, suffix=False), f"m{dur}" if dur else "m", lang)


def _duration_phrase(dur_text: str, lang: str) -> str:
    """The template's {d}: " d'une heure", " de 30 minutes", " 30 minutes" or nothing."""
    if dur_text and lang == "fr":
        return " d'" + dur_text if dur_text.startswith("un") else " de " + dur_text
    if dur_text:
        return " " + dur_text
    return ""


def _calm_rows(rng: random.Random, add: _Add) -> None:
    for lang, templates in (("en", EN_QUESTION), ("fr", FR_QUESTION)):
        for template in templates:
            for _ in range(4):
                add(_decorate(rng, _fill(rng, template, lang), lang, suffix=False, calm=True), "q", lang)

    for lang, templates in (("en", EN_OTHER), ("fr", FR_OTHER)):
        for template in templates:
            for _ in range(5):
                add(_decorate(rng, _fill(rng, template, lang), lang, suffix=False, calm=True), "o", lang)


def build() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    rows = read_sources() + templated(rng)
    seen: set[str] = set()
    unique: list[dict[str, object]] = []
    for row in rows:
        key = str(row["text"]).lower()
        if key not in seen:
            seen.add(key)
            unique.append(row)
    return unique


def heldout(pattern: str = "*.txt") -> list[dict[str, object]]:
    """The held-out evaluation rows (heldout/*.txt), with ids for `jamono eval intents`."""
    rows = read_sources(HELDOUT, pattern)
    return [{"id": f"heldout-{i}", **row} for i, row in enumerate(rows, 1)]


def _write(rows: list[dict[str, object]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
    print(f"wrote {len(rows)} rows to {path}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="build intents_train.jsonl (or the held-out set)")
    parser.add_argument("--heldout", metavar="OUT.jsonl", help="write the held-out evaluation set there instead")
    parser.add_argument("--pattern", default="*.txt", help="held-out files to include (glob in heldout/)")
    args = parser.parse_args(argv)
    if args.heldout:
        _write(heldout(args.pattern), Path(args.heldout))
    else:
        _write(build(), OUT)


if __name__ == "__main__":
    main()
