package capi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/snapdb/snapdb/internal/rowjson"
	"github.com/snapdb/snapdb/nlp"
	"github.com/snapdb/snapdb/snapshot"
)

// Version is the library's version, as snap_version returns it.
func Version() string { return snapshot.ProducerVersion }

// OpenOptions are snap_open_options in Go.
type OpenOptions struct {
	// Verify re-hashes every file before Open returns (SNAP_OPEN_VERIFY).
	Verify bool
	// Threads bounds the row groups a query decodes at once per table; 0
	// means one per CPU.
	Threads int
}

// countingAllocator counts the bytes of Arrow memory the library holds,
// including what it has handed out through Arrow C streams and the
// consumer has not yet released. Stats reports it, so that bindings can
// check for leaks.
type countingAllocator struct {
	inner memory.Allocator
	bytes atomic.Int64
}

func (a *countingAllocator) Allocate(n int) []byte {
	a.bytes.Add(int64(n))
	return a.inner.Allocate(n)
}

func (a *countingAllocator) Reallocate(n int, b []byte) []byte {
	a.bytes.Add(int64(n - len(b)))
	return a.inner.Reallocate(n, b)
}

func (a *countingAllocator) Free(b []byte) {
	a.bytes.Add(-int64(len(b)))
	a.inner.Free(b)
}

var alloc = &countingAllocator{inner: memory.DefaultAllocator}

var liveStreams atomic.Int64

// Stats is what snap_stats reports: what the library holds right now.
type Stats struct {
	Handles    int   `json:"handles"`    // open database handles
	Streams    int64 `json:"streams"`    // query results (Arrow streams) not yet released
	ArrowBytes int64 `json:"arrowBytes"` // Arrow memory allocated and not yet freed
}

// CurrentStats reports the live handles, streams and Arrow bytes.
func CurrentStats() Stats {
	return Stats{Handles: LiveHandles(), Streams: liveStreams.Load(), ArrowBytes: alloc.bytes.Load()}
}

// Open opens the snapshot at path and returns its handle.
func Open(path string, o OpenOptions) (Handle, error) {
	if path == "" {
		return 0, Errorf(ErrInvalidArgument, "snap_db_open: the path is empty")
	}
	if o.Threads < 0 {
		return 0, Errorf(ErrInvalidArgument, "snap_db_open: threads is %d; want 0 (one per CPU) or more", o.Threads)
	}
	db, err := snapshot.Open(path, &snapshot.Options{VerifyOnOpen: o.Verify, Mem: alloc, Logf: func(string, ...any) {}})
	if err != nil {
		return 0, err
	}
	return register(&entry{db: db, threads: o.Threads}), nil
}

