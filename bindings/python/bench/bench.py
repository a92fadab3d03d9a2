"""The Python side of scripts/bench-bindings.sh; prints JSON.

    python bench.py SNAPSHOT SQL RUNS INFO_CALLS

scan: the best of RUNS times of db.query(SQL) into a pyarrow.Table (all
batches imported through the Arrow C stream and held). info: the best of 5
rounds of INFO_CALLS calls of db.info() (the call, JSON text into a dict)
and of the bare ctypes call snap_db_info + snap_free (no parsing).
"""

import ctypes
import gc
import json
import sys
import time

import pyarrow as pa

import snapdb
from snapdb import _ffi


def main(path, sql, runs, calls):
    out = {}
    with snapdb.open(path) as db:
        best, rows = None, 0
        for _ in range(runs):
            gc.collect()
            t0 = time.perf_counter()
            t = db.query(sql)
            d = time.perf_counter() - t0
            rows = t.num_rows
            del t
            best = d if best is None else min(best, d)
        out["scan_best_ms"] = best * 1e3
        out["rows"] = rows
        out["pyarrow"] = pa.__version__

        def rounds(f):
            b = None
            for _ in range(5):
                t0 = time.perf_counter_ns()
                for _ in range(calls):
                    f()
                per = (time.perf_counter_ns() - t0) / calls
                b = per if b is None else min(b, per)
            return b

        out["info_ns"] = rounds(db.info)
        lib, h = _ffi.lib(), db._handle
        p, n = ctypes.c_void_p(), ctypes.c_size_t()
        info, free = lib.snap_db_info, lib.snap_free
        bp, bn = ctypes.byref(p), ctypes.byref(n)

        def bare():
            info(h, bp, bn, None)
            free(p)

        out["info_bare_ns"] = rounds(bare)
        out["calls"] = calls
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
