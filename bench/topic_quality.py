"""Topic quality on the demo corpus: do topics recover the generator's themes? (purity, ARI, NPMI, outliers).

Usage: python bench/topic_quality.py DB [--release NAME]. Needs a database built by `voc demo`
(or a nightly on data/sample) with a topic release, and data/sample/truth.csv.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    args = parser.parse_args()
    truth = {}
    with (ROOT / "data" / "sample" / "truth.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            themes = [t for t in row["themes"].split(";") if t]
            if len(themes) == 1:  # single-theme verbatims: the theme is unambiguous
                truth[(row["source"], row["source_id"])] = themes[0]
    con = duckdb.connect(str(args.db), read_only=True)
    release, metrics = con.execute("SELECT release, metrics FROM nlp.topic_releases WHERE is_current").fetchone()
    rows = con.execute("""
        SELECT v.source, v.source_id, a.topic_id FROM nlp.verbatim_topics a JOIN raw.verbatims v USING (verbatim_id)
        WHERE a.release = ? AND v.source_id IS NOT NULL""", [release]).fetchall()
    pairs = [(truth[(s, i)], t) for s, i, t in rows if (s, i) in truth]
    by_topic: dict[int, Counter] = {}
    for theme, topic in pairs:
        by_topic.setdefault(topic, Counter())[theme] += 1
    from sklearn.metrics import adjusted_rand_score

    from voc.topics import purity as partition_purity

    purity = partition_purity([p[0] for p in pairs], [p[1] for p in pairs])

    ari = adjusted_rand_score([p[0] for p in pairs], [p[1] for p in pairs])
    print(json.dumps({"release": release, "verbatims_with_one_theme": len(pairs), "topics": len(by_topic),
                      "purity": round(purity, 3), "adjusted_rand_index": round(ari, 3),
                      **json.loads(metrics)}, indent=2))


if __name__ == "__main__":
    main()
