"""A small multi-label text classifier trained on our own labelled verbatims.

Features are the lemma-stem keys the cue engine already computes (unigrams, bigrams and
negated unigrams such as `NEG:livr`), binary and length-normalised; one logistic output
per label, trained jointly by full-batch gradient descent with L2. It is pure numpy,
tiny (a vocabulary of a few thousand keys), and saved as JSON in the tagger release.
It adds recall on wordings that neither the cues nor the taxonomy examples foresaw; the
rules and examples keep the evidence explainable.

Optionally a dense block joins the sparse one: the verbatim's sentence embedding (the
multilingual USE, 512-d, L2-normalised) times `dense_scale`, in the same logistic model.
The release records the embedder's `model_id`, so a model is never fed another model's vectors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np


def text_features(keys: Sequence[str], negators: frozenset[str], window: int = 3) -> set[str]:
    words = [k for k in keys if k[:1].isalnum()]
    out = set(words)
    out.update(f"{a} {b}" for a, b in zip(words, words[1:]))
    since_negator = window + 1
    for k in keys:
        if k in negators:
            since_negator = 0
            continue
        since_negator += 1
        if since_negator <= window and k[:1].isalnum():
            out.add(f"NEG:{k}")
    for k in keys:
        if not k[:1].isalnum() and not k[:1].isspace() and k not in ".,;:'\"()-":
            out.add(k)  # "!", "?", emojis
    return out


def target_matrix(targets: Sequence[set[str]], labels: Sequence[str]) -> np.ndarray:
    """One row per text, one column per label: 1 where the text carries the label (others ignored)."""
    index = {label: i for i, label in enumerate(labels)}
    y = np.zeros((len(targets), len(index)), dtype=np.float32)
    for row, target in enumerate(targets):
        for label in target:
            if label in index:
                y[row, index[label]] = 1.0
    return y


class TextClassifier:
    def __init__(self, vocabulary: list[str], labels: list[str], weights: np.ndarray, bias: np.ndarray,
                 dense_weights: np.ndarray | None = None, dense_scale: float = 1.0, dense_model: str | None = None):
        self.vocabulary = vocabulary
        self.index = {f: i for i, f in enumerate(vocabulary)}
        self.labels = labels
        self.label_index = {l: i for i, l in enumerate(labels)}
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float32)
        self.dense_weights = None if dense_weights is None else np.asarray(dense_weights, dtype=np.float32)
        self.dense_scale = float(dense_scale)
        self.dense_model = dense_model  # model_id of the embedder whose vectors the dense block expects

    @property
    def uses_dense(self) -> bool:
        return self.dense_weights is not None and self.dense_weights.shape[0] > 0

    def sparse_matrix(self, feature_sets: Sequence[set[str]]):
        """The same features as `matrix`, as a scipy CSR matrix (for training)."""
        from scipy.sparse import csr_matrix

        indptr, indices, data = [0], [], []
        for features in feature_sets:
            cols = sorted({self.index[f] for f in features if f in self.index})
            indices.extend(cols)
            data.extend([1.0 / np.sqrt(len(cols))] * len(cols) if cols else [])
            indptr.append(len(indices))
        return csr_matrix((np.array(data, dtype=np.float32), np.array(indices, dtype=np.int64), np.array(indptr)),
                          shape=(len(feature_sets), len(self.vocabulary)))

    def matrix(self, feature_sets: Sequence[set[str]]) -> np.ndarray:
        x = np.zeros((len(feature_sets), len(self.vocabulary)), dtype=np.float32)
        for row, features in enumerate(feature_sets):
            cols = [self.index[f] for f in features if f in self.index]
            if cols:
                x[row, cols] = 1.0 / np.sqrt(len(cols))
        return x

    def predict(self, feature_sets: Sequence[set[str]], dense: np.ndarray | None = None) -> np.ndarray:
        """Probabilities, one row per text and one column per label; `dense` is the (n, d)
        embedding block when the model has one (zeros are used when it is missing)."""
        if not feature_sets:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        try:
            x = self.sparse_matrix(feature_sets)
        except ImportError:  # scipy is optional
            x = self.matrix(feature_sets)
        z = np.asarray(x @ self.weights) + self.bias
        if self.uses_dense and dense is not None:
            z = z + (self.dense_scale * np.asarray(dense, dtype=np.float32)) @ self.dense_weights
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    @classmethod
    def fit(cls, feature_sets: Sequence[set[str]], targets: Sequence[set[str]], labels: Sequence[str],
            min_count: int = 2, l2: float = 1e-4, iterations: int = 300, learning_rate: float = 0.05,
            dense: np.ndarray | None = None, dense_scale: float = 1.0, dense_model: str | None = None,
            ) -> TextClassifier:
        counts = Counter(f for features in feature_sets for f in features)
        vocabulary = sorted(f for f, n in counts.items() if n >= min_count)
        labels = list(labels)
        model = cls(vocabulary, labels, np.zeros((len(vocabulary), len(labels))), np.zeros(len(labels)))
        try:
            x = model.sparse_matrix(feature_sets)
        except ImportError:  # scipy is optional: the dense matrix gives the same model, slower
            x = model.matrix(feature_sets)
        n_sparse = x.shape[1]
        if dense is not None:
            block = dense_scale * np.asarray(dense, dtype=np.float32)
            if hasattr(x, "tocsr"):
                from scipy.sparse import hstack

                x = hstack([x, block], format="csr", dtype=np.float32)
            else:
                x = np.hstack([x, block])
        y = target_matrix(targets, labels)
        prior = np.clip(y.mean(axis=0), 1e-3, 1 - 1e-3)
        w = np.zeros((x.shape[1], len(labels)), dtype=np.float32)
        b = np.log(prior / (1 - prior)).astype(np.float32)
        m_w, v_w, m_b, v_b = (np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b))
        n = max(len(feature_sets), 1)
        for step in range(1, iterations + 1):  # Adam on the mean log-loss
            p = 1.0 / (1.0 + np.exp(-np.clip(x @ w + b, -30, 30)))
            grad_w = x.T @ (p - y) / n + l2 * w
            grad_b = (p - y).mean(axis=0)
            for param, grad, m, v in ((w, grad_w, m_w, v_w), (b, grad_b, m_b, v_b)):
                m *= 0.9
                m += 0.1 * grad
                v *= 0.999
                v += 0.001 * grad * grad
                param -= learning_rate * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
        if dense is None:
            return cls(vocabulary, labels, w, b)
        return cls(vocabulary, labels, w[:n_sparse], b, w[n_sparse:], dense_scale, dense_model)

    def to_json(self) -> dict:
        nonzero = np.abs(self.weights).max(axis=1) > 1e-4
        out = {"vocabulary": [v for v, keep in zip(self.vocabulary, nonzero) if keep],
               "labels": self.labels,
               "weights": np.round(self.weights[nonzero], 4).tolist(),
               "bias": np.round(self.bias, 4).tolist()}
        if self.uses_dense:
            out["dense"] = {"model": self.dense_model, "scale": self.dense_scale,
                            "weights": np.round(self.dense_weights, 4).tolist()}
        return out

    def save(self, path) -> dict:
        """Write the weights to `path` (.npz, float16: a few MB instead of tens of MB of JSON)
        and return the small JSON stub that points to it."""
        arrays = {"weights": self.weights.astype(np.float16), "bias": self.bias.astype(np.float32),
                  "vocabulary": np.array("\n".join(self.vocabulary)), "labels": np.array("\n".join(self.labels))}
        if self.uses_dense:
            arrays["dense_weights"] = self.dense_weights.astype(np.float16)
        np.savez_compressed(path, **arrays)
        stub = {"file": path.name, "vocabulary_size": len(self.vocabulary), "labels": self.labels}
        if self.uses_dense:
            stub["dense"] = {"model": self.dense_model, "scale": self.dense_scale}
        return stub

    @classmethod
    def load(cls, folder, stub: dict) -> TextClassifier:
        """The classifier that `save` wrote into `folder`."""
        with np.load(folder / stub["file"]) as data:
            vocabulary = str(data["vocabulary"]).split("\n") if stub["vocabulary_size"] else []
            dense = stub.get("dense")
            return cls(vocabulary, str(data["labels"]).split("\n"), data["weights"].astype(np.float32),
                       data["bias"], data["dense_weights"].astype(np.float32) if dense else None,
                       dense["scale"] if dense else 1.0, dense["model"] if dense else None)

    @classmethod
    def from_json(cls, data: dict) -> TextClassifier:
        dense = data.get("dense")
        return cls(data["vocabulary"], data["labels"],
                   np.array(data["weights"], dtype=np.float32).reshape(len(data["vocabulary"]), len(data["labels"])),
                   np.array(data["bias"], dtype=np.float32),
                   np.array(dense["weights"], dtype=np.float32).reshape(-1, len(data["labels"])) if dense else None,
                   dense["scale"] if dense else 1.0, dense["model"] if dense else None)
