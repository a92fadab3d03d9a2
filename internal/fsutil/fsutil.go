// Package fsutil holds the small file-system primitives that make snapdb's
// writes atomic: fsync of files and directories, write-to-temp-then-rename,
// and an atomic exchange of two directories.
package fsutil

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// SyncDir fsyncs the directory dir, so that entries created, renamed or
// removed in it are durable.
func SyncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory: write, fsync, rename, fsync the directory. A crash leaves
// either the old file or the new one at path, never a partial one.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	ok = true
	return SyncDir(dir)
}

// TempSibling returns a fresh, unused name next to path, of the form
// ".<base>.snapdb-tmp-<pid>-<random>", which StaleSiblings recognises.
func TempSibling(path string) string {
	var b [6]byte
	rand.Read(b[:])
	dir, base := filepath.Split(filepath.Clean(path))
	return filepath.Join(dir, fmt.Sprintf(".%s.snapdb-tmp-%d-%s", base, os.Getpid(), hex.EncodeToString(b[:])))
}

// StaleSiblings lists the temporary siblings of path (see TempSibling) whose
// creating process no longer runs: leftovers of a crashed writer.
func StaleSiblings(path string) []string {
	dir, base := filepath.Split(filepath.Clean(path))
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	prefix := "." + base + ".snapdb-tmp-"
	var stale []string
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		if !ok {
			continue
		}
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 {
			continue
		}
		if pid != os.Getpid() && !processAlive(pid) {
			stale = append(stale, filepath.Join(dir, e.Name()))
		}
	}
	return stale
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// Exchange atomically swaps the directory entries a and b (both must
// exist), with renameat2(RENAME_EXCHANGE). It returns an error wrapping
// ErrExchangeUnsupported when the file system cannot do it.
func Exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
		return fmt.Errorf("exchange %s and %s: %w", a, b, ErrExchangeUnsupported)
	}
	if err != nil {
		return &os.LinkError{Op: "exchange", Old: a, New: b, Err: err}
	}
	return nil
}

// ErrExchangeUnsupported: the file system has no atomic exchange.
var ErrExchangeUnsupported = errors.New("atomic exchange not supported by the file system")

// ReplaceDir moves the complete directory src to dst. If dst does not exist
// or is an empty directory, this is one rename. Otherwise the two are
// exchanged atomically and the old contents (now at src) are removed, so
// dst always holds either the old or the new directory. On file systems
// without an atomic exchange, the old directory is first renamed aside,
// leaving a short window in which dst is absent (never partial).
func ReplaceDir(src, dst string) error {
	err := os.Rename(src, dst)
	if err == nil {
		return SyncDir(filepath.Dir(dst))
	}
	if !errors.Is(err, syscall.ENOTEMPTY) && !errors.Is(err, syscall.EEXIST) {
		return err
	}
	if err := Exchange(src, dst); err != nil {
		if !errors.Is(err, ErrExchangeUnsupported) {
			return err
		}
		aside := TempSibling(dst)
		if err := os.Rename(dst, aside); err != nil {
			return err
		}
		if err := os.Rename(src, dst); err != nil {
			os.Rename(aside, dst)
			return err
		}
		src = aside
	}
	if err := SyncDir(filepath.Dir(dst)); err != nil {
		return err
	}
	return os.RemoveAll(src)
}
