package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/zeebo/blake3"
	"golang.org/x/sys/unix"

	"github.com/snapdb/snapdb/manifest"
	"github.com/snapdb/snapdb/nlp"
)

// The NLP cache of a snapshot: nlp/automaton.bin (the alias automaton, see
// package nlp and docs/automaton.md) and nlp/meta.json (what it was built
// from and how), listed in the manifest's nlp section.
const (
	nlpAutomatonPath = manifest.NLPDir + "/automaton.bin"
	nlpMetaPath      = manifest.NLPDir + "/meta.json"
	nlpMetaVersion   = 1
)

// ErrNLPStale: the snapshot's NLP cache was built from other data or with
// other options than the snapshot now has; it is refused, never used.
var ErrNLPStale = errors.New("snapshot: NLP cache is stale or foreign")

// NLPOptions says where the aliases are and how to build the automaton.
// The zero value means IGEM's layout: table entity_aliases with columns
// alias_value, entity_id, type_id and alias_type, and entity type names
// from table entity_types (id, name) when it exists.
type NLPOptions struct {
	Table        string // default "entity_aliases"
	AliasCol     string // default "alias_value"
	EntityCol    string // default "entity_id"
	TypeCol      string // default "type_id"; "" in a table without one is allowed
	AliasTypeCol string // default "alias_type"
	// TypesTable maps TypeCol's values to names (columns id, name);
	// default "entity_types", used when it exists.
	TypesTable string
	// MinLength and StopWords are nlp.BuildOptions'.
	MinLength int
	StopWords []string
}

func (o NLPOptions) withDefaults() NLPOptions {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.Table, "entity_aliases")
	def(&o.AliasCol, "alias_value")
	def(&o.EntityCol, "entity_id")
	def(&o.TypeCol, "type_id")
	def(&o.AliasTypeCol, "alias_type")
	def(&o.TypesTable, "entity_types")
	return o
}

// nlpMeta is nlp/meta.json.
type nlpMeta struct {
	FormatVersion int            `json:"format_version"`
	SourceTable   string         `json:"source_table"`
	SourceBLAKE3  string         `json:"source_blake3"`
	Columns       nlpMetaColumns `json:"columns"`
	MinLength     int            `json:"min_length"`
	StopWords     []string       `json:"stop_words"`
	Stats         nlp.BuildStats `json:"stats"`
	BuiltAt       time.Time      `json:"built_at"`
	Automaton     nlp.Info       `json:"automaton"`
	// UnknownAliasTypes counts alias_type values other than preferred,
	// synonym and code, indexed as synonyms.
	UnknownAliasTypes int64 `json:"unknown_alias_types"`
}

type nlpMetaColumns struct {
	Alias      string `json:"alias"`
	Entity     string `json:"entity"`
	Type       string `json:"type"`
	AliasType  string `json:"alias_type"`
	TypesTable string `json:"types_table"`
}

// NLPBuild reports a BuildNLP.
type NLPBuild struct {
	Meta          SnapshotMeta   `json:"meta"`
	Stats         nlp.BuildStats `json:"stats"`
	Automaton     nlp.Info       `json:"automaton"`
	SourceTable   string         `json:"sourceTable"`
	UnknownTypes  int64          `json:"unknownAliasTypes"`
	BuildDuration time.Duration  `json:"-"`
}

// BuildNLP builds the alias automaton of the snapshot at path from its
// alias table and stores it in the snapshot (nlp/automaton.bin and
// nlp/meta.json, listed in a new manifest), replacing the snapshot
// atomically: readers of the old one are not disturbed, and its root hash
// changes. It works on a directory and on a .snap container.
func BuildNLP(ctx context.Context, path string, opts *NLPOptions) (NLPBuild, error) {
	var o NLPOptions
	if opts != nil {
		o = *opts
	}
	o = o.withDefaults()
	s, err := openState(path)
	if err != nil {
		return NLPBuild{}, err
	}
	defer s.release()
	var buf bytes.Buffer
	meta, err := buildAutomaton(ctx, s, o, &buf)
	if err != nil {
		return NLPBuild{}, err
	}
	metaJSON, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return NLPBuild{}, &Error{Op: "nlp build", Path: s.path, Err: err}
	}
	metaJSON = append(metaJSON, '\n')
	auto := buf.Bytes()
	nlpm := &manifest.NLP{SourceTable: o.Table, SourceBLAKE3: meta.SourceBLAKE3, Files: []manifest.File{
		fileEntry(nlpAutomatonPath, auto), fileEntry(nlpMetaPath, metaJSON)}}
	sm, err := replaceNLP(s.path, nlpm, map[string]*io.SectionReader{
		nlpAutomatonPath: io.NewSectionReader(bytes.NewReader(auto), 0, int64(len(auto))),
		nlpMetaPath:      io.NewSectionReader(bytes.NewReader(metaJSON), 0, int64(len(metaJSON))),
	})
	if err != nil {
		return NLPBuild{}, err
	}
	return NLPBuild{Meta: sm, Stats: meta.Stats, Automaton: meta.Automaton, SourceTable: o.Table,
		UnknownTypes: meta.UnknownAliasTypes, BuildDuration: time.Duration(meta.Stats.Seconds * float64(time.Second))}, nil
}

