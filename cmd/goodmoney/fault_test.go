package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pglocal"
	"goodmoney/internal/seed"
)

// served is a `goodmoney serve --demo` process on its own data folder.
type served struct {
	t       *testing.T
	url     string
	dataDir string
	cmd     *exec.Cmd
	exited  chan struct{}
	log     *lockedBuffer
}

// startPrivateServe starts serve --demo on its own private cluster (no
// DATABASE_URL) and waits until /healthz answers 200.
func startPrivateServe(t *testing.T) *served {
	t.Helper()
	dir, err := os.MkdirTemp("", "gmfault") // the postgres user must reach it: not t.TempDir
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	addr := freeAddr(t)
	s := &served{t: t, url: "http://" + addr, dataDir: dir, exited: make(chan struct{}), log: &lockedBuffer{}}
	// The test binary runs main (see TestMain) as `goodmoney serve --demo`:
	// the real binary's code, with its real private cluster, in its own
	// process, so the test can kill its database or send it SIGTERM.
	s.cmd = exec.Command(os.Args[0], "serve", "--demo")
	s.cmd.Env = append(os.Environ(), "GOODMONEY_TEST_MAIN=1", "ADDR="+addr, "DATA_DIR="+dir,
		"DATABASE_URL=", "DATABASE_MAX_DOWN=60s")
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(60 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
		if t.Failed() {
			t.Logf("serve's log:\n%s", s.log.String())
		}
	})
	deadline := time.Now().Add(3 * time.Minute)
	for {
		res, err := http.Get(s.url + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.exited:
			t.Fatalf("serve exited while starting:\n%s", s.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not become healthy:\n%s", s.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// signIn returns an HTTP client signed in as a demo user.
func (s *served) signIn(email string) *http.Client {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(s.url+"/login", url.Values{"email": {email}, "password": {seed.DemoPassword}})
	if err != nil {
		s.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("sign in %s: status %d", email, res.StatusCode)
	}
	return c
}

// cluster attaches to the serve process's private cluster, for checks.
func (s *served) cluster() *pglocal.Cluster {
	s.t.Helper()
	c, err := pglocal.Start(s.t.Context(), pglocal.Options{DataDir: s.dataDir})
	if err != nil {
		s.t.Fatal(err)
	}
	if c.Owned() {
		s.t.Fatal("the test started its own cluster instead of attaching to serve's")
	}
	return c
}

// postmasterPID reads the running server's pid.
func (s *served) postmasterPID() int {
	s.t.Helper()
	f, err := os.Open(filepath.Join(s.dataDir, "pgdata", "postmaster.pid"))
	if err != nil {
		s.t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	pid, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
	if err != nil {
		s.t.Fatal(err)
	}
	return pid
}

// query runs one single-value query on serve's database.
func (s *served) queryInt(sql string, args ...any) int {
	s.t.Helper()
	c := s.cluster()
	conn, err := pgx.Connect(s.t.Context(), c.ConnString("goodmoney"))
	if err != nil {
		s.t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(s.t.Context(), sql, args...).Scan(&n); err != nil {
		s.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// writeLoad is writers logging touches on one deal, each with its own
// idempotency key, retrying a send that got no 303 with the same key, as a
// browser's resubmit would.
type writeLoad struct {
	s      *served
	deal   int64
	client *http.Client

	stop     atomic.Bool
	acked    sync.Map // key -> true
	nAcked   atomic.Int64
	inFlight atomic.Int64

	mu       sync.Mutex
	answers  map[string]int // status or error kind -> count, after the fault
	faultAt  time.Time
	firstBad time.Time
	recovery time.Duration // fault to the first 303 of a request sent after a failed one
	tail     []string      // serve's answers during the outage, for the log
}

func (l *writeLoad) send(key string) (status int, err error) {
	form := url.Values{"kind": {"note"}, "notes": {key}, "idempotency_key": {key}}
	req, _ := http.NewRequest(http.MethodPost, l.s.url+"/deals/"+strconv.FormatInt(l.deal, 10)+"/touches", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	l.inFlight.Add(1)
	defer l.inFlight.Add(-1)
	res, err := l.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

func (l *writeLoad) note(status int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.faultAt.IsZero() {
		return
	}
	kind := strconv.Itoa(status)
	if err != nil {
		kind = "error: " + errKind(err)
	}
	l.answers[kind]++
	switch {
	case status != http.StatusSeeOther && l.firstBad.IsZero():
		l.firstBad = time.Now()
	case status == http.StatusSeeOther && !l.firstBad.IsZero() && l.recovery == 0:
		l.recovery = time.Since(l.faultAt)
	}
}

func errKind(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	}
	return err.Error()
}

// run starts n writers; each stops when l.stop is set or the server is gone.
func (l *writeLoad) run(n int, gone <-chan struct{}) *sync.WaitGroup {
	l.answers = map[string]int{}
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			for i := 0; !l.stop.Load(); i++ {
				key := fmt.Sprintf("fault-w%02d-n%05d-%d", w, i, l.deal)
				for attempt := 0; ; attempt++ {
					status, err := l.send(key)
					l.note(status, err)
					if status == http.StatusSeeOther {
						l.acked.Store(key, true)
						l.nAcked.Add(1)
						break
					}
					select {
					case <-gone:
						return
					default:
					}
					if attempt > 2000 {
						l.s.t.Errorf("%s never acknowledged: last %d %v", key, status, err)
						return
					}
					time.Sleep(20 * time.Millisecond) // the client's retry pace
				}
			}
		})
	}
	return &wg
}

func (l *writeLoad) waitAcked(n int64) {
	deadline := time.Now().Add(2 * time.Minute)
	for l.nAcked.Load() < n {
		if time.Now().After(deadline) {
			l.s.t.Fatalf("only %d of %d writes acknowledged", l.nAcked.Load(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (l *writeLoad) summary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	keys := make([]string, 0, len(l.answers))
	for k := range l.answers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	total := 0
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s × %d", k, l.answers[k]))
		total += l.answers[k]
	}
	return fmt.Sprintf("%d requests from the fault on: %s", total, strings.Join(parts, ", "))
}

// checkStored compares what was acknowledged with what the database holds.
func (l *writeLoad) checkStored() (acked, stored, dups int) {
	l.s.t.Helper()
	c := l.s.cluster()
	conn, err := pgx.Connect(l.s.t.Context(), c.ConnString("goodmoney"))
	if err != nil {
		l.s.t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(l.s.t.Context(), `SELECT notes, count(*) FROM touches WHERE deal_id = $1 AND notes LIKE 'fault-%' GROUP BY notes`, l.deal)
	if err != nil {
		l.s.t.Fatal(err)
	}
	have := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			l.s.t.Fatal(err)
		}
		have[k] = n
		stored += n
		if n > 1 {
			dups += n - 1
		}
	}
	if err := rows.Err(); err != nil {
		l.s.t.Fatal(err)
	}
	l.acked.Range(func(k, _ any) bool {
		acked++
		if have[k.(string)] == 0 {
			l.s.t.Errorf("acknowledged touch %s is not stored", k)
		}
		return true
	})
	return acked, stored, dups
}

func (s *served) repDeal() int64 {
	s.t.Helper()
	return int64(s.queryInt(`SELECT d.id FROM deals d JOIN users u ON u.id = d.owner_id
		WHERE u.email = 'rep@example.com' AND d.stage NOT IN ('won', 'lost', 'disqualified') ORDER BY d.id LIMIT 1`))
}

// testDatabaseDies stops or crashes the private cluster under a write load:
// serve restarts it; every acknowledged touch is stored once; the answers
// during the outage and the recovery time are printed.
func testDatabaseDies(t *testing.T, sig syscall.Signal) {
	s := startPrivateServe(t)
	l := &writeLoad{s: s, deal: s.repDeal(), client: s.signIn("rep@example.com")}
	wg := l.run(6, s.exited)
	l.waitAcked(40)
	pid := s.postmasterPID()
	l.mu.Lock()
	l.faultAt = time.Now()
	l.mu.Unlock()
	if err := syscall.Kill(pid, sig); err != nil {
		t.Fatal(err)
	}
	// A health check during the outage says why the database is away.
	var health string
	for health == "" && time.Since(l.faultAt) < 30*time.Second {
		res, err := http.Get(s.url + "/healthz")
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusServiceUnavailable {
				health = strings.ReplaceAll(strings.TrimSpace(string(b)), "\n", " / ")
			} else if l.recovery > 0 {
				health = "(no 503 seen: recovered before a health check landed)"
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	at := l.nAcked.Load()
	l.waitAcked(at + 40) // writes go on after the restart
	l.stop.Store(true)
	wg.Wait()
	acked, stored, dups := l.checkStored()
	if acked != stored || dups != 0 {
		t.Errorf("acknowledged %d, stored %d, duplicated %d", acked, stored, dups)
	}
	if l.recovery == 0 {
		t.Log("no failed request seen: the restart was faster than the writers")
	}
	if !strings.Contains(s.log.String(), "postgres exited unexpectedly") || !strings.Contains(s.log.String(), "postgres restarted") {
		t.Errorf("serve's log does not say why the database went away and that it came back:\n%s", s.log.String())
	}
	t.Logf("FAULT %s: recovery %s after the signal; %s; /healthz during the outage: %q; acknowledged %d, stored %d, duplicates %d",
		sig, l.recovery.Round(time.Millisecond), l.summary(), health, acked, stored, dups)
}

func TestFault_ClusterStoppedUnderLoad(t *testing.T) {
	t.Parallel()
	testDatabaseDies(t, syscall.SIGINT) // what `pg_ctl stop -m fast` sends
}

func TestFault_ClusterCrashedUnderLoad(t *testing.T) {
	t.Parallel()
	testDatabaseDies(t, syscall.SIGQUIT) // immediate shutdown: crash recovery on restart
}

// TestFault_SIGTERMUnderLoad: serve drains on SIGTERM: every request that
// reached it is answered (none fails), every acknowledged write is stored
// once, and it exits 0 after stopping its cluster.
func TestFault_SIGTERMUnderLoad(t *testing.T) {
	t.Parallel()
	s := startPrivateServe(t)
	l := &writeLoad{s: s, deal: s.repDeal(), client: s.signIn("rep@example.com")}
	wg := l.run(6, s.exited)
	l.waitAcked(40)
	l.mu.Lock()
	l.faultAt = time.Now()
	l.mu.Unlock()
	inFlight := l.inFlight.Load()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.exited:
	case <-time.After(90 * time.Second):
		t.Fatal("serve did not exit after SIGTERM")
	}
	l.stop.Store(true)
	wg.Wait()
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
	l.mu.Lock()
	for kind, n := range l.answers {
		if kind != "303" && !strings.HasPrefix(kind, "error: connection") {
			t.Errorf("%d answers %s during the shutdown, want only 303 (and refused connections once it stopped listening)", n, kind)
		}
	}
	l.mu.Unlock()
	out := s.log.String()
	if !strings.Contains(out, "postgres stopped") || !strings.Contains(out, "msg=stopped") {
		t.Errorf("serve's log does not show an orderly stop:\n%s", out)
	}
	// The cluster is down now: start it (owned by the test) to count.
	c, err := pglocal.Start(t.Context(), pglocal.Options{DataDir: s.dataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	acked, stored, dups := l.checkStored()
	if acked != stored || dups != 0 {
		t.Errorf("acknowledged %d, stored %d, duplicated %d", acked, stored, dups)
	}
	t.Logf("FAULT SIGTERM: %d requests in flight at the signal; %s; acknowledged %d, stored %d, duplicates %d",
		inFlight, l.summary(), acked, stored, dups)
}
