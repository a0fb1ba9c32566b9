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
from voc.progress import french_number

SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"


@dataclass
class TagRunResult:
    tagged: int
    with_irritant: int
    seconds: float
    model_version: str


@dataclass
class NightlyResult:
    ingest: IngestReport
    tagging: TagRunResult | None = None
    insights: InsightsResult | None = None
    topics: TopicsRunResult | None = None


def taxonomy_rows(tagger):
    """The taxonomy in use as an Arrow table for nlp.codes (labels for analysts' SQL)."""
    import pyarrow as pa

    t = tagger.taxonomy
    rows = [("stage", s.code, s.label, s.code, s.description, False) for s in t.stages]
    rows += [(c.kind, c.code, c.label, c.stage, c.description, c.retired) for c in t.codes]
    rows += [("emotion", e.code, e.label, None, e.description, False) for e in t.emotions]
    names = ["kind", "code", "label", "stage", "description", "retired"]
    return pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})


def results_to_arrow(results: list[dict], ids: list[str], model_version: str, run_id: str):
    """Tagger outputs -> the three Arrow tables that nlp.verbatim_tags, nlp.tags and nlp.emotions take."""
    import datetime as dt

    import pyarrow as pa

    now = dt.datetime.now(dt.timezone.utc)
    verbatims = pa.table({
        "verbatim_id": ids,
        "model_version": [model_version] * len(ids),
        "sentiment": [r["sentiment"] for r in results],
        "sentiment_label": [r["sentiment_label"] for r in results],
        "stages": [r["stages"] for r in results],
        "ironie": [r["ironie"] for r in results],
        "effort": [r["effort"] for r in results],
        "run_id": [run_id] * len(ids),
        "tagged_at": pa.array([now] * len(ids), pa.timestamp("us", tz="UTC")),
    })
    tag_cols: dict[str, list] = {k: [] for k in ("verbatim_id", "kind", "code", "stage", "score", "evidence",
                                                 "evidence_source", "exemplar")}
    emo_cols: dict[str, list] = {"verbatim_id": [], "emotion": [], "intensity": []}
    for vid, r in zip(ids, results):
        for kind, key in (("irritant", "irritants"), ("enchantement", "enchantements")):
            for t in r[key]:
                for col, value in (("verbatim_id", vid), ("kind", kind), ("code", t["code"]), ("stage", t["stage"]),
                                   ("score", t["score"]), ("evidence", t["evidence"]),
                                   ("evidence_source", t["source"]), ("exemplar", t.get("exemplar"))):
                    tag_cols[col].append(value)
        for emotion, intensity in r["emotions"].items():
            emo_cols["verbatim_id"].append(vid)
            emo_cols["emotion"].append(emotion)
            emo_cols["intensity"].append(float(intensity))
    tags = pa.table({**tag_cols, "model_version": [model_version] * len(tag_cols["code"])},
                    schema=pa.schema([("verbatim_id", pa.string()), ("kind", pa.string()), ("code", pa.string()),
                                      ("stage", pa.string()), ("score", pa.float64()), ("evidence", pa.string()),
                                      ("evidence_source", pa.string()), ("exemplar", pa.string()),
                                      ("model_version", pa.string())]))
    emotions = pa.table({**emo_cols, "model_version": [model_version] * len(emo_cols["emotion"])},
                        schema=pa.schema([("verbatim_id", pa.string()), ("emotion", pa.string()),
                                          ("intensity", pa.float64()), ("model_version", pa.string())]))
    return verbatims, tags, emotions


