"""What needs its own process: a panic, no pyarrow, fork(), the library's
path, interpreter shutdown with handles open."""

import os
import sys

import pytest

import snapdb

from conftest import run_python


def test_panic_is_contained_in_a_subprocess(demo):
    r = run_python(
        f"""
import snapdb
from snapdb import _ffi
db = snapdb.open({demo!r})
db2 = snapdb.open({demo!r})
assert db.tables()
try:
    _ffi.call("snap_debug_panic")
except snapdb.SnapInternalError as e:
    assert e.code == 11, e
    print("panic:", e)
else:
    raise SystemExit("no SnapInternalError")
for f in (db.tables, db.info, lambda: db.query("SELECT 1"), lambda: snapdb.open({demo!r}), snapdb.stats):
    try:
        f()
    except snapdb.SnapInternalError as e:
        print("later:", e.code)
    else:
        raise SystemExit("a later call succeeded")
# close() cannot release the handle now, but marks the DB closed without
# raising; a with block's exit does not mask the error that ended it.
db.close()
assert db.closed
db.close()
try:
    with db2:
        raise KeyError("the original error")
except KeyError as e:
    print("with:", e)
assert db2.closed
print("ok")
"""
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("later: 11") == 5, r.stdout
    assert "with: 'the original error'" in r.stdout, r.stdout
    assert "snap_debug_panic" in r.stdout
    # The parent is unaffected.
    with snapdb.open(demo) as d:
        assert d.query("SELECT count(*) AS n FROM genes").to_pylist() == [{"n": 3000}]


NO_PYARROW = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "pyarrow" or name.startswith("pyarrow."):
            raise ImportError("pyarrow is blocked")
sys.meta_path.insert(0, Block())
"""


def test_without_pyarrow(demo):
    r = run_python(
        NO_PYARROW
        + f"""
import snapdb
with snapdb.open({demo!r}) as db:
    rows = db.query("SELECT entity_id, symbol, score FROM genes WHERE chrom = $1 ORDER BY entity_id LIMIT 3", ["7"])
    assert isinstance(rows, list) and isinstance(rows[0], dict), rows
    assert list(rows[0]) == ["entity_id", "symbol", "score"]
    assert db.query("SELECT count(*) AS n FROM exposures") == [{{"n": 10000}}]
    assert db.nlp.match("BRCA2")[0].text == "BRCA2"
    try:
        db.query_reader("SELECT 1")
    except ImportError as e:
        print("reader:", e)
    assert "pyarrow" not in sys.modules or sys.modules["pyarrow"] is None
    print(rows)
assert snapdb.stats() == {{"handles": 0, "streams": 0, "arrowBytes": 0}}
print("ok")
"""
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("ok")
    assert "reader: snapdb: this needs pyarrow" in r.stdout


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork()")
def test_fork_after_load_refuses_in_child(demo):
    r = run_python(
        f"""
import os, snapdb
db = snapdb.open({demo!r})
assert db.tables()
pid = os.fork()
if pid == 0:
    code = 1
    try:
        db.tables()
    except snapdb.SnapInternalError as e:
        code = 0 if "fork" in str(e) else 2
    db.close()  # drops the handle without calling into the library
    del db
    os._exit(code)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, status
assert db.tables()  # the parent goes on
db.close()
print("ok")
"""
    )
    assert r.returncode == 0, r.stderr
    assert "ok" in r.stdout


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork()")
def test_fork_before_load_works(demo):
    r = run_python(
        f"""
import os, snapdb
pid = os.fork()  # imported, not loaded: the child may load it
if pid == 0:
    with snapdb.open({demo!r}) as db:
        os._exit(0 if db.tables() else 1)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, status
print("ok")
"""
    )
    assert r.returncode == 0, r.stderr


def test_import_does_not_load():
    r = run_python("import snapdb, snapdb.aio; from snapdb import _ffi; print(_ffi._lib is None)")
    assert r.stdout.strip() == "True", r.stderr


def test_snapdb_library_env(demo, tmp_path):
    lib = snapdb.library_path()
    r = run_python(
        f"import snapdb; print(snapdb.library_path()); print(snapdb.open({demo!r}).tables()[0])",
        env={"SNAPDB_LIBRARY": lib},
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [lib, "chemicals"]
    r = run_python(
        f"import snapdb\ntry:\n    snapdb.open({demo!r})\nexcept snapdb.SnapError as e:\n    print(e)",
        env={"SNAPDB_LIBRARY": str(tmp_path / "nope.so")},
    )
    assert "no libsnap.so at" in r.stdout and "SNAPDB_LIBRARY" in r.stdout, r.stdout + r.stderr


def test_shutdown_with_open_handles(demo):
    # Handles, readers and tables left open at exit: no crash, no noise.
    r = run_python(
        f"""
import snapdb
db = snapdb.open({demo!r})
db2 = snapdb.open({demo!r}); db2.cycle = db2
r = db.query_reader("SELECT * FROM exposures")
t = db.query("SELECT * FROM genes")
print("ok")
"""
    )
    assert r.returncode == 0
    assert r.stdout.strip() == "ok"
    assert r.stderr == ""


def test_installed_package_bundles_the_library():
    assert os.path.basename(snapdb.library_path()) == "libsnap.so"
    if not os.environ.get("SNAPDB_LIBRARY"):
        assert os.path.dirname(snapdb.library_path()) == os.path.dirname(snapdb.__file__)
    assert os.path.isfile(snapdb.library_path())
    assert sys.modules["snapdb"].__file__.startswith(sys.prefix) or "site-packages" in snapdb.__file__
