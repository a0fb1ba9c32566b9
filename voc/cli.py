"""The `voc` command line: thin wrappers that build the config and call library functions.

Exit status: 0 success, 1 the work failed, 2 bad usage or unreadable input. Errors are
one sentence on stderr; set VOC_DEBUG=1 to see the traceback as well.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Optional

import typer

from voc.config import SOURCES, Config, ConfigError, load_config
from voc.progress import french_number

app = typer.Typer(
    help="voc: voice-of-customer text mining for French verbatims (ingest, redact, tag, eval, nightly batch, demo).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DbOption = Annotated[Optional[Path], typer.Option("--db", help="DuckDB file (default: the configured one, under data/).")]
ConfigOption = Annotated[Optional[Path], typer.Option("--config", help="YAML configuration file (default: $VOC_CONFIG or ./voc.yaml).")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines.")]


class UsageProblem(Exception):
    """Bad usage or unreadable input: exit status 2."""


def _fail(message: str, code: int) -> None:
    typer.echo(f"voc: {message}", err=True)
    raise typer.Exit(code)


def handle_errors(func: Callable) -> Callable:
    """Turn known failures into one sentence and the contract's exit codes."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        from voc.readers import FileUnreadable
        from voc.store import StoreError

        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except (UsageProblem, ConfigError, FileUnreadable) as exc:
            _fail(str(exc), 2)
        except StoreError as exc:
            _fail(str(exc), 1)
        except KeyboardInterrupt:
            _fail("interrupted; the database was left as it was before this run.", 1)
        except Exception as exc:  # noqa: BLE001 - the last line of defence must stay one sentence
            if os.environ.get("VOC_DEBUG"):
                traceback.print_exc()
            first_line = (str(exc).strip().splitlines() or [""])[0]
            _fail(f"{func.__name__} failed: {exc.__class__.__name__}: {first_line} (set VOC_DEBUG=1 for details).", 1)

    return wrapper


def _config(config_path: Path | None, db: Path | None) -> Config:
    return load_config(config_path).with_db(db)


def _print_report(report, db_path: Path) -> None:
    """A short human summary of an ingestion run, on stderr."""
    from voc.pipeline import format_report

    typer.echo(f"{format_report(report)}\ndatabase: {db_path}", err=True)


@app.command()
@handle_errors
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files to load (CSV, JSONL, JSON, Parquet, XLSX).")],
    source: Annotated[str, typer.Option("--source", "-s", help="complaints, nps or social.")],
    db: DbOption = None,
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as one JSON object on stdout.")] = False,
    quiet: QuietOption = False,
) -> None:
    """Load verbatim files into the store: redact PII, quarantine bad rows, skip duplicates."""
    from voc.ingest import ingest_paths, new_run_id
    from voc.progress import ProgressPrinter
    from voc.store import write_session

    if source not in SOURCES:
        raise UsageProblem(f"unknown source '{source}'; use one of {', '.join(SOURCES)}.")
    cfg = _config(config, db)
    with write_session(cfg.db_path) as con:
        report = ingest_paths(con, [(p, source) for p in paths], cfg, run_id=new_run_id(),
                              command="voc ingest", progress=ProgressPrinter(enabled=not quiet))
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False))
    if not quiet:
        _print_report(report, cfg.db_path)
    for error in report.errors.values():
        typer.echo(f"voc: {error}", err=True)
    if report.errors:
        raise typer.Exit(2)


@app.command()
@handle_errors
def redact(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="CSV or JSONL file with an id and a text column.")],
    out: Annotated[Path, typer.Option("--out", help="Output JSON Lines file: {\"id\", \"text\"} per row.")],
    id_col: Annotated[str, typer.Option("--id-col", help="Name of the id column.")] = "id",
    text_col: Annotated[str, typer.Option("--text-col", help="Name of the text column.")] = "text",
    config: ConfigOption = None,
) -> None:
    """Redact French PII (emails, phones, IBAN, cards, NIR, customer numbers, private @handles)."""
    from voc.pii import redact_many
    from voc.tagging import TagInputError, iter_id_text

    cfg = _config(config, None)
    written = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", encoding="utf-8") as fh:
        try:
            for ids, raw_texts in iter_id_text(input_path, id_col, text_col):
                for rid, text in zip(ids, redact_many(raw_texts, cfg.brand_handles)):
                    fh.write(json.dumps({"id": rid, "text": text}, ensure_ascii=False) + "\n")
                    written += 1
        except TagInputError as exc:
            raise UsageProblem(str(exc)) from None
    tmp.replace(out)
    typer.echo(f"{french_number(written)} rows redacted into {out}", err=True)


