package nlp

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"unicode/utf8"
)

// The file layout; docs/automaton.md specifies it byte by byte.

// Magic is the first eight bytes of every automaton file.
const Magic = "\x89SNAPNLP"

// Version of the file format this package writes. A reader accepts every
// minor version of its major version (a newer minor only adds sections or
// header fields that older readers may ignore) and refuses another major
// (format 1.0, with separate first_child and label arrays in breadth-first
// order, is no longer read: rebuild such files).
const (
	VersionMajor = 2
	VersionMinor = 0
)

const (
	fixedHeaderSize  = 96 // bytes before the section table
	sectionEntrySize = 32
	maxSections      = 64
	sectionAlign     = 64

	recordSize = 16 // one alias record
	stateSize  = 8  // one state record

	maxEntityTypes  = 1 << 14 // entity type index: 14 bits of the record's kind field
	maxAliasBytes   = 1<<16 - 1
	maxTypeNameLen  = 255
	maxTypesSection = 8 << 20
	maxOptsSection  = 1 << 20
	maxDenseRows    = 256
	maxStates       = 1<<32 - 1
	maxFilterBytes  = 1 << 32
)

// Section ids.
const (
	secDense      = 1 // u32[rows*256]: child of state s on byte b, 0 for none
	secStates     = 2 // [n]state record: first child, children, label, flags
	secFirstWords = 3 // u64[2^b]: Bloom filter of the keys' first words
	secOut        = 4 // u32[n]: key id + 1, or 0
	secKeyAlias   = 5 // u32[k+1]: CSR offsets of each key's alias records
	secRecords    = 6 // [m]record
	secStrings    = 7 // bytes: the original alias texts
	secTypes      = 8 // string list: entity type names, sorted
	secOptions    = 9 // build options
	numKnown      = 9
)

var sectionNames = [numKnown + 1]string{
	secDense:      "dense",
	secStates:     "states",
	secFirstWords: "first_words",
	secOut:        "out",
	secKeyAlias:   "key_alias",
	secRecords:    "alias_records",
	secStrings:    "strings",
	secTypes:      "entity_types",
	secOptions:    "options",
}

// knownSection reports whether id is a section of this format version.
func knownSection(id uint32) bool { return id >= 1 && id <= numKnown }

