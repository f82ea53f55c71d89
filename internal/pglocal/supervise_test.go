package pglocal

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func fastBackoff(int) time.Duration { return 20 * time.Millisecond }

// waitFor polls cond until it holds or a generous deadline passes: the
// supervisor works on its own goroutine, and what is checked is that the
// state is reached, not how fast.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSupervise_Restarts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
	}{
		{"stopped from outside (SIGINT)", syscall.SIGINT},
		{"crashed (SIGQUIT)", syscall.SIGQUIT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := mustStart(t, newDataDir(t))
			c.Supervise(Supervision{Backoff: fastBackoff, GiveUp: func(err error) { t.Errorf("gave up: %v", err) }})
			conn := connect(t, c, "postgres")
			if _, err := conn.Exec(t.Context(), "SET synchronous_commit = on; CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)"); err != nil {
				t.Fatal(err)
			}
			first := c.current()
			if err := first.cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			<-first.exited
			waitFor(t, "the restart", func() bool { h := c.Health(); return h.Up && h.Restarts == 1 })
			h := c.Health()
			if h.LastExit == "" || !strings.Contains(h.String(), "restarted 1 times") {
				t.Errorf("Health after restart = %+v (%s)", h, h)
			}
			if got := queryInt(t, connect(t, c, "postgres"), "SELECT n FROM kept"); got != 7 {
				t.Errorf("after restart SELECT n = %d, want 7", got)
			}
			if c.current() == first {
				t.Error("current process is still the one that exited")
			}
		})
	}
}

func TestSupervise_GivesUp(t *testing.T) {
	t.Parallel()
	c := mustStart(t, newDataDir(t))
	gaveUp := make(chan error, 1)
	c.Supervise(Supervision{MaxDown: 300 * time.Millisecond, Backoff: fastBackoff, GiveUp: func(err error) { gaveUp <- err }})
	// A cluster folder that cannot be started: every restart fails.
	pgdata := c.layout.pgdata()
	first := c.current()
	if err := first.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	<-first.exited
	if err := os.Rename(pgdata, pgdata+".away"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Rename(pgdata+".away", pgdata) })
	err := <-gaveUp
	if err == nil || !strings.Contains(err.Error(), "gave up") && !strings.Contains(err.Error(), "down for") {
		t.Errorf("GiveUp error = %v", err)
	}
	if h := c.Health(); !h.GaveUp || h.Up || !strings.Contains(h.String(), "gave up") {
		t.Errorf("Health = %+v (%s), want gave up", h, h)
	}
	// Stop must not claim it stopped a server that died long before.
	if err := c.Stop(); err == nil || !strings.Contains(err.Error(), "already exited") {
		t.Errorf("Stop after the server died = %v, want an already-exited error", err)
	}
}

func TestStop_AfterUnsupervisedExit(t *testing.T) {
	t.Parallel()
	c := mustStart(t, newDataDir(t))
	p := c.current()
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	<-p.exited
	if h := c.Health(); h.Up {
		t.Errorf("Health = %+v after the server exited", h)
	}
	if err := c.Stop(); err == nil || !strings.Contains(err.Error(), "already exited") {
		t.Errorf("Stop = %v, want an already-exited error", err)
	}
}
