"""Topic discovery with BERTopic: French fits, releases with stable ids, nightly assignment, proposals.

The taxonomy explains the irritants we know; topics find the ones we do not know yet.

- `fit_topics` fits BERTopic on precomputed embeddings (seeded UMAP, HDBSCAN, a French
  vectorizer on spaCy lemmas), reduces outliers, labels topics and builds the hierarchy.
  Documents are put in a canonical order (by verbatim id) first, so the same corpus gives
  the same partition whatever order it came in.
- `align` matches a new release's topics with the previous release's (centroid and
  keyword similarity) so that a theme keeps its id, and records the lineage.
- `assign` gives new verbatims the topic of the nearest centroid: a matrix product, so
  the nightly run assigns thousands per second.
- `propose_themes` clusters recent verbatims that the taxonomy did not explain and
  returns candidate irritants; `taxonomy_entry` turns one into YAML for the taxonomy file.

Pure: texts, ids and numpy embeddings in; Arrow tables and small dataclasses out. Saving
a release writes files under models/topics/<release>/ (`save_release`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from voc.config import TopicSettings

OUTLIER = -1
_PLACEHOLDER = re.compile(r"^\[[A-Z_]+\]$")
_WORD = re.compile(r"^[a-zàâäçéèêëîïôöùûüÿœæ][a-zàâäçéèêëîïôöùûüÿœæ-]+$")


# ---------------------------------------------------------------------------- French lemmas for c-TF-IDF


def french_stop_words() -> frozenset[str]:
    from spacy.lang.fr.stop_words import STOP_WORDS

    extra = {"bonjour", "merci", "cordialement", "madame", "monsieur", "cdlt", "svp", "stp", "bonne", "journée",
             "avoir", "être", "faire", "aller", "dire", "pouvoir", "vouloir", "devoir", "mettre", "voir", "vraiment",
             "alors", "depuis", "encore", "toujours", "jamais", "rien", "tout", "tous", "chez", "fois", "mois",
             "jour", "jours", "semaine", "semaines", "an", "ans", "h", "min", "€", "eur", "euros", "euro", "mr", "mme"}
    return frozenset({w.lower() for w in STOP_WORDS} | extra)


def lemma_tokens(texts: Sequence[str], french, batch_size: int = 256) -> list[list[str]]:
    """Content lemmas of each text: lowercased, elisions (l', qu', c'...), stop words, numbers, PII placeholders dropped."""
    stop = french_stop_words()
    lemma_of = french.lemmatiser.lemma
    out = []
    for doc in french.pipe(list(texts), batch_size=batch_size):
        words = []
        for token in doc:
            text = token.text.lower()
            if text.endswith(("'", "’")) or token.is_punct or token.like_num or token.is_space \
                    or _PLACEHOLDER.match(token.text) or text.startswith(("@", "http", "#")):
                continue
            lemma = lemma_of(token.text).lower()
            if lemma in stop or text in stop or len(lemma) < 3 or not _WORD.match(lemma):
                continue
            words.append(lemma)
        out.append(words)
    return out


def lemma_grams(words: list[str], ngram_max: int) -> list[str]:
    """Unigrams and n-grams (up to ngram_max) of a document's content lemmas."""
    grams = list(words)
    for n in range(2, ngram_max + 1):
        grams += [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)]
    return grams


def frequent_grams(lemmas: Sequence[list[str]], ngram_max: int, min_df: int) -> frozenset[str]:
    """Grams found in at least min_df documents of the corpus."""
    counts: dict[str, int] = {}
    for words in lemmas:
        for gram in set(lemma_grams(words, ngram_max)):
            counts[gram] = counts.get(gram, 0) + 1
    return frozenset(g for g, n in counts.items() if n >= min_df)


DOC_END = "\x1e"  # ends each lemma document; BERTopic joins a topic's documents with spaces


def lemma_documents(lemmas: Sequence[list[str]]) -> list[str]:
    """The documents BERTopic sees: each verbatim's content lemmas, space-separated, closed by DOC_END.

    BERTopic vectorizes one joined document per topic (tens of thousands of verbatims at scale):
    with lemmas already in the text, the analyzer splits instead of running spaCy on it again,
    and n-grams never cross from one verbatim into the next.
    """
    return [" ".join(words) + " " + DOC_END for words in lemmas]


class LemmaAnalyzer:
    """CountVectorizer analyzer over lemma documents (`lemma_documents`): unigrams and n-grams.

    `vocabulary` (grams frequent enough in the documents) is applied here, not through the
    vectorizer's min_df: BERTopic vectorizes one joined document per topic, so min_df there would
    count topics and drop exactly the words that belong to a single topic.
    """

    def __init__(self, ngram_max: int, vocabulary: frozenset[str] | None = None) -> None:
        self.ngram_max = ngram_max
        self.vocabulary = vocabulary

    def __call__(self, doc: str) -> list[str]:
        grams: list[str] = []
        for part in doc.split(DOC_END):
            grams += lemma_grams(part.split(), self.ngram_max)
        return grams if self.vocabulary is None else [g for g in grams if g in self.vocabulary]

    def __getstate__(self):  # BERTopic may pickle the vectorizer: keep it small
        return {"ngram_max": self.ngram_max, "vocabulary": None}


