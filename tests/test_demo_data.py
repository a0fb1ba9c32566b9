"""Tests of the demo-data generator (voc.demo_data) and of the fixed sample in data/sample."""

from __future__ import annotations

import collections
import csv
import json
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from voc import demo_data as dd

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO / "data" / "sample"
PARIS = ZoneInfo("Europe/Paris")
SPEC = dd.DemoSpec()
START = datetime(2026, 8, 31, 0, 0, tzinfo=PARIS)
END = datetime(2026, 11, 22, 23, 59, 59, tzinfo=PARIS)
WEEKS = [f"2026-W{w}" for w in range(36, 48)]
FIVE_SECTORS = {"energie", "telecom", "ecommerce", "banque", "transport"}


@pytest.fixture(scope="module")
def data() -> dd.DemoData:
    return dd.generate(SPEC)


@pytest.fixture(scope="module")
def truth(data) -> list[dict]:
    return data.truth.to_pylist()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    return dd.write_sample(tmp_path_factory.mktemp("sample"), SPEC)


@pytest.fixture(scope="module")
def rows(data) -> dict[str, list[dict]]:
    return {s: getattr(data, s).to_pylist() for s in ("complaints", "nps", "social")}


ID_COL = {"complaints": "N° ticket", "nps": "response_id", "social": "post_id"}
TEXT_COL = {"complaints": "Verbatim", "nps": "why", "social": "text"}
DATE_COL = {"complaints": "Date de création", "nps": "submitted_at", "social": "created_at"}


def _by_key(truth):
    return {(t["source"], t["source_id"]): t for t in truth}


def _themes(t) -> list[str]:
    return [c for c in t["themes"].split(";") if c]


def _parse_date(source: str, value: str) -> datetime:
    if source == "complaints":
        return datetime.strptime(value, "%d/%m/%Y %H:%M").replace(tzinfo=PARIS)
    if source == "nps":
        d = datetime.fromisoformat(value)
        assert d.tzinfo is not None
        return d
    if not value.endswith("Z"):
        raise ValueError(value)
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def _parse_score(raw: str) -> int | None:
    raw = raw.strip()
    m = re.fullmatch(r"(\d{1,2})(?:/10|\.0)?", raw)
    if not m or int(m.group(1)) > 10:
        return None
    return int(m.group(1))


def _weekly(truth, pred) -> list[int]:
    c = collections.Counter(t["week"] for t in truth if pred(t))
    return [c.get(w, 0) for w in WEEKS]


# ---------------------------------------------------------------------------
# Determinism and the committed sample
# ---------------------------------------------------------------------------


def test_same_bytes_on_every_run(tmp_path, files):
    again = dd.write_sample(tmp_path / "again", SPEC)
    assert set(again) == {"complaints", "nps", "social", "truth"}
    for key, path in files.items():
        assert again[key].read_bytes() == path.read_bytes(), key


def test_same_bytes_in_another_process_with_another_hash_seed(tmp_path, files):
    code = ("import sys; from pathlib import Path; from voc import demo_data as dd; "
            "dd.write_sample(Path(sys.argv[1]))")
    for seed in ("1", "12345"):
        out = tmp_path / f"p{seed}"
        subprocess.run([sys.executable, "-c", code, str(out)], check=True, cwd=REPO,
                       env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})
        for key, path in files.items():
            assert (out / path.name).read_bytes() == path.read_bytes(), (seed, key)


def test_committed_sample_matches_generator(files):
    for key, path in files.items():
        committed = SAMPLE_DIR / path.name
        assert committed.exists(), f"{committed} missing: run write_sample(Path('data/sample'))"
        assert committed.read_bytes() == path.read_bytes(), f"{committed.name} is stale"


def test_other_seed_gives_other_data():
    small = dd.DemoSpec(n_complaints=200, n_nps=200, n_social=200)
    a = dd.generate(small)
    b = dd.generate(dd.DemoSpec(seed=7, n_complaints=200, n_nps=200, n_social=200))
    assert a.complaints.column("Verbatim").to_pylist() != b.complaints.column("Verbatim").to_pylist()
    assert dd.generate(small).nps.equals(a.nps)


