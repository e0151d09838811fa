"""French / English detection for short Slack messages.
Why and how: docs/design/brain.md."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from jamono.brain.analysis import Language

# Words that are (almost) only French. Weight 2 = very distinctive.
_FR_WORDS: dict[str, float] = {
    **dict.fromkeys(
        "le la les un une des du au aux et est sont pas plus rien qui que quoi "
        "pour sur dans avec sans chez mais donc car ou où ce cette ces ça ca cela "
        "je tu il elle nous vous ils elles on me te se moi toi lui leur nos vos "
        "mon ma mes ton ta tes son sa ses notre votre "
        "suis es sommes êtes été était avoir avez avons ont fait faire peut peux "
        "veut voulez faut dois doit très trop aussi encore toujours déjà jamais "
        "quand comment pourquoi combien quel quelle quels quelles "
        "bonjour salut coucou merci bonsoir svp stp oui non ok d'accord "
        "demain hier aujourd'hui matin soir semaine heure heures minutes "
        "tombé tombée tombe marche fonctionne répond plante rame lent lente "
        "point réunion dispo dispos appel visio créneau "
        "y'a ya ptit petit petite gros grosse bcp beaucoup peu "
        "depuis avant après pendant entre vers".split(),
        1.0,
    ),
    **dict.fromkeys(
        "c'est j'ai n'est qu'il qu'on d'un d'une l'api l'appli aujourd'hui "
        "ça y'a ya est-ce voilà mep astreinte putain bordel zut "
        "quelqu'un personne t'as j'arrive n'arrive arrive pouvez pourriez "
        "faudrait serait sera avez-vous pouvons souci soucis problème "
        "erreur erreurs panne fuite mémoire base données dernière prochaine "
        "besoin rapide rapidement urgent urgence équipe qq1 qqn qqun ko "
        "bugué buggé planté plantée relancé redémarré redémarrer".split(),
        2.0,
    ),
}

_EN_WORDS: dict[str, float] = {
    **dict.fromkeys(
        "the a an and is are was were be been being not no nothing who what "
        "which for of in into with without at by from but so or if then this "
        "that these those it its i you he she we they me him her us them my "
        "your our their his do does did done have has had can could would "
        "should will shall may might must just very too also still already "
        "never when how why where whats what's hi hey hello thanks thank yes "
        "please pls tomorrow yesterday today morning afternoon evening week "
        "hour hours minutes mins down up slow broken failing failed fails "
        "meeting call sync quick anyone someone everyone".split(),
        1.0,
    ),
    **dict.fromkeys(
        "the is are isn't it's i'm we're can't don't doesn't won't there's "
        "anyone anybody somebody what's how's hasn't haven't wasn't weren't "
        "getting seeing looks seems again since right now ago cheers guys "
        "folks btw fyi lmk asap wondering".split(),
        2.0,
    ),
}

# Tokens that appear in both languages and must not count ("on", "a" are
# ambiguous; "ok", "api", "prod" are shared jargon).
_AMBIGUOUS = {"on", "a", "me", "ok", "non", "point", "plus", "car", "pour"}

_FR_ELISIONS = {"l", "d", "j", "qu", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu"}
_EN_CLITICS = {"s", "t", "m", "re", "ll", "ve", "d"}
_FR_CHARS = set("éèêëàâîïôûùüçœ")
_WORD_RE = re.compile(r"[a-zàâäçéèêëîïôöûùüÿœæ]+(?:'[a-zàâäçéèêëîïôöûùüÿœæ]+)?")
# `[^<>]` inside markup, as Slack escapes typed < and >: `[^>]*` was quadratic on "<@<@<@…".
_SLACK_MARKUP_RE = re.compile(r"<[@#!][^<>]*>|<https?://[^<>]*>|https?://\S+|`[^`]*`|:[a-z0-9_+\-]+:")


def _clean(text: str) -> str:
    """Drop mentions, links, code and emoji shortcodes: they carry no language."""
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'").replace("\u2018", "'")
    return _SLACK_MARKUP_RE.sub(" ", text).lower()


def language_scores(text: str) -> tuple[float, float]:
    """Return (french_score, english_score) evidence for one message."""
    cleaned = _clean(text)
    fr = en = 0.0
    for word in _WORD_RE.findall(cleaned):
        if word in _AMBIGUOUS:
            continue
        if word in _FR_WORDS or word in _EN_WORDS:
            fr += _FR_WORDS.get(word, 0.0)
            en += _EN_WORDS.get(word, 0.0)
            continue
        if "'" in word:
            head, _, tail = word.partition("'")
            if head in _FR_ELISIONS:
                fr += 1.5
            elif tail in _EN_CLITICS:
                en += 1.5
            fr += _FR_WORDS.get(tail, 0.0)
            en += _EN_WORDS.get(tail, 0.0)
    accents = sum(1 for ch in cleaned if ch in _FR_CHARS)
    fr += 1.5 * min(accents, 4)
    # "on" followed by a French verb form is a strong cue ("on a", "on fait").
    fr += 1.5 * len(re.findall(r"\bon (?:a|est|fait|peut|doit|se|va|voit|dirait|monte|relance)\b", cleaned))
    en += 1.0 * len(re.findall(r"\b(?:is|are) (?:down|up|slow|broken|back)\b", cleaned))
    return fr, en


def detect_language(
    text: str,
    context: Sequence[str] | Iterable[str] = (),
    default: Language = "en",
) -> Language:
    """Guess "fr" or "en"; ties go to the thread's language, then `default`."""
    fr, en = language_scores(text)
    if fr > en:
        return "fr"
    if en > fr:
        return "en"
    ctx_fr = ctx_en = 0.0
    for earlier in context:
        a, b = language_scores(earlier)
        ctx_fr += a
        ctx_en += b
    if ctx_fr > ctx_en:
        return "fr"
    if ctx_en > ctx_fr:
        return "en"
    return default
