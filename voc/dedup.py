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
import unicodedata
import zlib

import numpy as np

BANDS = 12
ROWS_PER_BAND = 4
MIN_SHARED_BANDS = 3
_PRIME = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20261122)  # fixed: signatures must be stable across runs
_A = _rng.integers(1, (1 << 31) - 1, size=BANDS * ROWS_PER_BAND, dtype=np.uint64)
_B = _rng.integers(0, (1 << 31) - 1, size=BANDS * ROWS_PER_BAND, dtype=np.uint64)

_RETWEET = re.compile(r"^\s*rt\s+@\w+\s*:\s*", re.IGNORECASE)
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"[@#]\w+")
_TOKEN = re.compile(r"\w+")
_ACCENTS = {ord(c): unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode() or c
            for c in "àâäáãåçéèêëíìîïñóòôöõúùûüýÿœæÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸ"}
_ACCENTS.update({ord("œ"): "oe", ord("æ"): "ae"})


def verbatim_ids(source: str, source_ids: list[str | None], content_keys: list[str]) -> list[str]:
    """Stable ids: the source's own id when it has one, else the content (text, date, author...)."""
    out = []
    for source_id, content in zip(source_ids, content_keys):
        key = f"{source}\x1fid\x1f{source_id.strip()}" if source_id and source_id.strip() else f"{source}\x1fcontent\x1f{content}"
        out.append(hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:20])
    return out


def near_duplicate_tokens(text: str) -> list[str]:
    """Words that define a text's content for near-duplicate search (RT prefix, URLs, @ and # dropped)."""
    text = _RETWEET.sub("", text)
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = text.lower().translate(_ACCENTS)
    return _TOKEN.findall(text)


def lsh_buckets(texts: list[str], min_tokens: int) -> tuple[np.ndarray, np.ndarray]:
    """MinHash band buckets: (row index of each eligible text, uint64 buckets of shape [n, BANDS]).

    Texts with fewer than `min_tokens` distinct words are not eligible: short answers
    such as "RAS" or "trop cher" are alike by nature, not copies.
    """
    token_sets = [set(near_duplicate_tokens(t)) for t in texts]
    eligible = np.fromiter((i for i, s in enumerate(token_sets) if len(s) >= min_tokens), dtype=np.int64)
    if eligible.size == 0:
        return eligible, np.zeros((0, BANDS), dtype=np.uint64)
    lengths = np.fromiter((len(token_sets[i]) for i in eligible), dtype=np.int64, count=eligible.size)
    hashes = np.fromiter(
        (zlib.crc32(tok.encode()) for i in eligible for tok in token_sets[i]), dtype=np.uint64, count=int(lengths.sum())
    )
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    signature = np.empty((eligible.size, BANDS * ROWS_PER_BAND), dtype=np.uint64)
    for k in range(BANDS * ROWS_PER_BAND):
        permuted = (_A[k] * hashes + _B[k]) % _PRIME
        signature[:, k] = np.minimum.reduceat(permuted, starts)
    # Hash each band's rows into one bucket id; the band number is mixed in so that
    # buckets of different bands never collide.
    bands = signature.reshape(eligible.size, BANDS, ROWS_PER_BAND)
    mix = np.array([0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93], dtype=np.uint64)
    with np.errstate(over="ignore"):
        buckets = (bands * mix[:ROWS_PER_BAND]).sum(axis=2, dtype=np.uint64)
        buckets ^= np.arange(BANDS, dtype=np.uint64) * np.uint64(0x2545F4914F6CDD1D)
    return eligible, buckets
