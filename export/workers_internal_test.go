package export

import (
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestEncodeWorkers(t *testing.T) {
	for _, c := range []struct {
		local          bool
		readers, procs int
		want           int
	}{
		{true, 1, 2, 1},
		{true, 2, 2, 1},
		{true, 1, 8, 7},
		{true, 3, 8, 5},
		{false, 1, 2, 2},
		{false, 4, 8, 8},
	} {
		if got := encodeWorkers(c.local, c.readers, c.procs); got != c.want {
			t.Errorf("encodeWorkers(%v, %d, %d) = %d, want %d", c.local, c.readers, c.procs, got, c.want)
		}
	}
}

func TestPGSourceLocal(t *testing.T) {
	for _, c := range []struct {
		dsn  string
		want bool
	}{
		{"postgresql:///db?host=/run/postgresql", true},
		{"postgres://u@localhost/db", true},
		{"postgres://u@127.0.0.1:5433/db", true},
		{"postgres://u@[::1]/db", true},
		{"postgres://u@db.example.com/db", false},
		{"postgres://u@10.0.0.5/db", false},
	} {
		cfg, err := pgx.ParseConfig(c.dsn)
		if err != nil {
			t.Fatalf("ParseConfig(%q): %v", c.dsn, err)
		}
		if got := (&pgSource{cfg: cfg}).local(); got != c.want {
			t.Errorf("local() for %q = %v, want %v", c.dsn, got, c.want)
		}
	}
}
