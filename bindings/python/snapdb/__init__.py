"""snapdb: immutable database snapshots (Parquet plus a manifest), read-only
SQL over them, and entity-name matching, through libsnap.so (the C API,
include/snap.h) with ctypes.

    import snapdb

    with snapdb.open("demo-snapshot") as db:
        print(db.tables())
        t = db.query("SELECT symbol, score FROM genes WHERE chrom = $1", ["7"])
        df = t.to_pandas()
        for m in db.nlp.match("BRCA2 and TP53 in breast cancer"):
            print(m.text, m.candidates[0].entity_type)

query() returns a pyarrow.Table read zero-copy from the library's Arrow C
stream (a list of dicts when pyarrow is not installed); snapdb.aio has the
same verbs as coroutines. Errors are SnapError subclasses, one per status
code of the C API, with the code in .code.

The library is loaded on first use, not at import. Its Go runtime does not
survive fork(): fork before the first snapdb call, or use multiprocessing's
"spawn" or "forkserver" start methods. In a child forked after the library
was loaded every call raises SnapInternalError.
"""

from . import _ffi
from ._db import DB, NLP, Candidate, Mention, open, stats
from ._errors import (
    SnapBadHandleError,
    SnapError,
    SnapExistsError,
    SnapInternalError,
    SnapIntegrityError,
    SnapInvalidArgumentError,
    SnapIOError,
    SnapNoNLPError,
    SnapNotFoundError,
    SnapQueryError,
    SnapReadOnlyError,
    SnapUnsupportedError,
    error_from_arrow,
)

__version__ = "0.1.0"


def library_version():
    """The version of the loaded libsnap.so (loads it)."""
    return _ffi.version()


def library_path():
    """The path of the libsnap.so snapdb loads: $SNAPDB_LIBRARY, else the
    copy installed in the package."""
    return _ffi.library_path()


__all__ = [
    "DB",
    "NLP",
    "Candidate",
    "Mention",
    "open",
    "stats",
    "library_version",
    "library_path",
    "SnapError",
    "SnapInvalidArgumentError",
    "SnapBadHandleError",
    "SnapNotFoundError",
    "SnapIOError",
    "SnapIntegrityError",
    "SnapQueryError",
    "SnapReadOnlyError",
    "SnapNoNLPError",
    "SnapUnsupportedError",
    "SnapExistsError",
    "SnapInternalError",
    "error_from_arrow",
]
