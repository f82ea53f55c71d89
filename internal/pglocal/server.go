package pglocal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	pollInterval = 25 * time.Millisecond
	readyTimeout = 30 * time.Second
	logTailLines = 20
)

// ErrAlreadyExited is returned by Stop when the server had exited before
// Stop was called and no supervisor restarted it.
var ErrAlreadyExited = errors.New("had already exited")

// errExited reports that the server process went away while we waited for it.
var errExited = errors.New("server process exited")

// runningServer reports the server that holds the data folder, if any.
func runningServer(l layout) (pidFile, bool, error) {
	pf, err := readPIDFile(l.pidPath())
	if err != nil {
		return pidFile{}, false, nil // no server, or a lock file too damaged to name one: postgres will judge
	}
	alive, ours := inspectProcess(pf.pid, l.pgdata())
	if !alive {
		return pidFile{}, false, nil // postgres clears a stale lock file itself
	}
	if !ours {
		// After a reboot or container restart the pid may belong to another
		// program, and postgres would refuse to start until the file is gone.
		if err := os.Remove(l.pidPath()); err != nil {
			return pidFile{}, false, fmt.Errorf("remove stale %s (pid %d is not its server): %w", l.pidPath(), pf.pid, err)
		}
		return pidFile{}, false, nil
	}
	return pf, true, nil
}

// attach returns a Cluster for the server of another process (or of another
// Start in this one), once it answers.
func attach(ctx context.Context, l layout, pf pidFile, logger *slog.Logger) (*Cluster, error) {
	c := &Cluster{layout: l, sockDir: pf.sockDir, port: pf.port, logger: logger}
	gone := func() bool { alive, _ := inspectProcess(pf.pid, l.pgdata()); return !alive }
	if err := pollReady(ctx, c.ConnString("postgres"), gone); err != nil {
		return nil, fmt.Errorf("attach to running postgres (pid %d) in %s: %w", pf.pid, l.dataDir, err)
	}
	logger.Info("postgres already running: attached", "pid", pf.pid, "socket", c.sockDir)
	return c, nil
}

// pidFile holds what we need from pgdata/postmaster.pid.
type pidFile struct {
	pid     int
	port    int
	sockDir string
}

// readPIDFile parses postmaster.pid, whose lines are the pid, data folder,
// start time, port and socket folder, among others.
func readPIDFile(path string) (pidFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return pidFile{}, err
	}
	lines := strings.Split(string(b), "\n")
	pf := pidFile{port: port}
	if pf.pid, err = strconv.Atoi(strings.TrimSpace(lines[0])); err != nil || pf.pid <= 0 {
		return pidFile{}, fmt.Errorf("%s: no pid on the first line", path)
	}
	if len(lines) > 3 {
		if p, err := strconv.Atoi(strings.TrimSpace(lines[3])); err == nil {
			pf.port = p
		}
	}
	if len(lines) > 4 {
		pf.sockDir = strings.TrimSpace(lines[4])
	}
	if pf.sockDir == "" {
		pf.sockDir = socketDir(filepath.Dir(filepath.Dir(path)))
	}
	return pf, nil
}

// startOwned creates the cluster if needed and starts its server as our child.
func startOwned(ctx context.Context, binDir string, l layout, owner account, opts Options) (*Cluster, error) {
	logFile, err := os.OpenFile(l.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("start postgres: open log: %w", err)
	}
	defer logFile.Close() // the children keep their own copies
	logStart, _ := logFile.Seek(0, io.SeekEnd)
	if !l.hasCluster() {
		if err := initCluster(ctx, binDir, l, owner, logFile, opts); err != nil {
			return nil, withLogTail(fmt.Errorf("initdb: %w", err), l.logPath(), logStart)
		}
	}
	began := time.Now()
	p, err := launch(binDir, l, owner, logFile, opts)
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	c := &Cluster{layout: l, sockDir: l.sockDir, port: port, owned: true, logger: opts.Logger,
		binDir: binDir, owner: owner, opts: opts, proc: p}
	if err := pollReady(ctx, c.ConnString("postgres"), p.gone); err != nil {
		_ = c.Stop() // the start failed: its exit status tells nothing new
		return nil, withLogTail(fmt.Errorf("start postgres: %w", err), l.logPath(), logStart)
	}
	opts.Logger.Info("postgres started", "pid", p.cmd.Process.Pid, "socket", c.sockDir, "took", time.Since(began))
	return c, nil
}

