"""Identity and near-duplicate signatures of verbatims.

Exact duplicates share a `verbatim_id`: a hash of the source and its own id, or of the
content when the source gives no id. Near-duplicates (retweets, copy-paste campaigns,
one complaint sent through two channels) are found with MinHash locality-sensitive
hashing over word sets: each text gets `BANDS` bucket hashes (texts sharing a bucket
are candidates: with probability 0.985 at a Jaccard similarity of 0.8) and a signature
that confirms a candidate when the estimated similarity reaches `MIN_SIMILARITY`.
Everything is vectorised with numpy so that a million rows cost seconds.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

BANDS = 8
ROWS_PER_BAND = 4
MIN_SIMILARITY = 0.75  # estimated Jaccard similarity of word sets to call two texts near-duplicates
_rng = np.random.default_rng(20261122)  # fixed: signatures must be stable across runs and machines
_A = _rng.integers(1, 2**63, size=BANDS * ROWS_PER_BAND, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _rng.integers(0, 2**63, size=BANDS * ROWS_PER_BAND, dtype=np.uint64)

_NOISE = re.compile(r"^\s*rt\s+@\w+\s*:\s*|https?://\S+|www\.\S+|[@#]\w+", re.IGNORECASE)
# A copy shares a text's opening and its ending; reading only those bounds the cost, and
# reading both keeps two complaints that merely open alike from looking like copies.
HEAD_CHARS, TAIL_CHARS = 150, 100


def verbatim_ids(source: str, source_ids: list[str | None], content_keys: list[str | None]) -> list[str]:
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


def _word_shingles(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(row of each shingle, shingle): the first 8 bytes of each word of a text's lower-cased
    opening and ending, read straight from Arrow's UTF-8 buffer.

    No Python object per word: on a slow CPU, building and hashing millions of small
    strings costs more than all the rest of the near-duplicate search.
    """
    limit = HEAD_CHARS + TAIL_CHARS
    arr = pa.array([_strip_noise(t if len(t) <= limit else t[:HEAD_CHARS] + " " + t[-TAIL_CHARS:]) for t in texts],
                   type=pa.string())
    arr = pc.utf8_lower(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset:arr.offset + len(arr) + 1].astype(np.int64)
    begin, end = int(offsets[0]), int(offsets[-1])
    if end == begin:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[begin:end]
    row_starts = offsets[:-1] - begin
    row_ends = offsets[1:] - begin
    is_space = (data == 32) | (data == 10) | (data == 9)
    starts = ~is_space
    starts[1:] &= is_space[:-1]
    starts[row_starts[row_starts < data.size]] = ~is_space[row_starts[row_starts < data.size]]
    positions = np.flatnonzero(starts)
    rows = np.searchsorted(row_starts, positions, side="right") - 1
    # A shingle stops at the end of its word (and so never reads the next row).
    space_positions = np.append(np.flatnonzero(is_space), data.size)  # the end as a last "space"
    word_end = space_positions[np.searchsorted(space_positions, positions)]
    room = np.minimum(word_end, row_ends[rows]) - positions
    padded = np.concatenate([data, np.zeros(8, dtype=np.uint8)])
    shingles = np.zeros(positions.size, dtype=np.uint64)
    for j in range(8):
        byte = np.where(room > j, padded[positions + j], 0).astype(np.uint64)
        shingles |= byte << np.uint64(8 * j)
    return rows.astype(np.int64), _splitmix(shingles)


def lsh_buckets(texts: list[str], min_tokens: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MinHash signatures and band buckets of the eligible texts.

    Returns (row index of each eligible text, uint32 signatures [n, BANDS * ROWS_PER_BAND],
    uint64 buckets [n, BANDS]). Buckets find candidates; signatures confirm them (the
    share of equal values estimates the word-set Jaccard similarity).

    Texts with fewer than `min_tokens` words are not eligible: short answers such as
    "RAS" or "trop cher" are alike by nature, not copies. Vectorised: no Python loop
    over words.
    """
    rows, hashes = _word_shingles(texts)
    counts_all = np.bincount(rows, minlength=len(texts))
    eligible_rows = np.flatnonzero(counts_all >= min_tokens)
    if eligible_rows.size == 0:
        return eligible_rows, np.zeros((0, BANDS * ROWS_PER_BAND), dtype=np.uint32), np.zeros((0, BANDS), dtype=np.uint64)
    keep = counts_all[rows] >= min_tokens
    hashes = hashes[keep]
    counts = counts_all[eligible_rows]
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
    return eligible_rows, signature.astype(np.uint32), buckets