@app.command()
@handle_errors
def tag(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="CSV or JSONL file with an id and a text column.")],
    out: Annotated[Path, typer.Option("--out", help="Output JSON Lines file, one tagged object per input row.")],
    id_col: Annotated[str, typer.Option("--id-col", help="Name of the id column.")] = "id",
    text_col: Annotated[str, typer.Option("--text-col", help="Name of the text column.")] = "text",
    with_topics: Annotated[bool, typer.Option(
        "--topics", help="Also give each text its topic in the current topic release (embeds every text: slower).")] = False,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Tag texts with irritants, enchantements, emotions, irony, effort, sentiment and stages (no database)."""
    from voc.pipeline import load_topic_assigner
    from voc.progress import ProgressPrinter
    from voc.tagger import TaggerError, load_tagger
    from voc.tagging import TagInputError, tag_file

    cfg = _config(config, None)
    if not input_path.is_file():
        raise UsageProblem(f"input file {input_path} does not exist.")
    try:
        tagger = load_tagger(cfg)
        topics = load_topic_assigner(cfg) if with_topics else None
        if with_topics and topics is None:
            typer.echo(f"No usable topic release under {cfg.models_dir / 'topics'} (run 'voc topics fit'); "
                       "every topic is null.", err=True)
        result = tag_file(tagger, input_path, out, id_col, text_col, cfg.brand_handles,
                          progress=ProgressPrinter(enabled=not quiet), topics=topics)
    except (TaggerError, TagInputError) as exc:
        raise UsageProblem(str(exc)) from None
    rate = result.rows / result.seconds if result.seconds else 0.0
    typer.echo(f"{french_number(result.rows)} rows tagged into {out} in {result.seconds:.1f} s ({french_number(rate)}/s); "
               f"{french_number(result.with_irritant)} with at least one irritant; model {result.model_version}", err=True)


@app.command(name="eval")
@handle_errors
def eval_command(
    gold: Annotated[Path, typer.Option("--gold", help="Gold JSON Lines file (see docs/labelling_guide.md).")],
    out: Annotated[Optional[Path], typer.Option("--out", help="Also write the report (Markdown) to this file.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the summary measures as JSON instead of the report.")] = False,
    config: ConfigOption = None,
) -> None:
    """Score the tagger on a gold file: per-code precision, recall and F1, micro and macro F1, accuracy."""
    from voc.evaluation import GoldError, evaluate, format_evaluation, read_gold
    from voc.tagger import TaggerError, load_tagger
    from voc.tagging import tag_texts

    cfg = _config(config, None)
    try:
        rows = read_gold(gold)
        tagger = load_tagger(cfg)
    except (GoldError, TaggerError) as exc:
        raise UsageProblem(str(exc)) from None
    predictions = list(tag_texts(tagger, [r["id"] for r in rows], [r["text"] for r in rows], cfg.brand_handles))
    result = evaluate(rows, predictions)
    report = format_evaluation(result, f"Evaluation on {gold.name} ({tagger.model_version})")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report, encoding="utf-8")
    typer.echo(json.dumps(result.summary(), indent=2) if json_out else report)


@app.command()
@handle_errors
def nightly(
    inbox: Annotated[Optional[Path], typer.Option("--inbox", help="Folder of new files: inbox/<source>/* or files named <source>*.")] = None,
    db: DbOption = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """The nightly batch: ingest what is new in the inbox and refresh the marts. Safe to rerun."""
    from voc.pipeline import run_nightly
    from voc.progress import ProgressPrinter

    cfg = _config(config, db)
    inbox = inbox or cfg.inbox
    if not inbox.is_dir():
        raise UsageProblem(f"inbox folder {inbox} does not exist; create it or pass --inbox.")
    result = run_nightly(cfg, inbox, progress=ProgressPrinter(enabled=not quiet))
    _print_report(result.ingest, cfg.db_path)
    if result.tagging:
        from voc.pipeline import format_tagging

        typer.echo(format_tagging(result.tagging), err=True)
    if result.topics:
        from voc.pipeline import format_topics

        typer.echo(format_topics(result.topics), err=True)
    if result.insights:
        from voc.pipeline import format_insights

        typer.echo(format_insights(result.insights), err=True)
    if result.ingest.errors:
        raise typer.Exit(2)


@app.command()
@handle_errors
def demo(
    db: DbOption = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Load the bundled sample data (data/sample) through the nightly batch, write the weekly digest, say where to look."""
    from voc.pipeline import run_demo
    from voc.progress import ProgressPrinter

    cfg = _config(config, db)
    summary = run_demo(cfg, progress=ProgressPrinter(enabled=not quiet))
    typer.echo(summary)


topics_app = typer.Typer(help="Topic discovery (BERTopic): fit releases, list topics, propose and accept new irritants.",
                         no_args_is_help=True)
app.add_typer(topics_app, name="topics")


