"""pyarrow, if it is installed, and the import of Arrow C streams into it."""

import ctypes

from . import _ffi

_pa = None
_checked = False


def pyarrow():
    """The pyarrow module, or None when it cannot be imported."""
    global _pa, _checked
    if not _checked:
        try:
            import pyarrow as pa
        except ImportError:
            pa = None
        _pa, _checked = pa, True
    return _pa


def require():
    pa = pyarrow()
    if pa is None:
        raise ImportError("snapdb: this needs pyarrow (pip install pyarrow); query() without it returns a list of dicts")
    return pa


def import_stream(fn, *args):
    """Calls fn(*args, struct ArrowArrayStream *out, err) and moves the
    stream into a pyarrow.RecordBatchReader, which owns it from then on."""
    pa = require()
    stream = _ffi.ArrowArrayStream()
    _ffi.call(fn, *args, ctypes.byref(stream))
    try:
        return pa.RecordBatchReader._import_from_c(ctypes.addressof(stream))
    except BaseException:
        if stream.release:
            stream.release(ctypes.addressof(stream))
        raise


def read_all(reader):
    """reader.read_all(), closing the reader. An error while reading, which
    pyarrow raises as its own exception (ArrowInvalid, OSError) with the
    stream's message, comes out as the SnapError of the status code that
    message carries (error_from_arrow): SnapQueryError for a CAST that
    fails, SnapIntegrityError for a corrupt page, SnapIOError for I/O,
    SnapInternalError after a panic."""
    pa = require()
    with reader:
        try:
            return reader.read_all()
        except (OSError, pa.ArrowException) as e:
            from ._errors import error_from_arrow

            err = error_from_arrow(e)
            if err is None:
                raise
            raise err from e
