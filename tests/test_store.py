"""The store: migrations, comments, concurrent readers, writer lock, kill -9 and rerun."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from voc import store
from voc.ingest import ingest_paths, new_run_id
from tests.conftest import ROOT, write_bytes


def _complaints(n: int, start: int = 0) -> bytes:
    lines = ["id;date;verbatim"]
    for i in range(start, start + n):
        lines.append(f"C{i};2026-11-{1 + i % 28:02d} 10:00;Réclamation numéro {i} : facture erronée de {i % 500} euros, merci de corriger")
    return ("\n".join(lines) + "\n").encode()


def _ingest(config, path: Path, source: str = "complaints"):
    with store.write_session(config.db_path) as con:
        return ingest_paths(con, [(path, source)], config, run_id=new_run_id(), command="test")


def test_migration_from_version_1_keeps_data(tmp_path, config):
    con = duckdb.connect(str(config.db_path))
    assert store.migrate(con, target=1) == [1]
    con.execute("""INSERT INTO raw.verbatims (verbatim_id, source, created_at, text, is_french, pii_count, file_name,
                   line_no, run_id, ingested_at) VALUES ('v1', 'nps', now(), 'ancien verbatim', true, 0, 'old.csv', 2, 'r0', now())""")
    con.close()
    with store.write_session(config.db_path) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION
    ro = store.connect_read_only(config.db_path)
    assert ro.execute("SELECT verbatim_id, text, pii_kinds FROM raw.verbatims").fetchall() == [("v1", "ancien verbatim", None)]
    assert [r[0] for r in ro.execute("SELECT version FROM meta.schema_migrations ORDER BY 1").fetchall()] == \
        [v for v, _, _ in store.MIGRATIONS]


def test_newer_schema_is_refused(tmp_path, config):
    with store.write_session(config.db_path) as con:
        con.execute("INSERT INTO meta.schema_migrations VALUES (999, 'future', now())")
    with pytest.raises(store.StoreError, match="newer than this voc"):
        with store.write_session(config.db_path):
            pass


def test_every_table_view_and_column_is_described(tmp_path, config):
    path = write_bytes(tmp_path / "c.csv", _complaints(3))
    _ingest(config, path)
    con = store.connect_read_only(config.db_path)
    tables = con.execute("""SELECT schema_name || '.' || table_name, comment FROM duckdb_tables()
                            WHERE schema_name IN ('raw', 'nlp', 'mart', 'meta')""").fetchall()
    views = con.execute("""SELECT schema_name || '.' || view_name, comment FROM duckdb_views()
                           WHERE schema_name = 'mart'""").fetchall()
    assert len(tables) >= 6 and len(views) >= 4
    assert [name for name, comment in tables + views if not comment] == []
    columns = con.execute("""SELECT schema_name || '.' || table_name || '.' || column_name, comment FROM duckdb_columns()
                             WHERE schema_name IN ('raw', 'nlp', 'mart', 'meta')""").fetchall()
    assert [name for name, comment in columns if not comment] == []


READER = """
import duckdb, sys, time, json
path, seconds = sys.argv[1], float(sys.argv[2])
held = duckdb.connect(path, read_only=True)
seen_held, seen_fresh, errors = set(), set(), []
deadline = time.time() + seconds
print("ready", flush=True)
while time.time() < deadline:
    seen_held.add(held.execute("SELECT count(*) FROM raw.verbatims").fetchone()[0])
    try:
        fresh = duckdb.connect(path, read_only=True)
        n, stored = fresh.execute("SELECT (SELECT count(*) FROM raw.verbatims), (SELECT coalesce(sum(rows_stored), 0) FROM raw.ingest_files)").fetchone()
        fresh.close()
        seen_fresh.add((n, int(stored)))
    except Exception as exc:
        errors.append(str(exc))
    time.sleep(0.01)
