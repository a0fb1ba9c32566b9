"""Shared fixtures: every test gets its own database, inbox and Prefect home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from voc.config import Config, load_config

ROOT = Path(__file__).resolve().parent.parent
VOC = [sys.executable, "-m", "voc.cli"]


@pytest.fixture(autouse=True, scope="session")
def _quiet_prefect(tmp_path_factory):
    home = tmp_path_factory.mktemp("prefect_home")
    os.environ.update({
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    })
    os.environ.pop("VOC_CONFIG", None)
    os.environ.pop("PREFECT_API_URL", None)
    yield


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(env={}).with_db(tmp_path / "voc.duckdb")


def run_voc(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess, as users and outside tools do."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([*VOC, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)


def write_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The bundled sample through `voc demo` once for the whole session (read-only use): ingested,
    tagged, embedded, ranked, with a topic release and proposals; models and reports in a temporary folder."""
    import shutil
    from dataclasses import replace

    from voc.pipeline import run_demo

    folder = tmp_path_factory.mktemp("demo")
    config = load_config(env={}).with_db(folder / "voc.duckdb")
    shutil.copytree(config.models_dir / "tagger", folder / "models" / "tagger")
    run_demo(replace(config, models_dir=folder / "models", reports_dir=folder / "reports"))
    return folder / "voc.duckdb"
