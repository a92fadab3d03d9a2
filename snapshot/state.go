package snapshot

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"golang.org/x/sync/errgroup"

	"github.com/snapdb/snapdb/manifest"
)

// Backends reported by Info.
const (
	BackendDirectory = "directory"
	BackendContainer = "container"
)

// state is one opened snapshot: its manifest, its tables with their
// Parquet footers (read once, shared by every reader) and its open files.
// A DB points at one state at a time; Load swaps in another. Every
// operation holds a reference for as long as it reads, so the files of a
// replaced state are closed when its last reader finishes.
type state struct {
	refs     atomic.Int64 // the DB's own reference plus one per operation in flight
	path     string       // absolute
	backend  string
	m        *manifest.Manifest
	rootOnce sync.Once
	rootHash string // computed on first use: opening does not pay for it
	tables   map[string]*table
	// nlp holds the NLP files' bytes as sections, by their manifest path.
	nlp      map[string]*io.SectionReader
	files    []*os.File
	layout   *containerLayout // nil for a directory
	openTime time.Duration
	nlpCache nlpCache // the alias automaton, opened on first use
	cat      catalog  // the engine's view of the tables, made on first query
}

// table is one open table: its manifest entry, its bytes and its Parquet
// footer.
type table struct {
	entry  manifest.Table
	r      *io.SectionReader
	footer *metadata.FileMetaData
	schema *arrow.Schema
	fix    map[string]bool // columns whose timestamp unit is restored on read
}

func (s *state) release() {
	if s.refs.Add(-1) == 0 {
		s.nlpCache.close()
		for _, f := range s.files {
			f.Close()
		}
	}
}

func (s *state) root() string {
	s.rootOnce.Do(func() {
		// Parse validated the manifest, so Marshal cannot fail.
		s.rootHash, _ = s.m.RootHash()
	})
	return s.rootHash
}

func (s *state) meta() SnapshotMeta {
	meta := metaOf(s.m, s.root(), s.path, s.openTime)
	if s.layout != nil && s.layout.header.flags&flagWALLSN != 0 {
		lsn := s.layout.header.walLSN
		meta.WALLSN = &lsn
	}
	return meta
}

// openState opens the snapshot at path (a directory, a .snap container or
// a parquet:/// or snap:/// URI naming one).
func openState(path string) (*state, error) {
	start := time.Now()
	p, err := resolvePath(path)
	if err != nil {
		return nil, &Error{Op: "open", Path: path, Err: err}
	}
	fi, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &Error{Op: "open", Path: p, Err: fmt.Errorf("%w: %s does not exist", ErrNotSnapshot, p)}
		}
		return nil, &Error{Op: "open", Path: p, Err: err}
	}
	var s *state
	if fi.IsDir() {
		s, err = openDirState(p)
	} else {
		s, err = openContainerState(p, fi.Size())
	}
	if err != nil {
		return nil, err
	}
	s.openTime = time.Since(start)
	s.refs.Store(1)
	return s, nil
}

func openDirState(p string) (*state, error) {
	m, err := readDirManifest(p)
	if err != nil {
		return nil, err
	}
	s := &state{path: p, backend: BackendDirectory, m: m, tables: map[string]*table{}, nlp: map[string]*io.SectionReader{}}
	opened := make([]*os.File, len(m.Tables))
	err = s.openTables(func(i int, e manifest.Table) (*io.SectionReader, error) {
		f, err := os.Open(filepath.Join(p, e.File))
		if errors.Is(err, os.ErrNotExist) {
			return nil, integrity(p, e, "missing", "", "")
		}
		if err != nil {
			return nil, &Error{Op: "open", Path: filepath.Join(p, e.File), Table: e.Name, Err: err}
		}
		opened[i] = f
		fi, err := f.Stat()
		if err != nil {
			return nil, &Error{Op: "open", Path: filepath.Join(p, e.File), Table: e.Name, Err: err}
		}
		return io.NewSectionReader(f, 0, fi.Size()), nil
	})
	for _, f := range opened {
		if f != nil {
			s.files = append(s.files, f)
		}
	}
	if err == nil && m.NLP != nil {
		for _, nf := range m.NLP.Files {
			f, ferr := os.Open(filepath.Join(p, filepath.FromSlash(nf.Path)))
			if ferr != nil {
				// A missing NLP file does not stop the tables from being
				// read; Verify reports it, and the NLP layer refuses it.
				continue
			}
			s.files = append(s.files, f)
			fi, ferr := f.Stat()
			if ferr == nil {
				s.nlp[nf.Path] = io.NewSectionReader(f, 0, fi.Size())
			}
		}
	}
	if err != nil {
		s.refs.Store(1)
		s.release()
		return nil, err
	}
	return s, nil
}

