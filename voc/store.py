"""The only module that talks to DuckDB: schema, migrations, bulk writes and snapshots.

Concurrency model (DuckDB allows one read-write process or many read-only ones):
analysts and BI tools open the published file read-only. A write session never
touches that file: it copies it, writes the copy, checkpoints it and atomically renames
it over the published one. Readers that hold the old file keep a consistent snapshot
(the old inode) until they reconnect; a crash or `kill -9` mid-run leaves the published
file untouched and the next run starts again from it. Writers are serialised by a lock
file beside the database.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

# DuckDB cannot comment on schemas; these descriptions live in the view mart.schemas.
SCHEMAS = {
    "meta": "Bookkeeping of the store itself: schema version and migrations.",
    "raw": "Verbatims as received, after PII redaction, never updated in place; plus quarantine and ingestion logs.",
    "nlp": "Annotations computed from raw verbatims, keyed by verbatim and model version.",
    "mart": "Views for analysts: one place to query verbatims, tags, rankings and alerts.",
}

# Each migration is (version, name, SQL). Never edit a released migration: add a new one.
MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "base schema", """
        CREATE SCHEMA IF NOT EXISTS raw;
        CREATE SCHEMA IF NOT EXISTS nlp;
        CREATE SCHEMA IF NOT EXISTS mart;
        CREATE TABLE raw.verbatims (
            verbatim_id VARCHAR NOT NULL,  -- unique by construction (ingestion anti-joins); no index to maintain
            source VARCHAR NOT NULL,
            source_id VARCHAR,
            created_at TIMESTAMPTZ NOT NULL,
            text VARCHAR NOT NULL,
            lang VARCHAR,
            lang_confidence DOUBLE,
            is_french BOOLEAN NOT NULL,
            brand VARCHAR,
            sector VARCHAR,
            channel VARCHAR,
            category VARCHAR,
            status VARCHAR,
            score TINYINT,
            touchpoint VARCHAR,
            platform VARCHAR,
            author_key VARCHAR,
            likes INTEGER,
            replies INTEGER,
            extra JSON,
            pii_count INTEGER NOT NULL,
            file_name VARCHAR NOT NULL,
            line_no INTEGER NOT NULL,
            run_id VARCHAR NOT NULL,
            ingested_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE raw.quarantine (
            source VARCHAR NOT NULL,
            file_name VARCHAR NOT NULL,
            file_sha256 VARCHAR NOT NULL,
            line_no INTEGER NOT NULL,
            reason VARCHAR NOT NULL,
            original_content VARCHAR,
            run_id VARCHAR NOT NULL,
            quarantined_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (source, file_sha256, line_no)
        );
        CREATE TABLE raw.ingest_files (
            source VARCHAR NOT NULL,
            file_sha256 VARCHAR NOT NULL,
            file_name VARCHAR NOT NULL,
            file_bytes BIGINT NOT NULL,
            rows_read INTEGER NOT NULL,
            rows_stored INTEGER NOT NULL,
            rows_duplicate INTEGER NOT NULL,
            rows_quarantined INTEGER NOT NULL,
            run_id VARCHAR NOT NULL,
            ingested_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (source, file_sha256)
        );
        CREATE TABLE raw.ingest_runs (
            run_id VARCHAR PRIMARY KEY,
            command VARCHAR NOT NULL,
            started_at TIMESTAMPTZ NOT NULL,
            finished_at TIMESTAMPTZ NOT NULL,
            files INTEGER NOT NULL,
            files_failed INTEGER NOT NULL,
            rows_read INTEGER NOT NULL,
            rows_stored INTEGER NOT NULL,
            rows_duplicate INTEGER NOT NULL,
            rows_quarantined INTEGER NOT NULL,
            errors VARCHAR[]
        );
        CREATE TABLE raw.near_dup_index (
            verbatim_id VARCHAR NOT NULL,
            order_key BIGINT NOT NULL,
            run_id VARCHAR NOT NULL,
            buckets UBIGINT[] NOT NULL,
            signature UINTEGER[] NOT NULL
        );
        CREATE TABLE raw.near_duplicates (
            verbatim_id VARCHAR NOT NULL,
            original_id VARCHAR NOT NULL,
            similarity DOUBLE NOT NULL,
            run_id VARCHAR NOT NULL
        );
    """),
    (2, "kinds of PII redacted per verbatim", """
        ALTER TABLE raw.verbatims ADD COLUMN pii_kinds VARCHAR[];
    """),
    (3, "tagging results", """
        CREATE TABLE nlp.models (
            model_version VARCHAR PRIMARY KEY,
            component VARCHAR NOT NULL,
            release VARCHAR NOT NULL,
            details JSON,
            first_used_at TIMESTAMPTZ NOT NULL,
            last_used_at TIMESTAMPTZ NOT NULL,
            is_current BOOLEAN NOT NULL
        );
        CREATE TABLE nlp.codes (
            code VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            label VARCHAR NOT NULL,
            stage VARCHAR,
            description VARCHAR,
            retired BOOLEAN NOT NULL
        );
        CREATE TABLE nlp.verbatim_tags (
            verbatim_id VARCHAR NOT NULL,
            model_version VARCHAR NOT NULL,
            sentiment DOUBLE NOT NULL,
            sentiment_label VARCHAR NOT NULL,
            stages VARCHAR[] NOT NULL,
            ironie DOUBLE NOT NULL,
            effort DOUBLE NOT NULL,
            run_id VARCHAR NOT NULL,
            tagged_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE nlp.tags (
            verbatim_id VARCHAR NOT NULL,
            model_version VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            code VARCHAR NOT NULL,
            stage VARCHAR NOT NULL,
            score DOUBLE NOT NULL,
            evidence VARCHAR NOT NULL,
            evidence_source VARCHAR NOT NULL,
            exemplar VARCHAR
        );
        CREATE TABLE nlp.emotions (
            verbatim_id VARCHAR NOT NULL,
            model_version VARCHAR NOT NULL,
            emotion VARCHAR NOT NULL,
            intensity DOUBLE NOT NULL
        );
    """),
    (4, "weekly ranking and alerts", """
        CREATE TABLE nlp.code_weekly (
            iso_week VARCHAR NOT NULL,
            week_start DATE NOT NULL,
            segment_type VARCHAR NOT NULL,
            segment_value VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            code VARCHAR NOT NULL,
            stage VARCHAR,
            rank INTEGER NOT NULL,
            rank_prev INTEGER,
            rank_change INTEGER,
            priority DOUBLE NOT NULL,
            volume INTEGER NOT NULL,
            verbatims INTEGER NOT NULL,
            share DOUBLE NOT NULL,
            severity DOUBLE NOT NULL,
            anger_distrust_share DOUBLE NOT NULL,
            effort DOUBLE NOT NULL,
            respondents INTEGER NOT NULL,
            respondents_mentioning INTEGER NOT NULL,
            nps DOUBLE,
            nps_without DOUBLE,
            nps_impact DOUBLE,
            nps_impact_low DOUBLE,
            nps_impact_high DOUBLE,
            volume_prev_avg DOUBLE,
            trend_ratio DOUBLE,
            growth DOUBLE NOT NULL,
            model_version VARCHAR NOT NULL,
            computed_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE nlp.alerts (
            alert_id VARCHAR PRIMARY KEY,
            alert_type VARCHAR NOT NULL,
            iso_week VARCHAR NOT NULL,
            week_start DATE NOT NULL,
            segment_type VARCHAR NOT NULL,
            segment_value VARCHAR NOT NULL,
            code VARCHAR NOT NULL,
            observed INTEGER NOT NULL,
            expected DOUBLE NOT NULL,
            ratio DOUBLE NOT NULL,
            verbatims INTEGER NOT NULL,
            baseline_volume DOUBLE NOT NULL,
            baseline_verbatims DOUBLE NOT NULL,
            p_value DOUBLE NOT NULL,
            q_value DOUBLE NOT NULL,
            sample_verbatim_ids VARCHAR[] NOT NULL,
            model_version VARCHAR NOT NULL,
            first_detected_at TIMESTAMPTZ NOT NULL,
            computed_at TIMESTAMPTZ NOT NULL
        );
    """),
    (5, "embeddings and topics", """
        CREATE TABLE nlp.embeddings (
            verbatim_id VARCHAR NOT NULL,
            model_id VARCHAR NOT NULL,
            vector FLOAT[] NOT NULL,
            computed_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE nlp.topic_releases (
            release VARCHAR PRIMARY KEY,
            model_id VARCHAR NOT NULL,
            fitted_at TIMESTAMPTZ NOT NULL,
            corpus_size INTEGER NOT NULL,
            since DATE,
            previous_release VARCHAR,
            params JSON NOT NULL,
            metrics JSON NOT NULL,
            is_current BOOLEAN NOT NULL
        );
        CREATE TABLE nlp.topics (
            release VARCHAR NOT NULL,
            topic_id INTEGER NOT NULL,
            label VARCHAR NOT NULL,
            keywords VARCHAR[] NOT NULL,
            size INTEGER NOT NULL,
            coherence_npmi DOUBLE,
            representative_ids VARCHAR[] NOT NULL
        );
        CREATE TABLE nlp.topic_hierarchy (
            release VARCHAR NOT NULL,
            parent_id INTEGER NOT NULL,
            parent_label VARCHAR NOT NULL,
            child_left_id INTEGER NOT NULL,
            child_right_id INTEGER NOT NULL,
            topic_ids INTEGER[] NOT NULL,
            distance DOUBLE NOT NULL
        );
        CREATE TABLE nlp.verbatim_topics (
            verbatim_id VARCHAR NOT NULL,
            release VARCHAR NOT NULL,
            topic_id INTEGER NOT NULL,
            similarity DOUBLE NOT NULL,
            assigned_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE nlp.topic_lineage (
            release VARCHAR NOT NULL,
            topic_id INTEGER,
            previous_release VARCHAR NOT NULL,
            previous_topic_id INTEGER,
            relation VARCHAR NOT NULL,
            similarity DOUBLE
        );
        CREATE TABLE nlp.topic_proposals (
            proposal_id VARCHAR PRIMARY KEY,
            iso_week VARCHAR NOT NULL,
            keywords VARCHAR[] NOT NULL,
            label VARCHAR NOT NULL,
            size INTEGER NOT NULL,
            weekly_counts INTEGER[] NOT NULL,
            growth DOUBLE NOT NULL,
            negative_share DOUBLE NOT NULL,
            representative_ids VARCHAR[] NOT NULL,
            representative_texts VARCHAR[] NOT NULL,
            status VARCHAR NOT NULL,
            accepted_code VARCHAR,
            created_at TIMESTAMPTZ NOT NULL
        );
    """),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]

TABLE_COMMENTS: dict[str, str] = {
    "meta.schema_migrations": "Migrations applied to this database; the highest version is the schema version.",
    "raw.verbatims": "One row per distinct verbatim from any source (complaints, nps, social), text PII-redacted and normalised; append-only.",
    "raw.quarantine": "Rows that could not be stored, with the file, line, reason and original content (PII-redacted); nothing is lost silently.",
    "raw.ingest_files": "One row per ingested file (by content hash): rows read, stored, duplicated and quarantined; read = stored + duplicate + quarantined.",
    "raw.ingest_runs": "One row per ingestion run (voc ingest, nightly): totals and the files that could not be read.",
    "raw.near_dup_index": "MinHash LSH buckets and signature of each verbatim's word set, to find and confirm near-duplicates; internal.",
    "raw.near_duplicates": "Near-duplicate verbatims (retweets, copy-paste campaigns, one complaint sent twice) linked to their earliest original.",
    "nlp.models": "Every model version that wrote annotations (tagger release + taxonomy + lexicons + spaCy model); is_current marks the one the marts show.",
    "nlp.codes": "The taxonomy the current tagger uses: stages, irritants, enchantements and emotions with their French labels.",
    "nlp.verbatim_tags": "One row per French verbatim and tagger version: sentiment, stages, irony and effort (tags and emotions in nlp.tags and nlp.emotions).",
    "nlp.tags": "Irritants and enchantements found in a verbatim, with calibrated score and evidence (span of text, and the example behind a similarity match).",
    "nlp.emotions": "Emotions judged present in a verbatim, with their intensity (0 to 1].",
    "nlp.code_weekly": "Weekly ranking of irritants and enchantements per segment (volume, severity, effort, NPS impact, trend, priority); recomputed by each nightly run.",
    "nlp.embeddings": "Sentence embedding of each French verbatim, computed once per embedding model (L2-normalised).",
    "nlp.topic_releases": "Topic model releases (BERTopic fits saved under models/topics/): parameters, corpus, metrics; is_current marks the one nightly runs assign with.",
    "nlp.topics": "Topics of each release, with stable ids (aligned with the previous release), keywords, size and coherence.",
    "nlp.topic_hierarchy": "Hierarchy of each release's topics (BERTopic hierarchical_topics): which topics merge at which distance.",
    "nlp.verbatim_topics": "Topic of each verbatim under each release (-1: no topic close enough).",
    "nlp.topic_lineage": "How each release's topics relate to the previous release's: same, merged, split, new or retired.",
    "nlp.topic_proposals": "Candidate new irritants: clusters of recent verbatims that the taxonomy did not explain, with keywords, size, growth and examples.",
    "nlp.alerts": "Emerging-issue alerts: irritants whose weekly count in a segment is significantly above its trailing baseline (exact test of two Poisson rates, Benjamini-Hochberg).",
}
COLUMN_COMMENTS: dict[str, dict[str, str]] = {
    "raw.verbatims": {
        "verbatim_id": "Stable id: hash of source + source id, or of the content when the source has no id.",
        "source": "complaints, nps or social.",
        "source_id": "The id in the source tool (ticket number, response id, post id); null when none was given.",
        "created_at": "When the customer wrote it (UTC instant; Europe/Paris assumed when the file gave no zone).",
        "text": "The verbatim, Unicode NFC, HTML removed, whitespace tidied, PII replaced by [EMAIL], [TEL], [IBAN], [CARTE], [NIR], [NUMERO_CLIENT], [PSEUDO].",
        "lang": "Detected language (ISO 639-1); 'und' for texts too short to judge, which are treated as French.",
        "lang_confidence": "Confidence of the language guess, 0 to 1.",
        "is_french": "False for texts in another language: kept, but skipped by tagging and topics.",
        "brand": "Brand or company named in the source file, if any.",
        "sector": "Business sector named in the source file, if any.",
        "channel": "Complaints: channel of contact (email, phone, web form...).",
        "category": "Complaints: product or category from the CRM.",
        "status": "Complaints: ticket status in the CRM.",
        "score": "NPS: likelihood-to-recommend score, integer 0 to 10.",
        "touchpoint": "NPS: journey touchpoint the survey was sent after.",
        "platform": "Social: platform of the post (x, facebook, trustpilot...).",
        "author_key": "Social: pseudonymous key of the author (hash of the handle; brand handles kept as is).",
        "likes": "Social: likes or reactions.",
        "replies": "Social: replies or comments.",
        "extra": "Other columns of the source file, as JSON, PII-redacted.",
        "pii_count": "How many PII values were redacted from the text.",
        "pii_kinds": "Which kinds of PII were redacted (email, tel, iban, carte, nir, numero_client, pseudo).",
        "file_name": "File the verbatim was read from.",
        "line_no": "Line (CSV, JSONL), row (XLSX) or record number (Parquet) in that file.",
        "run_id": "Ingestion run that stored it.",
        "ingested_at": "When it was stored.",
    },
    "raw.quarantine": {
        "source": "Source the file was ingested as.",
        "file_name": "File the row came from.",
        "file_sha256": "Content hash of that file.",
        "line_no": "Line, row or record number in the file.",
        "reason": "Why the row was not stored, in one sentence.",
        "original_content": "The row as found in the file (PII-redacted; broken bytes shown as \\xNN), for fixing and re-sending.",
        "run_id": "Ingestion run that wrote the row.",
        "quarantined_at": "When it was quarantined.",
    },
    "raw.ingest_files": {
        "file_sha256": "SHA-256 of the file's content: the same content is never ingested twice by the nightly run.",
        "file_bytes": "Size of the file.",
        "rows_read": "Rows read from the file (blank lines excluded).",
        "rows_stored": "Rows stored as new verbatims.",
        "rows_duplicate": "Rows already stored (same source and id, or same content) and not stored again.",
        "rows_quarantined": "Rows sent to raw.quarantine.",
    },
    "raw.ingest_runs": {
        "command": "What started the run (voc ingest, voc nightly, prefect nightly...).",
        "started_at": "When the run started.",
        "finished_at": "When the run finished.",
        "files": "Files ingested by the run.",
        "files_failed": "Files that could not be read at all.",
        "errors": "One sentence per unreadable file.",
    },
    "raw.near_dup_index": {
        "order_key": "Creation time in seconds, then a hash of the id: orders verbatims to find the earliest original.",
        "buckets": "One hash per MinHash band; texts that share a bucket are near-duplicate candidates.",
        "signature": "MinHash values; the share of equal values between two texts estimates their word-set Jaccard similarity.",
    },
    "meta.schema_migrations": {
        "version": "Schema version reached by the migration.",
        "name": "What the migration changed.",
        "applied_at": "When it was applied to this database.",
    },
    "nlp.models": {
        "model_version": "Full version string: tagger code, release, taxonomy and lexicon digests, spaCy model.",
        "component": "Which part wrote with this version (tagger, topics).",
        "release": "Frozen release under models/ (its calibration and thresholds).",
        "details": "Release metadata as JSON (what it was fitted on, its development metrics).",
        "first_used_at": "First run that used this version.",
        "last_used_at": "Latest run that used this version.",
        "is_current": "True for the version the marts show.",
    },
    "nlp.codes": {
        "code": "Code of the stage, irritant, enchantement or emotion.",
        "kind": "stage, irritant, enchantement or emotion.",
        "label": "French label, as shown in reports.",
        "description": "What the code covers.",
        "retired": "True when the code is kept for history but no longer tagged.",
    },
    "nlp.verbatim_tags": {
        "sentiment": "Polarity from -1 (very negative) to +1 (very positive).",
        "sentiment_label": "negatif, neutre or positif.",
        "stages": "Journey stages the verbatim is about, most relevant first.",
        "ironie": "Score 0 to 1 that the verbatim is ironic or sarcastic.",
        "effort": "Score 0 to 1 of the effort the customer had to make (calls, reminders, waiting, re-explaining).",
        "run_id": "Tagging run that wrote the row.",
        "tagged_at": "When it was tagged.",
    },
    "nlp.tags": {
        "kind": "irritant or enchantement.",
        "code": "Taxonomy code (see nlp.codes for its label).",
        "stage": "Journey stage of the code.",
        "score": "Calibrated probability that the verbatim carries this code (0 to 1).",
        "evidence": "The words of the verbatim behind the tag (PII-redacted).",
        "evidence_source": "rule (a cue pattern matched), example (similar to a taxonomy example), rule+example, "
                           "or classifier (the sentence that the release's sentence classifier credits with the code).",
        "exemplar": "For example-based tags: the taxonomy example the evidence resembles.",
    },
    "nlp.emotions": {
        "emotion": "Emotion code (colere, frustration, deception, inquietude, tristesse, degout, mefiance, surprise, joie, gratitude).",
        "intensity": "Intensity of the emotion, 0 to 1.",
    },
    "nlp.code_weekly": {
        "iso_week": "ISO week in Paris time, e.g. 2026-W47.",
        "week_start": "Monday of the ISO week.",
        "segment_type": "all, source, channel, sector, brand or stage.",
        "segment_value": "The segment ('all' for everything): a source, channel, sector, brand or stage code.",
        "kind": "irritant or enchantement.",
        "code": "Taxonomy code (label in mart.codes).",
        "rank": "Rank by priority within the week, segment and kind (1 = first).",
        "rank_prev": "Rank the previous week (null if not mentioned then).",
        "rank_change": "rank_prev - rank: positive when the code climbed.",
        "priority": "Priority score 0-100: 100 x (0.40 share/max share + 0.25 NPS loss/max loss + 0.15 severity + 0.10 effort + 0.10 growth); enchantements 100 x (0.60 share/max share + 0.40 NPS gain/max gain).",
        "volume": "Verbatims of the week and segment that mention the code.",
        "verbatims": "Tagged French verbatims of the week and segment (denominator of share).",
        "share": "volume / verbatims.",
        "severity": "Mean over the mentioning verbatims of their strongest negative emotion's intensity (0 to 1).",
        "anger_distrust_share": "Share of the mentioning verbatims that express anger (colere) or distrust (mefiance).",
        "effort": "Mean effort score of the mentioning verbatims (0 to 1).",
        "respondents": "NPS answers of the week and segment.",
        "respondents_mentioning": "NPS answers whose verbatim mentions the code.",
        "nps_without": "NPS of the respondents whose verbatim does not mention the code.",
        "nps_impact": "NPS of all respondents minus NPS without the code, in points: negative when the code drags NPS down.",
        "nps_impact_low": "Lower bound of the 90 % bootstrap interval of nps_impact (null under 20 respondents).",
        "nps_impact_high": "Upper bound of the 90 % bootstrap interval of nps_impact.",
        "volume_prev_avg": "Mean weekly volume over the previous 4 weeks.",
        "trend_ratio": "volume / volume_prev_avg (null when the code was absent before).",
        "growth": "Growth component of the priority: (trend_ratio - 1) / 2 clipped to [0, 1]; 1 for a code new this week with 3+ mentions.",
        "computed_at": "When the nightly run computed the row.",
    },
    "nlp.embeddings": {
        "model_id": "Embedding model and version that computed the vector.",
        "vector": "The embedding, L2-normalised.",
        "computed_at": "When it was computed.",
    },
    "nlp.topic_releases": {
        "release": "Name of the release (folder under models/topics/).",
        "fitted_at": "When the release was fitted.",
        "corpus_size": "Verbatims it was fitted on.",
        "since": "First day of the fitting window (null: all the data).",
        "previous_release": "Release it was aligned with (topic ids carried over).",
        "params": "UMAP, HDBSCAN, vectorizer and outlier-reduction parameters, and the tagger guide (codes, weight, verbatims tagged and borrowed), as JSON.",
        "metrics": "Quality: topics, outlier rate before and after reduction, mean NPMI coherence, as JSON.",
    },
    "nlp.topics": {
        "release": "Topic release (folder under models/topics/).",
        "label": "Short label of the topic: its top keywords.",
        "topic_id": "Stable topic id within the lineage of releases; -1 is the outlier topic.",
        "keywords": "Top words of the topic (c-TF-IDF over spaCy lemmas, French stop words removed).",
        "size": "Verbatims of the fitting corpus in the topic, after outlier reduction.",
        "coherence_npmi": "NPMI coherence of the top 10 keywords over the corpus (-1 to 1; higher is more coherent).",
        "representative_ids": "The verbatims closest to the topic's centroid.",
    },
    "nlp.topic_hierarchy": {
        "parent_id": "Id of the merged node in the hierarchy (internal nodes are numbered from 100000).",
        "parent_label": "Keywords of the merged node.",
        "child_left_id": "One of the two nodes merged.",
        "child_right_id": "The other node merged.",
        "topic_ids": "Leaf topics under the node.",
        "distance": "Distance at which the two nodes merge.",
    },
    "nlp.verbatim_topics": {
        "similarity": "Cosine similarity of the verbatim's embedding to the topic centroid.",
        "assigned_at": "When the verbatim was assigned.",
    },
    "nlp.topic_lineage": {
        "previous_release": "The release this one was aligned with.",
        "previous_topic_id": "The topic of the previous release (null for a new topic).",
        "relation": "same (kept its id), merged (several old topics into one), split (one old topic into several), new, retired.",
        "similarity": "Combined centroid and keyword similarity of the two topics (0 to 1).",
    },
    "nlp.topic_proposals": {
        "proposal_id": "Id to give to 'voc topics accept'.",
        "keywords": "Top words of the cluster.",
        "size": "Verbatims in the cluster.",
        "weekly_counts": "Verbatims of the cluster in each of the last weeks, oldest first.",
        "growth": "Verbatims of the last 2 weeks / (those of the 2 weeks before + 1).",
        "negative_share": "Share of the cluster's verbatims with a negative sentiment.",
        "representative_ids": "The 5 verbatims closest to the cluster's centroid.",
        "representative_texts": "Their texts (PII-redacted).",
        "status": "proposed or accepted.",
        "accepted_code": "The taxonomy code created from it, once accepted.",
        "created_at": "When the proposal was computed.",
    },
    "nlp.alerts": {
        "alert_id": "Stable id of the alert: hash of week, segment and code.",
        "alert_type": "spike (significant rise of a known irritant).",
        "observed": "Verbatims of the week and segment that mention the irritant.",
        "expected": "Count expected from the irritant's share over the trailing weeks times this week's volume.",
        "ratio": "observed / expected.",
        "baseline_volume": "Mentions over the trailing weeks.",
        "baseline_verbatims": "Verbatims of the segment over the trailing weeks.",
        "p_value": "One-sided p-value of so many mentions this week given the baseline (binomial, conditional on the total).",
        "q_value": "Benjamini-Hochberg adjusted p-value over all tests of the week.",
        "sample_verbatim_ids": "Up to 5 verbatims behind the alert (highest tag scores).",
        "first_detected_at": "When a nightly run first raised this alert.",
    },
    "raw.near_duplicates": {
        "verbatim_id": "The later verbatim.",
        "original_id": "The earliest verbatim it copies.",
        "similarity": "Estimated Jaccard similarity of the two texts' word sets (share of equal MinHash values).",
    },
}

MART_VIEWS: dict[str, tuple[str, str]] = {
    "mart.verbatims": ("""
        WITH current_model AS (
            SELECT model_version FROM nlp.models WHERE is_current AND component = 'tagger'
        ), tags AS (
            SELECT verbatim_id,
                   list(code ORDER BY score DESC) FILTER (WHERE kind = 'irritant') AS irritants,
                   list(code ORDER BY score DESC) FILTER (WHERE kind = 'enchantement') AS enchantements
            FROM nlp.tags WHERE model_version IN (SELECT model_version FROM current_model) GROUP BY verbatim_id
        ), emotions AS (
            SELECT verbatim_id, map(list(emotion ORDER BY intensity DESC), list(intensity ORDER BY intensity DESC)) AS emotions
            FROM nlp.emotions WHERE model_version IN (SELECT model_version FROM current_model) GROUP BY verbatim_id
        )
        SELECT v.verbatim_id, v.source, v.source_id, v.created_at,
               v.created_at AT TIME ZONE 'Europe/Paris' AS created_at_paris,
               strftime(v.created_at AT TIME ZONE 'Europe/Paris', '%G-W%V') AS iso_week,
               v.text, v.lang, v.is_french, v.brand, v.sector, v.channel, v.category, v.status,
               v.score,
               CASE WHEN v.score >= 9 THEN 'promoteur' WHEN v.score >= 7 THEN 'passif'
                    WHEN v.score IS NOT NULL THEN 'detracteur' END AS nps_group,
               v.touchpoint, v.platform, v.author_key, v.likes, v.replies,
               n.original_id AS near_duplicate_of,
               t.sentiment, t.sentiment_label, t.stages,
               coalesce(g.irritants, []) AS irritants, coalesce(g.enchantements, []) AS enchantements,
               e.emotions, t.ironie, t.effort, t.model_version,
               v.pii_count, v.file_name, v.line_no, v.ingested_at
        FROM raw.verbatims v
        LEFT JOIN raw.near_duplicates n USING (verbatim_id)
        LEFT JOIN (SELECT * FROM nlp.verbatim_tags WHERE model_version IN (SELECT model_version FROM current_model)) t
               USING (verbatim_id)
        LEFT JOIN tags g USING (verbatim_id)
        LEFT JOIN emotions e USING (verbatim_id)
    """, "Every verbatim with its source fields, Paris time, ISO week, NPS group, near-duplicate link and the current tagger's tags; start here."),
    "mart.tags": ("""
        SELECT t.verbatim_id, v.source, v.created_at, strftime(v.created_at AT TIME ZONE 'Europe/Paris', '%G-W%V') AS iso_week,
               v.brand, v.sector, v.channel, v.score AS nps_score,
               CASE WHEN v.score >= 9 THEN 'promoteur' WHEN v.score >= 7 THEN 'passif'
                    WHEN v.score IS NOT NULL THEN 'detracteur' END AS nps_group,
               t.kind, t.code, c.label, t.stage, s.label AS stage_label, t.score AS tag_score, t.evidence, t.evidence_source,
               t.exemplar, v.text, t.model_version
        FROM nlp.tags t
        JOIN raw.verbatims v USING (verbatim_id)
        LEFT JOIN nlp.codes c ON c.code = t.code AND c.kind = t.kind
        LEFT JOIN nlp.codes s ON s.code = t.stage AND s.kind = 'stage'
        WHERE t.model_version IN (SELECT model_version FROM nlp.models WHERE is_current AND component = 'tagger')
    """, "One row per irritant or enchantement found by the current tagger, with its evidence and the verbatim's segment fields."),
    "mart.emotions": ("""
        SELECT e.verbatim_id, v.source, strftime(v.created_at AT TIME ZONE 'Europe/Paris', '%G-W%V') AS iso_week,
               v.brand, v.sector, e.emotion, c.label, e.intensity
        FROM nlp.emotions e
        JOIN raw.verbatims v USING (verbatim_id)
        LEFT JOIN nlp.codes c ON c.code = e.emotion AND c.kind = 'emotion'
        WHERE e.model_version IN (SELECT model_version FROM nlp.models WHERE is_current AND component = 'tagger')
    """, "One row per emotion judged present by the current tagger, with its intensity."),
    "mart.codes": ("""
        SELECT kind, code, label, stage, description, retired FROM nlp.codes
    """, "The taxonomy in use: stages, irritants, enchantements and emotions with their French labels."),
    "mart.quarantine": ("""
        SELECT source, file_name, line_no, reason, original_content, quarantined_at
        FROM raw.quarantine
    """, "Rows that were not stored and why; fix the source file and ingest it again."),
    "mart.ingestion": ("""
        SELECT file_name, source, rows_read, rows_stored, rows_duplicate, rows_quarantined,
               ingested_at, run_id
        FROM raw.ingest_files
    """, "Per-file ingestion counts (read = stored + duplicate + quarantined)."),
    "mart.weekly_volume": ("""
        SELECT strftime(created_at AT TIME ZONE 'Europe/Paris', '%G-W%V') AS iso_week, source,
               count(*) AS verbatims, count(*) FILTER (WHERE is_french) AS french_verbatims,
               round(100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6))
                     / nullif(count(score), 0), 1) AS nps
        FROM raw.verbatims GROUP BY ALL ORDER BY iso_week, source
    """, "Verbatims per ISO week and source, with the week's NPS for survey answers."),
    "mart.irritant_weekly": ("""
        SELECT w.iso_week, w.week_start, w.segment_type, w.segment_value, w.code, c.label, w.stage,
               s.label AS stage_label, w.rank, w.rank_prev, w.rank_change, w.priority, w.volume, w.verbatims,
               w.share, w.severity, w.anger_distrust_share, w.effort, w.respondents, w.respondents_mentioning,
               w.nps, w.nps_without, w.nps_impact, w.nps_impact_low, w.nps_impact_high, w.volume_prev_avg,
               w.trend_ratio, w.growth, w.model_version
        FROM nlp.code_weekly w
        LEFT JOIN nlp.codes c ON c.code = w.code AND c.kind = w.kind
        LEFT JOIN nlp.codes s ON s.code = w.stage AND s.kind = 'stage'
        WHERE w.kind = 'irritant'
    """, "Irritants ranked per ISO week and segment (segment_type 'all' for the whole base): volume, share, severity, effort, NPS impact with its 90 % interval, trend and priority."),
    "mart.enchantement_weekly": ("""
        SELECT w.iso_week, w.week_start, w.segment_type, w.segment_value, w.code, c.label, w.stage,
               s.label AS stage_label, w.rank, w.rank_prev, w.rank_change, w.priority, w.volume, w.verbatims,
               w.share, w.respondents, w.respondents_mentioning, w.nps, w.nps_without, w.nps_impact,
               w.nps_impact_low, w.nps_impact_high, w.volume_prev_avg, w.trend_ratio, w.model_version
        FROM nlp.code_weekly w
        LEFT JOIN nlp.codes c ON c.code = w.code AND c.kind = w.kind
        LEFT JOIN nlp.codes s ON s.code = w.stage AND s.kind = 'stage'
        WHERE w.kind = 'enchantement'
    """, "Enchantements ranked per ISO week and segment, with their positive NPS impact."),
    "mart.irritant_weekly_overall": ("""
        SELECT * EXCLUDE (segment_type, segment_value) FROM mart.irritant_weekly WHERE segment_type = 'all'
    """, "mart.irritant_weekly for the whole base (no segment): the digest's main table."),
    "mart.irritant_weekly_by_brand": ("""
        SELECT * EXCLUDE (segment_type) RENAME (segment_value AS brand) FROM mart.irritant_weekly WHERE segment_type = 'brand'
    """, "mart.irritant_weekly per brand."),
    "mart.irritant_weekly_by_stage": ("""
        SELECT * EXCLUDE (segment_type) RENAME (segment_value AS journey_stage) FROM mart.irritant_weekly WHERE segment_type = 'stage'
    """, "mart.irritant_weekly per journey stage (verbatims about that stage)."),
    "mart.irritant_weekly_by_source": ("""
        SELECT * EXCLUDE (segment_type) RENAME (segment_value AS source) FROM mart.irritant_weekly WHERE segment_type = 'source'
    """, "mart.irritant_weekly per source (complaints, nps, social)."),
    "mart.alerts": ("""
        SELECT a.alert_id, a.alert_type, a.iso_week, a.week_start, a.segment_type, a.segment_value, a.code, c.label,
               a.observed, a.expected, a.ratio, a.verbatims, a.baseline_volume, a.baseline_verbatims, a.p_value,
               a.q_value, a.sample_verbatim_ids,
               (SELECT list(v.text ORDER BY list_position(a.sample_verbatim_ids, v.verbatim_id))
                FROM raw.verbatims v WHERE list_contains(a.sample_verbatim_ids, v.verbatim_id)) AS sample_texts,
               a.model_version, a.first_detected_at
        FROM nlp.alerts a
        LEFT JOIN nlp.codes c ON c.code = a.code AND c.kind = 'irritant'
    """, "Emerging-issue alerts with their evidence: counts, baseline, p and q values and sample verbatims (PII-redacted)."),
    "mart.topics": ("""
        SELECT t.topic_id, t.label, t.keywords, t.size, t.coherence_npmi, r.release, r.fitted_at,
               (SELECT list(v.text ORDER BY list_position(t.representative_ids, v.verbatim_id))
                FROM raw.verbatims v WHERE list_contains(t.representative_ids, v.verbatim_id)) AS representative_texts
        FROM nlp.topics t JOIN nlp.topic_releases r USING (release)
        WHERE r.is_current
    """, "Topics of the current topic release, with keywords, size, coherence and representative verbatims."),
    "mart.verbatim_topics": ("""
        SELECT a.verbatim_id, a.topic_id, t.label AS topic_label, a.similarity, v.source,
               strftime(v.created_at AT TIME ZONE 'Europe/Paris', '%G-W%V') AS iso_week, v.brand, v.text, a.release
        FROM nlp.verbatim_topics a
        JOIN nlp.topic_releases r ON r.release = a.release AND r.is_current
        JOIN raw.verbatims v USING (verbatim_id)
        LEFT JOIN nlp.topics t ON t.release = a.release AND t.topic_id = a.topic_id
    """, "The topic of each verbatim under the current topic release (-1: none close enough)."),
    "mart.topic_lineage": ("""
        SELECT * FROM nlp.topic_lineage
    """, "How topics carried over between releases: same, merged, split, new, retired."),
    "mart.topic_proposals": ("""
        SELECT proposal_id, iso_week, label, keywords, size, weekly_counts, growth, negative_share,
               representative_texts, status, accepted_code, created_at
        FROM nlp.topic_proposals
    """, "Candidate new irritants found among verbatims the taxonomy did not explain; accept one with 'voc topics accept'."),
    "mart.schemas": (
        "SELECT * FROM (VALUES " + ", ".join(f"('{k}', '{v}')" for k, v in SCHEMAS.items()) + ") AS s(schema_name, description)",
        "What each schema of the store holds.",
    ),
}


class StoreError(RuntimeError):
    """A database problem explained in one sentence."""


class StoreBusy(StoreError):
    """Another process holds the writer lock; trying again later can succeed."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


# ---------------------------------------------------------------------------- connections


def connect_read_only(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published database, as analysts should open it."""
    if not db_path.is_file():
        raise StoreError(f"No database at {db_path}; run 'voc ingest' or 'voc demo' first, or pass --db.")
    return duckdb.connect(str(db_path), read_only=True)


@contextmanager
def _writer_lock(db_path: Path, wait_seconds: float) -> Iterator[None]:
    lock_path = db_path.with_name(db_path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"Another voc run is writing {db_path} (lock {lock_path}); wait for it to finish and try again."
                    ) from None
                time.sleep(0.2)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def write_session(db_path: Path, *, lock_wait_seconds: float = 600.0,
                  memory_limit: str = "1GB") -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a private copy that replaces the database on success.

    On any exception (or a kill) the published database is left exactly as it was.
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(db_path, lock_wait_seconds):
        for stale in db_path.parent.glob(f".{db_path.name}.*.tmp*"):
            stale.unlink(missing_ok=True)  # left by a killed run: we hold the lock, nobody uses them
        work = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
        if db_path.exists():
            shutil.copyfile(db_path, work)
        # A memory limit makes DuckDB spill a big transaction to disk instead of holding it
        # in memory: peak memory stays flat whatever the size of the file. A small checkpoint
        # threshold compresses the copy while the ingestion workers still run, instead of in
        # one long serial checkpoint at the end (1M rows: 10 s less CPU, 350 MB less peak RSS).
        con = duckdb.connect(str(work), config={"memory_limit": memory_limit, "checkpoint_threshold": "64MB"})
        try:
            con.execute("SET TimeZone = 'UTC'")
            migrate(con)
            yield con
            apply_comments(con)
            refresh_views(con)
            con.execute("CHECKPOINT")
            con.close()
            with work.open("rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(work, db_path)
            _fsync_dir(db_path.parent)
        except BaseException:
            try:
                con.close()
            finally:
                work.unlink(missing_ok=True)
                work.with_name(work.name + ".wal").unlink(missing_ok=True)
            raise


# ---------------------------------------------------------------------------- schema


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'meta' AND table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM meta.schema_migrations").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection, target: int = SCHEMA_VERSION) -> list[int]:
    """Apply the migrations the database lacks, each in its own transaction; returns them."""
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute("""CREATE TABLE IF NOT EXISTS meta.schema_migrations (
        version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)""")
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"The database is at schema version {current}, newer than this voc ({SCHEMA_VERSION}); upgrade voc."
        )
    applied = []
    for version, name, sql in MIGRATIONS:
        if current < version <= target:
            con.execute("BEGIN TRANSACTION")
            con.execute(sql)
            con.execute("INSERT INTO meta.schema_migrations VALUES (?, ?, ?)", [version, name, _now()])
            con.execute("COMMIT")
            applied.append(version)
    return applied


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def apply_comments(con: duckdb.DuckDBPyConnection) -> None:
    """Describe every table and column of the raw and nlp schemas for analysts."""
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN ('raw', 'nlp', 'meta')").fetchall()
    for schema, table in tables:
        name = f"{schema}.{table}"
        if name in TABLE_COMMENTS:
            con.execute(f"COMMENT ON TABLE {name} IS {_quote(TABLE_COMMENTS[name])}")
        columns = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?", [schema, table]).fetchall()
        for (column,) in columns:
            text = COLUMN_COMMENTS.get(name, {}).get(column) or _column_comment(column)
            if text:
                con.execute(f'COMMENT ON COLUMN {name}."{column}" IS {_quote(text)}')


VIEW_COLUMN_COMMENTS: dict[str, str] = {
    "created_at_paris": "created_at in Paris local time.",
    "iso_week": "ISO week of created_at in Paris time, e.g. 2026-W47.",
    "nps_group": "NPS answers: promoteur (9-10), passif (7-8) or detracteur (0-6).",
    "near_duplicate_of": "verbatim_id of the earlier verbatim this one nearly copies (retweet, campaign, resend), else null.",
    "verbatims": "Number of verbatims.",
    "french_verbatims": "Number of verbatims in French (the ones tagged).",
    "nps": "Net Promoter Score of the NPS answers: % promoters - % detractors.",
    "schema_name": "Schema of the store.",
    "stage_label": "French label of the journey stage.",
    "irritants": "Irritant codes found by the current tagger, highest score first.",
    "enchantements": "Enchantement codes found by the current tagger, highest score first.",
    "emotions": "Emotions judged present, emotion code -> intensity (0 to 1].",
    "description": "What it holds.",
    "label": "French label of the code (from the taxonomy file).",
    "model_version": "Tagger version that produced the tags behind the row.",
    "brand": "Brand or company named in the source file.",
    "journey_stage": "Journey stage code of the segment.",
    "sample_texts": "Texts of the sample verbatims (PII-redacted).",
    "nps_score": "NPS answers: likelihood-to-recommend score, integer 0 to 10 (null for other sources).",
    "topic_label": "Label of the topic (its top keywords).",
    "representative_texts": "Texts of the representative verbatims (PII-redacted).",
    "tag_score": "Calibrated probability that the verbatim carries this code (0 to 1).",
}


def _column_comment(column: str) -> str | None:
    if column in VIEW_COLUMN_COMMENTS:
        return VIEW_COLUMN_COMMENTS[column]
    for columns in COLUMN_COMMENTS.values():
        if column in columns:
            return columns[column]
    return None


def refresh_views(con: duckdb.DuckDBPyConnection, views: dict[str, tuple[str, str]] | None = None) -> None:
    """(Re)create the analysts' views with descriptions of the views and of their columns."""
    for name, (sql, comment) in (views or MART_VIEWS).items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")
        con.execute(f"COMMENT ON VIEW {name} IS {_quote(comment)}")
        schema, view = name.split(".")
        columns = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?", [schema, view]
        ).fetchall()
        for (column,) in columns:
            text = _column_comment(column)
            if text:
                con.execute(f'COMMENT ON COLUMN {name}."{column}" IS {_quote(text)}')


# ---------------------------------------------------------------------------- ingestion writes


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All or nothing: one batch's rows, index entries and quarantine commit together."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@contextmanager
def file_scope(con: duckdb.DuckDBPyConnection, *, source: str, file_name: str, file_sha256: str,
               run_id: str) -> Iterator[None]:
    """A file's batches commit one by one (so DuckDB can flush them and memory stays flat);
    if the file fails half-way, everything it wrote in this run is removed again.

    This happens in the write session's private copy, so no reader ever sees the partial
    file: it is the equivalent of one transaction per file without holding the file in memory.
    """
    try:
        yield
    except BaseException:
        params = [run_id, source, file_name]
        con.execute("""
            CREATE OR REPLACE TEMP TABLE failed_ids AS
            SELECT verbatim_id FROM raw.verbatims WHERE run_id = ? AND source = ? AND file_name = ?""", params)
        con.execute("DELETE FROM raw.near_dup_index WHERE verbatim_id IN (SELECT verbatim_id FROM failed_ids)")
        con.execute("DELETE FROM raw.verbatims WHERE run_id = ? AND source = ? AND file_name = ?", params)
        con.execute("DELETE FROM raw.quarantine WHERE run_id = ? AND source = ? AND file_sha256 = ?",
                    [run_id, source, file_sha256])
        con.execute("DROP TABLE failed_ids")
        raise


def known_file(con: duckdb.DuckDBPyConnection, source: str, sha256: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM raw.ingest_files WHERE source = ? AND file_sha256 = ?", [source, sha256]
    ).fetchone()[0] > 0


def insert_verbatims(con: duckdb.DuckDBPyConnection, rows: pa.Table) -> list[str]:
    """Insert the rows whose verbatim_id the store does not have yet; returns their ids.

    The rows' ids must be distinct (ingestion keeps the first occurrence within a batch).
    """
    if rows.num_rows == 0:
        return []
    con.register("incoming_verbatims", rows)
    try:
        inserted = con.execute("""
            INSERT INTO raw.verbatims BY NAME
            SELECT * FROM incoming_verbatims i
            WHERE NOT EXISTS (SELECT 1 FROM raw.verbatims v WHERE v.verbatim_id = i.verbatim_id)
            RETURNING verbatim_id
        """).fetchall()
    finally:
        con.unregister("incoming_verbatims")
    return [r[0] for r in inserted]


def insert_near_dup_index(con: duckdb.DuckDBPyConnection, rows: pa.Table) -> None:
    """Store the MinHash buckets and signatures of newly stored verbatims."""
    if rows.num_rows:
        con.register("incoming_index", rows)
        try:
            con.execute("INSERT INTO raw.near_dup_index BY NAME SELECT * FROM incoming_index")
        finally:
            con.unregister("incoming_index")


def insert_quarantine(con: duckdb.DuckDBPyConnection, rows: pa.Table) -> None:
    """Quarantine rows, keyed by (source, file hash, line): re-ingesting a file adds nothing."""
    if rows.num_rows == 0:
        return
    con.register("incoming_quarantine", rows)
    try:
        con.execute("""
            INSERT INTO raw.quarantine BY NAME
            SELECT * FROM incoming_quarantine i
            WHERE NOT EXISTS (SELECT 1 FROM raw.quarantine q
                              WHERE q.source = i.source AND q.file_sha256 = i.file_sha256 AND q.line_no = i.line_no)
            QUALIFY row_number() OVER (PARTITION BY source, file_sha256, line_no) = 1
        """)
    finally:
        con.unregister("incoming_quarantine")


def record_file(con: duckdb.DuckDBPyConnection, *, source: str, sha256: str, file_name: str, file_bytes: int,
                read: int, stored: int, duplicates: int, quarantined: int, run_id: str) -> None:
    """Log a file once per content hash: the first complete ingestion is the one on record."""
    con.execute("""
        INSERT INTO raw.ingest_files SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
        WHERE NOT EXISTS (SELECT 1 FROM raw.ingest_files WHERE source = ? AND file_sha256 = ?)
    """, [source, sha256, file_name, file_bytes, read, stored, duplicates, quarantined, run_id, _now(), source, sha256])


def record_run(con: duckdb.DuckDBPyConnection, *, run_id: str, command: str, started_at: datetime, files: int,
               files_failed: int, read: int, stored: int, duplicates: int, quarantined: int,
               errors: list[str]) -> None:
    con.execute("INSERT INTO raw.ingest_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [run_id, command, started_at, _now(), files, files_failed, read, stored, duplicates, quarantined, errors])


def link_near_duplicates(con: duckdb.DuckDBPyConnection, run_id: str, min_similarity: float) -> int:
    """Link each verbatim of this run to the earliest verbatim it nearly copies; returns links made.

    The candidate is the earliest member of the verbatim's LSH buckets that shares the
    most buckets with it (so a campaign of ten thousand copies costs ten thousand
    comparisons, not a hundred million); it is kept when the signatures agree on
    `min_similarity` of their values. Each step joins on its full key: joined in one
    query, the optimiser may pair every member of a bucket with every other.
    """
    con.execute("""
        CREATE OR REPLACE TEMP TABLE nd_new AS
        SELECT verbatim_id, unnest(range(len(buckets))) AS band, unnest(buckets) AS bucket
        FROM raw.near_dup_index WHERE run_id = ?
    """, [run_id])
    # The earliest member of each bucket that has several; a single-member bucket proposes nothing.
    # When this run brought a good share of the index, grouping everything beats filtering first.
    new_rows, all_rows = con.execute("""
        SELECT count(*) FILTER (WHERE run_id = ?), count(*) FROM raw.near_dup_index""", [run_id]).fetchone()
    only_touched = "WHERE (band, bucket) IN (SELECT band, bucket FROM nd_new)" if new_rows * 4 < all_rows else ""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE nd_roots AS
        SELECT band, bucket, arg_min(verbatim_id, order_key) AS root_id
        FROM (SELECT verbatim_id, order_key, unnest(range(len(buckets))) AS band, unnest(buckets) AS bucket
              FROM raw.near_dup_index)
        {only_touched}
        GROUP BY ALL HAVING count(*) > 1
    """)
    # One candidate per verbatim: the root it shares the most buckets with.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE nd_candidates AS
        SELECT verbatim_id, arg_max(root_id, (shared::BIGINT << 32) + (hash(root_id) >> 32)::BIGINT) AS root_id
        FROM (SELECT n.verbatim_id, r.root_id, count(*) AS shared
              FROM nd_new n JOIN nd_roots r ON r.band = n.band AND r.bucket = n.bucket
              WHERE r.root_id <> n.verbatim_id
              GROUP BY ALL)
        GROUP BY verbatim_id
    """)
    linked = con.execute("""
        INSERT INTO raw.near_duplicates
        SELECT verbatim_id, root_id, similarity, ?
        FROM (SELECT c.verbatim_id, c.root_id,
                     len(list_filter(list_zip(a.signature, b.signature), p -> p[1] = p[2])) / len(a.signature) AS similarity
              FROM nd_candidates c
              JOIN raw.near_dup_index a ON a.verbatim_id = c.verbatim_id
              JOIN raw.near_dup_index b ON b.verbatim_id = c.root_id)
        WHERE similarity >= ?
          AND verbatim_id NOT IN (SELECT verbatim_id FROM raw.near_duplicates)
    """, [run_id, min_similarity]).fetchone()[0]
    con.execute("DROP TABLE nd_new; DROP TABLE nd_roots; DROP TABLE nd_candidates")
    return int(linked)


# ---------------------------------------------------------------------------- tagging writes


def register_model(con: duckdb.DuckDBPyConnection, *, model_version: str, component: str, release: str,
                   details: dict, codes: pa.Table | None = None) -> None:
    """Make `model_version` the current one for its component; refresh the code labels."""
    now = _now()
    con.execute("UPDATE nlp.models SET is_current = false WHERE component = ?", [component])
    con.execute("""
        INSERT INTO nlp.models VALUES (?, ?, ?, ?, ?, ?, true)
        ON CONFLICT (model_version) DO UPDATE SET last_used_at = excluded.last_used_at, is_current = true
    """, [model_version, component, release, json.dumps(details, ensure_ascii=False), now, now])
    if codes is not None:
        con.register("codes_in", codes)
        con.execute("DELETE FROM nlp.codes")
        con.execute("INSERT INTO nlp.codes SELECT code, kind, label, stage, description, retired FROM codes_in")
        con.unregister("codes_in")


def count_untagged(con: duckdb.DuckDBPyConnection, model_version: str) -> int:
    return con.execute("""
        SELECT count(*) FROM raw.verbatims v
        WHERE v.is_french AND NOT EXISTS (
            SELECT 1 FROM nlp.verbatim_tags t WHERE t.verbatim_id = v.verbatim_id AND t.model_version = ?)
    """, [model_version]).fetchone()[0]


def untagged_verbatims(con: duckdb.DuckDBPyConnection, model_version: str, limit: int) -> pa.Table:
    """French verbatims this model version has not tagged yet (verbatim_id, text), oldest first."""
    return con.execute("""
        SELECT v.verbatim_id, v.text FROM raw.verbatims v
        ANTI JOIN (SELECT verbatim_id FROM nlp.verbatim_tags WHERE model_version = ?) t USING (verbatim_id)
        WHERE v.is_french
        ORDER BY v.created_at, v.verbatim_id
        LIMIT ?
    """, [model_version, limit]).to_arrow_table()


def write_tags(con: duckdb.DuckDBPyConnection, verbatims: pa.Table, tags: pa.Table, emotions: pa.Table) -> None:
    """One chunk of tagging results, all or nothing."""
    with transaction(con):
        con.register("vt_in", verbatims)
        con.register("tags_in", tags)
        con.register("emo_in", emotions)
        con.execute("""INSERT INTO nlp.verbatim_tags SELECT verbatim_id, model_version, sentiment, sentiment_label,
                       stages, ironie, effort, run_id, tagged_at FROM vt_in""")
        con.execute("""INSERT INTO nlp.tags SELECT verbatim_id, model_version, kind, code, stage, score, evidence,
                       evidence_source, exemplar FROM tags_in""")
        con.execute("INSERT INTO nlp.emotions SELECT verbatim_id, model_version, emotion, intensity FROM emo_in")
        for name in ("vt_in", "tags_in", "emo_in"):
            con.unregister(name)


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of the raw tables, for summaries and tests."""
    names = ["raw.verbatims", "raw.quarantine", "raw.ingest_files", "raw.near_duplicates", "nlp.verbatim_tags", "nlp.tags"]
    return {n: con.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}


def describe(con: duckdb.DuckDBPyConnection) -> dict:
    """What the store holds, for `voc status` and the demo summary."""
    info: dict = {"schema_version": schema_version(con), "tables": table_counts(con)}
    info["by_source"] = dict(con.execute(
        "SELECT source, count(*) FROM raw.verbatims GROUP BY source ORDER BY source").fetchall())
    info["non_french"] = con.execute("SELECT count(*) FROM raw.verbatims WHERE NOT is_french").fetchone()[0]
    info["pii_redacted"] = con.execute("SELECT coalesce(sum(pii_count), 0) FROM raw.verbatims").fetchone()[0]
    info["period"] = con.execute(
        "SELECT min(created_at AT TIME ZONE 'Europe/Paris')::DATE, max(created_at AT TIME ZONE 'Europe/Paris')::DATE "
        "FROM raw.verbatims").fetchone()
    info["quarantine_reasons"] = con.execute("""
        SELECT regexp_replace(reason, ' ''[^'']*''| \\(.*\\)|: .*', '', 'g') AS reason, count(*) AS n
        FROM raw.quarantine GROUP BY 1 ORDER BY n DESC LIMIT 8""").fetchall()
    info["last_runs"] = con.execute("""
        SELECT run_id, command, finished_at, rows_read, rows_stored, rows_duplicate, rows_quarantined
        FROM raw.ingest_runs ORDER BY finished_at DESC LIMIT 5""").fetchall()
    return info


# ---------------------------------------------------------------------------- ranking and alerts


def insight_inputs(con: duckdb.DuckDBPyConnection) -> tuple[pa.Table, pa.Table, pa.Table, str | None]:
    """What the ranking needs, for the current tagger: verbatims, tags, emotions, model version."""
    row = con.execute("SELECT model_version FROM nlp.models WHERE is_current AND component = 'tagger'").fetchone()
    model = row[0] if row else ""
    verbatims = con.execute("""
        SELECT v.verbatim_id, date_trunc('week', v.created_at AT TIME ZONE 'Europe/Paris')::DATE AS week_start,
               strftime(v.created_at AT TIME ZONE 'Europe/Paris', '%G-W%V') AS iso_week,
               v.source, v.channel, v.sector, v.brand, v.score, t.effort, t.stages
        FROM raw.verbatims v JOIN nlp.verbatim_tags t USING (verbatim_id)
        WHERE t.model_version = ?
    """, [model]).to_arrow_table()
    tags = con.execute("SELECT verbatim_id, kind, code, stage, score FROM nlp.tags WHERE model_version = ?",
                       [model]).to_arrow_table()
    emotions = con.execute("SELECT verbatim_id, emotion, intensity FROM nlp.emotions WHERE model_version = ?",
                           [model]).to_arrow_table()
    return verbatims, tags, emotions, (model or None)


def write_insights(con: duckdb.DuckDBPyConnection, ranking: pa.Table, alerts: pa.Table) -> None:
    """Replace the ranking and the alerts (a full recompute), keeping when each alert was first seen."""
    with transaction(con):
        con.register("ranking_in", ranking)
        con.register("alerts_in", alerts)
        con.execute("DELETE FROM nlp.code_weekly")
        con.execute("INSERT INTO nlp.code_weekly BY NAME SELECT * FROM ranking_in")
        con.execute("""
            CREATE OR REPLACE TEMP TABLE alerts_new AS
            SELECT a.* REPLACE (coalesce(o.first_detected_at, a.first_detected_at) AS first_detected_at)
            FROM alerts_in a LEFT JOIN nlp.alerts o USING (alert_id)""")
        con.execute("DELETE FROM nlp.alerts")
        con.execute("INSERT INTO nlp.alerts BY NAME SELECT * FROM alerts_new")
        con.execute("DROP TABLE alerts_new")
        con.unregister("ranking_in")
        con.unregister("alerts_in")


# ---------------------------------------------------------------------------- full-text search

FTS_SCHEMA = "fts_raw_verbatims"


def load_fts(con: duckdb.DuckDBPyConnection) -> bool:
    """Load DuckDB's fts extension from the duckdb-extension-fts package (no download)."""
    try:
        import duckdb_extension_fts
    except ImportError:
        return False
    base = Path(duckdb_extension_fts.__file__).parent / "extensions"
    candidates = sorted(base.glob(f"v{duckdb.__version__}/fts.duckdb_extension")) or sorted(base.glob("*/fts.duckdb_extension"))
    if not candidates:
        return False
    con.execute(f"LOAD '{candidates[0]}'")
    return True


def build_search_index(con: duckdb.DuckDBPyConnection) -> bool:
    """(Re)build the French full-text index of raw.verbatims (Snowball French stemmer, accents stripped)."""
    if not load_fts(con):
        return False
    con.execute("""PRAGMA create_fts_index('raw.verbatims', 'verbatim_id', 'text', stemmer = 'french',
                   stopwords = 'none', strip_accents = 1, lower = 1, overwrite = 1)""")
    return True


def search_verbatims(con: duckdb.DuckDBPyConnection, query: str, limit: int = 20) -> pa.Table:
    """Verbatims ranked by BM25 relevance to `query` (French stemming: 'livraisons' finds 'livraison')."""
    if not load_fts(con):
        raise StoreError("Full-text search needs the duckdb-extension-fts package; reinstall with 'make install'.")
    exists = con.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = ?", [FTS_SCHEMA]).fetchone()[0]
    if not exists:
        raise StoreError("The database has no full-text index yet; run 'voc nightly' (or 'voc demo') once.")
    return con.execute(f"""
        SELECT * FROM (
            SELECT {FTS_SCHEMA}.match_bm25(v.verbatim_id, ?) AS relevance, v.verbatim_id, v.source,
                   v.created_at, v.brand, v.text
            FROM raw.verbatims v)
        WHERE relevance IS NOT NULL ORDER BY relevance DESC, verbatim_id LIMIT ?
    """, [query, limit]).to_arrow_table()


# ---------------------------------------------------------------------------- weekly digest reads


def digest_weeks(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(iso_week, week_start) of every ranked week, oldest first."""
    return [(w, str(d)) for w, d in con.execute(
        "SELECT DISTINCT iso_week, week_start FROM nlp.code_weekly ORDER BY week_start").fetchall()]


def digest_inputs(con: duckdb.DuckDBPyConnection, iso_week: str, *, top: int = 10, samples: int = 3,
                  history_weeks: int = 8) -> dict[str, pa.Table]:
    """Everything the weekly digest shows for one ISO week, as Arrow tables (labels from nlp.codes)."""
    week_start = con.execute("SELECT min(week_start) FROM nlp.code_weekly WHERE iso_week = ?", [iso_week]).fetchone()[0]
    if week_start is None:
        raise StoreError(f"No ranking for week {iso_week}; run 'voc nightly' on data of that week first.")
    out: dict[str, pa.Table] = {}
    out["irritants"] = con.execute("""
        SELECT * FROM mart.irritant_weekly_overall WHERE iso_week = ? ORDER BY rank LIMIT ?
    """, [iso_week, top]).to_arrow_table()
    out["enchantements"] = con.execute("""
        SELECT * FROM mart.enchantement_weekly WHERE segment_type = 'all' AND iso_week = ? ORDER BY rank LIMIT ?
    """, [iso_week, max(3, top // 2)]).to_arrow_table()
    out["history"] = con.execute("""
        SELECT w.kind, w.code, w.week_start, w.iso_week, w.volume, w.share
        FROM nlp.code_weekly w
        WHERE w.segment_type = 'all' AND w.week_start BETWEEN ?::DATE - INTERVAL (? * 7) DAY AND ?::DATE
        ORDER BY w.code, w.week_start
    """, [week_start, history_weeks - 1, week_start]).to_arrow_table()
    out["weeks"] = con.execute("""
        SELECT week_start, iso_week, max(verbatims) AS verbatims, max(respondents) AS respondents, max(nps) AS nps
        FROM nlp.code_weekly WHERE segment_type = 'all' AND week_start BETWEEN ?::DATE - INTERVAL (? * 7) DAY AND ?::DATE
        GROUP BY ALL ORDER BY week_start
    """, [week_start, history_weeks - 1, week_start]).to_arrow_table()
    out["samples"] = con.execute("""
        WITH ranked AS (
            SELECT t.kind, t.code, t.verbatim_id, t.evidence, v.text, v.source, v.brand, v.score,
                   row_number() OVER (PARTITION BY t.kind, t.code ORDER BY t.score DESC, length(v.text), t.verbatim_id) AS n
            FROM nlp.tags t
            JOIN raw.verbatims v USING (verbatim_id)
            LEFT JOIN raw.near_duplicates d USING (verbatim_id)
            WHERE t.model_version IN (SELECT model_version FROM nlp.models WHERE is_current AND component = 'tagger')
              AND strftime(v.created_at AT TIME ZONE 'Europe/Paris', '%G-W%V') = ?
              AND d.verbatim_id IS NULL AND length(v.text) BETWEEN 20 AND 600
        )
        SELECT * EXCLUDE (n) FROM ranked WHERE n <= ? ORDER BY kind, code, n
    """, [iso_week, samples]).to_arrow_table()
    out["alerts"] = con.execute("""
        SELECT * FROM mart.alerts WHERE iso_week = ? ORDER BY q_value, ratio DESC
    """, [iso_week]).to_arrow_table()
    out["stages"] = con.execute("""
        SELECT s.segment_value AS stage, c.label AS stage_label, max(s.verbatims) AS verbatims,
               arg_max(s.code, s.priority) AS top_irritant, arg_max(s.label, s.priority) AS top_irritant_label,
               sum(s.volume) AS irritant_mentions
        FROM mart.irritant_weekly s
        LEFT JOIN nlp.codes c ON c.code = s.segment_value AND c.kind = 'stage'
        WHERE s.segment_type = 'stage' AND s.iso_week = ?
        GROUP BY ALL ORDER BY verbatims DESC
    """, [iso_week]).to_arrow_table()
    out["sentiment_by_stage"] = con.execute("""
        SELECT stage, count(*) AS verbatims,
               avg(CASE WHEN sentiment_label = 'negatif' THEN 1 ELSE 0 END) AS negative_share
        FROM (SELECT unnest(stages) AS stage, sentiment_label FROM mart.verbatims WHERE iso_week = ? AND stages IS NOT NULL)
        GROUP BY stage
    """, [iso_week]).to_arrow_table()
    out["labels"] = con.execute("SELECT kind, code, label FROM nlp.codes").to_arrow_table()
    out["proposals"] = con.execute("""
        SELECT proposal_id, label, keywords, size, weekly_counts, growth, representative_texts
        FROM nlp.topic_proposals WHERE status = 'proposed' ORDER BY growth * sqrt(size) DESC, proposal_id LIMIT 3
    """).to_arrow_table()
    return out


# ---------------------------------------------------------------------------- embeddings and topics


def vectors_to_arrow(vectors) -> pa.Array:
    """(n, d) float32 numpy -> a list<float> Arrow column, without a Python loop."""
    import numpy as np

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, d = vectors.shape if vectors.ndim == 2 else (0, 0)
    offsets = pa.array(np.arange(0, (n + 1) * d, d, dtype=np.int32) if n else np.zeros(1, np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array(vectors.reshape(-1)))


def arrow_to_vectors(column: pa.ChunkedArray | pa.Array):
    """The inverse: a list<float> column of equal-length rows -> (n, d) float32 numpy."""
    import numpy as np

    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    n = len(array)
    if n == 0:
        return np.zeros((0, 0), np.float32)
    flat = array.flatten().to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
    return flat.reshape(n, -1)


def count_missing_embeddings(con: duckdb.DuckDBPyConnection, model_id: str) -> int:
    return con.execute("""
        SELECT count(*) FROM raw.verbatims v
        ANTI JOIN (SELECT verbatim_id FROM nlp.embeddings WHERE model_id = ?) e USING (verbatim_id)
        WHERE v.is_french""", [model_id]).fetchone()[0]


def missing_embeddings(con: duckdb.DuckDBPyConnection, model_id: str, limit: int) -> pa.Table:
    """French verbatims without a vector from this model (verbatim_id, text, brand), oldest first."""
    return con.execute("""
        SELECT v.verbatim_id, v.text, v.brand FROM raw.verbatims v
        ANTI JOIN (SELECT verbatim_id FROM nlp.embeddings WHERE model_id = ?) e USING (verbatim_id)
        WHERE v.is_french ORDER BY v.created_at, v.verbatim_id LIMIT ?""", [model_id, limit]).to_arrow_table()


def french_texts(con: duckdb.DuckDBPyConnection, limit: int) -> pa.Table:
    """Text and brand of the `limit` latest French verbatims (to find the corpus's stock sentences
    before embedding: a recent sample finds them as well as the whole store, at a bounded cost)."""
    return con.execute("""
        SELECT text, brand FROM raw.verbatims WHERE is_french ORDER BY created_at DESC, verbatim_id LIMIT ?
    """, [limit]).to_arrow_table()


def write_embeddings(con: duckdb.DuckDBPyConnection, ids: list[str], model_id: str, vectors) -> None:
    table = pa.table({"verbatim_id": pa.array(ids, pa.string()), "model_id": pa.array([model_id] * len(ids), pa.string()),
                      "vector": vectors_to_arrow(vectors),
                      "computed_at": pa.array([_now()] * len(ids), pa.timestamp("us", tz="UTC"))})
    with transaction(con):
        con.register("emb_in", table)
        con.execute("INSERT INTO nlp.embeddings SELECT verbatim_id, model_id, vector, computed_at FROM emb_in")
        con.unregister("emb_in")


_CURRENT_TAG_CODES = """
        current_model AS (SELECT model_version FROM nlp.models WHERE is_current AND component = 'tagger'),
        tag_codes AS (
            SELECT verbatim_id,
                   max(score) FILTER (WHERE kind = 'irritant') AS irritant_score,
                   list(code ORDER BY code) AS tag_codes, list(score ORDER BY code) AS tag_scores
            FROM nlp.tags
            WHERE kind IN ('irritant', 'enchantement') AND model_version IN (SELECT model_version FROM current_model)
            GROUP BY verbatim_id
        )"""


def topic_corpus(con: duckdb.DuckDBPyConnection, model_id: str, since=None, until=None) -> pa.Table:
    """Embedded French verbatims with what topics need: text, week, vector, and the current tagger's
    irritant and enchantement codes with their scores (the strongest irritant score apart)."""
    return con.execute(f"""
        WITH {_CURRENT_TAG_CODES}
        SELECT v.verbatim_id, v.text, v.created_at,
               date_trunc('week', v.created_at AT TIME ZONE 'Europe/Paris')::DATE AS week_start,
               coalesce(c.irritant_score, 0.0) AS irritant_score, t.sentiment_label,
               coalesce(c.tag_codes, []::VARCHAR[]) AS tag_codes, coalesce(c.tag_scores, []::DOUBLE[]) AS tag_scores,
               e.vector
        FROM raw.verbatims v
        JOIN nlp.embeddings e ON e.verbatim_id = v.verbatim_id AND e.model_id = ?
        LEFT JOIN tag_codes c ON c.verbatim_id = v.verbatim_id
        LEFT JOIN nlp.verbatim_tags t ON t.verbatim_id = v.verbatim_id
             AND t.model_version IN (SELECT model_version FROM current_model)
        WHERE v.is_french
          AND (?::DATE IS NULL OR (v.created_at AT TIME ZONE 'Europe/Paris')::DATE >= ?::DATE)
          AND (?::DATE IS NULL OR (v.created_at AT TIME ZONE 'Europe/Paris')::DATE <= ?::DATE)
        ORDER BY v.verbatim_id
    """, [model_id, since, since, until, until]).to_arrow_table()


def current_topic_release(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """(release, embedding model id) of the current topic release, if any."""
    row = con.execute("SELECT release, model_id FROM nlp.topic_releases WHERE is_current").fetchone()
    return (row[0], row[1]) if row else None


def register_topic_release(con: duckdb.DuckDBPyConnection, release: dict, topics: pa.Table, hierarchy: pa.Table,
                           lineage: pa.Table, assignments: pa.Table) -> None:
    """A new current topic release with its topics, hierarchy, lineage and the assignment of its corpus."""
    with transaction(con):
        name = release["release"]
        for table in ("nlp.topics", "nlp.topic_hierarchy", "nlp.topic_lineage", "nlp.verbatim_topics"):
            con.execute(f"DELETE FROM {table} WHERE release = ?", [name])
        con.execute("DELETE FROM nlp.topic_releases WHERE release = ?", [name])
        con.execute("UPDATE nlp.topic_releases SET is_current = false")
        con.execute("INSERT INTO nlp.topic_releases VALUES (?, ?, ?, ?, ?, ?, ?, ?, true)", [
            name, release["model_id"], release["fitted_at"], release["corpus_size"], release.get("since"),
            release.get("previous_release"), json.dumps(release["params"], ensure_ascii=False),
            json.dumps(release["metrics"], ensure_ascii=False)])
        for table, rows in (("nlp.topics", topics), ("nlp.topic_hierarchy", hierarchy),
                            ("nlp.topic_lineage", lineage), ("nlp.verbatim_topics", assignments)):
            if rows.num_rows:
                con.register("rows_in", rows)
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM rows_in")
                con.unregister("rows_in")


def unassigned_embeddings(con: duckdb.DuckDBPyConnection, release: str, model_id: str) -> pa.Table:
    """Embedded verbatims that the release has not assigned yet (verbatim_id, vector, current tag codes and scores)."""
    return con.execute(f"""
        WITH {_CURRENT_TAG_CODES}
        SELECT e.verbatim_id, e.vector,
               coalesce(c.tag_codes, []::VARCHAR[]) AS tag_codes, coalesce(c.tag_scores, []::DOUBLE[]) AS tag_scores
        FROM nlp.embeddings e
        ANTI JOIN (SELECT verbatim_id FROM nlp.verbatim_topics WHERE release = ?) a USING (verbatim_id)
        LEFT JOIN tag_codes c ON c.verbatim_id = e.verbatim_id
        WHERE e.model_id = ? ORDER BY e.verbatim_id""", [release, model_id]).to_arrow_table()


def write_topic_assignments(con: duckdb.DuckDBPyConnection, assignments: pa.Table) -> None:
    with transaction(con):
        con.register("assign_in", assignments)
        con.execute("INSERT INTO nlp.verbatim_topics BY NAME SELECT * FROM assign_in")
        con.unregister("assign_in")


def write_proposals(con: duckdb.DuckDBPyConnection, proposals: pa.Table) -> None:
    """Replace the open proposals (accepted ones stay, for history)."""
    with transaction(con):
        con.execute("DELETE FROM nlp.topic_proposals WHERE status = 'proposed'")
        if proposals.num_rows:
            con.register("prop_in", proposals)
            con.execute("""INSERT INTO nlp.topic_proposals BY NAME SELECT * FROM prop_in
                           WHERE proposal_id NOT IN (SELECT proposal_id FROM nlp.topic_proposals)""")
            con.unregister("prop_in")


def read_proposals(con: duckdb.DuckDBPyConnection, proposal_id: str | None = None) -> list[dict]:
    sql = "SELECT * FROM nlp.topic_proposals"
    if proposal_id:
        return con.execute(sql + " WHERE proposal_id = ?", [proposal_id]).to_arrow_table().to_pylist()
    return con.execute(sql + " WHERE status = 'proposed' ORDER BY growth * sqrt(size) DESC, proposal_id").to_arrow_table().to_pylist()


def mark_proposal_accepted(con: duckdb.DuckDBPyConnection, proposal_id: str, code: str) -> None:
    con.execute("UPDATE nlp.topic_proposals SET status = 'accepted', accepted_code = ? WHERE proposal_id = ?",
                [code, proposal_id])