def test_generate_and_write_sample_agree(data, files):
    with open(files["truth"], encoding="utf-8", newline="") as f:
        written = list(csv.DictReader(f))
    assert [w["source_id"] for w in written] == data.truth.column("source_id").to_pylist()
    assert [w["themes"] for w in written] == data.truth.column("themes").to_pylist()


# ---------------------------------------------------------------------------
# Shapes, formats, sizes
# ---------------------------------------------------------------------------


def test_native_columns_and_sizes(data, truth):
    assert data.complaints.column_names == dd.COMPLAINT_COLUMNS
    assert data.nps.column_names == ["response_id", "submitted_at", "score", "why", "touchpoint", "brand", "sector"]
    assert data.social.column_names == ["post_id", "created_at", "platform", "author", "text", "likes", "replies",
                                        "brand", "sector"]
    assert data.truth.column_names[:8] == ["source", "source_id", "sector", "brand", "themes", "planted",
                                           "is_french", "defect"]
    assert (data.complaints.num_rows, data.nps.num_rows, data.social.num_rows) == (2500, 3000, 2000)
    # truth has one row per distinct id; the files repeat a few ids (exact duplicates)
    n_dup = sum(1 for t in truth if t["defect"] == "exact_duplicate")
    assert len(truth) == 7500 - n_dup
    assert len({(t["source"], t["source_id"]) for t in truth}) == len(truth)