func openContainerState(p string, size int64) (*state, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, &Error{Op: "open", Path: p, Err: err}
	}
	s, err := containerState(p, f, size, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

// containerState opens a container from its bytes; f, if not nil, is
// the file behind them, closed with the state.
func containerState(p string, r io.ReaderAt, size int64, f *os.File) (*state, error) {
	lay, m, err := readContainerManifest(p, r, size)
	if err != nil {
		return nil, err
	}
	s := &state{path: p, backend: BackendContainer, m: m, layout: lay,
		tables: map[string]*table{}, nlp: map[string]*io.SectionReader{}}
	if f != nil {
		s.files = []*os.File{f}
	}
	bySection := map[string]section{}
	for _, sec := range lay.sections {
		bySection[fmt.Sprint(sec.kind, "/", sec.name)] = sec
	}
	used := 1 // the manifest
	err = s.openTables(func(_ int, e manifest.Table) (*io.SectionReader, error) {
		sec, ok := bySection[fmt.Sprint(sectionTable, "/", e.Name)]
		if !ok {
			return nil, integrity(p, e, "missing", "", "")
		}
		return io.NewSectionReader(r, sec.offset, sec.length), nil
	})
	if err != nil {
		return nil, err
	}
	used += len(m.Tables)
	if m.NLP != nil {
		for _, nf := range m.NLP.Files {
			sec, ok := bySection[fmt.Sprint(sectionNLP, "/", nf.Path)]
			if !ok {
				return nil, &Error{Op: "open", Path: p, Err: fmt.Errorf("%w: no section for NLP file %s", ErrCorrupt, nf.Path)}
			}
			s.nlp[nf.Path] = io.NewSectionReader(r, sec.offset, sec.length)
			used++
		}
	}
	if used != len(lay.sections) {
		return nil, &Error{Op: "open", Path: p, Err: fmt.Errorf("%w: %d sections, the manifest lists %d", ErrCorrupt, len(lay.sections), used)}
	}
	return s, nil
}

// readContainerManifest reads a container's structure and its manifest,
// whose section CRC is checked (the manifest is the snapshot's identity).
func readContainerManifest(p string, r io.ReaderAt, size int64) (*containerLayout, *manifest.Manifest, error) {
	lay, err := readContainer(r, size)
	if err != nil {
		if errors.Is(err, ErrBadMagic) {
			err = fmt.Errorf("%w: %s is neither a snapshot directory nor a .snap container (%w)", ErrNotSnapshot, p, err)
		}
		return nil, nil, &Error{Op: "open", Path: p, Err: err}
	}
	ms := lay.manifest
	if ms.length > manifest.MaxSize {
		return nil, nil, &Error{Op: "open", Path: p, Err: fmt.Errorf("%w: manifest section of %d bytes", ErrCorrupt, ms.length)}
	}
	data := make([]byte, ms.length)
	if _, err := r.ReadAt(data, ms.offset); err != nil {
		return nil, nil, &Error{Op: "open", Path: p, Err: fmt.Errorf("%w: reading the manifest: %v", ErrTruncated, err)}
	}
	if got := crc32.Checksum(data, castagnoli); got != ms.crc {
		return nil, nil, &Error{Op: "open", Path: p, Err: fmt.Errorf("%w: manifest section CRC-32C %08x, the index says %08x", ErrChecksum, got, ms.crc)}
	}
	m, err := manifest.Parse(data)
	if err != nil {
		return nil, nil, &Error{Op: "open", Path: p + "!" + manifest.FileName, Err: err}
	}
	return lay, m, nil
}

// openTables opens every table of s.m (in parallel: footers are
// independent) with the bytes open returns, and checks size and row count
// against the manifest.
func (s *state) openTables(open func(i int, e manifest.Table) (*io.SectionReader, error)) error {
	opened := make([]*table, len(s.m.Tables))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, e := range s.m.Tables {
		g.Go(func() error {
			r, err := open(i, e)
			if err != nil {
				return err
			}
			opened[i], err = checkTable(s.path, e, r)
			return err
		})
	}
	err := g.Wait()
	for _, t := range opened {
		if t != nil {
			s.tables[t.entry.Name] = t
		}
	}
	return err
}

func checkTable(p string, e manifest.Table, r *io.SectionReader) (*table, error) {
	if e.Bytes != 0 && r.Size() != e.Bytes {
		return nil, integrity(p, e, "bytes", strconv.FormatInt(e.Bytes, 10), strconv.FormatInt(r.Size(), 10))
	}
	footer, schema, fix, err := readFooter(r, r.Size())
	if err != nil {
		return nil, integrity(p, e, "unreadable", "", err.Error())
	}
	if footer.NumRows != e.Rows {
		return nil, integrity(p, e, "rows", strconv.FormatInt(e.Rows, 10), strconv.FormatInt(footer.NumRows, 10))
	}
	return &table{entry: e, r: r, footer: footer, schema: schema, fix: fix}, nil
}

func integrity(p string, e manifest.Table, what, expected, actual string) error {
	return &Error{Op: "open", Path: p, Table: e.Name, Err: &IntegrityError{Path: p,
		Mismatches: []Mismatch{{Table: e.Name, File: e.File, What: what, Expected: expected, Actual: actual}}}}
}

// readDirManifest reads the manifest of the snapshot directory p.
func readDirManifest(p string) (*manifest.Manifest, error) {
	mf, err := os.Open(filepath.Join(p, manifest.FileName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, &Error{Op: "open", Path: p, Err: fmt.Errorf("%w: %s has no %s", ErrNotSnapshot, p, manifest.FileName)}
	}
	if err != nil {
		return nil, &Error{Op: "open", Path: p, Err: err}
	}
	defer mf.Close()
	m, err := manifest.Read(mf)
	if err != nil {
		return nil, &Error{Op: "open", Path: filepath.Join(p, manifest.FileName), Err: err}
	}
	return m, nil
}

// resolvePath turns a path or a parquet:/// or snap:/// URI into a clean
// absolute path.
func resolvePath(path string) (string, error) {
	if scheme, rest, ok := strings.Cut(path, "://"); ok && (scheme == "parquet" || scheme == "snap") {
		u, err := url.Parse(path)
		if err != nil {
			return "", fmt.Errorf("bad URI %q: %w", path, err)
		}
		if u.Host != "" || !strings.HasPrefix(rest, "/") {
			return "", fmt.Errorf("bad URI %q: want %s:///absolute/path", path, scheme)
		}
		return filepath.Clean(u.Path), nil
	}
	if path == "" {
		return "", errors.New("empty path")
	}
	return filepath.Abs(path)
}

// readFooter reads a Parquet file's footer and its Arrow schema, and
// names the columns whose stored type must be restored on read.
func readFooter(r io.ReaderAt, size int64) (md *metadata.FileMetaData, schema *arrow.Schema, fix map[string]bool, err error) {
	defer func() {
		// The Parquet footer decoder is not hardened against every hostile
		// input; a panic in it is a corrupt file, not a crash.
		if p := recover(); p != nil {
			md, schema, fix, err = nil, nil, nil, fmt.Errorf("corrupt parquet footer: %v", p)
		}
	}()
	pr, err := file.NewParquetReader(io.NewSectionReader(r, 0, size))
	if err != nil {
		return nil, nil, nil, err
	}
	md = pr.MetaData()
	inferred, err := pqarrow.FromParquet(md.Schema, &pqarrow.ArrowReadProperties{}, md.KeyValueMetadata())
	if err != nil {
		return nil, nil, nil, err
	}
	schema, cols := restoreSchema(inferred, originSchema(md.KeyValueMetadata()))
	if len(cols) > 0 {
		fix = map[string]bool{}
		for _, i := range cols {
			fix[schema.Field(i).Name] = true
		}
	}
	return md, schema, fix, nil
}
