"""French PII redaction for customer verbatims.

Replaces emails, phone numbers, IBANs, card numbers, social-security numbers (NIR),
customer / contract / order numbers and private @handles with typed placeholders,
and leaves everything else (prices, dates, meter readings, postal codes, brand
handles...) exactly as it was.

How it stays both precise and fast (it runs on every ingested row):
- Every PII kind except an obfuscated email ("jean at gmail.com") contains a digit,
  an '@' or a '+'. One charset-prefixed regex finds those seeds (the regex engine
  skips all other characters in C), so plain prose costs almost nothing.
- At each seed, anchored regexes propose a candidate (one combined regex for phones,
  cards and NIRs, most specific first). Left context (intro words such as "n° client",
  an IBAN's country letters, an email's local part) is read by matching a reversed
  regex on the reversed preceding window, so the check costs O(length of the intro)
  instead of a scan of the text. Dates and amounts ("21/11/2026", "1 250 €") are
  dismissed by one anchored match before anything else.
- Checksums (Luhn, IBAN mod-97, NIR key) and context rules run only on candidates;
  a candidate that fails is retried as the next kind at the same place, and nothing
  is replaced without passing its kind's check.

Quick benchmark (not a test): ``python -m voc.pii`` prints texts/s for `redact_many`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["PLACEHOLDERS", "PiiMatch", "find_pii", "redact", "redact_many", "count_pii"]

PLACEHOLDERS: dict[str, str] = {
    "email": "[EMAIL]",
    "tel": "[TEL]",
    "iban": "[IBAN]",
    "carte": "[CARTE]",
    "nir": "[NIR]",
    "numero_client": "[NUMERO_CLIENT]",
    "pseudo": "[PSEUDO]",
}


@dataclass(frozen=True)
class PiiMatch:
    """One PII span of the original text: `text[start:end] == value`."""

    start: int
    end: int
    kind: str
    value: str


# =========================================================================== patterns
_SP = "[ \u00a0\u202f]"  # spaces, incl. the (narrow) no-break spaces of spreadsheet exports
_SEP = "[ \u00a0\u202f.\\-]"  # group separators inside phone numbers and NIRs
_SEP_WIDE = "(?:[ \u00a0\u202f]?[.\\-][ \u00a0\u202f]?|[ \u00a0\u202f])"  # also "06 - 12 - 34 - 56 - 78"

# Seeds: a number of 3+ digits (single separators allowed: "1 250", "4/10", "06 - 12..."),
# an '@', a '+' before a digit, or two digits right after two letters (IBAN check digits),
# with the digits/separators that follow. The leading character class lets the regex
# engine skip everything else in C, and "3 semaines" or "48,99 €" never reach Python.
_SEED = re.compile(
    r"[0-9@+](?:[0-9]{2}|(?<=@)|(?<=\+)(?=[ \u00a0]?[0-9])|(?<=[A-Za-z]{2}[0-9])[0-9]"
    r"|[ \u00a0\u202f.\-/][0-9][ \u00a0\u202f.\-/]?[0-9]|[0-9][ \u00a0\u202f.\-/][0-9]|(?<=0)[1-9] ?[.\-] ?[0-9])"
    r"[0-9 \u00a0\u202f.\-/]{0,48}"  # bounded: the longest PII (a spaced IBAN) fits, huge numbers stay linear
)
_CLUSTER_TRAIL = " \u00a0\u202f.-/"

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'«»]+", re.I)

_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]{0,80}\w@[\w\-]{1,63}(?:\.[\w\-]{1,63}){0,6}\.[^\W\d_]{2,24}(?![\w\-])")
_EMAIL_LOCAL_R = re.compile(r"[\w.+\-]*")  # an email's local part, read backwards from the '@'
_EMAIL_AHEAD = re.compile(r"[\w.+\-]{0,64}@\w")
_LOCAL_PUNCT = frozenset("._+-@")

_OBF_AT = r"(?:\s*[\[({<]\s*(?:at|arobase|@)\s*[\])}>]\s*|\s+(?:at|arobase)\s+)"
_OBF_DOT = r"(?:\s*[\[({<]\s*(?:dot|point)\s*[\])}>]\s*|\s+(?:dot|point)\s+|\.)"
_OBF_TLD = r"(?:com|fr|net|org|eu|be|ch|lu|ca|de|es|it|uk|io|info|biz|me)"
_EMAIL_OBF = re.compile(
    r"(?i)(?<![\w.+\-])(?P<local>[\w+\-]{1,64}(?:" + _OBF_DOT + r"[\w+\-]{1,64}){0,3}?)" + _OBF_AT
    + r"(?P<dom>[\w\-]{1,64})(?:" + _OBF_DOT + r"[\w\-]{1,64}){0,3}?" + _OBF_DOT + _OBF_TLD + r"(?![\w\-])"
)

_IBAN = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:" + _SP + r"?[A-Za-z0-9]{4}){2,7}"
    r"(?:" + _SP + r"?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])"
)

_NIR = (
    r"(?<![\w+.,])(?<!\d[ \u00a0.\-])[1278]" + _SEP + r"?\d{2}" + _SEP + r"?\d{2}" + _SEP + r"?(?:\d{2}|2[ABab])"
    + _SEP + r"?\d{3}" + _SEP + r"?\d{3}(?:" + _SEP + r"?\d{2})?(?![\w])"
)
_CARTE = r"(?<![\w+.,€$])(?<!\d[ \u00a0\-.])[2-6]\d{3}(?:[ \u00a0\-.]?\d){9,15}(?![\w])"
_TEL_FR = (
    r"(?:(?<![\w+])(?:\+|00)" + _SP + r"?33" + _SEP + r"?(?:\(0\)" + _SEP + r"?|0" + _SEP + r"?)?[1-9]"
    r"|(?<![\w+])0" + _SP + r"?[1-9])"
    r"(?:(?:" + _SEP_WIDE + r"?\d){8}|(?:/\d\d){4})(?![\w]|[,.]\d)"
)
_TEL_INT = (
    r"(?<![\w+])(?:\+|00)" + _SP + r"?[1-9]\d{0,2}(?:" + _SEP + r"?\(\d{1,4}\))?"
    r"(?:" + _SEP + r"?\d{1,4}){2,7}(?![\w]|[,.]\d)"
)
_NUMERIC_BRANCHES = [("nir", _NIR), ("carte", _CARTE), ("tel_fr", _TEL_FR), ("tel_int", _TEL_INT)]
_NUMERIC = re.compile("|".join(f"(?P<{n}>{p})" for n, p in _NUMERIC_BRANCHES))
_NUMERIC_ONE = {n: re.compile(p) for n, p in _NUMERIC_BRANCHES}
_NUMERIC_ORDER = [n for n, _ in _NUMERIC_BRANCHES]

_HANDLE = re.compile(r"(?<![\w@/\\])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,48}[A-Za-z0-9_])?(?![\w@])")
_HANDLE_NOT_PERSON = re.compile(r"\d+(?:h\d{0,2})?", re.I)  # "@15h" is a time, not a person


# ---- intro words of customer / contract / order / file / account / meter-point ids --
def _trie(phrases: Iterable[str], reverse: bool = False) -> str:
    """A regex alternation of `phrases`, factored as a trie so that the engine checks
    one character per branch point; spaces match any run of spaces and e/é/è (written
    'e' in the phrases) are interchangeable. With `reverse`, it matches them backwards."""
    root: dict[str, dict] = {}
    for phrase in phrases:
        node = root
        for ch in phrase[::-1] if reverse else phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        alts = [
            (r"\s+" if ch == " " else "[eéè]" if ch == "e" else re.escape(ch)) + emit(child)
            for ch, child in sorted(node.items())
            if ch
        ]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and "" not in node else "(?:" + "|".join(alts) + ")"
        return body + "?" if "" in node else body

    return emit(root)


def _typos(words: Iterable[str]) -> set[str]:
    """Each word plus its one-deletion and adjacent-transposition misspellings (first
    letter kept): "cilent", "clietn", "cliet", "contrt", "numro"... Customers type fast."""
    out = set()
    for w in words:
        out.add(w)
        for i in range(1, len(w)):
            out.add(w[:i] + w[i + 1:])
            if i + 1 < len(w):
                out.add(w[:i] + w[i + 1] + w[i] + w[i + 2:])
    return out


_NUM_WORDS = [
    "n°", "nº", "no", "no.", "n.", "nr", "nr.", "num", "num.", "numeros", "ref", "ref.", "refs",
    "references", "identifiant", "id", "code", *_typos(["numero", "reference"]),
]
_OBJECTS = [
    "abonnement", "bon de commande", "cde", "cmd", "compte", "compte client", "compte bancaire", "sinistre",
    "police", "reclamation", "ticket", "incident", "demande", "devis", "souscripteur", "membre", "fidelite",
    "pdl", "pce", "prm", "point de livraison", "mandat", "rum", "identifiant", "rib", "iban",
    *_typos(["client", "abonne", "adherent", "contrat", "commande", "dossier", "facture"]),
]
_AFTER_OBJECT = ["n°", "nº", "no", "no.", "num", "num.", "numero", "#", "ref", "ref.", "reference", "id"]
_WEAK = frozenset({"client", "abonne", "contrat", "commande", "dossier"})  # bare word + id: strict id rules
_SOLO = frozenset({"identifiant", "pdl", "pce", "prm", "cde", "cmd", "rib", "iban"})  # bare word + id: fine
_BANK = frozenset({"rib", "iban", "compte", "compte bancaire"})  # an IBAN after these is forced
# Read backwards from the value: connectors ("c'est le", " : ", "#"...), then either
# "<object> n°" (form B) or "[n°|numéro|réf...] [de|du|d'] [mon|ma...] <object>" (form A).
_EXTRA_WORD_R = r"(?:[^\W\d_]{2,20}(?:['’][^\W\d_])?\s+)"  # "EDF ", "de gaz ", "d'électricité " backwards
_INTRO_R = re.compile(
    r"(?i)(?>(?:\s+el|\s+al|\s*:)?\s+(?:tse['’]c|tse))?[\s:=()«»\"\-–]*+"
    r"(?:(?P<after>" + _trie(_AFTER_OBJECT, True) + r")\s*" + _EXTRA_WORD_R + r"{0,2}"
    r"(?P<obj_b>" + _trie(_OBJECTS, True) + r")"
    r"|" + _EXTRA_WORD_R + r"{0,2}(?P<obj>" + _trie(_OBJECTS, True) + r")"
    r"(?:\s+(?:nom|am|ertov|al|el))?(?:\s+(?:ed|ud)|\s*['’]d)?\s*(?P<num>" + _trie(_NUM_WORDS, True) + r")"
    r"|(?P<bare>" + _trie(_OBJECTS, True) + r")"
    r")(?!\w)"
)
_ACCENTS = str.maketrans("éèêÉÈÊ", "eeeeee")


def _norm_words(reversed_text: str) -> str:
    return " ".join(reversed_text[::-1].lower().translate(_ACCENTS).split())


_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-./_")
_VALUE = re.compile(  # an IBAN-like value, spaced digit groups ("458 712 369"), or one token with a digit
    r"(?:[A-Za-z]{2}\d{2}(?:" + _SP + r"?[A-Za-z0-9]{4}){2,7}(?:" + _SP + r"?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])"
    r"|\d{1,6}(?:" + _SP + r"(?=[A-Za-z0-9]{2})[A-Za-z0-9]{0,12}\d[A-Za-z0-9]{0,12}){1,5}(?![\w@])"
    r"|(?=[A-Za-z0-9\-./_]{0,60}\d)[A-Za-z0-9]{1,30}(?:[\-./_][A-Za-z0-9]{1,30}){0,6}(?![\w@]))"
)
_UNITS = (
    r"(?:[€$%]|" + _trie(["eur", "euro", "euros", "kwh", "kw", "kva", "mwh", "m3", "m³", "m²", "go", "mo", "gb", "mb",
                           "h", "min", "mn", "mois", "jour", "jours", "an", "ans", "fois", "km", "kg", "ttc", "ht", "ct",
                           "cts", "centime", "centimes", "point", "points", "page", "pages", "article", "articles",
                           "colis"]) + r"(?![^\W\d_])|[,.]\d)"
)
_UNIT_AFTER = re.compile(r"(?i)\s?" + _UNITS)
_DATE = r"(?:\d{1,2}[/.\-]\d{1,2}(?:[/.\-](?:\d{4}|\d{2}))?|\d{4}[/.\-]\d{1,2}(?:[/.\-]\d{1,2})?|\d{1,2}:\d{2})"
_DATE_LIKE = re.compile(_DATE + r"|\d{1,2}h\d{0,2}|\d+[.,]\d{1,2}", re.I)  # dates, times, decimals
# A number that is a date or an amount / duration / quantity: skipped before any other check.
_BORING = re.compile(
    r"(?i)" + _DATE + r"(?![0-9A-Za-z]|[/.\-][0-9])"
    r"|[0-9]{1,24}+(?:[ \u00a0\u202f.\-/][0-9]{1,24}+){0,12}+[ \u00a0\u202f]?" + _UNITS
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_THREE_DIGITS = re.compile(r"\d{3}")

# ---- context rules -----------------------------------------------------------------
_NIR_CONTEXT = re.compile(
    r"(?i)s[ée]cu\b|s[ée]curit[ée]\s+sociale|\bnir\b|\bn°?\s*ss\b|\bss\b|carte\s+vitale|\binsee\b|immatriculation"
)
_IBAN_WORD = re.compile(r"(?i)\b(?:iban|rib)\b")
# Words after which a long number is a product / company / device code, not a phone or a card
# (read backwards from the number: "SIRET de l'agence 552...", "numéro de série 02...").
_NOT_PERSONAL_R = re.compile(
    r"(?i)[\W_]*(?:" + _trie(["de", "du", "des", "d", "l", "la", "le", "n°", "no", "num", "numero", "ref",
                                "reference", "agence", "magasin", "societe", "entreprise", "code", "sn"], True)
    + r"[\W_]+){0,3}" + _trie(["siret", "siren", "ean", "imei", "code barre", "code barres", "code-barre",
                                "code-barres", "codebarre", "serie", "serial", "sn", "produit", "article", "tva", "lot",
                                "modele", "model", "colis", "suivi"], True)
    + r"(?!\w)"
)
_KNOWN_MAIL_DOMAINS = frozenset(
    "gmail hotmail yahoo orange free sfr laposte outlook live wanadoo icloud bbox neuf aol protonmail gmx msn "
    "numericable club-internet voila".split()
)

# Official IBAN lengths (SWIFT registry) for the countries customers are likely to quote.
_IBAN_LEN = {
    "FR": 27, "MC": 27, "DE": 22, "BE": 16, "NL": 18, "ES": 24, "IT": 27, "CH": 21, "GB": 22, "LU": 20,
    "PT": 25, "AT": 20, "IE": 22, "DK": 18, "FI": 18, "SE": 24, "NO": 15, "PL": 28, "GR": 27, "CZ": 24,
    "SK": 24, "HU": 28, "RO": 24, "BG": 22, "HR": 21, "SI": 19, "LI": 21, "MA": 28, "TN": 24, "DZ": 26,
    "SM": 27, "AD": 24, "EE": 20, "LV": 21, "LT": 20, "MT": 31, "CY": 28, "IS": 26, "TR": 26, "SN": 28,
    "CI": 28, "CM": 27, "MU": 30, "LB": 28, "GI": 23, "VA": 22, "AL": 28, "RS": 22, "BA": 20, "ME": 22,
    "MK": 19, "UA": 29, "IL": 23, "SA": 24, "AE": 23, "BR": 29,
}
# National significant number lengths after the calling code, for the codes customers quote.
_CC_LEN: dict[str, tuple[int, ...]] = {
    "1": (10,), "7": (10,), "20": (9, 10), "27": (9,), "30": (10,), "31": (9,), "32": (8, 9), "33": (9,),
    "34": (9,), "36": (8, 9), "39": tuple(range(6, 12)), "40": (9,), "41": (9,), "43": tuple(range(7, 14)),
    "44": (9, 10), "45": (8,), "46": tuple(range(7, 11)), "47": (8,), "48": (9,), "49": tuple(range(6, 14)),
    "351": (9,), "352": tuple(range(6, 12)), "353": (7, 8, 9), "212": (9,), "213": (8, 9), "216": (8,),
    "221": (9,), "223": (8,), "225": (10,), "226": (8,), "229": (8, 10), "237": (9,), "241": (7, 8),
    "242": (9,), "243": (9,), "261": (9,), "262": (9,), "377": (8, 9), "590": (9,), "594": (9,),
    "596": (9,), "687": (6,), "689": (6, 8), "90": (10,), "91": (10,), "86": (11,), "61": (9,),
    "55": (10, 11), "52": (10,), "972": (8, 9), "971": (8, 9),
}
_CC_DEFAULT_LEN = tuple(range(7, 13))


# =========================================================================== checks
def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        x = ord(ch) - 48
        if i & 1:
            x *= 2
            if x > 9:
                x -= 9
        total += x
    return total % 10 == 0


_IBAN_LETTERS = str.maketrans({chr(c): str(c - 55) for c in range(ord("A"), ord("Z") + 1)})


def _iban_ok(compact: str) -> bool:
    """ISO 13616 mod-97 check of an upper-case IBAN without spaces."""
    digits = (compact[4:] + compact[:4]).translate(_IBAN_LETTERS)
    return digits.isdigit() and int(digits) % 97 == 1


def _nir_digits(raw: str) -> str:
    """The NIR as 13 or 15 characters, Corsica's 2A/2B mapped to 19/18 as the key requires."""
    compact = "".join(c for c in raw.upper() if c.isalnum())
    if compact[5:7] == "2A":
        compact = compact[:5] + "19" + compact[7:]
    elif compact[5:7] == "2B":
        compact = compact[:5] + "18" + compact[7:]
    return compact


