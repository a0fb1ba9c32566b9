"""Identity and near-duplicate signatures of verbatims.

Exact duplicates share a `verbatim_id`: a hash of the source and its own id, or of the
content when the source gives no id. Near-duplicates (retweets, copy-paste campaigns,
one complaint sent through two channels) are found with MinHash locality-sensitive
hashing over word sets: each text gets `BANDS` bucket hashes, texts that share at least
`MIN_SHARED_BANDS` buckets have a word-set Jaccard similarity of about 0.75 or more.
Everything is vectorised with numpy so that a million rows cost seconds.
"""

from __future__ import annotations

import hashlib
import re
import zlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

BANDS = 12
ROWS_PER_BAND = 4
MIN_SHARED_BANDS = 3
_MASK32 = np.uint64(0xFFFFFFFF)
_rng = np.random.default_rng(20261122)  # fixed: signatures must be stable across runs and machines
_A = _rng.integers(1, 2**63, size=BANDS * ROWS_PER_BAND, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _rng.integers(0, 2**63, size=BANDS * ROWS_PER_BAND, dtype=np.uint64)

_NOISE = re.compile(r"^\s*rt\s+@\w+\s*:\s*|https?://\S+|www\.\S+|[@#]\w+", re.IGNORECASE)
LSH_CHARS = 240  # the opening of a text is enough to recognise a copy, and bounds the cost


def verbatim_ids(source: str, source_ids: list[str | None], content_keys: list[str]) -> list[str]:
    """Stable ids: the source's own id when it has one, else the content (text, date, author...)."""
    out = []
    for source_id, content in zip(source_ids, content_keys):
        key = f"{source}\x1fid\x1f{source_id.strip()}" if source_id and source_id.strip() else f"{source}\x1fcontent\x1f{content}"
        out.append(hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:20])
    return out


def _splitmix(x: np.ndarray) -> np.ndarray:
    """A strong 64-bit mixer, so that similar strings get unrelated hashes."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _strip_noise(text: str) -> str:
    return _NOISE.sub(" ", text) if ("@" in text or "http" in text or "www." in text or "#" in text) else text


_PUNCTUATION = ".,;:!?¿¡()[]{}<>\"'«»“”‘’…-–—_/\\*+=~|%$€£&"


def _words(text: str) -> set[str]:
    """Distinct lower-case words of a text's opening, for near-duplicate search.

    URLs, @handles, #hashtags and a retweet's "RT @x:" are dropped. Plain `split` and
    `strip` keep the cost low: this runs on every ingested row.
    """
    words = {w.strip(_PUNCTUATION) for w in _strip_noise(text[:LSH_CHARS]).lower().split()}
    words.discard("")
    return words


def near_duplicate_tokens(text: str) -> int:
    """How many distinct words of a text count for near-duplicate search (for tests and inspection)."""
    return len(_words(text))


def lsh_buckets(texts: list[str], min_tokens: int) -> tuple[np.ndarray, np.ndarray]:
    """MinHash band buckets: (row index of each eligible text, uint64 buckets of shape [n, BANDS]).

    Texts with fewer than `min_tokens` distinct words are not eligible: short answers
    such as "RAS" or "trop cher" are alike by nature, not copies. Vectorised: no Python
    loop over rows or words.
    """
    word_sets = [_words(t) for t in texts]
    counts_all = np.fromiter((len(w) for w in word_sets), dtype=np.int64, count=len(word_sets))
    eligible_rows = np.flatnonzero(counts_all >= min_tokens)
    empty = np.zeros((0, BANDS), dtype=np.uint64)
    if eligible_rows.size == 0:
        return eligible_rows, empty
    counts = counts_all[eligible_rows]
    hashes = _splitmix(np.fromiter(
        (zlib.crc32(w.encode()) for i in eligible_rows for w in word_sets[i]), dtype=np.uint64, count=int(counts.sum())))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    signature = np.empty((eligible_rows.size, BANDS * ROWS_PER_BAND), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(BANDS * ROWS_PER_BAND):
            permuted = (_A[k] * hashes + _B[k]) >> np.uint64(32)
            signature[:, k] = np.minimum.reduceat(permuted, starts)
    bands = signature.reshape(signature.shape[0], BANDS, ROWS_PER_BAND)
    with np.errstate(over="ignore"):
        low = bands[:, :, 0] | (bands[:, :, 1] << np.uint64(32))
        high = bands[:, :, 2] | (bands[:, :, 3] << np.uint64(32))
        buckets = _splitmix(_splitmix(low) ^ high ^ (np.arange(BANDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)))
    return eligible_rows, buckets
