package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"goodmoney/internal/pglocal"
	"goodmoney/internal/postgres"
)

// templateDB is the migrated database every test database is cloned from.
const templateDB = "tmpl"

// server is the private cluster of one test process.
type server struct {
	dir     string
	cluster *pglocal.Cluster
	admin   *pgxpool.Pool // on the postgres database: creates and drops the others
	// createSQL clones the template; its %s is the new database's name.
	createSQL string
	cloneMu   sync.Mutex // one clone at a time: each one checkpoints
	clones    atomic.Int64
}

// startServer starts a cluster in a new temporary folder and migrates the
// template database.
func startServer() (*server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir, err := makeClusterDir()
	if err != nil {
		return nil, err
	}
	cluster, err := pglocal.Start(ctx, pglocal.Options{DataDir: dir, TestSettings: true})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &server{dir: dir, cluster: cluster}
	if err := s.setUp(ctx); err != nil {
		return nil, errors.Join(err, s.close())
	}
	return s, nil
}

// makeClusterDir makes the folder for the cluster in /dev/shm when that is a
// roomy memory file system, since cloning a database there takes a sixth of
// the time it takes on disk, and in the temporary folder otherwise. (Not in
// t.TempDir: its parent is a folder the postgres user cannot enter.)
func makeClusterDir() (string, error) {
	const shm, minFree = "/dev/shm", 1 << 30
	var st syscall.Statfs_t
	if err := syscall.Statfs(shm, &st); err == nil && st.Bavail*uint64(st.Bsize) >= minFree {
		if dir, err := os.MkdirTemp(shm, "gmtest"); err == nil {
			return dir, nil
		}
	}
	dir, err := os.MkdirTemp("", "gmtest")
	if err != nil {
		return "", fmt.Errorf("make cluster folder: %w", err)
	}
	return dir, nil
}

// setUp opens the admin pool and migrates the template database.
func (s *server) setUp(ctx context.Context) error {
	var err error
	if s.admin, err = newPool(ctx, s.cluster.ConnString("postgres"), 4); err != nil {
		return err
	}
	var version int
	if err := s.admin.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil {
		return fmt.Errorf("server version: %w", err)
	}
	s.createSQL = "CREATE DATABASE %s TEMPLATE " + templateDB
	if version >= 150000 {
		// FILE_COPY copies the folder, much faster than the WAL_LOG default for
		// a small template; before 15 it was the only way.
		s.createSQL += " STRATEGY FILE_COPY"
	}
	if err := s.cluster.EnsureDatabase(ctx, templateDB); err != nil {
		return err
	}
	return s.migrateTemplate(ctx)
}

// migrateTemplate migrates the template and leaves nothing connected to it:
// CREATE DATABASE fails while anyone is.
func (s *server) migrateTemplate(ctx context.Context) error {
	pool, err := newPool(ctx, s.cluster.ConnString(templateDB), 4)
	if err != nil {
		return err
	}
	err = postgres.Migrate(ctx, pool)
	pool.Close()
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	_, err = s.admin.Exec(ctx, "ALTER DATABASE "+templateDB+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
	if err != nil {
		return fmt.Errorf("freeze template: %w", err)
	}
	return s.waitUnused(ctx, templateDB)
}

// waitUnused waits until the backends of closed connections to db have
// exited, which CREATE DATABASE would otherwise wait for in 100 ms steps.
func (s *server) waitUnused(ctx context.Context, db string) error {
	for {
		var n int
		err := s.admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = $1", db).Scan(&n)
		if err != nil {
			return fmt.Errorf("wait for %s to be unused: %w", db, err)
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s to be unused: %w", db, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// clone creates a new database from the template and returns its name.
func (s *server) clone(ctx context.Context) (string, error) {
	name := fmt.Sprintf("t_%d", s.clones.Add(1))
	s.cloneMu.Lock()
	defer s.cloneMu.Unlock()
	if _, err := s.admin.Exec(ctx, fmt.Sprintf(s.createSQL, name)); err != nil {
		return "", fmt.Errorf("create test database %s: %w", name, err)
	}
	return name, nil
}

// createEmpty creates a database with no tables at all (from template0)
// and returns its name.
func (s *server) createEmpty(ctx context.Context) (string, error) {
	name := fmt.Sprintf("t_%d", s.clones.Add(1))
	if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		return "", fmt.Errorf("create empty database %s: %w", name, err)
	}
	return name, nil
}

// drop removes a test database, disconnecting whatever the test left open.
func (s *server) drop(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Backends of just-closed connections take a few ms to exit, and DROP
	// waits for them in 100 ms steps. Connections still open after a second
	// are the test's leftovers: FORCE ends them.
	waitCtx, cancelWait := context.WithTimeout(ctx, time.Second)
	_ = s.waitUnused(waitCtx, name)
	cancelWait()
	if _, err := s.admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop test database %s: %w", name, err)
	}
	return nil
}

// close stops the cluster and removes its folder.
func (s *server) close() error {
	if s.admin != nil {
		s.admin.Close()
	}
	err := s.cluster.Stop()
	if rmErr := os.RemoveAll(s.dir); rmErr != nil {
		err = errors.Join(err, fmt.Errorf("remove cluster folder: %w", rmErr))
	}
	return err
}
