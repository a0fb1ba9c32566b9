"""Emerging-issue alerts: weekly spike tests per irritant and segment, with false alarms controlled.

For each week, segment and irritant, the count of verbatims that mention it is compared
with what its share over the trailing weeks predicts for this week's volume (so a busier
week does not raise alarms by itself): a one-sided Poisson test. Many irritants x
segments are tested every week, so p-values are adjusted with Benjamini-Hochberg, and an
alert also needs a minimum count and a minimum ratio to the baseline, so that tiny
codes do not alarm on 2 -> 5.

Pure: an Arrow table of weekly counts in (the ranking's output), alerts out.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa

from voc.config import AlertSettings


def poisson_upper_tail(observed: int, expected: float) -> float:
    """P(X >= observed) for X ~ Poisson(expected), computed in log space (stable for big counts)."""
    if observed <= 0:
        return 1.0
    if expected <= 0:
        return 0.0
    # Sum the upper tail directly from the mode side: terms decrease once i > expected.
    log_term = -expected + observed * math.log(expected) - math.lgamma(observed + 1)
    total, i, term = 0.0, observed, log_term
    while True:
        value = math.exp(term)
        total += value
        i += 1
        term += math.log(expected) - math.log(i)
        if value < 1e-17 * max(total, 1e-300) and i > expected:
            break
        if i > observed + 100000:
            break
    return min(1.0, total)


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summed in log space."""
    if k <= 0:
        return 1.0
    if k > n or p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q
             for i in range(k, n + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Adjusted p-values (q-values) of the Benjamini-Hochberg step-up procedure."""
    p = np.asarray(p_values, dtype=float)
    n = p.size
    if n == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * n / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(q, 1.0)
    return out


def spike_tests(ranking: pa.Table, settings: AlertSettings = AlertSettings()) -> pd.DataFrame:
    """Every tested (week, segment, irritant) with observed, expected, ratio, p and q values."""
    df = ranking.to_pandas()
    df = df[(df["kind"] == "irritant") & df["segment_type"].isin(settings.segment_types)]
    if df.empty:
        return _empty_tests()
    df["week_start"] = pd.to_datetime(df["week_start"])
    segments = df[["week_start", "segment_type", "segment_value", "verbatims"]].drop_duplicates(
        ["week_start", "segment_type", "segment_value"])
    weeks = np.sort(df["week_start"].unique())
    totals = segments.pivot_table(index=["segment_type", "segment_value"], columns="week_start",
                                  values="verbatims", fill_value=0).reindex(columns=weeks, fill_value=0)
    counts = df.pivot_table(index=["segment_type", "segment_value", "code"], columns="week_start",
                            values="volume", fill_value=0).reindex(columns=weeks, fill_value=0)
    seg_totals = totals.reindex(counts.index.droplevel("code")).to_numpy(dtype=float)
    volumes = counts.to_numpy(dtype=float)
    rows = []
    for j, week in enumerate(weeks):
        lo = max(0, j - settings.baseline_weeks)
        prev_n = seg_totals[:, lo:j]
        prev_v = volumes[:, lo:j]
        history = (prev_n > 0).sum(axis=1)
        prev_volume = prev_v.sum(axis=1)
        prev_total = prev_n.sum(axis=1)
        if j - lo >= 4:
            # Robust baseline: leave out the week with the highest share, so that the second
            # week of a spike is still compared with normal weeks.
            with np.errstate(invalid="ignore", divide="ignore"):
                shares = np.where(prev_n > 0, prev_v / np.maximum(prev_n, 1), -1.0)
            top = shares.argmax(axis=1)
            rows_idx = np.arange(len(top))
            prev_volume = prev_volume - prev_v[rows_idx, top]
            prev_total = prev_total - prev_n[rows_idx, top]
        observed = volumes[:, j]
        # Only cells that could raise an alert enter the family of tests (and the BH correction).
        testable = (history >= settings.min_baseline_weeks) & (seg_totals[:, j] > 0) \
            & (observed >= settings.min_volume) & (prev_total > 0)
        for i in np.flatnonzero(testable):
            # Jeffreys-smoothed share: a code never seen before still has a small expected count.
            share = (prev_volume[i] + 0.5) / (prev_total[i] + 1.0)
            expected = share * seg_totals[i, j]
            segment_type, segment_value, code = counts.index[i]
            # Exact conditional test of two Poisson rates: given all mentions (this week + baseline),
            # this week's part is binomial with its share of the verbatims. Unlike a plain Poisson
            # test against the baseline mean, it knows that a short baseline is itself uncertain.
            k, b = int(observed[i]), int(prev_volume[i])
            p_value = binomial_upper_tail(k, k + b, seg_totals[i, j] / (seg_totals[i, j] + prev_total[i]))
            rows.append((week, segment_type, segment_value, code, k, float(expected),
                         float(seg_totals[i, j]), float(prev_volume[i]), float(prev_total[i]), p_value))
    tests = pd.DataFrame(rows, columns=["week_start", "segment_type", "segment_value", "code", "observed",
                                        "expected", "verbatims", "baseline_volume", "baseline_verbatims", "p_value"])
    if tests.empty:
        return _empty_tests()
    tests["ratio"] = tests["observed"] / tests["expected"]
    tests["q_value"] = tests.groupby("week_start")["p_value"].transform(lambda p: benjamini_hochberg(p.to_numpy()))
    tests["is_alert"] = ((tests["q_value"] <= settings.fdr) & (tests["observed"] >= settings.min_volume)
                         & (tests["ratio"] >= settings.min_ratio))
    return tests


def spike_alerts(ranking: pa.Table, settings: AlertSettings = AlertSettings()) -> pd.DataFrame:
    """Only the tests that raise an alert, strongest first within each week."""
    tests = spike_tests(ranking, settings)
    alerts = tests[tests["is_alert"]].drop(columns="is_alert")
    return alerts.sort_values(["week_start", "q_value", "ratio"], ascending=[True, True, False]).reset_index(drop=True)


def _empty_tests() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in {
        "week_start": "datetime64[ns]", "segment_type": "object", "segment_value": "object", "code": "object",
        "observed": "int64", "expected": "float64", "verbatims": "float64", "baseline_volume": "float64",
        "baseline_verbatims": "float64", "p_value": "float64", "ratio": "float64", "q_value": "float64",
        "is_alert": "bool"}.items()})


def alerts_table(alerts: pd.DataFrame, verbatims: pa.Table, tags: pa.Table, *, model_version: str,
                 computed_at, samples: int = 5) -> pa.Table:
    """Alerts as the rows of nlp.alerts, each with its stable id and its sample verbatims."""
    import hashlib

    from voc.ranking import segment_memberships

    columns = ["alert_id", "alert_type", "iso_week", "week_start", "segment_type", "segment_value", "code",
               "observed", "expected", "ratio", "verbatims", "baseline_volume", "baseline_verbatims", "p_value",
               "q_value", "sample_verbatim_ids", "model_version", "first_detected_at", "computed_at"]
    if alerts.empty:
        return pa.Table.from_pandas(pd.DataFrame({c: pd.Series(dtype="object") for c in columns}),
                                    preserve_index=False).cast(_alert_schema())
    v = verbatims.to_pandas()[["verbatim_id", "week_start", "iso_week", "source", "channel", "sector", "brand",
                               "stages"]]
    v["week_start"] = pd.to_datetime(v["week_start"])
    t = tags.to_pandas()
    t = t[t["kind"] == "irritant"][["verbatim_id", "code", "score"]]
    members = segment_memberships(v).merge(v[["verbatim_id", "week_start", "iso_week"]], on="verbatim_id")
    hits = members.merge(t, on="verbatim_id").merge(
        alerts[["week_start", "segment_type", "segment_value", "code"]],
        on=["week_start", "segment_type", "segment_value", "code"])
    hits = hits.sort_values(["score", "verbatim_id"], ascending=[False, True])
    keys = ["week_start", "segment_type", "segment_value", "code"]
    picked = hits.groupby(keys)["verbatim_id"].apply(lambda s: list(s.head(samples))).rename("sample_verbatim_ids")
    weeks = members.drop_duplicates("week_start").set_index("week_start")["iso_week"]
    out = alerts.merge(picked.reset_index(), on=keys, how="left")
    out["sample_verbatim_ids"] = out["sample_verbatim_ids"].apply(lambda x: x if isinstance(x, list) else [])
    out["iso_week"] = out["week_start"].map(weeks)
    out["alert_type"] = "spike"
    out["alert_id"] = [hashlib.sha256(f"spike|{r.iso_week}|{r.segment_type}|{r.segment_value}|{r.code}".encode())
                       .hexdigest()[:16] for r in out.itertuples()]
    out["model_version"] = model_version
    out["first_detected_at"] = computed_at
    out["computed_at"] = computed_at
    out["week_start"] = out["week_start"].dt.date
    return pa.Table.from_pandas(out[columns], preserve_index=False).cast(_alert_schema())


def _alert_schema() -> pa.Schema:
    return pa.schema([
        ("alert_id", pa.string()), ("alert_type", pa.string()), ("iso_week", pa.string()),
        ("week_start", pa.date32()), ("segment_type", pa.string()), ("segment_value", pa.string()),
        ("code", pa.string()), ("observed", pa.int64()), ("expected", pa.float64()), ("ratio", pa.float64()),
        ("verbatims", pa.float64()), ("baseline_volume", pa.float64()), ("baseline_verbatims", pa.float64()),
        ("p_value", pa.float64()), ("q_value", pa.float64()), ("sample_verbatim_ids", pa.list_(pa.string())),
        ("model_version", pa.string()), ("first_detected_at", pa.timestamp("us", tz="UTC")),
        ("computed_at", pa.timestamp("us", tz="UTC")),
    ])