_NIR_CANONICAL = re.compile(
    r"\d[ \u00a0.\-]\d\d[ \u00a0.\-]\d\d[ \u00a0.\-](?:\d\d|2[AB])[ \u00a0.\-]\d{3}[ \u00a0.\-]\d{3}[ \u00a0.\-]\d\d", re.I
)


def _near(pattern: re.Pattern[str], text: str, start: int, end: int, before: int, after: int = 0) -> bool:
    return pattern.search(text, max(0, start - before), start) is not None or (
        after > 0 and pattern.search(text, end, min(len(text), end + after)) is not None
    )


def _not_personal_context(text: str, start: int) -> bool:
    return _NOT_PERSONAL_R.match(text[max(0, start - 50):start][::-1]) is not None


def _digit_run_ends(raw: str) -> list[tuple[int, int]]:
    """(digits so far, offset just after the run) for each run of digits in `raw`."""
    out, count, i, n = [], 0, 0, len(raw)
    while i < n:
        if raw[i].isdigit():
            j = i
            while j < n and raw[j].isdigit():
                j += 1
            count += j - i
            out.append((count, j))
            i = j
        else:
            i += 1
    return out


_Span = tuple[int, int, str]
# A validator returns (spans to redact, end of the consumed region) or None to reject the candidate.
_Result = tuple[list[_Span], int] | None


