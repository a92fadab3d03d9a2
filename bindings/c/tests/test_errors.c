/* test_errors.c: the error paths of the C API. Every misuse gives a status
 * code and a message, never a crash: NULL arguments, handle 0, a handle
 * never given out, a closed handle (for every function that takes one),
 * lengths no buffer can have, bad SQL, bad parameters, a write statement,
 * wrong struct versions, and an error while a stream is read (its errno
 * and get_last_error's "SNAP_ERR_... (n): " prefix). Run with the demo
 * snapshot's path:
 *
 *   test_errors <snapshot-dir> <scratch-dir>
 *
 * It prints one line per check and exits 1 if any check failed. */
#include <snap.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (cond) {                                            \
      printf("ok   %s\n", #cond);                          \
    } else {                                               \
      failures++;                                          \
      printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      printf(__VA_ARGS__);                                 \
      printf("\n");                                        \
    }                                                      \
  } while (0)

/* expect checks that status is want and that err carries the same code and
 * a message containing needle, then frees err. */
static void expect(const char* what, int status, snap_error* err, int want, const char* needle) {
  if (status != want) {
    failures++;
    printf("FAIL %s: status %d (%s), want %d (%s); message: %s\n", what, status, snap_status_name(status), want,
           snap_status_name(want), err ? err->message : "(no error)");
  } else if (want != SNAP_OK && (err == NULL || err->code != want || err->message == NULL)) {
    failures++;
    printf("FAIL %s: status %d but the error is %p\n", what, status, (void*)err);
  } else if (needle && (err == NULL || strstr(err->message, needle) == NULL)) {
    failures++;
    printf("FAIL %s: message %s does not mention \"%s\"\n", what, err ? err->message : "(none)", needle);
  } else {
    printf("ok   %s: %s\n", what, err ? err->message : "ok");
  }
  snap_error_free(err);
}

/* EXPECT runs call, which reports into a fresh local err, and checks it. */
#define EXPECT(what, call, want, needle) \
  do {                                   \
    snap_error* err = NULL;              \
    int rc_ = (call);                    \
    expect(what, rc_, err, want, needle); \
  } while (0)

/* expect_bad_handle checks that every function taking a handle refuses db
 * with SNAP_ERR_BAD_HANDLE and a message containing needle, and leaves its
 * outputs empty. */
static void expect_bad_handle(const char* label, snap_db db, const char* path, const char* needle) {
  char what[128];
  char* out = NULL;
  size_t out_len = 0;
  struct ArrowArrayStream stream;
  const char* q = "SELECT 1";
#define BAD(name, call)                                     \
  do {                                                      \
    snprintf(what, sizeof what, "%s %s", name, label);      \
    EXPECT(what, call, SNAP_ERR_BAD_HANDLE, needle);        \
  } while (0)
  BAD("info", snap_db_info(db, &out, &out_len, &err));
  BAD("tables", snap_db_tables(db, &out, &out_len, &err));
  BAD("verify", snap_db_verify(db, &out, &out_len, &err));
  BAD("query_json", snap_db_query_json(db, q, strlen(q), NULL, 0, &out, &out_len, &err));
  BAD("nlp_match", snap_nlp_match(db, "BRCA2", 5, 0, &out, &out_len, &err));
  CHECK(out == NULL && out_len == 0, "a refused call left output %p (%zu bytes)", (void*)out, out_len);
  BAD("query", snap_db_query(db, q, strlen(q), NULL, 0, &stream, &err));
  CHECK(stream.release == NULL, "a refused query left a live stream");
  BAD("nlp_match_arrow", snap_nlp_match_arrow(db, "BRCA2", 5, 0, &stream, &err));
  CHECK(stream.release == NULL, "a refused match left a live stream");
  BAD("save", snap_db_save_snapshot(db, path, 0, NULL, &err));
  BAD("load", snap_db_load_snapshot(db, path, NULL, &err));
  BAD("close", snap_db_close(db, &err));
#undef BAD
}

