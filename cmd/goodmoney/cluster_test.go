package main

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"goodmoney/internal/pgtest"
	"goodmoney/internal/postgres"
	"goodmoney/internal/seed"
)

// Two serve processes on one database act as one app: a session made on
// one works on the other, River's leader alone runs the periodic jobs, and
// a rolling restart (SIGTERM one while the other takes the load) fails no
// request.
func TestTwoInstances(t *testing.T) {
	ctx := context.Background()
	pool, dbURL := pgtest.NewDBURL(t)
	if _, err := seed.Demo(ctx, postgres.NewDB(pool)); err != nil {
		t.Fatalf("seed: %v", err)
	}
	var orgID, dealID int64
	// An open deal of rep@, who logs touches on it under load.
	if err := pool.QueryRow(ctx, `SELECT d.org_id, min(d.id) FROM deals d JOIN users u ON u.org_id = d.org_id AND u.id = d.owner_id
		WHERE u.email = 'rep@example.com' AND d.stage NOT IN ('won', 'lost', 'disqualified') GROUP BY d.org_id`).Scan(&orgID, &dealID); err != nil {
		t.Fatalf("demo deal: %v", err)
	}
	dealPath := "/deals/" + strconv.FormatInt(dealID, 10)

	a := startServe(t, "A", dbURL)
	b := startServe(t, "B", dbURL)

	t.Run("SessionSharedAcrossInstances", func(t *testing.T) {
		br := newBrowser(t)
		br.signIn(a.URL, "rep@example.com")
		br.mustGet(b.URL + "/") // 200, not a redirect to sign in
		status, loc, err := br.post(b.URL, "/logout", nil)
		if err != nil || status != http.StatusSeeOther {
			t.Fatalf("sign out on B: %d %v", status, err)
		}
		if status, _, err := br.get(a.URL + "/"); err != nil || status != http.StatusSeeOther {
			t.Errorf("home on A after signing out on B: %d %q %v, want a redirect to sign in", status, loc, err)
		}
	})

	t.Run("PeriodicJobsRunOnce", func(t *testing.T) {
		// Wait for the leader's start-up rescore of the demo org to finish.
		waitFor(t, "the periodic rescore", func() (bool, error) {
			var done bool
			err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM river_job
				WHERE kind = 'rescore_all' AND state = 'completed' AND (args->>'org_id')::bigint = $1)`, orgID).Scan(&done)
			return done, err
		})
		assertRunOnce(t, pool, orgID)
		var leaders int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_leader`).Scan(&leaders); err != nil || leaders != 1 {
			t.Errorf("river_leader rows: %d %v, want 1", leaders, err)
		}
	})

	t.Run("Metrics", func(t *testing.T) {
		br := newBrowser(t)
		br.signIn(a.URL, "rep@example.com")
		br.mustGet(a.URL + dealPath)
		body := newBrowser(t).mustGet(a.MetricsURL + "/metrics")
		for _, want := range []string{
			`goodmoney_http_requests_total{code="2xx",method="GET",route="/deals/{id}"} 1`,
			`goodmoney_http_requests_total{code="3xx",method="POST",route="/login"}`,
			`goodmoney_db_pool_connections{state="idle"}`,
			`goodmoney_flags{band="not_good_money",status="open"}`,
			`goodmoney_rescore_duration_seconds_bucket`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics on METRICS_ADDR lacks %s", want)
			}
		}
		// River's job counts: the jobs ran on whichever instance fetched them.
		// The instance counts a job when River's event reaches it, which can
		// come a moment after the job row reads completed: wait for it.
		waitFor(t, "an instance to count the completed rescore_all job", func() (bool, error) {
			both := newBrowser(t).mustGet(a.MetricsURL+"/metrics") + newBrowser(t).mustGet(b.MetricsURL+"/metrics")
			return strings.Contains(both, `goodmoney_river_jobs_total{kind="rescore_all",outcome="completed"} 1`) &&
				strings.Contains(both, `goodmoney_river_job_run_seconds_bucket{kind="rescore_all"`), nil
		})
		for _, u := range []string{a.URL + "/metrics", a.MetricsURL + "/debug/vars", a.MetricsURL + "/debug/pprof/"} {
			if status, _, err := newBrowser(t).get(u); err != nil || status != http.StatusNotFound {
				t.Errorf("GET %s: %d %v, want 404", u, status, err)
			}
		}
	})

	t.Run("RollingRestart", func(t *testing.T) {
		br := newBrowser(t)
		br.signIn(b.URL, "rep@example.com")
		// Restart A while the load goes through B, then B while it goes through A.
		load := startLoad(t, br, b.URL, dealPath)
		load.waitMore(t, 20)
		a.stop()
		a2 := startServe(t, "A2", dbURL)
		load.waitMore(t, 20)
		n, failures := load.finish()
		if n == 0 || len(failures) > 0 {
			t.Fatalf("through B while A restarted: %d requests, failures %v", n, failures)
		}
		load = startLoad(t, br, a2.URL, dealPath)
		load.waitMore(t, 20)
		b.stop()
		load.waitMore(t, 20)
		n2, failures := load.finish()
		if n2 == 0 || len(failures) > 0 {
			t.Fatalf("through A2 while B stopped: %d requests, failures %v", n2, failures)
		}
		t.Logf("%d + %d requests, none failed", n, n2)
		// A new leader took over; the per-period jobs are still there once.
		assertRunOnce(t, pool, orgID)
		a2.stop()
	})
}

