/*
 * snap.h: the C API of snapdb (libsnap.so).
 *
 * snapdb opens immutable, verified, point-in-time database snapshots
 * (Parquet tables plus a manifest, see docs/) in milliseconds, answers
 * read-only SQL over them, and finds entity names in text with the
 * snapshot's pre-compiled automaton. This header is the contract: the
 * tests fail when it and the library's exported symbols disagree.
 *
 * Conventions (docs/c-api.md has the long form):
 *
 *  - Handles. An open snapshot is a snap_db, an integer. 0 is never valid;
 *    numbers are never reused; a handle that is 0, unknown or closed gives
 *    SNAP_ERR_BAD_HANDLE, never a crash.
 *  - Status codes. Every fallible function returns SNAP_OK (0) or one of
 *    the SNAP_ERR_* codes below, and takes an optional last argument
 *    snap_error **err. When err is not NULL, *err is set to NULL on
 *    success and to a new snap_error (code and message) on failure, which
 *    the caller frees with snap_error_free. There is no "last error" state.
 *  - Ownership. Everything the library hands out (JSON text, errors, Arrow
 *    streams) is freed by the library's own functions: snap_free,
 *    snap_error_free, and the stream's release callback. Freeing NULL is a
 *    no-op. Strings the caller passes in are only read during the call.
 *  - Text. Text in (SQL, parameters, text to match) is UTF-8 with an
 *    explicit length in bytes (a length above PTRDIFF_MAX, which no buffer
 *    can have, is SNAP_ERR_INVALID_ARGUMENT); paths are NUL-terminated.
 *    Text out is UTF-8, NUL-terminated, with its length (without the NUL)
 *    in *out_len when out_len is not NULL.
 *  - NULL arguments. A NULL where the library needs a pointer (a path, SQL,
 *    an out-parameter) is SNAP_ERR_INVALID_ARGUMENT. Options may be NULL
 *    (defaults).
 *  - Threads. Every function may be called from any thread, concurrently,
 *    on the same handle. Each call holds its handle while it runs:
 *    snap_db_close waits for the calls running on the handle in other
 *    threads to return, and calls that start after it get
 *    SNAP_ERR_BAD_HANDLE, so a call never runs on a half-closed snapshot.
 *    An Arrow stream is not a call on its handle (it outlives the close)
 *    and is for one thread at a time.
 *  - Errors of Arrow streams. A stream's get_next (and get_schema) returns
 *    0 or an errno: EINVAL for an error of the query (SNAP_ERR_QUERY: a
 *    CAST that fails on a row, a value out of range, an overflow), ENOSYS
 *    for SNAP_ERR_UNSUPPORTED, EIO for the rest (SNAP_ERR_IO,
 *    SNAP_ERR_INTEGRITY such as a corrupt page, SNAP_ERR_INTERNAL). Its
 *    get_last_error then returns the status code's name and number, ": ",
 *    and the message, as in
 *      SNAP_ERR_QUERY (6): CAST(symbol AS BIGINT): could not convert "TNF" to BIGINT
 *    This prefix is part of the contract: the status code is the number in
 *    the first match of the pattern "SNAP_[A-Z_]+ \(([0-9]+)\): " (Arrow
 *    libraries that wrap the message may put words before it). The string
 *    is valid until the next call on the stream or its release.
 *  - Panics. A Go panic inside the library is caught at the boundary and
 *    returned as SNAP_ERR_INTERNAL; from then on every call fails with
 *    SNAP_ERR_INTERNAL (the process should be restarted). Nothing unwinds
 *    into the caller. This holds for the callbacks of the library's Arrow
 *    streams too (get_schema, get_next, get_last_error, release); release
 *    still frees after a panic.
 *  - fork(). libsnap.so embeds the Go runtime, which starts its threads
 *    when the library is loaded; those threads do not survive fork(). A
 *    program linked with -lsnap loads it at startup, before main, so such
 *    a program may fork only to exec (the child must call nothing else but
 *    async-signal-safe functions before exec). A program that forks
 *    workers which use snapdb must not link with -lsnap: it forks first,
 *    then each child loads the library with dlopen("libsnap.so").
 *
 * Results leave as Arrow C streams (struct ArrowArrayStream, the Arrow C
 * stream interface, https://arrow.apache.org/docs/format/CStreamInterface.html):
 * zero-copy into pyarrow, nanoarrow, DuckDB, Polars and others. Hosts
 * without Arrow use the *_json variants.
 */
#ifndef SNAP_H
#define SNAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The Arrow C data and stream interfaces, verbatim from the Arrow spec. */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};

struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);
  void (*release)(struct ArrowArrayStream*);
  void* private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

