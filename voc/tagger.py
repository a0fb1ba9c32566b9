"""The tagger: irritants, enchantements, emotions, irony, effort, sentiment and journey stage.

Two stages, kept apart so that each can be tested and calibrated on its own:

* `Tagger.analyse` reads texts (in `nlp.pipe` batches) and returns raw *evidence*:
  cue matches per sentence with negation, question and hypothesis checks, the best
  similarity of each sentence to each code's examples, emotion, irony, effort and
  sentiment cues. Pure function of the text, the taxonomy and the signal lexicons.
* `Tagger.decide` turns that evidence into calibrated scores in [0, 1] with the
  weights of a frozen release (`models/tagger/<release>/release.json`, fitted on the
  development gold set by `voc.tagger_training`) and applies the thresholds.

Every tag keeps its evidence: the span of text, and whether a rule, an example or both
produced it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from spacy.attrs import IDX, LENGTH, LIKE_NUM

from voc.cues import CueIndex, fold
from voc.french import FrenchNLP, load_french
from voc.reader import ConvReader
from voc.taxonomy import Signals, Taxonomy, load_signals, load_taxonomy
from voc.textclf import TextClassifier, text_features
from voc.tuned_encoder import TunedEncoder, base_model_id

TAGGER_CODE_VERSION = "1.0"
NEGATION_WINDOW = 3
# Words that, after "si", make it a condition ("si la facture...") rather than "so" ("si lent").
HYPOTHESIS_FOLLOWERS = frozenset(
    "le la les l' un une des du de vous je j' tu on il elle ils elles nous mon ma mes ton ta tes "
    "son sa ses votre vos notre nos ce cet cette ces c' ça cela jamais personne rien aucun aucune "
    "tout toute tous".split()
)
CLAUSE_BREAKS = frozenset({",", ";", ":", "mais", "cependant", "pourtant", "sauf", "(", ")", "-", "–"})
_UPPER_WORD = re.compile(r"\b[A-ZÀ-Ý]{3,}\b")
_ELONGATED = re.compile(r"([a-zA-Zà-ÿ])\1{2,}")
_EXCLAMATIONS = re.compile(r"!{2,}|\?{2,}|[!?]{3,}")
NEGATIVE_EMOTIONS = ("colere", "frustration", "deception", "inquietude", "tristesse", "degout", "mefiance")
POSITIVE_EMOTIONS = ("joie", "gratitude")


class TaggerError(RuntimeError):
    """The tagger cannot be built (missing model, bad taxonomy, bad release)."""


@dataclass
class Hit:
    """One cue that fired in one sentence."""

    group: str  # "code" | "stage" | "emotion" | "irony" | "effort" | "positive" | "negative" | "intensifier"
    key: str  # code, stage or emotion code; "" for lexicons without sub-keys
    weight: float
    start: int
    end: int
    sentence: int
    cancelled: str = ""  # "", "negation", "question", "hypothesis"


@dataclass
class CodeEvidence:
    rule_hits: int = 0
    cancelled_hits: int = 0
    rule_span: tuple[int, int] | None = None
    similarity: float = 0.0
    similarity_margin: float = 0.0
    similarity_span: tuple[int, int] | None = None
    exemplar: str = ""


@dataclass
class Analysis:
    """Raw evidence for one text, before calibration."""

    text: str
    n_tokens: int
    codes: dict[str, CodeEvidence]
    stage_cues: dict[str, int]
    emotion_cues: dict[str, float]
    irony_cues: float
    effort_cues: float
    effort_hits: int
    positive: float
    negative: float
    negated_positive: float
    shouting: float  # share of letters in words written in capitals
    exclamations: int
    elongations: int
    intensifiers: float
    no_problem: int
    spans: dict[tuple[int, int], str] = field(default_factory=dict)
    features: set[str] = field(default_factory=set)
    clf: dict[str, float] = field(default_factory=dict)
    # Sentence level: character spans and features of each sentence, and the sentence
    # classifier's best (probability, sentence) per code label.
    sentence_chars: list[tuple[int, int]] = field(default_factory=list)
    sentence_features: list[set[str]] = field(default_factory=list)
    sentence_vectors: np.ndarray | None = None  # unit mean word vector of each sentence (fr_core_news_md)
    sentence_clf: dict[str, tuple[float, int]] = field(default_factory=dict)
    embedding: np.ndarray | None = None  # sentence embedding of the whole verbatim (when the release uses one)
    # Word by word, for the convolutional reader: lemma keys and rows of the French vector table (-1: none).
    keys: list[str] = field(default_factory=list)
    token_rows: np.ndarray | None = None
    read: dict[str, float] = field(default_factory=dict)  # the reader's probability per label
    encoded: dict[str, float] = field(default_factory=dict)  # the tuned encoder's probability per label

    def span_text(self, span: tuple[int, int] | None) -> str:
        return self.spans.get(span, "") if span else ""


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


DEFAULT_RELEASE: dict = {
    "name": "builtin",
    # Logistic weights over code_features(): bias, rule, similarity, margin, cancelled-only, valence,
    # classifier, sentence classifier, reader, tuned encoder.
    "code_weights": {"irritant": [-4.0, 5.0, 3.0, 6.0, -2.0, 1.0, 0.0, 0.0],
                     "enchantement": [-4.0, 5.0, 3.0, 6.0, -2.0, 1.0, 0.0, 0.0]},
    "stage_weights": [-2.5, 5.0, 1.2, 0.0],  # bias, best tag of the stage, stage cues, classifier, reader, encoder
    "emotion_weights": {},  # per emotion: bias, lexicon, irritant prior, boost, classifier
    "irony_weights": [-3.0, 3.0, 2.0, 1.0, 0.0],  # bias, cues x complaint, praise x irritant, elongation, classifier
    "effort_weights": [-2.0, 4.0, 3.0, 0.0],  # bias, effort cues, irritant effort, classifier
    "sentiment_mix": [1.0, 0.0],  # lexicon polarity, classifier polarity
    "thresholds": {"irritant": 0.5, "enchantement": 0.5, "stage": 0.5, "emotion": 0.5},
    "sentiment_cuts": [-0.15, 0.2],
    "classifier": None,
    "sentence_classifier": None,  # irritants and enchantements per sentence, trained on the gold evidence spans
    "reader": None,  # convolutional reader of the whole verbatim (voc.reader): codes and stages
    "encoder": None,  # USE multilingual fine-tuned on the gold (voc.tuned_encoder): codes and stages
}


def code_features(ev: CodeEvidence, valence: float, classifier: float, sentence: float = 0.0,
                  reader: float = 0.0, encoder: float = 0.0) -> list[float]:
    """Features of one (text, code) pair; the calibration weights apply to these, in order
    (a release fitted before the sentence classifier, the reader or the encoder has fewer
    weights: the last features are dropped)."""
    rule = min(ev.rule_hits, 2) / 2.0
    return [1.0, rule, ev.similarity, max(ev.similarity_margin, -0.2),
            1.0 if (ev.cancelled_hits and not ev.rule_hits) else 0.0, valence, classifier, sentence, reader, encoder]


def stage_features(best_tag: float, cue_hits: int, classifier: float, reader: float = 0.0,
                   encoder: float = 0.0) -> list[float]:
    return [1.0, best_tag, min(cue_hits, 3) / 3.0, classifier, reader, encoder]


def emotion_features(lexical: float, prior: float, boost: float, classifier: float) -> list[float]:
    return [1.0, lexical, prior, boost, classifier]


class Tagger:
    """Builds once (model, cues, example vectors), then tags any number of texts."""

    def __init__(self, taxonomy: Taxonomy, signals: Signals, french: FrenchNLP,
                 release: dict | None = None, release_name: str = "builtin",
                 thresholds: dict[str, float | None] | None = None, batch_size: int = 256, embedder=None):
        self.taxonomy = taxonomy
        self.signals = signals
        self.french = french
        self.batch_size = batch_size
        self.release = {**DEFAULT_RELEASE, **(release or {})}
        self.release_name = release_name
        self.thresholds = dict(self.release["thresholds"])
        for key, value in (thresholds or {}).items():
            if value is not None:
                self.thresholds[key] = float(value)
        self.codes = {c.code: c for c in taxonomy.active}
        self.classifier = _classifier(self.release.get("classifier"))
        self.sentence_classifier = _classifier(self.release.get("sentence_classifier"))
        self.reader = _reader(self.release.get("reader"), french, release_name)
        self.encoder = _encoder(self.release.get("encoder"), release_name)
        if self.sentence_classifier is not None and self.sentence_classifier.uses_dense \
                and self.sentence_classifier.dense_model != french.model_version:
            raise TaggerError(f"Release {release_name!r} reads {self.sentence_classifier.dense_model} word vectors, "
                              f"not {french.model_version}.")
        # Sentence word vectors are computed only when a release's sentence classifier reads them
        # (or while a release is being fitted).
        self.wants_sentence_vectors = self.sentence_classifier is None or self.sentence_classifier.uses_dense
        self.wants_token_rows = self.reader is not None  # likewise the word vector rows, for the reader
        self.embedder = embedder
        if self.classifier is not None and self.classifier.uses_dense:
            if embedder is None:
                raise TaggerError(f"Release {release_name!r} needs the sentence embedder {self.classifier.dense_model}.")
            if embedder.model_id != self.classifier.dense_model:
                raise TaggerError(f"Release {release_name!r} was fitted on {self.classifier.dense_model} vectors, "
                                  f"not {embedder.model_id}.")
        self.model_version = (f"voc-tagger-{TAGGER_CODE_VERSION}/{release_name}"
                              f"/taxonomy-{taxonomy.digest}/signals-{signals.digest}/{french.model_version}"
                              + (f"/{embedder.model_id}" if embedder is not None else ""))
        compiler = french.compiler
        self._labels: list[tuple[str, str, float, bool]] = []
        self.index = CueIndex()
        negator_keys = {compiler.keys_of(n)[0] for n in signals.negators if compiler.keys_of(n)}
        self._negators = frozenset(negator_keys)

        def add(group: str, key: str, cue: str, weight: float) -> None:
            specs = compiler.compile(cue)
            has_negation = any(spec.keys & negator_keys for spec in specs)
            self._labels.append((group, key, weight, has_negation))
            self.index.add(len(self._labels) - 1, specs)

        for code in self.codes.values():
            for cue in code.cues:
                add("code", code.code, cue, 1.0)
        for stage in taxonomy.stages:
            for cue in stage.cues:
                add("stage", stage.code, cue, 1.0)
        for emotion, cues in signals.emotions.items():
            for cue, weight in cues.items():
                add("emotion", emotion, cue, weight)
        for group, lexicon in (("irony", signals.irony), ("effort", signals.effort),
                               ("positive", signals.sentiment_positive), ("negative", signals.sentiment_negative),
                               ("intensifier", signals.intensifiers)):
            for cue, weight in lexicon.items():
                add(group, "", cue, weight)
        for phrase in signals.no_problem:
            add("no_problem", "", phrase, 1.0)
        self._question_openers = [compiler.keys_of(q) for q in signals.question_openers]
        self._hypothesis_markers = [compiler.keys_of(h) for h in signals.hypothesis_markers]
        self._key_si = compiler.keys_of("si")
        self._concessive = frozenset(compiler.keys_of("même") + compiler.keys_of("meme"))
        self._hypothesis_followers = frozenset(k for w in HYPOTHESIS_FOLLOWERS for k in compiler.keys_of(w))
        self._clause_breaks = frozenset(k for w in CLAUSE_BREAKS for k in compiler.keys_of(w))
        # Example vectors, one matrix for all codes.
        owners: list[str] = []
        examples: list[str] = []
        for code in self.codes.values():
            for example in code.examples:
                owners.append(code.code)
                examples.append(example)
        self._example_owner = np.array(owners)
        self._example_text = examples
        self._example_vectors = french.text_vectors(examples) if examples else np.zeros((0, 300), np.float32)
        self._code_order = list(self.codes)
        self._code_index = {c: i for i, c in enumerate(self._code_order)}
        self._owner_index = np.array([self._code_index[o] for o in owners], dtype=np.int64)

    # ------------------------------------------------------------------ analysis
    def analyse(self, texts: Iterable[str]) -> list[Analysis]:
        texts = list(texts)
        analyses = [self._analyse_doc(doc) for doc in self.french.pipe(texts, batch_size=self.batch_size)]
        if self.embedder is not None:
            self.embed(analyses)
        self.apply_models(analyses)
        return analyses

    def apply_models(self, analyses: list[Analysis]) -> None:
        """The release's learned models (verbatim and sentence classifiers, reader, encoder) on analysed texts."""
        if self.classifier is not None:
            self.apply_classifier(self.classifier, analyses)
        if self.sentence_classifier is not None:
            self.apply_sentence_classifier(self.sentence_classifier, analyses)
        if self.reader is not None:
            self.apply_reader(self.reader, analyses)
        if self.encoder is not None:
            self.apply_encoder(self.encoder, analyses)

    def embed(self, analyses: list[Analysis]) -> None:
        """One sentence embedding per verbatim (its focus text), in batches; empty texts get zeros."""
        from voc.embeddings import focus_text

        todo = [i for i, a in enumerate(analyses) if a.text.strip()]
        vectors = self.embedder.encode([focus_text(analyses[i].text) for i in todo])
        for a in analyses:
            a.embedding = np.zeros(self.embedder.dim, np.float32)
        for i, vector in zip(todo, vectors):
            analyses[i].embedding = vector

    @staticmethod
    def apply_classifier(classifier: TextClassifier, analyses: list[Analysis]) -> None:
        dense = None
        if classifier.uses_dense and analyses and all(a.embedding is not None for a in analyses):
            dense = np.vstack([a.embedding for a in analyses])
        probabilities = classifier.predict([a.features for a in analyses], dense)
        for a, row in zip(analyses, probabilities):
            a.clf = dict(zip(classifier.labels, row.tolist()))

    @staticmethod
    def apply_reader(reader: ConvReader, analyses: list[Analysis]) -> None:
        probabilities = reader.predict([a.keys for a in analyses],
                                       [a.token_rows if a.token_rows is not None else () for a in analyses])
        for a, row in zip(analyses, probabilities):
            a.read = dict(zip(reader.labels, row.tolist()))

    @staticmethod
    def apply_encoder(encoder: TunedEncoder, analyses: list[Analysis]) -> None:
        probabilities = encoder.predict([a.text for a in analyses])
        for a, row in zip(analyses, probabilities):
            a.encoded = dict(zip(encoder.labels, row.tolist()))

    @staticmethod
    def apply_sentence_classifier(classifier: TextClassifier, analyses: list[Analysis]) -> None:
        """Every sentence of every text in one sparse product; per code, the best sentence."""
        rows = [features for a in analyses for features in a.sentence_features]
        if not rows:
            return
        dense = None
        if classifier.uses_dense and all(a.sentence_vectors is not None for a in analyses):
            dense = np.vstack([a.sentence_vectors for a in analyses])
        probabilities = classifier.predict(rows, dense)
        offset = 0
        for a in analyses:
            n = len(a.sentence_features)
            a.sentence_clf = {}
            if n:
                block = probabilities[offset:offset + n]
                best = block.argmax(axis=0)
                a.sentence_clf = {label: (float(block[best[j], j]), int(best[j]))
                                  for j, label in enumerate(classifier.labels)}
            offset += n

    def _sentence_flags(self, keys: list[str], sentences: list[tuple[int, int]]) -> tuple[list[bool], list[list[int]]]:
        questions: list[bool] = []
        hypotheses: list[list[int]] = []
        for start, end in sentences:
            words = keys[start:end]
            last = next((w for w in reversed(words) if w.strip()), "")
            is_question = last == "?" and "!" not in words
            for opener in self._question_openers:
                if opener and tuple(words[: len(opener)]) == opener:
                    is_question = True
            questions.append(is_question)
            markers: list[int] = []
            for marker in self._hypothesis_markers:
                n = len(marker)
                for i in range(len(words) - n + 1):
                    if tuple(words[i:i + n]) == marker:
                        if marker == self._key_si and (i + 1 >= len(words) or words[i + 1] not in self._hypothesis_followers
                                                       or (i > 0 and words[i - 1] in self._concessive)):
                            continue  # "si lent" is not a condition, nor is "même si"
                        markers.append(start + i)
            hypotheses.append(markers)
        return questions, hypotheses

    def _analyse_doc(self, doc) -> Analysis:
        text = doc.text
        sentences = [(s.start, s.end) for s in doc.sents] if len(doc) else []
        sentence_of = np.zeros(len(doc), dtype=np.int64)
        for i, (start, end) in enumerate(sentences):
            sentence_of[start:end] = i
        keys = doc.user_data["keys"]
        if len(doc):
            offsets = doc.to_array([IDX, LENGTH])
            starts, ends = offsets[:, 0].tolist(), (offsets[:, 0] + offsets[:, 1]).tolist()
        else:
            starts, ends = [], []

        def span_text(span: tuple[int, int]) -> str:
            return text[starts[span[0]]:ends[span[1] - 1]] if span[1] > span[0] else ""

        questions, hypotheses = self._sentence_flags(keys, sentences)
        hits: list[Hit] = []
        is_num = doc.to_array([LIKE_NUM]).astype(bool).tolist() if len(doc) else []
        for match_id, start, end in self.index.find(keys, is_num):
            group, key, weight, has_negation = self._labels[match_id]
            sent = int(sentence_of[start])
            if int(sentence_of[end - 1]) != sent:
                continue
            hit = Hit(group, key, weight, start, end, sent)
            s_start = sentences[sent][0]
            if not has_negation and group not in ("negative", "no_problem", "intensifier", "irony", "effort"):
                if self._negated(keys, max(s_start, start - NEGATION_WINDOW), start) \
                        or any(k in self._negators for k in keys[start + 1:end - 1]):
                    hit.cancelled = "negation"  # before the cue, or inside one of its "..." gaps
            if group in ("code",) and not hit.cancelled:
                if questions[sent]:
                    hit.cancelled = "question"
                else:
                    for marker in hypotheses[sent]:
                        if marker < start and not any(k in self._clause_breaks for k in keys[marker:start]):
                            hit.cancelled = "hypothesis"
                            break
            hits.append(hit)

        spans: dict[tuple[int, int], str] = {}
        codes: dict[str, CodeEvidence] = {}
        stage_cues: dict[str, int] = {}
        emotion_cues: dict[str, float] = {}
        irony = effort = positive = negative = negated_positive = intens = 0.0
        effort_hits = no_problem = 0
        no_problem_sentences: set[int] = set()
        for hit in hits:
            if hit.group == "no_problem":
                no_problem += 1
                no_problem_sentences.add(hit.sentence)
        for hit in hits:
            g = hit.group
            if g == "code":
                ev = codes.setdefault(hit.key, CodeEvidence())
                if hit.cancelled:
                    ev.cancelled_hits += 1
                else:
                    ev.rule_hits += 1
                    span = self._evidence_span(keys, hit.start, hit.end, sentences[hit.sentence])
                    if ev.rule_span is None or (span[1] - span[0]) < (ev.rule_span[1] - ev.rule_span[0]):
                        ev.rule_span = span
                        spans[span] = span_text(span)
            elif g == "stage":
                if not hit.cancelled:
                    stage_cues[hit.key] = stage_cues.get(hit.key, 0) + 1
            elif g == "emotion":
                if not hit.cancelled:
                    emotion_cues[hit.key] = max(emotion_cues.get(hit.key, 0.0), hit.weight) + \
                        (0.1 if hit.key in emotion_cues else 0.0)
            elif g == "irony":
                irony += hit.weight
            elif g == "effort":
                effort = max(effort, hit.weight)
                effort_hits += 1
            elif g == "positive":
                if hit.cancelled:
                    negated_positive += hit.weight
                elif hit.sentence not in no_problem_sentences or hit.weight >= 0.5:
                    positive += hit.weight
            elif g == "negative":
                if self._negated(keys, max(sentences[hit.sentence][0], hit.start - NEGATION_WINDOW), hit.start) \
                        and hit.end - hit.start == 1:
                    positive += 0.3 * hit.weight  # "pas mal", "pas cher"
                elif hit.sentence not in no_problem_sentences:
                    negative += hit.weight
            elif g == "intensifier":
                intens = max(intens, hit.weight)

        self._similarities(doc, keys, sentences, questions, hypotheses, no_problem_sentences, codes, spans, span_text)
        letters = sum(1 for c in text if c.isalpha())
        shouted = sum(len(m.group()) for m in _UPPER_WORD.finditer(text))
        return Analysis(
            text=text, n_tokens=len(doc), codes=codes, stage_cues=stage_cues, emotion_cues=emotion_cues,
            irony_cues=irony, effort_cues=effort, effort_hits=effort_hits, positive=positive,
            negative=negative, negated_positive=negated_positive,
            shouting=(shouted / letters) if letters else 0.0,
            exclamations=len(_EXCLAMATIONS.findall(text)), elongations=len(_ELONGATED.findall(text)),
            intensifiers=intens, no_problem=no_problem, spans=spans,
            features=text_features(keys, self._negators),
            sentence_chars=[(starts[a], ends[b - 1]) for a, b in sentences],
            sentence_features=[text_features(keys[a:b], self._negators) for a, b in sentences],
            sentence_vectors=self.french.span_vectors(doc, sentences) if self.wants_sentence_vectors else None,
            keys=keys, token_rows=self.french.token_rows(doc) if self.wants_token_rows else None,
        )

    def _negated(self, keys: list[str], start: int, end: int) -> bool:
        """A negator in keys[start:end] that no clause break separates from the end."""
        for i in range(end - 1, start - 1, -1):
            if keys[i] in self._clause_breaks:
                return False
            if keys[i] in self._negators:
                return True
        return False

    def _evidence_span(self, keys: list[str], start: int, end: int, sentence: tuple[int, int]) -> tuple[int, int]:
        """The matched cue, widened to about five words within its clause, for a readable quote."""
        s_start, s_end = sentence
        while end - start < 5:
            grew = False
            if start > s_start and keys[start - 1] not in self._clause_breaks and keys[start - 1][:1].isalnum():
                start -= 1
                grew = True
            if end - start < 5 and end < s_end and keys[end] not in self._clause_breaks and keys[end][:1].isalnum():
                end += 1
                grew = True
            if not grew:
                break
        return start, end

    def _units(self, doc, keys: list[str], sentences, questions, hypotheses, no_problem_sentences) -> list[tuple[int, int]]:
        """Sentences and their clauses that may carry a tag (no questions, hypotheses, 'no problem')."""
        units: list[tuple[int, int]] = []
        for i, (start, end) in enumerate(sentences):
            if questions[i] or i in no_problem_sentences or end - start < 3:
                continue
            clause_start = start
            if hypotheses[i]:
                # Skip the conditional clause: keep what follows its first break.
                first = hypotheses[i][0]
                nxt = next((j for j in range(first, end) if keys[j] in self._clause_breaks), None)
                if nxt is None:
                    continue
                clause_start = start = nxt + 1
            units.append((start, end))
            pieces = []
            for j in range(start, end):
                if keys[j] in self._clause_breaks:
                    pieces.append((clause_start, j))
                    clause_start = j + 1
            pieces.append((clause_start, end))
            if len(pieces) > 1:
                units.extend(p for p in pieces if p[1] - p[0] >= 3)
        return units

    def _similarities(self, doc, keys, sentences, questions, hypotheses, no_problem_sentences,
                      codes: dict[str, CodeEvidence], spans: dict, span_text) -> None:
        if not len(self._example_vectors):
            return
        units = self._units(doc, keys, sentences, questions, hypotheses, no_problem_sentences)
        if not units:
            return
        vectors = self.french.span_vectors(doc, units)
        sims = vectors @ self._example_vectors.T  # units x examples
        n_codes = len(self._code_order)
        best = np.full((len(units), n_codes), -1.0, dtype=np.float32)
        best_example = np.zeros((len(units), n_codes), dtype=np.int64)
        for u in range(len(units)):
            row = sims[u]
            order = np.argsort(row)  # ascending: the last write per code is its best example
            best[u, self._owner_index[order]] = row[order]
            best_example[u, self._owner_index[order]] = order
        per_code = best.max(axis=0)
        arg_unit = best.argmax(axis=0)
        kinds = {c: self.codes[c].kind for c in self._code_order}
        for kind in ("irritant", "enchantement"):
            idx = [i for i, c in enumerate(self._code_order) if kinds[c] == kind]
            if not idx:
                continue
            values = per_code[idx]
            top = np.sort(values)[::-1]
            for pos, i in enumerate(idx):
                value = float(values[pos])
                other = top[1] if top[0] == value and len(top) > 1 else top[0]
                code = self._code_order[i]
                ev = codes.setdefault(code, CodeEvidence())
                ev.similarity = value
                ev.similarity_margin = value - float(other)
                span = units[int(arg_unit[i])]
                ev.similarity_span = span
                ev.exemplar = self._example_text[int(best_example[int(arg_unit[i]), i])]
                if span not in spans:
                    spans[span] = span_text(span)

    # ------------------------------------------------------------------ decision
    def valence(self, a: Analysis) -> float:
        return math.tanh(a.negative - a.positive)

    def code_score(self, a: Analysis, code: str) -> float:
        ev = a.codes.get(code)
        if ev is None:
            return 0.0
        kind = self.codes[code].kind
        weights = self.release["code_weights"][kind]
        valence = self.valence(a) if kind == "irritant" else -self.valence(a)
        features = code_features(ev, valence, self.learned(a, kind, code), self.sentence_learned(a, kind, code),
                                 self.reader_learned(a, kind, code), self.encoder_learned(a, kind, code))
        return _sigmoid(float(np.dot(weights, features[:len(weights)])))

    def sentence_learned(self, a: Analysis, kind: str, code: str) -> float:
        """The sentence classifier's best probability for the code over the text's sentences;
        for a code added to the taxonomy since the release, the same cue-based estimate as `learned`."""
        label = f"{kind}:{code}"
        if label in a.sentence_clf or not a.sentence_clf:
            return a.sentence_clf.get(label, (0.0, -1))[0]
        return self._cue_estimate(a, code)

    @staticmethod
    def _cue_estimate(a: Analysis, code: str) -> float:
        """What a learned model would say of a code it was never trained on: a guess from the cues."""
        ev = a.codes.get(code)
        return 0.6 if ev is not None and ev.rule_hits else 0.0

    def sentence_evidence(self, a: Analysis, kind: str, code: str) -> tuple[int, int] | None:
        """The sentence that the sentence classifier credits with the code, if it is confident."""
        probability, sentence = a.sentence_clf.get(f"{kind}:{code}", (0.0, -1))
        if probability < 0.5 or not 0 <= sentence < len(a.sentence_chars):
            return None
        return a.sentence_chars[sentence]

    def reader_learned(self, a: Analysis, kind: str, code: str) -> float:
        """The reader's probability for the code; for a code added to the taxonomy since the
        release, the same cue-based estimate as `learned`."""
        return self._model_probability(a, a.read, kind, code)

    def encoder_learned(self, a: Analysis, kind: str, code: str) -> float:
        """The tuned encoder's probability for the code, as `reader_learned`."""
        return self._model_probability(a, a.encoded, kind, code)

    def _model_probability(self, a: Analysis, probabilities: dict[str, float], kind: str, code: str) -> float:
        label = f"{kind}:{code}"
        if label in probabilities or not probabilities:
            return probabilities.get(label, 0.0)
        return self._cue_estimate(a, code)

    def learned(self, a: Analysis, kind: str, code: str) -> float:
        """The classifier's probability; for a code it was never trained on (added to the
        taxonomy since the release), an estimate from the cues so that new codes can fire."""
        label = f"{kind}:{code}"
        if label in a.clf or not a.clf:
            return a.clf.get(label, 0.0)
        return self._cue_estimate(a, code)

    def boost(self, a: Analysis) -> float:
        """How loud the text is: capitals, '!!!', elongations, intensifiers."""
        return (min(0.3, a.shouting * 1.5) + min(0.2, 0.1 * a.exclamations) + min(0.1, 0.05 * a.elongations)
                + 0.5 * a.intensifiers)

    def irony_score(self, a: Analysis, irritant_mass: float) -> float:
        complaint = min(1.0, irritant_mass + 0.5 * a.negative)
        cues = min(a.irony_cues, 1.0)
        features = [1.0, cues * complaint, min(a.positive, 1.0) * min(irritant_mass, 1.0) * (cues > 0),
                    float(a.elongations > 0) * complaint * (cues > 0), a.clf.get("ironie", 0.0)]
        return _sigmoid(float(np.dot(self.release["irony_weights"], features)))

    def decide(self, a: Analysis, topic: dict | None = None) -> dict:
        """Calibrated tags for one analysed text, in the `voc tag` output shape (without id)."""
        tags: dict[str, list[dict]] = {"irritant": [], "enchantement": []}
        for code, ev in a.codes.items():
            if code not in self.codes:
                continue
            score = self.code_score(a, code)
            kind = self.codes[code].kind
            if score < self.thresholds[kind]:
                continue
            use_rule = ev.rule_span is not None
            sentence = None if use_rule else self.sentence_evidence(a, kind, code)
            if sentence is not None:  # no rule: the sentence the sentence classifier credits
                evidence, source = a.text[sentence[0]:sentence[1]].strip(), "classifier"
            else:
                span = ev.rule_span if use_rule else ev.similarity_span
                evidence = a.span_text(span)
                source = ("rule+example" if use_rule and ev.similarity >= 0.6 else "rule") if use_rule else "example"
            if not evidence:
                continue
            tags[kind].append({
                "code": code, "stage": self.codes[code].stage, "score": round(score, 3),
                "evidence": evidence, "source": source,
                **({"exemplar": ev.exemplar} if source == "example" and ev.exemplar else {}),
            })
        irritant_mass = sum(t["score"] for t in tags["irritant"])
        irony = self.irony_score(a, irritant_mass)
        if irony >= 0.5:
            tags["enchantement"] = []  # ironic praise is not an enchantement
        enchant_mass = sum(t["score"] for t in tags["enchantement"])
        for kind in tags:
            tags[kind].sort(key=lambda t: -t["score"])

        emotions = self._emotions(a, tags["irritant"], irony)
        positive = 0.0 if irony >= 0.5 else a.positive
        negative = a.negative + (a.positive if irony >= 0.5 else 0.0) + 0.5 * a.negated_positive
        raw = (positive + 0.8 * enchant_mass + 0.5 * sum(emotions.get(e, 0) for e in POSITIVE_EMOTIONS)
               - negative - 0.8 * irritant_mass - 0.3 * sum(emotions.get(e, 0) for e in NEGATIVE_EMOTIONS))
        mix = self.release["sentiment_mix"]
        learned = a.clf.get("sentiment:positif", 0.0) - a.clf.get("sentiment:negatif", 0.0)
        polarity = max(-1.0, min(1.0, mix[0] * math.tanh(raw) + mix[1] * learned))
        low, high = self.release["sentiment_cuts"]
        label = "negatif" if polarity <= low else "positif" if polarity >= high else "neutre"

        effort_codes = max((self.codes[t["code"]].effort * t["score"] for t in tags["irritant"]), default=0.0)
        effort_cues = min(1.0, a.effort_cues + 0.15 * max(a.effort_hits - 1, 0))
        effort = _sigmoid(float(np.dot(self.release["effort_weights"],
                                       [1.0, effort_cues, effort_codes, a.clf.get("effort", 0.0)])))

        stage_scores: dict[str, float] = {}
        stage_w = self.release["stage_weights"]
        for stage in self.taxonomy.stages:
            best_tag = max((t["score"] for kind in tags for t in tags[kind] if t["stage"] == stage.code), default=0.0)
            cues = a.stage_cues.get(stage.code, 0)
            features = stage_features(best_tag, cues, a.clf.get(f"stage:{stage.code}", 0.0),
                                      a.read.get(f"stage:{stage.code}", 0.0), a.encoded.get(f"stage:{stage.code}", 0.0))
            score = _sigmoid(float(np.dot(stage_w, features[:len(stage_w)])))
            if score >= self.thresholds["stage"]:
                stage_scores[stage.code] = score
        stages = sorted(stage_scores, key=lambda s: -stage_scores[s])
        return {
            "sentiment": round(polarity, 3),
            "sentiment_label": label,
            "stages": stages,
            "irritants": tags["irritant"],
            "enchantements": tags["enchantement"],
            "emotions": emotions,
            "ironie": round(irony, 3),
            "effort": round(effort, 3),
            "topic": topic,
        }

    def emotion_inputs(self, a: Analysis, irritants: list[dict]) -> dict[str, tuple[float, float, float, float]]:
        boost = self.boost(a)
        out = {}
        for emotion in self.taxonomy.emotions:
            code = emotion.code
            lexical = a.emotion_cues.get(code, 0.0)
            prior = max((self.codes[t["code"]].emotions.get(code, 0.0) * t["score"] for t in irritants), default=0.0)
            loud = boost if code in ("colere", "frustration", "degout") else (
                0.5 * a.intensifiers if code in POSITIVE_EMOTIONS else 0.0)
            out[code] = (lexical, prior, loud, a.clf.get(f"emotion:{code}", 0.0))
        return out

    def _emotions(self, a: Analysis, irritants: list[dict], irony: float) -> dict[str, float]:
        out: dict[str, float] = {}
        weights = self.release["emotion_weights"]
        for code, (lexical, prior, loud, learned) in self.emotion_inputs(a, irritants).items():
            if code in POSITIVE_EMOTIONS and irony >= 0.5:
                continue
            w = weights.get(code)
            if w is None:
                present = max(lexical, prior) + loud >= 0.3
            else:
                present = _sigmoid(float(np.dot(w, emotion_features(lexical, prior, loud, learned)))) >= \
                    self.thresholds.get("emotion", 0.5)
            if present:
                intensity = min(1.0, max(lexical, prior, 0.3 if lexical == 0 and prior == 0 else 0.0) + loud)
                out[code] = round(max(intensity, 0.1), 2)
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def tag(self, texts: Sequence[str]) -> list[dict]:
        return [self.decide(a) for a in self.analyse(texts)]


