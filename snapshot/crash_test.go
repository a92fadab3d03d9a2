package snapshot_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
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

	"github.com/snapdb/snapdb/internal/benchdata"
	"github.com/snapdb/snapdb/snapshot"
)

// The crash tests re-run this test binary as a child (TestCrashChild) that
// performs one operation — create, save, pack or restore — and kill it
// with SIGKILL at a random moment, then check what is left at the target
// and at the source.
const (
	crashOpEnv     = "SNAPDB_CRASH_OP"
	crashSrcEnv    = "SNAPDB_CRASH_SRC"
	crashTargetEnv = "SNAPDB_CRASH_TARGET"
)

// crashIterations is 60 per operation by default; SNAPDB_CRASH_ITERATIONS
// asks for more (the long, opt-in mode).
func crashIterations() int {
	if n, err := strconv.Atoi(os.Getenv("SNAPDB_CRASH_ITERATIONS")); err == nil && n > 0 {
		return n
	}
	return 60
}

func TestCrashChild(t *testing.T) {
	op := os.Getenv(crashOpEnv)
	if op == "" {
		t.Skip("only runs as the child of the crash tests")
	}
	src, target := os.Getenv(crashSrcEnv), os.Getenv(crashTargetEnv)
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var err error
	switch op {
	case "create":
		fmt.Println("ready")
		err = crashCreate(t, target)
	case "save":
		db, oerr := snapshot.Open(src, nil)
		if oerr != nil {
			fail(oerr)
		}
		fmt.Println("ready")
		_, err = db.Save(target, &snapshot.SaveOptions{Overwrite: true})
	case "pack":
		fmt.Println("ready")
		_, err = snapshot.Pack(src, target, &snapshot.SaveOptions{Overwrite: true})
	case "restore":
		fmt.Println("ready")
		var db *snapshot.DB
		db, err = snapshot.Restore(context.Background(), src, &snapshot.RestoreOptions{NewRoot: target, Overwrite: true})
		if err == nil {
			db.Close()
		}
	default:
		err = fmt.Errorf("unknown crash op %q", op)
	}
	if err != nil {
		fail(err)
	}
}

func crashCreate(t *testing.T, target string) error {
	w, err := snapshot.Create(target, &snapshot.CreateOptions{Overwrite: true, RowGroupRows: 4096})
	if err != nil {
		return err
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
			return err
		}
		rr.Release()
		release(recs)
	}
	_, err = w.Commit()
	return err
}

// runCrashChild runs the child and kills it killAfter after it said it is
// ready (never, if killAfter < 0). It returns whether the child completed
// and how long it ran after ready.
func runCrashChild(t *testing.T, op, src, target string, killAfter time.Duration) (bool, time.Duration) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashOpEnv+"="+op, crashSrcEnv+"="+src, crashTargetEnv+"="+target)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		signalled := false
		for sc.Scan() {
			if sc.Text() == "ready" && !signalled {
				close(ready)
				signalled = true
			}
		}
		if !signalled {
			close(ready)
		}
		io.Copy(io.Discard, out)
	}()
	<-ready
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if killAfter >= 0 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%s child failed before the kill: %v\n%s", op, err, stderr.String())
			}
			return true, time.Since(start)
		case <-time.After(killAfter):
			cmd.Process.Signal(syscall.SIGKILL)
		}
	}
	err = <-done
	if killAfter < 0 && err != nil {
		t.Fatalf("%s child failed: %v\n%s", op, err, stderr.String())
	}
	return err == nil, time.Since(start)
}

