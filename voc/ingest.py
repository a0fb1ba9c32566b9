"""Ingestion of complaint, NPS and social files into the store.

`prepare_batch` is pure: it turns a batch of raw rows into Arrow tables of verbatims
to store and rows to quarantine. `ingest_paths` does the I/O: it reads each file in
bounded batches, writes them through `voc.store` in one transaction per file, and
counts. For every file, and in total, read == stored + duplicates + quarantined.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import secrets
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from voc import dedup, store
from voc.config import REQUIRED_FIELDS, SOURCES, Config
from voc.lang import detect_languages
from voc.normalize import clean_texts, parse_counts, parse_dates, parse_scores, resolve_columns, text_problem
from voc.pii import PLACEHOLDERS, redact_many
from voc.readers import FileUnreadable, NeedsCarefulReading, RawBatch, iter_batches

ProgressCallback = Callable[[str, int, int, int], None]  # file name, rows done, bytes done, bytes total

VERBATIM_SCHEMA = pa.schema([
    ("verbatim_id", pa.string()), ("source", pa.string()), ("source_id", pa.string()),
    ("created_at", pa.timestamp("us", tz="UTC")), ("text", pa.string()), ("lang", pa.string()),
    ("lang_confidence", pa.float64()), ("is_french", pa.bool_()), ("brand", pa.string()),
    ("sector", pa.string()), ("channel", pa.string()), ("category", pa.string()), ("status", pa.string()),
    ("score", pa.int8()), ("touchpoint", pa.string()), ("platform", pa.string()), ("author_key", pa.string()),
    ("likes", pa.int32()), ("replies", pa.int32()), ("extra", pa.string()), ("pii_count", pa.int32()),
    ("pii_kinds", pa.list_(pa.string())), ("file_name", pa.string()), ("line_no", pa.int32()),
    ("run_id", pa.string()), ("ingested_at", pa.timestamp("us", tz="UTC")),
])
QUARANTINE_SCHEMA = pa.schema([
    ("source", pa.string()), ("file_name", pa.string()), ("file_sha256", pa.string()), ("line_no", pa.int32()),
    ("reason", pa.string()), ("original_content", pa.string()), ("run_id", pa.string()),
    ("quarantined_at", pa.timestamp("us", tz="UTC")),
])
TEXT_FIELDS = ("brand", "sector", "channel", "category", "status", "touchpoint", "platform")


@dataclass
class FileCounts:
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0

    def add(self, other: FileCounts) -> None:
        self.read += other.read
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.quarantined += other.quarantined


@dataclass
class IngestReport:
    """What a run did; `to_json()` is the `voc ingest --json` contract."""

    run_id: str
    by_file: dict[str, FileCounts] = field(default_factory=dict)
    skipped_files: list[str] = field(default_factory=list)  # already ingested (nightly)
    errors: dict[str, str] = field(default_factory=dict)  # file -> one-sentence reason
    near_duplicates: int = 0
    seconds: float = 0.0

    @property
    def totals(self) -> FileCounts:
        total = FileCounts()
        for counts in self.by_file.values():
            total.add(counts)
        return total

    def to_json(self) -> dict:
        return {
            **asdict(self.totals),
            "by_file": {name: asdict(c) for name, c in self.by_file.items()},
            "near_duplicates": self.near_duplicates,
            "unreadable_files": self.errors,
            "skipped_files": self.skipped_files,
            "run_id": self.run_id,
        }


@dataclass
class PreparedBatch:
    verbatims: pa.Table
    quarantine: pa.Table
    near_dup_index: pa.Table  # verbatim_id, order_key, run_id, buckets, signature
    batch_duplicates: int = 0  # rows dropped because an earlier row of the same batch had their id


@dataclass(frozen=True)
class BatchContext:
    source: str
    file_name: str
    file_sha256: str
    run_id: str
    now: datetime
    config: Config


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _column(batch: RawBatch, mapping: dict[str, str], name: str) -> list[str | None]:
    header = mapping.get(name)
    return batch.columns[header] if header is not None else [None] * len(batch)


def _strip(values: list[str | None]) -> list[str | None]:
    return [v.strip() or None if isinstance(v, str) else v for v in values]


def _author_keys(handles: list[str | None], brand_handles: frozenset[str]) -> list[str | None]:
    """Brand handles are kept; a private person's handle becomes a pseudonymous key."""
    out: list[str | None] = []
    for handle in handles:
        if not handle or not handle.strip():
            out.append(None)
            continue
        name = handle.strip().lstrip("@").lower()
        out.append("@" + name if name in brand_handles else "a_" + hashlib.sha1(name.encode()).hexdigest()[:12])
    return out


