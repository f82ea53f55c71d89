package pglocal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// newDataDir returns a fresh folder under /tmp: t.TempDir lives under a
// folder only root may enter, which the postgres user cannot reach.
func newDataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "gm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// mustStart starts the cluster in dir, stopped when the test ends.
func mustStart(t *testing.T, dir string) *Cluster {
	t.Helper()
	began := time.Now()
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))
	c, err := Start(t.Context(), Options{DataDir: dir, TestSettings: true, Logger: logger})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("Start took %v (owned=%v)", time.Since(began), c.Owned())
	t.Cleanup(func() {
		if err := c.Stop(); err != nil && !errors.Is(err, ErrAlreadyExited) { // tests that kill it check Stop themselves
			t.Errorf("Stop: %v", err)
		}
	})
	return c
}

func connect(t *testing.T, c *Cluster, dbname string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), c.ConnString(dbname))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func queryInt(t *testing.T, conn *pgx.Conn, sql string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(t.Context(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestStart(t *testing.T) {
	t.Parallel()
	c := mustStart(t, newDataDir(t))
	if !c.Owned() {
		t.Error("Owned() = false for a server this process started")
	}
	if got := queryInt(t, connect(t, c, "postgres"), "SELECT 1"); got != 1 {
		t.Errorf("SELECT 1 = %d", got)
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := pgx.Connect(t.Context(), c.ConnString("postgres")); err == nil {
		t.Error("server still answers after Stop")
	}
}

func TestStart_KeepsData(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t)
	first := mustStart(t, dir)
	conn := connect(t, first, "postgres")
	if _, err := conn.Exec(t.Context(), "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	conn.Close(t.Context())
	if err := first.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}

	second := mustStart(t, dir)
	if !second.Owned() {
		t.Error("second Start attached to a stopped server")
	}
	if got := queryInt(t, connect(t, second, "postgres"), "SELECT n FROM kept"); got != 42 {
		t.Errorf("kept row = %d, want 42", got)
	}
}

func TestStart_AttachesToRunningServer(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t)
	a := mustStart(t, dir)
	b := mustStart(t, dir)
	if b.Owned() {
		t.Fatal("second Start on a running data folder owns a server")
	}
	if a.ConnString("x") != b.ConnString("x") {
		t.Errorf("ConnString differs: %q vs %q", a.ConnString("x"), b.ConnString("x"))
	}
	if err := b.Stop(); err != nil {
		t.Fatalf("attached Stop: %v", err)
	}
	if got := queryInt(t, connect(t, a, "postgres"), "SELECT 1"); got != 1 {
		t.Errorf("SELECT 1 after attached Stop = %d", got)
	}
}

func TestStart_AfterCrash(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t)
	// Without TestSettings, as for serve: a committed write must survive.
	crashed, err := Start(t.Context(), Options{DataDir: dir})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if _, err := connect(t, crashed, "postgres").Exec(t.Context(), "CREATE TABLE survived ()"); err != nil {
		t.Fatal(err)
	}
	// Kill the whole process group, as the OOM killer might: postmaster.pid stays.
	if err := syscall.Kill(-crashed.current().cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-crashed.current().exited
	if _, err := os.Stat(filepath.Join(dir, "pgdata", "postmaster.pid")); err != nil {
		t.Fatalf("postmaster.pid after a crash: %v", err)
	}

	restarted := mustStart(t, dir)
	if !restarted.Owned() {
		t.Error("Start after a crash attached to a dead server")
	}
	if got := queryInt(t, connect(t, restarted, "postgres"), "SELECT count(*) FROM pg_tables WHERE tablename = 'survived'"); got != 1 {
		t.Errorf("table made before the crash: count = %d, want 1", got)
	}
}

func TestStart_LockFileOfAnotherProcess(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t)
	if err := mustStart(t, dir).Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	// After a reboot the pid in a stale lock file may be some other program's.
	other := exec.Command("sleep", "60")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Process.Kill(); other.Wait() })
	lockFile := fmt.Sprintf("%d\n%s/pgdata\n1700000000\n5432\n%s\n\n  5432001         0\nready   \n", other.Process.Pid, dir, dir)
	if err := os.WriteFile(filepath.Join(dir, "pgdata", "postmaster.pid"), []byte(lockFile), 0o600); err != nil {
		t.Fatal(err)
	}
	if c := mustStart(t, dir); !c.Owned() {
		t.Error("Start attached to a process that is not postgres")
	}
}

func TestStart_LongDataDir(t *testing.T) {
	t.Parallel()
	top := newDataDir(t)
	if err := os.Chmod(top, 0o755); err != nil { // let the postgres user through
		t.Fatal(err)
	}
	dir := filepath.Join(top, strings.Repeat("long-folder-name/", 6))
	c := mustStart(t, dir)
	if !strings.HasPrefix(c.sockDir, "/tmp/gm-") {
		t.Errorf("socket folder = %s, want a short one under /tmp", c.sockDir)
	}
	if got := queryInt(t, connect(t, c, "postgres"), "SELECT 1"); got != 1 {
		t.Errorf("SELECT 1 = %d", got)
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(c.sockDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket folder %s left after Stop: %v", c.sockDir, err)
	}
}

func TestStart_NoBinaries(t *testing.T) {
	t.Parallel()
	empty := ""
	_, err := Start(t.Context(), Options{DataDir: newDataDir(t), PathEnv: &empty, SearchDirs: []string{}})
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("Start error = %v, want ErrNoBinaries", err)
	}
	want := "PostgreSQL server binaries (initdb, postgres) not found: install them with `apt-get install -y postgresql` or set DATABASE_URL"
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
}

