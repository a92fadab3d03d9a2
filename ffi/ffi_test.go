package main

// These tests drive libsnap.so from outside, as C programs do: they build
// it (or use $SNAPDB_LIBRARY, with cgo's header beside it), check that
// include/snap.h and the exports agree, then compile and run the C test
// program and the C example against it. cgo is not allowed in _test.go
// files, and would test nothing of the ABI anyway.

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"

	"github.com/snapdb/snapdb/capi"
	"github.com/snapdb/snapdb/internal/testsnap"
	"github.com/snapdb/snapdb/snapshot"
)

var (
	libOnce sync.Once
	libDir  string // holds libsnap.so and cgo's libsnap.h
	libErr  error
	libOut  []byte
)

// library returns the directory of a built libsnap.so.
func library(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no C compiler (cc) on this machine")
	}
	libOnce.Do(func() {
		if p := os.Getenv("SNAPDB_LIBRARY"); p != "" {
			libDir = filepath.Dir(p)
			if _, libErr = os.Stat(filepath.Join(libDir, "libsnap.h")); libErr == nil {
				return
			}
			// No cgo header beside it: build our own.
		}
		libDir, libErr = os.MkdirTemp("", "libsnap-")
		if libErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", filepath.Join(libDir, "libsnap.so"), ".")
		libOut, libErr = cmd.CombinedOutput()
	})
	if libErr != nil {
		t.Fatalf("building libsnap.so: %v\n%s", libErr, libOut)
	}
	return libDir
}

func demoSnapshot(t *testing.T) string { return testsnap.Demo(t) }

func TestMain(m *testing.M) {
	code := m.Run()
	testsnap.Cleanup()
	if libDir != "" && os.Getenv("SNAPDB_LIBRARY") == "" {
		os.RemoveAll(libDir)
	}
	os.Exit(code)
}

var (
	protoRE   = regexp.MustCompile(`(?s)([A-Za-z_][A-Za-z0-9_ \*]*?)\b(snap_[a-z_]+)\s*\(([^;{]*?)\)\s*;`)
	commentRE = regexp.MustCompile(`(?s)/\*.*?\*/|//[^\n]*`)
	paramRE   = regexp.MustCompile(`^(.*?[\*\s])([A-Za-z_][A-Za-z0-9_]*)$`)
)

// prototypes parses the function declarations named snap_* in a C
// header into name → normalised signature: const dropped (cgo's header
// has none), parameter names dropped, no spaces.
func prototypes(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src := commentRE.ReplaceAllString(string(b), "")
	out := map[string]string{}
	norm := func(s string) string {
		s = regexp.MustCompile(`\bconst\b|\bextern\b`).ReplaceAllString(s, "")
		return strings.Join(strings.Fields(s), "")
	}
	for _, m := range protoRE.FindAllStringSubmatch(src, -1) {
		ret, name, params := m[1], m[2], strings.TrimSpace(m[3])
		if strings.Contains(ret, "#define") || strings.Contains(ret, "typedef") {
			continue
		}
		var ps []string
		for _, p := range strings.Split(params, ",") {
			p = strings.TrimSpace(p)
			if p != "void" && p != "" {
				if pm := paramRE.FindStringSubmatch(p); pm != nil && len(strings.Fields(strings.ReplaceAll(p, "*", " * "))) > 1 {
					p = pm[1]
				}
			}
			ps = append(ps, norm(p))
		}
		out[name] = norm(ret) + "(" + strings.Join(ps, ",") + ")"
	}
	return out
}

// TestHeaderMatchesExports fails when include/snap.h and the library
// disagree: a function declared but not exported or the reverse, or a
// prototype whose types differ from what the Go code exports.
func TestHeaderMatchesExports(t *testing.T) {
	dir := library(t)
	public := prototypes(t, filepath.Join("..", "include", "snap.h"))
	generated := prototypes(t, filepath.Join(dir, "libsnap.h"))
	if len(public) < 15 {
		t.Fatalf("parsed only %d prototypes from snap.h: %v", len(public), public)
	}
	if diff := cmp.Diff(public, generated); diff != "" {
		t.Errorf("snap.h (-) and the exported functions (+) disagree:\n%s", diff)
	}

	// The dynamic symbols: every snap_* the library defines is declared.
	out, err := exec.Command("nm", "-D", "--defined-only", filepath.Join(dir, "libsnap.so")).Output()
	if err != nil {
		t.Skipf("nm: %v", err)
	}
	var syms []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[1] == "T" && strings.HasPrefix(f[2], "snap_") {
			syms = append(syms, f[2])
		}
	}
	var declared []string
	for name := range public {
		declared = append(declared, name)
	}
	sort.Strings(syms)
	sort.Strings(declared)
	if diff := cmp.Diff(declared, syms); diff != "" {
		t.Errorf("snap.h declarations (-) and libsnap.so's snap_* symbols (+) disagree:\n%s", diff)
	}
}