def _iban_end(text: str, s: int, e: int, force: bool) -> int | None:
    """End of the valid IBAN starting at `s` (trailing junk trimmed), or None."""
    raw = text[s:e]
    compact = raw.replace(" ", "").replace("\u00a0", "").replace("\u202f", "").upper()
    length = _IBAN_LEN.get(compact[:2])
    if length is None:
        return e if force and len(compact) >= 15 else None
    if len(compact) >= length and _iban_ok(compact[:length]):
        keep = length
    elif force and len(compact) >= length - 2:  # "IBAN" said explicitly: accept a mistyped one
        keep = min(length, len(compact))
    else:
        return None
    if keep == len(compact):
        return e
    seen = 0
    for i, c in enumerate(raw):  # map the kept length back to a text offset
        if c.isalnum():
            seen += 1
            if seen == keep:
                return s + i + 1
    return e


def _v_nir(text: str, m: re.Match[str]) -> _Result:
    s, e = m.span()
    raw = m.group()
    digits = _nir_digits(raw)
    if not digits.isdigit() or len(digits) not in (13, 15):
        return None
    if _near(_NIR_CONTEXT, text, s, e, 50, 40):
        return [(s, e, "nir")], e
    if len(digits) == 15 and (97 - int(digits[:13]) % 97 == int(digits[13:]) or _NIR_CANONICAL.fullmatch(raw)):
        return [(s, e, "nir")], e
    return None


