"""Fixtures of the snapdb Python tests.

Environment:
  SNAPDB_DEMO     a demo snapshot with an NLP automaton (required):
                  snapdb demo --dir D --scale 0.05 && snapdb nlp build D
  SNAPDB_CLI      the snapdb command, whose answers the tests compare with;
                  when unset it is built with `go build ./cmd/snapdb` (and
                  the comparisons are skipped without Go)
  SNAPDB_HEADER   include/snap.h (default: the repository's)
The package under test is the installed one (pip install ./bindings/python).
"""

import gc
import os
import shutil
import subprocess
import sys

import pytest

import snapdb

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


@pytest.fixture(scope="session")
def demo():
    path = os.environ.get("SNAPDB_DEMO")
    if not path or not os.path.isfile(os.path.join(path, "manifest.json")):
        pytest.fail("SNAPDB_DEMO must name a demo snapshot directory (with an NLP automaton)")
    return path


@pytest.fixture(scope="session")
def cli(tmp_path_factory):
    path = os.environ.get("SNAPDB_CLI")
    if path:
        return path
    go = shutil.which("go")
    if not go:
        pytest.skip("no SNAPDB_CLI and no go to build it")
    out = str(tmp_path_factory.mktemp("cli") / "snapdb")
    subprocess.run([go, "build", "-o", out, "./cmd/snapdb"], cwd=REPO, check=True)
    return out


@pytest.fixture
def db(demo):
    d = snapdb.open(demo)
    yield d
    d.close()


def _pa_bytes():
    try:
        import pyarrow
    except ImportError:
        return 0
    return pyarrow.total_allocated_bytes()


@pytest.fixture(autouse=True)
def no_leaks():
    """After every test: no open handles, no unreleased Arrow streams, the
    library's Arrow bytes and pyarrow's pool back to where they were."""
    gc.collect()
    before = _pa_bytes()
    go_before = snapdb.stats()["arrowBytes"] if snapdb._ffi.loaded_here() else 0
    yield
    gc.collect()
    st = snapdb.stats()
    assert (st["handles"], st["streams"]) == (0, 0), st
    assert st["arrowBytes"] == go_before, f"the library holds {st['arrowBytes'] - go_before} more Arrow bytes"
    assert _pa_bytes() == before


def run_python(code, env=None, timeout=60):
    """Runs code in a fresh interpreter; returns the CompletedProcess."""
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], env=e, capture_output=True, text=True, timeout=timeout
    )
