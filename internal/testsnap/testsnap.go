// Package testsnap writes the demo dataset as a snapshot for tests of the
// packages above snapshot (capi, ffi): once per test binary, with its NLP
// automaton stored.
package testsnap

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/snapdb/snapdb/internal/demo"
	"github.com/snapdb/snapdb/snapshot"
)

// Scale is the demo dataset's scale: about 13,000 rows over six tables.
const Scale = 0.02

var (
	once sync.Once
	dir  string
	err  error
)

// Demo returns the path of the demo snapshot at Scale, with nlp/ built,
// writing it on first use. Call Cleanup from TestMain to remove it.
func Demo(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		var tmp string
		if tmp, err = os.MkdirTemp("", "snapdb-testsnap-"); err != nil {
			return
		}
		dir = filepath.Join(tmp, "demo")
		err = write(dir)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func write(path string) error {
	w, err := snapshot.Create(path, nil)
	if err != nil {
		return err
	}
	for _, tbl := range demo.Tables(&demo.Options{Scale: Scale}) {
		rr := tbl.Open()
		err := w.WriteTable(context.Background(), tbl.Name, rr)
		rr.Release()
		if err != nil {
			w.Abort()
			return err
		}
	}
	if _, err := w.Commit(); err != nil {
		return err
	}
	_, err = snapshot.BuildNLP(context.Background(), path, nil)
	return err
}

// Cleanup removes the snapshot Demo wrote, if any.
func Cleanup() {
	if dir != "" {
		os.RemoveAll(filepath.Dir(dir))
	}
}