func sectionName(id uint32) string {
	if knownSection(id) {
		return sectionNames[id]
	}
	return fmt.Sprintf("section %d", id)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func crc32c(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

var le = binary.LittleEndian

// header is the decoded fixed header.
type header struct {
	major, minor uint16
	headerSize   uint32
	flags        uint32
	nSections    uint32
	fileSize     uint64
	states       uint32 // n, including the root
	keys         uint32 // k, distinct normalised keys
	aliases      uint32 // m, alias records
	types        uint32 // entity type names
	maxKeyLen    uint32 // bytes of the longest key: no walk goes deeper
	denseRows    uint32 // rows of the dense table: the root and level-1 states
	hotStates    uint32 // states in the shallow levels worth prefetching
	sections     []section
}

type section struct {
	id     uint32
	crc    uint32
	offset uint64
	length uint64
}

// Header field offsets.
const (
	hMagic     = 0
	hMajor     = 8
	hMinor     = 10
	hSize      = 12
	hFlags     = 16
	hNSections = 20
	hFileSize  = 24
	hStates    = 32
	hKeys      = 36
	hAliases   = 40
	hTypes     = 44
	hMaxKeyLen = 48
	hDenseRows = 52
	hHotStates = 56
	// 60..95 reserved, zero in version 2.0.
)

func headerSizeFor(nSections int) int {
	return fixedHeaderSize + nSections*sectionEntrySize + 4
}

func (h *header) encode() []byte {
	b := make([]byte, headerSizeFor(len(h.sections)))
	copy(b[hMagic:], Magic)
	le.PutUint16(b[hMajor:], h.major)
	le.PutUint16(b[hMinor:], h.minor)
	le.PutUint32(b[hSize:], uint32(len(b)))
	le.PutUint32(b[hFlags:], h.flags)
	le.PutUint32(b[hNSections:], uint32(len(h.sections)))
	le.PutUint64(b[hFileSize:], h.fileSize)
	le.PutUint32(b[hStates:], h.states)
	le.PutUint32(b[hKeys:], h.keys)
	le.PutUint32(b[hAliases:], h.aliases)
	le.PutUint32(b[hTypes:], h.types)
	le.PutUint32(b[hMaxKeyLen:], h.maxKeyLen)
	le.PutUint32(b[hDenseRows:], h.denseRows)
	le.PutUint32(b[hHotStates:], h.hotStates)
	for i, s := range h.sections {
		e := b[fixedHeaderSize+i*sectionEntrySize:]
		le.PutUint32(e[0:], s.id)
		le.PutUint32(e[4:], s.crc)
		le.PutUint64(e[8:], s.offset)
		le.PutUint64(e[16:], s.length)
	}
	n := len(b) - 4
	le.PutUint32(b[n:], crc32c(b[:n]))
	return b
}

// decodeHeader reads and checks the header of a file of the given bytes. It
// reads nothing beyond the header: its cost does not depend on the file.
func decodeHeader(b []byte) (*header, error) {
	if len(b) < len(Magic) {
		if string(b) == Magic[:len(b)] {
			return nil, fmt.Errorf("%w: %d bytes, shorter than the magic number", ErrTruncated, len(b))
		}
		return nil, fmt.Errorf("%w: bad magic number", ErrFormat)
	}
	if string(b[:len(Magic)]) != Magic {
		return nil, fmt.Errorf("%w: bad magic number", ErrFormat)
	}
	if len(b) < hMinor+2 {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the header", ErrTruncated, len(b))
	}
	h := &header{major: le.Uint16(b[hMajor:]), minor: le.Uint16(b[hMinor:])}
	if h.major != VersionMajor {
		return nil, fmt.Errorf("%w: file format version %d.%d, this reader supports version %d.x (up to %d.%d)",
			ErrVersion, h.major, h.minor, VersionMajor, VersionMajor, VersionMinor)
	}
	if len(b) < fixedHeaderSize {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the header", ErrTruncated, len(b))
	}
	h.headerSize = le.Uint32(b[hSize:])
	h.nSections = le.Uint32(b[hNSections:])
	if h.nSections > maxSections || int64(h.headerSize) != int64(headerSizeFor(int(h.nSections))) {
		return nil, fmt.Errorf("%w: header size %d for %d sections", ErrFormat, h.headerSize, h.nSections)
	}
	if uint64(len(b)) < uint64(h.headerSize) {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the %d-byte header", ErrTruncated, len(b), h.headerSize)
	}
	n := h.headerSize - 4
	if got, want := crc32c(b[:n]), le.Uint32(b[n:]); got != want {
		return nil, fmt.Errorf("%w: header CRC-32C is %08x, the header says %08x", ErrChecksum, got, want)
	}
	h.flags = le.Uint32(b[hFlags:])
	if h.flags != 0 {
		return nil, fmt.Errorf("%w: file needs features %#x that this reader (format %d.%d) does not know",
			ErrVersion, h.flags, VersionMajor, VersionMinor)
	}
	h.fileSize = le.Uint64(b[hFileSize:])
	h.states = le.Uint32(b[hStates:])
	h.keys = le.Uint32(b[hKeys:])
	h.aliases = le.Uint32(b[hAliases:])
	h.types = le.Uint32(b[hTypes:])
	h.maxKeyLen = le.Uint32(b[hMaxKeyLen:])
	h.denseRows = le.Uint32(b[hDenseRows:])
	h.hotStates = le.Uint32(b[hHotStates:])
	h.sections = make([]section, h.nSections)
	for i := range h.sections {
		e := b[fixedHeaderSize+i*sectionEntrySize:]
		h.sections[i] = section{id: le.Uint32(e[0:]), crc: le.Uint32(e[4:]), offset: le.Uint64(e[8:]), length: le.Uint64(e[16:])}
	}
	if uint64(len(b)) < h.fileSize {
		return nil, fmt.Errorf("%w: %d bytes, the header says %d", ErrTruncated, len(b), h.fileSize)
	}
	if uint64(len(b)) > h.fileSize {
		return nil, fmt.Errorf("%w: %d bytes, the header says %d (trailing bytes)", ErrFormat, len(b), h.fileSize)
	}
	if err := h.check(); err != nil {
		return nil, err
	}
	return h, nil
}

// check validates the counts and the section table against each other and
// the file size: O(sections²), independent of the contents.
func (h *header) check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
	}
	if h.states < 1 {
		return bad("no root state")
	}
	if h.keys > h.states-1 {
		return bad("%d keys for %d states", h.keys, h.states)
	}
	if h.aliases < h.keys {
		return bad("%d alias records for %d keys", h.aliases, h.keys)
	}
	if h.types > maxEntityTypes {
		return bad("%d entity types, at most %d allowed", h.types, maxEntityTypes)
	}
	if h.keys > 0 && h.types == 0 {
		return bad("alias records but no entity types")
	}
	if h.maxKeyLen > h.states-1 || (h.keys > 0) != (h.maxKeyLen > 0) {
		return bad("longest key %d bytes for %d states and %d keys", h.maxKeyLen, h.states, h.keys)
	}
	if h.denseRows < 1 || h.denseRows > maxDenseRows || h.denseRows > h.states {
		return bad("%d dense rows for %d states", h.denseRows, h.states)
	}
	if h.hotStates > h.states {
		return bad("%d hot states of %d", h.hotStates, h.states)
	}
	n, k, m := uint64(h.states), uint64(h.keys), uint64(h.aliases)
	want := [numKnown + 1]uint64{
		secDense:    uint64(h.denseRows) * 256 * 4,
		secStates:   stateSize * n,
		secOut:      4 * n,
		secKeyAlias: 4 * (k + 1),
		secRecords:  recordSize * m,
	}
	var seen [numKnown + 1]bool
	for i, s := range h.sections {
		name := sectionName(s.id)
		if s.offset%sectionAlign != 0 {
			return bad("%s at offset %d, not %d-byte aligned", name, s.offset, sectionAlign)
		}
		if s.offset < uint64(h.headerSize) {
			return bad("%s at offset %d, inside the header", name, s.offset)
		}
		if s.offset > h.fileSize || s.length > h.fileSize-s.offset {
			return fmt.Errorf("%w: %s (offset %d, %d bytes) runs past the end of the %d-byte file",
				ErrTruncated, name, s.offset, s.length, h.fileSize)
		}
		for _, o := range h.sections[:i] {
			if s.length > 0 && o.length > 0 && s.offset < o.offset+o.length && o.offset < s.offset+s.length {
				return bad("%s overlaps %s", name, sectionName(o.id))
			}
			if o.id == s.id {
				return bad("%s appears twice", name)
			}
		}
		if !knownSection(s.id) {
			continue // a section from a newer minor version: ignored
		}
		seen[s.id] = true
		switch s.id {
		case secStrings:
			if s.length > 1<<32-1 {
				return bad("%s: %d bytes, at most 4 GiB allowed", name, s.length)
			}
		case secTypes:
			if s.length > maxTypesSection {
				return bad("%s: %d bytes, at most %d allowed", name, s.length, maxTypesSection)
			}
		case secOptions:
			if s.length > maxOptsSection {
				return bad("%s: %d bytes, at most %d allowed", name, s.length, maxOptsSection)
			}
		case secFirstWords:
			if s.length < 8 || s.length > maxFilterBytes || s.length&(s.length-1) != 0 {
				return bad("%s: %d bytes, want a power of two from 8 to %d", name, s.length, maxFilterBytes)
			}
		default:
			if s.length != want[s.id] {
				return bad("%s: %d bytes, the counts need %d", name, s.length, want[s.id])
			}
		}
	}
	for id := uint32(1); id <= numKnown; id++ {
		if knownSection(id) && !seen[id] {
			return bad("no %s section", sectionName(id))
		}
	}
	return nil
}

