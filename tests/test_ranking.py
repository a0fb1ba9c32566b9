"""Ranking, NPS impact and spike alerts on synthetic data whose effects are known by construction."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from voc.alerts import benjamini_hochberg, poisson_upper_tail, spike_alerts, spike_tests
from voc.config import AlertSettings, RankingSettings
from voc.ranking import nps_impact_interval, weekly_ranking

MONDAY = dt.date(2026, 8, 31)
CODES = [f"irritant_{i:02d}" for i in range(20)]


def synthetic(weeks: int = 12, per_week: int = 600, brands=("A", "B", "C"), spike: tuple | None = None,
              seed: int = 7, drag: str | None = None):
    """Verbatims with Poisson-flat irritant mentions; optional spike (code, brand, week, factor).

    drag: a code whose mentions all come from detractors (a known NPS drag).
    """
    rng = np.random.default_rng(seed)
    rates = dict(zip(CODES, np.linspace(0.01, 0.08, len(CODES))))
    v = {k: [] for k in ("verbatim_id", "week_start", "iso_week", "source", "channel", "sector", "brand", "score",
                         "effort", "stages")}
    t = {k: [] for k in ("verbatim_id", "kind", "code", "stage", "score")}
    n = 0
    for w in range(weeks):
        start = MONDAY + dt.timedelta(weeks=w)
        iso = f"{start.isocalendar()[0]}-W{start.isocalendar()[1]:02d}"
        for _ in range(per_week):
            n += 1
            vid = f"v{n}"
            brand = brands[rng.integers(len(brands))]
            mentioned = [c for c in CODES if rng.random() < rates[c] * (
                spike[3] if spike and c == spike[0] and brand == spike[1] and w == spike[2] else 1)]
            if drag and drag in mentioned:
                score = int(rng.integers(0, 7))
            else:
                score = int(rng.choice([10, 9, 8, 7, 5], p=[0.3, 0.2, 0.2, 0.1, 0.2]))
            for column, value in (("verbatim_id", vid), ("week_start", start), ("iso_week", iso),
                                  ("source", "nps"), ("channel", None), ("sector", "telecom"), ("brand", brand),
                                  ("score", score), ("effort", 0.5 if mentioned else 0.1), ("stages", ["usage"])):
                v[column].append(value)
            for code in mentioned:
                for column, value in (("verbatim_id", vid), ("kind", "irritant"), ("code", code),
                                      ("stage", "usage"), ("score", 0.9)):
                    t[column].append(value)
    verbatims = pa.table(v, schema=pa.schema([
        ("verbatim_id", pa.string()), ("week_start", pa.date32()), ("iso_week", pa.string()),
        ("source", pa.string()), ("channel", pa.string()), ("sector", pa.string()), ("brand", pa.string()),
        ("score", pa.int8()), ("effort", pa.float64()), ("stages", pa.list_(pa.string()))]))
    tags = pa.table(t, schema=pa.schema([("verbatim_id", pa.string()), ("kind", pa.string()), ("code", pa.string()),
                                         ("stage", pa.string()), ("score", pa.float64())]))
    emotions = pa.table({"verbatim_id": pa.array([], pa.string()), "emotion": pa.array([], pa.string()),
                         "intensity": pa.array([], pa.float64())})
    return verbatims, tags, emotions


@pytest.fixture(scope="module")
def flat():
    return synthetic()


@pytest.fixture(scope="module")
def flat_ranking(flat):
    return weekly_ranking(*flat)


def test_nps_impact_is_nps_all_minus_nps_without_the_code():
    verbatims, tags, emotions = synthetic(weeks=2, drag="irritant_19")
    ranking = weekly_ranking(verbatims, tags, emotions).to_pandas()
    v = verbatims.to_pandas()
    t = tags.to_pandas()
    week = v["iso_week"].iloc[0]
    in_week = v[v["iso_week"] == week]
    mentioning = set(t[t["code"] == "irritant_19"]["verbatim_id"]) & set(in_week["verbatim_id"])

    def nps(scores):
        return 100 * ((scores >= 9).mean() - (scores <= 6).mean())

    expected = nps(in_week["score"]) - nps(in_week[~in_week["verbatim_id"].isin(mentioning)]["score"])
    row = ranking[(ranking["iso_week"] == week) & (ranking["segment_type"] == "all")
                  & (ranking["code"] == "irritant_19")].iloc[0]
    assert row["nps_impact"] == pytest.approx(expected)
    assert row["nps_impact"] < -2  # all its mentions are detractors: it drags NPS down
    assert row["nps_impact_low"] < row["nps_impact"] < row["nps_impact_high"]
    # A code mentioned by a random mix of respondents has an interval that straddles zero more often than not.
    others = ranking[(ranking["iso_week"] == week) & (ranking["segment_type"] == "all")
                     & (ranking["code"] != "irritant_19")]
    straddles = ((others["nps_impact_low"] <= 0) & (others["nps_impact_high"] >= 0)).mean()
    assert straddles >= 0.6


def test_the_bootstrap_interval_covers_the_true_impact_about_90_percent_of_the_time():
    rng = np.random.default_rng(3)
    probabilities = np.array([0.02, 0.03, 0.10, 0.40, 0.25, 0.20])  # mention x (P, passive, D), then without
    p_all = probabilities[0] + probabilities[3]
    d_all = probabilities[2] + probabilities[5]
    without = probabilities[3:].sum()
    truth = 100 * (p_all - d_all) - 100 * (probabilities[3] - probabilities[5]) / without
    covered = 0
    trials = 200
    for i in range(trials):
        cells = rng.multinomial(800, probabilities).astype(float)
        low, high = nps_impact_interval(cells, 400, 0.90, seed=i)
        covered += low <= truth <= high
    assert 0.82 <= covered / trials <= 0.97


def test_ranking_is_deterministic_and_complete(flat, flat_ranking):
    again = weekly_ranking(*flat)
    assert again.equals(flat_ranking)
    df = flat_ranking.to_pandas()
    assert set(df["segment_type"]) == {"all", "source", "sector", "brand", "stage"}
    overall = df[df["segment_type"] == "all"]
    for _, week in overall.groupby("iso_week"):
        assert sorted(week["rank"]) == list(range(1, len(week) + 1))
        assert week.sort_values("rank")["priority"].is_monotonic_decreasing
        assert (week["share"] == week["volume"] / week["verbatims"]).all()
        assert week["priority"].between(0, 100).all()
    first_week = overall["iso_week"].min()
    assert overall[overall["iso_week"] == first_week]["trend_ratio"].isna().all()  # no history yet
    later = overall[overall["iso_week"] > first_week]
    assert later["rank_prev"].notna().mean() > 0.9
    assert (later["rank_change"] == later["rank_prev"] - later["rank"]).all()


def test_trend_compares_with_the_mean_of_the_previous_four_weeks(flat_ranking):
    df = flat_ranking.to_pandas()
    series = df[(df["segment_type"] == "all") & (df["code"] == "irritant_10")].sort_values("week_start")
    volumes = series["volume"].to_numpy(dtype=float)
    assert series["volume_prev_avg"].iloc[6] == pytest.approx(volumes[2:6].mean())
    assert series["trend_ratio"].iloc[6] == pytest.approx(volumes[6] / volumes[2:6].mean())


def test_flat_series_raise_no_alert(flat_ranking):
    tests = spike_tests(flat_ranking, AlertSettings(segment_types=("all", "brand")))
    assert len(tests) > 300  # many irritant x segment x week cells were tested ...
    assert tests["p_value"].min() < 0.05  # ... some look odd by chance ...
    assert not tests["is_alert"].any()  # ... and false alarms are controlled


@pytest.mark.parametrize("factor", [2.5, 3.0])
def test_a_planted_spike_is_found_and_nothing_else(factor):
    # irritant_12 is in about 5 % of a brand's 400 weekly verbatims: ~20 a week, 50-60 in the spike week.
    ranking = weekly_ranking(*synthetic(spike=("irritant_12", "B", 10, factor), per_week=1200, seed=11))
    alerts = spike_alerts(ranking, AlertSettings(segment_types=("all", "brand")))
    found = {(str(a.week_start.date()), a.segment_value, a.code) for a in alerts.itertuples()}
    spike_week = str(MONDAY + dt.timedelta(weeks=10))
    assert (spike_week, "B", "irritant_12") in found
    assert {f for f in found if f[2] != "irritant_12"} == set()


def test_poisson_tail_and_benjamini_hochberg_match_known_values():
    assert poisson_upper_tail(0, 3.0) == 1.0
    assert poisson_upper_tail(1, 3.0) == pytest.approx(1 - np.exp(-3.0))
    assert poisson_upper_tail(10, 3.0) == pytest.approx(0.0011025, rel=1e-3)
    assert poisson_upper_tail(200, 100.0) < 1e-15
    q = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.5]))
    assert q == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])


def test_ranking_settings_are_used():
    verbatims, tags, emotions = synthetic(weeks=6)
    short = weekly_ranking(verbatims, tags, emotions, RankingSettings(trend_weeks=1)).to_pandas()
    row = short[(short["segment_type"] == "all") & (short["code"] == "irritant_15")].sort_values("week_start")
    assert row["volume_prev_avg"].iloc[3] == row["volume"].iloc[2]


def test_binomial_tail_matches_known_values():
    from voc.alerts import binomial_upper_tail

    assert binomial_upper_tail(0, 10, 0.5) == 1.0
    assert binomial_upper_tail(10, 10, 0.5) == pytest.approx(0.5 ** 10)
    assert binomial_upper_tail(8, 10, 0.5) == pytest.approx(56 / 1024)
