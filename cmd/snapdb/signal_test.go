package main

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run the CLI in a child process (the test binary
// itself, with SNAPDB_TEST_RUN_MAIN=1), to send it signals.
func TestMain(m *testing.M) {
	if os.Getenv("SNAPDB_TEST_RUN_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestExportSignalLeavesNothing: SIGINT or SIGTERM during an export stops
// it with a failure status and leaves nothing at the target, no temporary
// directory beside it.
func TestExportSignalLeavesNothing(t *testing.T) {
	src := filepath.Join(t.TempDir(), "big.db")
	db, err := sql.Open("sqlite", src)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL)`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000)
		 INSERT INTO t SELECT i, printf('gene %d %x', i, i * 7919), i / 3.0 FROM n`,
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			parent := t.TempDir()
			out := filepath.Join(parent, "snap")
			cmd := exec.Command(os.Args[0], "export", "--from", "sqlite://"+src, "--output", out, "--chunksize", "1000")
			cmd.Env = append(os.Environ(), "SNAPDB_TEST_RUN_MAIN=1")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait until the export is writing (its staging directory
			// exists), then signal it.
			deadline := time.Now().Add(30 * time.Second)
			for !staging(t, parent) {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatal("the export never started writing")
				}
				time.Sleep(5 * time.Millisecond)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			if err == nil {
				t.Fatalf("export exited 0 after %s (did it finish first?)", sig)
			}
			if code := cmd.ProcessState.ExitCode(); code < 1 {
				t.Fatalf("export after %s: %v (exit %d), want a failure status of its own", sig, err, code)
			}
			entries, _ := os.ReadDir(parent)
			if len(entries) != 0 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Fatalf("after %s the target's directory holds %v, want nothing\nstderr: %s", sig, names, stderr.String())
			}
		})
	}
}

// staging reports whether a writer's temporary directory exists in dir.
func staging(t *testing.T, dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".snapdb-tmp-") {
			return true
		}
	}
	return false
}