// Close closes the database of handle h. The handle is invalid from then
// on: calls that start later fail with ErrBadHandle. Close waits for the
// calls already running on h (a Verify or Save may take long); the
// streams of queries already returned are not calls: they stay readable
// until released.
func Close(h Handle) error {
	if h == 0 {
		return Errorf(ErrBadHandle, "handle 0 is not a database (0 is never a valid handle)")
	}
	mu.Lock()
	e := handles[h]
	delete(handles, h)
	mu.Unlock()
	if e == nil {
		_, err := lookup(h)
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	return e.db.Close()
}

// Info is the snapshot's description as JSON (the same document as
// `snapdb info --json`).
func Info(h Handle) ([]byte, error) {
	e, err := acquire(h)
	if err != nil {
		return nil, err
	}
	defer e.release()
	return json.Marshal(e.db.Info())
}

// Tables is the table names as a JSON array of strings, sorted.
func Tables(h Handle) ([]byte, error) {
	e, err := acquire(h)
	if err != nil {
		return nil, err
	}
	defer e.release()
	return json.Marshal(e.db.Tables())
}

// ParseParams decodes query parameters given as a JSON array: numbers
// without a fraction or exponent become int64 (when they fit), other
// numbers float64, and strings, booleans and null themselves. Empty input
// means no parameters.
func ParseParams(b []byte) ([]any, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, nil
	}
	if !utf8.Valid(b) {
		return nil, Errorf(ErrInvalidArgument, "query parameters: not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil {
		return nil, Errorf(ErrInvalidArgument, "query parameters: want a JSON array such as [1, \"BRCA2\", null]: %v", err)
	}
	if dec.More() {
		return nil, Errorf(ErrInvalidArgument, "query parameters: text after the JSON array at byte %d", dec.InputOffset())
	}
	if raw == nil {
		return nil, Errorf(ErrInvalidArgument, "query parameters: want a JSON array such as [1, \"BRCA2\", null], got null")
	}
	out := make([]any, len(raw))
	for i, v := range raw {
		switch v := v.(type) {
		case json.Number:
			s := v.String()
			if !strings.ContainsAny(s, ".eE") {
				if n, err := v.Int64(); err == nil {
					out[i] = n
					continue
				}
			}
			f, err := v.Float64()
			if err != nil {
				return nil, Errorf(ErrInvalidArgument, "query parameter %d: %s is out of range", i+1, s)
			}
			out[i] = f
		case string, bool, nil:
			out[i] = v
		default:
			return nil, Errorf(ErrInvalidArgument, "query parameter %d: a %T; want a number, string, boolean or null", i+1, v)
		}
	}
	return out, nil
}

// Query runs sql with the parameters in paramsJSON and returns the rows as
// a record reader that counts as a live stream until released. Its errors,
// and those of reading its rows (the reader's Err), are classified by
// ReadError. The reader does not hold the handle: it stays readable after
// Close.
func Query(ctx context.Context, h Handle, sql string, paramsJSON []byte) (array.RecordReader, error) {
	e, err := acquire(h)
	if err != nil {
		return nil, err
	}
	defer e.release()
	if !utf8.ValidString(sql) {
		return nil, Errorf(ErrInvalidArgument, "snap_db_query: the SQL is not valid UTF-8")
	}
	args, err := ParseParams(paramsJSON)
	if err != nil {
		return nil, err
	}
	rr, err := e.db.QueryWith(ctx, &snapshot.QueryOptions{Parallelism: e.threads, Mem: alloc}, sql, args...)
	if err != nil {
		return nil, ReadError(err)
	}
	return newStream(rr), nil
}

// QueryJSON runs sql and returns every row as a JSON array of objects
// whose keys are the column names in order.
func QueryJSON(ctx context.Context, h Handle, sql string, paramsJSON []byte) ([]byte, error) {
	rr, err := Query(ctx, h, sql, paramsJSON)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	var buf bytes.Buffer
	if err := rowjson.WriteArray(&buf, rr); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Meta is snap_snapshot_meta in Go.
type Meta = snapshot.SnapshotMeta

// Save writes the open snapshot to path: a directory, or a single .snap
// file when path ends in ".snap". overwrite allows replacing an existing
// snapshot there (never anything else).
func Save(h Handle, path string, overwrite bool) (Meta, error) {
	e, err := acquire(h)
	if err != nil {
		return Meta{}, err
	}
	defer e.release()
	if path == "" {
		return Meta{}, Errorf(ErrInvalidArgument, "snap_db_save_snapshot: the path is empty")
	}
	return e.db.Save(path, &snapshot.SaveOptions{Overwrite: overwrite})
}

// Load makes the database serve the snapshot at path instead. On failure
// the old snapshot keeps serving.
func Load(h Handle, path string) (Meta, error) {
	e, err := acquire(h)
	if err != nil {
		return Meta{}, err
	}
	defer e.release()
	if path == "" {
		return Meta{}, Errorf(ErrInvalidArgument, "snap_db_load_snapshot: the path is empty")
	}
	return e.db.Load(path)
}

// Verify re-hashes every file and returns the report as JSON. When a file
// disagrees with the manifest the report is returned along with an
// ErrIntegrity error naming the first problem.
func Verify(ctx context.Context, h Handle) ([]byte, error) {
	e, err := acquire(h)
	if err != nil {
		return nil, err
	}
	defer e.release()
	rep, err := e.db.Verify(ctx)
	js, jerr := json.Marshal(rep)
	if jerr != nil {
		return nil, jerr
	}
	if err == nil && !rep.OK {
		err = Errorf(ErrIntegrity, "verify %s: %d problem(s)", rep.Path, len(rep.Problems))
	}
	return js, err
}

// Match flags, as in snap.h.
const (
	MatchAll = 1 // every candidate mention, overlaps included (SNAP_MATCH_ALL)
)

// Match finds the entity names in text with the snapshot's automaton.
func Match(h Handle, text string, flags uint32) ([]nlp.Mention, error) {
	e, err := acquire(h)
	if err != nil {
		return nil, err
	}
	defer e.release()
	if flags&^MatchAll != 0 {
		return nil, Errorf(ErrInvalidArgument, "snap_nlp_match: unknown flags 0x%x", flags&^MatchAll)
	}
	var ms []nlp.Mention
	if flags&MatchAll != 0 {
		ms, err = e.db.MatchAll(text)
	} else {
		ms, err = e.db.Match(text)
	}
	// No stored automaton and none to build in memory (no alias table):
	// no usable automaton (ErrNoNLP), not a missing table of the query.
	var pe *snapshot.Error
	if errors.As(err, &pe) && pe.Op == "nlp build" {
		return nil, &Error{Code: ErrNoNLP, Msg: err.Error(), Err: err}
	}
	return ms, err
}

// MatchJSON is Match with the mentions as a JSON array.
func MatchJSON(h Handle, text string, flags uint32) ([]byte, error) {
	ms, err := Match(h, text, flags)
	if err != nil {
		return nil, err
	}
	if ms == nil {
		ms = []nlp.Mention{}
	}
	return json.Marshal(ms)
}

// MentionSchema is the schema of snap_nlp_match_arrow's stream: one row per
// mention.
var MentionSchema = arrow.NewSchema([]arrow.Field{
	{Name: "start", Type: arrow.PrimitiveTypes.Int64},
	{Name: "end", Type: arrow.PrimitiveTypes.Int64},
	{Name: "start_rune", Type: arrow.PrimitiveTypes.Int64},
	{Name: "end_rune", Type: arrow.PrimitiveTypes.Int64},
	{Name: "text", Type: arrow.BinaryTypes.String},
	{Name: "candidates", Type: arrow.ListOf(arrow.StructOf(
		arrow.Field{Name: "entity_id", Type: arrow.PrimitiveTypes.Int64},
		arrow.Field{Name: "entity_type", Type: arrow.BinaryTypes.String},
		arrow.Field{Name: "alias_type", Type: arrow.BinaryTypes.String},
		arrow.Field{Name: "alias", Type: arrow.BinaryTypes.String},
	))},
}, nil)

// MatchArrow is Match with the mentions as a one-batch Arrow stream.
func MatchArrow(h Handle, text string, flags uint32) (array.RecordReader, error) {
	ms, err := Match(h, text, flags)
	if err != nil {
		return nil, err
	}
	b := array.NewRecordBuilder(alloc, MentionSchema)
	defer b.Release()
	start := b.Field(0).(*array.Int64Builder)
	end := b.Field(1).(*array.Int64Builder)
	startR := b.Field(2).(*array.Int64Builder)
	endR := b.Field(3).(*array.Int64Builder)
	txt := b.Field(4).(*array.StringBuilder)
	lb := b.Field(5).(*array.ListBuilder)
	sb := lb.ValueBuilder().(*array.StructBuilder)
	id := sb.FieldBuilder(0).(*array.Int64Builder)
	typ := sb.FieldBuilder(1).(*array.StringBuilder)
	atyp := sb.FieldBuilder(2).(*array.StringBuilder)
	al := sb.FieldBuilder(3).(*array.StringBuilder)
	for _, m := range ms {
		start.Append(int64(m.Start))
		end.Append(int64(m.End))
		startR.Append(int64(m.StartRune))
		endR.Append(int64(m.EndRune))
		txt.Append(m.Text)
		lb.Append(true)
		for _, c := range m.Candidates {
			sb.Append(true)
			id.Append(c.EntityID)
			typ.Append(c.EntityType)
			atyp.Append(c.AliasType.String())
			al.Append(c.Alias)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	rr, err := array.NewRecordReader(MentionSchema, []arrow.RecordBatch{rec})
	if err != nil {
		return nil, err
	}
	return newStream(rr), nil
}

// stream is a query result on its way out through the C API: it counts as
// live until its last release, and a panic while producing a batch is
// contained (the stream ends with ErrInternal and the library is
// poisoned) instead of crashing the host process.
type stream struct {
	rr   array.RecordReader
	refs atomic.Int64
	once sync.Once
	err  error
}

func newStream(rr array.RecordReader) *stream {
	s := &stream{rr: rr}
	s.refs.Store(1)
	liveStreams.Add(1)
	return s
}

func (s *stream) Retain() { s.refs.Add(1) }

func (s *stream) Release() {
	if s.refs.Add(-1) == 0 {
		s.once.Do(func() {
			s.rr.Release()
			liveStreams.Add(-1)
		})
	}
}

func (s *stream) Schema() *arrow.Schema { return s.rr.Schema() }

func (s *stream) Next() (ok bool) {
	if s.err != nil {
		return false
	}
	if err := Guard(func() error {
		ok = s.rr.Next()
		return nil
	}); err != nil {
		s.err = err
		return false
	}
	return ok
}

func (s *stream) RecordBatch() arrow.RecordBatch { return s.rr.RecordBatch() }

// Record is RecordBatch under its deprecated name, which the
// array.RecordReader interface still requires.
func (s *stream) Record() arrow.RecordBatch { return s.rr.RecordBatch() }

// Err is the error that ended the stream, as an *Error whose code
// ReadError gave it (or ErrInternal after a panic).
func (s *stream) Err() error {
	if s.err != nil {
		return s.err
	}
	if err := s.rr.Err(); err != nil {
		return ReadError(err)
	}
	return nil
}

var _ array.RecordReader = (*stream)(nil)

// StatsJSON is CurrentStats as JSON.
func StatsJSON() ([]byte, error) { return json.Marshal(CurrentStats()) }
