"""Fit a tagger release on the development gold set: calibration weights and thresholds.

`python -m voc.tagger_training --name 2026.12.08` (development gold: data/gold/dev.jsonl and
data/gold/train_extra_*.jsonl) analyses the gold texts once, fits small logistic models (codes, stages) so that scores are calibrated
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
from voc.reader import ConvReader
from voc.tagger import (DEFAULT_RELEASE, Tagger, code_features, emotion_features, load_tagger, save_release,
                        stage_features)
from voc.textclf import TextClassifier
from voc.tuned_encoder import TunedEncoder


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


def gold_targets(row: dict) -> set[str]:
    """The classifier's labels for one gold row."""
    labels = {f"irritant:{t['code']}" for t in row["irritants"]}
    labels |= {f"enchantement:{t['code']}" for t in row["enchantements"]}
    labels |= {f"stage:{s}" for s in row["stages"]} | {f"emotion:{e}" for e in row["emotions"]}
    labels.add(f"sentiment:{row['sentiment_label']}")
    if row["ironie"] >= 0.5:
        labels.add("ironie")
    if row["effort"] >= 0.5:
        labels.add("effort")
    return labels


def _find(text: str, evidence: str) -> tuple[int, int] | None:
    """Character span of a gold evidence quote in its text (case and spacing forgiven)."""
    evidence = " ".join(evidence.split())
    if not evidence:
        return None
    at = text.find(evidence)
    if at < 0:
        at = " ".join(text.split()).lower().find(evidence.lower())
        if at < 0:
            return None
        # Map back through collapsed whitespace: count non-space characters.
        squeezed = " ".join(text.split())
        before = len(squeezed[:at].replace(" ", ""))
        inside = len(squeezed[at:at + len(evidence)].replace(" ", ""))
        chars = [i for i, c in enumerate(text) if not c.isspace()]
        if before + inside > len(chars) or inside == 0:
            return None
        return chars[before], chars[before + inside - 1] + 1
    return at, at + len(evidence)


def sentence_targets(a, row: dict) -> list[set[str]]:
    """Code labels of each sentence of a gold text: the sentences its evidence quotes overlap.

    A quote that cannot be found (paraphrased) labels the sentence sharing most of its words."""
    labels: list[set[str]] = [set() for _ in a.sentence_chars]
    if not labels:
        return labels
    for kind, field in (("irritant", "irritants"), ("enchantement", "enchantements")):
        for tag in row[field]:
            label = f"{kind}:{tag['code']}"
            span = _find(a.text, tag.get("evidence") or "")
            hit = [i for i, (s, e) in enumerate(a.sentence_chars) if span and s < span[1] and span[0] < e]
            if not hit:
                words = set((tag.get("evidence") or "").lower().split())
                overlap = [len(words & set(a.text[s:e].lower().split())) for s, e in a.sentence_chars]
                hit = [int(np.argmax(overlap))]
            for i in hit:
                labels[i].add(label)
    return labels


def code_labels(tagger: Tagger) -> list[str]:
    """The sentence classifier's labels: every active irritant and enchantement."""
    return [f"{c.kind}:{c.code}" for c in tagger.codes.values()]


def classifier_labels(tagger: Tagger) -> list[str]:
    labels = code_labels(tagger)
    labels += [f"stage:{s.code}" for s in tagger.taxonomy.stages]
    labels += [f"emotion:{e.code}" for e in tagger.taxonomy.emotions]
    return labels + ["sentiment:positif", "sentiment:negatif", "sentiment:neutre", "ironie", "effort"]


def _fit_weights(xs: list[list[float]], ys: list[float], default: list[float]) -> list[float]:
    """Logistic weights, with the bias moved so that 0.5 is the F1-best decision point on dev."""
    if not xs or not 0 < sum(ys) < len(ys):
        return default
    x, y = np.array(xs), np.array(ys)
    w = fit_logistic(x, y)
    p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
    best_t, best_f1 = 0.5, -1.0
    for t in np.arange(0.1, 0.71, 0.025):
        predicted = p >= t
        tp = float(np.sum(predicted & (y > 0.5)))
        f1 = 2 * tp / (predicted.sum() + (y > 0.5).sum()) if tp else 0.0
        if f1 > best_f1 + 1e-9:
            best_t, best_f1 = float(t), f1
    w[0] -= np.log(best_t / (1 - best_t))
    return [round(float(v), 4) for v in w]


