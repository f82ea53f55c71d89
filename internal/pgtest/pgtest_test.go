package pgtest

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func queryInt(t *testing.T, pool *pgxpool.Pool, sql string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(t.Context(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func currentDatabase(t *testing.T, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) string {
	t.Helper()
	var name string
	if err := q.QueryRow(t.Context(), "SELECT current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestNewDB_Migrated(t *testing.T) {
	t.Parallel()
	pool := NewDB(t)
	for _, table := range []string{"orgs", "users", "deals", "river_job"} {
		if got := queryInt(t, pool, "SELECT count(*) FROM "+table); got != 0 {
			t.Errorf("%s has %d rows, want 0", table, got)
		}
	}
}

func TestNewDB_Isolated(t *testing.T) {
	t.Parallel()
	a, b := NewDB(t), NewDB(t)
	if currentDatabase(t, a) == currentDatabase(t, b) {
		t.Fatalf("both pools are on database %s", currentDatabase(t, a))
	}
	if _, err := a.Exec(t.Context(), "CREATE TABLE only_in_a (id int)"); err != nil {
		t.Fatal(err)
	}
	if got := queryInt(t, a, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'"); got != 1 {
		t.Errorf("table in a: count = %d, want 1", got)
	}
	if got := queryInt(t, b, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'"); got != 0 {
		t.Errorf("table of a seen in b: count = %d, want 0", got)
	}
}

func TestNewDBURL(t *testing.T) {
	t.Parallel()
	pool, connString := NewDBURL(t)
	conn, err := pgx.Connect(t.Context(), connString)
	if err != nil {
		t.Fatalf("connect to %q: %v", connString, err)
	}
	defer conn.Close(t.Context())
	if got, want := currentDatabase(t, conn), currentDatabase(t, pool); got != want {
		t.Errorf("connection string leads to %s, pool to %s", got, want)
	}
}

func TestNewDB_DroppedAtTestEnd(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("user", func(t *testing.T) {
		name = currentDatabase(t, NewDB(t))
	})
	s, err := proc.get()
	if err != nil {
		t.Fatal(err)
	}
	var exists bool
	err = s.admin.QueryRow(t.Context(), "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists)
	if err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("database %s still exists after its test ended", name)
	}
}

// TestNewDB_Time logs how long a test waits for its own database.
func TestNewDB_Time(t *testing.T) {
	NewDB(t) // the first call also starts the cluster
	var took []time.Duration
	for range 9 {
		t.Run("db", func(t *testing.T) {
			began := time.Now()
			pool := NewDB(t)
			if err := pool.Ping(t.Context()); err != nil {
				t.Fatal(err)
			}
			took = append(took, time.Since(began))
		})
	}
	slices.Sort(took)
	t.Logf("NewDB and first connection: median %v, min %v, max %v", took[len(took)/2], took[0], took[len(took)-1])
}

// BenchmarkNewDB measures creating a test database and connecting to it;
// dropping it is left out of the timing.
func BenchmarkNewDB(b *testing.B) {
	s, err := proc.get()
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	for b.Loop() {
		name, err := s.clone(ctx)
		if err != nil {
			b.Fatal(err)
		}
		pool, err := newPool(ctx, s.cluster.ConnString(name), maxConns)
		if err != nil {
			b.Fatal(err)
		}
		if err := pool.Ping(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		pool.Close()
		if err := s.drop(name); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
