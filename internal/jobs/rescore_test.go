package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"goodmoney/internal/jobs"
	"goodmoney/internal/pgtest"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
	"goodmoney/internal/scoring"
	"goodmoney/internal/seed"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// start runs a River client with goodmoney's workers on a fresh database
// seeded with the demo org; periodic jobs are left out so tests insert jobs
// themselves.
func start(t *testing.T) (*postgres.DB, *river.Client[pgx.Tx], int64) {
	t.Helper()
	ctx := context.Background()
	db := postgres.NewDB(pgtest.NewDB(t))
	if _, err := seed.Demo(ctx, db); err != nil {
		t.Fatal(err)
	}
	var orgID int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM orgs`).Scan(&orgID); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	workers := river.NewWorkers()
	if err := jobs.Register(workers, jobs.Services{Scores: postgres.NewScoreService(db), Housekeeping: postgres.NewHousekeeping(db),
		Snoozes: postgres.NewReviewService(db, nil), Now: db.Now, Logger: logger}, time.Hour); err != nil {
		t.Fatal(err)
	}
	client, err := jobs.NewClient(riverpgxv5.New(db.Pool), jobs.Config{Logger: logger, Workers: workers, TestOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jobs.Stop(context.Background(), client) })
	return db, client, orgID
}

// waitFor waits until the given numbers of jobs of each kind have
// completed, failing on a failure.
func waitFor(t *testing.T, events <-chan *river.Event, want map[string]int) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for left := len(want); left > 0; {
		select {
		case ev := <-events:
			if ev.Kind != river.EventKindJobCompleted {
				t.Fatalf("job %s: %s %v", ev.Job.Kind, ev.Kind, ev.Job.Errors)
			}
			if want[ev.Job.Kind]--; want[ev.Job.Kind] == 0 {
				left--
			}
		case <-timeout:
			t.Fatalf("jobs still to complete: %v", want)
		}
	}
}

// TestRescore_SavedRulesAreApplied saves rules through the ScoreService
// with the River hook, as the server does: the job is enqueued with the
// rules and rescores every open deal with them.
func TestRescore_SavedRulesAreApplied(t *testing.T) {
	t.Parallel()
	db, client, orgID := start(t)
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()
	scores := postgres.NewScoreService(db)
	scores.Queue = jobs.RescoreQueue[pgx.Tx]{Client: client}
	admin := pipeline.Actor{OrgID: orgID, Role: pipeline.RoleAdmin}
	r := scoring.DefaultRules()
	r.FlagFrom = 30
	saved, err := scores.SaveRules(context.Background(), admin, r)
	if err != nil || !saved.Queued || saved.Version != 1 {
		t.Fatalf("save: %+v, %v; want version 1 queued", saved, err)
	}
	waitFor(t, events, map[string]int{jobs.RescoreAllArgs{}.Kind(): 1})
	var stale, lowFlagged, maxAttempts int
	err = db.Pool.QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE s.rules_version <> 1),
			count(*) FILTER (WHERE s.points >= 30 AND s.band <> 'not_good_money'),
			(SELECT max(max_attempts) FROM river_job WHERE kind = 'rescore_all')
		FROM deals d JOIN deal_scores s ON s.deal_id = d.id
		WHERE d.stage IN ('lead', 'qualified', 'proposal', 'negotiation')`).Scan(&stale, &lowFlagged, &maxAttempts)
	if err != nil || stale != 0 || lowFlagged != 0 || maxAttempts != 5 {
		t.Errorf("after the job: %d deals on old rules, %d at 30+ points not flagged, max attempts %d (%v)", stale, lowFlagged, maxAttempts, err)
	}
}

// TestRescore_ScheduleOncePerPeriod runs the periodic fan-out twice in one
// period, as a restart or a second serve process would: each org gets one
// rescore.
func TestRescore_ScheduleOncePerPeriod(t *testing.T) {
	t.Parallel()
	db, client, _ := start(t)
	ctx := context.Background()
	if _, err := postgres.NewOrgService(db).CreateOrg(ctx, pipeline.Org{Name: "Second org"}); err != nil {
		t.Fatal(err)
	}
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()
	if _, err := client.Insert(ctx, jobs.RescoreScheduleArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, events, map[string]int{jobs.RescoreScheduleArgs{}.Kind(): 1, jobs.RescoreAllArgs{}.Kind(): 2})
	if _, err := client.Insert(ctx, jobs.RescoreScheduleArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, events, map[string]int{jobs.RescoreScheduleArgs{}.Kind(): 1})
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'rescore_all'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d rescores enqueued by two schedules in one period for two orgs, want 2", n)
	}
}
