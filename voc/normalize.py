"""Pure, vectorised clean-up of incoming values: headers, texts, dates and NPS scores.

Each function takes a column (a list of strings) and returns the cleaned column plus,
where a value can be invalid, a per-row reason that ingestion turns into a quarantine.
"""

from __future__ import annotations

import html
import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# ---------------------------------------------------------------------------- headers


def normalise_header(name: str) -> str:
    """'Date de création' -> 'date_de_creation', 'N° ticket' -> 'n_ticket'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def resolve_columns(header: list[str], aliases: dict[str, list[str]]) -> dict[str, str]:
    """Map canonical fields to the file's headers, first matching alias wins, one header per field."""
    by_normalised: dict[str, str] = {}
    for name in header:
        by_normalised.setdefault(normalise_header(name), name)
    used: set[str] = set()
    mapping: dict[str, str] = {}
    for field_name, candidates in aliases.items():
        for alias in candidates:
            original = by_normalised.get(normalise_header(alias))
            if original is not None and original not in used:
                mapping[field_name] = original
                used.add(original)
                break
    return mapping


# ---------------------------------------------------------------------------- texts

_ENTITY = r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
_ENTITY_RE = re.compile(_ENTITY)
_BR = r"(?i)<\s*(br|/p|p|/div|div|li)\s*/?\s*>"
_TAG = r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]{0,500})?/?>|<!--.*?-->"
# RE2 syntax (Arrow compute): \x{...} for code points.
_ODD_SPACE = r"[\t\f\v\x{a0}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}]"
_SPACES = r"[ \t\f\v\x{a0}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}]+"
_INVISIBLE = r"[\x{200b}\x{200e}\x{200f}\x{2060}\x{feff}\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def _where(arr: pa.Array, pattern: str, transform) -> pa.Array:
    """Apply `transform` only to the rows matching `pattern`: most rows need no fix, and skipping
    them is what keeps cleaning cheap."""
    mask = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    if not pc.any(mask).as_py():
        return arr
    return pc.replace_with_mask(arr, mask, transform(pc.filter(arr, mask)))


def clean_texts(values: list[str | None]) -> list[str | None]:
    """NFC, HTML entities and tags removed, whitespace tidied; emojis and line breaks kept.

    Vectorised with Arrow compute, each fix applied only to the rows that need it.
    """
    values = [v if v is None or unicodedata.is_normalized("NFC", v) else unicodedata.normalize("NFC", v)
              for v in values]
    arr = pa.array(values, type=pa.string())
    arr = _where(arr, "\r", lambda a: pc.replace_substring(pc.replace_substring(a, "\r\n", "\n"), "\r", "\n"))
    arr = _where(arr, _ENTITY, lambda a: pa.array(
        # Twice, for the double-escaped exports some tools produce ("&amp;eacute;").
        [html.unescape(html.unescape(v)) for v in a.to_pylist()], type=pa.string()))
    arr = _where(arr, "<", lambda a: pc.replace_substring_regex(pc.replace_substring_regex(a, _BR, "\n"), _TAG, " "))
    arr = _where(arr, _INVISIBLE, lambda a: pc.replace_substring_regex(a, _INVISIBLE, ""))
    arr = _where(arr, _ODD_SPACE + "|  ", lambda a: pc.replace_substring_regex(a, _SPACES, " "))
    arr = _where(arr, " \n|\n ", lambda a: pc.replace_substring_regex(a, r" ?\n ?", "\n"))
    arr = _where(arr, "\n\n\n", lambda a: pc.replace_substring_regex(a, r"\n{3,}", "\n\n"))
    arr = pc.utf8_trim_whitespace(arr)
    return arr.to_pylist()


def text_problem(text: str | None, max_bytes: int) -> str | None:
    """Why a cleaned text cannot be stored, or None."""
    if text is None or not text.strip():
        return "empty text"
    size = len(text.encode("utf-8")) if len(text) * 4 > max_bytes else len(text)
    if size > max_bytes:
        return f"text of {size:,} bytes is over the limit of {max_bytes:,} bytes (ingest.max_text_bytes)".replace(",", " ")
    return None


# ---------------------------------------------------------------------------- dates