def _pii_stats(before: list[str], after: list[str]) -> tuple[list[int], list[list[str] | None]]:
    counts: list[int] = []
    kinds: list[list[str] | None] = []
    for original, redacted in zip(before, after):
        if original == redacted:
            counts.append(0)
            kinds.append(None)
            continue
        found = {k: redacted.count(p) - original.count(p) for k, p in PLACEHOLDERS.items()}
        found = {k: n for k, n in found.items() if n > 0}
        counts.append(sum(found.values()))
        kinds.append(sorted(found) or None)
    return counts, kinds


def prepare_batch(batch: RawBatch, mapping: dict[str, str], ctx: BatchContext) -> PreparedBatch:
    """Clean, validate, redact and identify one batch; no I/O."""
    n = len(batch)
    settings = ctx.config.ingest
    problems: list[str | None] = list(batch.read_errors)
    texts = clean_texts(_column(batch, mapping, "text"))
    for i, text in enumerate(texts):
        if problems[i] is None:
            problems[i] = text_problem(text, settings.max_text_bytes)
    created_at, date_problems = parse_dates(_column(batch, mapping, "created_at"), settings.default_timezone)
    for i, problem in enumerate(date_problems):
        if problems[i] is None and problem:
            problems[i] = problem
    scores: list[int | None] = [None] * n
    if ctx.source == "nps":
        scores, score_problems = parse_scores(_column(batch, mapping, "score"))
        for i, problem in enumerate(score_problems):
            if problems[i] is None and problem:
                problems[i] = problem

    ok = [i for i in range(n) if problems[i] is None]
    bad = [i for i in range(n) if problems[i] is not None]
    brands = ctx.config.brand_handles

    # Quarantine: the original row, redacted like everything else that is stored.
    originals = redact_many([batch.row_original(i) for i in bad], brands)
    quarantine = pa.table({
        "source": [ctx.source] * len(bad),
        "file_name": [ctx.file_name] * len(bad),
        "file_sha256": [ctx.file_sha256] * len(bad),
        "line_no": [batch.line_numbers[i] for i in bad],
        "reason": [problems[i] for i in bad],
        "original_content": originals,
        "run_id": [ctx.run_id] * len(bad),
        "quarantined_at": [ctx.now] * len(bad),
    }, schema=QUARANTINE_SCHEMA)

    def pick(values: list) -> list:
        return [values[i] for i in ok]

    clean = pick(texts)
    redacted = redact_many(clean, brands)
    pii_counts, pii_kinds = _pii_stats(clean, redacted)
    redacted_array = pa.array(redacted, type=pa.string())
    guesses = detect_languages(redacted_array)
    created = pc.take(created_at, pa.array(ok, type=pa.int64()))
    source_ids = _strip(pick(_column(batch, mapping, "source_id")))
    authors = _author_keys(pick(_column(batch, mapping, "author")), brands)
    fields = {name: _strip(pick(_column(batch, mapping, name))) for name in TEXT_FIELDS}
    content_keys: list[str | None] = [None] * len(ok)
    without_id = [j for j, sid in enumerate(source_ids) if not sid]
    if without_id:  # no id from the source: the content (text, date, author, channel) identifies the row
        stamps = pc.cast(created, pa.string()).to_pylist()
        for j in without_id:
            content_keys[j] = "\x1f".join((stamps[j] or "", redacted[j], authors[j] or "",
                                            fields["channel"][j] or "", fields["platform"][j] or ""))
    ids = dedup.verbatim_ids(ctx.source, source_ids, content_keys)

    extra: list[str | None] = [None] * len(ok)
    mapped = set(mapping.values())
    extra_headers = [h for h in batch.header if h not in mapped] if settings.keep_extra_columns else []
    if extra_headers:
        raw_extra = []
        for i in ok:
            record = {h: batch.columns[h][i] for h in extra_headers if batch.columns[h][i] not in (None, "")}
            raw_extra.append(json.dumps(record, ensure_ascii=False) if record else None)
        extra = redact_many(raw_extra, brands)

    verbatims = pa.table({
        "verbatim_id": ids,
        "source": [ctx.source] * len(ok),
        "source_id": source_ids,
        "created_at": created,
        "text": redacted_array,
        "lang": [g.lang for g in guesses],
        "lang_confidence": [g.confidence for g in guesses],
        "is_french": [g.is_french for g in guesses],
        **{name: fields[name] for name in ("brand", "sector", "channel", "category", "status")},
        "score": pick(scores),
        "touchpoint": fields["touchpoint"],
        "platform": fields["platform"],
        "author_key": authors,
        "likes": parse_counts(pick(_column(batch, mapping, "likes"))),
        "replies": parse_counts(pick(_column(batch, mapping, "replies"))),
        "extra": extra,
        "pii_count": pii_counts,
        "pii_kinds": pii_kinds,
        "file_name": [ctx.file_name] * len(ok),
        "line_no": pick(batch.line_numbers),
        "run_id": [ctx.run_id] * len(ok),
        "ingested_at": [ctx.now] * len(ok),
    }, schema=VERBATIM_SCHEMA)

    # Within the batch the first occurrence of an id wins (the store drops ids it already has).
    first = pc.equal(pa.array(np.arange(len(ids))), pc.index_in(verbatims["verbatim_id"], value_set=verbatims["verbatim_id"]))
    batch_duplicates = len(ids) - pc.sum(first).as_py() if ids else 0
    if batch_duplicates:
        keep = first.to_numpy(zero_copy_only=False)
        verbatims = verbatims.filter(first)
        created = created.filter(first)
        redacted = [t for t, k in zip(redacted, keep) if k]

    rows, signatures, buckets = dedup.lsh_buckets(redacted, settings.near_duplicate_min_tokens)
    picked = pa.array(rows)
    picked_ids = pc.take(verbatims["verbatim_id"], picked)
    # Seconds since 1990 (the earliest date accepted) fill 32 bits up to 2126; 28 bits of the id break ties.
    seconds = pc.take(created, picked).cast(pa.int64()).to_numpy(zero_copy_only=False) // 1_000_000 - 631_152_000
    id_prefix = np.fromiter((int(i[:7], 16) for i in picked_ids.to_pylist()), dtype=np.int64, count=len(rows))
    index = pa.table({
        "verbatim_id": picked_ids,
        "order_key": pa.array((seconds << 28) + id_prefix, type=pa.int64()),  # time, then id: ties resolve alike
        "run_id": pa.array([ctx.run_id] * len(rows), type=pa.string()),
        "buckets": pa.FixedSizeListArray.from_arrays(pa.array(buckets.reshape(-1)), buckets.shape[1]).cast(
            pa.list_(pa.uint64())),
        "signature": pa.FixedSizeListArray.from_arrays(pa.array(signatures.reshape(-1)), signatures.shape[1]).cast(
            pa.list_(pa.uint32())),
    })
    return PreparedBatch(verbatims, quarantine, index, batch_duplicates)