@topics_app.command("fit")
@handle_errors
def topics_fit(
    since: Annotated[Optional[str], typer.Option("--since", help="Fit on verbatims from this day (YYYY-MM-DD); default: all.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="Release name (default: date and time).")] = None,
    db: DbOption = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Fit a topic release, align its ids with the current one, save it under models/topics/ and make it current."""
    import datetime as dt

    from voc.pipeline import fit_topic_release, format_topic_fit
    from voc.progress import ProgressPrinter

    if since is not None:
        try:
            dt.date.fromisoformat(since)
        except ValueError:
            raise UsageProblem(f"--since '{since}' is not a date like 2026-09-01.") from None
    cfg = _config(config, db)
    try:
        result = fit_topic_release(cfg, since, name, progress=ProgressPrinter(enabled=not quiet))
    except ValueError as exc:
        raise UsageProblem(str(exc)) from exc
    typer.echo(format_topic_fit(result))


@topics_app.command("list")
@handle_errors
def topics_list(db: DbOption = None, config: ConfigOption = None) -> None:
    """The topics of the current release, biggest first."""
    from voc import store

    con = store.connect_read_only(_config(config, db).db_path)
    try:
        rows = con.execute("SELECT release, topic_id, size, label FROM mart.topics ORDER BY size DESC").fetchall()
    finally:
        con.close()
    if not rows:
        typer.echo("No topic release yet; run 'voc topics fit'.")
    for release, topic_id, size, label in rows:
        typer.echo(f"{release}  {topic_id:>5}  {size:>7,}  {label}")


@topics_app.command("propose")
@handle_errors
def topics_propose(
    weeks: Annotated[Optional[int], typer.Option("--weeks", help="Recent weeks to look at (default: topics.proposal_weeks).")] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Cluster recent verbatims the taxonomy did not explain and list candidate new irritants."""
    from voc.pipeline import format_proposals, propose_topics

    proposals = propose_topics(_config(config, db), weeks)
    typer.echo(format_proposals(proposals))


@topics_app.command("accept")
@handle_errors
def topics_accept(
    proposal_id: Annotated[str, typer.Argument(help="Proposal id from 'voc topics propose'.")],
    code: Annotated[str, typer.Option("--code", help="New irritant code (lower_snake_case).")],
    stage: Annotated[str, typer.Option("--stage", help="Journey stage of the new irritant.")],
    label: Annotated[Optional[str], typer.Option("--label", help="French label (default: from the keywords).")] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Write a proposal into the taxonomy file as a new irritant (cues and examples from the topic)."""
    import re

    from voc.pipeline import accept_proposal

    if not re.fullmatch(r"[a-z][a-z0-9_]{2,48}", code):
        raise UsageProblem(f"--code '{code}' must be lower_snake_case, like perte_points_fidelite.")
    try:
        path = accept_proposal(_config(config, db), proposal_id, code, stage, label)
    except ValueError as exc:
        raise UsageProblem(str(exc)) from exc
    typer.echo(f"Added irritant '{code}' ({stage}) to {path}; the next nightly run tags with it "
               "(a new taxonomy digest, so a new model version).")


report_app = typer.Typer(help="Reports for quality teams: the weekly irritant digest.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("weekly")
@handle_errors
def report_weekly(
    week: Annotated[Optional[str], typer.Option("--week", help="ISO week, e.g. 2026-W47 (default: the last complete one).")] = None,
    db: DbOption = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder for the reports (default: reports/); the digest goes to DIR/YYYY-Www/.")] = None,
    send: Annotated[bool, typer.Option("--send", help="Also mail it to the configured recipients over SMTP.")] = False,
    config: ConfigOption = None,
) -> None:
    """Build the weekly irritant digest (HTML, Markdown, text and PNG charts) and optionally mail it."""
    from voc.mailer import MailError
    from voc.pipeline import format_weekly, weekly_report

    cfg = _config(config, db)
    try:
        result = weekly_report(cfg, week, out, send)
    except ValueError as exc:
        raise UsageProblem(str(exc)) from exc
    except MailError as exc:
        _fail(str(exc), 1)
    typer.echo(format_weekly(result))


@app.command()
@handle_errors
def search(
    query: Annotated[str, typer.Argument(help="Words to look for; French stemming ('livraisons' finds 'livraison').")],
    limit: Annotated[int, typer.Option("--limit", help="How many verbatims to show.")] = 20,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Full-text search over the verbatims (BM25, French stemmer, accents ignored), best matches first."""
    from voc import store

    cfg = _config(config, db)
    con = store.connect_read_only(cfg.db_path)
    try:
        rows = store.search_verbatims(con, query, limit).to_pylist()
    finally:
        con.close()
    if not rows:
        typer.echo(f"No verbatim matches '{query}'.")
    for r in rows:
        created = r["created_at"].date().isoformat() if r["created_at"] else ""
        typer.echo(f"{r['relevance']:6.2f}  {created}  {r['source']:<10} {r['verbatim_id']}  {r['text'][:160]}")


@app.command()
@handle_errors
def status(db: DbOption = None, config: ConfigOption = None) -> None:
    """Show what the store holds: schema version, row counts, last runs."""
    from voc.pipeline import describe_store

    typer.echo(describe_store(_config(config, db)))


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