def tag_new_verbatims(config: Config, tagger=None, progress: ProgressCallback | None = None) -> TagRunResult:
    """Tag every French verbatim that the current model version has not tagged yet.

    Chunks are read, tagged and written in one write session; a rerun finds nothing new.
    """
    import time

    from voc.tagger import load_tagger

    tagger = tagger or load_tagger(config)
    started = time.monotonic()
    run_id = new_run_id()
    tagged = with_irritant = 0
    chunk = config.tagging.chunk_rows
    with store.write_session(config.db_path) as con:
        total = store.count_untagged(con, tagger.model_version)
        store.register_model(con, model_version=tagger.model_version, component="tagger",
                             release=tagger.release_name,
                             details={"release": tagger.release.get("fitted_on", {}),
                                      "thresholds": tagger.thresholds},
                             codes=taxonomy_rows(tagger))
        if progress:
            progress("tagging", 0, 0, total)  # starts the clock: the first chunk's rate is a real rate
        while tagged < total:
            batch = store.untagged_verbatims(con, tagger.model_version, chunk)
            if batch.num_rows == 0:
                break
            ids = batch.column("verbatim_id").to_pylist()
            texts = batch.column("text").to_pylist()
            done_before = tagged
            results = []
            step = max(1, min(2000, chunk))
            for offset in range(0, len(texts), step):
                results.extend(tagger.tag(texts[offset:offset + step]))
                if progress:
                    progress("tagging", done_before + len(results), done_before + len(results), total)
            store.write_tags(con, *results_to_arrow(results, ids, tagger.model_version, run_id))
            tagged += len(ids)
            with_irritant += sum(1 for r in results if r["irritants"])
    return TagRunResult(tagged, with_irritant, time.monotonic() - started, tagger.model_version)


@dataclass
class InsightsResult:
    weeks: int
    ranked_rows: int
    alerts: int
    search_index: bool
    seconds: float


def refresh_insights(config: Config) -> InsightsResult:
    """Recompute the weekly ranking and the spike alerts from the current tags; rebuild the search index.

    A full recompute: cheap next to tagging, and a rerun gives the same tables.
    """
    import datetime as dt
    import time

    from voc.alerts import alerts_table, spike_alerts
    from voc.ranking import weekly_ranking

    started = time.monotonic()
    now = dt.datetime.now(dt.timezone.utc)
    with store.write_session(config.db_path) as con:
        verbatims, tags, emotions, model = store.insight_inputs(con)
        ranking = weekly_ranking(verbatims, tags, emotions, config.ranking)
        ranking = ranking.append_column("model_version", pa_repeat(model or "", ranking.num_rows)) \
                         .append_column("computed_at", pa_repeat(now, ranking.num_rows))
        alerts = spike_alerts(ranking, config.alerts)
        alert_rows = alerts_table(alerts, verbatims, tags, model_version=model or "", computed_at=now)
        store.write_insights(con, ranking, alert_rows)
        indexed = store.build_search_index(con)
    weeks = len(set(ranking.column("iso_week").to_pylist())) if ranking.num_rows else 0
    return InsightsResult(weeks, ranking.num_rows, alert_rows.num_rows, indexed, time.monotonic() - started)


def pa_repeat(value, n: int):
    import pyarrow as pa

    if isinstance(value, str):
        return pa.array([value] * n, pa.string())
    return pa.array([value] * n, pa.timestamp("us", tz="UTC"))


def format_insights(result: InsightsResult) -> str:
    return (f"ranking: {french_number(result.ranked_rows)} rows over {result.weeks} weeks; "
            f"{result.alerts} spike alert(s); "
            f"search index {'rebuilt' if result.search_index else 'unavailable'} ({result.seconds:.1f} s)")


def ingest_inbox(config: Config, inbox: Path, progress: ProgressCallback | None = None,
                 command: str = "voc nightly") -> IngestReport:
    """Ingest the inbox's files that the store has not seen (by content hash)."""
    files = discover_inbox(inbox)
    with store.write_session(config.db_path) as con:
        return ingest_paths(con, files, config, run_id=new_run_id(), command=command,
                            skip_known=True, progress=progress)


def run_nightly(config: Config, inbox: Path, progress: ProgressCallback | None = None,
                tagger=None) -> NightlyResult:
    """Ingest what is new, then tag what is new; each step publishes its own snapshot."""
    report = ingest_inbox(config, inbox, progress)
    tagging = tag_new_verbatims(config, tagger, progress) if config.tagging.enabled else None
    topics = refresh_topics(config, progress=progress) if config.tagging.enabled and config.topics.enabled else None
    insights = refresh_insights(config) if config.tagging.enabled else None
    return NightlyResult(ingest=report, tagging=tagging, insights=insights, topics=topics)


def format_tagging(result: TagRunResult) -> str:
    rate = result.tagged / result.seconds if result.seconds else 0.0
    return (f"{french_number(result.tagged)} verbatims tagged "
            f"({french_number(result.with_irritant)} with an irritant) in "
            f"{result.seconds:.1f} s ({french_number(rate)}/s); model {result.model_version}")


