package main

// The library's own export of Arrow C streams (rather than arrow-go's
// cdata.ExportRecordReader, whose get_next returns EIO for every error and
// runs the export of each batch outside any recover): every callback runs
// under capi.Guard or capi.Contain, so nothing a stream does can take the
// host down, and an error reaches the consumer as an errno that says its
// kind (capi.Errno) and a get_last_error message that starts with its
// status code (capi.StreamMessage).

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#define SNAP_NO_PROTOTYPES
#include "snap.h"

typedef const char cchar_t;
int snapStreamGetSchemaTrampoline(struct ArrowArrayStream*, struct ArrowSchema*);
int snapStreamGetNextTrampoline(struct ArrowArrayStream*, struct ArrowArray*);
extern const char* snapStreamGetLastError(struct ArrowArrayStream*);
extern void snapStreamRelease(struct ArrowArrayStream*);
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/cdata"

	"github.com/snapdb/snapdb/capi"
)

// cstream is what a stream's private_data names (through a cgo.Handle in
// C memory): the reader, and the message of its last error in C memory.
type cstream struct {
	rr  array.RecordReader
	msg *C.char
}

// exportStream hands rr to C as an Arrow C stream in out, which takes
// over the reference to rr. It first exports rr's schema once and throws
// it away, so that a type the C data interface cannot carry is an error
// of the call (ErrUnsupported) and not a panic in get_schema; on error
// rr is released and out is left as it was (zeroed).
func exportStream(rr array.RecordReader, out *C.struct_ArrowArrayStream) error {
	if err := checkSchema(rr.Schema()); err != nil {
		rr.Release()
		return err
	}
	p := (*cgo.Handle)(C.malloc(C.size_t(unsafe.Sizeof(cgo.Handle(0)))))
	*p = cgo.NewHandle(&cstream{rr: rr})
	out.get_schema = (*[0]byte)(C.snapStreamGetSchemaTrampoline)
	out.get_next = (*[0]byte)(C.snapStreamGetNextTrampoline)
	out.get_last_error = (*[0]byte)(C.snapStreamGetLastError)
	out.release = (*[0]byte)(C.snapStreamRelease)
	out.private_data = unsafe.Pointer(p)
	return nil
}

// checkSchema exports sc into scratch C memory and releases it. arrow-go
// panics on a type it cannot export while it walks the schema in Go,
// before it allocates any C memory, so recovering that panic here leaves
// nothing behind and need not poison the library.
func checkSchema(sc *arrow.Schema) (err error) {
	tmp := (*C.struct_ArrowSchema)(C.calloc(1, C.size_t(unsafe.Sizeof(C.struct_ArrowSchema{}))))
	defer C.free(unsafe.Pointer(tmp))
	defer func() {
		if r := recover(); r != nil {
			err = capi.Errorf(capi.ErrUnsupported, "the result cannot leave as an Arrow C stream: %v (schema %s)", r, sc)
		}
	}()
	cdata.ExportArrowSchema(sc, (*cdata.CArrowSchema)(unsafe.Pointer(tmp)))
	cdata.ReleaseCArrowSchema((*cdata.CArrowSchema)(unsafe.Pointer(tmp)))
	return nil
}

// streamOf is the cstream behind s, or nil for a NULL or released stream.
func streamOf(s *C.struct_ArrowArrayStream) (*cstream, cgo.Handle) {
	if s == nil || s.private_data == nil {
		return nil, 0
	}
	h := *(*cgo.Handle)(s.private_data)
	cs, _ := h.Value().(*cstream)
	return cs, h
}

// fail records e as the stream's last error and returns its errno.
func (cs *cstream) fail(e *capi.Error) C.int {
	if cs != nil {
		C.free(unsafe.Pointer(cs.msg))
		cs.msg = C.CString(capi.StreamMessage(e))
	}
	return C.int(capi.Errno(e.Code))
}

//export snapStreamGetSchema
func snapStreamGetSchema(s *C.struct_ArrowArrayStream, out *C.struct_ArrowSchema) C.int {
	var cs *cstream
	e := capi.Guard(func() error {
		cs, _ = streamOf(s)
		switch {
		case cs == nil:
			return capi.Errorf(capi.ErrInvalidArgument, "get_schema: the stream is NULL or released")
		case out == nil:
			return capi.Errorf(capi.ErrInvalidArgument, "get_schema: out is NULL")
		}
		cdata.ExportArrowSchema(cs.rr.Schema(), (*cdata.CArrowSchema)(unsafe.Pointer(out)))
		return nil
	})
	if e == nil {
		return 0
	}
	return cs.fail(e)
}

//export snapStreamGetNext
func snapStreamGetNext(s *C.struct_ArrowArrayStream, out *C.struct_ArrowArray) C.int {
	// The trampoline zeroed out: release == NULL is the end of the stream.
	var cs *cstream
	e := capi.Guard(func() error {
		cs, _ = streamOf(s)
		switch {
		case cs == nil:
			return capi.Errorf(capi.ErrInvalidArgument, "get_next: the stream is NULL or released")
		case out == nil:
			return capi.Errorf(capi.ErrInvalidArgument, "get_next: out is NULL")
		}
		if cs.rr.Next() {
			cdata.ExportArrowRecordBatch(cs.rr.RecordBatch(), (*cdata.CArrowArray)(unsafe.Pointer(out)), nil)
			return nil
		}
		return cs.rr.Err()
	})
	if e == nil {
		return 0
	}
	if out != nil {
		// Whatever a failed export left there is not the consumer's to use.
		C.memset(unsafe.Pointer(out), 0, C.size_t(unsafe.Sizeof(*out)))
	}
	return cs.fail(e)
}

//export snapStreamGetLastError
func snapStreamGetLastError(s *C.struct_ArrowArrayStream) (msg *C.cchar_t) {
	capi.Contain(func() error {
		if cs, _ := streamOf(s); cs != nil {
			msg = (*C.cchar_t)(cs.msg)
		}
		return nil
	})
	return msg
}

//export snapStreamRelease
func snapStreamRelease(s *C.struct_ArrowArrayStream) {
	capi.Contain(func() error {
		if s == nil || s.release == nil {
			return nil
		}
		cs, h := streamOf(s)
		if cs != nil {
			cs.rr.Release()
			C.free(unsafe.Pointer(cs.msg))
			h.Delete()
		}
		C.free(s.private_data)
		s.private_data = nil
		s.release = nil
		return nil
	})
}
