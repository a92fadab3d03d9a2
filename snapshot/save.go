package snapshot

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/snapdb/snapdb/internal/fsutil"
	"github.com/snapdb/snapdb/manifest"
)

// Forms of a snapshot for SaveOptions.Format.
const (
	FormatDirectory = "dir"
	FormatContainer = "snap"
)

// SaveOptions configures Save. A nil *SaveOptions means defaults.
type SaveOptions struct {
	// Format is "dir" or "snap"; empty means by the path's extension
	// (".snap" is a container, anything else a directory).
	Format string
	// Tables, if not nil, saves only these tables. The NLP files go along
	// only if the table they were built from does. A subset has its own
	// manifest, so its root hash differs from the original's.
	Tables []string
	// Overwrite allows replacing an existing snapshot (never anything
	// else) at the path.
	Overwrite bool
}

// Save writes the snapshot being served to path, as a directory or a .snap
// container, atomically: everything is written under a temporary name
// unique to this writer, fsynced, and renamed into place, and the
// directory is fsynced. Readers are not blocked (the data is immutable).
// Saving all tables keeps the manifest byte for byte, so the copy has the
// same root hash.
func (db *DB) Save(path string, opts *SaveOptions) (SnapshotMeta, error) {
	s, err := db.acquire("save")
	if err != nil {
		return SnapshotMeta{}, err
	}
	defer s.release()
	return saveState(s, path, opts, db.opts.Progress)
}

// Pack converts the snapshot directory dir into the container file
// (lossless: the same manifest, so the same root hash).
func Pack(dir, file string, opts *SaveOptions) (SnapshotMeta, error) {
	return convert(dir, file, FormatContainer, opts)
}

// Unpack converts the container file into the snapshot directory dir
// (lossless: the same root hash).
func Unpack(file, dir string, opts *SaveOptions) (SnapshotMeta, error) {
	return convert(file, dir, FormatDirectory, opts)
}

func convert(src, dst, format string, opts *SaveOptions) (SnapshotMeta, error) {
	s, err := openState(src)
	if err != nil {
		return SnapshotMeta{}, err
	}
	defer s.release()
	var o SaveOptions
	if opts != nil {
		o = *opts
	}
	o.Format = format
	return saveState(s, dst, &o, nil)
}

func saveState(s *state, path string, opts *SaveOptions, progress ProgressFunc) (SnapshotMeta, error) {
	start := time.Now()
	var o SaveOptions
	if opts != nil {
		o = *opts
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return SnapshotMeta{}, &Error{Op: "save", Path: path, Err: err}
	}
	if abs == s.path {
		return SnapshotMeta{}, &Error{Op: "save", Path: abs, Err: errors.New("the target is the snapshot being saved")}
	}
	m, err := subset(s, o.Tables)
	if err != nil {
		return SnapshotMeta{}, err
	}
	data, err := m.Marshal()
	if err != nil {
		return SnapshotMeta{}, &Error{Op: "save", Path: abs, Err: err}
	}
	root, err := m.RootHash()
	if err != nil {
		return SnapshotMeta{}, &Error{Op: "save", Path: abs, Err: err}
	}
	var total int64
	for _, t := range m.Tables {
		total += s.tables[t.Name].r.Size()
	}
	c := &copier{progress: progress, total: total, op: "save"}
	switch o.Format {
	case FormatContainer:
	case FormatDirectory:
	case "":
		o.Format = FormatDirectory
		if isContainerPath(abs) {
			o.Format = FormatContainer
		}
	default:
		return SnapshotMeta{}, &Error{Op: "save", Path: abs, Err: fmt.Errorf("unknown format %q (want dir or snap)", o.Format)}
	}
	if o.Format == FormatContainer {
		err = writeContainerFile(abs, s, m, data, o.Overwrite, c)
	} else {
		err = writeDirectory(abs, s, m, data, o.Overwrite, c)
	}
	if err != nil {
		return SnapshotMeta{}, &Error{Op: "save", Path: abs, Err: err}
	}
	return metaOf(m, root, abs, time.Since(start)), nil
}

// subset returns the manifest of the tables asked for (nil: all, the
// manifest itself).
func subset(s *state, tables []string) (*manifest.Manifest, error) {
	if tables == nil {
		return s.m, nil
	}
	keep := map[string]bool{}
	for _, name := range tables {
		if _, ok := s.tables[name]; !ok {
			return nil, &Error{Op: "save", Path: s.path, Table: name, Err: ErrNoTable,
				Hint: "tables: " + strings.Join(s.tableNames(), ", ")}
		}
		keep[name] = true
	}
	m := *s.m
	m.Tables = nil
	for _, t := range s.m.Tables {
		if keep[t.Name] {
			m.Tables = append(m.Tables, t)
		}
	}
	if m.NLP != nil && !keep[m.NLP.SourceTable] {
		m.NLP = nil
	}
	return &m, nil
}

