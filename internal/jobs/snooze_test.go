package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"goodmoney/internal/jobs"
	"goodmoney/internal/pgtest"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
	"goodmoney/internal/seed"
)

// TestSnooze_BackOnItsDate snoozes a flag until a date and runs the snooze
// job on River with the clock the test holds: the day before, the flag stays
// snoozed; on the date, it is open again.
func TestSnooze_BackOnItsDate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := postgres.NewDB(pgtest.NewDB(t))
	if _, err := seed.Demo(ctx, db); err != nil {
		t.Fatal(err)
	}
	review := postgres.NewReviewService(db, nil)
	var mgr pipeline.Actor
	var flagID int64
	err := db.Pool.QueryRow(ctx, `SELECT u.id, u.org_id, f.id FROM users u, flags f JOIN deals d ON d.id = f.deal_id
		WHERE u.email = 'manager@example.com' AND d.title = 'Acme Logistics — 40 seats' AND f.status = 'open'`).
		Scan(&mgr.UserID, &mgr.OrgID, &flagID)
	if err != nil {
		t.Fatal(err)
	}
	mgr.Role, mgr.TZ = pipeline.RoleManager, "UTC"
	y, m, d := time.Now().UTC().Date()
	until := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 3)
	if err := review.Decide(ctx, mgr, pipeline.DecisionInput{FlagIDs: []int64{flagID}, Decision: pipeline.DecisionSnooze, Until: &until}); err != nil {
		t.Fatal(err)
	}

	var clock atomic.Int64
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	workers := river.NewWorkers()
	river.AddWorker(workers, &jobs.SnoozeWorker{Flags: review, Now: func() time.Time { return time.Unix(0, clock.Load()) }, Logger: logger})
	client, err := jobs.NewClient(riverpgxv5.New(db.Pool), jobs.Config{Logger: logger, Workers: workers, TestOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jobs.Stop(context.Background(), client) })
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()

	status := func() string {
		var s string
		if err := db.Pool.QueryRow(ctx, `SELECT status FROM flags WHERE id = $1`, flagID).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct {
		at   time.Time
		want string
	}{{until.Add(-time.Second), "snoozed"}, {until, "open"}} {
		clock.Store(tc.at.UnixNano())
		if _, err := client.Insert(ctx, jobs.SnoozeArgs{}, nil); err != nil {
			t.Fatal(err)
		}
		waitFor(t, events, map[string]int{"wake_snoozed_flags": 1})
		if got := status(); got != tc.want {
			t.Errorf("at %s the flag is %s, want %s", tc.at.Format(time.RFC3339), got, tc.want)
		}
	}
}
