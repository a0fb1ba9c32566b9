"""Scoring the tagger against a gold file: per-code precision, recall and F1, and the summaries.

Pure functions over lists of dicts (gold rows and `voc tag` outputs), so the same code
serves `voc eval`, the CI floors in the tests and the training of a release.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

SENTIMENT_LABELS = ("negatif", "neutre", "positif")
GOLD_FIELDS = ("id", "text", "sentiment_label", "stages", "irritants", "enchantements", "emotions", "ironie", "effort")


class GoldError(ValueError):
    """A gold file that cannot be used; the message names the file and line."""


def read_gold(path: Path | str) -> list[dict]:
    path = Path(path)
    rows: list[dict] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldError(f"Cannot read gold file {path}: {exc.strerror or exc}.") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            raise GoldError(f"{path} line {number} is not valid JSON.") from None
        missing = [f for f in GOLD_FIELDS if f not in row]
        if missing:
            raise GoldError(f"{path} line {number} lacks the field(s) {', '.join(missing)}.")
        rows.append(row)
    if not rows:
        raise GoldError(f"Gold file {path} holds no rows.")
    return rows


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


@dataclass
class LabelSetScores:
    per_code: dict[str, Counts] = field(default_factory=dict)

    def add(self, gold: set[str], predicted: set[str]) -> None:
        for code in gold | predicted:
            c = self.per_code.setdefault(code, Counts())
            if code in gold and code in predicted:
                c.tp += 1
            elif code in predicted:
                c.fp += 1
            else:
                c.fn += 1

    @property
    def micro(self) -> Counts:
        total = Counts()
        for c in self.per_code.values():
            total.tp += c.tp
            total.fp += c.fp
            total.fn += c.fn
        return total

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the codes that occur in the gold set."""
        scored = [c.f1 for c in self.per_code.values() if c.support]
        return sum(scored) / len(scored) if scored else 0.0


@dataclass
class Evaluation:
    n: int
    irritants: LabelSetScores
    enchantements: LabelSetScores
    stages: LabelSetScores
    emotions: LabelSetScores
    sentiment_correct: int
    sentiment_confusion: dict[tuple[str, str], int]
    irony: Counts
    effort: Counts

    @property
    def sentiment_accuracy(self) -> float:
        return self.sentiment_correct / self.n if self.n else 0.0

    def summary(self) -> dict[str, float]:
        return {
            "irritant_micro_f1": round(self.irritants.micro.f1, 4),
            "irritant_macro_f1": round(self.irritants.macro_f1, 4),
            "enchantement_micro_f1": round(self.enchantements.micro.f1, 4),
            "stage_micro_f1": round(self.stages.micro.f1, 4),
            "stage_macro_f1": round(self.stages.macro_f1, 4),
            "emotion_micro_f1": round(self.emotions.micro.f1, 4),
            "emotion_macro_f1": round(self.emotions.macro_f1, 4),
            "sentiment_accuracy": round(self.sentiment_accuracy, 4),
            "irony_f1": round(self.irony.f1, 4),
            "effort_f1": round(self.effort.f1, 4),
        }


def evaluate(gold: Sequence[dict], predicted: Sequence[dict], *, binary_threshold: float = 0.5) -> Evaluation:
    """Compare predictions with gold rows, matched by id."""
    by_id = {p["id"]: p for p in predicted}
    result = Evaluation(0, LabelSetScores(), LabelSetScores(), LabelSetScores(), LabelSetScores(), 0, {},
                        Counts(), Counts())
    for row in gold:
        pred = by_id.get(row["id"])
        if pred is None:
            raise GoldError(f"No prediction for gold id {row['id']!r}.")
        result.n += 1
        result.irritants.add({i["code"] for i in row["irritants"]}, {i["code"] for i in pred["irritants"]})
        result.enchantements.add({i["code"] for i in row["enchantements"]}, {i["code"] for i in pred["enchantements"]})
        result.stages.add(set(row["stages"]), set(pred["stages"]))
        result.emotions.add(set(row["emotions"]), set(pred["emotions"]))
        key = (row["sentiment_label"], pred["sentiment_label"])
        result.sentiment_confusion[key] = result.sentiment_confusion.get(key, 0) + 1
        result.sentiment_correct += key[0] == key[1]
        for counts, gold_flag, score in ((result.irony, row["ironie"], pred["ironie"]),
                                         (result.effort, row["effort"], pred["effort"])):
            g, p = bool(gold_flag >= 0.5), bool(score >= binary_threshold)
            counts.tp += g and p
            counts.fp += p and not g
            counts.fn += g and not p
    return result


def _table(title: str, scores: LabelSetScores, labels: dict[str, str] | None = None) -> list[str]:
    lines = [f"## {title}", "", "| code | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for code in sorted(scores.per_code, key=lambda c: (-scores.per_code[c].support, c)):
        c = scores.per_code[code]
        name = f"{code}" + (f" ({labels[code]})" if labels and code in labels else "")
        lines.append(f"| {name} | {c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} | {c.support} |")
    micro = scores.micro
    lines.append(f"| **micro** | {micro.precision:.2f} | {micro.recall:.2f} | **{micro.f1:.2f}** | {micro.support} |")
    lines.append(f"| **macro F1** | | | **{scores.macro_f1:.2f}** | |")
    return lines + [""]


def format_evaluation(result: Evaluation, title: str = "Evaluation") -> str:
    """Markdown report: summary first, then one table per label set."""
    s = result.summary()
    lines = [f"# {title}", "", f"{result.n} verbatims.", "",
             "| measure | value |", "|---|---:|"]
    lines += [f"| {k.replace('_', ' ')} | {v:.3f} |" for k, v in s.items()]
    lines.append("")
    lines += _table("Irritants", result.irritants)
    lines += _table("Enchantements", result.enchantements)
    lines += _table("Stages", result.stages)
    lines += _table("Emotions", result.emotions)
    lines += ["## Sentiment (rows: gold, columns: predicted)", "",
              "| gold \\ predicted | " + " | ".join(SENTIMENT_LABELS) + " |", "|---|---:|---:|---:|"]
    for g in SENTIMENT_LABELS:
        lines.append(f"| {g} | " + " | ".join(str(result.sentiment_confusion.get((g, p), 0)) for p in SENTIMENT_LABELS) + " |")
    lines += ["", "## Irony and effort (score ≥ 0.5)", "", "| signal | precision | recall | F1 | support |",
              "|---|---:|---:|---:|---:|"]
    for name, c in (("ironie", result.irony), ("effort", result.effort)):
        lines.append(f"| {name} | {c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} | {c.support} |")
    return "\n".join(lines) + "\n"
