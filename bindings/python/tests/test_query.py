"""Queries: results equal the Go engine's (the snapdb CLI), parameters,
streaming, pandas."""

import json
import subprocess

import pyarrow as pa
import pytest

import snapdb

QUERIES = [
    "SELECT * FROM genes",
    "SELECT * FROM exposures ORDER BY id LIMIT 500",
    "SELECT * FROM chemicals WHERE molecular_weight IS NULL OR cas_number IS NULL",
    "SELECT chrom, count(*) AS n, avg(score) AS s, min(symbol) AS m FROM genes GROUP BY chrom ORDER BY chrom",
    "SELECT e.id, g.symbol, e.observed_on, e.score FROM exposures e JOIN genes g ON e.gene_id = g.entity_id "
    "WHERE e.score > 0.5 ORDER BY e.id LIMIT 100",
    "SELECT effect, count(DISTINCT gene_id) FROM exposures GROUP BY effect ORDER BY effect",
    "SELECT * FROM genes WHERE symbol = 'NO SUCH GENE'",
    "SELECT count(*) FROM entity_aliases",
]


def go_arrow(cli, snap, sql):
    out = subprocess.run([cli, "query", snap, sql, "--format", "arrow"], capture_output=True, check=True).stdout
    with pa.ipc.open_stream(out) as r:
        return r.read_all()


def go_json(cli, snap, sql):
    out = subprocess.run([cli, "query", snap, sql, "--format", "json"], capture_output=True, check=True, text=True)
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize("sql", QUERIES)
def test_query_equals_go_engine(db, demo, cli, sql):
    got = db.query(sql)
    want = go_arrow(cli, demo, sql)
    assert got.schema.equals(want.schema), (got.schema, want.schema)
    assert got.combine_chunks().equals(want.combine_chunks())


@pytest.mark.parametrize("sql", QUERIES)
def test_query_rows_equal_go_json(db, demo, cli, sql):
    assert db.query_rows(sql) == go_json(cli, demo, sql)


# Column-at-a-time aggregation reads Parquet pages directly: it once
# forgot to close its column chunk readers, leaking their page buffers.
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT chrom, avg(score) FROM genes GROUP BY chrom",
        "SELECT min(symbol) FROM genes",
        "SELECT sum(start) FROM genes",
    ],
)
def test_column_aggregates_free_their_arrow_memory(db, sql):
    import gc

    before = snapdb.stats()["arrowBytes"]
    t = db.query(sql)
    del t
    gc.collect()
    assert snapdb.stats()["arrowBytes"] == before


def test_params(db):
    t = db.query(
        "SELECT symbol, score FROM genes WHERE chrom = $1 AND score > $2 AND ($3 OR $4 IS NULL) ORDER BY symbol",
        ["7", 10.5, True, None],
    )
    lit = db.query("SELECT symbol, score FROM genes WHERE chrom = '7' AND score > 10.5 ORDER BY symbol")
    assert t.num_rows > 0
    assert t.equals(lit)
    assert db.query("SELECT count(*) AS n FROM genes WHERE entity_id <= ?", (10,)).column("n").to_pylist() == [10]
    # A tuple or an empty list are fine too.
    assert db.query("SELECT 1 AS one", []).to_pylist() == [{"one": 1}]


def test_params_types(db):
    sql = "SELECT $1 AS i, $2 AS f, $3 AS s, $4 AS b, CAST($5 AS BIGINT) AS n"
    params = [-(2**63), 0.25, "ü\"'", False, None]
    want = [{"i": -(2**63), "f": 0.25, "s": "ü\"'", "b": False, "n": None}]
    assert db.query_rows(sql, params) == want
    assert db.query(sql, params).to_pylist() == want


def test_null_typed_column_json(db):
    assert db.query_rows("SELECT NULL AS n") == [{"n": None}]


@pytest.mark.parametrize("bad", [[b"bytes"], [[1]], [{"a": 1}], [object()], [1j]])
def test_params_rejects_other_types(db, bad):
    with pytest.raises(TypeError):
        db.query("SELECT $1", bad)


def test_params_must_be_a_sequence(db):
    with pytest.raises(TypeError):
        db.query("SELECT $1", "7")
    with pytest.raises(TypeError):
        db.query("SELECT $1", {"a": 1})


def test_params_out_of_range(db):
    with pytest.raises(OverflowError):
        db.query("SELECT $1", [2**63])
    with pytest.raises(ValueError):
        db.query("SELECT $1", [float("nan")])


def test_to_pandas(db):
    df = db.query("SELECT symbol, start, score FROM genes ORDER BY entity_id LIMIT 5").to_pandas()
    assert list(df.columns) == ["symbol", "start", "score"]
    assert len(df) == 5
    assert df["symbol"].iloc[0] == "TNF"


