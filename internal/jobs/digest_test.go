package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"goodmoney/internal/digest"
	"goodmoney/internal/jobs"
	"goodmoney/internal/mail"
	"goodmoney/internal/mailtest"
	"goodmoney/internal/pgtest"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
	"goodmoney/internal/seed"
)

// clock is the time the digest code reads; the test moves it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// digestRig is the demo org with digest workers on River and a real SMTP
// server at the other end.
type digestRig struct {
	t     *testing.T
	ctx   context.Context
	db    *postgres.DB
	url   string // the database, for a second client
	smtp  *mailtest.Server
	clock *clock
	svc   *digest.Service
}

func newDigestRig(t *testing.T) *digestRig {
	t.Helper()
	ctx := context.Background()
	pool, url := pgtest.NewDBURL(t)
	db := postgres.NewDB(pool)
	if _, err := seed.Demo(ctx, db); err != nil {
		t.Fatal(err)
	}
	r := &digestRig{t: t, ctx: ctx, db: db, url: url, smtp: mailtest.Start(t), clock: &clock{t: time.Now()}}
	db.Now = r.clock.Now
	sender, err := mail.NewSMTP(r.smtp.URL, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r.svc = &digest.Service{Store: postgres.NewDigestStore(db), Mailer: sender, BaseURL: "https://gm.example.com", Now: r.clock.Now}
	return r
}

func (r *digestRig) exec(sql string, args ...any) {
	r.t.Helper()
	if _, err := r.db.Pool.Exec(r.ctx, sql, args...); err != nil {
		r.t.Fatalf("%s: %v", sql, err)
	}
}

// crashAfterSend is the digest worker of a process that dies right after
// its first attempt sent the message: River retries the job.
type crashAfterSend struct {
	jobs.DigestWorker
}

func (w *crashAfterSend) Work(ctx context.Context, job *river.Job[jobs.DigestArgs]) error {
	if err := w.DigestWorker.Work(ctx, job); err != nil || job.Attempt > 1 {
		return err
	}
	return errors.New("the process died after sending")
}

// client starts a River client on its own pool with the digest workers;
// crash makes every job's first attempt fail after its work is done.
func (r *digestRig) client(crash bool) *river.Client[pgx.Tx] {
	r.t.Helper()
	pool, err := pgxpool.New(r.ctx, r.url)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(pool.Close)
	workers := river.NewWorkers()
	send := &jobs.DigestWorker{Digests: r.svc, Backoff: func(int) time.Duration { return 0 }}
	if crash {
		river.AddWorker(workers, &crashAfterSend{DigestWorker: *send})
	} else {
		river.AddWorker(workers, send)
	}
	river.AddWorker(workers, &jobs.DigestDispatchWorker{Digests: r.svc, Now: r.clock.Now})
	c, err := jobs.NewClient(riverpgxv5.New(pool), jobs.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Workers: workers, TestOnly: true})
	if err != nil {
		r.t.Fatal(err)
	}
	if err := c.Start(r.ctx); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { _ = jobs.Stop(context.Background(), c) })
	return c
}

// dispatch runs the dispatcher through River and waits until every digest
// job has finished: completed, or discarded after its last attempt.
func (r *digestRig) dispatch(c *river.Client[pgx.Tx], events <-chan *river.Event) {
	r.t.Helper()
	if _, err := c.Insert(r.ctx, jobs.DigestDispatchArgs{}, nil); err != nil {
		r.t.Fatal(err)
	}
	timeout := time.After(60 * time.Second)
	for {
		var unfinished int
		err := r.db.Pool.QueryRow(r.ctx, `SELECT count(*) FROM river_job
			WHERE state NOT IN ('completed', 'discarded', 'cancelled')`).Scan(&unfinished)
		if err != nil {
			r.t.Fatal(err)
		}
		if unfinished == 0 {
			return
		}
		select {
		case <-events:
		case <-timeout:
			r.t.Fatalf("%d jobs still unfinished", unfinished)
		}
	}
}

// rows returns the outbox as "email week status" lines.
func (r *digestRig) rows() map[string]string {
	r.t.Helper()
	rows, err := r.db.Pool.Query(r.ctx, `SELECT u.email, g.iso_week, g.status FROM digests g JOIN users u ON u.id = g.user_id`)
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[string]string{}
	var email, week, status string
	if _, err := pgx.ForEachRow(rows, []any{&email, &week, &status}, func() error {
		out[email+" "+week] = status
		return nil
	}); err != nil {
		r.t.Fatal(err)
	}
	return out
}

// received counts the messages per "email week", reading the week from the
// Message-ID.
func (r *digestRig) received() map[string]int {
	out := map[string]int{}
	for _, m := range r.smtp.Messages() {
		id := m.Parsed(r.t).Header.Get("Message-Id") // <digest.2026-W49.3.7@localhost>
		parts := strings.Split(strings.Trim(id, "<>"), ".")
		if len(parts) < 3 {
			r.t.Fatalf("Message-Id %q", id)
		}
		out[m.To[0]+" "+parts[1]] += 1
	}
	return out
}

