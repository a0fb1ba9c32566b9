"""Fit a tagger release on the development gold set: calibration weights and thresholds.

`python -m voc.tagger_training --gold data/gold/dev.jsonl --name 2026.11.1` analyses the
gold texts once, fits small logistic models (codes, stages) so that scores are calibrated
probabilities, picks thresholds and emotion cut-offs on the same development data, and
freezes the result in `models/tagger/<name>/release.json`. The held-out test set is never
read here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np

from voc.evaluation import evaluate, read_gold
from voc.tagger import DEFAULT_RELEASE, Tagger, code_features, load_tagger, stage_features


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50) -> np.ndarray:
    """L2-regularised logistic regression by Newton steps (the intercept is not penalised)."""
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 1e-6
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def _best_threshold(scores: list[list[tuple[str, float]]], gold: list[set[str]]) -> float:
    best, best_f1 = 0.5, -1.0
    for threshold in np.arange(0.25, 0.76, 0.025):
        tp = fp = fn = 0
        for candidates, truth in zip(scores, gold):
            predicted = {c for c, s in candidates if s >= threshold}
            tp += len(predicted & truth)
            fp += len(predicted - truth)
            fn += len(truth - predicted)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(threshold), f1
    return round(best, 3)


def fit_release(tagger: Tagger, gold: list[dict], name: str) -> dict:
    analyses = tagger.analyse([row["text"] for row in gold])
    release = json.loads(json.dumps(DEFAULT_RELEASE))
    release["name"] = name
    # 1. Code calibration, one model per kind, pooled over codes.
    for kind, field in (("irritant", "irritants"), ("enchantement", "enchantements")):
        xs, ys = [], []
        for a, row in zip(analyses, gold):
            truth = {t["code"] for t in row[field]}
            valence = tagger.valence(a) if kind == "irritant" else -tagger.valence(a)
            for code, ev in a.codes.items():
                if code in tagger.codes and tagger.codes[code].kind == kind:
                    xs.append(code_features(ev, valence))
                    ys.append(1.0 if code in truth else 0.0)
        if xs and 0 < sum(ys) < len(ys):
            release["code_weights"][kind] = [round(float(v), 4) for v in fit_logistic(np.array(xs), np.array(ys))]
    tagger.release = release
    for kind, field in (("irritant", "irritants"), ("enchantement", "enchantements")):
        candidates = [[(c, tagger.code_score(a, c)) for c in a.codes if c in tagger.codes and tagger.codes[c].kind == kind]
                      for a in analyses]
        truths = [{t["code"] for t in row[field]} for row in gold]
        release["thresholds"][kind] = _best_threshold(candidates, truths)
    tagger.thresholds.update(release["thresholds"])
    # 2. Stage calibration on top of the calibrated tags.
    xs, ys = [], []
    for a, row in zip(analyses, gold):
        decided = tagger.decide(a)
        tags = decided["irritants"] + decided["enchantements"]
        for stage in tagger.taxonomy.stages:
            best = max((t["score"] for t in tags if t["stage"] == stage.code), default=0.0)
            cues = a.stage_cues.get(stage.code, 0)
            if best == 0 and cues == 0:
                continue
            xs.append(stage_features(best, cues))
            ys.append(1.0 if stage.code in row["stages"] else 0.0)
    if xs and 0 < sum(ys) < len(ys):
        release["stage_weights"] = [round(float(v), 4) for v in fit_logistic(np.array(xs), np.array(ys))]
    tagger.release = release
    # 3. Emotion cut-offs and sentiment cuts, on the decided outputs.
    release["emotion_thresholds"] = {e.code: 0.0 for e in tagger.taxonomy.emotions}
    tagger.release = release
    decided = [tagger.decide(a) for a in analyses]
    for emotion in tagger.taxonomy.emotions:
        candidates = [[(emotion.code, d["emotions"].get(emotion.code, 0.0))] if emotion.code in d["emotions"] else []
                      for d in decided]
        truths = [{emotion.code} & set(row["emotions"]) for row in gold]
        release["emotion_thresholds"][emotion.code] = _best_threshold(candidates, truths)
    polarities = np.array([d["sentiment"] for d in decided])
    labels = [row["sentiment_label"] for row in gold]
    best, best_acc = release["sentiment_cuts"], -1.0
    for low in np.arange(-0.8, 0.01, 0.05):
        for high in np.arange(low + 0.05, 0.81, 0.05):
            predicted = np.where(polarities <= low, "negatif", np.where(polarities >= high, "positif", "neutre"))
            acc = float(np.mean(predicted == np.array(labels)))
            if acc > best_acc + 1e-9:
                best, best_acc = [round(float(low), 3), round(float(high), 3)], acc
    release["sentiment_cuts"] = best
    tagger.release = release
    return release


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=Path("data/gold/dev.jsonl"))
    parser.add_argument("--name", default=dt.date.today().strftime("%Y.%m.%d"))
    parser.add_argument("--models", type=Path, default=Path("models"))
    args = parser.parse_args(argv)
    if "test" in args.gold.name:
        parser.error("a release is fitted on development data only, never on the held-out test set")
    gold = read_gold(args.gold)
    tagger = load_tagger(release=dict(DEFAULT_RELEASE))
    release = fit_release(tagger, gold, args.name)
    predictions = [{"id": row["id"], **tagger.decide(a)} for row, a in zip(gold, tagger.analyse([r["text"] for r in gold]))]
    release["fitted_on"] = {
        "gold": str(args.gold), "rows": len(gold),
        "sha256": hashlib.sha256(args.gold.read_bytes()).hexdigest()[:16],
        "date": dt.date.today().isoformat(),
        "taxonomy": tagger.taxonomy.digest, "signals": tagger.signals.digest,
        "dev_metrics": evaluate(gold, predictions).summary(),
    }
    out = args.models / "tagger" / args.name
    out.mkdir(parents=True, exist_ok=True)
    (out / "release.json").write_text(json.dumps(release, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(release["fitted_on"]["dev_metrics"], indent=2))
    print(f"Release written to {out / 'release.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
