"""What each part of the tagger contributes: fit on dev with parts switched off, score on test.

    .venv/bin/python bench/ablation.py [--dev FILE ...] [--test data/gold/test.jsonl]

Variants: cue rules only; taxonomy examples only (similarity); rules + examples; + the
verbatim classifier; the full tagger (+ the sentence classifier); each classifier alone.
Every variant is fitted and calibrated on the development data (default: dev.jsonl and
train_extra_*.jsonl, as the shipped release) the same way; the test set is only scored.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from voc.evaluation import evaluate, read_gold
from voc.tagger import load_tagger
from voc.tagger_training import GOLD_DIR, fit_release

VARIANTS = {
    "rules only": {"rules": True, "examples": False, "classifier": False, "sentences": False},
    "examples only": {"rules": False, "examples": True, "classifier": False, "sentences": False},
    "rules + examples": {"rules": True, "examples": True, "classifier": False, "sentences": False},
    "rules + examples + verbatim classifier": {"rules": True, "examples": True, "classifier": True, "sentences": False},
    "verbatim classifier only": {"rules": False, "examples": False, "classifier": True, "sentences": False},
    "sentence classifier only": {"rules": False, "examples": False, "classifier": False, "sentences": True},
    "full tagger (release recipe)": {"rules": True, "examples": True, "classifier": True, "sentences": True},
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
    args = parser.parse_args()
    paths = args.dev or [GOLD_DIR / "dev.jsonl", *sorted(GOLD_DIR.glob("train_extra_*.jsonl"))]
    dev, test = [row for path in paths for row in read_gold(path)], read_gold(args.test)
    tagger = load_tagger(release={"name": "ablation"})
    original_analyse = tagger.analyse
    rows = []
    for name, parts in VARIANTS.items():
        def analyse(texts, parts=parts):
            analyses = original_analyse(texts)
            mask(analyses, parts["rules"], parts["examples"])
            return analyses

        tagger.analyse = analyse
        fit_release(tagger, dev, name, use_classifier=parts["classifier"], sentence_classifier=parts["sentences"])
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