def test_complaints_file_format(files):
    raw = files["complaints"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.split(b"\r\n", 1)[0].decode("utf-8-sig")
    assert header == ";".join(dd.COMPLAINT_COLUMNS)
    assert raw.count(b"\r\n") >= 2500
    with open(files["complaints"], encoding="utf-8-sig", newline="") as f:
        parsed = list(csv.DictReader(f, delimiter=";"))
    assert len(parsed) == 2500
    multiline = [p for p in parsed if "\n" in p["Verbatim"]]
    assert len(multiline) > 200  # quoted newlines inside texts
    assert {p["Canal"] for p in parsed} >= {"email", "téléphone", "courrier", "formulaire web", "chat", "agence"}
    assert {p["Statut"] for p in parsed} >= {"ouvert", "en cours", "clos"}


def test_nps_and_social_file_format(files):
    raw = files["nps"].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw.split(b"\n", 1)[0]
    with open(files["nps"], encoding="utf-8", newline="") as f:
        parsed = list(csv.DictReader(f))
    assert len(parsed) == 3000 and list(parsed[0]) == dd.NPS_COLUMNS
    lines = files["social"].read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2000
    for line in lines:
        obj = json.loads(line)
        assert list(obj) == dd.SOCIAL_COLUMNS
        assert isinstance(obj["likes"], int) and isinstance(obj["replies"], int)
    with open(files["truth"], encoding="utf-8", newline="") as f:
        t = list(csv.DictReader(f))
    assert {r["is_french"] for r in t} == {"true", "false"}


def test_sample_size_budget(files):
    total = sum(p.stat().st_size for p in files.values())
    assert total < 5_000_000 + 150_000


def test_brands_and_sectors(rows):
    assert len({b.handle for b in dd.BRANDS}) == len(dd.BRANDS)
    assert all(b.handle.startswith("@") and " " not in b.handle for b in dd.BRANDS)
    assert FIVE_SECTORS <= {b.sector for b in dd.BRANDS} <= set(dd.SECTORS)
    for source, col in (("complaints", "Secteur"), ("nps", "sector"), ("social", "sector")):
        assert FIVE_SECTORS <= {r[col] for r in rows[source]}, source
    brand_col = {"complaints": "Marque", "nps": "brand", "social": "brand"}
    names = {b.name: b.sector for b in dd.BRANDS}
    sector_col = {"complaints": "Secteur", "nps": "sector", "social": "sector"}
    for source in rows:
        for r in rows[source]:
            assert names[r[brand_col[source]]] == r[sector_col[source]]


# ---------------------------------------------------------------------------
# Timeline
# ---------------------------------------------------------------------------


def test_dates_in_range_and_offsets(rows, truth):
    tk = _by_key(truth)
    for source, lst in rows.items():
        bad = 0
        for r in lst:
            t = tk[(source, r[ID_COL[source]])]
            if t["defect"] == "bad_date":
                with pytest.raises(ValueError):
                    _parse_date(source, r[DATE_COL[source]])
                bad += 1
                continue
            d = _parse_date(source, r[DATE_COL[source]])
            assert START <= d <= END, (source, r[DATE_COL[source]])
            if source == "nps":  # the offset is the one of Europe/Paris at that moment
                assert d.utcoffset() == d.astimezone(PARIS).utcoffset()
            wk = d.astimezone(PARIS).isocalendar()
            assert t["week"] == f"{wk[0]}-W{wk[1]:02d}"
        assert bad >= 3, source
    offsets = {r["submitted_at"][-6:] for r in rows["nps"] if r["submitted_at"][:4] == "2026"}
    assert {"+02:00", "+01:00"} <= offsets  # summer and winter time


def test_weekday_and_hour_patterns(rows, truth):
    tk = _by_key(truth)
    dts = [datetime.strptime(r["Date de création"], "%d/%m/%Y %H:%M") for r in rows["complaints"]
           if tk[("complaints", r["N° ticket"])]["defect"] != "bad_date"]
    days = collections.Counter(d.weekday() for d in dts)
    hours = collections.Counter(d.hour for d in dts)
    assert days[0] > 2 * days[6]  # Mondays busier than Sundays
    assert hours[10] > 5 * max(1, hours[3])  # office hours, not the middle of the night


# ---------------------------------------------------------------------------
# Content
# ---------------------------------------------------------------------------


def test_every_irritant_and_enchantement_occurs(truth):
    codes = collections.Counter(c for t in truth for c in _themes(t))
    for code in dd.IRRITANT_CODES:
        assert codes[code] >= 20, code
    for code in dd.ENCHANTEMENT_CODES:
        assert codes[code] >= 20, code
    known = set(dd.IRRITANT_CODES) | set(dd.ENCHANTEMENT_CODES)
    assert {c for c in codes if not c.startswith("new:")} <= known
    # some verbatims raise two irritants
    assert sum(1 for t in truth if sum(c in dd.IRRITANT_STAGE for c in _themes(t)) >= 2) > 500


def test_codes_match_the_taxonomy_spec():
    spec = REPO.parent / "shared" / "spec" / "taxonomy.md"
    if not spec.exists():
        pytest.skip("shared/spec/taxonomy.md not beside the repository")
    text = spec.read_text(encoding="utf-8")
    irr = text.split("## Irritants")[1].split("## Enchantements")[0]
    ench = text.split("## Enchantements")[1].split("## Emotions")[0]
    assert re.findall(r"^\| `(\w+)` \| (\w+) \|", irr, re.M) == list(dd.IRRITANT_STAGE.items())
    assert re.findall(r"^\| `(\w+)` \| (\w+) \|", ench, re.M) == list(dd.ENCHANTEMENT_STAGE.items())


def test_nps_scores_consistent_with_text(rows, truth):
    tk = _by_key(truth)
    irr_only, ench_only = [], []
    for r in rows["nps"]:
        t = tk[("nps", r["response_id"])]
        score = _parse_score(r["score"])
        if t["defect"] == "bad_score":
            assert score is None, r["score"]
            continue
        assert score is not None, r["score"]
        th = _themes(t)
        if not th:
            continue
        if all(c in dd.IRRITANT_STAGE or c.startswith("new:") for c in th):
            irr_only.append(score)
            assert score <= 8, (score, r["why"])  # complaints never come with a promoter score
        elif all(c in dd.ENCHANTEMENT_STAGE for c in th):
            ench_only.append(score)
            assert score >= 7, (score, r["why"])  # praise never comes from a detractor
    assert len(irr_only) > 500 and len(ench_only) > 500
    assert statistics.mean(irr_only) < 5 < 8.5 < statistics.mean(ench_only)
    assert {r["score"] for r in rows["nps"]} >= {"11", "dix", "-1", "9/10", "8.0"}


def test_short_nps_answers_and_styles(rows):
    whys = [r["why"] for r in rows["nps"]]
    low = {w.strip().lower() for w in whys}
    assert {"ras", "prix", "tout est parfait"} & low
    assert sum(1 for w in whys if len(w) < 25) > 300
    social = " ".join(r["text"] for r in rows["social"])
    allt = social + " ".join(whys) + " ".join(r["Verbatim"] for r in rows["complaints"])
    for marker in ("!!!", "svp", "rdv", "tjs", "pb", "#", "😡", "👏"):
        assert marker in allt, marker
    assert re.search(r"\b[A-ZÉÈ]{4,}(?: [A-ZÉÈ']{2,}){3,}", allt)  # ALL CAPS bursts
    assert re.search(r"(\w)\1\1\1", allt)  # elongations ("nuuul")
    assert re.search(r"\b(deja|recu|tres|probleme|telephone)\b", allt)  # missing accents
    assert re.search(r"(super service|au top|Bravo|Génial|Merci).{0,80}(👏|🙃|🙄|😂|🏆|🥇)", social)  # irony
    assert "régul" in allt.lower() and re.search(r"\d[\d ]* kWh", allt)
    assert "mdr" in allt or "lol" in allt


def test_social_mentions_brand_handles(rows):
    handles = {b.name: b.handle.lower() for b in dd.BRANDS}
    posts = [r for r in rows["social"] if r["text"].strip() and r["platform"] in ("x", "facebook", "instagram")]
    with_handle = sum(1 for r in posts if handles[r["brand"]] in r["text"].lower())
    assert with_handle / len(posts) > 0.5
    assert all(re.fullmatch(r"@[\w.]+", r["author"]) for r in rows["social"])


def test_texts_are_diverse(rows, truth):
    tk = _by_key(truth)
    texts = [r[TEXT_COL[s]] for s, lst in rows.items() for r in lst if not tk[(s, r[ID_COL[s]])]["defect"]]
    assert len(set(texts)) / len(texts) >= 0.9
    comp = [r["Verbatim"] for r in rows["complaints"] if not tk[("complaints", r["N° ticket"])]["defect"]]
    assert len(set(comp)) / len(comp) >= 0.97
    long = [c for c in comp if len(c) > 400 and c.count(".") >= 3]
    assert len(long) > 300  # long complaints of several sentences
    # no complaint text is repeated more than a handful of times
    assert collections.Counter(comp).most_common(1)[0][1] <= 5


def test_pii_is_present_and_well_formed(rows, truth):
    tk = _by_key(truth)
    kinds = collections.Counter()
    for s, lst in rows.items():
        for r in lst:
            t = tk[(s, r[ID_COL[s]])]
            text = r[TEXT_COL[s]]
            for kind in filter(None, t["pii"].split(";")):
                kinds[kind] += 1
                if kind == "email":
                    assert re.search(r"[\w.]+@[\w-]+\.(fr|com|net)", text, re.I), text
                if kind == "iban":
                    m = re.search(r"FR\d{2}(?: ?\d{4}){5} ?\d{3}", text, re.I)
                    assert m, text
                    iban = m.group(0).replace(" ", "")
                    num = int("".join(str(int(c, 36)) for c in iban[4:] + iban[:4]))
                    assert num % 97 == 1
                if kind == "tel":
                    assert re.search(r"(0|\+33 ?)\d([ .]?\d{2}){4}", text)
    for kind in ("email", "tel", "iban", "numero_client", "pseudo", "carte", "nir"):
        assert kinds[kind] >= 3, kind
    # phone numbers come from the ranges reserved for fiction
    allt = " ".join(r[TEXT_COL[s]] for s, lst in rows.items() for r in lst)
    allt = re.sub(r"FR\d{2}(?: ?\d{4}){5} ?\d{3}|4970(?: ?\d{4}){3}", " ", allt, flags=re.I)  # IBAN, cards
    for m in re.finditer(r"(?<![\d/])(?:0|\+33 ?)(\d)([ .]?)(\d{2})\2(\d{2})\2\d{2}\2\d{2}(?!\d)", allt):
        assert m.group(1) + m.group(3) + m.group(4) in {"19900", "26191", "35301", "46571", "53649", "63998",
                                                          "97742"}, m.group(0)


# ---------------------------------------------------------------------------
# Planted trends
# ---------------------------------------------------------------------------


def test_spike(truth):
    w = _weekly(truth, lambda t: t["brand"] == "Nexa Télécom" and "panne_dysfonctionnement" in _themes(t))
    base = statistics.mean(w[:-2])
    assert base > 5
    assert w[-2] >= 2.5 * base and w[-1] >= 2.5 * base, w
    assert all(t["week"] in WEEKS[-2:] for t in truth if t["planted"] == "spike")
    assert sum(1 for t in truth if t["planted"] == "spike") >= 40


def test_fade(truth):
    w = _weekly(truth, lambda t: t["brand"] == "Voltéo" and "prix_eleve" in _themes(t))
    assert sum(w[-3:]) < 0.5 * sum(w[:3]), w
    assert w[0] > 40 and w[-1] <= 15, w
    assert all(b <= a + 3 for a, b in zip(w, w[1:])), w  # steady decline


def test_new_theme(truth, rows):
    slug = "new:" + dd.NEW_THEME_SLUG
    assert dd.NEW_THEME_SLUG not in dd.IRRITANT_STAGE and dd.NEW_THEME_SLUG not in dd.ENCHANTEMENT_STAGE
    new = [t for t in truth if slug in _themes(t)]
    assert len(new) >= 60
    w = _weekly(truth, lambda t: slug in _themes(t))
    assert sum(w[:-4]) == 0 and all(b > a for a, b in zip(w[-4:], w[-3:])), w
    assert all(t["planted"] == "new" for t in new) and all(slug in _themes(t) for t in truth if t["planted"] == "new")
    assert {t["source"] for t in new} == {"complaints", "nps", "social"}
    # recognisable vocabulary, found nowhere else
    tk = _by_key(truth)
    vocab = re.compile(r"point|cagnotte|club|fid[ée]lit", re.I)
    texts_new, texts_other = [], []
    for s, lst in rows.items():
        for r in lst:
            (texts_new if slug in _themes(tk[(s, r[ID_COL[s]])]) else texts_other).append(r[TEXT_COL[s]])
    assert sum(1 for x in texts_new if vocab.search(x)) >= 0.95 * len(texts_new)
    assert not [x for x in texts_other if re.search(r"cagnotte|club\s?\+|points? fid", x, re.I)]


# ---------------------------------------------------------------------------
# Planted data-quality defects
# ---------------------------------------------------------------------------


def test_defects_present(rows, truth, files):
    tk = _by_key(truth)
    defects = collections.Counter(t["defect"] for t in truth)
    n = 7500
    assert 0.003 * n <= defects["empty_text"] <= 0.01 * n
    assert 0.01 * n <= defects["non_french"] <= 0.02 * n
    for kind in ("bad_date", "bad_score", "score_format", "exact_duplicate", "retweet", "campaign", "cross_channel",
                 "html", "oversized"):
        assert defects[kind] >= 1, kind
    empties = [r[TEXT_COL[s]] for s, lst in rows.items() for r in lst
               if tk[(s, r[ID_COL[s]])]["defect"] == "empty_text"]
    assert empties and all(not x.strip() for x in empties)
    assert "" in empties and any(x and not x.strip() for x in empties)  # empty and whitespace-only
    assert {r["Date de création"] for r in rows["complaints"]} >= {"32/13/2026 14:03", "hier"}
    # exact duplicates: same id, identical row
    for s, lst in rows.items():
        c = collections.Counter(r[ID_COL[s]] for r in lst)
        dup_ids = [k for k, v in c.items() if v > 1]
        assert dup_ids, s
        for k in dup_ids:
            same = [r for r in lst if r[ID_COL[s]] == k]
            assert all(x == same[0] for x in same)
            assert tk[(s, k)]["defect"] == "exact_duplicate"
    social = rows["social"]
    rts = [r for r in social if tk[("social", r["post_id"])]["defect"] == "retweet"]
    assert rts and all(r["text"].startswith("RT @") for r in rts)
    originals = {r["text"] for r in social}
    assert any(r["text"].split(": ", 1)[1] in originals for r in rts)
    camp = [r["text"] for r in social if tk[("social", r["post_id"])]["defect"] == "campaign"]
    assert 10 <= len(camp) <= 20 and len(set(camp)) == 1
    assert len({r["author"] for r in social if r["text"] == camp[0]}) >= 8
    cross = [r for r in rows["complaints"] if tk[("complaints", r["N° ticket"])]["defect"] == "cross_channel"]
    by_text = collections.defaultdict(list)
    for r in rows["complaints"]:
        by_text[r["Verbatim"]].append(r)
    for r in cross:
        twins = [x for x in by_text[r["Verbatim"]] if x["N° ticket"] != r["N° ticket"]]
        assert twins and any(x["Canal"] != r["Canal"] for x in twins)
    html = [r[TEXT_COL[s]] for s, lst in rows.items() for r in lst if tk[(s, r[ID_COL[s]])]["defect"] == "html"]
    assert all(re.search(r"&eacute;|&#39;|&amp;|&agrave;|&nbsp;|<br|<p>", x) for x in html)
    big = [r for r in rows["complaints"] if len(r["Verbatim"].encode("utf-8")) > 100_000]
    assert len(big) == 1 and tk[("complaints", big[0]["N° ticket"])]["defect"] == "oversized"
    assert "Message d'origine" in big[0]["Verbatim"]


def test_non_french_rows(rows, truth):
    tk = _by_key(truth)
    foreign = [r[TEXT_COL[s]] for s, lst in rows.items() for r in lst
               if tk[(s, r[ID_COL[s]])]["defect"] == "non_french"]
    markers = {"en": r"\b(the|my|was|never)\b", "es": r"\b(que|para|desde|nadie)\b",
               "de": r"\b(ich|nicht|seit|mir)\b", "it": r"\b(il|mi|da|nessuna?)\b"}
    found = {lang for lang, pat in markers.items() for x in foreign if re.search(pat, x, re.I)}
    assert found == set(markers)
    assert all(not t["is_french"] for t in truth if t["defect"] in ("non_french", "empty_text"))
    assert all(t["is_french"] for t in truth if t["defect"] not in ("non_french", "empty_text"))


def test_clean_spec_without_defects():
    clean = dd.generate(dd.DemoSpec(defects=False, n_complaints=300, n_nps=300, n_social=300))
    assert set(clean.truth.column("defect").to_pylist()) == {""}
    assert str(clean.nps.schema.field("score").type) == "int8"
    scores = clean.nps.column("score").to_pylist()
    assert min(scores) >= 0 and max(scores) <= 10


# ---------------------------------------------------------------------------
# Streaming complaints (benchmarks)
# ---------------------------------------------------------------------------


def test_stream_is_deterministic_and_well_formed():
    a = list(dd.iter_complaint_rows(3000, seed=5))
    b = list(dd.iter_complaint_rows(3000, seed=5))
    assert a == b and len(a) == 3000
    assert a != list(dd.iter_complaint_rows(3000, seed=6))
    assert len({r[0] for r in a}) == 3000
    days = [datetime.strptime(r[1], "%d/%m/%Y %H:%M").date() for r in a]
    assert days == sorted(days) and days[0] == dd.SAMPLE_START and days[-1] == dd.SAMPLE_END
    assert all(len(r) == 8 and r[5] in {x.name for x in dd.BRANDS} for r in a)
    texts = [r[7] for r in a]
    assert len(set(texts)) / len(texts) > 0.95
    with_defects = list(dd.iter_complaint_rows(5000, seed=5, defects=True))
    assert len(with_defects) > 5000 and any(not r[7].strip() for r in with_defects)


def test_write_complaints_csv_streams(tmp_path):
    # Speed is measured in bench/, not asserted here: a loaded CI machine must not fail a test.
    path = tmp_path / "bench.csv"
    dd.write_complaints_csv(path, 50_000, seed=3)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with open(path, encoding="utf-8-sig", newline="") as f:
        n = sum(1 for _ in csv.reader(f, delimiter=";")) - 1
    assert n == 50_000
    # constant memory: the peak does not grow with the number of rows
    peaks = []
    for n_rows in (4_000, 20_000):
        tracemalloc.start()
        dd.write_complaints_csv(tmp_path / f"m{n_rows}.csv", n_rows, seed=3)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < peaks[0] + 4_000_000, peaks