def _v_carte(text: str, m: re.Match[str]) -> _Result:
    s = m.start()
    raw = m.group()
    if _not_personal_context(text, s):
        return None
    digits = "".join(c for c in raw if c.isdigit())
    for count, off in reversed(_digit_run_ends(raw)):  # longest first, then trim trailing groups
        if count < 13:
            break
        if count <= 19 and _luhn_ok(digits[:count]):
            return [(s, s + off, "carte")], s + off
    return None


def _v_tel_fr(text: str, m: re.Match[str]) -> _Result:
    s = m.start()
    if m.end() - s == 10 and text[s] == "0" and _not_personal_context(text, s):
        return None  # a bare 10-digit "0..." after "numéro de série", "réf produit"...
    return [(s, m.end(), "tel")], m.end()


def _v_tel_int(text: str, m: re.Match[str]) -> _Result:
    s = m.start()
    raw = m.group()
    plus = raw[0] == "+"
    body = (raw[1:] if plus else raw[2:]).replace("(0)", "___")  # "+44 (0)20": the trunk 0 is not dialled
    digits = "".join(c for c in body if c.isdigit())
    cc = next((digits[:k] for k in (3, 2, 1) if digits[:k] in _CC_LEN), None)
    allowed = _CC_LEN[cc] if cc else _CC_DEFAULT_LEN
    cc_len = len(cc) if cc else 2
    if not plus and (cc is None or (digits[cc_len:cc_len + 1] == "0" and cc != "39")):
        return None  # "00..." needs a known calling code and no trunk zero after it
    prefix = len(raw) - len(body)
    for count, off in reversed(_digit_run_ends(body)):
        if count - cc_len in allowed:
            return [(s, s + prefix + off, "tel")], s + prefix + off
        if not plus:
            return None  # no trimming for the more ambiguous "00" form
    return None


