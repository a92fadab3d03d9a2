/* test_errors.c: the error paths of the C API. Every misuse gives a status
 * code and a message, never a crash: NULL arguments, handle 0, a handle
 * never given out, a closed handle, bad SQL, bad parameters, a write
 * statement, wrong struct versions. Run with the demo snapshot's path:
 *
 *   test_errors <snapshot-dir> <scratch-dir>
 *
 * It prints one line per check and exits 1 if any check failed. */
#include <snap.h>

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

  /* Handle 0 and a handle never given out. */
  EXPECT("info handle 0", snap_db_info(0, &out, &out_len, &err), SNAP_ERR_BAD_HANDLE, "0 is never");
  CHECK(out == NULL, "failed info left output");
  EXPECT("info handle 42", snap_db_info(42, &out, &out_len, &err), SNAP_ERR_BAD_HANDLE, "42");
  EXPECT("close handle 7", snap_db_close(7, &err), SNAP_ERR_BAD_HANDLE, NULL);

  db = open_demo(demo);
  CHECK(db != 0, "open gave handle 0");

  /* NULL out-parameters and SQL on a good handle. */
  EXPECT("info NULL out", snap_db_info(db, NULL, NULL, &err), SNAP_ERR_INVALID_ARGUMENT, "out_json is NULL");
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

  /* A closed handle, a second close. */
  EXPECT("info closed", snap_db_info(db, &out, &out_len, &err), SNAP_ERR_BAD_HANDLE, "closed");
  EXPECT("close twice", snap_db_close(db, &err), SNAP_ERR_BAD_HANDLE, "closed");

  /* Nothing is left: no handles, no streams, no Arrow memory. */
  EXPECT("stats", snap_stats(&out, &out_len, &err), SNAP_OK, NULL);
  CHECK(out && strcmp(out, "{\"handles\":0,\"streams\":0,\"arrowBytes\":0}") == 0, "stats %s", out ? out : "NULL");
  snap_free(out);

  printf(failures ? "%d check(s) FAILED\n" : "all checks passed\n", failures);
  return failures ? 1 : 0;
}
