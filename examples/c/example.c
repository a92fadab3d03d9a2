/* example.c: snapdb from C. Opens a snapshot, sums a column of a query
 * result read through the Arrow C stream interface, finds entity names in
 * a sentence, and saves the snapshot as one .snap file.
 *
 *   make -C examples/c            # cc example.c $(pkg-config --cflags --libs snap)
 *   examples/c/example <snapshot> <output.snap>
 */
#include <snap.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* fail prints the error, frees it and exits. */
static void fail(const char* what, snap_error* err) {
  fprintf(stderr, "%s: %s (%s)\n", what, err ? err->message : "?", err ? snap_status_name(err->code) : "");
  snap_error_free(err);
  exit(1);
}

/* sum_column reads the stream to its end and adds up the double column
 * named col, skipping NULLs. It releases the stream. */
static double sum_column(struct ArrowArrayStream* stream, const char* col, long long* rows, long long* nulls) {
  struct ArrowSchema schema;
  if (stream->get_schema(stream, &schema) != 0) {
    fprintf(stderr, "get_schema: %s\n", stream->get_last_error(stream));
    exit(1);
  }
  int64_t idx = -1;
  for (int64_t i = 0; i < schema.n_children; i++) {
    if (strcmp(schema.children[i]->name, col) == 0) idx = i;
  }
  if (idx < 0 || strcmp(schema.children[idx]->format, "g") != 0) {
    fprintf(stderr, "no double column %s in the result\n", col);
    exit(1);
  }
  schema.release(&schema);

  double sum = 0;
  for (;;) {
    struct ArrowArray batch;
    if (stream->get_next(stream, &batch) != 0) {
      fprintf(stderr, "get_next: %s\n", stream->get_last_error(stream));
      exit(1);
    }
    if (batch.release == NULL) break; /* the end of the stream */
    struct ArrowArray* a = batch.children[idx];
    /* A primitive array: buffers[0] is the validity bitmap (may be NULL),
     * buffers[1] the values; both start at bit/element a->offset. */
    const uint8_t* valid = (const uint8_t*)a->buffers[0];
    const double* values = (const double*)a->buffers[1];
    for (int64_t i = 0; i < a->length; i++) {
      int64_t j = a->offset + i;
      if (valid && !(valid[j / 8] & (1u << (j % 8)))) {
        (*nulls)++;
        continue;
      }
      sum += values[j];
    }
    *rows += batch.length;
    batch.release(&batch);
  }
  stream->release(stream);
  return sum;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s <snapshot> <output.snap>\n", argv[0]);
    return 2;
  }
  snap_error* err = NULL;
  snap_db db = 0;
  printf("libsnap %s\n", snap_version());
  if (snap_db_open(argv[1], NULL, &db, &err) != SNAP_OK) fail("open", err);

  /* A query with a parameter, as an Arrow C stream. */
  const char* sql = "SELECT symbol, score FROM genes WHERE chrom = $1";
  const char* params = "[\"7\"]";
  struct ArrowArrayStream stream;
  if (snap_db_query(db, sql, strlen(sql), params, strlen(params), &stream, &err) != SNAP_OK) fail("query", err);
  long long rows = 0, nulls = 0;
  double sum = sum_column(&stream, "score", &rows, &nulls);
  printf("chromosome 7: %lld genes, %lld without a score, scores sum to %.3f\n", rows, nulls, sum);

  /* The same figure from SQL, as JSON. */
  const char* check = "SELECT count(*) AS genes, sum(score) AS total FROM genes WHERE chrom = '7'";
  char* json = NULL;
  if (snap_db_query_json(db, check, strlen(check), NULL, 0, &json, NULL, &err) != SNAP_OK) fail("query_json", err);
  printf("SQL says: %s\n", json);
  snap_free(json);

  /* Entity names in text. */
  const char* text = "Elevated TNF-alpha and BRCA2 variants in breast cancer patients exposed to benzene.";
  size_t len = 0;
  if (snap_nlp_match(db, text, strlen(text), 0, &json, &len, &err) != SNAP_OK) fail("nlp_match", err);
  printf("mentions (%zu bytes of JSON): %.300s%s\n", len, json, len > 300 ? "..." : "");
  snap_free(json);

  /* Save as one file. */
  snap_snapshot_meta meta;
  memset(&meta, 0, sizeof meta);
  meta.struct_version = SNAP_SNAPSHOT_META_VERSION;
  if (snap_db_save_snapshot(db, argv[2], SNAP_SAVE_OVERWRITE, &meta, &err) != SNAP_OK) fail("save", err);
  printf("saved %s: %llu tables, %llu rows, %llu bytes, root %.16s...\n", argv[2], (unsigned long long)meta.table_count,
         (unsigned long long)meta.row_count, (unsigned long long)meta.byte_count, meta.root_hash);

  if (snap_db_close(db, &err) != SNAP_OK) fail("close", err);
  return 0;
}