def _classifier(spec) -> TextClassifier | None:
    """A release's classifier: already loaded (from its .npz by `load_release`), inline JSON, or none."""
    if not spec:
        return None
    if isinstance(spec, TextClassifier):
        return spec
    if "file" in spec:
        raise TaggerError(f"The release's classifier is in {spec['file']}: load the release with load_release().")
    return TextClassifier.from_json(spec)


def _reader(spec, french: FrenchNLP, release_name: str) -> ConvReader | None:
    """A release's reader: already built, or rebuilt from its weights on the French model's vectors."""
    if not spec or isinstance(spec, ConvReader):
        return spec or None
    if "weights" not in spec:
        raise TaggerError(f"The release's reader is in {spec.get('file')}: load the release with load_release().")
    if spec["vectors_model"] != french.model_version:
        raise TaggerError(f"Release {release_name!r} reads {spec['vectors_model']} word vectors, "
                          f"not {french.model_version}.")
    return ConvReader.from_weights(spec, np.asarray(french.nlp.vocab.vectors.data))


def _encoder(spec, release_name: str) -> TunedEncoder | None:
    """A release's tuned encoder: already built, or rebuilt from its weights on the installed USE package."""
    if not spec or isinstance(spec, TunedEncoder):
        return spec or None
    if "weights" not in spec:
        raise TaggerError(f"The release's encoder is in {spec.get('file')}: load the release with load_release().")
    if spec["base_model"] != base_model_id():
        raise TaggerError(f"Release {release_name!r} was tuned on {spec['base_model']}, not on the installed "
                          f"{base_model_id()}: install the version in the lock file or refit the release.")
    return TunedEncoder.from_weights(spec)


