package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snapdb/snapdb/snapshot"
)

func TestPackUnpackRestoreSave(t *testing.T) {
	dir, _ := makeDemo(t)
	root := openDB(t, dir).RootHash()
	base := t.TempDir()
	file := filepath.Join(base, "demo.snap")

	var meta snapshot.SnapshotMeta
	code, out, errOut := cli(t, "pack", dir, file, "--json")
	if code != 0 {
		t.Fatalf("pack: exit %d: %s", code, errOut)
	}
	decodeJSON(t, "pack", out, &meta)
	if meta.RootHash != root || meta.Path != file {
		t.Errorf("pack --json = %+v, want root %s at %s", meta, root, file)
	}
	if code, out, _ := cli(t, "info", file); code != 0 || !strings.Contains(out, "container") || !strings.Contains(out, root) {
		t.Errorf("info of the container: exit %d\n%s", code, out)
	}
	if code, out, _ := cli(t, "verify", file); code != 0 || !strings.HasPrefix(out, "OK") {
		t.Errorf("verify of the container: exit %d\n%s", code, out)
	}

	back := filepath.Join(base, "back")
	if code, out, _ := cli(t, "unpack", file, back, "--json"); code != 0 {
		t.Fatalf("unpack: exit %d", code)
	} else if decodeJSON(t, "unpack", out, &meta); meta.RootHash != root {
		t.Errorf("unpack root hash %s, want %s", meta.RootHash, root)
	}
	if code, _, errOut := cli(t, "unpack", file, back); code != 2 || !strings.Contains(errOut, "exists") {
		t.Errorf("unpack over an existing snapshot: exit %d, %s", code, errOut)
	}

	if code, _, errOut := cli(t, "restore", file); code != 1 || !strings.Contains(errOut, "--new-root") {
		t.Errorf("restore without --new-root: exit %d, %s", code, errOut)
	}
	local := filepath.Join(base, "local", "snap")
	if code, out, errOut := cli(t, "restore", file, "--new-root", local, "--remove-source", "--json"); code != 0 {
		t.Fatalf("restore: exit %d: %s", code, errOut)
	} else if decodeJSON(t, "restore", out, &meta); meta.RootHash != root || meta.Path != local {
		t.Errorf("restore --json = %+v", meta)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("--remove-source left %s", file)
	}

	sub := filepath.Join(base, "sub.snap")
	if code, _, errOut := cli(t, "save", local, sub, "--tables", "genes,diseases"); code != 0 {
		t.Fatalf("save --tables: exit %d: %s", code, errOut)
	}
	if got := strings.Join(openDB(t, sub).Tables(), ","); got != "diseases,genes" {
		t.Errorf("saved subset has tables %s", got)
	}
	if code, _, errOut := cli(t, "save", local, filepath.Join(base, "x"), "--tables", "nope"); code != 2 || !strings.Contains(errOut, "genes") {
		t.Errorf("save of an unknown table: exit %d, %s (want the tables listed)", code, errOut)
	}
}