# ---------------------------------------------------------------------------- the model of a release


@dataclass
class Topic:
    topic_id: int
    label: str
    keywords: list[str]
    weights: list[float]
    size: int
    coherence_npmi: float | None
    representative_ids: list[str]


@dataclass
class TopicRelease:
    """What a release keeps to assign and align: topics, their centroids, the embedding model."""

    name: str
    model_id: str
    topics: list[Topic]
    centroids: np.ndarray  # one row per topic of `topics`, L2-normalised
    params: dict
    metrics: dict
    corpus_size: int
    fitted_at: str
    since: str | None = None
    previous_release: str | None = None
    hierarchy: list[dict] = field(default_factory=list)
    guide_codes: list[str] = field(default_factory=list)  # the tagger codes that guided the fit (none: unguided)
    guide_weight: float = 0.0
    code_profiles: np.ndarray | None = None  # per topic, the mean code row of its tagged members

    @property
    def topic_ids(self) -> list[int]:
        return [t.topic_id for t in self.topics]


@dataclass
class FitResult:
    release: TopicRelease
    ids: list[str]
    topics: np.ndarray  # topic id per document (after outlier reduction and alignment)
    similarities: np.ndarray
    bertopic_model: object = None
    lineage: list[dict] = field(default_factory=list)


@contextmanager
def _quiet():
    """BERTopic logs warnings and progress bars meant for notebooks; the CLI prints its own summary."""
    import logging
    import os
    import warnings

    logger = logging.getLogger("BERTopic")
    level = logger.level
    logger.setLevel(logging.ERROR)
    previous = os.environ.get("TQDM_DISABLE")
    os.environ["TQDM_DISABLE"] = "1"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
        if previous is None:
            os.environ.pop("TQDM_DISABLE", None)
        else:
            os.environ["TQDM_DISABLE"] = previous