def check_mapping(file_name: str, source: str, header: list[str], mapping: dict[str, str]) -> None:
    missing = [f for f in REQUIRED_FIELDS[source] if f not in mapping]
    if missing:
        shown = ", ".join(f"'{h}'" for h in header[:12]) or "none"
        raise FileUnreadable(
            f"{file_name}: no column for {' and '.join(missing)} among the headers ({shown}); "
            f"map one under sources.{source}.columns in the configuration."
        )


class _Inline:
    """Runs `submit` at once in this process: small files are not worth a worker's start-up."""

    def submit(self, fn, *args):
        future: Future = Future()
        future.set_result(fn(*args))
        return future

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


def _die_with_parent() -> None:
    """Worker initialiser: a worker must not outlive a killed ingestion (Linux prctl)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _executor(path: Path, config: Config):
    """Worker processes for big files: `prepare_batch` is pure, so batches clean in parallel
    while this process reads the file and writes the database."""
    workers = config.ingest.workers
    big = path.stat().st_size > config.ingest.parallel_min_bytes
    if workers > 1 and big:
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_die_with_parent)
    return _Inline()


def ingest_file(con: duckdb.DuckDBPyConnection, path: Path, source: str, config: Config, run_id: str,
                sha256: str | None = None, progress: ProgressCallback | None = None) -> FileCounts:
    """Load one file: all of its rows are accounted for, or none (see `store.file_scope`).

    CSV files are first read by the fast reader; one that needs the careful reader is
    rolled back and read again with it.
    """
    sha256 = sha256 or file_sha256(path)
    try:
        return _ingest_file(con, path, source, config, run_id, sha256, progress, fast=True)
    except NeedsCarefulReading:
        return _ingest_file(con, path, source, config, run_id, sha256, progress, fast=False)


def _ingest_file(con: duckdb.DuckDBPyConnection, path: Path, source: str, config: Config, run_id: str,
                 sha256: str, progress: ProgressCallback | None, fast: bool) -> FileCounts:
    size = path.stat().st_size
    counts = FileCounts()
    ctx = BatchContext(source, path.name, sha256, run_id, datetime.now(timezone.utc), config)
    if progress:
        progress(path.name, 0, 0, size)

    def write(rows_read: int, bytes_done: int, prepared: PreparedBatch) -> None:
        with store.transaction(con):
            inserted = store.insert_verbatims(con, prepared.verbatims)
            index = prepared.near_dup_index
            if index.num_rows and inserted:
                new_ids = pa.array(inserted, type=pa.string())
                store.insert_near_dup_index(con, index.filter(pc.is_in(index["verbatim_id"], value_set=new_ids)))
            store.insert_quarantine(con, prepared.quarantine)
        counts.read += rows_read
        counts.stored += len(inserted)
        counts.duplicates += prepared.batch_duplicates + prepared.verbatims.num_rows - len(inserted)
        counts.quarantined += prepared.quarantine.num_rows
        if progress:
            progress(path.name, counts.read, bytes_done, size)

    scope = store.file_scope(con, source=source, file_name=path.name, file_sha256=sha256, run_id=run_id)
    with scope, _executor(path, config) as pool:
        mapping: dict[str, str] | None = None
        pending: deque[tuple[int, int, Future]] = deque()  # in file order: the first occurrence wins
        for batch in iter_batches(path, config.ingest.chunk_rows, fast=fast):
            batch_mapping = resolve_columns(batch.header, config.field_aliases[source])
            if mapping is None:
                check_mapping(path.name, source, batch.header, batch_mapping)
                mapping = batch_mapping
            pending.append((len(batch), batch.bytes_done, pool.submit(prepare_batch, batch, batch_mapping, ctx)))
            while len(pending) > config.ingest.workers + 1:  # bounded: memory does not grow with the file
                rows_read, bytes_done, future = pending.popleft()
                write(rows_read, bytes_done, future.result())
        while pending:
            rows_read, bytes_done, future = pending.popleft()
            write(rows_read, bytes_done, future.result())
        # A file with a header and no rows is a quiet day, not an error: it is recorded with zeros.
        store.record_file(con, source=source, sha256=sha256, file_name=path.name, file_bytes=size,
                          read=counts.read, stored=counts.stored, duplicates=counts.duplicates,
                          quarantined=counts.quarantined, run_id=run_id)
    return counts


def ingest_paths(con: duckdb.DuckDBPyConnection, files: Iterable[tuple[Path, str]], config: Config, *,
                 run_id: str, command: str, skip_known: bool = False,
                 progress: ProgressCallback | None = None) -> IngestReport:
    """Ingest (path, source) pairs in one write session; unreadable files are reported, not fatal."""
    started = datetime.now(timezone.utc)
    report = IngestReport(run_id=run_id)
    files = list(files)
    for path, source in files:
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}")
        label = path.name if path.name not in report.by_file else str(path)
        try:
            sha = file_sha256(path) if path.is_file() else ""
            if skip_known and sha and store.known_file(con, source, sha):
                report.skipped_files.append(label)
                continue
            report.by_file[label] = ingest_file(con, path, source, config, run_id, sha or None, progress)
        except FileUnreadable as exc:
            report.errors[label] = str(exc)
        except OSError as exc:
            report.errors[label] = f"{path}: the file cannot be read ({exc.strerror or exc})."
    report.near_duplicates = store.link_near_duplicates(con, run_id, dedup.MIN_SIMILARITY)
    totals = report.totals
    store.record_run(con, run_id=run_id, command=command, started_at=started,
                     files=len(report.by_file), files_failed=len(report.errors), read=totals.read,
                     stored=totals.stored, duplicates=totals.duplicates, quarantined=totals.quarantined,
                     errors=list(report.errors.values()))
    report.seconds = (datetime.now(timezone.utc) - started).total_seconds()
    return report


def discover_inbox(inbox: Path) -> list[tuple[Path, str]]:
    """Files waiting in the inbox: `inbox/<source>/...`, or names that start with the source."""
    found: list[tuple[Path, str]] = []
    if not inbox.is_dir():
        return found
    for path in sorted(p for p in inbox.rglob("*") if p.is_file() and not p.name.startswith(".")):
        relative = path.relative_to(inbox).parts
        source = relative[0] if len(relative) > 1 and relative[0] in SOURCES else next(
            (s for s in SOURCES if path.name.lower().startswith(s)), None)
        if source is not None:
            found.append((path, source))
    return found