_NUMERIC_VALIDATORS = {"nir": _v_nir, "carte": _v_carte, "tel_fr": _v_tel_fr, "tel_int": _v_tel_int}


def _numeric_at(text: str, s: int) -> _Result:
    """Phone / card / NIR starting at `s`; a failed candidate is retried as the next kind."""
    m = _NUMERIC.match(text, s)
    if m is None:
        return None
    name = m.lastgroup
    res = _NUMERIC_VALIDATORS[name](text, m)
    if res is not None:
        return res
    for other in _NUMERIC_ORDER[_NUMERIC_ORDER.index(name) + 1:]:
        m = _NUMERIC_ONE[other].match(text, s)
        if m is not None and (res := _NUMERIC_VALIDATORS[other](text, m)) is not None:
            return res
    return None


def _iban_at(text: str, s: int) -> _Result:
    m = _IBAN.match(text, s)
    if m is None:
        return None
    end = _iban_end(text, s, m.end(), _near(_IBAN_WORD, text, s, s, 30))
    return None if end is None else ([(s, end, "iban")], end)


def _intro_at(text: str, q: int) -> _Result:
    """An id introduced by "n° client", "contrat n°", "PDL"... whose value starts at `q`."""
    intro = _INTRO_R.match(text[max(0, q - 60):q][::-1])
    if intro is None:
        return None
    if intro.group("obj_b") is not None:
        obj, strength = _norm_words(intro.group("obj_b")), "strong"
    elif intro.group("obj") is not None:
        obj, strength = _norm_words(intro.group("obj")), "strong"
    else:
        obj = _norm_words(intro.group("bare"))
        if obj in _SOLO:
            strength = "strong"
        elif obj in _WEAK:
            strength = "weak"
        else:
            return None  # "facture 2026", "ticket 12": an object word alone is no intro
    vm = _VALUE.match(text, q)
    if vm is None:
        return None
    vs, ve = vm.span()
    value = vm.group()
    if value[:2].isalpha() and value[2:4].isdigit():
        end = _iban_end(text, vs, ve, force=obj in _BANK)
        if end is not None:
            return [(vs, end, "iban")], end
    if _DATE_LIKE.fullmatch(value) or _UNIT_AFTER.match(text, ve):
        return None
    if value.isdigit():
        digits, letters = len(value), 0
    else:
        digits = sum(map(str.isdigit, value))
        letters = sum(map(str.isalpha, value))
    if strength == "weak":  # bare "client", "commande"...: demand a real-looking id
        if digits < 5 or len(value) < 6 or (not letters and digits < 6) or _YEAR.fullmatch(value):
            return None
        if letters and not _THREE_DIGITS.search(value):
            return None  # "iPhone15", "S23": model names, not ids
    elif digits < 3 or len(value) < 4:
        return None
    return [(vs, ve, "numero_client")], ve


