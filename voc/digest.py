"""The weekly irritant digest for quality teams: build it from the ranking, render it, write it.

`build_digest` turns the store's Arrow tables into a `Digest` (pure); `render_charts`
draws the PNGs with matplotlib; `render_html`, `render_markdown` and `render_text` give
the three forms; `write_digest` puts them in reports/YYYY-Www/. Texts shown are PII-free
(stored redacted, and redacted again here) and HTML-escaped by the template engine.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from voc.pii import redact
from voc.progress import french_number
from voc.ranking import PRIORITY_FORMULA

RESOURCES = Path(__file__).parent / "resources"
MINUS = "\u2212"
NNBSP = "\u202f"


# ---------------------------------------------------------------------------- French formatting


def fr_int(value: float | int | None) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else french_number(value)


def fr_decimal(value: float | None, decimals: int = 1, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = french_number(abs(value), decimals)
    if value < 0 and text.strip("0,") != "":
        return MINUS + text
    return ("+" + text) if signed and value > 0 else text


def fr_percent(share: float | None, decimals: int = 1) -> str:
    return "–" if share is None or (isinstance(share, float) and math.isnan(share)) \
        else f"{fr_decimal(100 * share, decimals)}{NNBSP}%"


def fr_points(value: float | None) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{fr_decimal(value, 1, signed=True)}{NNBSP}pt"


def fr_interval(low: float | None, high: float | None) -> str:
    if low is None or high is None or any(isinstance(x, float) and math.isnan(x) for x in (low, high)):
        return "n.s. (trop peu de réponses NPS)"
    return f"[{fr_decimal(low, 1, signed=True)} ; {fr_decimal(high, 1, signed=True)}]"


def fr_rank_change(change: float | None) -> str:
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return "nouveau"
    change = int(change)
    return "=" if change == 0 else (f"▲{NNBSP}{change}" if change > 0 else f"▼{NNBSP}{-change}")


def fr_date(day: dt.date) -> str:
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre"]
    return f"{day.day} {months[day.month - 1]} {day.year}"


# ---------------------------------------------------------------------------- the digest as data


@dataclass
class Sample:
    text: str
    evidence: str
    source: str
    brand: str | None


@dataclass
class CodeLine:
    code: str
    label: str
    stage_label: str
    rank: int
    rank_change: str
    volume: int
    share: str
    nps_impact: str
    nps_interval: str
    severity: str
    effort: str
    trend: str
    priority: str
    history: list[int]
    samples: list[Sample] = field(default_factory=list)


@dataclass
class AlertLine:
    label: str
    segment: str
    observed: int
    expected: str
    ratio: str
    q_value: str
    samples: list[str]


@dataclass
class ProposalLine:
    proposal_id: str
    keywords: str
    size: int
    weekly_counts: str
    growth: str
    samples: list[str]


@dataclass
class StageLine:
    stage: str
    label: str
    verbatims: int
    negative_share: str
    top_irritant: str


@dataclass
class Digest:
    iso_week: str
    week_start: dt.date
    title: str
    period: str
    verbatims: int
    respondents: int
    nps: str
    nps_change: str
    irritants: list[CodeLine]
    enchantements: list[CodeLine]
    alerts: list[AlertLine]
    stages: list[StageLine]
    history_weeks: list[str]
    proposals: list[ProposalLine] = field(default_factory=list)
    formula: str = PRIORITY_FORMULA
    charts: dict[str, str] = field(default_factory=dict)  # chart name -> file name


def _rows(table: pa.Table) -> list[dict]:
    return table.to_pylist()


def _trend(ratio: float | None) -> str:
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return "nouveau"
    return fr_decimal(100 * (ratio - 1), 0, signed=True) + f"{NNBSP}%"


def build_digest(inputs: dict[str, pa.Table], iso_week: str) -> Digest:
    """The digest of one week from `store.digest_inputs` (pure)."""
    labels = {(r["kind"], r["code"]): r["label"] for r in _rows(inputs["labels"])}
    weeks = _rows(inputs["weeks"])
    if not weeks or weeks[-1]["iso_week"] != iso_week:
        raise ValueError(f"The inputs hold no totals for week {iso_week}.")
    this, previous = weeks[-1], (weeks[-2] if len(weeks) > 1 else None)
    week_starts = [w["week_start"] for w in weeks]
    history: dict[tuple[str, str], dict] = {}
    for r in _rows(inputs["history"]):
        history.setdefault((r["kind"], r["code"]), {})[r["week_start"]] = r["volume"]
    samples: dict[tuple[str, str], list[Sample]] = {}
    for r in _rows(inputs["samples"]):
        samples.setdefault((r["kind"], r["code"]), []).append(
            Sample(redact(r["text"]), redact(r["evidence"]), r["source"], r["brand"]))

    def line(r: dict, kind: str) -> CodeLine:
        series = history.get((kind, r["code"]), {})
        return CodeLine(
            code=r["code"], label=r.get("label") or labels.get((kind, r["code"]), r["code"]),
            stage_label=r.get("stage_label") or labels.get(("stage", r.get("stage")), r.get("stage") or ""),
            rank=int(r["rank"]), rank_change=fr_rank_change(r.get("rank_change")), volume=int(r["volume"]),
            share=fr_percent(r["share"]), nps_impact=fr_points(r.get("nps_impact")),
            nps_interval=fr_interval(r.get("nps_impact_low"), r.get("nps_impact_high")),
            severity=fr_decimal(r.get("severity", float("nan")), 2), effort=fr_decimal(r.get("effort", float("nan")), 2),
            trend=_trend(r.get("trend_ratio")), priority=fr_decimal(r["priority"], 0),
            history=[int(series.get(w, 0)) for w in week_starts], samples=samples.get((kind, r["code"]), []),
        )

    negative = {r["stage"]: r for r in _rows(inputs["sentiment_by_stage"])}
    stages = [StageLine(stage=r["stage"], label=r["stage_label"] or r["stage"], verbatims=int(r["verbatims"]),
                        negative_share=fr_percent(negative.get(r["stage"], {}).get("negative_share")),
                        top_irritant=r["top_irritant_label"] or r["top_irritant"] or "–")
              for r in _rows(inputs["stages"])]
    alerts = []
    for r in _rows(inputs["alerts"]):
        sample_texts = [redact(t) for t in (r.get("sample_texts") or [])[:3]]
        segment = "tous les verbatims" if r["segment_type"] == "all" else f"{r['segment_type']} = {r['segment_value']}"
        alerts.append(AlertLine(label=r["label"] or r["code"], segment=segment, observed=int(r["observed"]),
                                expected=fr_decimal(r["expected"], 1), ratio=f"×{NNBSP}{fr_decimal(r['ratio'], 1)}",
                                q_value=fr_decimal(r["q_value"], 4), samples=sample_texts))
    proposals = [ProposalLine(proposal_id=r["proposal_id"], keywords=", ".join(r["keywords"][:6]), size=int(r["size"]),
                              weekly_counts=" → ".join(str(c) for c in r["weekly_counts"]),
                              growth=f"×{NNBSP}{fr_decimal(r['growth'], 1)}",
                              samples=[redact(t) for t in (r["representative_texts"] or [])[:2]])
                 for r in _rows(inputs["proposals"])] if "proposals" in inputs else []
    week_start = this["week_start"]
    week_end = week_start + dt.timedelta(days=6)
    nps_now, nps_before = this.get("nps"), (previous or {}).get("nps")
    return Digest(
        iso_week=iso_week, week_start=week_start,
        title=f"Irritants de la semaine {iso_week}",
        period=f"du {fr_date(week_start)} au {fr_date(week_end)}",
        verbatims=int(this["verbatims"]), respondents=int(this["respondents"] or 0),
        nps=fr_decimal(nps_now, 1) if nps_now is not None else "–",
        nps_change=fr_points(nps_now - nps_before) if nps_now is not None and nps_before is not None else "–",
        irritants=[line(r, "irritant") for r in _rows(inputs["irritants"])],
        enchantements=[line(r, "enchantement") for r in _rows(inputs["enchantements"])],
        alerts=alerts, stages=stages, history_weeks=[w["iso_week"] for w in weeks], proposals=proposals,
    )


# ---------------------------------------------------------------------------- charts


def render_charts(digest: Digest, out_dir: Path) -> dict[str, str]:
    """PNG charts next to the report; returns chart name -> file name (also kept on the digest)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    out_dir.mkdir(parents=True, exist_ok=True)
    plt.rcParams.update({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
                         "axes.formatter.use_locale": False})
    french = FuncFormatter(lambda x, _pos: fr_decimal(x, 0) if float(x).is_integer() else fr_decimal(x, 1))
    charts: dict[str, str] = {}

    if digest.irritants:
        lines = digest.irritants[::-1]
        fig, ax = plt.subplots(figsize=(7.5, 0.42 * len(lines) + 1.0), dpi=110)
        bars = ax.barh([f"{c.rank}. {c.label}" for c in lines], [c.volume for c in lines], color="#c0392b")
        for bar, c in zip(bars, lines):
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f"  {fr_int(c.volume)} ({c.share})",
                    va="center", fontsize=8)
        ax.set_xlabel("verbatims de la semaine")
        ax.xaxis.set_major_formatter(french)
        ax.set_title(f"Top irritants, {digest.iso_week} (classés par priorité)", loc="left")
        ax.set_xlim(0, max(c.volume for c in lines) * 1.35)
        fig.tight_layout()
        fig.savefig(out_dir / "top_irritants.png")
        plt.close(fig)
        charts["top_irritants"] = "top_irritants.png"

        for c in digest.irritants:
            fig, ax = plt.subplots(figsize=(1.6, 0.45), dpi=110)
            ax.plot(range(len(c.history)), c.history, color="#c0392b", linewidth=1.4)
            ax.plot([len(c.history) - 1], [c.history[-1]], "o", color="#c0392b", markersize=3)
            ax.set_ylim(0, max(max(c.history), 1) * 1.15)
            ax.axis("off")
            fig.subplots_adjust(0, 0, 1, 1)
            name = f"spark_{c.code}.png"
            fig.savefig(out_dir / name, transparent=True)
            plt.close(fig)
            charts[f"spark_{c.code}"] = name

    if digest.stages:
        stages = digest.stages[::-1]
        fig, ax = plt.subplots(figsize=(7.5, 0.4 * len(stages) + 1.0), dpi=110)
        bars = ax.barh([s.label for s in stages], [s.verbatims for s in stages], color="#2c7fb8")
        for bar, s in zip(bars, stages):
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2,
                    f"  {fr_int(s.verbatims)} · {s.negative_share} négatifs", va="center", fontsize=8)
        ax.set_xlabel("verbatims de la semaine par étape du parcours")
        ax.xaxis.set_major_formatter(french)
        ax.set_xlim(0, max(s.verbatims for s in stages) * 1.45)
        ax.set_title("Parcours client", loc="left")
        fig.tight_layout()
        fig.savefig(out_dir / "stages.png")
        plt.close(fig)
        charts["stages"] = "stages.png"
    digest.charts = charts
    return charts


