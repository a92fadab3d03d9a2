"""One DB from many threads at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import snapdb

SQL = "SELECT chrom, count(*) AS n, sum(start) AS s FROM genes WHERE score > $1 GROUP BY chrom ORDER BY chrom"


def test_many_threads_one_db(db):
    want = {p: db.query(SQL, [p]) for p in (10.0, 50.0)}
    want_rows = db.query_rows("SELECT * FROM exposures ORDER BY id LIMIT 50")
    text = "BRCA2 and TP53 in breast cancer"
    want_match = db.nlp.match(text)

    def work(i):
        for j in range(15):
            p = (10.0, 50.0)[(i + j) % 2]
            assert db.query(SQL, [p]).equals(want[p])
            if j % 5 == 0:
                assert db.query_rows("SELECT * FROM exposures ORDER BY id LIMIT 50") == want_rows
                assert db.nlp.match(text) == want_match
                assert db.info()["rootHash"]
        return i

    with ThreadPoolExecutor(8) as ex:
        assert sorted(ex.map(work, range(16))) == list(range(16))


def test_close_while_querying(demo):
    # Every thread has a result before the close (so calls are provably in
    # flight around it), and each ends on SnapBadHandleError: a call either
    # ran on the open DB, with its full answer, or was refused.
    d = snapdb.open(demo)
    n = 4
    started = threading.Barrier(n + 1)
    results = [0] * n
    ended = [None] * n
    errors = []

    def hammer(i):
        try:
            while True:
                try:
                    t = d.query("SELECT count(*) AS n FROM exposures")
                except snapdb.SnapBadHandleError as e:
                    ended[i] = e
                    return
                assert t.to_pylist() == [{"n": 10000}]
                results[i] += 1
                if results[i] == 1:
                    started.wait(timeout=30)
        except Exception as e:  # pragma: no cover
            errors.append(e)
            started.abort()

    ts = [threading.Thread(target=hammer, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    started.wait(timeout=30)  # every thread has queried at least once
    d.close()
    for t in ts:
        t.join(timeout=60)
        assert not t.is_alive()
    assert errors == []
    assert all(r >= 1 for r in results), results
    assert all(isinstance(e, snapdb.SnapBadHandleError) for e in ended), ended