func fileEntry(path string, b []byte) manifest.File {
	sha, b3 := sha256.Sum256(b), blake3.Sum256(b)
	return manifest.File{Path: path, Bytes: int64(len(b)), SHA256: hex.EncodeToString(sha[:]), BLAKE3: hex.EncodeToString(b3[:])}
}

// buildAutomaton reads the alias table of s and writes the automaton to buf.
func buildAutomaton(ctx context.Context, s *state, o NLPOptions, buf *bytes.Buffer) (*nlpMeta, error) {
	fail := func(err error) (*nlpMeta, error) {
		return nil, &Error{Op: "nlp build", Path: s.path, Table: o.Table, Err: err}
	}
	t, err := s.table("nlp build", o.Table)
	if err != nil {
		return nil, err
	}
	typeNames, err := entityTypeNames(ctx, s, o.TypesTable)
	if err != nil {
		return fail(err)
	}
	cols := []string{o.AliasCol, o.EntityCol, o.TypeCol, o.AliasTypeCol}
	for _, c := range cols {
		if len(t.schema.FieldIndices(c)) == 0 {
			return fail(fmt.Errorf("no column %q (columns: %s); name the alias table's columns with --alias-col, --entity-col, --type-col, --alias-type-col",
				c, strings.Join(fieldNames(t.schema), ", ")))
		}
	}
	rr, err := s.readTable(ctx, o.Table, cols, 64*1024, nil)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	var unknown int64
	aliases := aliasRows(ctx, rr, typeNames, &unknown)
	stats, err := nlp.Build(buf, aliases, &nlp.BuildOptions{MinLength: o.MinLength, StopWords: o.StopWords})
	if err != nil {
		return fail(err)
	}
	a, err := nlp.Load(buf.Bytes())
	if err != nil {
		return fail(fmt.Errorf("the automaton just built does not load: %w", err))
	}
	info, bo := a.Info(), a.Options()
	a.Close()
	return &nlpMeta{
		FormatVersion: nlpMetaVersion, SourceTable: o.Table, SourceBLAKE3: t.entry.BLAKE3,
		Columns:   nlpMetaColumns{Alias: o.AliasCol, Entity: o.EntityCol, Type: o.TypeCol, AliasType: o.AliasTypeCol, TypesTable: o.TypesTable},
		MinLength: bo.MinLength, StopWords: bo.StopWords, Stats: stats, BuiltAt: time.Now().UTC(),
		Automaton: info, UnknownAliasTypes: unknown,
	}, nil
}

func fieldNames(sc *arrow.Schema) []string {
	names := make([]string, len(sc.Fields()))
	for i, f := range sc.Fields() {
		names[i] = f.Name
	}
	return names
}

// entityTypeNames reads the types table (id → name) if the snapshot has it.
func entityTypeNames(ctx context.Context, s *state, table string) (map[string]string, error) {
	t, ok := s.tables[table]
	if !ok || len(t.schema.FieldIndices("id")) == 0 || len(t.schema.FieldIndices("name")) == 0 {
		return nil, nil
	}
	rr, err := s.readTable(ctx, table, []string{"id", "name"}, 0, nil)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	names := map[string]string{}
	for rr.Next() {
		rec := rr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			if id, ok := cellString(rec.Column(0), i); ok {
				if name, ok := cellString(rec.Column(1), i); ok {
					names[id] = name
				}
			}
		}
	}
	return names, rr.Err()
}

// aliasRows turns the alias table's batches into nlp.Alias values. A row
// without alias text or entity id is an error naming the row.
func aliasRows(ctx context.Context, rr array.RecordReader, typeNames map[string]string, unknown *int64) iter.Seq2[nlp.Alias, error] {
	return func(yield func(nlp.Alias, error) bool) {
		var row int64
		for rr.Next() {
			if err := ctx.Err(); err != nil {
				yield(nlp.Alias{}, err)
				return
			}
			rec := rr.RecordBatch()
			for i := 0; i < int(rec.NumRows()); i, row = i+1, row+1 {
				text, ok := cellString(rec.Column(0), i)
				if !ok {
					continue // a NULL alias names nothing
				}
				id, err := cellInt(rec.Column(1), i)
				if err != nil {
					yield(nlp.Alias{}, fmt.Errorf("row %d: entity id: %w", row, err))
					return
				}
				typ, _ := cellString(rec.Column(2), i)
				if name, ok := typeNames[typ]; ok {
					typ = name
				}
				at := nlp.Synonym
				if v, ok := cellString(rec.Column(3), i); ok {
					if p, err := nlp.ParseAliasType(strings.ToLower(v)); err == nil {
						at = p
					} else {
						*unknown++
					}
				}
				if !yield(nlp.Alias{Text: text, EntityID: id, EntityType: typ, Type: at}, nil) {
					return
				}
			}
		}
		if err := rr.Err(); err != nil {
			yield(nlp.Alias{}, err)
		}
	}
}

