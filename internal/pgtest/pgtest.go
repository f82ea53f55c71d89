// Package pgtest gives each test its own PostgreSQL database, migrated and
// empty, so database tests can run in parallel without seeing each other.
//
// The first test that asks starts one private cluster for the whole test
// process (see pglocal), migrates a template database, and then every test
// gets a clone of that template, dropped when the test ends. A package that
// uses pgtest stops the cluster after its tests with:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// maxConns bounds each test's pool, so that parallel tests stay well below
// the server's max_connections.
const maxConns = 8

// proc is the cluster shared by the tests of this process, started on first use.
var proc lazyServer

type lazyServer struct {
	once sync.Once
	srv  *server
	err  error
}

func (l *lazyServer) get() (*server, error) {
	l.once.Do(func() { l.srv, l.err = startServer() })
	return l.srv, l.err
}

// NewDB returns a pool on a fresh database cloned from the migrated
// template. The pool is closed and the database dropped when the test ends.
// If the cluster cannot start, the test fails with the reason.
func NewDB(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	pool, _ := NewDBURL(tb)
	return pool
}

// NewDBURL is NewDB that also returns the database's connection string, for
// code under test that opens its own pool.
func NewDBURL(tb testing.TB) (*pgxpool.Pool, string) {
	tb.Helper()
	connString := newDatabase(tb, (*server).clone)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool, err := newPool(ctx, connString, maxConns)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	// Cleanups run last-in first-out: the pool closes before the drop.
	tb.Cleanup(pool.Close)
	return pool, connString
}

// NewEmptyDBURL returns the connection string of a fresh database with no
// tables at all, not even migrated: for restoring a backup into. The
// database is dropped when the test ends.
func NewEmptyDBURL(tb testing.TB) string {
	tb.Helper()
	return newDatabase(tb, (*server).createEmpty)
}

// newDatabase makes a database on the shared cluster with create, drops it
// when the test ends, and returns its connection string.
func newDatabase(tb testing.TB, create func(*server, context.Context) (string, error)) string {
	tb.Helper()
	s, err := proc.get()
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, err := create(s, ctx)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.drop(name); err != nil {
			tb.Errorf("pgtest: %v", err)
		}
	})
	return s.cluster.ConnString(name)
}

// Main runs the tests, then stops the cluster and removes its folder. It
// returns the exit code for os.Exit.
func Main(m *testing.M) int {
	code := m.Run()
	// Mark the cluster as gone so a straggler cannot start a new one.
	proc.once.Do(func() { proc.err = errors.New("pgtest.Main has already finished") })
	if proc.srv != nil {
		if err := proc.srv.close(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		}
	}
	return code
}

func newPool(ctx context.Context, connString string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("parse connection string: %w", err)
	}
	cfg.MaxConns = maxConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open pool: %w", err)
	}
	return pool, nil
}

// Scan reads one row into dest and fails the test when the query or the
// scan fails, so that an assertion on dest never checks a zero value left
// by a broken query.
func Scan(tb testing.TB, row pgx.Row, dest ...any) {
	tb.Helper()
	if err := row.Scan(dest...); err != nil {
		tb.Fatalf("query row: %v", err)
	}
}
