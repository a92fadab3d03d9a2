"""The base class of objects that own a native handle (wasmtime-py's model)."""

import sys
import threading

from . import _ffi
from ._errors import SnapBadHandleError, SnapInternalError


class Managed:
    """Owns one native handle: close() is idempotent and thread-safe, the
    object is a context manager, a method called after close() raises
    SnapBadHandleError naming the object, and __del__ closes a forgotten
    handle, but never at interpreter shutdown and never in a child process
    forked after the library was loaded (where calling it would hang)."""

    _handle = None  # set by subclasses; None once closed
    _what = "object"

    def __init__(self, handle):
        self._close_lock = threading.Lock()
        self._handle = handle

    def _delete(self, handle):  # pragma: no cover - abstract
        raise NotImplementedError

    def _ptr(self):
        h = self._handle
        if h is None:
            raise SnapBadHandleError(
                _ffi.ERR_BAD_HANDLE, f"snapdb: this {self._what} is closed (close() or the end of its with block)"
            )
        return h

    @property
    def closed(self):
        return self._handle is None

    def close(self):
        """Releases the handle. Calling it again does nothing.

        Once the library is unusable (a panic inside it: every call raises
        SnapInternalError), the handle cannot be released: close() then
        marks the object closed and returns without raising, so that the
        end of a with block does not mask the error it is unwinding with.
        What the handle held stays allocated until the process exits."""
        lock = getattr(self, "_close_lock", None)
        if lock is None:  # __init__ did not finish
            return
        with lock:
            h, self._handle = self._handle, None
        if h is not None and _ffi.loaded_here():
            try:
                self._delete(h)
            except SnapInternalError:
                pass

    def __enter__(self):
        self._ptr()
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if sys is None or sys.is_finalizing():
            return  # the process is ending: the library goes with it
        try:
            self.close()
        except Exception:
            pass
