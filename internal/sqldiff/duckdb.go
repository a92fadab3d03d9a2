package sqldiff

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

//go:embed duckdb_runner.py
var runnerScript []byte

// InstallHint says how to get a Python with DuckDB for these tests.
const InstallHint = `DuckDB for Python is needed: run scripts/test.sh, or
	. scripts/lib.sh && ensure_venv && export SNAPDB_PYTHON
(a virtualenv with pinned duckdb and pyarrow from PyPI; set SNAPDB_PYTHON to
another Python that can import both to use it instead), or set
SNAPDB_SKIP_DUCKDB=1 to skip the DuckDB tests`

// FindPython returns a Python that imports duckdb and pyarrow: the one
// SNAPDB_PYTHON names, else the virtualenv ensure_venv makes, else
// python3 on PATH.
func FindPython() (string, error) {
	var tried []string
	try := func(py string) bool {
		if py == "" {
			return false
		}
		tried = append(tried, py)
		return exec.Command(py, "-c", "import duckdb, pyarrow").Run() == nil
	}
	if py := os.Getenv("SNAPDB_PYTHON"); py != "" {
		if try(py) {
			return py, nil
		}
		return "", fmt.Errorf("SNAPDB_PYTHON=%s cannot import duckdb and pyarrow\n%s", py, InstallHint)
	}
	venv := os.Getenv("SNAPDB_VENV")
	if venv == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			if home, err := os.UserHomeDir(); err == nil {
				cache = filepath.Join(home, ".cache")
			}
		}
		if cache != "" {
			venv = filepath.Join(cache, "snapdb", "venv")
		}
	}
	if venv != "" && try(filepath.Join(venv, "bin", "python")) {
		return filepath.Join(venv, "bin", "python"), nil
	}
	if py, err := exec.LookPath("python3"); err == nil && try(py) {
		return py, nil
	}
	return "", fmt.Errorf("no Python that imports duckdb and pyarrow (tried %s)\n%s", strings.Join(tried, ", "), InstallHint)
}

// DuckDBRun is the output of one run of the runner.
type DuckDBRun struct {
	Version string   `json:"duckdb"`
	Results []Result `json:"results"`
}

// RunDuckDB runs every query through DuckDB in one Python process, over
// views of the given Parquet files (table name → path), with the queries'
// DuckSQL.
func RunDuckDB(ctx context.Context, python string, tables map[string]string, qs []Query) (*DuckDBRun, error) {
	dir, err := os.MkdirTemp("", "sqldiff-duckdb-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	type q struct {
		Name string `json:"name"`
		SQL  string `json:"sql"`
	}
	in := struct {
		Tables  map[string]string `json:"tables"`
		Queries []q               `json:"queries"`
	}{Tables: tables}
	for _, x := range qs {
		in.Queries = append(in.Queries, q{x.Name, x.DuckSQL})
	}
	data, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	script := filepath.Join(dir, "duckdb_runner.py")
	inPath, outPath := filepath.Join(dir, "in.json"), filepath.Join(dir, "out.json")
	if err := os.WriteFile(script, runnerScript, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(inPath, data, 0o644); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, python, script, inPath, outPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s duckdb_runner.py: %w\n%s", python, err, stderr.String())
	}
	out, err := os.ReadFile(outPath)
	if err != nil {
		return nil, err
	}
	var run DuckDBRun
	if err := json.Unmarshal(out, &run); err != nil {
		return nil, fmt.Errorf("duckdb_runner.py output: %w", err)
	}
	if len(run.Results) != len(qs) {
		return nil, errors.New("duckdb_runner.py: one result per query expected")
	}
	return &run, nil
}