// encodeStringList encodes a list of strings: u32 count, u32 offsets[count+1]
// (the first 0, each the end of a string), then the bytes.
func encodeStringList(dst []byte, list []string) []byte {
	dst = le.AppendUint32(dst, uint32(len(list)))
	dst = le.AppendUint32(dst, 0)
	off := uint32(0)
	for _, s := range list {
		off += uint32(len(s))
		dst = le.AppendUint32(dst, off)
	}
	for _, s := range list {
		dst = append(dst, s...)
	}
	return dst
}

// decodeStringList decodes a string list that must fill b exactly; every
// string must be valid UTF-8 and at most maxLen bytes.
func decodeStringList(b []byte, maxLen int) ([]string, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("%w: string list of %d bytes", ErrFormat, len(b))
	}
	count := uint64(le.Uint32(b))
	if count > uint64(len(b)-8)/4 {
		return nil, fmt.Errorf("%w: string list of %d strings in %d bytes", ErrFormat, count, len(b))
	}
	offs := b[4 : 4+4*(count+1)]
	data := b[4+4*(count+1):]
	if le.Uint32(offs) != 0 || uint64(le.Uint32(offs[4*count:])) != uint64(len(data)) {
		return nil, fmt.Errorf("%w: string list offsets do not cover its %d bytes", ErrFormat, len(data))
	}
	list := make([]string, count)
	prev := uint32(0)
	for i := range list {
		end := le.Uint32(offs[4*(i+1):])
		if end < prev || uint64(end) > uint64(len(data)) || int(end-prev) > maxLen {
			return nil, fmt.Errorf("%w: string list entry %d out of bounds", ErrFormat, i)
		}
		s := data[prev:end]
		if !utf8.Valid(s) {
			return nil, fmt.Errorf("%w: string list entry %d is not UTF-8", ErrFormat, i)
		}
		list[i] = string(s)
		prev = end
	}
	return list, nil
}