/* ---- Status codes ------------------------------------------------------ */

#define SNAP_OK 0
#define SNAP_ERR_INVALID_ARGUMENT 1 /* a NULL or malformed argument */
#define SNAP_ERR_BAD_HANDLE 2       /* a handle that is 0, unknown or closed */
#define SNAP_ERR_NOT_FOUND 3        /* no snapshot at the path: nothing there, or not a snapshot */
#define SNAP_ERR_IO 4               /* reading or writing files failed (an operating-system error) */
#define SNAP_ERR_INTEGRITY 5        /* a file disagrees with the manifest, or is missing; a corrupt file or page */
#define SNAP_ERR_QUERY 6            /* SQL that does not parse or bind, or fails while it runs (a CAST, an overflow) */
#define SNAP_ERR_READ_ONLY 7        /* a statement that would write */
#define SNAP_ERR_NO_NLP 8           /* the snapshot has no usable NLP automaton */
#define SNAP_ERR_UNSUPPORTED 9      /* a format or struct version this library does not know */
#define SNAP_ERR_EXISTS 10          /* the target exists and is not a snapshot to replace */
#define SNAP_ERR_INTERNAL 11        /* a recovered panic: the library refuses further calls */

/* ---- Types ------------------------------------------------------------- */

/* An open snapshot. 0 is never a valid handle. */
typedef uint64_t snap_db;

/* An error: a status code and a message naming the file, table or position
 * at fault. Allocated by the library; free it with snap_error_free. */
typedef struct snap_error {
  int32_t code;  /* one of SNAP_ERR_* */
  char* message; /* UTF-8, NUL-terminated; owned by the snap_error */
} snap_error;

#define SNAP_OPEN_OPTIONS_VERSION 1
#define SNAP_OPEN_VERIFY 1u /* re-hash every file before snap_db_open returns */

/* Options of snap_db_open. Zero it, then set struct_version to
 * SNAP_OPEN_OPTIONS_VERSION: later versions only add fields at the end. */
typedef struct snap_open_options {
  uint32_t struct_version; /* SNAP_OPEN_OPTIONS_VERSION */
  uint32_t flags;          /* SNAP_OPEN_VERIFY, or 0 */
  int32_t threads;         /* row groups decoded at once per table by a query; 0 = one per CPU */
} snap_open_options;

#define SNAP_SNAPSHOT_META_VERSION 1

/* What snap_db_save_snapshot and snap_db_load_snapshot report. The caller
 * owns the struct: zero it and set struct_version to
 * SNAP_SNAPSHOT_META_VERSION; the library fills in the rest. */
typedef struct snap_snapshot_meta {
  uint32_t struct_version; /* in: SNAP_SNAPSHOT_META_VERSION */
  uint32_t format_version; /* the snapshot format (1) */
  uint64_t table_count;
  uint64_t row_count;      /* rows over all tables */
  uint64_t byte_count;     /* bytes of the snapshot's files (tables and NLP automaton) */
  char root_hash[65];      /* BLAKE3 of the canonical manifest, 64 hex digits, NUL-terminated */
  int32_t has_wal_lsn;     /* 1 when the snapshot was taken at a write-ahead-log position */
  uint64_t wal_lsn;        /* that position, when has_wal_lsn */
} snap_snapshot_meta;

#define SNAP_SAVE_OVERWRITE 1u /* replace an existing snapshot at the path (never anything else) */
#define SNAP_MATCH_ALL 1u      /* every candidate mention, overlaps included (default: leftmost-longest) */

/* The functions are declared unless SNAP_NO_PROTOTYPES is defined (the
 * library's own glue defines it to get only the types). */
#ifndef SNAP_NO_PROTOTYPES

/* ---- Library ----------------------------------------------------------- */

/* snap_version returns the library's version, such as "0.1.0". The string
 * is static: do not free it. Thread-safe; never fails. */
const char* snap_version(void);

/* snap_status_name returns a short static name for a status code ("ok",
 * "bad handle", ...), or "unknown status" for a code this library does not
 * define. Do not free it. Thread-safe; never fails. */
const char* snap_status_name(int status);

/* snap_free frees a buffer the library returned (JSON text). snap_free(NULL)
 * is a no-op. Thread-safe. */
void snap_free(void* p);

/* snap_error_free frees an error and its message. snap_error_free(NULL) is
 * a no-op. Thread-safe. */
void snap_error_free(snap_error* err);

/* snap_stats writes what the library holds right now as a JSON object into
 * *out_json: {"handles": open handles, "streams": Arrow streams not yet
 * released, "arrowBytes": Arrow memory allocated and not yet freed}. For
 * leak checks in tests. Free *out_json with snap_free. Thread-safe. */
