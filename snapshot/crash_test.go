package snapshot_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/snapdb/snapdb/snapshot"
)

// The crash test re-runs this test binary as a child that writes a
// snapshot (TestCrashChild), kills it with SIGKILL at a random moment, and
// checks what is left at the target.
const crashTargetEnv = "SNAPDB_CRASH_TARGET"

// crashIterations is 60 by default; SNAPDB_CRASH_ITERATIONS asks for more
// (the long, opt-in mode).
func crashIterations() int {
	if n, err := strconv.Atoi(os.Getenv("SNAPDB_CRASH_ITERATIONS")); err == nil && n > 0 {
		return n
	}
	return 60
}

func TestCrashChild(t *testing.T) {
	target := os.Getenv(crashTargetEnv)
	if target == "" {
		t.Skip("only runs as the child of TestCrashAtomicity")
	}
	w, err := snapshot.Create(target, &snapshot.CreateOptions{Overwrite: true, RowGroupRows: 4096})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	for i := range 4 {
		recs := makeRecords(t, memory.DefaultAllocator, sc, 20000, 4096, uint64(i))
		rr, _ := array.NewRecordReader(sc, recs)
		if err := w.WriteTable(context.Background(), fmt.Sprintf("t%d", i), rr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		rr.Release()
		release(recs)
	}
	if _, err := w.Commit(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

func runCrashChild(t *testing.T, target string, killAfter time.Duration) (completed bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashTargetEnv+"="+target)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if killAfter < 0 {
		if err := <-done; err != nil {
			t.Fatalf("child failed: %v\n%s", err, stderr.String())
		}
		return true
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("child failed before the kill: %v\n%s", err, stderr.String())
		}
		return true
	case <-time.After(killAfter):
		cmd.Process.Signal(syscall.SIGKILL)
		err := <-done
		return err == nil
	}
}

func TestCrashAtomicity(t *testing.T) {
	if testing.Short() {
		t.Skip("crash loop skipped in -short mode")
	}
	base := t.TempDir()
	target := filepath.Join(base, "snap")

	// Calibrate: how long does a whole child run take?
	start := time.Now()
	runCrashChild(t, filepath.Join(base, "calibration"), -1)
	full := time.Since(start)
	os.RemoveAll(filepath.Join(base, "calibration"))

	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var prevRoot string // "" while nothing was ever committed at target
	kills, completions := 0, 0
	for i := range crashIterations() {
		killAfter := time.Duration(r.Int64N(int64(full) * 12 / 10))
		if runCrashChild(t, target, killAfter) {
			completions++
		} else {
			kills++
		}
		db, err := snapshot.Open(target, &snapshot.Options{VerifyOnOpen: true})
		switch {
		case err != nil && prevRoot == "" && errors.Is(err, snapshot.ErrNotSnapshot):
			if _, serr := os.Stat(target); !os.IsNotExist(serr) {
				t.Fatalf("iteration %d (kill after %v): target exists but is not a snapshot: %v", i, killAfter, err)
			}
		case err != nil:
			t.Fatalf("iteration %d (kill after %v): target is neither absent nor a complete snapshot: %v", i, killAfter, err)
		default:
			if got := db.Tables(); len(got) != 4 {
				t.Fatalf("iteration %d: committed snapshot has tables %v", i, got)
			}
			prevRoot = db.RootHash()
			db.Close()
		}
	}
	t.Logf("%d iterations: %d killed, %d completed; a full write takes %v", crashIterations(), kills, completions, full)
	if kills == 0 {
		t.Error("no child was killed mid-write: the test did not test anything")
	}

	// The next writer removes what killed writers left behind.
	w, err := snapshot.Create(target, &snapshot.CreateOptions{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	w.Abort()
	assertNoTempSiblings(t, target)
}