def _email_or_handle_at(text: str, s: int, brands: frozenset[str], in_url: bool) -> _Result:
    prev = text[s - 1:s]
    local = _EMAIL_LOCAL_R.match(text[max(0, s - 80):s][::-1]).end() if prev.isalnum() or prev in _LOCAL_PUNCT else 0
    if local:
        m = _EMAIL.match(text, s - local)
        if m is not None and m.end() > s:
            return [(m.start(), m.end(), "email")], m.end()
        return None
    if in_url:
        return None
    m = _HANDLE.match(text, s)
    if m is None:
        return None
    name = m.group()[1:]
    if _HANDLE_NOT_PERSON.fullmatch(name) or name.lower() in brands:
        return [], m.end()
    return [(s, m.end(), "pseudo")], m.end()


def _obfuscated_emails(text: str) -> list[_Span]:
    out = []
    for m in _EMAIL_OBF.finditer(text):
        value = m.group().lower()
        if not any(b in value for b in ("(", "[", "{", "<")):
            # Plain " at " / " arobase ": demand a real-looking address, not English prose.
            if m.group("dom").lower() not in _KNOWN_MAIL_DOMAINS and not re.search(r"[._\d]", m.group("local")):
                continue
        out.append((m.start(), m.end(), "email"))
    return out


