"""DB: an open snapshot."""

from __future__ import annotations

import json
import os
from ctypes import byref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple, Union

if TYPE_CHECKING:
    import pyarrow

Params = Optional[Sequence[Union[int, float, str, bool, None]]]
PathLike = Union[str, bytes, "os.PathLike[str]"]

from . import _arrow, _ffi
from ._errors import SnapInvalidArgumentError
from ._managed import Managed

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def _path(path, what="path"):
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"snapdb: {what} must be a str, bytes or os.PathLike, not {type(path).__name__}")
    b = os.fsencode(path)
    if b"\0" in b:
        raise SnapInvalidArgumentError(_ffi.ERR_INVALID_ARGUMENT, f"snapdb: {what} contains a NUL byte")
    return b


def _text(s, what):
    if isinstance(s, str):
        return s.encode("utf-8")
    if isinstance(s, (bytes, bytearray, memoryview)):
        return bytes(s)
    raise TypeError(f"snapdb: {what} must be a str (or UTF-8 bytes), not {type(s).__name__}")


def encode_params(params):
    """params (a list or tuple of int, float, str, bool or None) as the
    JSON array snap_db_query takes; None or () is no parameters."""
    if params is None:
        return None
    if not isinstance(params, (list, tuple)):
        raise TypeError(f"snapdb: params must be a list or tuple, not {type(params).__name__}")
    if not params:
        return None
    for i, p in enumerate(params, 1):
        if p is None or isinstance(p, (bool, str, float)):
            continue
        if isinstance(p, int):
            if not _INT64_MIN <= p <= _INT64_MAX:
                raise OverflowError(f"snapdb: parameter {i} ({p}) does not fit in a BIGINT (64 bits)")
            continue
        raise TypeError(
            f"snapdb: parameter {i} is a {type(p).__name__}; want int, float, str, bool or None"
        )
    try:
        return json.dumps(list(params), allow_nan=False, ensure_ascii=False).encode("utf-8")
    except ValueError as e:  # NaN or infinity
        raise SnapInvalidArgumentError(_ffi.ERR_INVALID_ARGUMENT, f"snapdb: parameters: {e}") from None


def _meta(m):
    return {
        "format_version": m.format_version,
        "table_count": m.table_count,
        "row_count": m.row_count,
        "byte_count": m.byte_count,
        "root_hash": m.root_hash.decode("ascii"),
        "wal_lsn": m.wal_lsn if m.has_wal_lsn else None,
    }


def _new_meta():
    m = _ffi.snap_snapshot_meta()
    m.struct_version = _ffi.SNAPSHOT_META_VERSION
    return m


@dataclass(frozen=True)
class Candidate:
    """An entity a mention may name."""

    entity_id: int
    entity_type: str
    alias_type: str
    alias: str


@dataclass(frozen=True)
class Mention:
    """An entity name found in text: byte offsets (start, end) into the
    UTF-8 text, rune offsets (start_rune, end_rune, which are str indexes
    into the Python string), the text matched and its candidates."""

    start: int
    end: int
    start_rune: int
    end_rune: int
    text: str
    candidates: Tuple[Candidate, ...]


def _mention(d):
    return Mention(
        d["start"],
        d["end"],
        d["startRune"],
        d["endRune"],
        d["text"],
        tuple(Candidate(c["entityId"], c["entityType"], c["aliasType"], c["alias"]) for c in d.get("candidates") or ()),
    )


class NLP:
    """Entity-name matching with the snapshot's automaton (DB.nlp)."""

    def __init__(self, db):
        self._db = db

    def match(self, text: Union[str, bytes], all: bool = False) -> List[Mention]:
        """The mentions of entity names in text, as a list of Mention:
        leftmost-longest and non-overlapping, or every candidate mention
        (overlaps included) with all=True. Raises SnapNoNLPError when the
        snapshot has no automaton."""
        b = _text(text, "text")
        raw = _ffi.call_json("snap_nlp_match", self._db._ptr(), b, len(b), _ffi.MATCH_ALL if all else 0)
        return [_mention(d) for d in json.loads(raw)]

    def match_arrow(self, text: Union[str, bytes], all: bool = False) -> pyarrow.Table:
        """match() as a pyarrow.Table, one row per mention (start, end,
        start_rune, end_rune, text, candidates)."""
        b = _text(text, "text")
        return _arrow.read_all(
            _arrow.import_stream("snap_nlp_match_arrow", self._db._ptr(), b, len(b), _ffi.MATCH_ALL if all else 0)
        )


