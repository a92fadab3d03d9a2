package manifest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/snapdb/snapdb/manifest"
)

// manifest40 is a snapdb manifest of 40 tables of 6 columns each.
func manifest40() []byte {
	var b strings.Builder
	b.WriteString(`{"format":"snapdb","format_version":1,"snapshot_version":"2026-11-01","tables":{`)
	for i := range 40 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"table_%02d":{"file":"table_%02d.parquet","rows":20000,"bytes":123456,"sha256":"%s","blake3":"%s","columns":[`,
			i, i, strings.Repeat("ab", 32), strings.Repeat("cd", 32))
		for j := range 6 {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"name":"col_%d","type":"int64","nullable":true}`, j)
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}

func BenchmarkParse40Tables(b *testing.B) {
	data := manifest40()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := manifest.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRootHash40Tables(b *testing.B) {
	m, err := manifest.Parse(manifest40())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := m.RootHash(); err != nil {
			b.Fatal(err)
		}
	}
}