static snap_db open_demo(const char* path) {
  snap_db db = 0;
  EXPECT("open demo", snap_db_open(path, NULL, &db, &err), SNAP_OK, NULL);
  return db;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s <snapshot-dir> <scratch-dir>\n", argv[0]);
    return 2;
  }
  const char* demo = argv[1];
  char target[4096];
  snprintf(target, sizeof target, "%s/not-a-snapshot", argv[2]);

  snap_db db = 0;
  char* out = NULL;
  size_t out_len = 0;
  struct ArrowArrayStream stream;

  CHECK(strlen(snap_version()) > 0, "empty version");
  CHECK(strcmp(snap_status_name(SNAP_ERR_BAD_HANDLE), "bad handle") == 0, "%s", snap_status_name(SNAP_ERR_BAD_HANDLE));
  CHECK(strcmp(snap_status_name(12345), "unknown status") == 0, "%s", snap_status_name(12345));
  snap_free(NULL);
  snap_error_free(NULL);

  /* NULL arguments. */
  EXPECT("open NULL path", snap_db_open(NULL, NULL, &db, &err), SNAP_ERR_INVALID_ARGUMENT, "path is NULL");
  EXPECT("open NULL out_db", snap_db_open(demo, NULL, NULL, &err), SNAP_ERR_INVALID_ARGUMENT, "out_db is NULL");
  /* err itself may be NULL: the status still says what happened. */
  CHECK(snap_db_open(NULL, NULL, &db, NULL) == SNAP_ERR_INVALID_ARGUMENT, "NULL err out-parameter");

  /* A path that is not a snapshot, and an options struct of a future version. */
  EXPECT("open missing", snap_db_open(target, NULL, &db, &err), SNAP_ERR_NOT_FOUND, "not-a-snapshot");
  CHECK(db == 0, "failed open left handle %llu", (unsigned long long)db);
  snap_open_options opts;
  memset(&opts, 0, sizeof opts);
  opts.struct_version = 99;
  EXPECT("open options v99", snap_db_open(demo, &opts, &db, &err), SNAP_ERR_UNSUPPORTED, "struct_version");
  opts.struct_version = SNAP_OPEN_OPTIONS_VERSION;
  opts.flags = 0x80;
  EXPECT("open unknown flag", snap_db_open(demo, &opts, &db, &err), SNAP_ERR_INVALID_ARGUMENT, "flags");

  /* Handle 0 and a handle never given out, for every function. */
  expect_bad_handle("handle 0", 0, target, "0 is never");
  expect_bad_handle("handle 42", 42, target, "42");
  EXPECT("close handle 7", snap_db_close(7, &err), SNAP_ERR_BAD_HANDLE, NULL);

  db = open_demo(demo);
  CHECK(db != 0, "open gave handle 0");

  /* NULL out-parameters and SQL on a good handle. */
  EXPECT("info NULL out", snap_db_info(db, NULL, NULL, &err), SNAP_ERR_INVALID_ARGUMENT, "out_json is NULL");
  EXPECT("tables NULL out", snap_db_tables(db, NULL, &out_len, &err), SNAP_ERR_INVALID_ARGUMENT, "out_json is NULL");
  EXPECT("verify NULL out", snap_db_verify(db, NULL, NULL, &err), SNAP_ERR_INVALID_ARGUMENT, "out_json is NULL");
  EXPECT("query_json NULL out", snap_db_query_json(db, "SELECT 1", 8, NULL, 0, NULL, NULL, &err), SNAP_ERR_INVALID_ARGUMENT,
         "out_json is NULL");
  EXPECT("nlp_match NULL out", snap_nlp_match(db, "BRCA2", 5, 0, NULL, NULL, &err), SNAP_ERR_INVALID_ARGUMENT, "out_json is NULL");
  EXPECT("stats NULL out", snap_stats(NULL, NULL, &err), SNAP_ERR_INVALID_ARGUMENT, "out_json is NULL");
  EXPECT("nlp_match_arrow NULL out", snap_nlp_match_arrow(db, "BRCA2", 5, 0, NULL, &err), SNAP_ERR_INVALID_ARGUMENT, "out is NULL");
  EXPECT("query_json NULL sql", snap_db_query_json(db, NULL, 0, NULL, 0, &out, &out_len, &err), SNAP_ERR_INVALID_ARGUMENT,
         "sql is NULL");
  CHECK(out == NULL, "a failed call left output");
  EXPECT("query NULL sql", snap_db_query(db, NULL, 0, NULL, 0, &stream, &err), SNAP_ERR_INVALID_ARGUMENT, "sql is NULL");
  CHECK(stream.release == NULL, "failed query left a live stream");
  const char* q = "SELECT 1";
  EXPECT("query NULL out", snap_db_query(db, q, strlen(q), NULL, 0, NULL, &err), SNAP_ERR_INVALID_ARGUMENT, "out is NULL");
  EXPECT("query NULL params with length", snap_db_query(db, q, strlen(q), NULL, 3, &stream, &err), SNAP_ERR_INVALID_ARGUMENT, "params_json is NULL");

  /* SQL errors name the position; writes are refused; bad parameters. */
  q = "SELECT * FORM genes";
  EXPECT("syntax error", snap_db_query(db, q, strlen(q), NULL, 0, &stream, &err), SNAP_ERR_QUERY, "1:10");
  q = "SELECT nope FROM genes";
  EXPECT("unknown column", snap_db_query_json(db, q, strlen(q), NULL, 0, &out, &out_len, &err), SNAP_ERR_QUERY, "nope");
  q = "DELETE FROM genes";
  EXPECT("write statement", snap_db_query(db, q, strlen(q), NULL, 0, &stream, &err), SNAP_ERR_READ_ONLY, "read-only");
  q = "SELECT symbol FROM genes WHERE symbol = ?";
  const char* bad = "[1,";
  EXPECT("bad params", snap_db_query(db, q, strlen(q), bad, strlen(bad), &stream, &err), SNAP_ERR_INVALID_ARGUMENT, "JSON array");
  /* Lengths no buffer can have (above PTRDIFF_MAX, the largest Go length)
   * are errors, not a panic that would leave the library unusable: the
   * calls after these still work. */
  q = "SELECT 1";
  EXPECT("sql_len SIZE_MAX", snap_db_query(db, q, SIZE_MAX, NULL, 0, &stream, &err), SNAP_ERR_INVALID_ARGUMENT, "sql_len");
  CHECK(stream.release == NULL, "failed query left a live stream");
  EXPECT("sql_len 2^63", snap_db_query_json(db, q, (size_t)1 << 63, NULL, 0, &out, &out_len, &err), SNAP_ERR_INVALID_ARGUMENT,
         "sql_len");
  EXPECT("params_len SIZE_MAX", snap_db_query(db, q, strlen(q), "[]", SIZE_MAX, &stream, &err), SNAP_ERR_INVALID_ARGUMENT,
         "params_len");
  EXPECT("text_len SIZE_MAX", snap_nlp_match(db, "BRCA2", SIZE_MAX, 0, &out, &out_len, &err), SNAP_ERR_INVALID_ARGUMENT,
         "text_len");
  EXPECT("arrow text_len 2^63", snap_nlp_match_arrow(db, "BRCA2", (size_t)1 << 63, 0, &stream, &err), SNAP_ERR_INVALID_ARGUMENT,
         "text_len");

  /* An error while the stream is read: get_next returns EINVAL for an
   * error of the query (EIO for I/O and integrity), and get_last_error's
   * message starts with the status code's name and number. */
  q = "SELECT CAST(symbol AS INTEGER) AS n FROM genes";
  EXPECT("query failing mid-stream", snap_db_query(db, q, strlen(q), NULL, 0, &stream, &err), SNAP_OK, NULL);
  if (stream.release != NULL) {
    struct ArrowSchema schema;
    CHECK(stream.get_schema(&stream, &schema) == 0 && schema.n_children == 1, "get_schema failed: %s", stream.get_last_error(&stream));
    if (schema.release) schema.release(&schema);
    int rc = 0;
    for (;;) {
      struct ArrowArray batch;
      rc = stream.get_next(&stream, &batch);
      if (rc != 0 || batch.release == NULL) break;
      batch.release(&batch);
    }
    const char* msg = stream.get_last_error(&stream);
    CHECK(rc == EINVAL, "get_next returned %d, want EINVAL (%d)", rc, EINVAL);
    CHECK(msg && strncmp(msg, "SNAP_ERR_QUERY (6): ", 20) == 0 && strstr(msg, "TNF"), "get_last_error: %s", msg ? msg : "NULL");
    printf("     get_last_error: %s\n", msg ? msg : "NULL");
    stream.release(&stream);
    CHECK(stream.release == NULL, "release did not mark the stream released");
  }

  /* The SQL is taken by length: bytes after sql_len are not read. */
  q = "SELECT count(*) AS n FROM genes; garbage";
  EXPECT("sql by length", snap_db_query_json(db, q, strlen("SELECT count(*) AS n FROM genes"), NULL, 0, &out, &out_len, &err), SNAP_OK, NULL);
  CHECK(out != NULL && strncmp(out, "[{\"n\":", 6) == 0 && out_len == strlen(out), "query_json gave %s", out ? out : "NULL");
  snap_free(out);
  out = NULL;

  /* Wrong struct version for meta; saving over something that is not a snapshot. */
  snap_snapshot_meta meta;
  memset(&meta, 0, sizeof meta);
  EXPECT("save meta v0", snap_db_save_snapshot(db, target, 0, &meta, &err), SNAP_ERR_UNSUPPORTED, "struct_version");
  EXPECT("save NULL path", snap_db_save_snapshot(db, NULL, 0, NULL, &err), SNAP_ERR_INVALID_ARGUMENT, "path is NULL");
  EXPECT("load NULL path", snap_db_load_snapshot(db, NULL, NULL, &err), SNAP_ERR_INVALID_ARGUMENT, "path is NULL");
  EXPECT("load missing", snap_db_load_snapshot(db, target, NULL, &err), SNAP_ERR_NOT_FOUND, NULL);
  /* The failed load left the old snapshot serving. */
  q = "SELECT count(*) FROM genes";
  EXPECT("query after failed load", snap_db_query_json(db, q, strlen(q), NULL, 0, &out, &out_len, &err), SNAP_OK, NULL);
  snap_free(out);
  out = NULL;

  /* NLP: NULL text with a length. */
  EXPECT("match NULL text", snap_nlp_match(db, NULL, 5, 0, &out, &out_len, &err), SNAP_ERR_INVALID_ARGUMENT, "text is NULL");
  EXPECT("match bad flags", snap_nlp_match(db, "x", 1, 0x10, &out, &out_len, &err), SNAP_ERR_INVALID_ARGUMENT, "flags");

  /* A stream outlives its handle: close, then read it to the end. */
  q = "SELECT symbol FROM genes LIMIT 5";
  EXPECT("query before close", snap_db_query(db, q, strlen(q), NULL, 0, &stream, &err), SNAP_OK, NULL);
  EXPECT("close", snap_db_close(db, &err), SNAP_OK, NULL);
  int64_t rows = 0;
  for (;;) {
    struct ArrowArray batch;
    if (stream.get_next(&stream, &batch) != 0) {
      failures++;
      printf("FAIL get_next after close: %s\n", stream.get_last_error(&stream));
      break;
    }
    if (batch.release == NULL) break;
    rows += batch.length;
    batch.release(&batch);
  }
  stream.release(&stream);
  CHECK(rows == 5, "read %lld rows after close, want 5", (long long)rows);

  /* A closed handle, for every function (a second close among them). */
  expect_bad_handle("closed", db, target, "closed");

  /* Nothing is left: no handles, no streams, no Arrow memory. */
  EXPECT("stats", snap_stats(&out, &out_len, &err), SNAP_OK, NULL);
  CHECK(out && strcmp(out, "{\"handles\":0,\"streams\":0,\"arrowBytes\":0}") == 0, "stats %s", out ? out : "NULL");
  snap_free(out);

  printf(failures ? "%d check(s) FAILED\n" : "all checks passed\n", failures);
  return failures ? 1 : 0;
}
