package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zeebo/blake3"
	"golang.org/x/sync/errgroup"

	"github.com/snapdb/snapdb/manifest"
)

// VerifyReport is the outcome of Verify: every file checked, and how long
// it took.
type VerifyReport struct {
	Path     string        `json:"path"`
	RootHash string        `json:"rootHash"`
	Files    []FileCheck   `json:"files"`
	Bytes    int64         `json:"bytes"`
	Duration time.Duration `json:"-"`
	Seconds  float64       `json:"seconds"`
	OK       bool          `json:"ok"`
	Problems []Mismatch    `json:"problems"`
}

// FileCheck is the result for one file.
type FileCheck struct {
	Table  string `json:"table,omitempty"`
	File   string `json:"file"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256,omitempty"`
	BLAKE3 string `json:"blake3,omitempty"`
	OK     bool   `json:"ok"`
}

// Verify re-reads and re-hashes every file of the snapshot (tables and NLP
// files; in a container, every section, whose CRC-32C is checked too),
// several at a time, and compares sizes and hashes with the manifest. It
// returns the report and, if anything disagrees, an *IntegrityError
// (wrapping ErrIntegrity) that lists every mismatch: the table, what
// differs, the expected and the actual value.
func (db *DB) Verify(ctx context.Context) (VerifyReport, error) {
	s, err := db.acquire("verify")
	if err != nil {
		return VerifyReport{}, err
	}
	defer s.release()
	return verifyState(ctx, s, &db.opts)
}

func verifyState(ctx context.Context, s *state, opts *Options) (VerifyReport, error) {
	src := func(table, file string) (io.Reader, func(), int64, error) {
		if s.layout == nil {
			return openFileSource(s.path, file)
		}
		if table != "" {
			return io.NewSectionReader(s.tables[table].r, 0, s.tables[table].r.Size()), func() {}, -1, nil
		}
		r, ok := s.nlp[file]
		if !ok {
			return nil, nil, 0, os.ErrNotExist
		}
		return io.NewSectionReader(r, 0, r.Size()), func() {}, -1, nil
	}
	return verifyFiles(ctx, s.path, s.m, s.root(), s.layout, src, opts)
}

// VerifyPath checks every file of the snapshot at path (a directory or a
// .snap container) against its manifest without opening the snapshot
// first, so that a snapshot Open refuses (a missing file, a wrong size or
// row count) is still checked in full and every problem reported. Only an
// unreadable manifest or container structure stops it early.
func VerifyPath(ctx context.Context, path string, opts *Options) (VerifyReport, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	p, err := resolvePath(path)
	if err != nil {
		return VerifyReport{}, &Error{Op: "verify", Path: path, Err: err}
	}
	fi, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return VerifyReport{}, &Error{Op: "verify", Path: p, Err: fmt.Errorf("%w: %s does not exist", ErrNotSnapshot, p)}
		}
		return VerifyReport{}, &Error{Op: "verify", Path: p, Err: err}
	}
	var (
		m   *manifest.Manifest
		lay *containerLayout
		src sourceFunc
	)
	if fi.IsDir() {
		if m, err = readDirManifest(p); err != nil {
			return VerifyReport{}, err
		}
		src = func(_, file string) (io.Reader, func(), int64, error) { return openFileSource(p, file) }
	} else {
		f, err := os.Open(p)
		if err != nil {
			return VerifyReport{}, &Error{Op: "verify", Path: p, Err: err}
		}
		defer f.Close()
		if lay, m, err = readContainerManifest(p, f, fi.Size()); err != nil {
			return VerifyReport{}, err
		}
		src = containerSource(f, lay)
	}
	root, err := m.RootHash()
	if err != nil {
		return VerifyReport{}, &Error{Op: "verify", Path: p, Err: err}
	}
	rep, err := verifyFiles(ctx, p, m, root, lay, src, &o)
	if err != nil && !errors.Is(err, ErrIntegrity) {
		return rep, err
	}
	// The row counts come from the Parquet footers of the tables whose
	// bytes are as listed.
	bad := map[string]bool{}
	for _, pr := range rep.Problems {
		bad[pr.Table] = true
	}
	for _, t := range m.Tables {
		if bad[t.Name] {
			continue
		}
		r, done, size, err := src(t.Name, t.File)
		if err != nil {
			continue // reported above as missing
		}
		sr, ok := r.(*io.SectionReader)
		if !ok {
			sr = io.NewSectionReader(r.(io.ReaderAt), 0, size)
		}
		_, err = checkTable(p, t, sr)
		done()
		var ie *IntegrityError
		if errors.As(err, &ie) {
			rep.Problems = append(rep.Problems, ie.Mismatches...)
		} else if err != nil {
			return rep, err
		}
	}
	if len(rep.Problems) > 0 {
		rep.OK = false
		return rep, &IntegrityError{Path: p, Mismatches: rep.Problems}
	}
	return rep, nil
}

// sourceFunc opens the bytes of a table (by name) or an NLP file (table
// ""), returning a reader, a function that closes it, and its size (-1
// when the reader is a section that knows its own).
type sourceFunc func(table, file string) (io.Reader, func(), int64, error)

