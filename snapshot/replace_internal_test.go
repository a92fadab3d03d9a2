package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/zeebo/blake3"

	"github.com/snapdb/snapdb/internal/benchdata"
	"github.com/snapdb/snapdb/manifest"
)

func TestReplaceNLP(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "s")
	w, err := Create(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	rr := benchdata.Genes(memory.DefaultAllocator, 5000, 0, 1)
	if err := w.WriteTable(context.Background(), "genes", rr); err != nil {
		t.Fatal(err)
	}
	rr.Release()
	before, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(base, "s.snap")
	if _, err := Pack(dir, file, nil); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{dir, file} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			old, err := Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			reader, err := old.ReadTable(context.Background(), "genes", nil, 100)
			if err != nil {
				t.Fatal(err)
			}
			defer reader.Release()
			content := []byte("a new automaton for " + path)
			sha, b3 := sha256.Sum256(content), blake3.Sum256(content)
			om := old.Manifest()
			tbl, _ := om.Table("genes")
			nlpm := &manifest.NLP{SourceTable: "genes", SourceBLAKE3: tbl.BLAKE3, Files: []manifest.File{{
				Path: "nlp/automaton.bin", Bytes: int64(len(content)),
				SHA256: hex.EncodeToString(sha[:]), BLAKE3: hex.EncodeToString(b3[:])}}}
			meta, err := replaceNLP(path, nlpm, map[string]*io.SectionReader{
				"nlp/automaton.bin": io.NewSectionReader(bytes.NewReader(content), 0, int64(len(content)))})
			if err != nil {
				t.Fatal(err)
			}
			if meta.RootHash == before.RootHash {
				t.Error("attaching NLP files kept the root hash")
			}
			// The old snapshot's reader goes on undisturbed.
			var n int64
			for reader.Next() {
				n += reader.RecordBatch().NumRows()
			}
			if reader.Err() != nil || n != 5000 {
				t.Errorf("old reader across the replace: %d rows, %v", n, reader.Err())
			}
			old.Close()

			db, err := Open(path, &Options{VerifyOnOpen: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if db.RootHash() != meta.RootHash || db.Info().NLP == nil {
				t.Errorf("after replaceNLP: root %s (want %s), NLP %+v", db.RootHash(), meta.RootHash, db.Info().NLP)
			}
			s, _ := db.acquire("test")
			got, _ := io.ReadAll(io.NewSectionReader(s.nlp["nlp/automaton.bin"], 0, 1<<20))
			s.release()
			if string(got) != string(content) {
				t.Errorf("NLP file = %q, want %q", got, content)
			}
			entries, _ := os.ReadDir(base)
			for _, e := range entries {
				if bytes.Contains([]byte(e.Name()), []byte(".snapdb-tmp-")) {
					t.Errorf("leftover %s", e.Name())
				}
			}
		})
	}
}
