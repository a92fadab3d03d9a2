package snapshot

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"

	"github.com/snapdb/snapdb/manifest"
)

// The single-file container (.snap); docs/container.md specifies it byte
// by byte. Version 1:
//
//	header   64 bytes at offset 0
//	sections each at a 4 KiB-aligned offset: tables, NLP files, manifest
//	index    after the last section
//	footer   32 bytes at the end
const (
	containerMagic      = "SNAPDB\x00\n"
	containerVersion    = 1 // the newest version written and read
	containerHeaderSize = 64
	containerFooterSize = 32
	containerAlign      = 4096
	flagWALLSN          = 1 << 0 // header holds a WAL LSN
	containerExt        = ".snap"

	sectionTable    = 1
	sectionNLP      = 2
	sectionManifest = 3
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Container errors; test with errors.Is. Each names a distinct failure.
var (
	// ErrBadMagic: the file does not start (or end) with the container
	// magic: it is not a .snap container.
	ErrBadMagic = errors.New("snapshot: not a snapdb container (bad magic)")
	// ErrUnsupportedVersion: the container was written by a newer snapdb.
	ErrUnsupportedVersion = errors.New("snapshot: unsupported container version")
	// ErrChecksum: the header and index disagree with their CRC-32C, or a
	// section with its own.
	ErrChecksum = errors.New("snapshot: container checksum mismatch")
	// ErrTruncated: the file is shorter than its structure says.
	ErrTruncated = errors.New("snapshot: container truncated")
	// ErrCorrupt: the container's structure is inconsistent (sections
	// out of bounds, overlapping, unaligned, duplicated or missing).
	ErrCorrupt = errors.New("snapshot: corrupt container")
)

// section is one entry of the container's index.
type section struct {
	kind   uint8
	name   string // table name, "nlp/<file>" or "manifest.json"
	crc    uint32 // CRC-32C of the section's bytes
	offset int64
	length int64
}

// containerHeader is the decoded fixed header.
type containerHeader struct {
	version uint32
	flags   uint32
	walLSN  uint64
}

func (h containerHeader) encode() []byte {
	b := make([]byte, containerHeaderSize)
	copy(b, containerMagic)
	binary.LittleEndian.PutUint32(b[8:], h.version)
	binary.LittleEndian.PutUint32(b[12:], h.flags)
	binary.LittleEndian.PutUint64(b[16:], h.walLSN)
	// b[24:64] reserved, zero.
	return b
}

func encodeIndex(secs []section) []byte {
	var b bytes.Buffer
	var u [8]byte
	binary.LittleEndian.PutUint32(u[:4], uint32(len(secs)))
	b.Write(u[:4])
	for _, s := range secs {
		b.WriteByte(s.kind)
		b.WriteByte(0)
		binary.LittleEndian.PutUint16(u[:2], uint16(len(s.name)))
		b.Write(u[:2])
		binary.LittleEndian.PutUint32(u[:4], s.crc)
		b.Write(u[:4])
		binary.LittleEndian.PutUint64(u[:], uint64(s.offset))
		b.Write(u[:])
		binary.LittleEndian.PutUint64(u[:], uint64(s.length))
		b.Write(u[:])
		b.WriteString(s.name)
	}
	return b.Bytes()
}

func encodeFooter(header, index []byte, indexOffset int64, version uint32) []byte {
	b := make([]byte, containerFooterSize)
	binary.LittleEndian.PutUint64(b[0:], uint64(indexOffset))
	binary.LittleEndian.PutUint64(b[8:], uint64(len(index)))
	crc := crc32.Update(crc32.Checksum(header, castagnoli), castagnoli, index)
	binary.LittleEndian.PutUint32(b[16:], crc)
	binary.LittleEndian.PutUint32(b[20:], version)
	copy(b[24:], containerMagic)
	return b
}

// containerLayout is a container's decoded structure.
type containerLayout struct {
	header   containerHeader
	sections []section
	manifest section
}

// readContainer decodes and checks a container's header, index and footer
// (not its sections' contents): O(number of sections). The reader
// dispatches on the version in the header; every version ever written
// stays readable.
func readContainer(r io.ReaderAt, size int64) (*containerLayout, error) {
	if size < containerHeaderSize+containerFooterSize {
		if size >= 8 {
			var m [8]byte
			if _, err := r.ReadAt(m[:], 0); err == nil && string(m[:]) != containerMagic {
				return nil, ErrBadMagic
			}
		}
		return nil, fmt.Errorf("%w: %d bytes, a container has at least %d", ErrTruncated, size, containerHeaderSize+containerFooterSize)
	}
	header := make([]byte, containerHeaderSize)
	if _, err := r.ReadAt(header, 0); err != nil {
		return nil, err
	}
	if string(header[:8]) != containerMagic {
		return nil, ErrBadMagic
	}
	version := binary.LittleEndian.Uint32(header[8:])
	switch version {
	case 1:
		return readContainerV1(r, size, header)
	default:
		return nil, fmt.Errorf("%w: version %d; this snapdb reads versions 1 to %d — upgrade snapdb",
			ErrUnsupportedVersion, version, containerVersion)
	}
}

func readContainerV1(r io.ReaderAt, size int64, header []byte) (*containerLayout, error) {
	footer := make([]byte, containerFooterSize)
	if _, err := r.ReadAt(footer, size-containerFooterSize); err != nil {
		return nil, err
	}
	if string(footer[24:]) != containerMagic {
		return nil, fmt.Errorf("%w: no footer at the end of the file (%d bytes): it was cut short or not completely written",
			ErrTruncated, size)
	}
	indexOff := int64(binary.LittleEndian.Uint64(footer[0:]))
	indexLen := int64(binary.LittleEndian.Uint64(footer[8:]))
	wantCRC := binary.LittleEndian.Uint32(footer[16:])
	footVersion := binary.LittleEndian.Uint32(footer[20:])
	end := size - containerFooterSize
	if indexOff < containerHeaderSize || indexLen < 4 || indexOff > end || indexLen != end-indexOff {
		return nil, fmt.Errorf("%w: index at %d+%d does not end at the footer (%d)", ErrCorrupt, indexOff, indexLen, end)
	}
	index := make([]byte, indexLen)
	if _, err := r.ReadAt(index, indexOff); err != nil {
		return nil, err
	}
	if got := crc32.Update(crc32.Checksum(header, castagnoli), castagnoli, index); got != wantCRC {
		return nil, fmt.Errorf("%w: header and index CRC-32C is %08x, the footer says %08x", ErrChecksum, got, wantCRC)
	}
	h := containerHeader{
		version: binary.LittleEndian.Uint32(header[8:]),
		flags:   binary.LittleEndian.Uint32(header[12:]),
		walLSN:  binary.LittleEndian.Uint64(header[16:]),
	}
	if footVersion != h.version {
		return nil, fmt.Errorf("%w: header version %d, footer version %d", ErrCorrupt, h.version, footVersion)
	}
	if h.flags&^flagWALLSN != 0 {
		return nil, fmt.Errorf("%w: unknown header flags %#x", ErrCorrupt, h.flags)
	}
	if h.flags&flagWALLSN == 0 && h.walLSN != 0 {
		return nil, fmt.Errorf("%w: a WAL LSN without its flag", ErrCorrupt)
	}
	for _, b := range header[24:] {
		if b != 0 {
			return nil, fmt.Errorf("%w: reserved header bytes are not zero", ErrCorrupt)
		}
	}
	secs, err := decodeIndex(index, indexOff)
	if err != nil {
		return nil, err
	}
	lay := &containerLayout{header: h, sections: secs}
	found := false
	for _, s := range secs {
		if s.kind == sectionManifest {
			lay.manifest, found = s, true
		}
	}
	if !found {
		return nil, fmt.Errorf("%w: no manifest section", ErrCorrupt)
	}
	return lay, nil
}

// decodeIndex parses the index and checks every section: a known kind, a
// valid and unique name, 4 KiB aligned, inside [header, index), not
// overlapping another.
func decodeIndex(b []byte, indexOff int64) ([]section, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: index: %s", ErrCorrupt, fmt.Sprintf(format, args...))
	}
	n := binary.LittleEndian.Uint32(b)
	b = b[4:]
	const entryFixed = 24
	if uint64(n)*entryFixed > uint64(len(b)) {
		return nil, bad("%d sections do not fit in %d bytes", n, len(b))
	}
	secs := make([]section, 0, n)
	names := map[string]bool{}
	manifests := 0
	for i := uint32(0); i < n; i++ {
		if len(b) < entryFixed {
			return nil, bad("entry %d is cut short", i)
		}
		s := section{
			kind:   b[0],
			crc:    binary.LittleEndian.Uint32(b[4:]),
			offset: int64(binary.LittleEndian.Uint64(b[8:])),
			length: int64(binary.LittleEndian.Uint64(b[16:])),
		}
		nameLen := int(binary.LittleEndian.Uint16(b[2:]))
		if b[1] != 0 {
			return nil, bad("entry %d: reserved byte is not zero", i)
		}
		if len(b) < entryFixed+nameLen {
			return nil, bad("entry %d: name of %d bytes is cut short", i, nameLen)
		}
		s.name = string(b[entryFixed : entryFixed+nameLen])
		b = b[entryFixed+nameLen:]
		var err error
		switch s.kind {
		case sectionTable:
			err = manifest.CheckTableName(s.name)
		case sectionNLP:
			err = manifest.CheckNLPPath(s.name)
		case sectionManifest:
			manifests++
			if s.name != manifest.FileName {
				err = fmt.Errorf("manifest section named %q", s.name)
			}
		default:
			err = fmt.Errorf("unknown section kind %d", s.kind)
		}
		if err != nil {
			return nil, bad("entry %d: %v", i, err)
		}
		key := fmt.Sprint(s.kind, "/", s.name)
		if names[key] {
			return nil, bad("entry %d: section %q appears twice", i, s.name)
		}
		names[key] = true
		if s.offset < containerHeaderSize || s.offset%containerAlign != 0 || s.length < 0 ||
			s.offset > indexOff || s.length > indexOff-s.offset {
			return nil, bad("section %q at %d+%d is not a 4 KiB-aligned range between the header and the index (%d)",
				s.name, s.offset, s.length, indexOff)
		}
		if len(secs) > 0 {
			prev := secs[len(secs)-1]
			if s.offset < prev.offset+prev.length {
				return nil, bad("section %q at %d overlaps or precedes %q", s.name, s.offset, prev.name)
			}
		}
		secs = append(secs, s)
	}
	if len(b) != 0 {
		return nil, bad("%d bytes after the last entry", len(b))
	}
	if manifests != 1 {
		return nil, bad("%d manifest sections, want 1", manifests)
	}
	return secs, nil
}

// isContainerPath reports whether path names a .snap container by its
// extension.
func isContainerPath(path string) bool { return strings.HasSuffix(path, containerExt) }
