"""Offline language identification, fast on the common case.

Most verbatims are plainly French: a count of French function words settles them
without a model. The rest go to py3langid (a naive Bayes model shipped in its PyPI
package). Texts too short to judge ("RAS", "top") are taken as French: dropping them
would lose real answers, and the later stages cope with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

_WORD = re.compile(r"[a-zà-ÿœæ']+")
FRENCH_WORDS = frozenset(
    """le la les un une des du de d' l' et est pas ne n' je j' me m' mon ma mes il elle on nous vous ils
    elles ce cet cette ces c' qu' que qui quoi au aux avec pour sur dans par sans chez plus très tres trop
    toujours jamais rien depuis mais ou donc car sont été etre être avoir ai avez ont fait suis votre vos
    notre nos leur leurs y en s' se sa son ses tout tous toute toutes aucun aucune merci bonjour svp
    ça ca cest c'est j'ai n'est qu'il d'un d'une l'on""".split()
)
OTHER_WORDS = frozenset(
    """the and is are was were to of for with my your this that have has not it you i we they on at be
    been very from but what when would could should will there their our
    el los las y es por para con una muy pero que del lo mi su no se
    der die das und ist nicht ich mit für auf ein eine sie wir zu von den dem
    il lo gli della sono per con una molto ma che non mi è
    o os as um uma é não com para muito mas que
    de het een en is niet ik met voor op van""".split()
) - FRENCH_WORDS
CANDIDATE_LANGUAGES = ["fr", "en", "es", "de", "it", "pt", "nl", "ar", "ro", "pl", "tr"]
MIN_WORDS_TO_JUDGE = 3
MODEL_CONFIDENCE = 0.9
HEAD_CHARS = 300  # both the fast path and the model read only this much of a text


@dataclass(frozen=True)
class LanguageGuess:
    lang: str  # ISO 639-1 code, or "und" when the text is too short to judge
    confidence: float
    is_french: bool


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(CANDIDATE_LANGUAGES)
    return identifier


def detect_language(text: str) -> LanguageGuess:
    # The opening of a verbatim says its language; reading only that bounds the cost.
    head = text[:HEAD_CHARS].lower().replace("’", "'")
    words = _WORD.findall(head)
    if len(words) < MIN_WORDS_TO_JUDGE:
        return LanguageGuess("und", 0.0, True)
    distinct = set(words)
    french = len(distinct & FRENCH_WORDS)
    other = len(distinct & OTHER_WORDS)
    if french >= 2 and french >= 3 * other:
        return LanguageGuess("fr", 0.99, True)
    lang, prob = _identifier().classify(head)
    prob = float(prob)
    if lang == "fr" or prob < MODEL_CONFIDENCE:
        # An unsure model keeps the text in French hands: a flagged French verbatim is lost.
        return LanguageGuess("fr", prob if lang == "fr" else 1.0 - prob, True)
    return LanguageGuess(lang, prob, False)


_FRENCH_RE = (r"\b(?:" + "|".join(sorted(w for w in FRENCH_WORDS if "'" not in w and w.isascii())) + r")\b"
              + r"|\b(?:c|d|j|l|m|n|s|qu)['’]")
_OTHER_RE = r"\b(?:" + "|".join(sorted(w for w in OTHER_WORDS if w.isascii())) + r")\b"


def detect_languages(texts: pa.Array) -> list[LanguageGuess]:
    """The same decision as `detect_language`, vectorised: function words are counted by Arrow
    over the whole batch, and only the texts that are not plainly French reach the model."""
    head = pc.utf8_lower(pc.utf8_slice_codeunits(texts, 0, HEAD_CHARS))
    french = pc.count_substring_regex(head, _FRENCH_RE).to_numpy(zero_copy_only=False)
    other = pc.count_substring_regex(head, _OTHER_RE).to_numpy(zero_copy_only=False)
    plain = (french >= 2) & (french >= 3 * other)
    guesses: list[LanguageGuess] = []
    plain_guess = LanguageGuess("fr", 0.99, True)
    for i, is_plain in enumerate(plain.tolist()):
        guesses.append(plain_guess if is_plain else detect_language(texts[i].as_py() or ""))
    return guesses