def _obfuscation_possible(text: str) -> bool:
    """Cheap necessary condition for "jean at gmail.com", "jean(at)gmail.com"..."""
    return (
        " at " in text or "(at)" in text or "[at]" in text or "arobase" in text
        or " AT " in text or "AROBASE" in text
    )


# =========================================================================== scanning
def _at_seed(text: str, seed: re.Match[str], brands: frozenset[str], in_url: bool, has_at: bool) -> _Result:
    """Classify the PII (if any) that a seed belongs to; None to skip the seed."""
    s = seed.start()
    c = text[s]
    if c == "@":
        return _email_or_handle_at(text, s, brands, in_url)
    if in_url:
        return None  # numbers inside URLs are ids of pages, not of people
    if c == "+":
        return _numeric_at(text, s)
    end = seed.end()
    after = text[end:end + 1]
    if has_at and (after.isalnum() or after in _LOCAL_PUNCT) and _EMAIL_AHEAD.match(text, s):
        return None  # digits of an email's local part: its '@' seed handles it
    glued = s > 0 and text[s - 1] in _TOKEN_CHARS
    if not glued and _BORING.match(text, s):
        return None  # a date, an amount, a duration, a quantity
    if s >= 2 and text[s - 1].isalpha() and text[s - 2].isalpha() and (s == 2 or not text[s - 3].isalnum()):
        res = _iban_at(text, s - 2)
        if res is not None:
            return res
    q, stop = s, max(0, s - 40)
    while q > stop and text[q - 1] in _TOKEN_CHARS:
        q -= 1
    res = _intro_at(text, q)
    if res is None and q < s:
        res = _intro_at(text, s)  # "n°client45871236"
    if res is not None:
        return res
    e = s + len(seed.group().rstrip(_CLUSTER_TRAIL))
    if e - s >= 10 or text[e:e + 1] in ("A", "B", "a", "b"):  # long enough for a phone, card or NIR
        return _numeric_at(text, s)
    return None


def _scan(text: str, brands: frozenset[str]) -> list[_Span]:
    """(start, end, kind) of each PII span, sorted and without overlaps."""
    seed = _SEED.search(text)
    obf = _obfuscation_possible(text)
    if seed is None and not obf:
        return []
    spans: list[_Span] = []
    blocked: list[tuple[int, int]] = []  # obfuscated emails already found
    if obf:
        spans = _obfuscated_emails(text)
        blocked = [(s, e) for s, e, _ in spans]
    urls = [m.span() for m in _URL.finditer(text)] if ("://" in text or "www." in text) else []
    has_at = "@" in text
    search = _SEED.search
    while seed is not None:
        s = seed.start()
        res: _Result = None
        if not (blocked and any(a <= s < b for a, b in blocked)):
            in_url = bool(urls) and any(a <= s < b for a, b in urls)
            res = _at_seed(text, seed, brands, in_url, has_at)
        if res is None:
            pos = seed.end()
        else:
            found, pos = res
            spans.extend(found)
            pos = max(pos, s + 1)
        # Resume right after the match: it may end inside a cluster ("06 12 34 56 78/07 81...").
        seed = search(text, pos)
    if blocked:  # merge the obfuscated emails in, keeping spans disjoint
        spans.sort()
        spans = [sp for i, sp in enumerate(spans) if i == 0 or sp[0] >= spans[i - 1][1]]
    return spans


