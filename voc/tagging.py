"""Tagging at the edges: files in, JSON Lines out (`voc tag`), and gold evaluation (`voc eval`).

The tagger itself (voc.tagger) is pure; this module reads inputs, redacts PII first so
that no evidence span can quote an email or a phone number, and writes results.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from voc.pii import redact_many
from voc.tagger import Tagger

ProgressCallback = Callable[[str, int, int, int], None]


class TagInputError(ValueError):
    """The input of `voc tag` lacks a column or cannot be read."""


def tag_texts(tagger: Tagger, ids: Sequence, texts: Sequence[str | None], brand_handles=frozenset(),
              chunk: int = 2000, progress: ProgressCallback | None = None, name: str = "tag",
              topics=None) -> Iterator[dict]:
    """Yield one `voc tag` record per input, in input order; empty texts get empty tags.

    `topics` (a voc.topics.TopicAssigner) fills each record's topic from the current topic release."""
    total = len(texts)
    if progress:
        progress(name, 0, 0, total)  # starts the clock: the first chunk's rate is a real rate
    for offset in range(0, total, chunk):
        part_ids = ids[offset:offset + chunk]
        part = [t if isinstance(t, str) else "" for t in texts[offset:offset + chunk]]
        redacted = redact_many(part, brand_handles)
        results = tagger.tag(redacted)
        if topics is not None:
            for result, topic in zip(results, topics.topics(redacted, results)):
                result["topic"] = topic
        for rid, result in zip(part_ids, results):
            yield {"id": rid, **result}
        if progress:
            done = min(offset + chunk, total)
            progress(name, done, done, total)


def iter_id_text(path: Path, id_col: str, text_col: str) -> Iterator[tuple[list, list]]:
    """(ids, texts) per batch of a CSV or JSONL file; one clear error when a column is missing."""
    from voc.readers import iter_batches

    for batch in iter_batches(path, 50_000):
        for col in (id_col, text_col):
            if col not in batch.columns:
                raise TagInputError(
                    f"{path.name} has no column '{col}' (columns: {', '.join(batch.header[:12])}); "
                    f"use --id-col / --text-col.")
        yield batch.columns[id_col], batch.columns[text_col]


def read_id_text(path: Path, id_col: str, text_col: str) -> tuple[list, list]:
    ids: list = []
    texts: list = []
    for batch_ids, batch_texts in iter_id_text(path, id_col, text_col):
        ids.extend(batch_ids)
        texts.extend(batch_texts)
    return ids, texts


@dataclass
class TagFileResult:
    rows: int
    seconds: float
    with_irritant: int
    model_version: str


def tag_file(tagger: Tagger, input_path: Path, out: Path, id_col: str = "id", text_col: str = "text",
             brand_handles=frozenset(), progress: ProgressCallback | None = None, topics=None) -> TagFileResult:
    """Tag a CSV or JSONL file into JSON Lines, written atomically (a .part file, then renamed)."""
    ids, texts = read_id_text(input_path, id_col, text_col)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    started = time.monotonic()
    rows = with_irritant = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for record in tag_texts(tagger, ids, texts, brand_handles, progress=progress, name=input_path.name,
                                topics=topics):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            rows += 1
            with_irritant += bool(record["irritants"])
    tmp.replace(out)
    return TagFileResult(rows, time.monotonic() - started, with_irritant, tagger.model_version)