def _min_cluster_size(n: int, settings: TopicSettings) -> int:
    return settings.min_cluster_size or max(15, n // 400)


def _bertopic(n_docs: int, settings: TopicSettings, analyzer: LemmaAnalyzer, min_cluster_size: int):
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from sklearn.feature_extraction.text import CountVectorizer
    from umap import UMAP

    # PCA start, not UMAP's spectral default: the spectral layout of a graph with several components
    # sits in a near-degenerate eigenspace, so two runs on the same data gave different partitions.
    umap_model = UMAP(n_neighbors=min(settings.umap_neighbors, max(2, n_docs - 1)),
                      n_components=settings.umap_components, min_dist=0.0, metric="cosine",
                      init="pca", random_state=settings.seed, low_memory=True)
    hdbscan_model = HDBSCAN(min_cluster_size=min_cluster_size, min_samples=max(5, min_cluster_size // 3),
                            metric="euclidean", cluster_selection_method="eom", prediction_data=False)
    vectorizer = CountVectorizer(analyzer=analyzer)  # document frequency is filtered by the analyzer
    return BERTopic(language="french", umap_model=umap_model, hdbscan_model=hdbscan_model,
                    vectorizer_model=vectorizer, top_n_words=settings.top_words, calculate_probabilities=False,
                    verbose=False)


def lexical_vectors(lemmas: Sequence[list[str]], ngram_max: int, vocabulary: frozenset[str], components: int,
                    seed: int) -> np.ndarray | None:
    """LSA of sublinear TF-IDF over content lemmas and their n-grams in `vocabulary` (`frequent_grams`,
    counted once per fit), rows L2-normalised (None if too little text).

    Sentence embeddings put "prix en hausse" next to "prix attractif" and a complaint letter next to
    any other letter; the words a verbatim shares with few others (IDF) say which problem it is about.
    """
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    if components <= 0 or len(lemmas) < 10 or not vocabulary:
        return None
    matrix = TfidfVectorizer(analyzer=lambda words: lemma_grams(words, ngram_max), vocabulary=sorted(vocabulary),
                             sublinear_tf=True).fit_transform(list(lemmas))
    k = min(components, matrix.shape[1] - 1, len(lemmas) - 1)
    if k < 2:
        return None
    reduced = TruncatedSVD(n_components=k, random_state=seed).fit_transform(matrix)
    norms = np.linalg.norm(reduced, axis=1, keepdims=True)
    return (reduced / np.maximum(norms, 1e-12)).astype(np.float32)


def _joined(*blocks: np.ndarray) -> np.ndarray:
    """Blocks side by side, rows L2-normalised."""
    joined = np.hstack(blocks)
    return (joined / np.maximum(np.linalg.norm(joined, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def clustering_space(embeddings: np.ndarray, lexical: np.ndarray | None) -> np.ndarray:
    """Embeddings and lexical vectors side by side, equal weight (both unit rows), rows L2-normalised."""
    return embeddings if lexical is None else _joined(embeddings, lexical)


def code_block(tag_codes: Sequence[Sequence[str]], tag_scores: Sequence[Sequence[float]],
               codes: Sequence[str]) -> np.ndarray:
    """One row per verbatim, one column per code of `codes`: the tagger's scores, rows L2-normalised
    (all zeros for a verbatim with no tag, or only tags outside `codes`)."""
    index = {c: i for i, c in enumerate(codes)}
    block = np.zeros((len(tag_codes), len(codes)), np.float32)
    for row, (names, scores) in enumerate(zip(tag_codes, tag_scores)):
        for name, score in zip(names or [], scores or []):
            if name in index:
                block[row, index[name]] = score
    return block / np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-12)


def borrow_codes(block: np.ndarray, space: np.ndarray, neighbours: int, agreement: float = 0.5,
                 chunk: int = 1000) -> tuple[np.ndarray, int]:
    """Untagged rows take the mean code row of their `neighbours` nearest tagged rows (cosine in `space`)
    when at least `agreement` of those share their strongest code; (new block, rows that borrowed).

    The tagger misses wordings its rules and classifier never saw ("impossible de resilier", "appli
    buggée"); their nearest tagged neighbours, in words and meaning, usually agree on the code. Rows
    whose neighbours disagree stay untagged, and a theme the taxonomy does not know keeps its own cluster.
    """
    tagged = np.flatnonzero(block.any(axis=1))
    untagged = np.flatnonzero(~block.any(axis=1))
    if neighbours <= 0 or len(tagged) < neighbours or not len(untagged):
        return block, 0
    out = block.copy()
    tagged_codes, tagged_space = block[tagged], space[tagged]
    strongest = tagged_codes.argmax(axis=1)
    borrowed = 0
    for start in range(0, len(untagged), chunk):
        rows = untagged[start:start + chunk]
        nearest = np.argpartition(-(space[rows] @ tagged_space.T), neighbours - 1, axis=1)[:, :neighbours]
        share = np.array([np.bincount(votes).max() for votes in strongest[nearest]]) / neighbours
        agree = share >= agreement
        out[rows[agree]] = tagged_codes[nearest[agree]].mean(axis=1)
        borrowed += int(agree.sum())
    return out, borrowed


def guided_space(space: np.ndarray, block: np.ndarray | None, weight: float) -> np.ndarray:
    """The clustering space joined with the tagger's code block times `weight`, rows L2-normalised:
    verbatims the taxonomy puts under different codes are pulled apart, whatever their context."""
    if block is None or weight <= 0 or not block.shape[1]:
        return space
    return _joined(space, weight * block)


def _centroids(embeddings: np.ndarray, topics: np.ndarray, topic_ids: list[int]) -> np.ndarray:
    rows = []
    for t in topic_ids:
        mean = embeddings[topics == t].mean(axis=0)
        rows.append(mean / max(np.linalg.norm(mean), 1e-12))
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, embeddings.shape[1]), np.float32)


def npmi_coherence(topic_words: list[list[str]], documents: list[list[str]], top: int = 10) -> list[float | None]:
    """Mean NPMI over the pairs of each topic's top words, with document co-occurrence over the corpus."""
    from scipy import sparse

    vocabulary = {w: i for i, w in enumerate(sorted({w for words in topic_words for w in words[:top]}))}
    if not vocabulary:
        return [None] * len(topic_words)
    rows, cols = [], []
    for d, words in enumerate(documents):
        present = {vocabulary[w] for w in words if w in vocabulary}
        rows += [d] * len(present)
        cols += list(present)
    matrix = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(documents), len(vocabulary)))
    n = max(len(documents), 1)
    counts = np.asarray(matrix.sum(axis=0)).ravel()
    joint = (matrix.T @ matrix).toarray()
    scores: list[float | None] = []
    for words in topic_words:
        idx = [vocabulary[w] for w in words[:top] if w in vocabulary]
        values = []
        for a in range(len(idx)):
            for b in range(a + 1, len(idx)):
                i, j = idx[a], idx[b]
                p_ij = joint[i, j] / n
                if p_ij == 0:
                    values.append(-1.0)
                    continue
                p_i, p_j = counts[i] / n, counts[j] / n
                values.append(float(np.log(p_ij / (p_i * p_j)) / -np.log(p_ij)) if p_ij < 1 else 1.0)
        scores.append(float(np.mean(values)) if values else None)
    return scores


