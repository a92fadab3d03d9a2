package snapshot

import (
	"os"
	"path/filepath"

	"github.com/snapdb/snapdb/internal/fsutil"
	"github.com/snapdb/snapdb/manifest"
)

// staging is a snapshot directory being prepared under a temporary name
// next to its target (".<name>.snapdb-tmp-<pid>-<random>") and moved into
// place, complete, by commit: Create, Save, Restore and the NLP builder all
// write through one. A crash leaves only the temporary directory, which
// the next staging of the same target removes.
type staging struct {
	target    string
	dir       string
	overwrite bool
	done      bool
}

// newStaging checks the target (see checkTarget), removes what killed
// writers left next to it, and makes the temporary directory.
func newStaging(target string, overwrite bool) (*staging, error) {
	if err := checkTarget(target, overwrite); err != nil {
		return nil, err
	}
	for _, stale := range fsutil.StaleSiblings(target) {
		os.RemoveAll(stale)
	}
	dir := fsutil.TempSibling(target)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, err
	}
	return &staging{target: target, dir: dir, overwrite: overwrite}, nil
}

// path is the path of name inside the staging directory.
func (st *staging) path(name string) string { return filepath.Join(st.dir, filepath.FromSlash(name)) }

// commit writes the manifest last (temporary file, fsync, rename, directory
// fsync), checks the target again (it may have appeared meanwhile), and
// moves the directory into place: one rename, or an atomic exchange with
// the snapshot it replaces.
func (st *staging) commit(manifestData []byte) error {
	if err := fsutil.WriteFileAtomic(st.path(manifest.FileName), manifestData, 0o644); err != nil {
		return err
	}
	if err := checkTarget(st.target, st.overwrite); err != nil {
		return err
	}
	if err := fsutil.ReplaceDir(st.dir, st.target); err != nil {
		return err
	}
	st.done = true
	return nil
}

// abort removes the staging directory unless it was committed. It is safe
// to call more than once.
func (st *staging) abort() error {
	if st.done {
		return nil
	}
	st.done = true
	return os.RemoveAll(st.dir)
}