int snap_stats(char** out_json, size_t* out_len, snap_error** err);

/* ---- Opening and closing ----------------------------------------------- */

/* snap_db_open opens the snapshot at path (a directory holding
 * manifest.json, a .snap file, or a parquet:/// or snap:/// URI) and
 * stores its handle in *out_db. It reads only the manifest and the Parquet
 * footers unless opts->flags has SNAP_OPEN_VERIFY. opts may be NULL
 * (defaults); an unknown opts->struct_version is SNAP_ERR_UNSUPPORTED.
 * Errors: SNAP_ERR_NOT_FOUND (no snapshot there), SNAP_ERR_INTEGRITY,
 * SNAP_ERR_UNSUPPORTED, SNAP_ERR_IO. Close the handle with snap_db_close.
 * Thread-safe. */
int snap_db_open(const char* path, const snap_open_options* opts, snap_db* out_db,
                 snap_error** err);

/* snap_db_close closes the handle. The handle is invalid afterwards (a
 * second close is SNAP_ERR_BAD_HANDLE). It waits for the calls running on
 * the handle in other threads to return (a snap_db_verify or
 * snap_db_save_snapshot may take long); calls that start after it get
 * SNAP_ERR_BAD_HANDLE. Arrow streams already returned are not calls: they
 * stay readable until released. Errors: SNAP_ERR_BAD_HANDLE. Thread-safe. */
int snap_db_close(snap_db db, snap_error** err);

/* ---- Describing -------------------------------------------------------- */

/* snap_db_info writes a JSON description of the snapshot (versions,
 * source, tables with row counts and sizes, root hash; the document of
 * `snapdb info --json`) into *out_json. Free it with snap_free. It reads
 * no file (the manifest is in memory). Errors: SNAP_ERR_BAD_HANDLE,
 * SNAP_ERR_INVALID_ARGUMENT (out_json NULL). Thread-safe. */
int snap_db_info(snap_db db, char** out_json, size_t* out_len, snap_error** err);

/* snap_db_tables writes the table names as a JSON array of strings, sorted,
 * into *out_json. Free it with snap_free. Errors: SNAP_ERR_BAD_HANDLE,
 * SNAP_ERR_INVALID_ARGUMENT (out_json NULL). Thread-safe. */
int snap_db_tables(snap_db db, char** out_json, size_t* out_len, snap_error** err);

/* ---- Querying ---------------------------------------------------------- */

/* snap_db_query runs one read-only SQL SELECT (sql_len bytes of UTF-8 at
 * sql) and initialises *out, which the caller allocates, as an Arrow C
 * stream of the result. Parameters ($1, $2, ... or ?) come from
 * params_json, a JSON array such as [42, "BRCA2", 0.5, true, null]
 * (params_len bytes; NULL and 0 for none). Integers without a fraction are
 * BIGINT, other numbers DOUBLE.
 *
 * On success the caller owns the stream: read it with get_schema and
 * get_next until get_next yields an array whose release is NULL, then call
 * out->release(out), which frees everything the library held for it (also
 * after snap_db_close). On failure *out is zeroed (out->release == NULL).
 * Errors: SNAP_ERR_QUERY (syntax, unknown table or column: the message
 * gives the position and what exists), SNAP_ERR_READ_ONLY (INSERT, UPDATE,
 * ...), SNAP_ERR_INVALID_ARGUMENT (bad parameters), SNAP_ERR_BAD_HANDLE,
 * SNAP_ERR_UNSUPPORTED (a result type the Arrow C data interface cannot
 * carry). Errors while the rows are read come from get_next and
 * get_last_error, as "Errors of Arrow streams" above says:
 * SNAP_ERR_QUERY (EINVAL) for a CAST that fails on a row, a value out of
 * range or an overflow; SNAP_ERR_INTEGRITY (EIO) for a page that fails
 * to decode; SNAP_ERR_IO (EIO) for an operating-system error.
 * Thread-safe; the stream is for one thread at a time. */
int snap_db_query(snap_db db, const char* sql, size_t sql_len, const char* params_json,
                  size_t params_len, struct ArrowArrayStream* out, snap_error** err);

/* snap_db_query_json runs the query like snap_db_query and writes every row
 * into *out_json as a JSON array of objects whose keys are the column
 * names in order: integers, floats and booleans as JSON numbers and
 * booleans, NULL as null, everything else (strings, decimals, dates,
 * timestamps in UTC) as strings. The whole result is held in memory: use
 * snap_db_query for large results. Free *out_json with snap_free.
 * Errors: those of snap_db_query, including those of reading the rows
 * (SNAP_ERR_QUERY, SNAP_ERR_INTEGRITY, SNAP_ERR_IO), which it returns
 * itself. Thread-safe. */
