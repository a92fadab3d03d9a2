"""One exception hierarchy keyed by the C API's status codes."""

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
    """SNAP_ERR_NOT_FOUND: no snapshot, table or file at that name."""


class SnapIOError(SnapError):
    """SNAP_ERR_IO: reading or writing files failed."""


class SnapIntegrityError(SnapError):
    """SNAP_ERR_INTEGRITY: a file disagrees with the manifest; a corrupt file.
    From DB.verify(), .report holds the verification report (a dict)."""

    report = None


class SnapQueryError(SnapError):
    """SNAP_ERR_QUERY: SQL that does not parse or bind."""


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
