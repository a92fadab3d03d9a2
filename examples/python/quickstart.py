"""A short tour of the snapdb Python binding against the demo snapshot.

    python examples/python/quickstart.py DEMO_SNAPSHOT [OUT_DIR]

Opens the snapshot, runs a query into pandas, finds entity names in a
sentence, and saves a copy of the snapshot (to OUT_DIR, or a temporary
directory).
"""

import os
import sys
import tempfile

import snapdb


def main(path, out_dir):
    with snapdb.open(path) as db:
        info = db.info()
        print(f"{path}: {len(db.tables())} tables, {info['rows']:,} rows, root hash {info['rootHash'][:12]}…")

        # SQL with a parameter, into pandas through Arrow (zero-copy).
        df = db.query(
            "SELECT chrom, count(*) AS genes, avg(score) AS mean_score "
            "FROM genes WHERE score > $1 GROUP BY chrom ORDER BY genes DESC LIMIT 5",
            [20.0],
        ).to_pandas()
        print(df.to_string(index=False, float_format="%.1f"))

        # Entity names in text.
        text = "Loss of BRCA2 or TP53 raises the risk of breast cancer; tamoxifen is used."
        for m in db.nlp.match(text):
            c = m.candidates[0]
            print(f"  {m.text!r:18} at {m.start_rune}-{m.end_rune}: {c.entity_type} {c.entity_id} ({c.alias_type})")

        # A copy as one .snap file, opened again.
        meta = db.save(os.path.join(out_dir, "demo-copy.snap"))
        print(f"saved {meta['table_count']} tables, {meta['row_count']:,} rows, root hash {meta['root_hash'][:12]}…")
    with snapdb.open(os.path.join(out_dir, "demo-copy.snap")) as copy:
        assert copy.info()["rootHash"] == meta["root_hash"]
        try:
            copy.query("SELECT no_such_column FROM genes")
        except snapdb.SnapQueryError as e:
            print(f"as expected, {type(e).__name__} (code {e.code}): {e}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if len(sys.argv) > 2:
        main(sys.argv[1], sys.argv[2])
    else:
        with tempfile.TemporaryDirectory() as d:
            main(sys.argv[1], d)
