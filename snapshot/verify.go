package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zeebo/blake3"

	"github.com/snapdb/snapdb/manifest"
	"golang.org/x/sync/errgroup"
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
// files), several at a time, and compares sizes and hashes with the
// manifest. It returns the report and, if anything disagrees, an
// *IntegrityError (wrapping ErrIntegrity) that lists every mismatch: the
// table, what differs, the expected and the actual value.
func (db *DB) Verify(ctx context.Context) (VerifyReport, error) {
	db.mu.RLock()
	closed := db.closed
	db.mu.RUnlock()
	if closed {
		return VerifyReport{}, &Error{Op: "verify", Path: db.path, Err: ErrClosed}
	}
	return verifyFiles(ctx, db.path, db.m, db.RootHash(), &db.opts)
}

// VerifyPath checks every file of the snapshot at path against its
// manifest without opening the snapshot first, so that a snapshot Open
// refuses (a missing file, a wrong size or row count) is still checked in
// full and every problem reported. Only a missing or unreadable manifest
// stops it early.
func VerifyPath(ctx context.Context, path string, opts *Options) (VerifyReport, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	p, m, err := readManifest(path)
	if err != nil {
		return VerifyReport{}, err
	}
	root, err := m.RootHash()
	if err != nil {
		return VerifyReport{}, &Error{Op: "verify", Path: p, Err: err}
	}
	rep, err := verifyFiles(ctx, p, m, root, &o)
	if err != nil {
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
		tb, err := openTable(p, t)
		if err != nil {
			var ie *IntegrityError
			if errors.As(err, &ie) {
				rep.Problems = append(rep.Problems, ie.Mismatches...)
				continue
			}
			return rep, err
		}
		tb.f.Close()
	}
	if len(rep.Problems) > 0 {
		rep.OK = false
		return rep, &IntegrityError{Path: p, Mismatches: rep.Problems}
	}
	return rep, nil
}

func verifyFiles(ctx context.Context, dir string, m *manifest.Manifest, root string, opts *Options) (VerifyReport, error) {
	start := time.Now()
	type job struct {
		table string
		file  string // path inside the snapshot
		bytes int64
		sha   string
		b3    string
	}
	var jobs []job
	for _, t := range m.Tables {
		jobs = append(jobs, job{t.Name, t.File, t.Bytes, t.SHA256, t.BLAKE3})
	}
	if m.NLP != nil {
		for _, f := range m.NLP.Files {
			jobs = append(jobs, job{"", f.Path, f.Bytes, f.SHA256, f.BLAKE3})
		}
	}
	var total int64
	for _, j := range jobs {
		total += j.bytes
	}
	rep := VerifyReport{Path: dir, RootHash: root, Files: make([]FileCheck, len(jobs))}
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
			probs, err := checkFile(gctx, dir, j.table, j.file, j.bytes, j.sha, j.b3, &fc, report)
			if err != nil {
				return err
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

// checkFile hashes one file and returns its mismatches. Only a cancelled
// context is returned as an error; an unreadable file is a mismatch.
func checkFile(ctx context.Context, dir, tbl, name string, size int64, wantSHA, wantB3 string,
	fc *FileCheck, report func(int64)) ([]Mismatch, error) {
	mis := func(what, exp, act string) []Mismatch {
		return []Mismatch{{Table: tbl, File: name, What: what, Expected: exp, Actual: act}}
	}
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
	if errors.Is(err, os.ErrNotExist) {
		return mis("missing", "", ""), nil
	}
	if err != nil {
		return mis("unreadable", "", err.Error()), nil
	}
	defer f.Close()
	var sha hash.Hash = sha256.New()
	b3 := blake3.New()
	w := io.MultiWriter(sha, b3)
	buf := make([]byte, 1<<20)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		k, err := f.Read(buf)
		if k > 0 {
			w.Write(buf[:k])
			n += int64(k)
			report(int64(k))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return mis("unreadable", "", fmt.Sprintf("at byte %d: %v", n, err)), nil
		}
	}
	fc.Bytes = n
	fc.SHA256 = hex.EncodeToString(sha.Sum(nil))
	fc.BLAKE3 = hex.EncodeToString(b3.Sum(nil))
	var out []Mismatch
	if size != 0 && n != size {
		out = append(out, mis("bytes", strconv.FormatInt(size, 10), strconv.FormatInt(n, 10))...)
	}
	if wantSHA != "" && wantSHA != fc.SHA256 {
		out = append(out, mis("sha256", wantSHA, fc.SHA256)...)
	}
	if wantB3 != "" && wantB3 != fc.BLAKE3 {
		out = append(out, mis("blake3", wantB3, fc.BLAKE3)...)
	}
	return out, nil
}
