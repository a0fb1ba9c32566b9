"""Topic discovery at scale: embedding rate, BERTopic fit time and peak memory, nightly assignment rate.

    .venv/bin/python bench/bench_topics.py [--rows 100000]

Texts: complaints from the demo generator (the longest verbatims: a conservative case),
focus-texted as the nightly does. They are tagged by the current tagger release (the fit
is guided by its codes, as `voc topics fit` is). Embeddings and tags are cached in
bench/out/ so that a second run measures the fit alone. Each step runs in a fresh process so that its peak memory
(max RSS) is its own.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def _raw(rows: int) -> list[tuple[str, str]]:
    from voc.demo_data import iter_complaint_rows

    return [(row[-1], row[5]) for row in iter_complaint_rows(rows, seed=7)]  # Verbatim, Marque


def _texts(rows: int) -> tuple[list[str], list[str]]:
    from voc.embeddings import boilerplate_keys, focus_text

    raw = _raw(rows)
    boilerplate = boilerplate_keys([t for t, _ in raw], [b for _, b in raw])  # as the nightly does
    ids = [f"b{i:07d}" for i in range(len(raw))]
    return ids, [focus_text(text, brand, boilerplate) for text, brand in raw]


def _tag(rows: int, queue) -> None:
    from voc.tagger import load_tagger
    from voc.tagging import tag_texts

    texts = [text for text, _ in _raw(rows)]
    tagger = load_tagger()
    started = time.perf_counter()
    codes, scores = [], []
    for record in tag_texts(tagger, list(range(len(texts))), texts):
        tags = record["irritants"] + record["enchantements"]
        codes.append([t["code"] for t in tags])
        scores.append([t["score"] for t in tags])
    seconds = time.perf_counter() - started
    OUT.mkdir(exist_ok=True)
    (OUT / f"topics_tags_{rows}.json").write_text(json.dumps({"codes": codes, "scores": scores}), encoding="utf-8")
    queue.put({"step": "tag (for the guide)", "rows": rows, "seconds": round(seconds, 1),
               "per_s": round(rows / seconds), "tagged_share": round(sum(1 for c in codes if c) / len(codes), 3),
               "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2, 2)})


def _embed(rows: int, queue) -> None:
    import numpy as np

    from voc.embeddings import load_embedder

    ids, texts = _texts(rows)
    embedder = load_embedder("use")
    started = time.perf_counter()
    vectors = embedder.encode(texts)
    seconds = time.perf_counter() - started
    OUT.mkdir(exist_ok=True)
    np.save(OUT / f"topics_embeddings_{rows}.npy", vectors)
    queue.put({"step": "embed (USE)", "rows": rows, "seconds": round(seconds, 1), "per_s": round(rows / seconds),
               "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2, 2)})


def _fit(rows: int, queue) -> None:
    import numpy as np

    from voc.config import TopicSettings
    from voc.french import load_french
    from voc.topics import assign, fit_topics

    ids, texts = _texts(rows)
    vectors = np.load(OUT / f"topics_embeddings_{rows}.npy")
    tags = json.loads((OUT / f"topics_tags_{rows}.json").read_text(encoding="utf-8"))
    french = load_french()
    started = time.perf_counter()
    fit = fit_topics(texts, ids, vectors, model_id="use", name="bench", settings=TopicSettings(), french=french,
                     tag_codes=tags["codes"], tag_scores=tags["scores"])
    seconds = time.perf_counter() - started
    queue.put({"step": "fit (BERTopic, lemmas, outliers, hierarchy)", "rows": rows, "seconds": round(seconds, 1),
               "topics": fit.release.metrics["topics"], "outlier_rate": fit.release.metrics["outlier_rate"],
               "outlier_rate_before": fit.release.metrics["outlier_rate_before_reduction"],
               "npmi": fit.release.metrics["npmi_coherence_mean"], "guide": fit.release.params.get("guide"),
               "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2, 2)})
    started = time.perf_counter()
    assign(fit.release, vectors, 0.35, tags["codes"], tags["scores"])
    seconds = time.perf_counter() - started
    queue.put({"step": "assign (nearest centroid, guided by the codes)", "rows": rows, "seconds": round(seconds, 2),
               "per_s": round(rows / seconds)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    steps = [] if (OUT / f"topics_embeddings_{args.rows}.npy").is_file() else [_embed]
    steps += [] if (OUT / f"topics_tags_{args.rows}.json").is_file() else [_tag]
    for step in [*steps, _fit]:
        process = ctx.Process(target=step, args=(args.rows, queue))
        process.start()
        process.join()
        while not queue.empty():
            print(json.dumps(queue.get(), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
