package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"goodmoney/internal/pipeline"
)

// DigestMaxAttempts caps a digest's tries: with digestBackoff the last is
// about an hour and a half after the first, still Monday morning.
const DigestMaxAttempts = 6

// DigestArgs asks for one user's digest of one ISO week.
type DigestArgs struct {
	UserID int64  `json:"user_id"`
	Week   string `json:"week"`
}

// Kind names the job in River's tables.
func (DigestArgs) Kind() string { return "digest" }

// InsertOpts makes a digest job unique per (user, week) among the jobs
// River keeps, and caps its attempts. Uniqueness here only saves work: the
// outbox row is what stops a second message (River deletes finished jobs
// after a day).
func (DigestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: DigestMaxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// DigestWorker builds, records and sends one digest.
type DigestWorker struct {
	river.WorkerDefaults[DigestArgs]
	Digests pipeline.DigestService
	// Backoff is the wait before retry n (1-based); nil is digestBackoff.
	Backoff func(attempt int) time.Duration
	// Metrics records how long each delivery took; nil records nothing.
	Metrics Metrics
}

// Work delivers the digest; the last attempt marks a failure final.
func (w *DigestWorker) Work(ctx context.Context, job *river.Job[DigestArgs]) error {
	start := time.Now()
	err := w.Digests.Deliver(ctx, job.Args.UserID, job.Args.Week, job.Attempt >= job.MaxAttempts)
	if w.Metrics != nil {
		w.Metrics.ObserveDigest(time.Since(start))
	}
	return err
}

// NextRetry spaces retries out: 1, 4, 9, 16, 25 minutes.
func (w *DigestWorker) NextRetry(job *river.Job[DigestArgs]) time.Time {
	backoff := w.Backoff
	if backoff == nil {
		backoff = digestBackoff
	}
	return time.Now().Add(backoff(job.Attempt))
}

func digestBackoff(attempt int) time.Duration { return time.Duration(attempt*attempt) * time.Minute }

// DigestDispatchArgs is the hourly job that enqueues the digests now due.
type DigestDispatchArgs struct{}

// Kind names the job in River's tables.
func (DigestDispatchArgs) Kind() string { return "digest_dispatch" }

// DigestDispatchWorker enqueues one DigestArgs per user whose Monday 07:00
// has come in their timezone and whose week has no outbox row yet. A
// machine that was down on Monday catches up on its next run that week.
type DigestDispatchWorker struct {
	river.WorkerDefaults[DigestDispatchArgs]
	Digests pipeline.DigestService
	Now     func() time.Time
}

// Work enqueues the due digests.
func (w *DigestDispatchWorker) Work(ctx context.Context, job *river.Job[DigestDispatchArgs]) error {
	now := time.Now()
	if w.Now != nil {
		now = w.Now()
	}
	due, err := w.Digests.Due(ctx, now)
	if err != nil || len(due) == 0 {
		return err
	}
	client, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return fmt.Errorf("digest dispatch: %w", err)
	}
	params := make([]river.InsertManyParams, len(due))
	for i, d := range due {
		params[i] = river.InsertManyParams{Args: DigestArgs{UserID: d.UserID, Week: d.Week}}
	}
	if _, err := client.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("enqueue digests: %w", err)
	}
	return nil
}

// RegisterDigests adds the digest workers to the bundle; now is the clock
// the dispatcher reads (tests drive it); m (nil: none) records how long each
// digest took.
func RegisterDigests(workers *river.Workers, digests pipeline.DigestService, now func() time.Time, m Metrics) error {
	if err := river.AddWorkerSafely(workers, &DigestWorker{Digests: digests, Metrics: m}); err != nil {
		return fmt.Errorf("register digest: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &DigestDispatchWorker{Digests: digests, Now: now}); err != nil {
		return fmt.Errorf("register digest dispatch: %w", err)
	}
	return nil
}

// DigestPeriodic runs the dispatcher every hour, and at start so a restart
// on Monday morning does not wait an hour.
func DigestPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) {
			return DigestDispatchArgs{}, &river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
		},
		&river.PeriodicJobOpts{RunOnStart: true})
}