print(json.dumps({"held": sorted(seen_held), "fresh": sorted(seen_fresh), "errors": errors}))
"""


def test_readers_are_never_blocked_nor_see_half_writes(tmp_path, config):
    import json

    _ingest(config, write_bytes(tmp_path / "first.csv", _complaints(1000)))
    reader = subprocess.Popen([sys.executable, "-c", READER, str(config.db_path), "8"],
                              stdout=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "ready"
    started = time.monotonic()
    report = _ingest(config, write_bytes(tmp_path / "second.csv", _complaints(30000, start=1000)))
    took = time.monotonic() - started
    out = json.loads(reader.communicate(timeout=60)[0])
    assert report.totals.stored == 30000 and took < 60
    assert out["errors"] == []
    assert out["held"] == [1000]  # the open connection keeps its snapshot
    # Fresh connections see the state before or after, and counts always agree with the file log.
    fresh = {tuple(pair) for pair in out["fresh"]}
    assert fresh <= {(1000, 1000), (31000, 31000)}
    assert (1000, 1000) in fresh


def test_second_writer_waits_then_gives_up_clearly(tmp_path, config):
    with store.write_session(config.db_path):
        with pytest.raises(store.StoreBusy, match="Another voc run is writing"):
            with store.write_session(config.db_path, lock_wait_seconds=0.5):
                pass


def test_failed_session_leaves_the_database_untouched(tmp_path, config):
    _ingest(config, write_bytes(tmp_path / "a.csv", _complaints(10)))
    before = config.db_path.read_bytes()
    with pytest.raises(RuntimeError):
        with store.write_session(config.db_path) as con:
            con.execute("DELETE FROM raw.verbatims")
            raise RuntimeError("boom")
    assert config.db_path.read_bytes() == before
    assert not list(tmp_path.glob(".voc.duckdb.*"))


def test_kill_9_then_rerun_equals_one_clean_run(tmp_path, config):
    big = write_bytes(tmp_path / "inbox" / "complaints_big.csv", _complaints(200_000))
    small = write_bytes(tmp_path / "inbox" / "complaints_small.csv", _complaints(50, start=500_000))
    ingest_only = tmp_path / "ingest_only.yaml"
    ingest_only.write_text("tagging:\n  enabled: false\n", encoding="utf-8")  # this test is about ingestion
    env = {**os.environ, "VOC_DB": str(config.db_path), "VOC_CONFIG": str(ingest_only)}
    # A first, complete run of the small file, so that the database exists before the crash.
    subprocess.run([sys.executable, "-m", "voc.cli", "ingest", str(small), "--source", "complaints", "-q"],
                   cwd=ROOT, env=env, check=True)
    before = config.db_path.read_bytes()
    proc = subprocess.Popen([sys.executable, "-m", "voc.cli", "nightly", "--inbox", str(tmp_path / "inbox")],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:  # wait until it is well into the big file
        if "complaints_big.csv" in line and "rows" in line:
            break
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers, "a file this big is cleaned by worker processes"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == []  # workers die with the ingestion, nothing keeps running
    assert config.db_path.read_bytes() == before  # the published database never saw the half-run
    subprocess.run([sys.executable, "-m", "voc.cli", "nightly", "--inbox", str(tmp_path / "inbox"), "-q"],
                   cwd=ROOT, env=env, check=True)

    clean_db = tmp_path / "clean.duckdb"
    env_clean = {**env, "VOC_DB": str(clean_db)}
    subprocess.run([sys.executable, "-m", "voc.cli", "ingest", str(small), "--source", "complaints", "-q"],
                   cwd=ROOT, env=env_clean, check=True)
    subprocess.run([sys.executable, "-m", "voc.cli", "nightly", "--inbox", str(tmp_path / "inbox"), "-q"],
                   cwd=ROOT, env=env_clean, check=True)

    def content(path):
        con = duckdb.connect(str(path), read_only=True)
        try:
            return (con.execute("SELECT verbatim_id, text, created_at FROM raw.verbatims ORDER BY 1").fetchall(),
                    con.execute("SELECT source, file_sha256, rows_read, rows_stored, rows_duplicate FROM raw.ingest_files ORDER BY ALL").fetchall())
        finally:
            con.close()

    crashed, clean = content(config.db_path), content(clean_db)
    assert len(crashed[0]) == 200_050
    assert crashed == clean
    assert not list(tmp_path.glob(".voc.duckdb.*"))
