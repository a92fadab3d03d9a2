"""snapdb.aio: the same verbs as coroutines."""

import asyncio

import pytest

import snapdb
from snapdb import aio


def test_aio_verbs(demo, tmp_path):
    async def main():
        async with aio.open(demo) as db:
            assert await db.tables() == db.sync.tables()
            assert (await db.info())["rootHash"]
            t = await db.query("SELECT count(*) AS n FROM genes WHERE chrom = $1", ["7"])
            rows = await db.query_rows("SELECT count(*) AS n FROM genes WHERE chrom = $1", ["7"])
            assert t.to_pylist() == rows
            ms = await db.nlp.match("BRCA2 and TP53")
            assert [m.text for m in ms] == ["BRCA2", "TP53"]
            assert (await db.nlp.match_arrow("BRCA2")).num_rows == 1
            m = await db.save(tmp_path / "copy")
            assert (await db.load(tmp_path / "copy"))["root_hash"] == m["root_hash"]
            assert (await db.verify())
            with pytest.raises(snapdb.SnapQueryError):
                await db.query("SELECT nope FROM genes")
        assert db.closed
        with pytest.raises(snapdb.SnapBadHandleError):
            await db.tables()
        await db.close()

    asyncio.run(main())


def test_aio_concurrent(demo):
    async def main():
        db = await aio.open(demo)
        try:
            sql = "SELECT chrom, count(*) AS n FROM genes GROUP BY chrom ORDER BY chrom"
            want = db.sync.query(sql)
            got = await asyncio.gather(*(db.query(sql) for _ in range(20)))
            assert all(g.equals(want) for g in got)
        finally:
            await db.close()

    asyncio.run(main())


def test_aio_open_error(tmp_path):
    async def main():
        with pytest.raises(snapdb.SnapNotFoundError):
            await aio.open(tmp_path / "missing")

    asyncio.run(main())
