/* info_loop: the cost of one small call from C, for
 * scripts/bench-bindings.sh: opens a snapshot, then times N calls of
 * snap_db_info + snap_free on the open handle and prints ns per call.
 *
 *   cc -O2 -I include info_loop.c -L DIR -lsnap -o info_loop
 *   info_loop SNAPSHOT [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "snap.h"

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: info_loop SNAPSHOT [N]\n");
    return 2;
  }
  long n = argc > 2 ? atol(argv[2]) : 100000;
  snap_db db = 0;
  snap_error* err = NULL;
  if (snap_db_open(argv[1], NULL, &db, &err) != SNAP_OK) {
    fprintf(stderr, "info_loop: %s\n", err ? err->message : "open failed");
    snap_error_free(err);
    return 1;
  }
  double best = 0;
  for (int round = 0; round < 5; round++) {
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
      char* js = NULL;
      size_t len = 0;
      if (snap_db_info(db, &js, &len, NULL) != SNAP_OK) {
        fprintf(stderr, "info_loop: snap_db_info failed\n");
        return 1;
      }
      snap_free(js);
    }
    double per = (now_ns() - t0) / n;
    if (round == 0 || per < best) best = per;
  }
  snap_db_close(db, NULL);
  printf("{\"ns_per_call\": %.1f, \"calls\": %ld}\n", best, n);
  return 0;
}
