"""Choose the classifier's hyper-parameters by cross-validation on the development data only.

    .venv/bin/python bench/cv_dense.py [--folds 5] [--grid "none:1e-4 use:1.0:1e-4 ..."]

The development gold (dev.jsonl and train_extra_*.jsonl) is analysed once (spaCy and the
USE sentence embedding); then for every candidate a whole release is fitted on K-1 folds
(`fit_release`, calibration included) and the held-out fold is tagged. Predictions of all
folds are pooled and scored. The held-out test set is never read.
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path

import numpy as np

from voc.evaluation import evaluate, read_gold
from voc.tagger import DEFAULT_RELEASE, load_tagger
from voc.tagger_training import GOLD_DIR, fit_release

MEASURES = ["irritant_micro_f1", "enchantement_micro_f1", "stage_micro_f1", "emotion_macro_f1",
            "sentiment_accuracy", "irony_f1", "effort_f1"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--grid", default="none:0:1e-4 use:1:1e-4 use:2:1e-4 use:4:1e-4")
    parser.add_argument("--out", type=Path, default=None, help="append JSON lines of results here")
    args = parser.parse_args()
    paths = [GOLD_DIR / "dev.jsonl", *sorted(GOLD_DIR.glob("train_extra_*.jsonl"))]
    gold = [row for path in paths for row in read_gold(path)]
    from voc.embeddings import load_embedder

    embedder = load_embedder("use")
    tagger = load_tagger(release=dict(DEFAULT_RELEASE))
    tagger.embedder = embedder
    tagger.wants_token_rows = True  # analysed once for every candidate, with or without the reader
    started = time.perf_counter()
    cached = tagger.analyse([row["text"] for row in gold])
    print(f"analysed {len(gold)} development verbatims in {time.perf_counter() - started:.0f}s", flush=True)
    by_text = {a.text: a for a in cached}

    def analyse(texts):
        return [copy.copy(by_text[t]) for t in texts]

    tagger.analyse = analyse
    rng = np.random.default_rng(20261205)
    fold_of = rng.permutation(len(gold)) % args.folds
    for spec in args.grid.split():
        kind, scale, l2, *rest = spec.split(":")
        sentences = (rest or ["s"])[0] != "nos"  # "s": with the sentence classifier, "nos": without
        sentence_dense = float(rest[1]) if len(rest) > 1 else 0.0  # scale of the sentence word vectors
        reader = len(rest) > 2 and rest[2] == "r"  # "r": with the convolutional reader
        encoder = len(rest) > 3 and rest[3] == "e"  # "e": with the tuned USE encoder
        started = time.perf_counter()
        predictions = [None] * len(gold)
        for k in range(args.folds):
            train = [gold[i] for i in np.flatnonzero(fold_of != k)]
            held = np.flatnonzero(fold_of == k)
            fit_release(tagger, train, f"cv{k}", embedder=embedder if kind == "use" else None,
                        l2=float(l2), dense_scale=float(scale), sentence_classifier=sentences,
                        sentence_dense_scale=sentence_dense, reader=reader, encoder=encoder)
            analyses = analyse([gold[i]["text"] for i in held])
            tagger.apply_models(analyses)
            for i, a in zip(held, analyses):
                predictions[i] = {"id": gold[i]["id"], **tagger.decide(a)}
        summary = evaluate(gold, predictions).summary()
        line = {"spec": spec, "folds": args.folds, "seconds": round(time.perf_counter() - started),
                **{m: round(summary[m], 4) for m in MEASURES}}
        print(json.dumps(line), flush=True)
        if args.out:
            with args.out.open("a", encoding="utf-8") as f:
                f.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
