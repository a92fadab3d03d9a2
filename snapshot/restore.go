package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/zeebo/blake3"

	"github.com/snapdb/snapdb/internal/fsutil"
	"github.com/snapdb/snapdb/manifest"
)

// RestoreOptions configures Restore.
type RestoreOptions struct {
	// NewRoot is the directory the snapshot is restored into: it becomes
	// a snapshot directory (whatever the source's form). Required. Its
	// parent directories are created if needed.
	NewRoot string
	// Overwrite allows a NewRoot that exists, is not empty, and holds a
	// snapshot (never anything else).
	Overwrite bool
	// RemoveSource deletes the source after the copy is complete and
	// verified (its listed files and manifest; a directory only if that
	// leaves it empty).
	RemoveSource bool
	// Overrides are the options the restored snapshot is opened with (nil
	// means defaults). Overrides.Progress also receives the copy's
	// progress.
	Overrides *Options
}

// Restore copies the snapshot at src (a directory, a .snap container or a
// URI; typically on shared storage) into opts.NewRoot (typically fast
// local storage), verifying every file against the manifest's hashes as it
// is copied, then opens it there. The copy is staged under a temporary
// name and renamed into place: a failed or interrupted restore leaves no
// half-copied snapshot at NewRoot and the source untouched. With
// RemoveSource, the source is deleted only after the copy verified and was
// committed.
func Restore(ctx context.Context, src string, opts *RestoreOptions) (*DB, error) {
	if opts == nil || opts.NewRoot == "" {
		return nil, &Error{Op: "restore", Path: src,
			Err: errors.New("RestoreOptions.NewRoot is required: the directory to restore the snapshot into (--new-root)")}
	}
	root, err := filepath.Abs(opts.NewRoot)
	if err != nil {
		return nil, &Error{Op: "restore", Path: opts.NewRoot, Err: err}
	}
	var openOpts Options
	if opts.Overrides != nil {
		openOpts = *opts.Overrides
	}
	s, err := openState(src)
	if err != nil {
		return nil, err
	}
	if s.path == root {
		s.release()
		return nil, &Error{Op: "restore", Path: root, Err: errors.New("NewRoot is the source itself")}
	}
	if err := os.MkdirAll(filepath.Dir(root), 0o755); err != nil {
		s.release()
		return nil, &Error{Op: "restore", Path: root, Err: err}
	}
	err = restoreInto(ctx, s, root, opts.Overwrite, openOpts.Progress)
	srcPath, srcManifest, backend := s.path, s.m, s.backend
	s.release()
	if err != nil {
		return nil, &Error{Op: "restore", Path: root, Err: err}
	}
	if opts.RemoveSource {
		if err := removeSnapshot(srcPath, srcManifest, backend); err != nil {
			return nil, &Error{Op: "restore", Path: srcPath,
				Err: fmt.Errorf("the copy at %s is complete, but removing the source failed: %w", root, err)}
		}
	}
	return Open(root, &openOpts)
}

func restoreInto(ctx context.Context, s *state, root string, overwrite bool, progress ProgressFunc) error {
	data, err := s.m.Marshal()
	if err != nil {
		return err
	}
	st, err := newStaging(root, overwrite)
	if err != nil {
		return err
	}
	defer st.abort()
	var total int64
	for _, t := range s.m.Tables {
		total += t.Bytes
	}
	c := &copier{progress: progress, total: total, op: "restore"}
	var problems []Mismatch
	for _, t := range s.m.Tables {
		probs, err := c.copyVerified(ctx, st.path(t.File), s.tables[t.Name].r, t.Name, t.File, t.Bytes, t.SHA256, t.BLAKE3)
		if err != nil {
			return fmt.Errorf("table %s: %w", quoteName(t.Name), err)
		}
		problems = append(problems, probs...)
	}
	if s.m.NLP != nil {
		if err := os.Mkdir(st.path(manifest.NLPDir), 0o755); err != nil {
			return err
		}
		for _, f := range s.m.NLP.Files {
			r, ok := s.nlp[f.Path]
			if !ok {
				problems = append(problems, Mismatch{File: f.Path, What: "missing"})
				continue
			}
			probs, err := c.copyVerified(ctx, st.path(f.Path), r, "", f.Path, f.Bytes, f.SHA256, f.BLAKE3)
			if err != nil {
				return fmt.Errorf("%s: %w", f.Path, err)
			}
			problems = append(problems, probs...)
		}
		if err := fsutil.SyncDir(st.path(manifest.NLPDir)); err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		return &IntegrityError{Path: s.path, Mismatches: problems}
	}
	return st.commit(data)
}

// copyVerified copies r into a new file at path, hashing the bytes on the
// way, and compares size and hashes with the manifest's.
func (c *copier) copyVerified(ctx context.Context, path string, r *io.SectionReader, table, name string,
	size int64, wantSHA, wantB3 string) ([]Mismatch, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sha := sha256.New()
	b3 := blake3.New()
	w := io.MultiWriter(f, sha, b3)
	buf := make([]byte, 4<<20)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		k, rerr := r.ReadAt(buf, n)
		if k > 0 {
			if _, err := w.Write(buf[:k]); err != nil {
				return nil, err
			}
			n += int64(k)
			c.report(int64(k))
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, rerr
		}
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	var probs []Mismatch
	mis := func(what, exp, act string) {
		probs = append(probs, Mismatch{Table: table, File: name, What: what, Expected: exp, Actual: act})
	}
	if size != 0 && n != size {
		mis("bytes", strconv.FormatInt(size, 10), strconv.FormatInt(n, 10))
	}
	if got := hex.EncodeToString(sha.Sum(nil)); wantSHA != "" && got != wantSHA {
		mis("sha256", wantSHA, got)
	}
	if got := hex.EncodeToString(b3.Sum(nil)); wantB3 != "" && got != wantB3 {
		mis("blake3", wantB3, got)
	}
	return probs, nil
}

// removeSnapshot deletes a snapshot: a container file, or a directory's
// manifest (first: from then on it is no longer a snapshot), its listed
// files, and the directories if that leaves them empty.
func removeSnapshot(path string, m *manifest.Manifest, backend string) error {
	if backend == BackendContainer {
		if err := os.Remove(path); err != nil {
			return err
		}
		return fsutil.SyncDir(filepath.Dir(path))
	}
	if err := os.Remove(filepath.Join(path, manifest.FileName)); err != nil {
		return err
	}
	for _, t := range m.Tables {
		if err := os.Remove(filepath.Join(path, t.File)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if m.NLP != nil {
		for _, f := range m.NLP.Files {
			if err := os.Remove(filepath.Join(path, filepath.FromSlash(f.Path))); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		os.Remove(filepath.Join(path, manifest.NLPDir)) // only if empty
	}
	os.Remove(path) // only if empty: files not ours stay
	return fsutil.SyncDir(filepath.Dir(path))
}
