"""snapdb.aio: queries as coroutines, several at once.

    python examples/python/aio_example.py DEMO_SNAPSHOT
"""

import asyncio
import sys

from snapdb import aio


async def main(path):
    async with aio.open(path) as db:
        chroms = ["1", "7", "13", "17", "X"]
        tables = await asyncio.gather(
            *(db.query("SELECT count(*) AS n, max(score) AS top FROM genes WHERE chrom = $1", [c]) for c in chroms)
        )
        for c, t in zip(chroms, tables):
            row = t.to_pylist()[0]
            print(f"chr{c:>2}: {row['n']:4} genes, top score {row['top']}")
        mentions = await db.nlp.match("TNF and IL6 drive inflammation in asthma")
        print("mentions:", ", ".join(m.text for m in mentions))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    asyncio.run(main(sys.argv[1]))