def ensure_sample(sample_dir: Path = SAMPLE_DIR) -> Path:
    """The bundled sample, regenerated (deterministically) if it was removed."""
    if not any(sample_dir.glob("complaints*")):
        from voc.demo_data import write_sample

        write_sample(sample_dir)
    return sample_dir


def describe_store(config: Config) -> str:
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
    lines.append(f"{french_number(report.near_duplicates)} near-duplicates linked; "
                 f"{report.seconds:.1f} s ({french_number(rate)} rows/s)")
    return "\n".join(lines)


def run_demo(config: Config, progress: ProgressCallback | None = None) -> str:
    """Run the nightly batch on the bundled sample and say where to look."""
    sample = ensure_sample()
    result = run_nightly(config, sample, progress)
    topic_lines = [format_topics(result.topics)] if result.topics else []
    if result.topics and not result.topics.release:
        # First run on this database: fit a topic release on the sample, then look for new themes.
        fit = fit_topic_release(config, progress=progress)
        topic_lines.append(format_topic_fit(fit))
    if result.topics:
        proposals = propose_topics(config)
        topic_lines.append("candidate new irritants (voc topics propose / accept):")
        topic_lines.append(format_proposals(proposals[:3]))
    weekly = weekly_report(config) if result.insights and result.insights.ranked_rows else None
    return "\n".join([
        format_report(result.ingest),
        format_tagging(result.tagging) if result.tagging else "",
        *topic_lines,
        format_insights(result.insights) if result.insights else "",
        "",
        format_weekly(weekly) if weekly else "no weekly digest: nothing was tagged",
        "",
        describe_store(config),
        "",
        "Query it read-only, while other runs go on:",
        f"  .venv/bin/python -c \"import duckdb; c = duckdb.connect('{config.db_path}', read_only=True); "
        "print(c.sql('SELECT source, iso_week, count(*) FROM mart.verbatims GROUP BY ALL ORDER BY 2 DESC LIMIT 9'))\"",
    ])


@dataclass
class WeeklyReport:
    iso_week: str
    files: object  # voc.digest.DigestFiles
    digest: object  # voc.digest.Digest
    sent_to: tuple[str, ...] = ()


def weekly_report(config: Config, week: str | None = None, out_dir: Path | None = None,
                  send: bool = False) -> WeeklyReport:
    """Build the weekly digest from the published store (read-only) into out_dir/YYYY-Www/, and mail it."""
    import re

    from voc.digest import build_digest, default_week, write_digest

    if week is not None and not re.fullmatch(r"\d{4}-W\d{2}", week):
        raise ValueError(f"Week '{week}' is not an ISO week like 2026-W47.")
    con = store.connect_read_only(config.db_path)
    try:
        weeks = store.digest_weeks(con)
        iso_week = week or default_week(weeks)
        if iso_week not in {w for w, _ in weeks}:
            known = f"{weeks[0][0]} to {weeks[-1][0]}" if weeks else "none"
            raise ValueError(f"No ranked data for week {iso_week} (weeks in the store: {known}).")
        inputs = store.digest_inputs(con, iso_week)
    finally:
        con.close()
    digest = build_digest(inputs, iso_week)
    files = write_digest(digest, out_dir or config.reports_dir)
    sent_to: tuple[str, ...] = ()
    if send:
        from voc.mailer import build_message, send_message

        send_message(build_message(digest, files, config.smtp), config.smtp)
        sent_to = config.smtp.recipients
    return WeeklyReport(iso_week, files, digest, sent_to)