// The options section: u32 min_length, u32 norm_version, then a string list
// whose first entry is the Unicode version of the normalisation tables and
// the rest are the (normalised, sorted) stop words.
func encodeOptions(minLen int, unicodeVersion string, stop []string) []byte {
	b := le.AppendUint32(nil, uint32(minLen))
	b = le.AppendUint32(b, NormVersion)
	return encodeStringList(b, append([]string{unicodeVersion}, stop...))
}

type fileOptions struct {
	minLength      int
	normVersion    uint32
	unicodeVersion string
	stopWords      []string
}

func decodeOptions(b []byte) (*fileOptions, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("%w: options section of %d bytes", ErrFormat, len(b))
	}
	o := &fileOptions{minLength: int(le.Uint32(b)), normVersion: le.Uint32(b[4:])}
	if o.normVersion != NormVersion {
		return nil, fmt.Errorf("%w: keys normalised with normalisation version %d, this reader implements version %d",
			ErrVersion, o.normVersion, NormVersion)
	}
	if o.minLength < 1 || o.minLength > 1<<16 {
		return nil, fmt.Errorf("%w: minimum length %d", ErrFormat, o.minLength)
	}
	list, err := decodeStringList(b[8:], maxOptsSection)
	if err != nil {
		return nil, err
	}
	if len(list) < 1 {
		return nil, fmt.Errorf("%w: options without a Unicode version", ErrFormat)
	}
	o.unicodeVersion, o.stopWords = list[0], list[1:]
	return o, nil
}