func openFileSource(dir, name string) (io.Reader, func(), int64, error) {
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		return nil, nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, 0, err
	}
	return f, func() { f.Close() }, fi.Size(), nil
}

func containerSource(f *os.File, lay *containerLayout) sourceFunc {
	return func(table, file string) (io.Reader, func(), int64, error) {
		for _, sec := range lay.sections {
			if table != "" && sec.kind == sectionTable && sec.name == table ||
				table == "" && sec.kind == sectionNLP && sec.name == file {
				return io.NewSectionReader(f, sec.offset, sec.length), func() {}, sec.length, nil
			}
		}
		return nil, nil, 0, os.ErrNotExist
	}
}

func verifyFiles(ctx context.Context, dir string, m *manifest.Manifest, root string, lay *containerLayout,
	src sourceFunc, opts *Options) (VerifyReport, error) {
	start := time.Now()
	type job struct {
		table string
		file  string // path inside the snapshot
		bytes int64
		sha   string
		b3    string
		crc   *uint32 // a container section's CRC-32C
	}
	crcOf := func(kind uint8, name string) *uint32 {
		if lay == nil {
			return nil
		}
		for _, s := range lay.sections {
			if s.kind == kind && s.name == name {
				c := s.crc
				return &c
			}
		}
		return nil
	}
	var jobs []job
	for _, t := range m.Tables {
		jobs = append(jobs, job{t.Name, t.File, t.Bytes, t.SHA256, t.BLAKE3, crcOf(sectionTable, t.Name)})
	}
	if m.NLP != nil {
		for _, f := range m.NLP.Files {
			jobs = append(jobs, job{"", f.Path, f.Bytes, f.SHA256, f.BLAKE3, crcOf(sectionNLP, f.Path)})
		}
	}
	var total int64
	for _, j := range jobs {
		total += j.bytes
	}
	// Problems is [] rather than null in JSON when there are none.
	rep := VerifyReport{Path: dir, RootHash: root, Files: make([]FileCheck, len(jobs)), Problems: []Mismatch{}}
	var (
		mu   sync.Mutex
		done atomic.Int64
	)
	report := func(n int64) {
		if opts.Progress != nil {
			opts.Progress("verify", done.Add(n), total)
		}
	}
	conc := opts.Concurrency
	if conc <= 0 {
		conc = 4
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(conc)
	for i, j := range jobs {
		g.Go(func() error {
			fc := FileCheck{Table: j.table, File: j.file}
			var probs []Mismatch
			mis := func(what, exp, act string) {
				probs = append(probs, Mismatch{Table: j.table, File: j.file, What: what, Expected: exp, Actual: act})
			}
			r, closeFn, _, err := src(j.table, j.file)
			switch {
			case errors.Is(err, os.ErrNotExist):
				mis("missing", "", "")
			case err != nil:
				mis("unreadable", "", err.Error())
			default:
				crc, herr := hashInto(gctx, r, &fc, report)
				closeFn()
				if gctx.Err() != nil {
					return gctx.Err()
				}
				if herr != nil {
					mis("unreadable", "", herr.Error())
					break
				}
				if j.bytes != 0 && fc.Bytes != j.bytes {
					mis("bytes", strconv.FormatInt(j.bytes, 10), strconv.FormatInt(fc.Bytes, 10))
				}
				if j.crc != nil && *j.crc != crc {
					mis("crc32c", fmt.Sprintf("%08x", *j.crc), fmt.Sprintf("%08x", crc))
				}
				if j.sha != "" && j.sha != fc.SHA256 {
					mis("sha256", j.sha, fc.SHA256)
				}
				if j.b3 != "" && j.b3 != fc.BLAKE3 {
					mis("blake3", j.b3, fc.BLAKE3)
				}
			}
			fc.OK = len(probs) == 0
			mu.Lock()
			rep.Files[i] = fc
			rep.Problems = append(rep.Problems, probs...)
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return rep, &Error{Op: "verify", Path: dir, Err: err}
	}
	for _, fc := range rep.Files {
		rep.Bytes += fc.Bytes
	}
	rep.Duration = time.Since(start)
	rep.Seconds = rep.Duration.Seconds()
	rep.OK = len(rep.Problems) == 0
	if !rep.OK {
		return rep, &IntegrityError{Path: dir, Mismatches: rep.Problems}
	}
	return rep, nil
}

// hashInto reads r to the end, filling fc's size and hashes, and returns
// the CRC-32C of the bytes.
func hashInto(ctx context.Context, r io.Reader, fc *FileCheck, report func(int64)) (uint32, error) {
	sha := sha256.New()
	b3 := blake3.New()
	var crc uint32
	buf := make([]byte, 1<<20)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		k, err := r.Read(buf)
		if k > 0 {
			sha.Write(buf[:k])
			b3.Write(buf[:k])
			crc = crc32.Update(crc, castagnoli, buf[:k])
			n += int64(k)
			report(int64(k))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("at byte %d: %v", n, err)
		}
	}
	fc.Bytes = n
	fc.SHA256 = hex.EncodeToString(sha.Sum(nil))
	fc.BLAKE3 = hex.EncodeToString(b3.Sum(nil))
	return crc, nil
}
