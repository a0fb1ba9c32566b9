"""Nightly Prefect flow: ingest the inbox, tag the new verbatims, embed them and assign topics, then rank
irritants and check for spikes.

A thin wrapper: it resolves the configuration and calls `voc.pipeline` steps as tasks.
Runs locally in ephemeral mode (`python flows/nightly.py`) or as the `nightly`
deployment of prefect.yaml (02:00 Europe/Paris).
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from voc import pipeline
from voc.config import load_config
from voc.store import StoreBusy

TRANSIENT = (StoreBusy, TimeoutError, ConnectionError)


def _retry_on_transient(task, task_run, state) -> bool:
    """Retry only what a second try can fix (a busy database, a flaky disk or share)."""
    try:
        state.result()
    except TRANSIENT:
        return True
    except OSError as exc:  # e.g. an inbox on a network share that hiccups
        return exc.errno is not None
    except Exception:  # noqa: BLE001 - bad data or a bug: retrying would only repeat it
        return False
    return False


@task(name="ingest-inbox", retries=3, retry_delay_seconds=[10, 60, 300], cache_policy=NONE,
      retry_condition_fn=_retry_on_transient)
def ingest_inbox(config, inbox: Path) -> dict:
    logger = get_run_logger()
    report = pipeline.ingest_inbox(config, inbox, command="prefect nightly")
    for name, counts in report.by_file.items():
        logger.info("%s: read %d, stored %d, duplicates %d, quarantined %d",
                    name, counts.read, counts.stored, counts.duplicates, counts.quarantined)
    for name in report.skipped_files:
        logger.info("%s: already ingested, skipped", name)
    for name, error in report.errors.items():
        logger.error("unreadable file: %s", error)
    totals = report.totals
    logger.info("total: read %d, stored %d, duplicates %d, quarantined %d, near-duplicates %d (%.1f s)",
                totals.read, totals.stored, totals.duplicates, totals.quarantined,
                report.near_duplicates, report.seconds)
    return report.to_json()


@task(name="tag-new-verbatims", retries=3, retry_delay_seconds=[10, 60, 300], cache_policy=NONE,
      retry_condition_fn=_retry_on_transient)
def tag_new_verbatims(config) -> dict:
    logger = get_run_logger()
    result = pipeline.tag_new_verbatims(config)
    logger.info(pipeline.format_tagging(result))
    return {"tagged": result.tagged, "with_irritant": result.with_irritant,
            "seconds": round(result.seconds, 1), "model_version": result.model_version}


@task(name="embed-and-assign-topics", retries=3, retry_delay_seconds=[10, 60, 300], cache_policy=NONE,
      retry_condition_fn=_retry_on_transient)
def embed_and_assign_topics(config) -> dict:
    logger = get_run_logger()
    result = pipeline.refresh_topics(config)
    logger.info(pipeline.format_topics(result))
    return {"embedded": result.embedded, "assigned": result.assigned, "release": result.release}


@task(name="rank-and-alert", retries=3, retry_delay_seconds=[10, 60, 300], cache_policy=NONE,
      retry_condition_fn=_retry_on_transient)
def rank_and_alert(config) -> dict:
    logger = get_run_logger()
    result = pipeline.refresh_insights(config)
    logger.info(pipeline.format_insights(result))
    return {"weeks": result.weeks, "ranked_rows": result.ranked_rows, "alerts": result.alerts,
            "search_index": result.search_index}


@flow(name="voc-nightly")
def nightly(inbox: str | None = None, db: str | None = None, config_path: str | None = None) -> dict:
    """Ingest what is new in the inbox, tag it, rank irritants and raise alerts; safe to run twice."""
    config = load_config(config_path).with_db(db)
    ingested = ingest_inbox(config, Path(inbox) if inbox else config.inbox)
    tagged = tag_new_verbatims(config) if config.tagging.enabled else None
    topics = embed_and_assign_topics(config) if config.tagging.enabled and config.topics.enabled else None
    insights = rank_and_alert(config) if config.tagging.enabled else None
    return {"ingest": ingested, "tagging": tagged, "topics": topics, "insights": insights}


if __name__ == "__main__":
    nightly()
