"""Misuse: after close, double close, bad arguments, raw bad handles."""

import gc

import pytest

import snapdb
from snapdb import _ffi

VERBS = [
    lambda d: d.info(),
    lambda d: d.tables(),
    lambda d: d.query("SELECT 1"),
    lambda d: d.query_reader("SELECT 1"),
    lambda d: d.query_rows("SELECT 1"),
    lambda d: d.save("/nonexistent/x"),
    lambda d: d.load("/nonexistent/x"),
    lambda d: d.verify(),
    lambda d: d.nlp.match("BRCA2"),
    lambda d: d.nlp.match_arrow("BRCA2"),
]


@pytest.mark.parametrize("verb", range(len(VERBS)))
def test_after_close(demo, verb):
    d = snapdb.open(demo)
    d.close()
    with pytest.raises(snapdb.SnapBadHandleError) as e:
        VERBS[verb](d)
    assert e.value.code == 2
    assert "closed" in str(e.value)


def test_double_close_and_with(demo):
    d = snapdb.open(demo)
    assert not d.closed
    d.close()
    d.close()
    assert d.closed
    assert "closed" in repr(d)
    with snapdb.open(demo) as d2:
        assert d2.tables()
    assert d2.closed
    d2.close()
    with pytest.raises(snapdb.SnapBadHandleError):
        with d2:
            pass


def test_with_closes_on_exception(demo):
    with pytest.raises(RuntimeError):
        with snapdb.open(demo) as d:
            raise RuntimeError("boom")
    assert d.closed


def test_forgotten_db_is_closed_by_gc(demo):
    d = snapdb.open(demo)
    d.self = d  # a reference cycle: only the collector frees it
    assert snapdb.stats()["handles"] == 1
    del d
    gc.collect()
    assert snapdb.stats()["handles"] == 0


def test_bad_arguments(demo, db):
    with pytest.raises(TypeError):
        snapdb.open(42)
    with pytest.raises(snapdb.SnapInvalidArgumentError) as e:
        snapdb.open(demo + "\0x")
    assert isinstance(e.value, ValueError) and e.value.code == 1
    with pytest.raises(snapdb.SnapInvalidArgumentError):
        snapdb.open("")
    with pytest.raises(ValueError):
        snapdb.open(demo, threads=-1)
    with pytest.raises(TypeError):
        snapdb.open(demo, threads="2")
    with pytest.raises(TypeError):
        db.query(None)
    with pytest.raises(TypeError):
        db.save(None)
    with pytest.raises(UnicodeEncodeError):
        db.query("SELECT '\ud800'")
    with pytest.raises(snapdb.SnapInvalidArgumentError):
        db.query(b"SELECT '\xff'")


def test_raw_handles():
    # The C API itself refuses 0, unknown and closed handles.
    with pytest.raises(snapdb.SnapBadHandleError):
        _ffi.call_json("snap_db_info", 0)
    with pytest.raises(snapdb.SnapBadHandleError):
        _ffi.call_json("snap_db_tables", 12345)
    with pytest.raises(snapdb.SnapBadHandleError):
        _ffi.call("snap_db_close", (1 << 64) - 1)


def test_closed_handle_number_is_not_reused(demo):
    d = snapdb.open(demo)
    h = d._handle
    d.close()
    with pytest.raises(snapdb.SnapBadHandleError) as e:
        _ffi.call("snap_db_close", h)
    assert "closed" in str(e.value)
    with snapdb.open(demo) as d2:
        assert d2._handle != h


def test_error_hierarchy():
    for code in range(1, 12):
        e = snapdb._errors.error_for(code, "m")
        assert isinstance(e, snapdb.SnapError)
        assert e.code == code
        assert e.status == _ffi.status_name(code)
        assert type(e) is not snapdb.SnapError
    e = snapdb._errors.error_for(99, "m")
    assert type(e) is snapdb.SnapError and e.status == "status 99"
    assert _ffi.status_name(99) == "unknown status"
    assert snapdb.library_version() == snapdb.__version__