@lru_cache(maxsize=32)
def _norm_brand_set(brand_handles: frozenset[str]) -> frozenset[str]:
    return frozenset(h.lstrip("@").lower() for h in brand_handles)


def _norm_brands(brand_handles: Iterable[str]) -> frozenset[str]:
    """Lower-cased handles without '@'; cached, since `redact` may be called once per row."""
    if not brand_handles:
        return frozenset()
    if not isinstance(brand_handles, frozenset):
        brand_handles = frozenset(brand_handles)
    return _norm_brand_set(brand_handles)


def find_pii(text: str, brand_handles: frozenset[str] = frozenset()) -> list[PiiMatch]:
    """All PII spans of `text`, sorted and non-overlapping, with their kind and value."""
    return [PiiMatch(s, e, k, text[s:e]) for s, e, k in _scan(text, _norm_brands(brand_handles))]


def _redact(text: str, brands: frozenset[str]) -> str:
    spans = _scan(text, brands)
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for s, e, k in spans:
        parts.append(text[last:s])
        parts.append(PLACEHOLDERS[k])
        last = e
    parts.append(text[last:])
    return "".join(parts)


def redact(text: str, brand_handles: frozenset[str] = frozenset()) -> str:
    """`text` with every PII span replaced by its typed placeholder (e.g. "[TEL]")."""
    return _redact(text, _norm_brands(brand_handles))


def redact_many(texts: Sequence[str | None], brand_handles: frozenset[str] = frozenset()) -> list[str | None]:
    """Batch `redact` used by ingestion: None stays None; normalises the brand set once."""
    brands = _norm_brands(brand_handles)
    redact_one = _redact
    return [None if t is None else redact_one(t, brands) for t in texts]


def count_pii(texts: Iterable[str | None], brand_handles: frozenset[str] = frozenset()) -> dict[str, int]:
    """How many spans of each kind the texts hold (every kind present, zeros included)."""
    brands = _norm_brands(brand_handles)
    counts = dict.fromkeys(PLACEHOLDERS, 0)
    for t in texts:
        if t:
            for _, _, k in _scan(t, brands):
                counts[k] += 1
    return counts


def _benchmark(n: int = 100_000, pii_share: float = 0.1, repeat: int = 5) -> float:
    """Best-of-`repeat` texts/s of `redact_many` on synthetic ~150-character verbatims,
    most with digits (dates, prices, durations), `pii_share` of them with PII."""
    import random
    import time

    rng = random.Random(7)
    plain = [
        "Bonjour, cela fait 3 semaines que j'attends le technicien, facture de 48,99 € le 21/11/2026, rien.",
        "Livraison rapide, colis bien reçu, le livreur était aimable et ponctuel, je recommande vivement !",
        "J'ai appelé 15 fois le 3900 entre 9h et 18h, personne ne répond, 45 minutes d'attente à chaque fois.",
        "Régul de 1 250 € incompréhensible, index 45230 kWh alors que je suis absent depuis 2 mois #arnaque",
        "Conseillère très sympa en agence de Lyon 3e, problème réglé en 10 minutes, merci à elle. Note 9/10",
        "Prélèvement de 75€/mois alors que j'ai résilié le 2026-10-01, iPhone 15 toujours pas reçu @Volteo_FR",
    ]
    with_pii = [
        "mon n° client 45871236, rappelez-moi au 06 12 34 56 78 svp",
        "écrivez-moi à jean.dupont@gmail.com, @marie_l75 a eu le même souci",
        "remboursez sur FR76 3000 6000 0112 3456 7890 189, commande n° 402-7788123",
    ]
    texts = []
    for _ in range(n):
        t = rng.choice(plain) + " " + rng.choice(plain)
        if rng.random() < pii_share:
            t = rng.choice(with_pii) + " " + t
        texts.append(t[:150])
    best = 0.0
    for _ in range(repeat):
        t0 = time.perf_counter()
        redact_many(texts, frozenset({"volteo_fr"}))
        best = max(best, n / (time.perf_counter() - t0))
    return best


if __name__ == "__main__":
    for share in (0.1, 1.0):
        print(f"redact_many, {share:.0%} of texts with PII: {_benchmark(pii_share=share):,.0f} texts/s")
