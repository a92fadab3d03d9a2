// Command ffi is libsnap.so: the C ABI of snapdb, built with
//
//	go build -buildmode=c-shared -o libsnap.so ./ffi
//
// It is thin glue: it converts C arguments into Go values, calls package
// capi (which holds the handle table, the status codes and every verb, and
// is tested without cgo), and converts results back into memory the
// library's own free functions release. include/snap.h is the contract,
// with a doc block per function; the cgo-generated header is not used.
package main

/*
#cgo CFLAGS: -I${SRCDIR}/../include
#define SNAP_NO_PROTOTYPES
#include <stdlib.h>
#include <string.h>
#include "snap.h"
*/
import "C"

import (
	"context"
	"math"
	"unsafe"

	"github.com/snapdb/snapdb/capi"
)

func main() {}

// version is allocated once and never freed: snap_version's string is
// static.
var version = C.CString(capi.Version())

var statusNames = func() map[capi.Code]*C.char {
	m := map[capi.Code]*C.char{}
	for c := capi.OK; c <= capi.ErrInternal; c++ {
		m[c] = C.CString(c.String())
	}
	return m
}()

var unknownStatus = C.CString("unknown status")

// finish reports e through the optional error out-parameter and returns
// its status code.
func finish(e *capi.Error, errp **C.snap_error) C.int {
	if errp != nil {
		*errp = nil
	}
	if e == nil {
		return C.SNAP_OK
	}
	if errp != nil {
		ce := (*C.snap_error)(C.malloc(C.size_t(unsafe.Sizeof(C.snap_error{}))))
		ce.code = C.int32_t(e.Code)
		ce.message = C.CString(e.Msg)
		*errp = ce
	}
	return C.int(e.Code)
}

func nullArg(fn, name string) error {
	return capi.Errorf(capi.ErrInvalidArgument, "%s: %s is NULL", fn, name)
}

// text is n bytes at p as a Go string without copying, valid during the
// call only; lenName names n in the error for a length no Go string can
// have (above math.MaxInt, or running past the end of the address space),
// which would otherwise panic in unsafe.String.
func text(fn, lenName string, p *C.char, n C.size_t) (string, error) {
	if n == 0 {
		return "", nil
	}
	if uint64(n) > math.MaxInt || uintptr(unsafe.Pointer(p))+uintptr(n) < uintptr(unsafe.Pointer(p)) {
		return "", capi.Errorf(capi.ErrInvalidArgument, "%s: %s is %d, more bytes than memory can hold", fn, lenName, uint64(n))
	}
	return unsafe.String((*byte)(unsafe.Pointer(p)), int(n)), nil
}

// putJSON hands b to C as a NUL-terminated malloc'd buffer.
func putJSON(b []byte, out **C.char, outLen *C.size_t) {
	p := (*C.char)(C.malloc(C.size_t(len(b) + 1)))
	if len(b) > 0 {
		C.memcpy(unsafe.Pointer(p), unsafe.Pointer(&b[0]), C.size_t(len(b)))
	}
	*(*byte)(unsafe.Add(unsafe.Pointer(p), len(b))) = 0
	*out = p
	if outLen != nil {
		*outLen = C.size_t(len(b))
	}
}

func clearJSON(out **C.char, outLen *C.size_t) {
	if out != nil {
		*out = nil
	}
	if outLen != nil {
		*outLen = 0
	}
}

func putMeta(m capi.Meta, out *C.snap_snapshot_meta) {
	out.format_version = C.uint32_t(m.FormatVersion)
	out.table_count = C.uint64_t(m.Tables)
	out.row_count = C.uint64_t(m.Rows)
	out.byte_count = C.uint64_t(m.Bytes)
	for i := range out.root_hash {
		out.root_hash[i] = 0
	}
	for i := 0; i < len(m.RootHash) && i < len(out.root_hash)-1; i++ {
		out.root_hash[i] = C.char(m.RootHash[i])
	}
	out.has_wal_lsn = 0
	out.wal_lsn = 0
	if m.WALLSN != nil {
		out.has_wal_lsn = 1
		out.wal_lsn = C.uint64_t(*m.WALLSN)
	}
}

func checkMeta(fn string, out *C.snap_snapshot_meta) error {
	if out != nil && out.struct_version != C.SNAP_SNAPSHOT_META_VERSION {
		return capi.Errorf(capi.ErrUnsupported, "%s: out_meta->struct_version is %d; this library knows %d (SNAP_SNAPSHOT_META_VERSION)",
			fn, uint32(out.struct_version), C.SNAP_SNAPSHOT_META_VERSION)
	}
	return nil
}

func zeroStream(out *C.struct_ArrowArrayStream) {
	if out != nil {
		C.memset(unsafe.Pointer(out), 0, C.size_t(unsafe.Sizeof(*out)))
	}
}