def fit_topics(texts: Sequence[str], ids: Sequence[str], embeddings: np.ndarray, *, model_id: str, name: str,
               settings: TopicSettings, french, since: str | None = None,
               previous: TopicRelease | None = None, reduce_outliers: bool = True,
               hierarchy: bool = True, tag_codes: Sequence[Sequence[str]] | None = None,
               tag_scores: Sequence[Sequence[float]] | None = None) -> FitResult:
    """Fit a BERTopic release on a corpus whose embeddings are already computed.

    Clusters are found in the embeddings joined with lexical (lemma TF-IDF) vectors and, when the
    tagger's codes are given (`tag_codes`, `tag_scores`), with a block of those codes
    (`settings.guide_weight`), so that a topic does not mix irritants the taxonomy already tells
    apart; untagged verbatims borrow their neighbours' codes when these agree (`borrow_codes`).
    Centroids, similarities and representatives stay in embedding space, where `assign` works every night.
    """
    order = np.argsort(np.asarray(ids, dtype=object), kind="stable")  # canonical order: same corpus, same fit
    ids = [ids[i] for i in order]
    texts = [texts[i] for i in order]
    embeddings = np.asarray(embeddings, np.float32)[order]
    lemmas = lemma_tokens(texts, french)
    min_df = min(settings.min_df, max(1, len(texts) // 50))
    vocabulary = frequent_grams(lemmas, settings.ngram_max, min_df)
    analyzer = LemmaAnalyzer(settings.ngram_max, vocabulary)
    documents = lemma_documents(lemmas)
    min_size = _min_cluster_size(len(texts), settings)
    # Clusters are searched in embeddings + lexical vectors (outlier reduction too, same space).
    space = clustering_space(embeddings, lexical_vectors(lemmas, settings.ngram_max, vocabulary,
                                                         settings.lexical_components, settings.seed))
    guide_codes: list[str] = []
    own_codes = borrowed = None
    if tag_codes is not None and tag_scores is not None and settings.guide_weight > 0:
        tag_codes = [tag_codes[i] for i in order]
        tag_scores = [tag_scores[i] for i in order]
        guide_codes = sorted({c for names in tag_codes for c in (names or [])})
        if guide_codes:
            own_codes = code_block(tag_codes, tag_scores, guide_codes)
            block, borrowed = borrow_codes(own_codes, space, settings.guide_neighbours, settings.guide_agreement)
            space = guided_space(space, block, settings.guide_weight)
    model = _bertopic(len(texts), settings, analyzer, min_size)
    with _quiet():
        raw_topics, _ = model.fit_transform(documents, space)
    raw_topics = np.asarray(raw_topics)
    outliers_before = float(np.mean(raw_topics == OUTLIER))
    topics = raw_topics
    if reduce_outliers and outliers_before > 0 and len(set(raw_topics) - {OUTLIER}) > 0:
        with _quiet():
            topics = np.asarray(model.reduce_outliers(documents, list(raw_topics), strategy="embeddings",
                                                      embeddings=space, threshold=settings.outlier_threshold))
            model.update_topics(documents, topics=list(topics), vectorizer_model=model.vectorizer_model,
                                top_n_words=settings.top_words)
    topic_ids = sorted(set(topics.tolist()) - {OUTLIER})
    centroids = _centroids(embeddings, topics, topic_ids)
    profiles = None
    if own_codes is not None:
        profiles = np.vstack([own_codes[topics == t].mean(axis=0) for t in topic_ids]).astype(np.float32) \
            if topic_ids else np.zeros((0, len(guide_codes)), np.float32)
    similarities = (embeddings @ centroids.T).max(axis=1) if len(topic_ids) else np.zeros(len(texts))
    words = {t: [(w, score) for w, score in (model.get_topic(t) or []) if w.strip()] for t in topic_ids}
    coherence = npmi_coherence([[w for w, _ in words[t] if " " not in w] for t in topic_ids], lemmas)
    topic_list = []
    for t, centroid, npmi in zip(topic_ids, centroids, coherence):
        members = np.flatnonzero(topics == t)
        closest = members[np.argsort(-(embeddings[members] @ centroid))[:5]]
        keywords = [w for w, _ in words[t]]
        topic_list.append(Topic(topic_id=int(t), label=" · ".join(keywords[:4]) or f"sujet {t}", keywords=keywords,
                                weights=[float(s) for _, s in words[t]], size=int(len(members)),
                                coherence_npmi=npmi, representative_ids=[ids[i] for i in closest]))
    tree = _hierarchy(model, documents) if hierarchy and len(topic_ids) > 2 else []
    _relabel_hierarchy(tree, {t: t for t in topic_ids})
    params = {"space": {"embeddings": model_id, "lexical": {
                  "tfidf": "sublinear, lemmas and n-grams", "svd_components": space.shape[1] - embeddings.shape[1],
                  "weight": "equal (unit rows joined, renormalised)"}},
              "umap": {"n_neighbors": settings.umap_neighbors, "n_components": settings.umap_components,
                       "min_dist": 0.0, "metric": "cosine", "init": "pca", "random_state": settings.seed},
              "hdbscan": {"min_cluster_size": min_size, "min_samples": max(5, min_size // 3),
                          "cluster_selection_method": "eom"},
              "vectorizer": {"tokens": "spaCy fr_core_news_md lemmas, French stop words and elisions removed",
                             "ngram_range": [1, settings.ngram_max], "min_df": min_df},
              "outliers": {"strategy": "embeddings", "space": "clustering", "threshold": settings.outlier_threshold},
              "language": "french", "canonical_order": "verbatim_id"}
    if own_codes is not None:
        params["guide"] = {"codes": len(guide_codes), "weight": settings.guide_weight,
                           "source": "current tagger's irritant and enchantement scores, rows L2-normalised",
                           "neighbours": settings.guide_neighbours, "agreement": settings.guide_agreement,
                           "tagged": int(own_codes.any(axis=1).sum()), "borrowed": borrowed}
    valid = [c for c in coherence if c is not None]
    metrics = {"topics": len(topic_ids), "outlier_rate_before_reduction": round(outliers_before, 4),
               "outlier_rate": round(float(np.mean(topics == OUTLIER)), 4),
               "npmi_coherence_mean": round(float(np.mean(valid)), 4) if valid else None}
    release = TopicRelease(name=name, model_id=model_id, topics=topic_list, centroids=centroids, params=params,
                           metrics=metrics, corpus_size=len(texts),
                           fitted_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), since=since,
                           hierarchy=tree, guide_codes=guide_codes,
                           guide_weight=settings.guide_weight if guide_codes else 0.0, code_profiles=profiles)
    result = FitResult(release=release, ids=list(ids), topics=topics, similarities=similarities, bertopic_model=model)
    if previous is not None:
        result.lineage = align(previous, result)
    return result


def purity(themes: Sequence[str], topics: Sequence[int]) -> float:
    """Share of verbatims whose topic's most frequent theme is their own (1.0: no topic mixes themes)."""
    from collections import Counter

    counts: dict[int, Counter] = {}
    for theme, topic in zip(themes, topics):
        counts.setdefault(topic, Counter())[theme] += 1
    return sum(max(c.values()) for c in counts.values()) / max(len(themes), 1)


def _hierarchy(model, texts: list[str]) -> list[dict]:
    try:
        with _quiet():
            frame = model.hierarchical_topics(list(texts))
    except Exception:  # noqa: BLE001 - a hierarchy is a bonus; a degenerate corpus must not fail the fit
        return []
    rows = []
    for r in frame.itertuples(index=False):
        rows.append({"parent_id": int(r.Parent_ID), "parent_label": str(r.Parent_Name),
                     "child_left_id": int(r.Child_Left_ID), "child_right_id": int(r.Child_Right_ID),
                     "topic_ids": [int(t) for t in r.Topics], "distance": float(r.Distance)})
    return rows


# ---------------------------------------------------------------------------- alignment and assignment


def _keyword_similarity(a: list[Topic], b: list[Topic]) -> np.ndarray:
    vocabulary = {w: i for i, w in enumerate(sorted({w for t in a + b for w in t.keywords}))}

    def matrix(topics: list[Topic]) -> np.ndarray:
        m = np.zeros((len(topics), max(len(vocabulary), 1)), np.float32)
        for r, t in enumerate(topics):
            for w, s in zip(t.keywords, t.weights or [1.0] * len(t.keywords)):
                m[r, vocabulary[w]] = s
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        return m / np.maximum(norms, 1e-12)

    return matrix(a) @ matrix(b).T


def align(previous: TopicRelease, result: FitResult, centroid_weight: float = 0.7,
          threshold: float | None = None) -> list[dict]:
    """Give the new release's topics the ids of the previous release's matching topics; return the lineage.

    Similarity = 0.7 x centroid cosine + 0.3 x keyword (c-TF-IDF weight) cosine. A new topic
    whose best match is an old topic, itself best matched by it, keeps the old id (same);
    several old topics matching one new topic is a merge (it keeps the biggest's id); one
    old topic matching several new ones is a split (the closest keeps the id); the rest are
    new (fresh ids) or retired.
    """
    current = result.release
    threshold = threshold if threshold is not None else 0.55
    lineage: list[dict] = []
    if not current.topics or not previous.topics or previous.model_id != current.model_id:
        for t in current.topics:
            lineage.append(_lineage(current.name, t.topic_id, previous.name, None, "new", None))
        current.previous_release = previous.name
        return lineage
    sim = centroid_weight * (current.centroids @ previous.centroids.T) \
        + (1 - centroid_weight) * _keyword_similarity(current.topics, previous.topics)
    new_best = sim.argmax(axis=1)
    old_best = sim.argmax(axis=0)
    next_id = max([previous.params.get("max_topic_id_ever", -1)] + [t.topic_id for t in previous.topics]) + 1
    mapping: dict[int, int] = {}
    relations: dict[int, tuple[str, int | None, float | None]] = {}
    for i, topic in enumerate(current.topics):
        j = int(new_best[i])
        strong_old = [k for k in np.flatnonzero(sim[i] >= threshold)]
        if sim[i, j] < threshold:
            relations[i] = ("new", None, None)
            continue
        if len(strong_old) > 1 and all(int(old_best[k]) == i for k in strong_old):
            keep = max(strong_old, key=lambda k: previous.topics[k].size)
            relations[i] = ("merged", int(keep), float(sim[i, keep]))
            mapping[i] = previous.topics[keep].topic_id
            continue
        if int(old_best[j]) == i:
            relations[i] = ("same", j, float(sim[i, j]))
            mapping[i] = previous.topics[j].topic_id
        else:
            relations[i] = ("split", j, float(sim[i, j]))
    # Splits: the sibling that the old topic prefers already kept the id; the others get new ids.
    old_to_new = {}
    for i, topic in enumerate(current.topics):
        if i not in mapping:
            mapping[i] = next_id
            next_id += 1
        kind, j, s = relations[i]
        if j is not None:
            old_to_new.setdefault(j, []).append(i)
    # Relabel: ids are rewritten in the result (documents) and in the release.
    old_ids = {i: t.topic_id for i, t in enumerate(current.topics)}
    by_old = {old_ids[i]: mapping[i] for i in mapping}
    result.topics = np.asarray([by_old.get(int(t), int(t)) if t != OUTLIER else OUTLIER for t in result.topics])
    for i, topic in enumerate(current.topics):
        topic.topic_id = mapping[i]
    for node in current.hierarchy:  # internal nodes were moved out of range at fit time; remap the leaves
        node["topic_ids"] = [by_old.get(t, t) for t in node["topic_ids"]]
        for key in ("child_left_id", "child_right_id"):
            if node[key] < HIERARCHY_NODE_OFFSET:
                node[key] = by_old.get(node[key], node[key])
    for i, topic in enumerate(current.topics):
        kind, j, s = relations[i]
        if kind == "same" and len(old_to_new.get(j, [])) > 1:
            kind = "split"  # it kept the id, but its old topic also gave birth to siblings
        if kind == "merged":
            for k in np.flatnonzero(sim[i] >= threshold):
                lineage.append(_lineage(current.name, topic.topic_id, previous.name, previous.topics[int(k)].topic_id,
                                        "merged", float(sim[i, int(k)])))
            continue
        lineage.append(_lineage(current.name, topic.topic_id, previous.name,
                                previous.topics[j].topic_id if j is not None else None, kind, s))
    matched_old = {j for kind, j, _ in relations.values() if j is not None}
    matched_old |= {int(k) for i, (kind, _, _) in relations.items() if kind == "merged"
                    for k in np.flatnonzero(sim[i] >= threshold)}
    for j, old in enumerate(previous.topics):
        if j not in matched_old:
            lineage.append(_lineage(current.name, None, previous.name, old.topic_id, "retired", None))
    current.params["max_topic_id_ever"] = max(next_id - 1, previous.params.get("max_topic_id_ever", 0))
    current.previous_release = previous.name
    return lineage


HIERARCHY_NODE_OFFSET = 100_000  # internal nodes of the hierarchy get ids from here, never a topic's


def _relabel_hierarchy(nodes: list[dict], leaves: dict[int, int]) -> None:
    """Leaves take the topics' stable ids; internal nodes are moved out of the topic id range."""
    internal = {n["parent_id"] for n in nodes}
    for node in nodes:
        node["topic_ids"] = [leaves.get(t, t) for t in node["topic_ids"]]
        for key in ("child_left_id", "child_right_id"):
            value = node[key]
            node[key] = value + HIERARCHY_NODE_OFFSET if value in internal else leaves.get(value, value)
        node["parent_id"] += HIERARCHY_NODE_OFFSET


def _lineage(release, topic_id, previous_release, previous_topic_id, relation, similarity) -> dict:
    return {"release": release, "topic_id": topic_id, "previous_release": previous_release,
            "previous_topic_id": previous_topic_id, "relation": relation, "similarity": similarity}


def assign(release: TopicRelease, embeddings: np.ndarray, min_similarity: float,
           tag_codes: Sequence[Sequence[str]] | None = None,
           tag_scores: Sequence[Sequence[float]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Topic of the nearest centroid for each row (OUTLIER under min_similarity), and that similarity.

    For a release fitted with the tagger's codes, a verbatim's own codes count too: the topic is the
    one with the best centroid cosine + guide_weight² x (code row . topic's code profile), the same
    balance as in the clustering space; the similarity reported is the centroid cosine.
    """
    if len(embeddings) == 0 or not release.topics:
        return np.full(len(embeddings), OUTLIER), np.zeros(len(embeddings))
    sims = np.asarray(embeddings, np.float32) @ release.centroids.T
    choice = sims
    if tag_codes is not None and tag_scores is not None and release.guide_codes \
            and release.code_profiles is not None:
        block = code_block(tag_codes, tag_scores, release.guide_codes)
        choice = sims + release.guide_weight ** 2 * (block @ release.code_profiles.T)
    best = choice.argmax(axis=1)
    score = sims[np.arange(len(best)), best]
    ids = np.asarray(release.topic_ids)[best]
    return np.where(score >= min_similarity, ids, OUTLIER), score


# ---------------------------------------------------------------------------- releases on disk


def save_release(release: TopicRelease, models_dir: Path, bertopic_model=None) -> Path:
    """models/topics/<name>/: release.json (topics, params, metrics), centroids.npy, and the BERTopic model."""
    folder = models_dir / "topics" / release.name
    folder.mkdir(parents=True, exist_ok=True)
    data = asdict(release)
    data.pop("centroids")
    data.pop("code_profiles")
    (folder / "release.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    np.save(folder / "centroids.npy", release.centroids)
    if release.code_profiles is not None:
        np.save(folder / "code_profiles.npy", release.code_profiles)
    if bertopic_model is not None:
        try:
            with _quiet():
                bertopic_model.save(str(folder / "bertopic"), serialization="safetensors", save_ctfidf=True,
                                    save_embedding_model=False)
        except Exception:  # noqa: BLE001 - our own files are the reference; the BERTopic copy is for analysts
            pass
    return folder


CURRENT_POINTER = "CURRENT"  # models/topics/CURRENT: the name of the release last made current


def mark_current(models_dir: Path, name: str) -> None:
    """Record under models/topics/ which release is current, for readers without a database (`voc tag`)."""
    folder = models_dir / "topics"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CURRENT_POINTER).write_text(name + "\n", encoding="utf-8")


def current_release_name(models_dir: Path) -> str | None:
    pointer = models_dir / "topics" / CURRENT_POINTER
    name = pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else ""
    return name if name and (models_dir / "topics" / name / "release.json").is_file() else None


@dataclass
class TopicAssigner:
    """Topics for texts that are not in the store (`voc tag`): embed the focus text, assign as the nightly does."""

    release: TopicRelease
    embedder: object  # voc.embeddings.EmbeddingBackend of the release's model
    min_similarity: float

    def topics(self, texts: Sequence[str], results: Sequence[dict]) -> list[dict | None]:
        """Each text's topic ({"id", "label"}, or None for an empty text or one near no topic),
        from its focus-text vector and the tagger's results for it."""
        from voc.embeddings import focus_text

        out: list[dict | None] = [None] * len(texts)
        todo = [i for i, t in enumerate(texts) if t and t.strip()]
        if not todo or not self.release.topics:
            return out
        vectors = self.embedder.encode([focus_text(texts[i]) for i in todo])
        tags = [results[i]["irritants"] + results[i]["enchantements"] for i in todo]
        ids, _ = assign(self.release, vectors, self.min_similarity,
                        [[t["code"] for t in row] for row in tags], [[t["score"] for t in row] for row in tags])
        labels = {t.topic_id: t.label for t in self.release.topics}
        for i, topic_id in zip(todo, ids.tolist()):
            out[i] = None if topic_id == OUTLIER else {"id": int(topic_id), "label": labels[topic_id]}
        return out


def load_release(models_dir: Path, name: str) -> TopicRelease:
    folder = models_dir / "topics" / name
    if not (folder / "release.json").is_file():
        raise FileNotFoundError(f"No topic release '{name}' under {models_dir / 'topics'}; run 'voc topics fit'.")
    data = json.loads((folder / "release.json").read_text(encoding="utf-8"))
    data["topics"] = [Topic(**t) for t in data["topics"]]
    profiles = np.load(folder / "code_profiles.npy") if (folder / "code_profiles.npy").is_file() else None
    return TopicRelease(centroids=np.load(folder / "centroids.npy"), code_profiles=profiles, **data)


# ---------------------------------------------------------------------------- Arrow rows for the store


def release_rows(result: FitResult, assigned_at: dt.datetime) -> dict:
    r = result.release
    topics = pa.table({
        "release": [r.name] * len(r.topics), "topic_id": pa.array([t.topic_id for t in r.topics], pa.int32()),
        "label": [t.label for t in r.topics], "keywords": [t.keywords for t in r.topics],
        "size": pa.array([t.size for t in r.topics], pa.int32()),
        "coherence_npmi": pa.array([t.coherence_npmi for t in r.topics], pa.float64()),
        "representative_ids": [t.representative_ids for t in r.topics]})
    hierarchy = pa.Table.from_pylist([{"release": r.name, **node} for node in r.hierarchy], schema=pa.schema([
        ("release", pa.string()), ("parent_id", pa.int32()), ("parent_label", pa.string()),
        ("child_left_id", pa.int32()), ("child_right_id", pa.int32()), ("topic_ids", pa.list_(pa.int32())),
        ("distance", pa.float64())]))
    lineage = pa.Table.from_pylist(result.lineage, schema=pa.schema([
        ("release", pa.string()), ("topic_id", pa.int32()), ("previous_release", pa.string()),
        ("previous_topic_id", pa.int32()), ("relation", pa.string()), ("similarity", pa.float64())]))
    assignments = assignment_rows(result.ids, r.name, result.topics, result.similarities, assigned_at)
    return {"topics": topics, "hierarchy": hierarchy, "lineage": lineage, "assignments": assignments}


def assignment_rows(ids: Sequence[str], release: str, topics: np.ndarray, similarities: np.ndarray,
                    assigned_at: dt.datetime) -> pa.Table:
    return pa.table({"verbatim_id": pa.array(list(ids), pa.string()), "release": [release] * len(ids),
                     "topic_id": pa.array(np.asarray(topics, dtype=np.int32)),
                     "similarity": pa.array(np.asarray(similarities, dtype=np.float64)),
                     "assigned_at": pa.array([assigned_at] * len(ids), pa.timestamp("us", tz="UTC"))})


# ---------------------------------------------------------------------------- emerging themes


@dataclass
class Proposal:
    proposal_id: str
    iso_week: str
    keywords: list[str]
    label: str
    size: int
    weekly_counts: list[int]
    growth: float
    negative_share: float
    representative_ids: list[str]
    representative_texts: list[str]


def propose_themes(corpus: pa.Table, *, settings: TopicSettings, french, iso_week: str,
                   recent_weeks: int = 4, model_id: str = "") -> list[Proposal]:
    """Cluster recent verbatims the taxonomy did not explain; clusters that are negative enough are proposals.

    corpus: verbatim_id, text, week_start, irritant_score, sentiment_label, vector (store.topic_corpus).
    Sorted by growth x sqrt(size): a theme that appears and grows comes before a big stable one.
    """
    from voc.store import arrow_to_vectors

    scores = np.asarray(corpus.column("irritant_score").to_pylist(), dtype=float)
    keep = np.flatnonzero(scores < settings.proposal_max_irritant_score)
    if len(keep) < max(settings.proposal_min_size * 2, 30):
        return []
    subset = corpus.take(pa.array(keep))
    ids = subset.column("verbatim_id").to_pylist()
    texts = subset.column("text").to_pylist()
    weeks = subset.column("week_start").to_pylist()
    sentiment = subset.column("sentiment_label").to_pylist()
    embeddings = arrow_to_vectors(subset.column("vector"))
    local = TopicSettings(**{**asdict(settings), "min_cluster_size": settings.proposal_min_size})
    fit = fit_topics(texts, ids, embeddings, model_id=model_id, name=f"proposals-{iso_week}", settings=local,
                     french=french, reduce_outliers=False, hierarchy=False)
    position = {vid: i for i, vid in enumerate(ids)}
    all_weeks = sorted(set(weeks))[-recent_weeks:]
    proposals = []
    for topic in fit.release.topics:
        members = [position[v] for v, t in zip(fit.ids, fit.topics) if t == topic.topic_id]
        counts = [sum(1 for m in members if weeks[m] == w) for w in all_weeks]
        half = max(1, len(counts) // 2)
        growth = sum(counts[half:]) / (sum(counts[:half]) + 1)
        negative = float(np.mean([sentiment[m] == "negatif" for m in members])) if members else 0.0
        if topic.size < settings.proposal_min_size or negative < settings.proposal_min_negative_share:
            continue
        key = hashlib.sha256(("|".join(sorted(topic.keywords[:5])) + iso_week).encode()).hexdigest()[:8]
        proposals.append(Proposal(
            proposal_id=f"P{key}", iso_week=iso_week, keywords=topic.keywords, label=topic.label, size=topic.size,
            weekly_counts=counts, growth=round(growth, 3), negative_share=round(negative, 3),
            representative_ids=topic.representative_ids,
            representative_texts=[texts[position[v]] for v in topic.representative_ids]))
    proposals.sort(key=lambda p: (-proposal_score(p.size, p.growth), p.proposal_id))
    return proposals


def proposal_score(size: int, growth: float) -> float:
    """Emerging first: growth counts more than size (a big stable cluster is not news)."""
    return growth * float(np.sqrt(size))


def proposal_rows(proposals: list[Proposal], created_at: dt.datetime) -> pa.Table:
    schema = pa.schema([("proposal_id", pa.string()), ("iso_week", pa.string()), ("keywords", pa.list_(pa.string())),
                        ("label", pa.string()), ("size", pa.int32()), ("weekly_counts", pa.list_(pa.int32())),
                        ("growth", pa.float64()), ("negative_share", pa.float64()),
                        ("representative_ids", pa.list_(pa.string())),
                        ("representative_texts", pa.list_(pa.string())), ("status", pa.string()),
                        ("accepted_code", pa.string()), ("created_at", pa.timestamp("us", tz="UTC"))])
    return pa.Table.from_pylist([{**asdict(p), "status": "proposed", "accepted_code": None, "created_at": created_at}
                                 for p in proposals], schema=schema)


def taxonomy_entry(proposal: dict, *, code: str, stage: str, label: str | None = None, examples: int = 5) -> str:
    """The YAML block of a new irritant built from an accepted proposal (cues from keywords, examples from verbatims)."""
    keywords = [k for k in proposal["keywords"] if k.strip()][:8]
    # Cues precise enough to fire only on the theme: the keyword bigrams, and the top words in pairs
    # ("point ... fidélité" also matches "points de fidélité"). Single words would fire everywhere.
    unigrams = [k for k in keywords if " " not in k][:3]
    cues = [k for k in keywords if " " in k][:4]
    cues += [f"{a} ... {b}" for a in unigrams for b in unigrams if a != b]  # both orders
    label = label or f"{keywords[0].capitalize()} ({', '.join(keywords[1:3])})" if keywords else code

    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    lines = [f"  - code: {code}", f"    label: {q(label)}", f"    stage: {stage}",
             "    description: >-",
             f"      Thème émergent accepté depuis la proposition {proposal['proposal_id']} "
             f"({proposal['iso_week']}, {proposal['size']} verbatims) ; mots-clés : {', '.join(keywords[:6])}.",
             "    cues:"]
    lines += [f"      - {q(c)}" for c in cues]
    lines.append("    examples:")
    lines += [f"      - {q(' '.join(t.split()))}" for t in proposal["representative_texts"][:examples]]
    return "\n".join(lines) + "\n"
