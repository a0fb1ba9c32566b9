"""The batch jobs as plain functions: the nightly run, the demo and the store summary.

Each step opens its own write session, so each publishes a complete snapshot: readers
see the state before a step or after it, never in between. Prefect flows in `flows/`
call these same steps as tasks; nothing here imports Prefect.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from voc import store
from voc.config import PROJECT_ROOT, Config
from voc.ingest import IngestReport, ProgressCallback, discover_inbox, ingest_paths, new_run_id

SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"


@dataclass
class NightlyResult:
    ingest: IngestReport


def ingest_inbox(config: Config, inbox: Path, progress: ProgressCallback | None = None,
                 command: str = "voc nightly") -> IngestReport:
    """Ingest the inbox's files that the store has not seen (by content hash)."""
    files = discover_inbox(inbox)
    with store.write_session(config.db_path) as con:
        return ingest_paths(con, files, config, run_id=new_run_id(), command=command,
                            skip_known=True, progress=progress)


def run_nightly(config: Config, inbox: Path, progress: ProgressCallback | None = None) -> NightlyResult:
    report = ingest_inbox(config, inbox, progress)
    return NightlyResult(ingest=report)


def ensure_sample(sample_dir: Path = SAMPLE_DIR) -> Path:
    """The bundled sample, regenerated (deterministically) if it was removed."""
    if not any(sample_dir.glob("complaints*")):
        from voc.demo_data import write_sample

        write_sample(sample_dir)
    return sample_dir


def describe_store(config: Config) -> str:
    from voc.progress import french_number

    con = store.connect_read_only(config.db_path)
    try:
        info = store.describe(con)
    finally:
        con.close()
    t = info["tables"]
    lines = [
        f"database {config.db_path} (schema version {info['schema_version']})",
        f"verbatims: {french_number(t['raw.verbatims'])} "
        + "(" + ", ".join(f"{s} {french_number(n)}" for s, n in info["by_source"].items()) + ")",
        f"period: {info['period'][0]} to {info['period'][1]}",
        f"quarantined rows: {french_number(t['raw.quarantine'])}; near-duplicates linked: "
        f"{french_number(t['raw.near_duplicates'])}; not French: {french_number(info['non_french'])}; "
        f"PII values redacted: {french_number(info['pii_redacted'])}",
    ]
    if info["quarantine_reasons"]:
        lines.append("quarantine reasons: " + "; ".join(f"{r} ({n})" for r, n in info["quarantine_reasons"]))
    return "\n".join(lines)


def format_report(report: IngestReport) -> str:
    """Per-file counts of an ingestion run as a small table."""
    totals = report.totals
    width = max([len(n) for n in report.by_file] + [5])
    lines = [f"{'file':<{width}}  {'read':>8} {'stored':>8} {'dupl.':>8} {'quarant.':>8}"]
    for name, c in [*report.by_file.items(), ("total", totals)]:
        lines.append(f"{name:<{width}}  {c.read:>8,} {c.stored:>8,} {c.duplicates:>8,} {c.quarantined:>8,}")
    lines += [f"{name}: already ingested, skipped" for name in report.skipped_files]
    lines += [f"unreadable: {error}" for error in report.errors.values()]
    rate = totals.read / report.seconds if report.seconds else 0.0
    lines.append(f"{report.near_duplicates:,} near-duplicates linked; {report.seconds:.1f} s ({rate:,.0f} rows/s)")
    return "\n".join(lines)


def run_demo(config: Config, progress: ProgressCallback | None = None) -> str:
    """Run the nightly batch on the bundled sample and say where to look."""
    sample = ensure_sample()
    result = run_nightly(config, sample, progress)
    return "\n".join([
        format_report(result.ingest),
        "",
        describe_store(config),
        "",
        "Query it read-only, while other runs go on:",
        f"  .venv/bin/python -c \"import duckdb; c = duckdb.connect('{config.db_path}', read_only=True); "
        "print(c.sql('SELECT source, iso_week, count(*) FROM mart.verbatims GROUP BY ALL ORDER BY 2 DESC LIMIT 9'))\"",
    ])
