package snapshot

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/snapdb/snapdb/manifest"
)

// SnapshotMeta summarises a snapshot that was written or opened. Its JSON
// form is stable: the same keys in every binding.
type SnapshotMeta struct {
	FormatVersion   int    `json:"formatVersion"`
	SnapshotVersion string `json:"snapshotVersion"`
	Tables          int    `json:"tables"`
	Rows            int64  `json:"rows"`
	Bytes           int64  `json:"bytes"`
	RootHash        string `json:"rootHash"`
	// WALLSN is the source database's write-ahead-log position the
	// snapshot was taken at, when the producer recorded one (an export
	// from PostgreSQL records pg_current_wal_insert_lsn() as source.wal_lsn; a
	// .snap keeps it in its header too), or nil. PostgreSQL's text form
	// "X/Y" is the value X<<32 | Y.
	WALLSN *uint64 `json:"walLsn"`
	Path   string  `json:"path"`
	// Duration of the operation that produced this value (write, commit,
	// open).
	Duration time.Duration `json:"-"`
}

// MarshalJSON writes Duration as "durationSeconds", a number of seconds.
func (m SnapshotMeta) MarshalJSON() ([]byte, error) {
	type plain SnapshotMeta
	return json.Marshal(struct {
		plain
		DurationSeconds float64 `json:"durationSeconds"`
	}{plain(m), m.Duration.Seconds()})
}

// UnmarshalJSON reads the form MarshalJSON writes.
func (m *SnapshotMeta) UnmarshalJSON(b []byte) error {
	type plain SnapshotMeta
	var v struct {
		plain
		DurationSeconds float64 `json:"durationSeconds"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*m = SnapshotMeta(v.plain)
	m.Duration = time.Duration(v.DurationSeconds * float64(time.Second))
	return nil
}

func metaOf(m *manifest.Manifest, root, path string, d time.Duration) SnapshotMeta {
	meta := SnapshotMeta{
		FormatVersion:   m.FormatVersion,
		SnapshotVersion: m.SnapshotVersion,
		Tables:          len(m.Tables),
		Rows:            m.TotalRows(),
		Bytes:           m.TotalBytes(),
		RootHash:        root,
		Path:            path,
		Duration:        d,
	}
	if lsn, ok := walLSNOf(m); ok {
		meta.WALLSN = &lsn
	}
	return meta
}

// WALLSNKey is the manifest source field that holds the WAL position a
// snapshot was exported at, in PostgreSQL's text form ("16/B374D848").
const WALLSNKey = "wal_lsn"

// walLSNOf reads the manifest's source.wal_lsn; a missing or malformed
// value is no position.
func walLSNOf(m *manifest.Manifest) (uint64, bool) {
	raw, ok := m.Source.Extra[WALLSNKey]
	if !ok {
		return 0, false
	}
	var text string
	if json.Unmarshal(raw, &text) != nil {
		return 0, false
	}
	return ParseLSN(text)
}

// ParseLSN reads a PostgreSQL LSN ("16/B374D848": two hexadecimal
// numbers of at most 32 bits) as X<<32 | Y.
func ParseLSN(s string) (uint64, bool) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok || hi == "" || lo == "" || len(hi) > 8 || len(lo) > 8 {
		return 0, false
	}
	h, err1 := strconv.ParseUint(hi, 16, 32)
	l, err2 := strconv.ParseUint(lo, 16, 32)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return h<<32 | l, true
}

// FormatLSN writes an LSN in PostgreSQL's text form.
func FormatLSN(lsn uint64) string {
	return strconv.FormatUint(lsn>>32, 16) + "/" + strconv.FormatUint(lsn&0xffffffff, 16)
}
