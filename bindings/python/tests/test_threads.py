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
    d = snapdb.open(demo)
    stop = threading.Event()
    errors = []

    def hammer():
        while not stop.is_set():
            try:
                d.query("SELECT count(*) FROM exposures")
            except snapdb.SnapBadHandleError:
                return
            except Exception as e:  # pragma: no cover
                errors.append(e)
                return

    ts = [threading.Thread(target=hammer) for _ in range(4)]
    for t in ts:
        t.start()
    d.close()
    stop.set()
    for t in ts:
        t.join()
    assert errors == []