//export snap_version
func snap_version() *C.char { return version }

//export snap_status_name
func snap_status_name(status C.int) *C.char {
	if s, ok := statusNames[capi.Code(status)]; ok {
		return s
	}
	return unknownStatus
}

//export snap_free
func snap_free(p unsafe.Pointer) {
	C.free(p)
}

//export snap_error_free
func snap_error_free(e *C.snap_error) {
	if e == nil {
		return
	}
	C.free(unsafe.Pointer(e.message))
	C.free(unsafe.Pointer(e))
}

//export snap_stats
func snap_stats(out **C.char, outLen *C.size_t, errp **C.snap_error) C.int {
	clearJSON(out, outLen)
	return finish(capi.Guard(func() error {
		if out == nil {
			return nullArg("snap_stats", "out_json")
		}
		b, err := capi.StatsJSON()
		if err != nil {
			return err
		}
		putJSON(b, out, outLen)
		return nil
	}), errp)
}

//export snap_db_open
func snap_db_open(path *C.char, opts *C.snap_open_options, outDB *C.snap_db, errp **C.snap_error) C.int {
	if outDB != nil {
		*outDB = 0
	}
	return finish(capi.Guard(func() error {
		switch {
		case path == nil:
			return nullArg("snap_db_open", "path")
		case outDB == nil:
			return nullArg("snap_db_open", "out_db")
		}
		var o capi.OpenOptions
		if opts != nil {
			if opts.struct_version != C.SNAP_OPEN_OPTIONS_VERSION {
				return capi.Errorf(capi.ErrUnsupported, "snap_db_open: opts->struct_version is %d; this library knows %d (SNAP_OPEN_OPTIONS_VERSION)",
					uint32(opts.struct_version), C.SNAP_OPEN_OPTIONS_VERSION)
			}
			if unknown := uint32(opts.flags) &^ C.SNAP_OPEN_VERIFY; unknown != 0 {
				return capi.Errorf(capi.ErrInvalidArgument, "snap_db_open: unknown flags 0x%x", unknown)
			}
			o.Verify = opts.flags&C.SNAP_OPEN_VERIFY != 0
			o.Threads = int(opts.threads)
		}
		h, err := capi.Open(C.GoString(path), o)
		if err != nil {
			return err
		}
		*outDB = C.snap_db(h)
		return nil
	}), errp)
}

//export snap_db_close
func snap_db_close(db C.snap_db, errp **C.snap_error) C.int {
	return finish(capi.Guard(func() error { return capi.Close(capi.Handle(db)) }), errp)
}

func jsonCall(fn string, out **C.char, outLen *C.size_t, errp **C.snap_error, f func() ([]byte, error)) C.int {
	clearJSON(out, outLen)
	return finish(capi.Guard(func() error {
		if out == nil {
			return nullArg(fn, "out_json")
		}
		b, err := f()
		if b != nil {
			putJSON(b, out, outLen)
		}
		return err
	}), errp)
}

//export snap_db_info
func snap_db_info(db C.snap_db, out **C.char, outLen *C.size_t, errp **C.snap_error) C.int {
	return jsonCall("snap_db_info", out, outLen, errp, func() ([]byte, error) { return capi.Info(capi.Handle(db)) })
}

//export snap_db_tables
func snap_db_tables(db C.snap_db, out **C.char, outLen *C.size_t, errp **C.snap_error) C.int {
	return jsonCall("snap_db_tables", out, outLen, errp, func() ([]byte, error) { return capi.Tables(capi.Handle(db)) })
}

// queryArgs converts the SQL and parameters of a query call.
func queryArgs(fn string, sql *C.char, sqlLen C.size_t, params *C.char, paramsLen C.size_t) (string, []byte, error) {
	if sql == nil {
		return "", nil, nullArg(fn, "sql")
	}
	if params == nil && paramsLen != 0 {
		return "", nil, capi.Errorf(capi.ErrInvalidArgument, "%s: params_json is NULL but params_len is %d", fn, uint64(paramsLen))
	}
	s, err := text(fn, "sql_len", sql, sqlLen)
	if err != nil {
		return "", nil, err
	}
	p, err := text(fn, "params_len", params, paramsLen)
	if err != nil {
		return "", nil, err
	}
	// The bytes are only read (decoded as JSON) during the call.
	return s, unsafe.Slice(unsafe.StringData(p), len(p)), nil
}

