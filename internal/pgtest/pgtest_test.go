package pgtest_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/snapdb/snapdb/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestClusterAnswers(t *testing.T) {
	c := pgtest.Need(t)
	ctx := context.Background()
	dsn := c.NewDB(t)
	for _, d := range []string{dsn, c.SocketDSN("postgres")} {
		conn, err := pgx.Connect(ctx, d)
		if err != nil {
			t.Fatalf("connect %s: %v", d, err)
		}
		var got int
		if err := conn.QueryRow(ctx, "SELECT 40 + 2").Scan(&got); err != nil {
			t.Fatal(err)
		}
		conn.Close(ctx)
		if want := 42; got != want {
			t.Errorf("SELECT 40 + 2 = %d, want %d", got, want)
		}
	}
}

func TestStopRemovesEverything(t *testing.T) {
	c := pgtest.New(t)
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.Root); !os.IsNotExist(err) {
		t.Errorf("after Stop, %s: %v, want it gone", c.Root, err)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop = %v, want nil", err)
	}
}

func TestMissingBinariesSayWhatToDo(t *testing.T) {
	t.Setenv("SNAPDB_PG_BIN", t.TempDir())
	_, err := pgtest.Start(nil)
	if err == nil || !strings.Contains(err.Error(), "SNAPDB_PG_BIN") {
		t.Errorf("Start with SNAPDB_PG_BIN pointing at nothing = %v, want an error naming it", err)
	}
}