def load_release(path: Path) -> dict:
    """release.json of a release folder, with its classifiers and reader weights read from the .npz files beside it."""
    try:
        release = json.loads((path / "release.json").read_text(encoding="utf-8"))
        for key in ("classifier", "sentence_classifier"):
            spec = release.get(key)
            if spec and "file" in spec:
                release[key] = TextClassifier.load(path, spec)
        if release.get("reader"):
            release["reader"] = ConvReader.read_weights(path, release["reader"])
        if release.get("encoder"):
            release["encoder"] = TunedEncoder.read_weights(path, release["encoder"])
    except (OSError, ValueError, KeyError) as exc:
        raise TaggerError(f"Tagger release {path.name!r} cannot be read ({exc}).") from None
    return release


def save_release(release: dict, path: Path) -> Path:
    """Write a release folder: release.json, and each classifier's weights as .npz beside it."""
    path.mkdir(parents=True, exist_ok=True)
    out = dict(release)
    for key in ("classifier", "sentence_classifier"):
        spec = out.get(key)
        if spec:
            model = spec if isinstance(spec, TextClassifier) else TextClassifier.from_json(spec)
            out[key] = model.save(path / f"{key}.npz")
    if isinstance(out.get("reader"), ConvReader):
        out["reader"] = out["reader"].save(path)
    if isinstance(out.get("encoder"), TunedEncoder):
        out["encoder"] = out["encoder"].save(path)
    (path / "release.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path / "release.json"


def release_dir(models_dir: Path, release: str = "current") -> Path | None:
    """Folder of a tagger release under models/tagger/ ("current": the newest by name)."""
    root = models_dir / "tagger"
    if release != "current":
        path = root / release
        if not (path / "release.json").is_file():
            raise TaggerError(f"Tagger release {release!r} not found under {root}; list it or use 'current'.")
        return path
    if not root.is_dir():
        return None
    releases = sorted(p for p in root.iterdir() if (p / "release.json").is_file())
    return releases[-1] if releases else None


def load_tagger(config=None, *, french: FrenchNLP | None = None, release: dict | None = None) -> Tagger:
    """Build the tagger from configuration: taxonomy, signals, French model and frozen release."""
    from voc.taxonomy import TaxonomyError

    settings = config.tagging if config is not None else None
    try:
        taxonomy = load_taxonomy(settings.taxonomy if settings else None)
        signals = load_signals(settings.signals if settings else None, {e.code for e in taxonomy.emotions} or None)
    except TaxonomyError as exc:
        raise TaggerError(str(exc)) from None
    name = "builtin"
    if release is None and config is not None:
        path = release_dir(config.models_dir, settings.release)
        if path is not None:
            release = load_release(path)
            name = path.name
    elif release is not None:
        name = release.get("name", "custom")
    thresholds = {}
    if settings:
        thresholds = {"irritant": settings.irritant_threshold, "enchantement": settings.enchantement_threshold,
                      "stage": settings.stage_threshold}
    embedder = None
    classifier = _classifier((release or {}).get("classifier"))
    if classifier is not None and classifier.uses_dense:
        embedder = load_release_embedder(classifier.dense_model)
    return Tagger(taxonomy, signals, french or load_french(), release, name, thresholds,
                  settings.batch_size if settings else 256, embedder)


_EMBEDDERS: dict[str, object] = {}


def load_release_embedder(model_id: str):
    """The sentence embedder a release was fitted with (loaded once per process)."""
    if model_id not in _EMBEDDERS:
        from voc.embeddings import load_embedder

        if not model_id.startswith("use-"):
            raise TaggerError(f"Unknown sentence embedder {model_id!r} in the tagger release.")
        try:
            embedder = load_embedder("use")
        except ImportError as exc:
            raise TaggerError(f"The tagger release needs the USE encoder ({exc}).") from None
        if embedder.model_id != model_id:
            raise TaggerError(f"The release was fitted with {model_id}; this machine has {embedder.model_id}.")
        _EMBEDDERS[model_id] = embedder
    return _EMBEDDERS[model_id]


__all__ = ["Analysis", "Tagger", "TaggerError", "load_tagger", "fold"]