// crashLoop kills the op's child at random moments, crashIterations()
// times, and after each kill checks the target: absent (only if nothing
// was ever committed there) or a complete snapshot that verifies, with
// root hash wantRoot if given.
func crashLoop(t *testing.T, op, src, target, wantRoot string) {
	if testing.Short() {
		t.Skip("crash loop skipped in -short mode")
	}
	// Calibrate on a complete run into a scratch target.
	scratch := target + ".calibration"
	if filepath.Ext(target) == ".snap" {
		scratch = strings.TrimSuffix(target, ".snap") + "-calibration.snap"
	}
	_, full := runCrashChild(t, op, src, scratch, -1)
	os.RemoveAll(scratch)

	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	committed := false
	kills, completions := 0, 0
	for i := range crashIterations() {
		killAfter := time.Duration(r.Int64N(int64(full)*12/10 + 1))
		if ok, _ := runCrashChild(t, op, src, target, killAfter); ok {
			completions++
		} else {
			kills++
		}
		db, err := snapshot.Open(target, &snapshot.Options{VerifyOnOpen: true})
		switch {
		case err != nil && !committed && errors.Is(err, snapshot.ErrNotSnapshot):
			if _, serr := os.Stat(target); !os.IsNotExist(serr) {
				t.Fatalf("%s iteration %d (kill after %v): target exists but is not a snapshot: %v", op, i, killAfter, err)
			}
		case err != nil:
			t.Fatalf("%s iteration %d (kill after %v): target is neither absent nor a complete snapshot: %v", op, i, killAfter, err)
		default:
			if wantRoot != "" && db.RootHash() != wantRoot {
				t.Fatalf("%s iteration %d: target root hash %s, want the source's %s", op, i, db.RootHash(), wantRoot)
			}
			committed = true
			db.Close()
		}
	}
	t.Logf("%s: %d iterations, %d killed, %d completed; the operation takes %v", op, crashIterations(), kills, completions, full)
	if kills == 0 {
		t.Errorf("%s: no child was killed mid-operation: the test tested nothing", op)
	}
	// The next complete run removes what the killed ones left behind.
	runCrashChild(t, op, src, target, -1)
	assertNoTempSiblings(t, target)
}

func TestCrashAtomicityCreate(t *testing.T) {
	crashLoop(t, "create", "", filepath.Join(t.TempDir(), "snap"), "")
}

// crashSource writes the source of the save, pack and restore crash tests:
// large enough (about 70 MB) that a kill lands inside the copy.
func crashSource(t *testing.T) (dir, file, root string) {
	t.Helper()
	if testing.Short() {
		t.Skip("crash loop skipped in -short mode")
	}
	dir = filepath.Join(t.TempDir(), "src")
	w, err := snapshot.Create(dir, &snapshot.CreateOptions{Compression: "none"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		rr := benchdata.Genes(memory.DefaultAllocator, 350_000, 0, uint64(i))
		if err := w.WriteTable(context.Background(), fmt.Sprint("genes", i), rr); err != nil {
			t.Fatal(err)
		}
		rr.Release()
	}
	meta, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(t.TempDir(), "src.snap")
	if _, err := snapshot.Pack(dir, file, nil); err != nil {
		t.Fatal(err)
	}
	return dir, file, meta.RootHash
}

func assertSourceIntact(t *testing.T, src, root string) {
	t.Helper()
	rep, err := snapshot.VerifyPath(context.Background(), src, nil)
	if err != nil || rep.RootHash != root {
		t.Errorf("source %s after the crash loop: root %s (want %s), %v", src, rep.RootHash, root, err)
	}
}

func TestCrashAtomicitySavePackRestore(t *testing.T) {
	dir, file, root := crashSource(t)
	base := t.TempDir()
	t.Run("save", func(t *testing.T) {
		crashLoop(t, "save", dir, filepath.Join(base, "saved"), root)
		assertSourceIntact(t, dir, root)
	})
	t.Run("pack", func(t *testing.T) {
		crashLoop(t, "pack", dir, filepath.Join(base, "packed.snap"), root)
		assertSourceIntact(t, dir, root)
	})
	t.Run("restore", func(t *testing.T) {
		crashLoop(t, "restore", file, filepath.Join(base, "restored"), root)
		assertSourceIntact(t, file, root)
	})
}