def test_query_reader_streams(db):
    with db.query_reader("SELECT entity_id, symbol FROM genes") as r:
        assert isinstance(r, pa.RecordBatchReader)
        assert r.schema.names == ["entity_id", "symbol"]
        n = sum(b.num_rows for b in r)
    assert n == 3000
    assert snapdb.stats()["streams"] == 0


def test_reader_released_unread(db):
    r = db.query_reader("SELECT * FROM exposures")
    assert snapdb.stats()["streams"] == 1
    r.close()
    assert snapdb.stats()["streams"] == 0


def test_results_outlive_close(demo):
    d = snapdb.open(demo)
    r = d.query_reader("SELECT entity_id FROM genes")
    t = d.query("SELECT symbol FROM genes")
    d.close()
    assert t.num_rows == 3000
    assert r.read_all().num_rows == 3000
    r.close()


def test_empty_result_keeps_schema(db):
    t = db.query("SELECT entity_id, symbol FROM genes WHERE entity_id < 0")
    assert t.num_rows == 0
    assert t.schema.names == ["entity_id", "symbol"]
    assert db.query_rows("SELECT entity_id FROM genes WHERE entity_id < 0") == []


def test_info_and_tables(db, demo, cli):
    info = db.info()
    want = json.loads(subprocess.run([cli, "info", "--json", demo], capture_output=True, check=True).stdout)
    assert info == want
    assert db.tables() == ["chemicals", "diseases", "entity_aliases", "entity_types", "exposures", "genes"]


def test_query_errors(db):
    with pytest.raises(snapdb.SnapQueryError) as e:
        db.query("SELECT nope FROM genes")
    assert e.value.code == 6 and "nope" in str(e.value)
    with pytest.raises(snapdb.SnapQueryError):
        db.query_rows("SELEKT 1")
    with pytest.raises(snapdb.SnapReadOnlyError) as e:
        db.query("DELETE FROM genes")
    assert e.value.code == 7
    # An unknown table in SQL is an error of the query (SNAP_ERR_QUERY, not
    # SNAP_ERR_NOT_FOUND, which is for paths): the message says what exists.
    with pytest.raises(snapdb.SnapQueryError) as e:
        db.query("SELECT * FROM no_such_table")
    assert e.value.code == 6 and "no_such_table" in str(e.value)


# Errors that surface while the rows are read (the engine evaluates CAST
# row by row) have the status code of what went wrong, not SNAP_ERR_IO.
@pytest.mark.parametrize(
    "sql, needle",
    [
        ("SELECT CAST(symbol AS INTEGER) FROM genes", "could not convert"),
        ("SELECT entity_id FROM genes WHERE CAST(symbol AS INTEGER) > 0", "could not convert"),
    ],
)
def test_query_errors_while_reading(db, sql, needle):
    with pytest.raises(snapdb.SnapQueryError) as e:
        db.query(sql)
    assert e.value.code == 6 and needle in e.value.message
    assert not e.value.message.startswith("SNAP_ERR"), "the stream's prefix is not part of the message"
    with pytest.raises(snapdb.SnapQueryError) as e:
        db.query_rows(sql)
    assert e.value.code == 6 and needle in e.value.message
    # Read through pyarrow directly: EINVAL from get_next is ArrowInvalid,
    # and the message carries the status code.
    with db.query_reader(sql) as r:
        with pytest.raises(pa.ArrowInvalid) as e:
            r.read_all()
    assert str(e.value).startswith("SNAP_ERR_QUERY (6): ")
    err = snapdb.error_from_arrow(e.value)
    assert isinstance(err, snapdb.SnapQueryError) and err.code == 6 and needle in err.message


def test_error_from_arrow():
    e = snapdb.error_from_arrow(OSError("C stream error: SNAP_ERR_INTEGRITY (5): table genes: parquet: bad page"))
    assert isinstance(e, snapdb.SnapIntegrityError) and e.code == 5
    assert e.message == "table genes: parquet: bad page"
    assert snapdb.error_from_arrow(OSError("disk on fire")) is None
    assert snapdb.error_from_arrow(ValueError("SNAP_ERR_QUERY (5): name and number disagree")) is None


def test_zero_copy_and_lifetime(db):
    # The table's buffers are the library's Arrow memory, not pyarrow's:
    # held while the table lives, freed when it goes.
    before = pa.total_allocated_bytes()
    base = snapdb.stats()["arrowBytes"]
    t = db.query("SELECT * FROM exposures")
    assert t.num_rows == 10000
    assert pa.total_allocated_bytes() == before
    held = snapdb.stats()["arrowBytes"]
    assert held >= t.nbytes
    assert snapdb.stats()["streams"] == 0  # the stream is released; its batches live on
    col = t.column("id")
    del t
    assert snapdb.stats()["arrowBytes"] > base  # one column still refers to its batch
    del col
    assert snapdb.stats()["arrowBytes"] == base
