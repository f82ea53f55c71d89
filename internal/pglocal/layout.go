package pglocal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

const (
	// port only names the socket file: the server listens on no TCP port.
	port = 5432
	// maxSocketPath is the longest unix socket path Linux accepts.
	maxSocketPath = 107
	socketName    = ".s.PGSQL.5432"
)

// layout names the files of one cluster.
type layout struct {
	dataDir string // holds pgdata, postgres.log and pglocal.lock
	sockDir string
}

func newLayout(dataDir string) (layout, error) {
	if dataDir == "" {
		return layout{}, errors.New("no data folder given")
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return layout{}, fmt.Errorf("data folder %s: %w", dataDir, err)
	}
	return layout{dataDir: abs, sockDir: socketDir(abs)}, nil
}

// socketDir returns dataDir when the socket path fits in it, else a short
// folder under /tmp derived from dataDir, so that another process opening
// the same data folder finds the same socket.
func socketDir(dataDir string) string {
	if len(dataDir)+1+len(socketName) <= maxSocketPath {
		return dataDir
	}
	sum := sha256.Sum256([]byte(dataDir))
	return filepath.Join("/tmp", "gm-"+hex.EncodeToString(sum[:4]))
}

func (l layout) pgdata() string   { return filepath.Join(l.dataDir, "pgdata") }
func (l layout) logPath() string  { return filepath.Join(l.dataDir, "postgres.log") }
func (l layout) logDir() string   { return filepath.Join(l.dataDir, "log") }
func (l layout) pidPath() string  { return filepath.Join(l.pgdata(), "postmaster.pid") }
func (l layout) lockPath() string { return filepath.Join(l.dataDir, "pglocal.lock") }

// hasCluster reports whether initdb has already made the cluster.
func (l layout) hasCluster() bool {
	_, err := os.Stat(filepath.Join(l.pgdata(), "PG_VERSION"))
	return err == nil
}

// prepare creates the data and socket folders, owned by the account, and
// checks that the account can reach them.
func (l layout) prepare(owner account) error {
	if err := os.MkdirAll(filepath.Dir(l.dataDir), 0o755); err != nil {
		return fmt.Errorf("create folder above %s: %w", l.dataDir, err)
	}
	dirs := []string{l.dataDir}
	if l.sockDir != l.dataDir {
		dirs = append(dirs, l.sockDir)
	}
	for _, dir := range dirs {
		if err := owner.checkReachable(dir); err != nil {
			return err
		}
		if err := owner.ownDir(dir); err != nil {
			return fmt.Errorf("folder %s: %w", dir, err)
		}
	}
	return nil
}

// lock takes an exclusive lock on the data folder so that two processes
// never initialize or start the same cluster at once. Call the returned
// function to release it.
func (l layout) lock(ctx context.Context) (unlock func(), err error) {
	f, err := os.OpenFile(l.lockPath(), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", l.lockPath(), err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("wait for lock %s: %w", l.lockPath(), ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}
