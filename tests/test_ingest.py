"""Ingestion end to end into a real DuckDB file: counts, quarantine, duplicates, PII, reruns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voc import store
from voc.config import load_config
from voc.ingest import IngestReport, ingest_paths, new_run_id
from tests.conftest import write_bytes

COMPLAINTS = (
    "N° ticket;Date de création;Canal;Catégorie;Statut;Verbatim;Agent\r\n"
    "T1;21/11/2026 14:03;email;Facture;ouvert;\"Régul de 900 € !!! Écrivez-moi à jean.dupont@gmail.com\r\nou au 06 12 34 56 78\";Paul\r\n"
    "T2;32/13/2026;email;Facture;ouvert;bonjour;Paul\r\n"
    "T3;21 nov. 2026;chat;Livraison;clos;;Marie\r\n"
    "T1;21/11/2026 14:03;email;Facture;ouvert;doublon du ticket T1;Paul\r\n"
    "T4;2026-11-20 09:00;téléphone;Livraison;clos;\"Bonjour, cela fait trois semaines que j'attends mon colis et personne ne répond au service client\";\r\n"
    "T5;2026-11-21 10:00;email;Livraison;clos;\"Bonjour, cela fait trois semaines que j'attends mon colis et personne ne répond au service client !!\";\r\n"
    "T6;2026-11-21;courrier;Autre;clos;\"I have been waiting for my refund for three weeks and nobody answers my emails\";\r\n"
    "T7;2026-11-22;web;Autre;ouvert;\"mon n° client 12345678, contrat résilié mais toujours prélevé\";\r\n"
)


def ingest(config, *files, skip_known=False) -> IngestReport:
    with store.write_session(config.db_path) as con:
        return ingest_paths(con, list(files), config, run_id=new_run_id(), command="test", skip_known=skip_known)


def snapshot(config) -> dict[str, list]:
    """The data content of the store, without run bookkeeping."""
    con = store.connect_read_only(config.db_path)
    try:
        return {
            "verbatims": con.execute("SELECT * EXCLUDE (run_id, ingested_at) FROM raw.verbatims ORDER BY verbatim_id").fetchall(),
            "quarantine": con.execute("SELECT * EXCLUDE (run_id, quarantined_at) FROM raw.quarantine ORDER BY ALL").fetchall(),
            "files": con.execute("SELECT source, file_sha256, rows_read, rows_stored FROM raw.ingest_files ORDER BY ALL").fetchall(),
            "near": con.execute("SELECT verbatim_id, original_id FROM raw.near_duplicates ORDER BY ALL").fetchall(),
        }
    finally:
        con.close()


def query(config, sql, params=None):
    con = store.connect_read_only(config.db_path)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def assert_balanced(report: IngestReport) -> None:
    for name, c in report.by_file.items():
        assert c.read == c.stored + c.duplicates + c.quarantined, name
    t = report.totals
    assert t.read == t.stored + t.duplicates + t.quarantined


def test_complaints_counts_quarantine_and_redaction(tmp_path, config):
    path = write_bytes(tmp_path / "complaints_2026-11-22.csv", COMPLAINTS.encode("utf-8-sig"))
    report = ingest(config, (path, "complaints"))
    assert_balanced(report)
    c = report.by_file[path.name]
    assert (c.read, c.stored, c.duplicates, c.quarantined) == (8, 5, 1, 2)

    reasons = dict(query(config, "SELECT line_no, reason FROM raw.quarantine"))
    # T1 spans lines 2-3 (a quoted line break), so T2 is on line 4 and T3 on line 5.
    assert "32/13/2026" in reasons[4] and reasons[5] == "empty text"
    original = query(config, "SELECT original_content FROM raw.quarantine WHERE line_no = 4")[0][0]
    assert "bonjour" in original and "32/13/2026" in original

    text, pii_count, kinds, extra, line = query(
        config, "SELECT text, pii_count, pii_kinds, extra, line_no FROM raw.verbatims WHERE source_id = 'T1'")[0]
    assert "jean.dupont" not in text and "06 12 34 56 78" not in text
    assert "[EMAIL]" in text and "[TEL]" in text and "900 €" in text
    assert pii_count == 2 and sorted(kinds) == ["email", "tel"]
    assert json.loads(extra) == {"Agent": "Paul"}
    assert line == 2
    client = query(config, "SELECT text FROM raw.verbatims WHERE source_id = 'T7'")[0][0]
    assert "12345678" not in client and "[NUMERO_CLIENT]" in client

    # The same complaint sent twice is stored twice, the later one linked to the earlier.
    links = query(config, """SELECT v.source_id, o.source_id FROM raw.near_duplicates n
                             JOIN raw.verbatims v USING (verbatim_id) JOIN raw.verbatims o ON o.verbatim_id = n.original_id""")
    assert links == [("T5", "T4")]
    # Non-French text is kept and flagged.
    assert query(config, "SELECT lang, is_french FROM raw.verbatims WHERE source_id = 'T6'") == [("en", False)]
    assert query(config, "SELECT count(*) FROM raw.verbatims WHERE is_french")[0][0] == 4


def test_rerun_is_idempotent(tmp_path, config):
    path = write_bytes(tmp_path / "complaints.csv", COMPLAINTS.encode())
    first = ingest(config, (path, "complaints"))
    before = snapshot(config)
    second = ingest(config, (path, "complaints"))
    assert snapshot(config) == before
    c = second.by_file[path.name]
    assert (c.read, c.stored, c.duplicates, c.quarantined) == (8, 0, 6, 2)
    assert first.totals.read == second.totals.read
    third = ingest(config, (path, "complaints"), skip_known=True)
    assert third.skipped_files == [path.name] and third.totals.read == 0
    assert snapshot(config) == before


def test_unreadable_file_does_not_stop_the_others(tmp_path, config):
    good = write_bytes(tmp_path / "good.csv", COMPLAINTS.encode())
    empty = write_bytes(tmp_path / "empty.csv", b"")
    no_text = write_bytes(tmp_path / "notext.csv", b"id;date;foo\n1;2026-11-01;bar\n")
    missing = tmp_path / "missing.csv"
    report = ingest(config, (empty, "complaints"), (good, "complaints"), (no_text, "complaints"), (missing, "complaints"))
    assert set(report.errors) == {"empty.csv", "notext.csv", "missing.csv"}
    assert "no column for text" in report.errors["notext.csv"]
    assert all("\n" not in e for e in report.errors.values())
    assert report.by_file["good.csv"].stored == 5
    assert query(config, "SELECT files_failed FROM raw.ingest_runs") == [(3,)]


def test_nps_scores_and_content_duplicates(tmp_path, config):
    rows = [
        {"submitted_at": "2026-11-20T10:00:00+01:00", "score": "9/10", "why": "Conseillère au top, merci"},
        {"submitted_at": "2026-11-20T10:05:00+01:00", "score": "11", "why": "trop cher"},
        {"submitted_at": "2026-11-20T10:06:00+01:00", "score": "dix", "why": "bien"},
        {"submitted_at": "2026-11-20T10:07:00+01:00", "score": "-1", "why": "nul"},
        {"submitted_at": "2026-11-20T10:08:00+01:00", "score": 3, "why": "Facture fausse"},
        {"submitted_at": "2026-11-20T10:08:00+01:00", "score": 3, "why": "Facture fausse"},  # no id: same content
        {"submitted_at": "2026-11-21T10:08:00+01:00", "score": 3, "why": "Facture fausse"},  # another day: kept
    ]
    path = write_bytes(tmp_path / "nps.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode())
    report = ingest(config, (path, "nps"))
    assert_balanced(report)
    c = report.by_file["nps.jsonl"]
    assert (c.stored, c.duplicates, c.quarantined) == (3, 1, 3)
    assert sorted(r[0] for r in query(config, "SELECT score FROM raw.verbatims")) == [3, 3, 9]
    reasons = sorted(r[0] for r in query(config, "SELECT reason FROM raw.quarantine"))
    assert all("is not an integer from 0 to 10" in r for r in reasons)


def test_social_handles_and_retweets(tmp_path, config):
    brand = sorted(config.brand_handles)[0]
    text = f"@{brand} toujours pas de connexion depuis trois jours chez moi, c'est inadmissible @julie_m75 confirme"
    rows = [
        {"post_id": "p1", "created_at": "2026-11-20T08:00:00Z", "platform": "x", "author": "@marc_du_13", "text": text, "likes": "1,2k"},
        {"post_id": "p2", "created_at": "2026-11-20T09:00:00Z", "platform": "x", "author": "@lea", "text": "RT @marc_du_13: " + text},
        {"post_id": "p3", "created_at": "2026-11-20T09:30:00Z", "platform": "x", "author": f"@{brand}", "text": "Nous sommes désolés, écrivez-nous en MP."},
    ]
    path = write_bytes(tmp_path / "social.jsonl", "\n".join(json.dumps(r) for r in rows).encode())
    ingest(config, (path, "social"))
    got = dict(query(config, "SELECT source_id, text FROM raw.verbatims"))
    assert f"@{brand}" in got["p1"].lower() and "julie_m75" not in got["p1"] and "[PSEUDO]" in got["p1"]
    authors = dict(query(config, "SELECT source_id, author_key FROM raw.verbatims"))
    assert authors["p3"] == f"@{brand}" and authors["p1"].startswith("a_") and "marc" not in authors["p1"]
    assert query(config, "SELECT likes FROM raw.verbatims WHERE source_id = 'p1'") == [(1200,)]
    assert query(config, """SELECT v.source_id, o.source_id FROM raw.near_duplicates n JOIN raw.verbatims v USING (verbatim_id)
                            JOIN raw.verbatims o ON o.verbatim_id = n.original_id""") == [("p2", "p1")]


def test_copy_paste_campaign_links_to_the_first(tmp_path, config):
    base = "Je rejoins le mouvement : {} rendez-nous nos points fidélité supprimés sans prévenir, c'est du vol organisé"
    rows = [{"post_id": f"c{i}", "created_at": f"2026-11-{10 + i:02d}T08:00:00Z", "text": base.format(w)}
            for i, w in enumerate(["", "vraiment", "franchement", "", "svp"])]
    rows.append({"post_id": "other", "created_at": "2026-11-20T08:00:00Z",
                 "text": "Livraison rapide et colis bien emballé, je recommande sans hésiter à tous mes amis"})
    path = write_bytes(tmp_path / "social.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode())
    report = ingest(config, (path, "social"))
    assert report.near_duplicates == 4
    originals = {r[0] for r in query(config, """SELECT o.source_id FROM raw.near_duplicates n
                                                JOIN raw.verbatims o ON o.verbatim_id = n.original_id""")}
    assert originals == {"c0"}


def test_text_over_limit_and_yaml_mapping(tmp_path):
    config_file = write_bytes(tmp_path / "voc.yaml", (
        "paths:\n  db: store.duckdb\n"
        "ingest:\n  max_text_bytes: 200\n"
        "sources:\n  complaints:\n    columns:\n      text: Ressenti du client\n      created_at: Quand\n"
        "brand_handles: ['@MaMarque']\n").encode())
    config = load_config(config_file, env={})
    assert config.db_path == tmp_path / "store.duckdb"
    assert config.brand_handles == frozenset({"mamarque"})
    body = ("Ref;Quand;Ressenti du client\n1;2026-11-02;Le technicien n'est jamais venu\n"
            f"2;2026-11-02;{'très long ' * 40}\n")
    path = write_bytes(tmp_path / "c.csv", body.encode())
    report = ingest(config, (path, "complaints"))
    assert (report.totals.stored, report.totals.quarantined) == (1, 1)
    assert "over the limit of 200 bytes" in query(config, "SELECT reason FROM raw.quarantine")[0][0]


def test_bad_config_is_one_sentence(tmp_path):
    from voc.config import ConfigError

    bad = write_bytes(tmp_path / "bad.yaml", b"sources:\n  tickets:\n    columns: {}\n")
    with pytest.raises(ConfigError, match="Unknown source 'tickets'"):
        load_config(bad, env={})


def test_xlsx_and_parquet_sources(tmp_path, config):
    openpyxl = pytest.importorskip("openpyxl")
    import pyarrow as pa
    import pyarrow.parquet as pq

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Numéro de réponse", "Date de réponse", "Note NPS", "Commentaire", "Point de contact"])
    ws.append(["r1", "21/11/2026 14:03", 9, "Livraison rapide, rien à dire", "livraison"])
    ws.append(["r2", "21/11/2026 15:03", 2.0, "Toujours pas remboursé après 2 mois", "sav"])
    wb.save(tmp_path / "nps.xlsx")
    pq.write_table(pa.table({"response_id": ["r3"], "submitted_at": ["2026-11-21T10:00:00Z"],
                             "score": [10], "why": ["Parfait"]}), tmp_path / "nps.parquet")
    report = ingest(config, (tmp_path / "nps.xlsx", "nps"), (tmp_path / "nps.parquet", "nps"))
    assert report.totals.stored == 3 and not report.errors
    assert sorted(query(config, "SELECT source_id, score, touchpoint FROM raw.verbatims")) == [
        ("r1", 9, "livraison"), ("r2", 2, "sav"), ("r3", 10, None)]


def test_example_config_is_valid():
    from tests.conftest import ROOT

    config = load_config(ROOT / "voc.example.yaml", env={"VOC_SMTP_PORT": "2525"})
    assert config.brand_handles == frozenset({"mamarque", "mamarque_sav"})
    assert config.field_aliases["nps"]["score"][0] == "Q1 - Recommandation"
    assert config.smtp.port == 2525 and config.smtp.recipients == ("qualite@example.org",)
