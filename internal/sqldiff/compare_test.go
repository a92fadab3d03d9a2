package sqldiff

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/snapdb/snapdb/snapshot"
)

// fakeEngine answers SELECT * FROM <table> with ReadTable, panics on
// PANIC, and refuses everything else: enough to test Compare before the
// engine exists.
type fakeEngine struct{ db *snapshot.DB }

func (f fakeEngine) Query(ctx context.Context, sql string, args ...any) (array.RecordReader, error) {
	if sql == "PANIC" {
		panic("boom")
	}
	if name, ok := strings.CutPrefix(sql, "SELECT * FROM "); ok {
		return f.db.ReadTable(ctx, name, nil, 16)
	}
	return nil, errors.New("unsupported")
}

func TestCompareWithFakeEngine(t *testing.T) {
	py := needPython(t)
	_, path, files := fixture(t)
	db, err := snapshot.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := AsQuerier(db); err != nil && !errors.Is(err, ErrNoQuery) {
		t.Errorf("AsQuerier: %v", err)
	}
	same := func(sql string) Query { return Query{SQL: sql, DuckSQL: sql} }
	qs := []Query{
		same("SELECT * FROM allt"),
		same("SELECT * FROM left_t"),
		same("SELECT * FROM empty_t"),
		same("SELECT * FROM uns"),
		{SQL: "SELECT nosuch FROM allt", DuckSQL: "SELECT nosuch FROM allt", ExpectError: true},
		same("SELECT COUNT(*) FROM allt"),                                                     // we fail
		{SQL: "SELECT * FROM right_t", DuckSQL: "SELECT * FROM left_t"},                       // different rows
		{SQL: "SELECT * FROM allt", DuckSQL: "SELECT * FROM allt ORDER BY id", Ordered: true}, // stored shuffled
		{SQL: "PANIC", DuckSQL: "SELECT 1"},
		{SQL: "SELECT * FROM allt", DuckSQL: "SELECT * FROM allt", ExpectError: true}, // we accept
		{SQL: "SELECT * FROM left_t", DuckSQL: "SELECT * FROM left_t LIMIT 60", CountOnly: true},
		{SQL: "nonsense", DuckSQL: "nonsense"}, // both fail
	}
	for i := range qs {
		qs[i].Name, qs[i].Kind = "t"+string(rune('a'+i)), "test"
	}
	duck, err := RunDuckDB(context.Background(), py, files, qs)
	if err != nil {
		t.Fatal(err)
	}
	rep := Compare(context.Background(), fakeEngine{db}, qs, duck.Results, 10*time.Second)
	var got []string
	for _, m := range rep.Mismatches {
		got = append(got, m.Query.Name)
		if m.Query.Name == "ti" && !strings.Contains(m.Why, "panic: boom") {
			t.Errorf("the panic is reported as %q", m.Why)
		}
		t.Log(m.Short())
	}
	if want := "tf tg th ti tj"; strings.Join(got, " ") != want {
		t.Errorf("mismatches %q, want %q", got, want)
	}
	if len(rep.BothFailed) != 1 {
		t.Errorf("%d queries fail on both, want 1", len(rep.BothFailed))
	}
	t.Log(rep.Summary())
}