FRENCH_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1,
    "fevrier": 2, "février": 2, "fevr": 2, "févr": 2, "fev": 2, "fév": 2, "feb": 2, "february": 2,
    "mars": 3, "mar": 3, "march": 3,
    "avril": 4, "avr": 4, "apr": 4, "april": 4,
    "mai": 5, "may": 5,
    "juin": 6, "jun": 6, "june": 6,
    "juillet": 7, "juil": 7, "jul": 7, "july": 7,
    "aout": 8, "août": 8, "aou": 8, "aoû": 8, "aug": 8, "august": 8,
    "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "décembre": 12, "dec": 12, "déc": 12, "december": 12,
}
_TIME = r"(?:\s*(?:à|a|,|T)?\s*(?P<H>\d{1,2})\s*[:hH]\s*(?P<M>\d{2})?(?:\s*:\s*(?P<S>\d{2}))?)?"
_NUMERIC_FR = re.compile(r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})" + _TIME + r"\s*$")
_MONTH_NAME = re.compile(
    r"^(?:[a-zéû]{3,8}\.?,?\s+)?(?P<d>\d{1,2})(?:er)?\s+(?P<mon>[a-zéû]{3,9})\.?,?\s+(?P<y>\d{4})" + _TIME + r"\s*$"
)
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?\s*(?P<tz>Z|UTC|[+-]\d{2}:?\d{2})?$"
)
_SLASH_ISO = re.compile(r"^\d{4}/\d{2}/\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?$")
MIN_YEAR, MAX_YEAR = 1990, 2100


def parse_dates(values: list[str | None], default_timezone: str = "Europe/Paris") -> tuple[pa.Array, list[str | None]]:
    """Timestamps in UTC (TIMESTAMPTZ) from ISO or French forms, and a reason per bad row.

    Values without an offset are read in `default_timezone` (the French daylight-saving
    gaps shift forward; ambiguous autumn hours are read as summer time).
    """
    fast = _parse_dates_one_format(values, default_timezone)
    if fast is not None:
        return fast
    n = len(values)
    utc = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    naive = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    iso_aware: list[int] = []
    iso_naive: list[int] = []
    parts: list[tuple[int, int, int, int, int, int, int]] = []  # index, y, m, d, H, M, S
    problems: list[str | None] = [None] * n
    for i, raw in enumerate(values):
        if raw is None or not raw.strip():
            problems[i] = "missing date"
            continue
        value = raw.strip()
        m = _ISO.match(value)
        if m:
            (iso_aware if m.group("tz") else iso_naive).append(i)
            continue
        if _SLASH_ISO.match(value):
            iso_naive.append(i)
            continue
        m = _NUMERIC_FR.match(value)
        month: int | None = None
        if m:
            month = int(m.group("m"))
        else:
            m = _MONTH_NAME.match(value.lower())
            if m:
                month = FRENCH_MONTHS.get(m.group("mon").rstrip("."))
        if m is None or month is None:
            problems[i] = f"unparseable date '{value[:40]}'"
            continue
        year = int(m.group("y"))
        year = year + 2000 if year < 100 else year
        parts.append((i, year, month, int(m.group("d")), int(m.group("H") or 0), int(m.group("M") or 0),
                      int(m.group("S") or 0)))

    def _collect(idx: list[int], parsed: pd.Series, target: np.ndarray) -> None:
        positions = np.asarray(idx, dtype=np.int64)
        stamps = parsed.to_numpy(dtype="datetime64[ns]")
        target[positions] = stamps
        for i in positions[np.isnat(stamps)]:
            problems[i] = f"unparseable date '{values[i].strip()[:40]}'"

    if iso_aware:
        raw = pd.Series([values[i].strip().replace("UTC", "Z") for i in iso_aware])
        parsed = pd.to_datetime(raw, utc=True, errors="coerce", format="ISO8601").dt.tz_convert(None)
        _collect(iso_aware, parsed, utc)
    if iso_naive:
        raw = pd.Series([values[i].strip().replace("/", "-") for i in iso_naive])
        parsed = pd.to_datetime(raw, errors="coerce", format="ISO8601")
        _collect(iso_naive, parsed, naive)
    if parts:
        frame = pd.DataFrame(parts, columns=["i", "year", "month", "day", "hour", "minute", "second"])
        parsed = pd.to_datetime(frame[["year", "month", "day", "hour", "minute", "second"]], errors="coerce")
        _collect(frame["i"].tolist(), parsed, naive)

    has_naive = ~np.isnat(naive)
    if has_naive.any():
        local = pd.DatetimeIndex(naive[has_naive]).tz_localize(
            default_timezone, ambiguous=np.ones(int(has_naive.sum()), dtype=bool), nonexistent="shift_forward"
        )
        utc[has_naive] = local.tz_convert("UTC").tz_localize(None).to_numpy()
    years = pd.DatetimeIndex(utc).year
    for i in np.flatnonzero(~np.isnat(utc) & ((years < MIN_YEAR) | (years > MAX_YEAR))):
        problems[i] = f"date '{values[i].strip()[:40]}' is outside {MIN_YEAR}-{MAX_YEAR}"
        utc[i] = np.datetime64("NaT")
    array = pa.array(utc, type=pa.timestamp("ns"), from_pandas=True).cast(pa.timestamp("us", tz="UTC"))
    return array, problems