# ---------------------------------------------------------------------------- text forms


def _environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(RESOURCES), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["fr"] = fr_int
    return env


def render_html(digest: Digest, image_src=lambda name: f"charts/{name}") -> str:
    """The HTML report; `image_src` maps a chart file to its URL (a relative path, or cid: in the email)."""
    return _environment().get_template("digest.html.j2").render(d=digest, src=image_src)


def render_markdown(digest: Digest, image_src=lambda name: f"charts/{name}") -> str:
    d = digest
    out = [f"# {d.title}", "", f"{d.period} · {fr_int(d.verbatims)} verbatims analysés · NPS {d.nps} ({d.nps_change} "
           "vs semaine précédente)", ""]
    if "top_irritants" in d.charts:
        out += [f"![Top irritants]({image_src(d.charts['top_irritants'])})", ""]
    out += ["## Top irritants", "",
            "| rang | évol. | irritant | étape | volume | part | impact NPS [IC 90 %] | tendance | priorité |",
            "|---:|:---:|---|---|---:|---:|---|---:|---:|"]
    for c in d.irritants:
        out.append(f"| {c.rank} | {c.rank_change} | {_md(c.label)} | {_md(c.stage_label)} | {fr_int(c.volume)} | "
                   f"{c.share} | {c.nps_impact} {c.nps_interval} | {c.trend} | {c.priority} |")
    out += ["", f"_{d.formula}_", ""]
    for c in d.irritants:
        if c.samples:
            out.append(f"**{_md(c.label)}**")
            out += [f"> « {_md(s.text)} » ({s.source})" for s in c.samples]
            out.append("")
    out += ["## Irritants émergents", ""]
    if d.alerts:
        for a in d.alerts:
            out.append(f"- **{_md(a.label)}** ({_md(a.segment)}) : {a.observed} mentions pour {a.expected} attendues "
                       f"({a.ratio}, q = {a.q_value})")
            out += [f"  > « {_md(t)} »" for t in a.samples]
    else:
        out.append("Aucune hausse significative cette semaine.")
    if d.proposals:
        out += ["", "Nouveaux thèmes hors taxonomie (à qualifier avec `voc topics accept`) :"]
        for p in d.proposals:
            out.append(f"- **{_md(p.keywords)}** ({p.proposal_id}) : {p.size} verbatims, par semaine {p.weekly_counts} "
                       f"({p.growth})")
            out += [f"  > « {_md(t)} »" for t in p.samples]
    out += ["", "## Top enchantements", "", "| rang | enchantement | volume | part | impact NPS |", "|---:|---|---:|---:|---|"]
    out += [f"| {c.rank} | {_md(c.label)} | {fr_int(c.volume)} | {c.share} | {c.nps_impact} |" for c in d.enchantements]
    out += ["", "## Par étape du parcours", ""]
    if "stages" in d.charts:
        out += [f"![Parcours]({image_src(d.charts['stages'])})", ""]
    out += ["| étape | verbatims | négatifs | irritant prioritaire |", "|---|---:|---:|---|"]
    out += [f"| {_md(s.label)} | {fr_int(s.verbatims)} | {s.negative_share} | {_md(s.top_irritant)} |" for s in d.stages]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def render_text(digest: Digest) -> str:
    """Plain text for the text/plain part of the email."""
    d = digest
    out = [d.title.upper(), d.period, f"{fr_int(d.verbatims)} verbatims analysés · NPS {d.nps} ({d.nps_change})", "",
           "TOP IRRITANTS"]
    for c in d.irritants:
        out.append(f"{c.rank:>2}. {c.label} [{c.rank_change}] : {fr_int(c.volume)} verbatims ({c.share}), "
                   f"impact NPS {c.nps_impact} {c.nps_interval}, tendance {c.trend}, priorité {c.priority}")
        out += [f"      « {s.text} »" for s in c.samples[:2]]
    out += ["", "IRRITANTS ÉMERGENTS"]
    out += [f"- {a.label} ({a.segment}) : {a.observed} mentions pour {a.expected} attendues ({a.ratio})"
            for a in d.alerts] or ["Aucune hausse significative cette semaine."]
    out += [f"- Nouveau thème ({p.proposal_id}) : {p.keywords} ; {p.size} verbatims, par semaine {p.weekly_counts}"
            for p in d.proposals]
    out += ["", "TOP ENCHANTEMENTS"]
    out += [f"{c.rank:>2}. {c.label} : {fr_int(c.volume)} verbatims, impact NPS {c.nps_impact}" for c in d.enchantements]
    out += ["", "PAR ÉTAPE DU PARCOURS"]
    out += [f"- {s.label} : {fr_int(s.verbatims)} verbatims, {s.negative_share} négatifs, {s.top_irritant}"
            for s in d.stages]
    out += ["", d.formula]
    return "\n".join(out) + "\n"