//export snap_db_query
func snap_db_query(db C.snap_db, sql *C.char, sqlLen C.size_t, params *C.char, paramsLen C.size_t,
	out *C.struct_ArrowArrayStream, errp **C.snap_error) C.int {
	zeroStream(out)
	return finish(capi.Guard(func() error {
		if out == nil {
			return nullArg("snap_db_query", "out")
		}
		s, p, err := queryArgs("snap_db_query", sql, sqlLen, params, paramsLen)
		if err != nil {
			return err
		}
		// The SQL is copied: the stream outlives the call.
		rr, err := capi.Query(context.Background(), capi.Handle(db), string([]byte(s)), p)
		if err != nil {
			return err
		}
		return exportStream(rr, out)
	}), errp)
}

//export snap_db_query_json
func snap_db_query_json(db C.snap_db, sql *C.char, sqlLen C.size_t, params *C.char, paramsLen C.size_t,
	out **C.char, outLen *C.size_t, errp **C.snap_error) C.int {
	return jsonCall("snap_db_query_json", out, outLen, errp, func() ([]byte, error) {
		s, p, err := queryArgs("snap_db_query_json", sql, sqlLen, params, paramsLen)
		if err != nil {
			return nil, err
		}
		return capi.QueryJSON(context.Background(), capi.Handle(db), string([]byte(s)), p)
	})
}

// metaCall runs a verb that reports a snapshot's summary into the optional
// out_meta struct.
func metaCall(fn string, path *C.char, outMeta *C.snap_snapshot_meta, errp **C.snap_error, f func(path string) (capi.Meta, error)) C.int {
	return finish(capi.Guard(func() error {
		if path == nil {
			return nullArg(fn, "path")
		}
		if err := checkMeta(fn, outMeta); err != nil {
			return err
		}
		m, err := f(C.GoString(path))
		if err != nil {
			return err
		}
		if outMeta != nil {
			putMeta(m, outMeta)
		}
		return nil
	}), errp)
}

//export snap_db_save_snapshot
func snap_db_save_snapshot(db C.snap_db, path *C.char, flags C.uint32_t, outMeta *C.snap_snapshot_meta, errp **C.snap_error) C.int {
	return metaCall("snap_db_save_snapshot", path, outMeta, errp, func(p string) (capi.Meta, error) {
		if unknown := uint32(flags) &^ C.SNAP_SAVE_OVERWRITE; unknown != 0 {
			return capi.Meta{}, capi.Errorf(capi.ErrInvalidArgument, "snap_db_save_snapshot: unknown flags 0x%x", unknown)
		}
		return capi.Save(capi.Handle(db), p, flags&C.SNAP_SAVE_OVERWRITE != 0)
	})
}

//export snap_db_load_snapshot
func snap_db_load_snapshot(db C.snap_db, path *C.char, outMeta *C.snap_snapshot_meta, errp **C.snap_error) C.int {
	return metaCall("snap_db_load_snapshot", path, outMeta, errp, func(p string) (capi.Meta, error) {
		return capi.Load(capi.Handle(db), p)
	})
}

//export snap_db_verify
func snap_db_verify(db C.snap_db, out **C.char, outLen *C.size_t, errp **C.snap_error) C.int {
	return jsonCall("snap_db_verify", out, outLen, errp, func() ([]byte, error) {
		return capi.Verify(context.Background(), capi.Handle(db))
	})
}

func matchText(fn string, t *C.char, n C.size_t) (string, error) {
	if t == nil && n != 0 {
		return "", capi.Errorf(capi.ErrInvalidArgument, "%s: text is NULL but text_len is %d", fn, uint64(n))
	}
	return text(fn, "text_len", t, n)
}

//export snap_nlp_match
func snap_nlp_match(db C.snap_db, t *C.char, n C.size_t, flags C.uint32_t, out **C.char, outLen *C.size_t, errp **C.snap_error) C.int {
	return jsonCall("snap_nlp_match", out, outLen, errp, func() ([]byte, error) {
		s, err := matchText("snap_nlp_match", t, n)
		if err != nil {
			return nil, err
		}
		// Mentions own copies of their strings: s need not outlive the call.
		return capi.MatchJSON(capi.Handle(db), s, uint32(flags))
	})
}

//export snap_nlp_match_arrow
func snap_nlp_match_arrow(db C.snap_db, t *C.char, n C.size_t, flags C.uint32_t, out *C.struct_ArrowArrayStream, errp **C.snap_error) C.int {
	zeroStream(out)
	return finish(capi.Guard(func() error {
		if out == nil {
			return nullArg("snap_nlp_match_arrow", "out")
		}
		s, err := matchText("snap_nlp_match_arrow", t, n)
		if err != nil {
			return err
		}
		rr, err := capi.MatchArrow(capi.Handle(db), s, uint32(flags))
		if err != nil {
			return err
		}
		return exportStream(rr, out)
	}), errp)
}

//export snap_debug_panic
func snap_debug_panic(errp **C.snap_error) C.int {
	return finish(capi.Guard(func() error { return capi.Panic("requested by the caller") }), errp)
}