func loc(t *testing.T, name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestDigestJobs_OncePerUserAndWeek drives the clock through two weeks with
// users in Tokyo, Los Angeles and New York, runs the dispatcher three times
// at each step, and has every job's first attempt "crash" after sending, so
// River retries it: each user gets exactly one message per week, at their
// own Monday 07:00, and the opted-out and disabled users none.
func TestDigestJobs_OncePerUserAndWeek(t *testing.T) {
	t.Parallel()
	r := newDigestRig(t)
	r.exec(`UPDATE users SET timezone = 'Asia/Tokyo' WHERE email = 'manager@example.com'`)
	r.exec(`UPDATE users SET timezone = 'America/Los_Angeles' WHERE email = 'manager2@example.com'`)
	r.exec(`UPDATE users SET digest_opt_out = true WHERE email = 'rep2@example.com'`)
	r.exec(`UPDATE users SET disabled = true WHERE email = 'rep4@example.com'`)
	tokyo, la := loc(t, "Asia/Tokyo"), loc(t, "America/Los_Angeles")
	monday := pipeline.WeekOf(time.Now(), time.UTC).Monday // 00:00 UTC this week
	this := pipeline.WeekOf(monday.Add(12*time.Hour), time.UTC).Label
	last := pipeline.WeekOf(monday.AddDate(0, 0, -3), time.UTC).Label

	c := r.client(true)
	events, cancel := c.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()
	step := func(at time.Time) {
		r.clock.Set(at)
		for range 3 {
			r.dispatch(c, events)
		}
	}

	// Last week the machine was down all Monday: on Tuesday 10:00 UTC the
	// five users who want a digest get last week's, once each (or a
	// skipped row).
	step(monday.AddDate(0, 0, -6).Add(10 * time.Hour))
	// A minute before Monday 07:00 in Tokyo (Sunday 21:59 UTC): nothing new.
	tokyoDue := pipeline.WeekOf(monday.Add(time.Hour), tokyo).Due()
	step(tokyoDue.Add(-time.Minute))
	if got := r.received()["manager@example.com "+this]; got != 0 {
		t.Fatalf("Tokyo got %d digests before its Monday 07:00", got)
	}
	// Monday 07:00 in Tokyo: only the Tokyo manager's digest goes out.
	step(tokyoDue)
	if got := r.received(); got["manager@example.com "+this] != 1 || got["manager2@example.com "+this] != 0 || got["rep@example.com "+this] != 0 {
		t.Fatalf("at Tokyo's Monday 07:00: %v, want only manager@ for %s", got, this)
	}
	// Monday 07:00 in Los Angeles (New York's came three hours earlier).
	laDue := pipeline.WeekOf(monday.Add(12*time.Hour), la).Due()
	step(laDue.Add(-time.Minute))
	if got := r.received()["manager2@example.com "+this]; got != 0 {
		t.Fatalf("Los Angeles got its digest before 07:00")
	}
	step(laDue)
	// Tuesday: a late dispatcher sends nothing again.
	step(laDue.Add(24 * time.Hour))

	rows, got := r.rows(), r.received()
	wanting := []string{"admin@example.com", "manager@example.com", "manager2@example.com", "rep@example.com", "rep3@example.com"}
	for _, email := range wanting {
		for _, week := range []string{last, this} {
			key := email + " " + week
			status, ok := rows[key]
			want := map[string]int{"sent": 1, "skipped": 0}[status]
			if !ok || (status != "sent" && status != "skipped") || got[key] != want {
				t.Errorf("%s: row %q (recorded %v), %d messages", key, status, ok, got[key])
			}
		}
	}
	for _, key := range []string{"manager@example.com " + this, "manager2@example.com " + this} {
		if got[key] != 1 {
			t.Errorf("%s: %d messages, want 1 (managers have flags awaiting review)", key, got[key])
		}
	}
	if len(rows) != 2*len(wanting) {
		t.Errorf("%d outbox rows, want %d: %v", len(rows), 2*len(wanting), rows)
	}
	for key, n := range got {
		if n != 1 {
			t.Errorf("%s: %d messages", key, n)
		}
		if strings.HasPrefix(key, "rep2@") || strings.HasPrefix(key, "rep4@") {
			t.Errorf("%s: an opted-out or disabled user got mail", key)
		}
	}
}

// onlyUser leaves one user wanting a digest and returns their email.
func (r *digestRig) onlyUser(email string) {
	r.exec(`UPDATE users SET digest_opt_out = (email <> $1)`, email)
}

type outboxRow struct {
	status, lastError, messageID string
	attempts                     int
	sent                         bool
}

func (r *digestRig) row(email string) outboxRow {
	r.t.Helper()
	var o outboxRow
	err := r.db.Pool.QueryRow(r.ctx, `SELECT g.status, g.last_error, g.message_id, g.attempts, g.sent_at IS NOT NULL
		FROM digests g JOIN users u ON u.id = g.user_id WHERE u.email = $1`, email).
		Scan(&o.status, &o.lastError, &o.messageID, &o.attempts, &o.sent)
	if err != nil {
		r.t.Fatal(err)
	}
	return o
}

// TestDigestJobs_SMTPRefusesForAWhile: the server refuses twice, the job
// retries, and the third attempt delivers one message.
func TestDigestJobs_SMTPRefusesForAWhile(t *testing.T) {
	t.Parallel()
	r := newDigestRig(t)
	r.onlyUser("manager@example.com")
	r.smtp.Faults(mailtest.Refuse, mailtest.HangUp)
	c := r.client(false)
	events, cancel := c.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()
	r.clock.Set(pipeline.WeekOf(time.Now(), time.UTC).Monday.Add(20 * time.Hour))
	r.dispatch(c, events)
	if n := len(r.smtp.To("manager@example.com")); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
	if o := r.row("manager@example.com"); o.status != "sent" || o.attempts != 3 || o.lastError != "" || !o.sent || o.messageID == "" {
		t.Errorf("row: %+v, want sent on the third attempt", o)
	}
}

// TestDigestJobs_SMTPNeverAccepts: every attempt is refused; after the last
// one the row is failed with the server's answer, and nothing was sent.
func TestDigestJobs_SMTPNeverAccepts(t *testing.T) {
	t.Parallel()
	r := newDigestRig(t)
	r.onlyUser("manager@example.com")
	for range jobs.DigestMaxAttempts {
		r.smtp.Faults(mailtest.Refuse)
	}
	c := r.client(false)
	events, cancel := c.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()
	r.clock.Set(pipeline.WeekOf(time.Now(), time.UTC).Monday.Add(20 * time.Hour))
	r.dispatch(c, events)
	o := r.row("manager@example.com")
	if o.status != "failed" || o.attempts != jobs.DigestMaxAttempts || !strings.Contains(o.lastError, "451") || o.sent {
		t.Errorf("row: %+v, want failed after %d attempts with the 451", o, jobs.DigestMaxAttempts)
	}
	if n := len(r.smtp.Messages()); n != 0 {
		t.Errorf("%d messages accepted", n)
	}
	var state string
	if err := r.db.Pool.QueryRow(r.ctx, `SELECT state FROM river_job WHERE kind = 'digest'`).Scan(&state); err != nil || state != "discarded" {
		t.Errorf("job state %q (%v), want discarded", state, err)
	}
}

// TestDigestJobs_TwoClients runs two River clients (as two serve processes
// would) on one database, each dispatching: every digest goes out once.
// Then eight deliveries of one recorded week race outside River: one message.
func TestDigestJobs_TwoClients(t *testing.T) {
	t.Parallel()
	r := newDigestRig(t)
	a, b := r.client(false), r.client(false)
	ea, cancelA := a.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancelA()
	eb, cancelB := b.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancelB()
	merged := make(chan *river.Event)
	go func() {
		for {
			select {
			case ev := <-ea:
				merged <- ev
			case ev := <-eb:
				merged <- ev
			case <-r.ctx.Done():
				return
			}
		}
	}()
	r.clock.Set(pipeline.WeekOf(time.Now(), time.UTC).Monday.Add(20 * time.Hour))
	if _, err := a.Insert(r.ctx, jobs.DigestDispatchArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	r.dispatch(b, merged)
	rows, got := r.rows(), r.received()
	if len(rows) != 7 {
		t.Errorf("%d outbox rows, want one per demo user: %v", len(rows), rows)
	}
	for key, status := range rows {
		if want := map[string]int{"sent": 1}[status]; got[key] != want || (status != "sent" && status != "skipped") {
			t.Errorf("%s: %s with %d messages", key, status, got[key])
		}
	}

	// A week not dispatched yet, delivered by eight workers at once.
	var id int64
	if err := r.db.Pool.QueryRow(r.ctx, `SELECT id FROM users WHERE email = 'manager@example.com'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	const week = "2026-W10"
	outboxOnly := &digest.Service{Store: r.svc.Store, BaseURL: r.svc.BaseURL, Now: r.clock.Now}
	if err := outboxOnly.Deliver(r.ctx, id, week, false); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			<-start
			errs <- r.svc.Deliver(r.ctx, id, week, false)
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := r.received()["manager@example.com "+week]; n != 1 {
		t.Errorf("eight racing deliveries sent %d messages, want 1", n)
	}
}
