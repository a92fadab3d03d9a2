// The C half of ffi/stream.go: the get_schema and get_next callbacks of
// the library's Arrow C streams zero their output before the Go code
// writes into it (Go must not see the garbage a consumer may leave there:
// apache/arrow-adbc#729), then call the Go exports.
#include <string.h>

#define SNAP_NO_PROTOTYPES
#include "snap.h"

int snapStreamGetSchema(struct ArrowArrayStream*, struct ArrowSchema*);
int snapStreamGetNext(struct ArrowArrayStream*, struct ArrowArray*);

int snapStreamGetSchemaTrampoline(struct ArrowArrayStream* stream, struct ArrowSchema* out) {
  if (out == NULL) return snapStreamGetSchema(stream, out);
  memset(out, 0, sizeof(*out));
  return snapStreamGetSchema(stream, out);
}

int snapStreamGetNextTrampoline(struct ArrowArrayStream* stream, struct ArrowArray* out) {
  if (out == NULL) return snapStreamGetNext(stream, out);
  memset(out, 0, sizeof(*out));
  return snapStreamGetNext(stream, out);
}