# Hyper-parameters of the classifier, chosen by cross-validation on the development data
# (bench/cv_dense.py); the held-out test set plays no part in the choice.
CLASSIFIER_L2 = 1e-4
DENSE_SCALE = 1.0
# Weight of the sentence's mean word vector beside its lemma features in the sentence classifier
# (5-fold CV on dev + train_extra_a..g: 0 -> irritant micro-F1 0.652, 1 -> 0.668, 2 -> 0.675, 4 -> 0.675, 8 -> 0.673;
# with train_extra_h..m added to every training fold: 2 -> 0.691, 4 -> 0.697).
SENTENCE_DENSE_SCALE = 4.0
# Passes of the convolutional reader over the training data.
READER_EPOCHS = 12
# Passes of the USE fine-tuning over the training data.
ENCODER_EPOCHS = 10


def reader_labels(tagger: Tagger) -> list[str]:
    """The reader's labels: every active irritant and enchantement, and every stage."""
    return code_labels(tagger) + [f"stage:{s.code}" for s in tagger.taxonomy.stages]


def fit_release(tagger: Tagger, gold: list[dict], name: str, folds: int = 5, use_classifier: bool = True,
                embedder=None, l2: float = CLASSIFIER_L2, dense_scale: float = DENSE_SCALE,
                sentence_classifier: bool = True, sentence_dense_scale: float = SENTENCE_DENSE_SCALE,
                reader: bool = True, reader_epochs: int = READER_EPOCHS, encoder: bool = True,
                encoder_epochs: int = ENCODER_EPOCHS) -> dict:
    """Fit every weight of a release on `gold` (development data only). With an `embedder`
    (USE), the classifier also reads each verbatim's sentence embedding."""
    release = json.loads(json.dumps(DEFAULT_RELEASE))
    release["name"] = name
    tagger.release, tagger.classifier, tagger.sentence_classifier = release, None, None
    tagger.reader = tagger.encoder = None
    tagger.wants_sentence_vectors = True  # the sentence classifier being fitted reads them
    tagger.wants_token_rows = reader  # and the reader, its words' vector rows
    tagger.embedder = embedder
    tagger.thresholds = dict(release["thresholds"])
    analyses = tagger.analyse([row["text"] for row in gold])
    labels = classifier_labels(tagger)
    targets = [gold_targets(row) for row in gold]
    dense = np.vstack([a.embedding for a in analyses]) if embedder is not None and analyses else None
    dense_model = embedder.model_id if embedder is not None else None

    def fit_classifier(rows) -> TextClassifier:
        return TextClassifier.fit([analyses[i].features for i in rows], [targets[i] for i in rows], labels, l2=l2,
                                  dense=None if dense is None else dense[rows], dense_scale=dense_scale,
                                  dense_model=dense_model)

    sentence_labels = [sentence_targets(a, row) for a, row in zip(analyses, gold)]
    codes = code_labels(tagger)

    def fit_sentence_classifier(rows) -> TextClassifier:
        dense = None
        if sentence_dense_scale > 0:
            dense = np.vstack([analyses[i].sentence_vectors for i in rows if analyses[i].sentence_vectors is not None])
        return TextClassifier.fit([f for i in rows for f in analyses[i].sentence_features],
                                  [t for i in rows for t in sentence_labels[i]], codes, l2=l2, dense=dense,
                                  dense_scale=sentence_dense_scale, dense_model=tagger.french.model_version)

    vectors = np.asarray(tagger.french.nlp.vocab.vectors.data)
    read_labels = reader_labels(tagger)

    def fit_reader(rows) -> ConvReader:
        return ConvReader.fit([analyses[i].keys for i in rows], [analyses[i].token_rows for i in rows],
                              [targets[i] for i in rows], read_labels, vectors, tagger.french.model_version,
                              epochs=reader_epochs)

    def fit_encoder(rows) -> TunedEncoder:
        return TunedEncoder.fit([analyses[i].text for i in rows], [targets[i] for i in rows], read_labels,
                                epochs=encoder_epochs)

    if use_classifier or sentence_classifier or reader or encoder:
        # Out-of-fold classifier outputs, so that the calibration sees honest probabilities.
        order = np.arange(len(gold))
        for k in range(folds):
            held = order[order % folds == k]
            train = order[order % folds != k]
            if use_classifier:
                Tagger.apply_classifier(fit_classifier(train), [analyses[i] for i in held])
            if sentence_classifier:
                Tagger.apply_sentence_classifier(fit_sentence_classifier(train), [analyses[i] for i in held])
            if reader:
                Tagger.apply_reader(fit_reader(train), [analyses[i] for i in held])
            if encoder:
                Tagger.apply_encoder(fit_encoder(train), [analyses[i] for i in held])
    # 1. Codes: one calibration per kind, pooled over codes; every code is a candidate.
    for kind, field in (("irritant", "irritants"), ("enchantement", "enchantements")):
        xs, ys = [], []
        for a, row in zip(analyses, gold):
            truth = {t["code"] for t in row[field]}
            valence = tagger.valence(a) if kind == "irritant" else -tagger.valence(a)
            for code, ev in a.codes.items():
                if code in tagger.codes and tagger.codes[code].kind == kind:
                    xs.append(code_features(ev, valence, tagger.learned(a, kind, code),
                                            tagger.sentence_learned(a, kind, code),
                                            tagger.reader_learned(a, kind, code),
                                            tagger.encoder_learned(a, kind, code)))
                    ys.append(1.0 if code in truth else 0.0)
        release["code_weights"][kind] = _fit_weights(xs, ys, release["code_weights"][kind])
    for kind, field in (("irritant", "irritants"), ("enchantement", "enchantements")):
        candidates = [[(c, tagger.code_score(a, c)) for c in a.codes if c in tagger.codes and tagger.codes[c].kind == kind]
                      for a in analyses]
        truths = [{t["code"] for t in row[field]} for row in gold]
        release["thresholds"][kind] = _best_threshold(candidates, truths)
    tagger.thresholds.update(release["thresholds"])
    # 2. Irony and effort, then stages and emotions on top of the calibrated tags.
    irony_x, irony_y, effort_x, effort_y, stage_x, stage_y = [], [], [], [], [], []
    emotion_x: dict[str, list] = {e.code: [] for e in tagger.taxonomy.emotions}
    emotion_y: dict[str, list] = {e.code: [] for e in tagger.taxonomy.emotions}
    for a, row in zip(analyses, gold):
        decided = tagger.decide(a)
        tags = decided["irritants"] + decided["enchantements"]
        irritant_mass = sum(t["score"] for t in decided["irritants"])
        complaint = min(1.0, irritant_mass + 0.5 * a.negative)
        cues = min(a.irony_cues, 1.0)
        irony_x.append([1.0, cues * complaint, min(a.positive, 1.0) * min(irritant_mass, 1.0) * (cues > 0),
                        float(a.elongations > 0) * complaint * (cues > 0), a.clf.get("ironie", 0.0)])
        irony_y.append(float(row["ironie"] >= 0.5))
        effort_codes = max((tagger.codes[t["code"]].effort * t["score"] for t in decided["irritants"]), default=0.0)
        effort_x.append([1.0, min(1.0, a.effort_cues + 0.15 * max(a.effort_hits - 1, 0)), effort_codes,
                         a.clf.get("effort", 0.0)])
        effort_y.append(float(row["effort"] >= 0.5))
        for stage in tagger.taxonomy.stages:
            best = max((t["score"] for t in tags if t["stage"] == stage.code), default=0.0)
            stage_x.append(stage_features(best, a.stage_cues.get(stage.code, 0), a.clf.get(f"stage:{stage.code}", 0.0),
                                          a.read.get(f"stage:{stage.code}", 0.0),
                                          a.encoded.get(f"stage:{stage.code}", 0.0)))
            stage_y.append(1.0 if stage.code in row["stages"] else 0.0)
        for code, inputs in tagger.emotion_inputs(a, decided["irritants"]).items():
            emotion_x[code].append(emotion_features(*inputs))
            emotion_y[code].append(1.0 if code in row["emotions"] else 0.0)
    release["irony_weights"] = _fit_weights(irony_x, irony_y, release["irony_weights"])
    release["effort_weights"] = _fit_weights(effort_x, effort_y, release["effort_weights"])
    release["stage_weights"] = _fit_weights(stage_x, stage_y, release["stage_weights"])
    release["emotion_weights"] = {code: _fit_weights(emotion_x[code], emotion_y[code], [-2.0, 4.0, 3.0, 1.0, 0.0])
                                  for code in emotion_x}
    # 3. Sentiment: mix of the lexicon polarity and the classifier, and the two cuts.
    labels_gold = np.array([row["sentiment_label"] for row in gold])
    best, best_acc = (release["sentiment_mix"], release["sentiment_cuts"]), -1.0
    for mix in ([1.0, 0.0], [0.7, 0.3], [0.5, 0.5], [0.3, 0.7], [0.0, 1.0]) if use_classifier else ([1.0, 0.0],):
        release["sentiment_mix"] = mix
        polarities = np.array([tagger.decide(a)["sentiment"] for a in analyses])
        for low in np.arange(-0.8, 0.01, 0.05):
            for high in np.arange(low + 0.05, 0.81, 0.05):
                predicted = np.where(polarities <= low, "negatif", np.where(polarities >= high, "positif", "neutre"))
                acc = float(np.mean(predicted == labels_gold))
                if acc > best_acc + 1e-9:
                    best, best_acc = (mix, [round(float(low), 3), round(float(high), 3)]), acc
    release["sentiment_mix"], release["sentiment_cuts"] = best
    # 4. The classifier itself, trained on all the development data.
    if use_classifier:
        model = fit_classifier(np.arange(len(gold)))
        release["classifier"] = model.to_json()
        tagger.classifier = model
    if sentence_classifier:
        sentence_model = fit_sentence_classifier(np.arange(len(gold)))
        release["sentence_classifier"] = sentence_model.to_json()
        tagger.sentence_classifier = sentence_model
    if reader:
        reader_model = fit_reader(np.arange(len(gold)))
        release["reader"] = reader_model
        tagger.reader = reader_model
    if encoder:
        encoder_model = fit_encoder(np.arange(len(gold)))
        release["encoder"] = encoder_model
        tagger.encoder = encoder_model
    tagger.release = release
    return release