// compile builds a C program against include/snap.h and the library.
func compile(t *testing.T, out string, src ...string) {
	t.Helper()
	dir := library(t)
	args := append([]string{"-std=c11", "-Wall", "-Wextra", "-Werror", "-I" + filepath.Join("..", "include"), "-o", out}, src...)
	args = append(args, "-L"+dir, "-lsnap", "-Wl,-rpath,"+dir)
	if b, err := exec.Command("cc", args...).CombinedOutput(); err != nil {
		t.Fatalf("cc %s: %v\n%s", strings.Join(args, " "), err, b)
	}
}

// TestCErrorPaths runs bindings/c/tests/test_errors.c: NULL arguments,
// handle 0, unknown and closed handles, bad SQL and parameters.
func TestCErrorPaths(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "test_errors")
	compile(t, bin, filepath.Join("..", "bindings", "c", "tests", "test_errors.c"))
	out, err := exec.Command(bin, demoSnapshot(t), t.TempDir()).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("test_errors: %v", err)
	}
	if !strings.Contains(string(out), "all checks passed") || strings.Contains(string(out), "FAIL") {
		t.Errorf("test_errors did not pass every check")
	}
}

// TestCPanicContained runs bindings/c/tests/test_panic.c: a panic is an
// error, not a crash, and the library refuses later calls.
func TestCPanicContained(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "test_panic")
	compile(t, bin, filepath.Join("..", "bindings", "c", "tests", "test_panic.c"))
	out, err := exec.Command(bin, demoSnapshot(t)).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("test_panic: %v", err)
	}
	if !strings.Contains(string(out), "all checks passed") {
		t.Errorf("test_panic did not pass every check")
	}
}

// TestCExample compiles examples/c/example.c and checks that the sum it
// computes by walking the Arrow stream is the one SQL computes.
func TestCExample(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "example")
	compile(t, bin, filepath.Join("..", "examples", "c", "example.c"))
	target := filepath.Join(t.TempDir(), "demo.snap")
	out, err := exec.Command(bin, demoSnapshot(t), target).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("example: %v", err)
	}
	walked := regexp.MustCompile(`chromosome 7: (\d+) genes, \d+ without a score, scores sum to ([0-9.]+)`).FindSubmatch(out)
	sql := regexp.MustCompile(`SQL says: \[\{"genes":(\d+),"total":([0-9.]+)\}\]`).FindSubmatch(out)
	if walked == nil || sql == nil {
		t.Fatalf("unexpected output")
	}
	if string(walked[1]) != string(sql[1]) {
		t.Errorf("the stream gave %s rows, SQL counts %s", walked[1], sql[1])
	}
	ws, _ := strconv.ParseFloat(string(walked[2]), 64)
	ss, _ := strconv.ParseFloat(string(sql[2]), 64)
	if d := ws - ss; d > 0.001 || d < -0.001 || ws == 0 {
		t.Errorf("the stream's sum %v differs from SQL's %v", ws, ss)
	}
	if !strings.Contains(string(out), `"text":"BRCA2"`) {
		t.Errorf("no BRCA2 mention in the example's output")
	}
	db, err := snapshot.Open(target, &snapshot.Options{VerifyOnOpen: true})
	if err != nil {
		t.Fatalf("the saved .snap does not open and verify: %v", err)
	}
	db.Close()
}

// TestUnexportableSchema: a result whose type the Arrow C data interface
// cannot carry is an error of the call (ErrUnsupported), found by the dry
// run of its schema, not a panic in get_schema; the library stays usable.
func TestUnexportableSchema(t *testing.T) {
	good := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	if err := checkSchema(good); err != nil {
		t.Errorf("checkSchema(%s) = %v, want nil", good, err)
	}
	bad := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Int64},
		{Name: "t", Type: &arrow.Time32Type{Unit: arrow.Nanosecond}}, // time32 has no nanoseconds
	}, nil)
	err := checkSchema(bad)
	if capi.CodeOf(err) != capi.ErrUnsupported || !strings.Contains(err.Error(), "time32") {
		t.Errorf("checkSchema(%s) = %v (code %v), want ErrUnsupported naming time32", bad, err, capi.CodeOf(err))
	}
	if capi.Poisoned() {
		t.Error("an unexportable schema poisoned the library")
	}
}

// TestLengthsBeyondMaxInt: a size_t length above math.MaxInt is
// ErrInvalidArgument, not a panic in unsafe.String (the C test checks the
// same through the exported functions).
func TestLengthsBeyondMaxInt(t *testing.T) {
	// (Constants: a test file cannot name C.size_t.)
	for _, err := range []error{
		second(text("snap_db_query", "sql_len", nil, 1<<63)),
		second(text("snap_db_query", "sql_len", nil, math.MaxUint64)),
	} {
		if capi.CodeOf(err) != capi.ErrInvalidArgument || !strings.Contains(err.Error(), "sql_len") {
			t.Errorf("text(len above MaxInt) = %v; want ErrInvalidArgument naming sql_len", err)
		}
	}
}

func second[T any](_ T, err error) error { return err }
