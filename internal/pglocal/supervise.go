package pglocal

import (
	"context"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// Supervision configures Supervise.
type Supervision struct {
	// MaxDown is how long the server may stay down, restarts failing, before
	// the supervisor gives up and calls GiveUp. Default 60 s.
	MaxDown time.Duration
	// Backoff is the wait before restart attempt n (1, 2, ...). Default:
	// 250 ms doubling to at most 5 s.
	Backoff func(n int) time.Duration
	// GiveUp is called once, from the supervisor's goroutine, when the
	// server could not be restarted within MaxDown. The process should then
	// exit non-zero, so that its own supervisor (systemd, Kubernetes)
	// restarts it with a clean slate.
	GiveUp func(err error)
}

// Health is the supervisor's view of the server, for health checks.
type Health struct {
	Up       bool          // the server process is running
	Restarts int           // restarts since Start
	Down     time.Duration // how long it has been down, when it is
	Attempt  int           // restart attempts in the current outage
	LastExit string        // why the server last exited unexpectedly
	GaveUp   bool          // the supervisor stopped trying
}

// String describes the state in one line for /healthz.
func (h Health) String() string {
	switch {
	case h.GaveUp:
		return fmt.Sprintf("private PostgreSQL down for %s, gave up restarting (last exit: %s)", h.Down.Round(time.Millisecond), h.LastExit)
	case !h.Up:
		return fmt.Sprintf("private PostgreSQL restarting: down %s, attempt %d (exit: %s)", h.Down.Round(time.Millisecond), h.Attempt, h.LastExit)
	case h.Restarts > 0:
		return fmt.Sprintf("private PostgreSQL up, restarted %d times (last exit: %s)", h.Restarts, h.LastExit)
	}
	return "private PostgreSQL up"
}

// supervisor is the state Supervise keeps on the Cluster.
type supervisor struct {
	opts    Supervision
	stop    chan struct{} // closed by Stop
	done    chan struct{} // closed when the goroutine returns
	health  Health
	downAt  time.Time
	started bool
}

func defaultBackoff(n int) time.Duration {
	d := 250 * time.Millisecond << min(n-1, 5)
	return min(d, 5*time.Second)
}

// Supervise watches a server this process started and restarts it when it
// exits without Stop being called: after a crash, an out-of-memory kill or
// someone stopping it by hand. Each exit is logged with its status and the
// tail of the server log. It does nothing for an attached cluster (its owner
// supervises it) or when called twice.
func (c *Cluster) Supervise(opts Supervision) {
	if !c.owned {
		return
	}
	if opts.MaxDown <= 0 {
		opts.MaxDown = 60 * time.Second
	}
	if opts.Backoff == nil {
		opts.Backoff = defaultBackoff
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sup.started || c.stopping {
		return
	}
	c.sup = supervisor{opts: opts, stop: make(chan struct{}), done: make(chan struct{}), started: true,
		health: Health{Up: true}}
	go c.supervise()
}

// Health reports the server's state as the supervisor sees it. Without
// supervision it only tells whether the server process is running.
func (c *Cluster) Health() Health {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sup.started {
		h := c.sup.health
		if !h.Up {
			h.Down = time.Since(c.sup.downAt)
		}
		return h
	}
	if !c.owned {
		return Health{Up: true}
	}
	if p := c.proc; p.gone() {
		return Health{LastExit: exitReason(p.waitErr)}
	}
	return Health{Up: true}
}

func (c *Cluster) supervise() {
	defer close(c.sup.done)
	for {
		p := c.current()
		select {
		case <-c.sup.stop:
			return
		case <-p.exited:
		}
		pid := p.cmd.Process.Pid
		why := exitReason(p.waitErr)
		c.mu.Lock()
		c.sup.health = Health{Restarts: c.sup.health.Restarts, LastExit: why}
		c.sup.downAt = time.Now()
		c.mu.Unlock()
		c.logger.Error("postgres exited unexpectedly: restarting it", "pid", pid, "exit", why,
			"log", logTail(c.layout.logPath(), -1))
		if !c.restart() {
			return
		}
	}
}

// restart launches the server again, waiting between attempts, until it
// answers (true), Stop is called or MaxDown passes (false).
func (c *Cluster) restart() bool {
	for n := 1; ; n++ {
		select {
		case <-c.sup.stop:
			return false
		case <-time.After(c.sup.opts.Backoff(n)):
		}
		down := time.Since(c.sup.downAt)
		if down > c.sup.opts.MaxDown {
			c.mu.Lock()
			c.sup.health.GaveUp = true
			last := c.sup.health.LastExit
			c.mu.Unlock()
			err := fmt.Errorf("private PostgreSQL down for %s after %d restart attempts (last exit: %s)", down.Round(time.Millisecond), n-1, last)
			c.logger.Error("postgres supervisor gives up", "err", err)
			if c.sup.opts.GiveUp != nil {
				c.sup.opts.GiveUp(err)
			}
			return false
		}
		c.mu.Lock()
		c.sup.health.Attempt = n
		c.mu.Unlock()
		err := c.relaunch()
		if err == nil {
			c.mu.Lock()
			c.sup.health.Up, c.sup.health.Attempt = true, 0
			c.sup.health.Restarts++
			pid := c.proc.cmd.Process.Pid
			c.mu.Unlock()
			c.logger.Info("postgres restarted", "pid", pid, "down", time.Since(c.sup.downAt).Round(time.Millisecond), "attempts", n)
			return true
		}
		c.logger.Warn("postgres restart failed", "attempt", n, "err", err)
	}
}

// relaunch starts a new server process in place of the one that exited.
func (c *Cluster) relaunch() error {
	logFile, err := os.OpenFile(c.layout.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	defer logFile.Close()
	logStart, _ := logFile.Seek(0, io.SeekEnd)
	p, err := launch(c.binDir, c.layout, c.owner, logFile, c.opts)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-c.sup.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := pollReady(ctx, c.ConnString("postgres"), p.gone); err != nil {
		c.kill(p)
		return withLogTail(err, c.layout.logPath(), logStart)
	}
	c.mu.Lock()
	c.proc = p
	c.mu.Unlock()
	return nil
}

// kill ends a relaunched process that never became ready.
func (c *Cluster) kill(p *proc) {
	for _, sig := range []syscall.Signal{syscall.SIGQUIT, syscall.SIGKILL} {
		if err := p.cmd.Process.Signal(sig); err != nil {
			return
		}
		select {
		case <-p.exited:
			return
		case <-time.After(5 * time.Second):
		}
	}
}

// exitReason describes how a server process ended.
func exitReason(err error) string {
	if err == nil {
		return "exit status 0 (stopped from outside)"
	}
	return err.Error()
}

// stopSupervisor ends supervision and waits for the goroutine to return.
func (c *Cluster) stopSupervisor() {
	c.mu.Lock()
	c.stopping = true
	started := c.sup.started
	c.mu.Unlock()
	if !started {
		return
	}
	close(c.sup.stop)
	<-c.sup.done
}
