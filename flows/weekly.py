"""Weekly Prefect flow: the irritant digest for quality teams, every Monday at 07:00 Paris time.

A thin wrapper around `voc.pipeline`: it proposes new irritants (topics of the recent
verbatims the taxonomy did not explain), then builds the digest of the last
complete ISO week, publishes it as a Prefect markdown artifact and, with `send=True`,
mails it. SMTP settings come from the voc configuration and VOC_SMTP_* variables, or from
a Prefect `EmailServerCredentials` block (package prefect-email) named by `email_block`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from voc import pipeline
from voc.config import Config, load_config


def _smtp_from_block(config: Config, block_name: str) -> Config:
    """Mail settings from a Prefect EmailServerCredentials block, recipients still from voc's config."""
    from prefect_email import EmailServerCredentials  # optional dependency

    block = EmailServerCredentials.load(block_name)
    smtp = replace(config.smtp, host=block.smtp_server, port=int(block.smtp_port or 25),
                   starttls=str(getattr(block.smtp_type, "value", block.smtp_type)).upper() == "STARTTLS",
                   user=block.username or None,
                   password=block.password.get_secret_value() if block.password else None)
    return replace(config, smtp=smtp)


@task(name="weekly-digest", retries=2, retry_delay_seconds=[60, 600], cache_policy=NONE)
def build_and_send(config: Config, week: str | None, out: str | None, send: bool) -> dict:
    logger = get_run_logger()
    report = pipeline.weekly_report(config, week, Path(out) if out else None, send)
    logger.info(pipeline.format_weekly(report))
    from voc.digest import render_markdown

    create_markdown_artifact(
        key=f"irritant-digest-{report.iso_week.lower()}",
        markdown=render_markdown(report.digest, image_src=lambda name: str(report.files.folder / "charts" / name)),
        description=f"Weekly irritant digest {report.iso_week}",
    )
    return {"week": report.iso_week, "html": str(report.files.html), "irritants": len(report.digest.irritants),
            "alerts": len(report.digest.alerts), "sent_to": list(report.sent_to)}


@task(name="propose-new-irritants", retries=1, retry_delay_seconds=[300], cache_policy=NONE)
def propose_new_irritants(config: Config) -> list[dict]:
    logger = get_run_logger()
    proposals = pipeline.propose_topics(config)
    logger.info(pipeline.format_proposals(proposals[:5]))
    return [{"proposal_id": p.proposal_id, "label": p.label, "size": p.size, "growth": p.growth} for p in proposals]


@flow(name="voc-weekly-digest")
def weekly_digest(week: str | None = None, db: str | None = None, out: str | None = None, send: bool = False,
                  config_path: str | None = None, email_block: str | None = None, propose: bool = True) -> dict:
    """Propose new irritants from topics, build the weekly digest (default: the last complete ISO week), mail it."""
    config = load_config(config_path).with_db(db)
    if email_block:
        config = _smtp_from_block(config, email_block)
    proposals = propose_new_irritants(config) if config.topics.enabled and propose else []
    return {**build_and_send(config, week, out, send), "proposals": proposals}


if __name__ == "__main__":
    weekly_digest()