// nlpFiles lists the NLP files of m with their bytes: from c.nlp (new
// files being attached) or else from s.
func (c *copier) nlpFiles(s *state, m *manifest.Manifest) ([]manifest.File, []*io.SectionReader, error) {
	if m.NLP == nil {
		return nil, nil, nil
	}
	var rs []*io.SectionReader
	for _, f := range m.NLP.Files {
		r, ok := c.nlp[f.Path]
		if !ok {
			r, ok = s.nlp[f.Path]
		}
		if !ok {
			return nil, nil, fmt.Errorf("NLP file %s is missing from %s", f.Path, s.path)
		}
		rs = append(rs, r)
	}
	return m.NLP.Files, rs, nil
}

func writeDirectory(abs string, s *state, m *manifest.Manifest, data []byte, overwrite bool, c *copier) error {
	st, err := newStaging(abs, overwrite)
	if err != nil {
		return err
	}
	defer st.abort()
	for _, t := range m.Tables {
		dst := st.path(t.File)
		if c.link && s.layout == nil && os.Link(filepath.Join(s.path, t.File), dst) == nil {
			continue
		}
		if err := c.copyFile(dst, s.tables[t.Name].r); err != nil {
			return fmt.Errorf("table %s: %w", quoteName(t.Name), err)
		}
	}
	files, rs, err := c.nlpFiles(s, m)
	if err != nil {
		return err
	}
	if len(files) > 0 {
		if err := os.Mkdir(st.path(manifest.NLPDir), 0o755); err != nil {
			return err
		}
		for i, f := range files {
			if err := c.copyFile(st.path(f.Path), rs[i]); err != nil {
				return fmt.Errorf("%s: %w", f.Path, err)
			}
		}
		if err := fsutil.SyncDir(st.path(manifest.NLPDir)); err != nil {
			return err
		}
	}
	return st.commit(data)
}

// checkContainerTarget refuses an existing file unless overwrite is set
// and it is a container.
func checkContainerTarget(abs string, overwrite bool) error {
	fi, err := os.Stat(abs)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !overwrite {
		return fmt.Errorf("%w", ErrExists)
	}
	if fi.IsDir() {
		return fmt.Errorf("%w: it is a directory", ErrExists)
	}
	f, err := os.Open(abs)
	if err != nil {
		return err
	}
	defer f.Close()
	var magic [8]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil || string(magic[:]) != containerMagic {
		return fmt.Errorf("%w: refusing to overwrite a file that is not a snapdb container", ErrExists)
	}
	return nil
}

func writeContainerFile(abs string, s *state, m *manifest.Manifest, data []byte, overwrite bool, c *copier) error {
	if err := checkContainerTarget(abs, overwrite); err != nil {
		return err
	}
	for _, stale := range fsutil.StaleSiblings(abs) {
		os.RemoveAll(stale)
	}
	tmp := fsutil.TempSibling(abs)
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	h := containerHeader{version: containerVersion}
	if lsn := s.meta().WALLSN; lsn != nil {
		h.flags |= flagWALLSN
		h.walLSN = *lsn
	} else if lsn, ok := walLSNOf(m); ok {
		h.flags |= flagWALLSN
		h.walLSN = lsn
	}
	header := h.encode()
	if _, err := f.WriteAt(header, 0); err != nil {
		return err
	}
	var secs []section
	off := int64(containerAlign)
	add := func(kind uint8, name string, r *io.SectionReader) error {
		n, crc, err := c.copyAt(f, off, r)
		if err != nil {
			return fmt.Errorf("section %s: %w", name, err)
		}
		secs = append(secs, section{kind: kind, name: name, crc: crc, offset: off, length: n})
		off = align(off + n)
		return nil
	}
	for _, t := range m.Tables {
		if err := add(sectionTable, t.Name, s.tables[t.Name].r); err != nil {
			return err
		}
	}
	files, rs, err := c.nlpFiles(s, m)
	if err != nil {
		return err
	}
	for i, nf := range files {
		if err := add(sectionNLP, nf.Path, rs[i]); err != nil {
			return err
		}
	}
	secs = append(secs, section{kind: sectionManifest, name: manifest.FileName,
		crc: crc32.Checksum(data, castagnoli), offset: off, length: int64(len(data))})
	if _, err := f.WriteAt(data, off); err != nil {
		return err
	}
	indexOff := off + int64(len(data))
	index := encodeIndex(secs)
	if _, err := f.WriteAt(index, indexOff); err != nil {
		return err
	}
	if _, err := f.WriteAt(encodeFooter(header, index, indexOff, h.version), indexOff+int64(len(index))); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := checkContainerTarget(abs, overwrite); err != nil {
		return err
	}
	if err := os.Rename(tmp, abs); err != nil {
		return err
	}
	ok = true
	return fsutil.SyncDir(filepath.Dir(abs))
}