// cellString renders an integer or string cell as text; false for NULL.
func cellString(col arrow.Array, i int) (string, bool) {
	if col.IsNull(i) {
		return "", false
	}
	switch c := col.(type) {
	case *array.String:
		return c.Value(i), true
	case *array.LargeString:
		return c.Value(i), true
	}
	if n, err := cellInt(col, i); err == nil {
		return strconv.FormatInt(n, 10), true
	}
	return col.ValueStr(i), true
}

func cellInt(col arrow.Array, i int) (int64, error) {
	if col.IsNull(i) {
		return 0, errors.New("NULL")
	}
	switch c := col.(type) {
	case *array.Int64:
		return c.Value(i), nil
	case *array.Int32:
		return int64(c.Value(i)), nil
	case *array.Int16:
		return int64(c.Value(i)), nil
	case *array.Int8:
		return int64(c.Value(i)), nil
	case *array.Uint32:
		return int64(c.Value(i)), nil
	case *array.Uint16:
		return int64(c.Value(i)), nil
	case *array.Uint8:
		return int64(c.Value(i)), nil
	case *array.String:
		return strconv.ParseInt(c.Value(i), 10, 64)
	}
	return 0, fmt.Errorf("column of type %s is not an integer", col.DataType())
}

// nlpCache is a state's opened automaton, made once on first use.
type nlpCache struct {
	once    sync.Once
	a       *nlp.Automaton
	mapping []byte // a container section mapped by us, unmapped on release
	err     error
}

func (c *nlpCache) close() {
	if c.a != nil {
		c.a.Close()
	}
	if c.mapping != nil {
		unix.Munmap(c.mapping)
	}
}

// Matcher matches text against the alias automaton of the snapshot a DB
// served when NLP was called. It keeps that snapshot open until Close,
// even across Load. It is safe for concurrent use; Close once done.
type Matcher struct {
	s    *state
	a    *nlp.Automaton
	once sync.Once
}

// Match finds the aliases in text: word-bounded, leftmost-longest,
// non-overlapping (see nlp.Automaton.Match).
func (m *Matcher) Match(text string) ([]nlp.Mention, error) { return m.a.Match(text) }

// MatchAll finds every word-bounded alias in text, overlaps included.
func (m *Matcher) MatchAll(text string) ([]nlp.Mention, error) { return m.a.MatchAll(text) }

// Info describes the automaton.
func (m *Matcher) Info() nlp.Info { return m.a.Info() }

// Close releases the snapshot the Matcher holds. It is safe to call more
// than once.
func (m *Matcher) Close() error {
	m.once.Do(m.s.release)
	return nil
}

// NLP returns a Matcher over the snapshot's alias automaton, opening its
// NLP cache on first use (memory-mapped, from the directory's file or the
// container's section). A snapshot without one gets an automaton built in
// memory from its alias table (see NLPOptions), once per open snapshot,
// and says so once through Options.Logf. A cache built from other data or
// with other options than the snapshot now has is refused with
// ErrNLPStale and a hint to rebuild it — never used.
func (db *DB) NLP() (*Matcher, error) {
	s, err := db.acquire("nlp")
	if err != nil {
		return nil, err
	}
	s.nlpCache.once.Do(func() { s.nlpCache.a, s.nlpCache.mapping, s.nlpCache.err = openNLP(s, &db.opts) })
	if s.nlpCache.err != nil {
		s.release()
		return nil, s.nlpCache.err
	}
	return &Matcher{s: s, a: s.nlpCache.a}, nil
}

// Match is NLP, Match and Close in one call.
func (db *DB) Match(text string) ([]nlp.Mention, error) {
	m, err := db.NLP()
	if err != nil {
		return nil, err
	}
	defer m.Close()
	return m.Match(text)
}

// MatchAll is NLP, MatchAll and Close in one call.
func (db *DB) MatchAll(text string) ([]nlp.Mention, error) {
	m, err := db.NLP()
	if err != nil {
		return nil, err
	}
	defer m.Close()
	return m.MatchAll(text)
}

