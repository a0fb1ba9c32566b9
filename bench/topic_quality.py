"""Topic quality on the demo corpus: do topics recover the generator's themes? (purity, ARI, NPMI, outliers).

Usage: python bench/topic_quality.py DB. Needs a database built by `voc demo`
(or a nightly on data/sample) with a topic release, and data/sample/truth.csv.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb
from sklearn.metrics import adjusted_rand_score

from voc.demo_data import read_single_theme_truth
from voc.topics import purity

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    args = parser.parse_args()
    truth = read_single_theme_truth(ROOT / "data" / "sample" / "truth.csv")
    con = duckdb.connect(str(args.db), read_only=True)
    release, metrics = con.execute("SELECT release, metrics FROM nlp.topic_releases WHERE is_current").fetchone()
    rows = con.execute("""
        SELECT v.source, v.source_id, a.topic_id FROM nlp.verbatim_topics a JOIN raw.verbatims v USING (verbatim_id)
        WHERE a.release = ? AND v.source_id IS NOT NULL""", [release]).fetchall()
    pairs = [(truth[(s, i)], t) for s, i, t in rows if (s, i) in truth]
    themes, topics = [p[0] for p in pairs], [p[1] for p in pairs]
    print(json.dumps({"release": release, "verbatims_with_one_theme": len(pairs), "topics": len(set(topics)),
                      "purity": round(purity(themes, topics), 3),
                      "adjusted_rand_index": round(adjusted_rand_score(themes, topics), 3),
                      **json.loads(metrics)}, indent=2))


if __name__ == "__main__":
    main()
