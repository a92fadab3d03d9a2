package snapshot

import (
	"encoding/json"
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
	// WALLSN is reserved for snapshots taken at a write-ahead-log
	// position; no producer sets it yet, so it is always nil.
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
	return SnapshotMeta{
		FormatVersion:   m.FormatVersion,
		SnapshotVersion: m.SnapshotVersion,
		Tables:          len(m.Tables),
		Rows:            m.TotalRows(),
		Bytes:           m.TotalBytes(),
		RootHash:        root,
		Path:            path,
		Duration:        d,
	}
}