@dataclass
class DigestFiles:
    folder: Path
    html: Path
    markdown: Path
    text: Path
    charts: dict[str, Path]


def write_digest(digest: Digest, reports_dir: Path) -> DigestFiles:
    """reports/YYYY-Www/: digest.html, digest.md, digest.txt and charts/*.png (rewritten atomically per file)."""
    folder = reports_dir / digest.iso_week
    charts = render_charts(digest, folder / "charts")
    files = {"digest.html": render_html(digest), "digest.md": render_markdown(digest), "digest.txt": render_text(digest)}
    for name, content in files.items():
        tmp = folder / f".{name}.tmp"
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(folder / name)
    return DigestFiles(folder, folder / "digest.html", folder / "digest.md", folder / "digest.txt",
                       {k: folder / "charts" / v for k, v in charts.items()})


def default_week(weeks: list[tuple[str, str]], today: dt.date | None = None) -> str:
    """The last complete ISO week (ended before today) that has data; else the latest week with data."""
    if not weeks:
        raise ValueError("The store has no ranked week yet; run 'voc nightly' (or 'voc demo') first.")
    today = today or dt.date.today()
    complete = [w for w, start in weeks if dt.date.fromisoformat(start) + dt.timedelta(days=7) <= today]
    return complete[-1] if complete else weeks[-1][0]
