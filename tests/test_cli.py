"""The command-line contract of interfaces.md, run as outside tools run it."""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from tests.conftest import run_voc, write_bytes
from tests.test_ingest import COMPLAINTS


@pytest.mark.parametrize("command", [[], ["ingest"], ["redact"], ["nightly"], ["demo"], ["status"]])
def test_help_everywhere(command):
    result = run_voc(*command, "--help")
    assert result.returncode == 0
    assert "Usage" in result.stdout and len(result.stdout.splitlines()) > 4


def test_ingest_json_contract(tmp_path):
    path = write_bytes(tmp_path / "complaints_2026-11-20.csv", COMPLAINTS.encode("cp1252", errors="replace"))
    result = run_voc("ingest", str(path), "--source", "complaints", "--db", str(tmp_path / "x.duckdb"), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert {"read", "stored", "duplicates", "quarantined", "by_file"} <= payload.keys()
    per_file = payload["by_file"]["complaints_2026-11-20.csv"]
    assert per_file == {"read": 8, "stored": 5, "duplicates": 1, "quarantined": 2}
    assert payload["read"] == payload["stored"] + payload["duplicates"] + payload["quarantined"]
    assert "total" in result.stderr  # the human summary goes to stderr, stdout stays pure JSON


def test_bad_usage_and_unreadable_input_exit_2(tmp_path):
    good = write_bytes(tmp_path / "good.csv", COMPLAINTS.encode())
    bad = write_bytes(tmp_path / "bad.parquet", b"garbage")
    db = str(tmp_path / "x.duckdb")
    result = run_voc("ingest", str(good), "--source", "tickets", "--db", db)
    assert result.returncode == 2 and "unknown source 'tickets'" in result.stderr
    assert "Traceback" not in result.stderr

    result = run_voc("ingest", str(good), str(bad), "--source", "complaints", "--db", db, "--json", "-q")
    assert result.returncode == 2
    assert json.loads(result.stdout)["stored"] == 5  # the good file still loaded
    errors = [line for line in result.stderr.splitlines() if line.startswith("voc:")]
    assert len(errors) == 1 and "bad.parquet" in errors[0]

    result = run_voc("status", "--db", str(tmp_path / "nothing.duckdb"))
    assert result.returncode == 1 and "No database at" in result.stderr and "Traceback" not in result.stderr


def test_redact_command(tmp_path):
    rows = [{"id": "a", "text": "Appelez-moi au 06 12 34 56 78 ou jean@free.fr, facture de 48,99 € du 21/11/2026"},
            {"id": "b", "text": "RAS"}]
    src = write_bytes(tmp_path / "in.jsonl", "\n".join(json.dumps(r) for r in rows).encode())
    out = tmp_path / "out.jsonl"
    result = run_voc("redact", str(src), "--out", str(out))
    assert result.returncode == 0, result.stderr
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert got[0] == {"id": "a", "text": "Appelez-moi au [TEL] ou [EMAIL], facture de 48,99 € du 21/11/2026"}
    assert got[1] == {"id": "b", "text": "RAS"}

    csv_src = write_bytes(tmp_path / "in.csv", "ref;verbatim\nx1;mon IBAN FR76 3000 6000 0112 3456 7890 189\n".encode())
    result = run_voc("redact", str(csv_src), "--out", str(out), "--id-col", "ref", "--text-col", "verbatim")
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text()) == {"id": "x1", "text": "mon IBAN [IBAN]"}

    result = run_voc("redact", str(csv_src), "--out", str(out))
    assert result.returncode == 2 and "no column 'id'" in result.stderr


def test_nightly_twice_changes_nothing(tmp_path):
    inbox = tmp_path / "inbox"
    write_bytes(inbox / "complaints" / "export.csv", COMPLAINTS.encode())
    write_bytes(inbox / "nps_2026-11-20.jsonl",
                json.dumps({"response_id": "r1", "submitted_at": "2026-11-20", "score": 8, "why": "Bien"}).encode())
    db = tmp_path / "n.duckdb"
    first = run_voc("nightly", "--inbox", str(inbox), "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert "export.csv" in first.stderr and "nps_2026-11-20.jsonl" in first.stderr
    snapshot = db.read_bytes()
    second = run_voc("nightly", "--inbox", str(inbox), "--db", str(db))
    assert second.returncode == 0 and "already ingested" in second.stderr
    status = run_voc("status", "--db", str(db))
    assert "verbatims: 6" in status.stdout and "nps 1" in status.stdout, status.stdout
    assert len(snapshot) > 0


def test_demo_loads_the_sample_and_writes_the_digest(tmp_path):
    (tmp_path / "voc.yaml").write_text(f"paths:\n  reports: {tmp_path / 'reports'}\n", encoding="utf-8")
    result = run_voc("demo", "--db", str(tmp_path / "demo.duckdb"), "--config", str(tmp_path / "voc.yaml"))
    assert result.returncode == 0, result.stderr
    assert "complaints" in result.stdout and "nps" in result.stdout and "social" in result.stdout
    assert "quarantine" in result.stdout and "read_only=True" in result.stdout
    alerts = re.search(r"(\d+) spike alert\(s\)", result.stdout)
    assert alerts and 1 <= int(alerts.group(1)) <= 8, result.stdout  # a handful, not one per code
    con = duckdb.connect(str(tmp_path / "demo.duckdb"), read_only=True)
    flagged = con.execute("SELECT DISTINCT iso_week FROM mart.alerts WHERE code = 'panne_dysfonctionnement' "
                          "AND segment_value = 'Nexa Télécom' ORDER BY 1").fetchall()
    con.close()
    assert [w for (w,) in flagged] == ["2026-W46", "2026-W47"]  # the planted outage, in both weeks of the spike
    digests = list((tmp_path / "reports").glob("*/digest.html"))
    assert len(digests) == 1 and digests[0].parent.name in result.stdout
