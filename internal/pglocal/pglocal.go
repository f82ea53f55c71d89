// Package pglocal runs a private PostgreSQL cluster from the server binaries
// installed on the machine: goodmoney's default database when DATABASE_URL is
// not set, and the database behind the tests.
//
// The cluster lives in a data folder and listens only on a unix socket in a
// folder that no other user may enter; clients connect as the postgres
// superuser without a password. A second process that starts the same data
// folder attaches to the running server instead of starting another one.
package pglocal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Options configures Start.
type Options struct {
	// DataDir holds the cluster (DataDir/pgdata), its log (DataDir/log, one
	// file per weekday; DataDir/postgres.log for what comes before the
	// collector starts)
	// and, when the path is short enough, its socket; else the socket lives
	// in /tmp/gm-<hash of DataDir>.
	DataDir string
	// SearchDirs lists where to look for initdb and postgres after PATH.
	// Nil means /usr/lib/postgresql/*/bin, newest version first.
	SearchDirs []string
	// PathEnv, when set, replaces the PATH environment variable in the search.
	PathEnv *string
	// TestSettings turns off fsync, full-page writes and synchronous commit:
	// a crash may lose or corrupt data, so use it only for throwaway clusters.
	TestSettings bool
	// Logger receives progress lines; nil discards them.
	Logger *slog.Logger
}

// Cluster is a running PostgreSQL server, started by this process or
// attached to.
type Cluster struct {
	layout  layout
	sockDir string
	port    int
	owned   bool
	logger  *slog.Logger

	// Set only for owned clusters: what relaunching needs, the running
	// process (replaced by a restart, so read it under mu), supervision.
	binDir   string
	owner    account
	opts     Options
	mu       sync.Mutex
	proc     *proc
	stopping bool
	sup      supervisor
	stopOnce sync.Once
	stopErr  error
}

// proc is one run of the server process.
type proc struct {
	cmd     *exec.Cmd
	exited  chan struct{} // closed once cmd.Wait returns
	waitErr error         // cmd.Wait's result, readable after exited is closed
}

// current returns the server process now running (or last run).
func (c *Cluster) current() *proc {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.proc
}

// Start returns the cluster in opts.DataDir, running. It creates the cluster
// with initdb if the folder has none, then starts the server and waits until
// it accepts connections. If a server for this folder is already running, the
// returned Cluster attaches to it: it is not Owned and Stop leaves it running.
// Start returns an error wrapping ErrNoBinaries when initdb and postgres
// cannot be found.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	pathEnv := os.Getenv("PATH")
	if opts.PathEnv != nil {
		pathEnv = *opts.PathEnv
	}
	binDir, err := FindBinaries(pathEnv, opts.SearchDirs)
	if err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	l, err := newLayout(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	owner, err := clusterOwner()
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	if err := l.prepare(owner); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	unlock, err := l.lock(ctx)
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	defer unlock()
	pf, running, err := runningServer(l)
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	if running {
		return attach(ctx, l, pf, opts.Logger)
	}
	return startOwned(ctx, binDir, l, owner, opts)
}

// ConnString returns a keyword/value connection string for database dbname,
// as accepted by pgx.ParseConfig and pgxpool.ParseConfig.
func (c *Cluster) ConnString(dbname string) string {
	return fmt.Sprintf("host=%s port=%d user=postgres dbname=%s sslmode=disable",
		quoteValue(c.sockDir), c.port, quoteValue(dbname))
}

// Owned reports whether this process started the server, and so whether
// Stop stops it.
func (c *Cluster) Owned() bool { return c.owned }

// DataDir returns the absolute path of the data folder.
func (c *Cluster) DataDir() string { return c.layout.dataDir }

// EnsureDatabase creates database name if it does not exist yet.
func (c *Cluster) EnsureDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.ConnString("postgres"))
	if err != nil {
		return fmt.Errorf("ensure database %s: %w", name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	err = conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists)
	if err != nil {
		return fmt.Errorf("ensure database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: another process won the race
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// Stop ends supervision and shuts the server down if this process started
// it: a fast shutdown (SIGINT) that rolls back open transactions, then
// SIGQUIT and SIGKILL if the server has not exited in time. A server that
// had already exited is reported as an error, not as stopped. Calling it
// again returns the first result. For an attached cluster Stop does nothing.
func (c *Cluster) Stop() error {
	if !c.owned {
		return nil
	}
	c.stopOnce.Do(func() {
		c.stopSupervisor()
		c.stopErr = c.shutdown()
	})
	return c.stopErr
}

// quoteValue quotes a connection string value when it needs it.
func quoteValue(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\n'\\") {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}
