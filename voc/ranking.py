"""Weekly ranking of irritants and enchantements per segment, with NPS impact and trend.

Pure functions: Arrow tables in (verbatims, tags, emotions of the current tagger), one
Arrow table out (what `nlp.code_weekly` stores and `mart.irritant_weekly` shows). The
priority formula is here, in one place, and documented in the README and the digest.

NPS impact is computed as CX tools do: the NPS of all respondents minus the NPS of the
respondents whose verbatim does not mention the code. It only depends on six counts
(mentions or not x promoter, passive or detractor), so the bootstrap draws those counts
from a multinomial instead of resampling rows: same distribution, a thousand times cheaper.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
import pyarrow as pa

from voc.config import RankingSettings

SEGMENT_COLUMNS = ("source", "channel", "sector", "brand")
NEGATIVE_EMOTIONS = ("colere", "frustration", "deception", "inquietude", "tristesse", "degout", "mefiance")
ANGER_DISTRUST = ("colere", "mefiance")

# Weights of the irritant priority score (they sum to 1; each component is in [0, 1]).
PRIORITY_WEIGHTS = {"share": 0.40, "nps_loss": 0.25, "severity": 0.15, "effort": 0.10, "growth": 0.10}
# Enchantements: how many mention it, and how much NPS it brings.
ENCHANTEMENT_WEIGHTS = {"share": 0.60, "nps_gain": 0.40}

PRIORITY_FORMULA = (
    "priorité = 100 × (0,40 × part relative + 0,25 × perte de NPS relative + 0,15 × sévérité "
    "+ 0,10 × effort + 0,10 × croissance)"
)


def segment_memberships(verbatims: pd.DataFrame) -> pd.DataFrame:
    """(verbatim_id, segment_type, segment_value): 'all', each segment column, and each stage."""
    parts = [pd.DataFrame({"verbatim_id": verbatims["verbatim_id"], "segment_type": "all", "segment_value": "all"})]
    for column in SEGMENT_COLUMNS:
        present = verbatims[verbatims[column].notna() & (verbatims[column].astype(str) != "")]
        parts.append(pd.DataFrame({"verbatim_id": present["verbatim_id"], "segment_type": column,
                                   "segment_value": present[column].astype(str)}))
    stages = verbatims[["verbatim_id", "stages"]].explode("stages").dropna()
    parts.append(pd.DataFrame({"verbatim_id": stages["verbatim_id"], "segment_type": "stage",
                               "segment_value": stages["stages"].astype(str)}))
    return pd.concat(parts, ignore_index=True)


def _verbatim_frame(verbatims: pa.Table, emotions: pa.Table) -> pd.DataFrame:
    v = verbatims.to_pandas()
    e = emotions.to_pandas()
    neg = e[e["emotion"].isin(NEGATIVE_EMOTIONS)].groupby("verbatim_id")["intensity"].max()
    anger = e[e["emotion"].isin(ANGER_DISTRUST)].groupby("verbatim_id")["intensity"].max()
    v["severity"] = v["verbatim_id"].map(neg).fillna(0.0).astype(float)
    v["anger_distrust"] = v["verbatim_id"].map(anger).notna().astype(float)
    score = v["score"].astype("Float64")
    v["promoter"] = (score >= 9).fillna(False).astype(int)
    v["detractor"] = (score <= 6).fillna(False).astype(int)
    v["respondent"] = score.notna().astype(int)
    v["effort"] = v["effort"].astype(float)
    v["week_start"] = pd.to_datetime(v["week_start"])
    return v


def _nps(promoters, detractors, respondents):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(respondents > 0, 100.0 * (promoters - detractors) / np.maximum(respondents, 1), np.nan)


def nps_impact_interval(cells: np.ndarray, samples: int, interval: float, seed: int) -> tuple[float, float]:
    """Bootstrap interval of the NPS impact from the six cell counts.

    cells = [promoters, passives, detractors] mentioning, then the same not mentioning.
    """
    n = int(cells.sum())
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, cells / n, size=samples).astype(float)
    p_all = draws[:, 0] + draws[:, 3]
    d_all = draws[:, 2] + draws[:, 5]
    n_without = draws[:, 3:].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        impact = 100.0 * (p_all - d_all) / n - 100.0 * (draws[:, 3] - draws[:, 5]) / n_without
    impact = impact[np.isfinite(impact)]
    if impact.size == 0:
        return float("nan"), float("nan")
    tail = (1 - interval) / 2 * 100
    low, high = np.percentile(impact, [tail, 100 - tail])
    return float(low), float(high)


def _seed(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def weekly_ranking(verbatims: pa.Table, tags: pa.Table, emotions: pa.Table,
                   settings: RankingSettings = RankingSettings()) -> pa.Table:
    """One row per ISO week x segment x code mentioned that week, ranked by priority.

    verbatims: verbatim_id, week_start (Monday, Paris time), iso_week, source, channel,
    sector, brand, score, effort, stages; tags: verbatim_id, kind, code, stage, score;
    emotions: verbatim_id, emotion, intensity. Only tagged French verbatims belong here.
    """
    if verbatims.num_rows == 0:
        return pa.Table.from_pandas(_empty(), preserve_index=False)
    v = _verbatim_frame(verbatims, emotions)
    seg = segment_memberships(v).merge(
        v[["verbatim_id", "week_start", "iso_week", "promoter", "detractor", "respondent", "severity",
           "anger_distrust", "effort"]], on="verbatim_id")
    keys = ["week_start", "segment_type", "segment_value"]
    denominators = seg.groupby(keys, as_index=False).agg(
        iso_week=("iso_week", "first"), verbatims=("verbatim_id", "size"), respondents=("respondent", "sum"),
        promoters=("promoter", "sum"), detractors=("detractor", "sum"))

    t = tags.to_pandas()[["verbatim_id", "kind", "code", "stage", "score"]]
    t = t.groupby(["verbatim_id", "kind", "code"], as_index=False).agg(stage=("stage", "first"), score=("score", "max"))
    mentions = seg.merge(t[["verbatim_id", "kind", "code"]], on="verbatim_id")
    per_code = mentions.groupby([*keys, "kind", "code"], as_index=False).agg(
        volume=("verbatim_id", "size"), severity=("severity", "mean"),
        anger_distrust_share=("anger_distrust", "mean"), effort=("effort", "mean"),
        respondents_mentioning=("respondent", "sum"), promoters_mentioning=("promoter", "sum"),
        detractors_mentioning=("detractor", "sum"))

    # Trend: the mean volume of the previous weeks, zeros included for weeks without mention.
    weeks = np.sort(denominators["week_start"].unique())
    grid = per_code[[*keys, "kind", "code", "volume"]].pivot_table(
        index=["segment_type", "segment_value", "kind", "code"], columns="week_start", values="volume",
        fill_value=0).reindex(columns=weeks, fill_value=0)
    volumes = grid.to_numpy(dtype=float)
    previous = np.full_like(volumes, np.nan)
    for j in range(volumes.shape[1]):
        lo = max(0, j - settings.trend_weeks)
        if j > lo:
            previous[:, j] = volumes[:, lo:j].mean(axis=1)
    baseline = pd.DataFrame(previous, index=grid.index, columns=weeks).stack(future_stack=True)
    baseline.name = "volume_prev_avg"
    per_code = per_code.merge(baseline.reset_index().rename(columns={"level_4": "week_start"}),
                              on=["segment_type", "segment_value", "kind", "code", "week_start"], how="left")

    df = per_code.merge(denominators, on=keys)
    stage_of = t.drop_duplicates("code").set_index("code")["stage"]
    df["stage"] = df["code"].map(stage_of)
    df["share"] = df["volume"] / df["verbatims"]
    df["nps"] = _nps(df["promoters"], df["detractors"], df["respondents"])
    n_without = df["respondents"] - df["respondents_mentioning"]
    df["nps_without"] = _nps(df["promoters"] - df["promoters_mentioning"],
                             df["detractors"] - df["detractors_mentioning"], n_without)
    df["nps_impact"] = np.where(df["respondents_mentioning"] > 0, df["nps"] - df["nps_without"], np.nan)
    lows, highs = [], []
    for row in df[["iso_week", "segment_type", "segment_value", "code", "respondents", "respondents_mentioning",
                   "promoters", "detractors", "promoters_mentioning", "detractors_mentioning"]].itertuples(index=False):
        if row.respondents < settings.min_respondents or row.respondents_mentioning == 0 \
                or row.respondents_mentioning == row.respondents:
            lows.append(np.nan)
            highs.append(np.nan)
            continue
        pm, dm = row.promoters_mentioning, row.detractors_mentioning
        po, do = row.promoters - pm, row.detractors - dm
        cells = np.array([pm, row.respondents_mentioning - pm - dm, dm,
                          po, row.respondents - row.respondents_mentioning - po - do, do], dtype=float)
        low, high = nps_impact_interval(cells, settings.bootstrap_samples, settings.interval,
                                        _seed(row.iso_week, row.segment_type, row.segment_value, row.code))
        lows.append(low)
        highs.append(high)
    df["nps_impact_low"] = lows
    df["nps_impact_high"] = highs
    with np.errstate(invalid="ignore", divide="ignore"):
        df["trend_ratio"] = np.where(df["volume_prev_avg"] > 0, df["volume"] / df["volume_prev_avg"], np.nan)
    df = _priority(df)
    df["week_start"] = df["week_start"].dt.date
    return pa.Table.from_pandas(df[list(_empty().columns)], preserve_index=False)


def _priority(df: pd.DataFrame) -> pd.DataFrame:
    group = ["week_start", "segment_type", "segment_value", "kind"]
    share_rel = df["share"] / df.groupby(group)["share"].transform("max")
    loss = (-df["nps_impact"]).clip(lower=0).fillna(0)
    gain = df["nps_impact"].clip(lower=0).fillna(0)
    loss_rel = (loss / df.assign(_l=loss).groupby(group)["_l"].transform("max")).fillna(0)
    gain_rel = (gain / df.assign(_g=gain).groupby(group)["_g"].transform("max")).fillna(0)
    growth = ((df["trend_ratio"] - 1) / 2).clip(0, 1)
    # New this week (no mention in the previous weeks) with some volume: full growth.
    growth = growth.where(df["volume_prev_avg"] != 0, np.where(df["volume"] >= 3, 1.0, 0.0)).fillna(0)
    w, e = PRIORITY_WEIGHTS, ENCHANTEMENT_WEIGHTS
    irritant = 100 * (w["share"] * share_rel + w["nps_loss"] * loss_rel + w["severity"] * df["severity"]
                      + w["effort"] * df["effort"] + w["growth"] * growth)
    enchantement = 100 * (e["share"] * share_rel + e["nps_gain"] * gain_rel)
    df["growth"] = growth
    df["priority"] = np.where(df["kind"] == "irritant", irritant, enchantement).round(2)
    df = df.sort_values([*group, "priority", "volume", "code"], ascending=[True, True, True, True, False, False, True])
    df["rank"] = df.groupby(group).cumcount() + 1
    prev = df[[*group, "code", "rank"]].copy()
    prev["week_start"] = prev["week_start"] + pd.Timedelta(days=7)
    df = df.merge(prev.rename(columns={"rank": "rank_prev"}), on=[*group, "code"], how="left")
    df["rank_change"] = df["rank_prev"] - df["rank"]
    return df


def _empty() -> pd.DataFrame:
    columns = {
        "iso_week": "object", "week_start": "object", "segment_type": "object", "segment_value": "object",
        "kind": "object", "code": "object", "stage": "object", "rank": "int64", "rank_prev": "float64",
        "rank_change": "float64", "priority": "float64", "volume": "int64", "verbatims": "int64",
        "share": "float64", "severity": "float64", "anger_distrust_share": "float64", "effort": "float64",
        "respondents": "int64", "respondents_mentioning": "int64", "nps": "float64", "nps_without": "float64",
        "nps_impact": "float64", "nps_impact_low": "float64", "nps_impact_high": "float64",
        "volume_prev_avg": "float64", "trend_ratio": "float64", "growth": "float64",
    }
    return pd.DataFrame({k: pd.Series(dtype=t) for k, t in columns.items()})