func TestStart_UnreachableFolder(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("only root hands the cluster to another user")
	}
	locked := filepath.Join(newDataDir(t), "locked")
	if err := os.Mkdir(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Start(t.Context(), Options{DataDir: filepath.Join(locked, "data")})
	if err == nil || !strings.Contains(err.Error(), "cannot enter folder "+locked+" ") {
		t.Errorf("Start error = %v, want one naming %s", err, locked)
	}
}

func TestFindBinaries(t *testing.T) {
	dir, err := FindBinaries("", nil)
	if err != nil {
		t.Fatalf("FindBinaries with the default search folders: %v", err)
	}
	for _, name := range []string{"initdb", "postgres"} {
		if !isExecutable(filepath.Join(dir, name)) {
			t.Errorf("%s has no executable %s", dir, name)
		}
	}
	if got, err := FindBinaries("/nonexistent"+string(filepath.ListSeparator)+dir, []string{}); got != dir || err != nil {
		t.Errorf("FindBinaries on PATH = %q, %v; want %q", got, err, dir)
	}
}

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"15", "9.6", 1}, {"9.6", "10", -1}, {"16", "16", 0}, {"17", "x", 1}} {
		if got := compareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestEnsureDatabase(t *testing.T) {
	t.Parallel()
	c := mustStart(t, newDataDir(t))
	for range 2 {
		if err := c.EnsureDatabase(t.Context(), "good money"); err != nil {
			t.Fatalf("EnsureDatabase: %v", err)
		}
	}
	if got := queryInt(t, connect(t, c, "good money"), "SELECT 1"); got != 1 {
		t.Errorf("SELECT 1 = %d", got)
	}
}

func TestConnString(t *testing.T) {
	c := &Cluster{sockDir: "/tmp/it's here", port: port}
	cfg, err := pgx.ParseConfig(c.ConnString("good money"))
	if err != nil {
		t.Fatalf("ParseConfig(%q): %v", c.ConnString("good money"), err)
	}
	if cfg.Host != "/tmp/it's here" || cfg.Database != "good money" || cfg.User != "postgres" || cfg.Port != port {
		t.Errorf("parsed host=%q database=%q user=%q port=%d", cfg.Host, cfg.Database, cfg.User, cfg.Port)
	}
}

// TestStart_ServerDiesWithUs kills a process that started a server and checks
// that the server goes too, rather than running on unowned.
func TestStart_ServerDiesWithUs(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServerOwner$")
	cmd.Env = append(os.Environ(), "PGLOCAL_HELPER_DIR="+newDataDir(t))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmt.Fscan(out, &pid); err != nil {
		cmd.Process.Kill()
		t.Fatalf("read the server pid from the helper: %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for alive, _ := inspectProcess(pid, ""); alive; alive, _ = inspectProcess(pid, "") {
		if time.Now().After(deadline) {
			t.Fatalf("postgres (pid %d) still running 10s after its owner was killed", pid)
		}
		time.Sleep(pollInterval)
	}
}

// TestHelperServerOwner is the process TestStart_ServerDiesWithUs kills: it
// starts a server, prints its pid and waits.
func TestHelperServerOwner(t *testing.T) {
	dir := os.Getenv("PGLOCAL_HELPER_DIR")
	if dir == "" {
		return
	}
	c, err := Start(context.Background(), Options{DataDir: dir, TestSettings: true})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(c.current().cmd.Process.Pid)
	select {}
}

// Outside tests the server log is PostgreSQL's own collector's, one file
// per weekday, emptied when its day comes round: it never grows forever.
func TestStart_LogRotated(t *testing.T) {
	t.Parallel()
	dir := newDataDir(t)
	c, err := Start(t.Context(), Options{DataDir: dir, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	conn := connect(t, c, "postgres")
	for setting, want := range map[string]string{
		"logging_collector":        "on",
		"log_directory":            filepath.Join(dir, "log"),
		"log_filename":             "postgresql-%a.log",
		"log_rotation_age":         "1d",
		"log_truncate_on_rotation": "on",
	} {
		var got string
		if err := conn.QueryRow(t.Context(), "SELECT current_setting($1)", setting).Scan(&got); err != nil {
			t.Fatalf("%s: %v", setting, err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}
	var current string
	if err := conn.QueryRow(t.Context(), "SELECT pg_current_logfile()").Scan(&current); err != nil {
		t.Fatalf("pg_current_logfile: %v", err)
	}
	if !strings.HasPrefix(current, filepath.Join(dir, "log", "postgresql-")) {
		t.Errorf("logging to %q, want a weekday file under %s/log", current, dir)
	}
}