func align(n int64) int64 { return (n + containerAlign - 1) &^ (containerAlign - 1) }

// copier copies snapshot bytes and reports progress.
type copier struct {
	progress ProgressFunc
	op       string
	total    int64
	done     int64
	// link hard-links table files from a source directory instead of
	// copying them: only for rewriting a snapshot in place, whose table
	// files are immutable and stay the same.
	link bool
	// nlp holds NLP files being attached, by manifest path; they take
	// the place of the source's.
	nlp map[string]*io.SectionReader
}

func (c *copier) report(n int64) {
	c.done += n
	if c.progress != nil {
		c.progress(c.op, c.done, c.total)
	}
}

// copyFile copies r into a new file at path and fsyncs it. Within one
// file system the kernel copies (copy_file_range), without passing the
// bytes through this process.
func (c *copier) copyFile(path string, r *io.SectionReader) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := c.kernelCopy(f, r); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

func (c *copier) kernelCopy(dst *os.File, r *io.SectionReader) error {
	outer, srcOff, n := r.Outer()
	src, ok := outer.(*os.File)
	if ok {
		var dstOff int64
		for n > 0 {
			k, err := unix.CopyFileRange(int(src.Fd()), &srcOff, int(dst.Fd()), &dstOff, int(min(n, 1<<30)), 0)
			if err != nil {
				if dstOff == 0 && (errors.Is(err, unix.EXDEV) || errors.Is(err, unix.ENOSYS) ||
					errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP)) {
					break // fall back to copying through memory
				}
				return err
			}
			if k == 0 {
				return fmt.Errorf("%w: source ended %d bytes early", io.ErrUnexpectedEOF, n)
			}
			n -= int64(k)
			c.report(int64(k))
		}
		if n == 0 {
			return nil
		}
	}
	_, _, err := c.copyAt(dst, 0, r)
	return err
}

// copyAt copies r into dst at offset off through a buffer, and returns the
// bytes copied and their CRC-32C.
func (c *copier) copyAt(dst *os.File, off int64, r *io.SectionReader) (int64, uint32, error) {
	buf := make([]byte, 4<<20)
	var (
		n   int64
		crc uint32
	)
	for {
		k, err := r.ReadAt(buf, n)
		if k > 0 {
			if _, werr := dst.WriteAt(buf[:k], off+n); werr != nil {
				return n, 0, werr
			}
			crc = crc32.Update(crc, castagnoli, buf[:k])
			n += int64(k)
			c.report(int64(k))
		}
		if err == io.EOF {
			return n, crc, nil
		}
		if err != nil {
			return n, 0, err
		}
	}
}

// replaceNLP rewrites the snapshot at path with the same tables and the
// NLP section nlpm, whose files' bytes are in files (by manifest path;
// nlpm nil removes the section). The snapshot is replaced atomically: a
// directory by an exchange with a staged copy whose table files are hard
// links, a container by a new file renamed over it. Readers of the old
// snapshot are not disturbed. The manifest changes, so the root hash does.
func replaceNLP(path string, nlpm *manifest.NLP, files map[string]*io.SectionReader) (SnapshotMeta, error) {
	start := time.Now()
	s, err := openState(path)
	if err != nil {
		return SnapshotMeta{}, err
	}
	defer s.release()
	m := *s.m
	m.NLP = nlpm
	data, err := m.Marshal()
	if err != nil {
		return SnapshotMeta{}, &Error{Op: "attach nlp", Path: s.path, Err: err}
	}
	root, err := m.RootHash()
	if err != nil {
		return SnapshotMeta{}, &Error{Op: "attach nlp", Path: s.path, Err: err}
	}
	c := &copier{op: "attach nlp", link: true, nlp: files}
	if s.layout != nil {
		err = writeContainerFile(s.path, s, &m, data, true, c)
	} else {
		err = writeDirectory(s.path, s, &m, data, true, c)
	}
	if err != nil {
		return SnapshotMeta{}, &Error{Op: "attach nlp", Path: s.path, Err: err}
	}
	return metaOf(&m, root, s.path, time.Since(start)), nil
}
