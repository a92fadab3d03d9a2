/* test_panic.c: a Go panic inside the library comes back as
 * SNAP_ERR_INTERNAL instead of killing the process, and the library then
 * refuses every call. Run with a snapshot's path:
 *
 *   test_panic <snapshot-dir>
 */
#include <snap.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s <snapshot-dir>\n", argv[0]);
    return 2;
  }
  snap_error* err = NULL;
  snap_db db = 0;
  if (snap_db_open(argv[1], NULL, &db, &err) != SNAP_OK) {
    printf("FAIL open: %s\n", err->message);
    return 1;
  }
  int rc = snap_debug_panic(&err);
  if (rc != SNAP_ERR_INTERNAL || err == NULL || err->code != SNAP_ERR_INTERNAL || strstr(err->message, "panic") == NULL) {
    printf("FAIL snap_debug_panic returned %d (%s)\n", rc, err ? err->message : "no error");
    return 1;
  }
  printf("ok   contained: %s\n", err->message);
  snap_error_free(err);
  err = NULL;

  /* Every later call is refused, on the open handle too. */
  char* out = NULL;
  rc = snap_db_info(db, &out, NULL, &err);
  if (rc != SNAP_ERR_INTERNAL || out != NULL || err == NULL || strstr(err->message, "unusable") == NULL) {
    printf("FAIL info after the panic returned %d (%s)\n", rc, err ? err->message : "no error");
    return 1;
  }
  printf("ok   refused: %s\n", err->message);
  snap_error_free(err);
  err = NULL;
  rc = snap_db_open(argv[1], NULL, &db, &err);
  if (rc != SNAP_ERR_INTERNAL) {
    printf("FAIL open after the panic returned %d\n", rc);
    return 1;
  }
  snap_error_free(err);
  printf("all checks passed\n");
  return 0;
}