// assertRunOnce checks that the periodic rescore was enqueued once in its
// period, however many processes ran and whichever was leader.
func assertRunOnce(t *testing.T, pool *pgxpool.Pool, orgID int64) {
	t.Helper()
	var schedules, rescores int
	err := pool.QueryRow(context.Background(), `SELECT
		count(*) FILTER (WHERE kind = 'rescore_schedule'),
		count(*) FILTER (WHERE kind = 'rescore_all' AND (args->>'org_id')::bigint = $1)
		FROM river_job`, orgID).Scan(&schedules, &rescores)
	if err != nil {
		t.Fatalf("count jobs: %v", err)
	}
	if schedules != 1 || rescores != 1 {
		t.Errorf("rescore_schedule jobs %d, rescore_all jobs of the org %d; want 1 and 1", schedules, rescores)
	}
}

// waitFor polls cond until it holds, failing after a minute.
func waitFor(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("wait for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within a minute", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// load sends signed-in page views and touch posts to one instance until
// finished, recording every failure.
type load struct {
	stop     chan struct{}
	wg       sync.WaitGroup
	n        atomic.Int64
	mu       sync.Mutex
	failures []string
}

func startLoad(t *testing.T, br *browser, base, dealPath string) *load {
	l := &load{stop: make(chan struct{})}
	fail := func(s string) {
		l.mu.Lock()
		l.failures = append(l.failures, s)
		l.mu.Unlock()
	}
	for w := range 2 {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				if w == 1 && i%5 == 0 {
					status, _, err := br.post(base, dealPath+"/touches", touchForm())
					if err != nil || status != http.StatusSeeOther {
						fail("POST touch: " + strconv.Itoa(status) + " " + errString(err))
					}
				} else {
					status, _, err := br.get(base + dealPath)
					if err != nil || status != http.StatusOK {
						fail("GET deal: " + strconv.Itoa(status) + " " + errString(err))
					}
				}
				l.n.Add(1)
			}
		}()
	}
	return l
}

// waitMore waits until k more requests have been answered.
func (l *load) waitMore(t *testing.T, k int64) {
	t.Helper()
	target := l.n.Load() + k
	waitFor(t, strconv.FormatInt(k, 10)+" more requests", func() (bool, error) { return l.n.Load() >= target, nil })
}

func (l *load) finish() (int64, []string) {
	close(l.stop)
	l.wg.Wait()
	return l.n.Load(), l.failures
}

func touchForm() map[string][]string {
	return map[string][]string{"kind": {"call"}, "direction": {"outbound"}, "outcome": {"no_answer"}, "notes": {"rolling restart"}}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