// initCluster runs initdb into a scratch folder and renames it into place,
// so a crash mid-way never leaves a half-made cluster behind.
func initCluster(ctx context.Context, binDir string, l layout, owner account, logFile *os.File, opts Options) error {
	began := time.Now()
	scratch := l.pgdata() + ".initdb"
	if err := os.RemoveAll(scratch); err != nil {
		return fmt.Errorf("clear %s: %w", scratch, err)
	}
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "initdb"),
		"-D", scratch, "--no-sync", "-A", "trust", "-E", "UTF8", "--locale=C", "-U", "postgres")
	cmd.Dir = l.dataDir // initdb complains if it cannot enter our working folder
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = sysProcAttr(owner)
	if err := cmd.Run(); err != nil {
		return err
	}
	if !opts.TestSettings {
		// --no-sync made initdb fast; one sync makes the new cluster durable.
		syscall.Sync()
	}
	if err := os.Rename(scratch, l.pgdata()); err != nil {
		return fmt.Errorf("move cluster into place: %w", err)
	}
	opts.Logger.Info("postgres cluster created", "dir", l.pgdata(), "took", time.Since(began))
	return nil
}

// launch starts the server as our child, listening only on its unix socket.
func launch(binDir string, l layout, owner account, logFile *os.File, opts Options) (*proc, error) {
	args := []string{
		"-D", l.pgdata(), "-k", l.sockDir, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=", "-c", "unix_socket_permissions=0700",
	}
	if opts.TestSettings {
		args = append(args, "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off")
	} else {
		args = append(args, logRotation(l)...)
	}
	// Not CommandContext: the server must outlive the context of Start.
	cmd := exec.Command(filepath.Join(binDir, "postgres"), args...)
	cmd.Dir = l.dataDir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = sysProcAttr(owner)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// gone reports whether the process has exited.
func (p *proc) gone() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// logRotation has PostgreSQL's own log collector write the server log into
// DataDir/log, one file per weekday (postgresql-Mon.log ...), each emptied
// when its day comes round again: at most a week of logs, never a file
// that grows forever. Only what the server writes before the collector
// starts (a failed start) still goes to DataDir/postgres.log.
func logRotation(l layout) []string {
	return []string{
		"-c", "logging_collector=on",
		"-c", "log_directory=" + l.logDir(),
		"-c", "log_filename=postgresql-%a.log",
		"-c", "log_rotation_age=1d",
		"-c", "log_rotation_size=0",
		"-c", "log_truncate_on_rotation=on",
	}
}

// pollReady connects every pollInterval until the server answers, gone
// reports that it exited, or readyTimeout passes.
func pollReady(ctx context.Context, connString string, gone func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	for {
		err := ping(ctx, connString)
		if err == nil {
			return nil
		}
		if gone() {
			return errExited
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready (%w); last error: %w", ctx.Err(), err)
		case <-time.After(pollInterval):
		}
	}
}

func ping(ctx context.Context, connString string) error {
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// shutdown asks the server to stop, harder each time it does not.
func (c *Cluster) shutdown() error {
	steps := []struct {
		sig  syscall.Signal
		wait time.Duration
	}{{syscall.SIGINT, 30 * time.Second}, {syscall.SIGQUIT, 5 * time.Second}, {syscall.SIGKILL, 5 * time.Second}}
	p := c.current()
	pid := p.cmd.Process.Pid
	if p.gone() {
		// It died before we asked (and no supervisor brought it back).
		c.removeSocketDir()
		return fmt.Errorf("postgres (pid %d): %w: %s", pid, ErrAlreadyExited, exitReason(p.waitErr))
	}
	for _, step := range steps {
		if err := p.cmd.Process.Signal(step.sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("stop postgres (pid %d): %w", pid, err)
		}
		select {
		case <-p.exited:
			return c.afterExit(p)
		case <-time.After(step.wait):
			c.logger.Warn("postgres did not stop in time", "pid", pid, "signal", step.sig, "waited", step.wait)
		}
	}
	return fmt.Errorf("stop postgres (pid %d): still running after SIGKILL", pid)
}

// afterExit reports how the server exited and removes its private socket
// folder when that is not the data folder.
func (c *Cluster) afterExit(p *proc) error {
	c.removeSocketDir()
	if p.waitErr != nil {
		return withLogTail(fmt.Errorf("postgres exited: %w", p.waitErr), c.layout.logPath(), -1)
	}
	c.logger.Info("postgres stopped", "pid", p.cmd.Process.Pid)
	return nil
}

func (c *Cluster) removeSocketDir() {
	if c.sockDir != c.layout.dataDir {
		_ = os.Remove(c.sockDir) // only if empty; a new start recreates it
	}
}

// withLogTail appends to err the last lines of the log written after offset,
// or the last lines of all when offset is negative.
func withLogTail(err error, logPath string, offset int64) error {
	tail := logTail(logPath, offset)
	if tail == "" {
		return err
	}
	return fmt.Errorf("%w\n%s says:\n%s", err, logPath, tail)
}

func logTail(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	const window = 16 << 10
	if size, err := f.Seek(0, io.SeekEnd); err == nil && (offset < 0 || size-offset > window) {
		offset = max(size-window, 0)
	}
	if _, err := f.Seek(max(offset, 0), io.SeekStart); err != nil {
		return ""
	}
	b, _ := io.ReadAll(f)
	if strings.TrimSpace(string(b)) == "" {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	lines = lines[max(len(lines)-logTailLines, 0):]
	return "  " + strings.Join(lines, "\n  ")
}
