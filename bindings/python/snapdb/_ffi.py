"""ctypes declarations of include/snap.h, and the library's lazy loading.

Every function of snap.h is declared here with its argtypes and restype
(tests/test_header.py checks this table against the header). Nothing is
loaded at import: the library (and the Go runtime inside it) is loaded on
the first call, so that a program may import snapdb and fork() before using
it. A process that forks after the library is loaded must not use it in the
child (the Go runtime's threads do not survive fork()): calls there raise
SnapInternalError instead of hanging.
"""

import ctypes
import os
import threading
from ctypes import (
    POINTER,
    Structure,
    byref,
    c_char,
    c_char_p,
    c_int,
    c_int32,
    c_size_t,
    c_uint32,
    c_uint64,
    c_void_p,
)

# Status codes (snap.h SNAP_OK, SNAP_ERR_*).
OK = 0
ERR_INVALID_ARGUMENT = 1
ERR_BAD_HANDLE = 2
ERR_NOT_FOUND = 3
ERR_IO = 4
ERR_INTEGRITY = 5
ERR_QUERY = 6
ERR_READ_ONLY = 7
ERR_NO_NLP = 8
ERR_UNSUPPORTED = 9
ERR_EXISTS = 10
ERR_INTERNAL = 11

OPEN_OPTIONS_VERSION = 1
OPEN_VERIFY = 1
SNAPSHOT_META_VERSION = 1
SAVE_OVERWRITE = 1
MATCH_ALL = 1


class snap_error(Structure):
    _fields_ = [("code", c_int32), ("message", c_char_p)]


class snap_open_options(Structure):
    _fields_ = [("struct_version", c_uint32), ("flags", c_uint32), ("threads", c_int32)]


class snap_snapshot_meta(Structure):
    _fields_ = [
        ("struct_version", c_uint32),
        ("format_version", c_uint32),
        ("table_count", c_uint64),
        ("row_count", c_uint64),
        ("byte_count", c_uint64),
        ("root_hash", c_char * 65),
        ("has_wal_lsn", c_int32),
        ("wal_lsn", c_uint64),
    ]


class ArrowArrayStream(Structure):
    """struct ArrowArrayStream of the Arrow C stream interface."""

    _fields_ = [
        ("get_schema", c_void_p),
        ("get_next", c_void_p),
        ("get_last_error", c_void_p),
        ("release", ctypes.CFUNCTYPE(None, c_void_p)),
        ("private_data", c_void_p),
    ]


snap_db = c_uint64
_ERRP = POINTER(POINTER(snap_error))
_OUT_JSON = (POINTER(c_void_p), POINTER(c_size_t))  # char **out_json, size_t *out_len

# name: (restype, argtypes), in the order of snap.h.
FUNCTIONS = {
    "snap_version": (c_char_p, []),
    "snap_status_name": (c_char_p, [c_int]),
    "snap_free": (None, [c_void_p]),
    "snap_error_free": (None, [POINTER(snap_error)]),
    "snap_stats": (c_int, [*_OUT_JSON, _ERRP]),
    "snap_db_open": (c_int, [c_char_p, POINTER(snap_open_options), POINTER(snap_db), _ERRP]),
    "snap_db_close": (c_int, [snap_db, _ERRP]),
    "snap_db_info": (c_int, [snap_db, *_OUT_JSON, _ERRP]),
    "snap_db_tables": (c_int, [snap_db, *_OUT_JSON, _ERRP]),
    "snap_db_query": (
        c_int,
        [snap_db, c_char_p, c_size_t, c_char_p, c_size_t, POINTER(ArrowArrayStream), _ERRP],
    ),
    "snap_db_query_json": (
        c_int,
        [snap_db, c_char_p, c_size_t, c_char_p, c_size_t, *_OUT_JSON, _ERRP],
    ),
    "snap_db_save_snapshot": (
        c_int,
        [snap_db, c_char_p, c_uint32, POINTER(snap_snapshot_meta), _ERRP],
    ),
    "snap_db_load_snapshot": (c_int, [snap_db, c_char_p, POINTER(snap_snapshot_meta), _ERRP]),
    "snap_db_verify": (c_int, [snap_db, *_OUT_JSON, _ERRP]),
    "snap_nlp_match": (c_int, [snap_db, c_char_p, c_size_t, c_uint32, *_OUT_JSON, _ERRP]),
    "snap_nlp_match_arrow": (
        c_int,
        [snap_db, c_char_p, c_size_t, c_uint32, POINTER(ArrowArrayStream), _ERRP],
    ),
    "snap_debug_panic": (c_int, [_ERRP]),
}

_lock = threading.Lock()
_lib = None
_loaded_in_pid = None


def library_path():
    """The libsnap.so to load: $SNAPDB_LIBRARY, else the copy in the package."""
    env = os.environ.get("SNAPDB_LIBRARY")
    if env:
        return env
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "libsnap.so")


def lib():
    """The loaded library, loading it on first use."""
    global _lib, _loaded_in_pid
    l = _lib
    if l is not None:
        if _loaded_in_pid != os.getpid():
            from ._errors import SnapInternalError

            raise SnapInternalError(
                ERR_INTERNAL,
                "snapdb: libsnap.so was loaded before this process was forked; the Go runtime "
                "does not survive fork(): use snapdb only in processes that load it after "
                "forking (multiprocessing's 'spawn' or 'forkserver', or import-then-fork "
                "before the first snapdb call)",
            )
        return l
    with _lock:
        if _lib is None:
            path = library_path()
            if not os.path.exists(path):
                from ._errors import error_for

                raise error_for(
                    ERR_NOT_FOUND,
                    f"snapdb: no libsnap.so at {path} (install the package with a library, "
                    "or set SNAPDB_LIBRARY to the path of one)",
                )
            l = ctypes.CDLL(path)
            for name, (restype, argtypes) in FUNCTIONS.items():
                f = getattr(l, name)
                f.restype = restype
                f.argtypes = argtypes
            _loaded_in_pid = os.getpid()
            _lib = l
    return lib()


def loaded_here():
    """Whether this very process loaded the library (not a parent before fork)."""
    return _lib is not None and _loaded_in_pid == os.getpid()


def raise_for(rc, err, payload=None):
    """Raises the SnapError subclass for status rc, with err's message (and
    frees err)."""
    from ._errors import error_for

    l = _lib
    msg = None
    if err:
        try:
            raw = err.contents.message
            msg = raw.decode("utf-8", "replace") if raw is not None else None
        finally:
            l.snap_error_free(err)
    if msg is None:
        name = l.snap_status_name(rc)
        msg = name.decode() if name else f"status {rc}"
    raise error_for(rc, msg, payload)


def call(name, *args):
    """Calls a function whose last argument is snap_error **err."""
    f = getattr(lib(), name)
    err = POINTER(snap_error)()
    rc = f(*args, byref(err))
    if rc != OK:
        raise_for(rc, err)


def call_json(name, *args, keep_on_error=False):
    """Calls a function that writes JSON text into (char **out, size_t
    *out_len); returns the bytes (freed on the library's side). With
    keep_on_error, text written along with an error is attached to it."""
    l = lib()
    f = getattr(l, name)
    out = c_void_p()
    n = c_size_t()
    err = POINTER(snap_error)()
    rc = f(*args, byref(out), byref(n), byref(err))
    data = None
    if out.value:
        try:
            data = ctypes.string_at(out.value, n.value)
        finally:
            l.snap_free(out)
    if rc != OK:
        raise_for(rc, err, data if keep_on_error else None)
    return data


def version():
    return lib().snap_version().decode()


def status_name(code):
    return lib().snap_status_name(code).decode()
