"""The Prefect flow really runs (ephemeral mode, temporary PREFECT_HOME) and the deployments are declared."""

from __future__ import annotations

import json

import yaml

from tests.conftest import ROOT, write_bytes
from tests.test_ingest import COMPLAINTS


def test_nightly_flow_runs_under_prefect(tmp_path):
    from flows.nightly import nightly
    from prefect.states import State

    inbox = tmp_path / "inbox"
    write_bytes(inbox / "complaints" / "a.csv", COMPLAINTS.encode())
    write_bytes(inbox / "social" / "b.jsonl", json.dumps(
        {"post_id": "p1", "created_at": "2026-11-20T08:00:00Z", "text": "Réseau coupé depuis hier soir"}).encode())
    state = nightly(inbox=str(inbox), db=str(tmp_path / "f.duckdb"), return_state=True)
    assert isinstance(state, State) and state.is_completed(), state
    result = state.result()
    assert result["ingest"]["stored"] == 6 and result["ingest"]["quarantined"] == 2
    again = nightly(inbox=str(inbox), db=str(tmp_path / "f.duckdb"))
    assert again["ingest"]["read"] == 0 and len(again["ingest"]["skipped_files"]) == 2


def test_library_never_imports_prefect():
    offenders = [p.name for p in (ROOT / "voc").rglob("*.py")
                 if any(line.strip().startswith(("import prefect", "from prefect"))
                        for line in p.read_text(encoding="utf-8").splitlines())]
    assert offenders == []


def test_deployments_schedules():
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    deployments = {d["name"]: d for d in spec["deployments"]}
    nightly, weekly = deployments["nightly"], deployments["weekly-digest"]
    assert nightly["schedules"][0] == {"cron": "0 2 * * *", "timezone": "Europe/Paris", "active": True}
    assert weekly["schedules"][0]["cron"] == "0 7 * * 1" and weekly["schedules"][0]["timezone"] == "Europe/Paris"
    path, name = nightly["entrypoint"].split(":")
    assert (ROOT / path).is_file() and f"def {name}(" in (ROOT / path).read_text()