GOLD_DIR = Path("data/gold")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, nargs="+", default=None,
                        help="development gold files (JSONL), concatenated; default: dev.jsonl and train_extra_*.jsonl")
    parser.add_argument("--name", default=dt.date.today().strftime("%Y.%m.%d"))
    parser.add_argument("--models", type=Path, default=Path("models"))
    parser.add_argument("--embedder", choices=("use", "none"), default="none",
                        help="sentence embedding read by the classifier (use: the multilingual USE; default none, as in release 2026.11.24)")
    args = parser.parse_args(argv)
    args.gold = args.gold or [GOLD_DIR / "dev.jsonl", *sorted(GOLD_DIR.glob("train_extra_*.jsonl"))]
    if any("test" in path.name for path in args.gold):
        parser.error("a release is fitted on development data only, never on the held-out test set")
    gold = [row for path in args.gold for row in read_gold(path)]
    tagger = load_tagger(release=dict(DEFAULT_RELEASE))
    embedder = None
    if args.embedder == "use":
        from voc.embeddings import load_embedder

        embedder = load_embedder("use")
    release = fit_release(tagger, gold, args.name, embedder=embedder)
    predictions = [{"id": row["id"], **tagger.decide(a)} for row, a in zip(gold, tagger.analyse([r["text"] for r in gold]))]
    release["fitted_on"] = {
        "gold": [str(path) for path in args.gold], "rows": len(gold),
        "sha256": {str(path): hashlib.sha256(path.read_bytes()).hexdigest()[:16] for path in args.gold},
        "date": dt.date.today().isoformat(),
        "classifier": {"l2": CLASSIFIER_L2, "dense_scale": DENSE_SCALE, "embedder": getattr(embedder, "model_id", None),
                       "sentence_dense_scale": SENTENCE_DENSE_SCALE},
        "reader": {**ConvReader.hyper, "epochs": READER_EPOCHS},
        "encoder": {**TunedEncoder.hyper, "epochs": ENCODER_EPOCHS},
        "taxonomy": tagger.taxonomy.digest, "signals": tagger.signals.digest,
        "dev_metrics_in_sample": evaluate(gold, predictions).summary(),  # optimistic: see docs/accuracy.md
    }
    out = args.models / "tagger" / args.name
    save_release(release, out)
    print(json.dumps(release["fitted_on"]["dev_metrics_in_sample"], indent=2))
    print(f"Release written to {out / 'release.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
