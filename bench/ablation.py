"""What each part of the tagger contributes: fit on dev with parts switched off, score on test.

    .venv/bin/python bench/ablation.py [--dev FILE ...] [--test data/gold/test.jsonl]

Variants: cue rules only; taxonomy examples only (similarity); rules + examples; + the
verbatim classifier; + the sentence classifier; + the convolutional reader; the full
tagger (+ the tuned USE encoder); each learned model alone. `--only "encoder only"` runs the
named variants.
Every variant is fitted and calibrated on the development data (default: dev.jsonl and
train_extra_*.jsonl, as the shipped release) the same way; the test set is only scored.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from voc.evaluation import evaluate, read_gold
from voc.tagger import load_tagger
from voc.tagger_training import GOLD_DIR, fit_release

_OFF = {"rules": False, "examples": False, "classifier": False, "sentences": False, "reader": False,
        "encoder": False}
VARIANTS = {
    "rules only": {**_OFF, "rules": True},
    "examples only": {**_OFF, "examples": True},
    "rules + examples": {**_OFF, "rules": True, "examples": True},
    "rules + examples + verbatim classifier": {**_OFF, "rules": True, "examples": True, "classifier": True},
    "verbatim classifier only": {**_OFF, "classifier": True},
    "sentence classifier only": {**_OFF, "sentences": True},
    "reader only": {**_OFF, "reader": True},
    "encoder only": {**_OFF, "encoder": True},
    "full tagger without the reader (release 2026.12.07)": {**_OFF, "rules": True, "examples": True,
                                                            "classifier": True, "sentences": True},
    "full tagger without the encoder (release 2026.12.07b)": {**_OFF, "rules": True, "examples": True,
                                                              "classifier": True, "sentences": True, "reader": True},
    "full tagger (release recipe)": {"rules": True, "examples": True, "classifier": True, "sentences": True,
                                     "reader": True, "encoder": True},
}


def mask(analyses, rules: bool, examples: bool) -> None:
    for a in analyses:
        for ev in a.codes.values():
            if not rules:
                ev.rule_hits = ev.cancelled_hits = 0
                ev.rule_span = None
            if not examples:
                ev.similarity = ev.similarity_margin = 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, nargs="+", default=None)
    parser.add_argument("--test", type=Path, default=Path("data/gold/test.jsonl"))
    parser.add_argument("--only", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    args = parser.parse_args()
    paths = args.dev or [GOLD_DIR / "dev.jsonl", *sorted(GOLD_DIR.glob("train_extra_*.jsonl"))]
    dev, test = [row for path in paths for row in read_gold(path)], read_gold(args.test)
    tagger = load_tagger(release={"name": "ablation"})
    original_analyse = tagger.analyse
    rows = []
    for name in args.only:
        parts = VARIANTS[name]
        def analyse(texts, parts=parts):
            analyses = original_analyse(texts)
            mask(analyses, parts["rules"], parts["examples"])
            return analyses

        tagger.analyse = analyse
        fit_release(tagger, dev, name, use_classifier=parts["classifier"], sentence_classifier=parts["sentences"],
                    reader=parts["reader"], encoder=parts["encoder"])
        predictions = [{"id": r["id"], **tagger.decide(a)} for r, a in zip(test, tagger.analyse([r["text"] for r in test]))]
        rows.append((name, evaluate(test, predictions).summary()))
        print(name, {m: round(v, 3) for m, v in rows[-1][1].items()}, flush=True)
    measures = ["irritant_micro_f1", "enchantement_micro_f1", "stage_micro_f1", "emotion_macro_f1",
                "sentiment_accuracy", "irony_f1", "effort_f1"]
    print("| variant | " + " | ".join(m.replace("_", " ") for m in measures) + " |")
    print("|---|" + "---:|" * len(measures))
    for name, summary in rows:
        print(f"| {name} | " + " | ".join(f"{summary[m]:.2f}" for m in measures) + " |")


if __name__ == "__main__":
    main()