class DB(Managed):
    """An open snapshot: immutable, so one DB may be used from many threads
    at once. Close it with close() or a with block; results already
    returned (pyarrow tables, readers) stay valid after close. close()
    waits for calls running on other threads to return; calls after it
    raise SnapBadHandleError."""

    _what = "snapdb.DB"

    def __init__(self, path: PathLike, *, verify: bool = False, threads: int = 0):
        p = _path(path)
        if not isinstance(threads, int) or isinstance(threads, bool):
            raise TypeError("snapdb: threads must be an int")
        if threads < 0:
            raise SnapInvalidArgumentError(
                _ffi.ERR_INVALID_ARGUMENT, f"snapdb: threads is {threads}; want 0 (one per CPU) or more"
            )
        opts = _ffi.snap_open_options(_ffi.OPEN_OPTIONS_VERSION, _ffi.OPEN_VERIFY if verify else 0, threads)
        h = _ffi.snap_db()
        _ffi.call("snap_db_open", p, byref(opts), byref(h))
        self.path = os.fsdecode(path)
        self.nlp = NLP(self)
        super().__init__(h.value)

    def _delete(self, h):
        _ffi.call("snap_db_close", h)

    def __repr__(self):
        state = "closed" if self.closed else "open"
        return f"<snapdb.DB {self.path!r} ({state})>"

    def info(self) -> Dict[str, Any]:
        """The snapshot's description (versions, source, tables with row
        counts and sizes, root hash) as a dict: `snapdb info --json`."""
        return json.loads(_ffi.call_json("snap_db_info", self._ptr()))

    def tables(self) -> List[str]:
        """The table names, sorted."""
        return json.loads(_ffi.call_json("snap_db_tables", self._ptr()))

    def query_reader(self, sql: Union[str, bytes], params: Params = None) -> pyarrow.RecordBatchReader:
        """Runs one SELECT and returns the rows as a pyarrow.RecordBatchReader
        (batches are produced as they are read; zero-copy). Close it, or
        read it to the end, to release what the library holds for it. An
        error while reading is raised by pyarrow: pyarrow.ArrowInvalid (a
        ValueError) for an error of the query (a CAST that fails, an
        overflow), OSError for I/O and integrity errors (a corrupt page);
        its message starts with the status code, as in "SNAP_ERR_QUERY (6):
        ...", and snapdb.error_from_arrow(e) turns it into the matching
        SnapError."""
        s = _text(sql, "sql")
        pj = encode_params(params)
        return _arrow.import_stream(
            "snap_db_query", self._ptr(), s, len(s), pj, len(pj) if pj else 0
        )

    def query(self, sql: Union[str, bytes], params: Params = None) -> Union[pyarrow.Table, List[Dict[str, Any]]]:
        """Runs one read-only SELECT. params bind $1, $2, ... (or ?) from a
        list of int, float, str, bool or None. Returns a pyarrow.Table
        (zero-copy from the engine's Arrow buffers), or, when pyarrow is not
        installed, the rows as a list of dicts (see query_rows). An error
        while reading raises the SnapError of its status code, as errors of
        the call do: SnapQueryError for a CAST that fails or an overflow,
        SnapIntegrityError for a corrupt page, SnapIOError for I/O."""
        if _arrow.pyarrow() is None:
            return self.query_rows(sql, params)
        return _arrow.read_all(self.query_reader(sql, params))

    def query_rows(self, sql: Union[str, bytes], params: Params = None) -> List[Dict[str, Any]]:
        """Runs the query and returns every row as a dict (column name to
        value: int, float, bool, None, and str for everything else: text,
        decimals, dates, timestamps in UTC). Needs no pyarrow."""
        s = _text(sql, "sql")
        pj = encode_params(params)
        raw = _ffi.call_json("snap_db_query_json", self._ptr(), s, len(s), pj, len(pj) if pj else 0)
        return json.loads(raw)

    def save(self, path: PathLike, overwrite: bool = False) -> Dict[str, Any]:
        """Writes the snapshot to path (one .snap file when path ends in
        ".snap", a directory otherwise), atomically; an existing snapshot
        there is replaced only with overwrite=True. Returns the saved
        snapshot's meta dict."""
        p = _path(path)
        m = _new_meta()
        _ffi.call("snap_db_save_snapshot", self._ptr(), p, _ffi.SAVE_OVERWRITE if overwrite else 0, byref(m))
        return _meta(m)

    def load(self, path: PathLike) -> Dict[str, Any]:
        """Makes this DB serve the snapshot at path instead (opened
        completely before the swap; on failure the old one keeps serving).
        Returns the new snapshot's meta dict."""
        p = _path(path)
        m = _new_meta()
        _ffi.call("snap_db_load_snapshot", self._ptr(), p, byref(m))
        return _meta(m)

    def verify(self) -> Dict[str, Any]:
        """Re-hashes every file and returns the report (a dict). Raises
        SnapIntegrityError, with the report in .report, when a file
        disagrees with the manifest."""
        return json.loads(_ffi.call_json("snap_db_verify", self._ptr(), keep_on_error=True))


def open(path: PathLike, *, verify: bool = False, threads: int = 0) -> DB:  # noqa: A001 - the module's verb
    """Opens the snapshot at path (a directory holding manifest.json, a
    .snap file, or a parquet:/// or snap:/// URI): reads only the manifest
    and the Parquet footers, unless verify=True (re-hash every file first).
    threads bounds the row groups a query decodes at once per table (0: one
    per CPU)."""
    return DB(path, verify=verify, threads=threads)


def stats() -> Dict[str, int]:
    """What the library holds right now: {"handles", "streams",
    "arrowBytes"} (for leak checks)."""
    return json.loads(_ffi.call_json("snap_stats"))
