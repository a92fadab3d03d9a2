"""snapdb's verbs as coroutines: each call runs in a worker thread
(asyncio.to_thread), and ctypes releases the GIL while the library works,
so queries overlap with the event loop and with each other.

    from snapdb import aio

    async with aio.open("demo-snapshot") as db:
        t = await db.query("SELECT count(*) FROM genes")
        ms = await db.nlp.match("BRCA2")
"""

import asyncio

from . import _db


class AsyncNLP:
    def __init__(self, nlp):
        self._nlp = nlp

    async def match(self, text, all=False):
        return await asyncio.to_thread(self._nlp.match, text, all)

    async def match_arrow(self, text, all=False):
        return await asyncio.to_thread(self._nlp.match_arrow, text, all)


class AsyncDB:
    """A snapdb.DB whose verbs are coroutines. .sync is the DB itself."""

    def __init__(self, db):
        self.sync = db
        self.nlp = AsyncNLP(db.nlp)

    @property
    def closed(self):
        return self.sync.closed

    def __repr__(self):
        return "<snapdb.aio.AsyncDB %r (%s)>" % (self.sync.path, "closed" if self.closed else "open")

    async def info(self):
        return await asyncio.to_thread(self.sync.info)

    async def tables(self):
        return await asyncio.to_thread(self.sync.tables)

    async def query(self, sql, params=None):
        return await asyncio.to_thread(self.sync.query, sql, params)

    async def query_rows(self, sql, params=None):
        return await asyncio.to_thread(self.sync.query_rows, sql, params)

    async def save(self, path, overwrite=False):
        return await asyncio.to_thread(self.sync.save, path, overwrite)

    async def load(self, path):
        return await asyncio.to_thread(self.sync.load, path)

    async def verify(self):
        return await asyncio.to_thread(self.sync.verify)

    async def close(self):
        """Closes the DB; again does nothing."""
        self.sync.close()

    async def __aenter__(self):
        self.sync._ptr()
        return self

    async def __aexit__(self, *exc):
        self.sync.close()


class _Opening:
    """What aio.open returns: await it for an AsyncDB, or use it directly
    in `async with`."""

    def __init__(self, path, kw):
        self._path, self._kw, self._db = path, kw, None

    async def _open(self):
        db = await asyncio.to_thread(_db.DB, self._path, **self._kw)
        return AsyncDB(db)

    def __await__(self):
        return self._open().__await__()

    async def __aenter__(self):
        self._db = await self._open()
        return self._db

    async def __aexit__(self, *exc):
        await self._db.close()


def open(path, *, verify=False, threads=0):  # noqa: A001
    """Opens a snapshot in a worker thread: `db = await aio.open(path)` or
    `async with aio.open(path) as db`."""
    return _Opening(path, {"verify": verify, "threads": threads})