int snap_db_query_json(snap_db db, const char* sql, size_t sql_len, const char* params_json,
                       size_t params_len, char** out_json, size_t* out_len, snap_error** err);

/* ---- Saving, loading, verifying ---------------------------------------- */

/* snap_db_save_snapshot writes the snapshot the handle serves to path: a
 * single-file container when path ends in ".snap", a directory otherwise.
 * The write is atomic: on failure nothing at path changes. An existing
 * snapshot at path is replaced only with SNAP_SAVE_OVERWRITE in flags
 * (anything else there is never replaced: SNAP_ERR_EXISTS). out_meta may be
 * NULL; when not, its struct_version must be SNAP_SNAPSHOT_META_VERSION and
 * it receives the saved snapshot's summary. Errors: SNAP_ERR_EXISTS,
 * SNAP_ERR_IO, SNAP_ERR_BAD_HANDLE, SNAP_ERR_INVALID_ARGUMENT (path NULL
 * or empty, unknown flags), SNAP_ERR_UNSUPPORTED (out_meta's version).
 * Thread-safe. */
int snap_db_save_snapshot(snap_db db, const char* path, uint32_t flags,
                          snap_snapshot_meta* out_meta, snap_error** err);

/* snap_db_load_snapshot makes the handle serve the snapshot at path
 * instead of the current one. The new snapshot is opened completely
 * before the swap; on failure the old one keeps serving and nothing
 * changes. Queries already running finish on the old snapshot. out_meta
 * is as for snap_db_save_snapshot. Errors: those of snap_db_open for the
 * new snapshot (SNAP_ERR_NOT_FOUND, SNAP_ERR_INTEGRITY, ...),
 * SNAP_ERR_BAD_HANDLE, SNAP_ERR_INVALID_ARGUMENT (path NULL or empty).
 * Thread-safe. */
int snap_db_load_snapshot(snap_db db, const char* path, snap_snapshot_meta* out_meta,
                          snap_error** err);

/* snap_db_verify re-hashes every file of the snapshot and writes the report
 * (files checked, bytes, problems) as JSON into *out_json. When a file
 * disagrees with the manifest it returns SNAP_ERR_INTEGRITY and still
 * writes the report (free it). Free *out_json with snap_free. Reads the
 * whole snapshot: it takes as long as reading that many bytes.
 * Thread-safe. */
int snap_db_verify(snap_db db, char** out_json, size_t* out_len, snap_error** err);

/* ---- Matching entity names --------------------------------------------- */

/* snap_nlp_match finds the entity names of the snapshot's automaton in
 * text_len bytes of UTF-8 at text (invalid bytes act as spaces) and writes
 * the mentions as a JSON array into *out_json: each has byte and rune
 * offsets into text (start, end, startRune, endRune), the text matched, and
 * candidates (entityId, entityType, aliasType, alias). flags is 0
 * (leftmost-longest, non-overlapping) or SNAP_MATCH_ALL. text may be NULL
 * when text_len is 0. Errors: SNAP_ERR_NO_NLP when the snapshot has no
 * usable automaton. Free *out_json with snap_free. Thread-safe. */
int snap_nlp_match(snap_db db, const char* text, size_t text_len, uint32_t flags,
                   char** out_json, size_t* out_len, snap_error** err);

/* snap_nlp_match_arrow is snap_nlp_match with the mentions as an Arrow C
 * stream in *out (one row per mention: start, end, start_rune, end_rune
 * int64; text utf8; candidates list<struct<entity_id int64, entity_type,
 * alias_type, alias utf8>>). Ownership as for snap_db_query; on failure
 * *out is zeroed. Errors: SNAP_ERR_NO_NLP, SNAP_ERR_BAD_HANDLE,
 * SNAP_ERR_INVALID_ARGUMENT (out NULL, text NULL with a length, unknown
 * flags). Thread-safe; the stream is for one thread at a time. */
int snap_nlp_match_arrow(snap_db db, const char* text, size_t text_len, uint32_t flags,
                         struct ArrowArrayStream* out, snap_error** err);

/* ---- Testing ----------------------------------------------------------- */

/* snap_debug_panic panics inside the library, to test that a panic is
 * contained: it returns SNAP_ERR_INTERNAL, and every later call, on every
 * thread, fails with SNAP_ERR_INTERNAL. Never call it in a process that
 * should go on using the library. Errors: always SNAP_ERR_INTERNAL.
 * Thread-safe. */
int snap_debug_panic(snap_error** err);

#endif /* SNAP_NO_PROTOTYPES */

#ifdef __cplusplus
}
#endif

#endif /* SNAP_H */
