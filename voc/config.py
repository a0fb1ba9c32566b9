"""One typed configuration object, built explicitly from a YAML file and the environment.

Nothing here runs at import time: callers build a `Config` with `load_config()` and pass
it down, so tests and flows can each use their own database, inbox and settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

SOURCES = ("complaints", "nps", "social")

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Canonical field -> header aliases, compared after normalisation (lower case, no accents,
# every run of non-alphanumeric characters turned into "_"). Order matters: the first
# alias that matches an unused header wins, and fields are matched in this order.
COMMON_FIELDS: dict[str, list[str]] = {
    "text": [
        "verbatim", "verbatims", "commentaire", "commentaires", "comment", "comments", "message",
        "texte", "text", "why", "pourquoi", "raison", "reason", "verbatim_client",
        "description", "contenu", "content", "body", "avis", "review", "review_text",
        "reponse_ouverte", "open_answer", "feedback", "remarque", "remarques",
    ],
    "source_id": [
        "id", "n_ticket", "no_ticket", "num_ticket", "numero_ticket", "numero_de_ticket",
        "ticket", "ticket_id", "id_ticket", "reference", "ref", "n_reclamation",
        "id_reclamation", "complaint_id", "case_id", "n_dossier", "response_id",
        "id_reponse", "numero_de_reponse", "numero_reponse", "n_reponse", "respondent_id", "reponse_id", "survey_response_id", "post_id",
        "id_post", "tweet_id", "message_id", "review_id", "id_avis", "uid",
    ],
    "created_at": [
        "date", "date_de_creation", "date_creation", "created_at", "creation_date",
        "created", "submitted_at", "date_reponse", "date_de_reponse", "response_date",
        "timestamp", "published_at", "date_publication", "date_de_publication",
        "posted_at", "datetime", "date_heure", "date_et_heure", "horodatage",
        "date_reception", "received_at",
    ],
    "brand": ["marque", "brand", "enseigne", "entreprise", "company"],
    "sector": ["secteur", "sector", "industry", "activite", "secteur_d_activite"],
}

SOURCE_FIELDS: dict[str, dict[str, list[str]]] = {
    "complaints": {
        "channel": ["canal", "channel", "origine", "canal_de_contact", "media"],
        "category": ["categorie", "category", "produit", "product", "motif", "theme", "type"],
        "status": ["statut", "status", "etat", "state"],
    },
    "nps": {
        "score": [
            "score", "nps", "note", "nps_score", "score_nps", "note_nps", "recommandation",
            "likelihood_to_recommend", "ltr", "rating",
        ],
        "touchpoint": [
            "touchpoint", "point_de_contact", "parcours", "etape", "journey", "canal",
            "channel", "moment",
        ],
    },
    "social": {
        "platform": ["platform", "plateforme", "reseau", "reseau_social", "network", "site", "media"],
        "author": ["author", "auteur", "handle", "user", "username", "pseudo", "screen_name", "utilisateur"],
        "likes": ["likes", "like", "j_aime", "nb_likes", "favorites", "favourites", "reactions"],
        "replies": ["replies", "reponses", "nb_reponses", "reply_count", "comments_count", "nb_commentaires"],
    },
}

REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "complaints": ("text", "created_at"),
    "nps": ("text", "created_at", "score"),
    "social": ("text", "created_at"),
}


def default_field_aliases(source: str) -> dict[str, list[str]]:
    """Default header aliases for one source: the common fields first, then its own."""
    return {**{k: list(v) for k, v in COMMON_FIELDS.items()},
            **{k: list(v) for k, v in SOURCE_FIELDS[source].items()}}


@dataclass(frozen=True)
class IngestSettings:
    """How ingestion reads, cleans and deduplicates."""

    max_text_bytes: int = 100_000
    chunk_rows: int = 50_000
    default_timezone: str = "Europe/Paris"
    near_duplicate_min_tokens: int = 8
    keep_extra_columns: bool = True
    workers: int = 2  # processes that clean batches of big files in parallel (1: none)
    parallel_min_bytes: int = 16 * 1024 * 1024  # files smaller than this are cleaned in-process


@dataclass(frozen=True)
class TaggingSettings:
    """What the tagger reads and where it draws the line (scores are calibrated probabilities)."""

    enabled: bool = True  # False: the nightly batch only ingests
    taxonomy: Path | None = None  # None: the taxonomy shipped in voc/resources
    signals: Path | None = None
    release: str = "current"  # folder under models/tagger/, or "current" for the newest
    irritant_threshold: float | None = None  # None: the threshold frozen in the release
    enchantement_threshold: float | None = None
    stage_threshold: float | None = None
    batch_size: int = 256
    chunk_rows: int = 20_000  # verbatims read, tagged and written per step in the nightly


@dataclass(frozen=True)
class RankingSettings:
    """How the weekly irritant ranking computes trend and NPS impact intervals."""

    trend_weeks: int = 4  # the trend compares a week with the mean of the previous n weeks
    bootstrap_samples: int = 1000
    min_respondents: int = 20  # below this, no NPS interval (too few answers to say anything)
    interval: float = 0.90


@dataclass(frozen=True)
class AlertSettings:
    """When a weekly rise of an irritant becomes an alert."""

    baseline_weeks: int = 6  # trailing weeks that define the expected share
    min_baseline_weeks: int = 4  # no test before the segment has this much history
    min_volume: int = 10  # an alert needs at least this many mentions in the week
    min_ratio: float = 1.8  # ... and at least this many times the expected count
    fdr: float = 0.01  # Benjamini-Hochberg false discovery rate, per week
    segment_types: tuple[str, ...] = ("all", "brand", "sector")


@dataclass(frozen=True)
class TopicSettings:
    """Embeddings, BERTopic fits, nightly assignment and emerging-theme proposals."""

    enabled: bool = True  # False: the nightly batch computes no embeddings and assigns no topics
    embedding_backend: str = "use"  # use | sentence-transformers | spacy
    embedding_model: Path | None = None  # local folder of a sentence-transformers model
    seed: int = 42
    umap_neighbors: int = 15
    umap_components: int = 5
    min_cluster_size: int | None = None  # None: max(15, corpus / 400)
    lexical_components: int = 300  # LSA dimensions of lemma TF-IDF joined to the embeddings for clustering; 0: off
    min_df: int = 3
    ngram_max: int = 2
    top_words: int = 10
    guide_weight: float = 1.0  # weight of the tagger's codes in the clustering space (0: topics from text alone)
    guide_neighbours: int = 10  # an untagged verbatim borrows the codes of this many nearest tagged ones...
    guide_agreement: float = 0.5  # ... when at least this share of them agree on the strongest code
    outlier_threshold: float = 0.35  # outliers join the nearest topic when at least this similar (clustering space)
    assign_min_similarity: float = 0.35  # nightly: below this, a verbatim gets topic -1
    align_threshold: float = 0.55  # a new topic keeps an old id when at least this similar
    proposal_weeks: int = 8  # emerging themes: window of recent weeks clustered
    proposal_max_irritant_score: float = 0.5  # ... among verbatims whose strongest irritant is below this
    proposal_min_size: int = 15
    proposal_min_negative_share: float = 0.5
    embed_chunk: int = 2000


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    sender: str = "voc@localhost"
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    """Everything a command or a flow needs, resolved once."""

    db_path: Path
    inbox: Path
    reports_dir: Path
    models_dir: Path
    brand_handles: frozenset[str]
    field_aliases: dict[str, dict[str, list[str]]]
    ingest: IngestSettings = field(default_factory=IngestSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    tagging: TaggingSettings = field(default_factory=TaggingSettings)
    ranking: RankingSettings = field(default_factory=RankingSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    topics: TopicSettings = field(default_factory=TopicSettings)
    config_file: Path | None = None

    def with_db(self, db_path: Path | str | None) -> Config:
        """The same configuration pointed at another database file (for `--db`)."""
        return self if db_path is None else replace(self, db_path=Path(db_path))


class ConfigError(ValueError):
    """A configuration file that cannot be used, with a one-sentence explanation."""


def _resolve(base: Path, value: str | os.PathLike[str]) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path)


def load_config(path: Path | str | None = None, *, env: dict[str, str] | None = None) -> Config:
    """Build the configuration from a YAML file (optional) and environment variables.

    The file is, in order: `path`, `$VOC_CONFIG`, `./voc.yaml`; none is needed. Relative
    paths in it are relative to the file's folder; defaults are relative to the project.
    """
    env = dict(os.environ if env is None else env)
    candidate = path or env.get("VOC_CONFIG") or ("voc.yaml" if Path("voc.yaml").is_file() else None)
    data: dict[str, Any] = {}
    config_file: Path | None = None
    base = PROJECT_ROOT
    if candidate:
        config_file = Path(candidate).resolve()
        if not config_file.is_file():
            raise ConfigError(f"Configuration file {config_file} does not exist; check --config or VOC_CONFIG.")
        try:
            data = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"Configuration file {config_file} is not valid YAML ({exc.__class__.__name__}); fix its syntax.") from exc
        if not isinstance(data, dict):
            raise ConfigError(f"Configuration file {config_file} must hold a mapping of settings at its top level.")
        base = config_file.parent

    paths = data.get("paths", {}) or {}
    db_path = _resolve(base, env.get("VOC_DB") or paths.get("db", PROJECT_ROOT / "data" / "voc.duckdb"))
    inbox = _resolve(base, env.get("VOC_INBOX") or paths.get("inbox", PROJECT_ROOT / "data" / "inbox"))
    reports_dir = _resolve(base, paths.get("reports", PROJECT_ROOT / "reports"))
    models_dir = _resolve(base, paths.get("models", PROJECT_ROOT / "models"))

    handles = data.get("brand_handles", None)
    if handles is None:
        from voc.demo_data import BRANDS  # the demo brands are the defaults of the demo setup

        handles = [b.handle for b in BRANDS]
    brand_handles = frozenset(str(h).lstrip("@").lower() for h in handles)

    aliases = {source: default_field_aliases(source) for source in SOURCES}
    for source, mapping in (data.get("sources", {}) or {}).items():
        if source not in SOURCES:
            raise ConfigError(f"Unknown source '{source}' in {config_file}; use one of {', '.join(SOURCES)}.")
        for field_name, headers in ((mapping or {}).get("columns", {}) or {}).items():
            if field_name not in aliases[source]:
                raise ConfigError(
                    f"Unknown field '{field_name}' for source '{source}' in {config_file}; "
                    f"known fields: {', '.join(aliases[source])}."
                )
            headers = [headers] if isinstance(headers, str) else list(headers)
            # Explicit mappings come first so that they win over the defaults.
            aliases[source][field_name] = [*headers, *aliases[source][field_name]]

    ingest_data = data.get("ingest", {}) or {}
    try:
        ingest = IngestSettings(**ingest_data)
    except TypeError as exc:
        raise ConfigError(f"Unknown setting under 'ingest' in {config_file}: {exc}.") from exc

    tagging_data = dict(data.get("tagging", {}) or {})
    for key in ("taxonomy", "signals"):
        if tagging_data.get(key):
            tagging_data[key] = _resolve(base, tagging_data[key])
    try:
        tagging = TaggingSettings(**tagging_data)
    except TypeError as exc:
        raise ConfigError(f"Unknown setting under 'tagging' in {config_file}: {exc}.") from exc

    try:
        ranking = RankingSettings(**(data.get("ranking", {}) or {}))
    except TypeError as exc:
        raise ConfigError(f"Unknown setting under 'ranking' in {config_file}: {exc}.") from exc
    alerts_data = dict(data.get("alerts", {}) or {})
    if "segment_types" in alerts_data:
        alerts_data["segment_types"] = tuple(alerts_data["segment_types"])
    try:
        alerts = AlertSettings(**alerts_data)
    except TypeError as exc:
        raise ConfigError(f"Unknown setting under 'alerts' in {config_file}: {exc}.") from exc

    topics_data = dict(data.get("topics", {}) or {})
    if topics_data.get("embedding_model"):
        topics_data["embedding_model"] = _resolve(base, topics_data["embedding_model"])
    if env.get("VOC_EMBEDDING_BACKEND"):
        topics_data["embedding_backend"] = env["VOC_EMBEDDING_BACKEND"]
    try:
        topics = TopicSettings(**topics_data)
    except TypeError as exc:
        raise ConfigError(f"Unknown setting under 'topics' in {config_file}: {exc}.") from exc

    smtp_data = dict(data.get("smtp", {}) or {})
    smtp = SmtpSettings(
        host=env.get("VOC_SMTP_HOST", smtp_data.get("host", "localhost")),
        port=int(env.get("VOC_SMTP_PORT", smtp_data.get("port", 25))),
        starttls=str(env.get("VOC_SMTP_STARTTLS", smtp_data.get("starttls", False))).lower() in {"1", "true", "yes"},
        user=env.get("VOC_SMTP_USER", smtp_data.get("user")),
        password=env.get("VOC_SMTP_PASSWORD", smtp_data.get("password")),
        sender=env.get("VOC_DIGEST_FROM", smtp_data.get("from", "voc@localhost")),
        recipients=tuple(
            a.strip()
            for a in (env.get("VOC_DIGEST_TO") or ",".join(smtp_data.get("to", []) or [])).split(",")
            if a.strip()
        ),
    )
    return Config(
        db_path=db_path,
        inbox=inbox,
        reports_dir=reports_dir,
        models_dir=models_dir,
        brand_handles=brand_handles,
        field_aliases=aliases,
        ingest=ingest,
        smtp=smtp,
        tagging=tagging,
        ranking=ranking,
        alerts=alerts,
        topics=topics,
        config_file=config_file,
    )