_COMMON_FORMATS = [
    (re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$"), "%d/%m/%Y %H:%M", False),
    (re.compile(r"^\d{2}/\d{2}/\d{4}$"), "%d/%m/%Y", False),
    (re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$"), "ISO8601", True),
    (re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?$"), "ISO8601", False),
]


def _parse_dates_one_format(values: list[str | None], default_timezone: str):
    """The common case, vectorised: every value has the same well-known layout.

    Returns None when the column is mixed or unusual, and the careful per-value parser runs.
    """
    first = next((v for v in values if v), None)
    if first is None:
        return None
    for pattern, fmt, aware in _COMMON_FORMATS:
        if pattern.match(first):
            break
    else:
        return None
    series = pd.Series(values, dtype="string")
    if not series.str.fullmatch(pattern.pattern).fillna(False).all():
        return None
    parsed = pd.to_datetime(series, format=fmt, errors="coerce", utc=aware)
    if parsed.isna().any():
        return None
    if aware:
        utc = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    else:
        local = pd.DatetimeIndex(parsed).tz_localize(
            default_timezone, ambiguous=np.ones(len(parsed), dtype=bool), nonexistent="shift_forward")
        utc = pd.Series(local.tz_convert("UTC").tz_localize(None))
    years = utc.dt.year
    if ((years < MIN_YEAR) | (years > MAX_YEAR)).any():
        return None
    array = pa.array(utc.to_numpy(dtype="datetime64[ns]"), type=pa.timestamp("ns")).cast(pa.timestamp("us", tz="UTC"))
    return array, [None] * len(values)


# ---------------------------------------------------------------------------- NPS scores

_SCORE = re.compile(r"^\s*(?P<v>\d{1,2})(?:[.,]0+)?\s*(?:/\s*10)?\s*$")


def parse_scores(values: list[str | None]) -> tuple[list[int | None], list[str | None]]:
    """Integers 0-10; '9/10' and '9.0' are 9; anything else is a reason to quarantine."""
    scores: list[int | None] = []
    problems: list[str | None] = []
    for raw in values:
        if raw is None or not str(raw).strip():
            scores.append(None)
            problems.append("missing NPS score")
            continue
        m = _SCORE.match(str(raw))
        value = int(m.group("v")) if m else None
        if value is None or value > 10:
            scores.append(None)
            problems.append(f"NPS score '{str(raw).strip()[:20]}' is not an integer from 0 to 10")
        else:
            scores.append(value)
            problems.append(None)
    return scores, problems


def parse_counts(values: list[str | None]) -> list[int | None]:
    """Likes and replies: non-negative integers, '1,2k' style included; unreadable values are null."""
    out: list[int | None] = []
    for raw in values:
        if raw is None:
            out.append(None)
            continue
        text = str(raw).strip().lower().replace(" ", "").replace("\u202f", "")
        factor = 1
        if text.endswith("k"):
            factor, text = 1000, text[:-1]
        elif text.endswith("m"):
            factor, text = 1_000_000, text[:-1]
        try:
            value = float(text.replace(",", ".")) * factor
        except ValueError:
            out.append(None)
            continue
        out.append(int(value) if 0 <= value < 2**31 else None)
    return out
