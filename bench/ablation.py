"""What each part of the tagger contributes: fit on dev with parts switched off, score on test.

    .venv/bin/python bench/ablation.py [--dev data/gold/dev.jsonl] [--test data/gold/test.jsonl]

Variants: cue rules only; taxonomy examples only (similarity); rules + examples; the full
tagger (rules + examples + classifier trained on the development set); the classifier alone.
Every variant is calibrated on dev the same way; the test set is only scored.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from voc.evaluation import evaluate, read_gold
from voc.tagger import load_tagger
from voc.tagger_training import fit_release

VARIANTS = {
    "rules only": {"rules": True, "examples": False, "classifier": False},
    "examples only": {"rules": False, "examples": True, "classifier": False},
    "rules + examples": {"rules": True, "examples": True, "classifier": False},
    "classifier only": {"rules": False, "examples": False, "classifier": True},
    "full tagger": {"rules": True, "examples": True, "classifier": True},
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
    parser.add_argument("--dev", type=Path, default=Path("data/gold/dev.jsonl"))
    parser.add_argument("--test", type=Path, default=Path("data/gold/test.jsonl"))
    args = parser.parse_args()
    dev, test = read_gold(args.dev), read_gold(args.test)
    tagger = load_tagger(release={"name": "ablation"})
    original_analyse = tagger.analyse
    rows = []
    for name, parts in VARIANTS.items():
        def analyse(texts, parts=parts):
            analyses = original_analyse(texts)
            mask(analyses, parts["rules"], parts["examples"])
            return analyses

        tagger.analyse = analyse
        fit_release(tagger, dev, name, use_classifier=parts["classifier"])
        predictions = [{"id": r["id"], **tagger.decide(a)} for r, a in zip(test, tagger.analyse([r["text"] for r in test]))]
        rows.append((name, evaluate(test, predictions).summary()))
    measures = ["irritant_micro_f1", "enchantement_micro_f1", "stage_micro_f1", "emotion_macro_f1",
                "sentiment_accuracy", "irony_f1", "effort_f1"]
    print("| variant | " + " | ".join(m.replace("_", " ") for m in measures) + " |")
    print("|---|" + "---:|" * len(measures))
    for name, summary in rows:
        print(f"| {name} | " + " | ".join(f"{summary[m]:.2f}" for m in measures) + " |")


if __name__ == "__main__":
    main()
