package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"goodmoney/internal/pipeline"
)

// DefaultRescoreInterval is how often every open deal is rescored when
// RESCORE_INTERVAL is not set: time passing alone raises unresponsive.
const DefaultRescoreInterval = 24 * time.Hour

// rescoreMaxAttempts caps retries: a rescore that failed five times needs a
// person, and the next periodic run tries again anyway.
const rescoreMaxAttempts = 5

// RescoreAllArgs asks for every open deal of one org to be rescored. Saving
// new scoring rules inserts one in the transaction that saves them (see
// RescoreQueue); those are not unique: rules saved twice in a day
// are rescored twice.
type RescoreAllArgs struct {
	OrgID int64 `json:"org_id"`
}

// Kind names the job in River's tables.
func (RescoreAllArgs) Kind() string { return "rescore_all" }

// InsertOpts caps the attempts of every rescore, however it was enqueued.
func (RescoreAllArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: rescoreMaxAttempts}
}

// RescoreAllWorker runs Rescorer.RescoreAll.
type RescoreAllWorker struct {
	river.WorkerDefaults[RescoreAllArgs]
	Scores  pipeline.Rescorer
	Logger  *slog.Logger
	Metrics Metrics
}

// Timeout lifts River's one-minute default: a large org takes longer, and a
// rescore cut off halfway leaves nothing wrong, only work undone.
func (w *RescoreAllWorker) Timeout(*river.Job[RescoreAllArgs]) time.Duration { return time.Hour }

// Work rescores the org and logs the figures.
func (w *RescoreAllWorker) Work(ctx context.Context, job *river.Job[RescoreAllArgs]) error {
	st, err := w.Scores.RescoreAll(ctx, job.Args.OrgID)
	if err != nil {
		return err
	}
	w.Metrics.ObserveRescore(st.Duration)
	w.Logger.Info("rescored open deals", "org", job.Args.OrgID, "deals", st.Deals, "flagged", st.Flagged,
		"changed", st.Written, "flags_opened", st.Opened, "flags_resolved", st.Resolved,
		"revisited", st.Revisited, "duration", st.Duration)
	return nil
}

// RescoreScheduleArgs is the periodic job that fans out one RescoreAll per org.
type RescoreScheduleArgs struct{}

// Kind names the job in River's tables.
func (RescoreScheduleArgs) Kind() string { return "rescore_schedule" }

// RescoreScheduleWorker enqueues a RescoreAll for every org, unique per org
// and period, so a restart or a second serve process in the same period
// adds nothing.
type RescoreScheduleWorker struct {
	river.WorkerDefaults[RescoreScheduleArgs]
	Scores   pipeline.Rescorer
	Interval time.Duration
}

// Work enqueues the per-org rescores.
func (w *RescoreScheduleWorker) Work(ctx context.Context, job *river.Job[RescoreScheduleArgs]) error {
	orgs, err := w.Scores.OrgIDs(ctx)
	if err != nil || len(orgs) == 0 {
		return err
	}
	client, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return fmt.Errorf("rescore schedule: %w", err)
	}
	params := make([]river.InsertManyParams, len(orgs))
	for i, id := range orgs {
		params[i] = river.InsertManyParams{Args: RescoreAllArgs{OrgID: id}, InsertOpts: uniquePerPeriod(w.Interval)}
	}
	if _, err := client.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("enqueue rescores: %w", err)
	}
	return nil
}

// uniquePerPeriod makes a job unique by its arguments within one period.
func uniquePerPeriod(period time.Duration) *river.InsertOpts {
	return &river.InsertOpts{
		MaxAttempts: rescoreMaxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByPeriod: period},
	}
}

// rescorePeriodic runs the schedule every interval, and once at start so a
// fresh install or a long outage does not wait a day.
func rescorePeriodic(interval time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return RescoreScheduleArgs{}, uniquePerPeriod(interval) },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// RescoreQueue puts a RescoreAll for an org on the queue inside the caller's
// transaction, so the job exists exactly when the change that called for it
// (new scoring rules) is committed. It is generic over River's transaction
// type so that this package need not name the database driver's;
// RescoreQueue[pgx.Tx] is a postgres.RescoreQueue.
type RescoreQueue[TTx any] struct {
	Client *river.Client[TTx]
}

// EnqueueRescore inserts the job in tx.
func (q RescoreQueue[TTx]) EnqueueRescore(ctx context.Context, tx TTx, orgID int64) error {
	_, err := q.Client.InsertTx(ctx, tx, RescoreAllArgs{OrgID: orgID}, nil)
	return err
}