func openNLP(s *state, opts *Options) (*nlp.Automaton, []byte, error) {
	fail := func(err error) (*nlp.Automaton, []byte, error) {
		return nil, nil, &Error{Op: "nlp", Path: s.path, Err: err}
	}
	if s.m.NLP == nil || len(s.m.NLP.Files) == 0 {
		start := time.Now()
		var buf bytes.Buffer
		if _, err := buildAutomaton(context.Background(), s, NLPOptions{}.withDefaults(), &buf); err != nil {
			return nil, nil, err
		}
		a, err := nlp.Load(buf.Bytes())
		if err != nil {
			return fail(err)
		}
		logf := opts.Logf
		if logf == nil {
			logf = log.Printf
		}
		logf("snapdb: %s has no NLP cache; built the alias automaton in memory in %v (store it with: snapdb nlp build %s)",
			s.path, time.Since(start).Round(time.Millisecond), s.path)
		return a, nil, nil
	}
	meta, err := readNLPMeta(s)
	if err != nil {
		return fail(err)
	}
	if err := checkNLPMeta(s, meta); err != nil {
		return fail(err)
	}
	r, ok := s.nlp[nlpAutomatonPath]
	if !ok {
		return fail(fmt.Errorf("%s is missing (rebuild it: snapdb nlp build %s)", nlpAutomatonPath, s.path))
	}
	var (
		a       *nlp.Automaton
		mapping []byte
	)
	if s.layout == nil {
		a, err = nlp.Open(filepath.Join(s.path, filepath.FromSlash(nlpAutomatonPath)))
	} else {
		outer, off, n := r.Outer()
		f := outer.(*os.File)
		if n == 0 {
			return fail(fmt.Errorf("%s is empty", nlpAutomatonPath))
		}
		// Sections are 4 KiB aligned, so the automaton maps in place.
		mapping, err = unix.Mmap(int(f.Fd()), off, int(n), unix.PROT_READ, unix.MAP_SHARED)
		if err != nil {
			return fail(fmt.Errorf("mmap %s: %w", nlpAutomatonPath, err))
		}
		a, err = nlp.Load(mapping)
	}
	if err != nil {
		if mapping != nil {
			unix.Munmap(mapping)
		}
		return fail(fmt.Errorf("%w (rebuild it: snapdb nlp build %s)", err, s.path))
	}
	if got := a.Options(); got.MinLength != meta.MinLength || !slices.Equal(got.StopWords, meta.StopWords) {
		a.Close()
		if mapping != nil {
			unix.Munmap(mapping)
		}
		return fail(fmt.Errorf("%w: the automaton's build options (min length %d, %d stop words) differ from nlp/meta.json's (min length %d, %d stop words); rebuild it: snapdb nlp build %s",
			ErrNLPStale, got.MinLength, len(got.StopWords), meta.MinLength, len(meta.StopWords), s.path))
	}
	return a, mapping, nil
}

func readNLPMeta(s *state) (*nlpMeta, error) {
	r, ok := s.nlp[nlpMetaPath]
	if !ok {
		return nil, fmt.Errorf("%w: %s is missing; rebuild it: snapdb nlp build %s", ErrNLPStale, nlpMetaPath, s.path)
	}
	if r.Size() > 64<<20 {
		return nil, fmt.Errorf("%s of %d bytes is too large", nlpMetaPath, r.Size())
	}
	b, err := io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
	if err != nil {
		return nil, err
	}
	var meta nlpMeta
	if err := json.Unmarshal(b, &meta); err != nil {
		return nil, fmt.Errorf("%w: %s: %v; rebuild it: snapdb nlp build %s", ErrNLPStale, nlpMetaPath, err, s.path)
	}
	return &meta, nil
}

// checkNLPMeta refuses a cache built from another table, other bytes of the
// table, or under another meta format.
func checkNLPMeta(s *state, meta *nlpMeta) error {
	rebuild := "rebuild it: snapdb nlp build " + s.path
	if meta.FormatVersion != nlpMetaVersion {
		return fmt.Errorf("%w: %s format %d, this snapdb reads %d; %s", ErrNLPStale, nlpMetaPath, meta.FormatVersion, nlpMetaVersion, rebuild)
	}
	if meta.SourceTable != s.m.NLP.SourceTable {
		return fmt.Errorf("%w: built from table %q, the manifest says %q; %s", ErrNLPStale, meta.SourceTable, s.m.NLP.SourceTable, rebuild)
	}
	t, ok := s.m.Table(meta.SourceTable)
	if !ok {
		return fmt.Errorf("%w: built from table %q, which the snapshot no longer has; %s", ErrNLPStale, meta.SourceTable, rebuild)
	}
	if meta.SourceBLAKE3 != t.BLAKE3 || s.m.NLP.SourceBLAKE3 != t.BLAKE3 {
		return fmt.Errorf("%w: built from table %s with BLAKE3 %.12s…, the table is now %.12s…; %s",
			ErrNLPStale, quoteName(t.Name), meta.SourceBLAKE3, t.BLAKE3, rebuild)
	}
	return nil
}
