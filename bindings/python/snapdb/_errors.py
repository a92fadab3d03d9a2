"""One exception hierarchy keyed by the C API's status codes."""

import re

from . import _ffi


class SnapError(Exception):
    """An error of snapdb, with the C API's status code in .code, its short
    name in .status and the library's message (naming the file, table or
    position at fault) in .message."""

    code = None

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def status(self):
        return _NAMES.get(self.code, f"status {self.code}")

    def __str__(self):
        return self.message

    def __repr__(self):
        return f"{type(self).__name__}(code={self.code}, message={self.message!r})"


class SnapInvalidArgumentError(SnapError, ValueError):
    """SNAP_ERR_INVALID_ARGUMENT: a malformed argument (also a ValueError)."""


class SnapBadHandleError(SnapError):
    """SNAP_ERR_BAD_HANDLE: the database is closed (or the handle is not one)."""


class SnapNotFoundError(SnapError):
    """SNAP_ERR_NOT_FOUND: no snapshot at the path (nothing there, or not a
    snapshot), or no libsnap.so where the binding looks for it. An unknown
    table in SQL is SnapQueryError."""


class SnapIOError(SnapError):
    """SNAP_ERR_IO: reading or writing files failed."""


class SnapIntegrityError(SnapError):
    """SNAP_ERR_INTEGRITY: a file disagrees with the manifest or is missing; a
    corrupt file, or a page that fails to decode while a query reads it.
    From DB.verify(), .report holds the verification report (a dict)."""

    report = None


class SnapQueryError(SnapError):
    """SNAP_ERR_QUERY: SQL that does not parse or bind, or that fails while it
    runs (a CAST that fails on a row, a value out of range, an overflow)."""


class SnapReadOnlyError(SnapError):
    """SNAP_ERR_READ_ONLY: a statement that would write."""


class SnapNoNLPError(SnapError):
    """SNAP_ERR_NO_NLP: the snapshot has no usable NLP automaton."""


class SnapUnsupportedError(SnapError):
    """SNAP_ERR_UNSUPPORTED: a format or struct version the library does not know."""


class SnapExistsError(SnapError):
    """SNAP_ERR_EXISTS: the target exists and is not a snapshot to replace."""


class SnapInternalError(SnapError):
    """SNAP_ERR_INTERNAL: a recovered panic inside the library (or use after
    fork()); the library refuses every later call: restart the process."""


_CLASSES = {
    _ffi.ERR_INVALID_ARGUMENT: SnapInvalidArgumentError,
    _ffi.ERR_BAD_HANDLE: SnapBadHandleError,
    _ffi.ERR_NOT_FOUND: SnapNotFoundError,
    _ffi.ERR_IO: SnapIOError,
    _ffi.ERR_INTEGRITY: SnapIntegrityError,
    _ffi.ERR_QUERY: SnapQueryError,
    _ffi.ERR_READ_ONLY: SnapReadOnlyError,
    _ffi.ERR_NO_NLP: SnapNoNLPError,
    _ffi.ERR_UNSUPPORTED: SnapUnsupportedError,
    _ffi.ERR_EXISTS: SnapExistsError,
    _ffi.ERR_INTERNAL: SnapInternalError,
}

# snap_status_name's names, here so that .status needs no library call.
_NAMES = {
    _ffi.OK: "ok",
    _ffi.ERR_INVALID_ARGUMENT: "invalid argument",
    _ffi.ERR_BAD_HANDLE: "bad handle",
    _ffi.ERR_NOT_FOUND: "not found",
    _ffi.ERR_IO: "I/O error",
    _ffi.ERR_INTEGRITY: "integrity error",
    _ffi.ERR_QUERY: "query error",
    _ffi.ERR_READ_ONLY: "read-only",
    _ffi.ERR_NO_NLP: "no NLP automaton",
    _ffi.ERR_UNSUPPORTED: "unsupported",
    _ffi.ERR_EXISTS: "exists",
    _ffi.ERR_INTERNAL: "internal error",
}


def error_for(code, message, payload=None):
    """The exception for status code (SnapError itself for a code this
    binding does not know)."""
    e = _CLASSES.get(code, SnapError)(code, message)
    if payload is not None and isinstance(e, SnapIntegrityError):
        import json

        try:
            e.report = json.loads(payload)
        except ValueError:
            pass
    return e


# snap.h's names of the status codes, as an Arrow C stream's get_last_error
# message starts with them.
_MACROS = {
    _ffi.ERR_INVALID_ARGUMENT: "SNAP_ERR_INVALID_ARGUMENT",
    _ffi.ERR_BAD_HANDLE: "SNAP_ERR_BAD_HANDLE",
    _ffi.ERR_NOT_FOUND: "SNAP_ERR_NOT_FOUND",
    _ffi.ERR_IO: "SNAP_ERR_IO",
    _ffi.ERR_INTEGRITY: "SNAP_ERR_INTEGRITY",
    _ffi.ERR_QUERY: "SNAP_ERR_QUERY",
    _ffi.ERR_READ_ONLY: "SNAP_ERR_READ_ONLY",
    _ffi.ERR_NO_NLP: "SNAP_ERR_NO_NLP",
    _ffi.ERR_UNSUPPORTED: "SNAP_ERR_UNSUPPORTED",
    _ffi.ERR_EXISTS: "SNAP_ERR_EXISTS",
    _ffi.ERR_INTERNAL: "SNAP_ERR_INTERNAL",
}

_STREAM_STATUS = re.compile(r"(SNAP_[A-Z_]+) \((\d+)\): ")


def error_from_arrow(exc):
    """The SnapError carried by exc, an exception pyarrow raised while
    reading one of the library's Arrow streams (DB.query_reader): pyarrow
    raises ArrowInvalid for an error of the query and OSError for I/O,
    integrity and internal errors, with the stream's message, which starts
    with the status code's name and number, as in "SNAP_ERR_QUERY (6):
    CAST(...)". Returns the SnapError subclass of that code with the
    message after the prefix, or None when exc carries no status code (it
    did not come from the library)."""
    msg = str(exc)
    for m in _STREAM_STATUS.finditer(msg):
        code = int(m.group(2))
        if _MACROS.get(code) == m.group(1):
            return error_for(code, msg[m.end():])
    return None