def format_weekly(report: WeeklyReport) -> str:
    d = report.digest
    top = ", ".join(c.label for c in d.irritants[:3])
    lines = [f"weekly digest {report.iso_week}: {len(d.irritants)} irritants ranked, {len(d.alerts)} emerging; top: {top}",
             f"  {report.files.html}", f"  {report.files.markdown}", f"  {report.files.text}",
             f"  {len(report.files.charts)} charts in {report.files.folder / 'charts'}"]
    if report.sent_to:
        lines.append(f"mailed to {', '.join(report.sent_to)}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- topics


@dataclass
class TopicsRunResult:
    embedded: int
    assigned: int
    release: str | None
    seconds: float
    embed_rate: float
    assign_rate: float
    note: str = ""


BOILERPLATE_SAMPLE = 100_000  # latest verbatims searched for stock sentences before embedding


def _embed_missing(con, config: Config, embedder, progress: ProgressCallback | None = None) -> tuple[int, float]:
    """Embed, once, every French verbatim that has no vector from this model yet (its focus text,
    without the stock sentences of the corpus as it stands)."""
    import time

    from voc.embeddings import boilerplate_keys, focus_text

    total = store.count_missing_embeddings(con, embedder.model_id)
    done, seconds = 0, 0.0
    if total:
        corpus = store.french_texts(con, BOILERPLATE_SAMPLE)
        boilerplate = boilerplate_keys(corpus.column("text").to_pylist(), corpus.column("brand").to_pylist())
    if progress and total:
        progress("embedding", 0, 0, total)  # starts the clock: the first chunk's rate is a real rate
    while done < total:
        batch = store.missing_embeddings(con, embedder.model_id, config.topics.embed_chunk)
        if batch.num_rows == 0:
            break
        started = time.monotonic()
        texts = [focus_text(t, b, boilerplate)
                 for t, b in zip(batch.column("text").to_pylist(), batch.column("brand").to_pylist())]
        vectors = embedder.encode(texts)
        seconds += time.monotonic() - started
        store.write_embeddings(con, batch.column("verbatim_id").to_pylist(), embedder.model_id, vectors)
        done += batch.num_rows
        if progress:
            progress("embedding", done, done, total)
    return done, seconds


def _assign_rows(release, rows, min_similarity: float):
    """`voc.topics.assign` on store rows (vector, tag_codes, tag_scores: `store.unassigned_embeddings`)."""
    from voc.topics import assign

    return assign(release, store.arrow_to_vectors(rows.column("vector")), min_similarity,
                  rows.column("tag_codes").to_pylist(), rows.column("tag_scores").to_pylist())


def refresh_topics(config: Config, embedder=None, progress: ProgressCallback | None = None) -> TopicsRunResult:
    """Nightly: embed the new French verbatims, then assign them to the current topic release (if any)."""
    import datetime as dt
    import time

    from voc.embeddings import load_embedder
    from voc.topics import assignment_rows, load_release

    started = time.monotonic()
    embedder = embedder or load_embedder(config.topics.embedding_backend, config.topics.embedding_model)
    assigned, assign_seconds, release_name = 0, 0.0, None
    with store.write_session(config.db_path) as con:
        embedded, embed_seconds = _embed_missing(con, config, embedder, progress)
        current = store.current_topic_release(con)
        if current and current[1] == embedder.model_id and \
                (config.models_dir / "topics" / current[0] / "release.json").is_file():
            release_name = current[0]
            release = load_release(config.models_dir, release_name)
            pending = store.unassigned_embeddings(con, release_name, embedder.model_id)
            t0 = time.monotonic()
            topics, similarity = _assign_rows(release, pending, config.topics.assign_min_similarity)
            assign_seconds = time.monotonic() - t0
            if pending.num_rows:
                store.write_topic_assignments(con, assignment_rows(
                    pending.column("verbatim_id").to_pylist(), release_name, topics, similarity,
                    dt.datetime.now(dt.timezone.utc)))
            assigned = pending.num_rows
        note = ""
        if current and release_name is None:
            note = (f"current topic release {current[0]} is not usable here (files missing under "
                    f"{config.models_dir / 'topics'} or another embedding model); run 'voc topics fit'")
    return TopicsRunResult(embedded, assigned, release_name, time.monotonic() - started,
                           embedded / embed_seconds if embed_seconds else 0.0,
                           assigned / assign_seconds if assign_seconds else 0.0, note)


def format_topics(result: TopicsRunResult) -> str:
    release = f"assigned {french_number(result.assigned)} to topic release {result.release}" if result.release \
        else (result.note or "no topic release yet ('voc topics fit')")
    return (f"topics: {french_number(result.embedded)} verbatims embedded "
            f"({french_number(result.embed_rate)}/s); {release} "
            f"({result.seconds:.1f} s)")


@dataclass
class TopicFitResult:
    release: object  # voc.topics.TopicRelease
    folder: Path
    lineage: list
    seconds: float


def fit_topic_release(config: Config, since: str | None = None, name: str | None = None, embedder=None,
                      progress: ProgressCallback | None = None) -> TopicFitResult:
    """Fit a topic release on the verbatims since `since`, align it with the current one, make it current."""
    import datetime as dt
    import time

    from voc.embeddings import load_embedder
    from voc.french import load_french
    from voc.topics import assignment_rows, fit_topics, load_release, mark_current, release_rows, save_release

    started = time.monotonic()
    embedder = embedder or load_embedder(config.topics.embedding_backend, config.topics.embedding_model)
    french = load_french()
    now = dt.datetime.now(dt.timezone.utc)
    name = name or now.strftime("%Y.%m.%d-%H%M%S")
    with store.write_session(config.db_path) as con:
        _embed_missing(con, config, embedder, progress)
        corpus = store.topic_corpus(con, embedder.model_id, since=since)
        if corpus.num_rows < 50:
            raise ValueError(f"Only {corpus.num_rows} embedded French verbatims since {since or 'the start'}; "
                             "a topic model needs at least 50.")
        current = store.current_topic_release(con)
        previous = None
        if current:
            try:
                previous = load_release(config.models_dir, current[0])
            except FileNotFoundError:
                previous = None
        fit = fit_topics(corpus.column("text").to_pylist(), corpus.column("verbatim_id").to_pylist(),
                         store.arrow_to_vectors(corpus.column("vector")), model_id=embedder.model_id, name=name,
                         settings=config.topics, french=french, since=since, previous=previous,
                         tag_codes=corpus.column("tag_codes").to_pylist(),
                         tag_scores=corpus.column("tag_scores").to_pylist())
        folder = save_release(fit.release, config.models_dir, fit.bertopic_model)
        rows = release_rows(fit, now)
        release = fit.release
        store.register_topic_release(con, {
            "release": release.name, "model_id": release.model_id, "fitted_at": now, "corpus_size": release.corpus_size,
            "since": since, "previous_release": release.previous_release, "params": release.params,
            "metrics": release.metrics}, rows["topics"], rows["hierarchy"], rows["lineage"], rows["assignments"])
        rest = store.unassigned_embeddings(con, release.name, embedder.model_id)
        if rest.num_rows:
            topics, similarity = _assign_rows(release, rest, config.topics.assign_min_similarity)
            store.write_topic_assignments(con, assignment_rows(rest.column("verbatim_id").to_pylist(), release.name,
                                                               topics, similarity, now))
    mark_current(config.models_dir, release.name)
    return TopicFitResult(release, folder, fit.lineage, time.monotonic() - started)


def load_topic_assigner(config: Config):
    """What `voc tag` needs to give each text a topic: the current release under models/topics/ and its
    embedder (None when there is no release, topics are off, or the release needs another embedding model)."""
    from voc.embeddings import load_embedder
    from voc.topics import TopicAssigner, current_release_name, load_release

    name = current_release_name(config.models_dir) if config.topics.enabled else None
    if name is None:
        return None
    release = load_release(config.models_dir, name)
    embedder = load_embedder(config.topics.embedding_backend, config.topics.embedding_model)
    if embedder.model_id != release.model_id:
        return None
    return TopicAssigner(release, embedder, config.topics.assign_min_similarity)


def format_topic_fit(result: TopicFitResult) -> str:
    r = result.release
    m = r.metrics
    relations: dict[str, int] = {}
    for row in result.lineage:
        relations[row["relation"]] = relations.get(row["relation"], 0) + 1
    lines = [f"topic release {r.name}: {m['topics']} topics on {french_number(r.corpus_size)} verbatims "
             f"in {result.seconds:.0f} s; "
             f"outliers {french_number(100 * m['outlier_rate_before_reduction'], 1)} % -> "
             f"{french_number(100 * m['outlier_rate'], 1)} % after reduction; mean NPMI {m['npmi_coherence_mean']}",
             f"saved to {result.folder}"]
    guide = r.params.get("guide")
    if guide:
        lines.insert(1, f"guided by {guide['codes']} tagger codes: {french_number(guide['tagged'])} verbatims tagged, "
                        f"{french_number(guide['borrowed'])} more borrowed their neighbours' codes")
    if relations:
        lines.append(f"aligned with {r.previous_release}: " + ", ".join(f"{k} {v}" for k, v in sorted(relations.items())))
    for t in sorted(r.topics, key=lambda t: -t.size)[:12]:
        lines.append(f"  {t.topic_id:>4}  {french_number(t.size):>6}  {t.label}")
    return "\n".join(lines)


def propose_topics(config: Config, weeks: int | None = None, embedder=None) -> list:
    """The weekly step: candidate new irritants among recent verbatims the taxonomy did not explain."""
    import datetime as dt

    from voc.embeddings import load_embedder
    from voc.french import load_french
    from voc.topics import proposal_rows, propose_themes

    embedder = embedder or load_embedder(config.topics.embedding_backend, config.topics.embedding_model)
    weeks = weeks or config.topics.proposal_weeks
    with store.write_session(config.db_path) as con:
        _embed_missing(con, config, embedder)
        last = con.execute("SELECT max(created_at AT TIME ZONE 'Europe/Paris')::DATE FROM raw.verbatims").fetchone()[0]
        if last is None:
            return []
        since = last - dt.timedelta(weeks=weeks)
        corpus = store.topic_corpus(con, embedder.model_id, since=since.isoformat())
        iso = last.isocalendar()
        proposals = propose_themes(corpus, settings=config.topics, french=load_french(),
                                   iso_week=f"{iso[0]}-W{iso[1]:02d}", model_id=embedder.model_id)
        store.write_proposals(con, proposal_rows(proposals, dt.datetime.now(dt.timezone.utc)))
    return proposals


def format_proposals(proposals: list) -> str:
    if not proposals:
        return "No candidate irritant: the taxonomy explains the recent verbatims."
    lines = []
    for p in proposals:
        lines.append(f"{p['proposal_id'] if isinstance(p, dict) else p.proposal_id}  "
                     + _proposal_line(p if isinstance(p, dict) else p.__dict__))
    return "\n".join(lines)


def _proposal_line(p: dict) -> str:
    texts = "\n".join(f"      « {t[:140]} »" for t in p["representative_texts"][:5])
    return (f"{p['size']} verbatims, weekly {p['weekly_counts']}, growth x{p['growth']:.1f}, "
            f"{100 * p['negative_share']:.0f} % negative\n    keywords: {', '.join(p['keywords'][:8])}\n{texts}")


def accept_proposal(config: Config, proposal_id: str, code: str, stage: str, label: str | None = None) -> Path:
    """Write the proposal into the taxonomy file as a new irritant; the next run tags with it."""
    from voc.taxonomy import DEFAULT_TAXONOMY, TaxonomyError, load_taxonomy
    from voc.topics import taxonomy_entry

    con = store.connect_read_only(config.db_path)
    try:
        found = store.read_proposals(con, proposal_id)
    finally:
        con.close()
    if not found:
        raise ValueError(f"No topic proposal '{proposal_id}'; 'voc topics propose' lists them.")
    proposal = found[0]
    if proposal["status"] == "accepted":
        raise ValueError(f"Proposal {proposal_id} was already accepted as '{proposal['accepted_code']}'.")
    path = Path(config.tagging.taxonomy or DEFAULT_TAXONOMY)
    taxonomy = load_taxonomy(path)
    if code in {c.code for c in taxonomy.codes} | {s.code for s in taxonomy.stages}:
        raise ValueError(f"Code '{code}' already exists in {path}; choose another --code.")
    if stage not in {s.code for s in taxonomy.stages}:
        raise ValueError(f"Unknown stage '{stage}'; stages are {', '.join(s.code for s in taxonomy.stages)}.")
    original = path.read_text(encoding="utf-8")
    entry = taxonomy_entry(proposal, code=code, stage=stage, label=label)
    marker = "\nenchantements:"
    if marker not in original:
        raise ValueError(f"{path} has no 'enchantements:' section after its irritants; add the entry by hand:\n{entry}")
    head, tail = original.split(marker, 1)
    updated = head.rstrip("\n") + "\n\n  # ---- accepted from topic proposal " + proposal_id + "\n" + entry + marker + tail
    path.write_text(updated, encoding="utf-8")
    try:
        load_taxonomy(path)
    except TaxonomyError:
        path.write_text(original, encoding="utf-8")
        raise
    with store.write_session(config.db_path) as con:
        store.mark_proposal_accepted(con, proposal_id, code)
    return path
