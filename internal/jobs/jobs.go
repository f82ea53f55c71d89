// Package jobs runs goodmoney's background work on River, the Postgres-backed
// job queue: the periodic rescoring of open deals and, later, digests. The
// workers call domain services (pipeline); cmd/goodmoney builds the River
// client on the database and hands them the same services as the server.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"

	"goodmoney/internal/pipeline"
)

// Services are what the workers call.
type Services struct {
	Scores       pipeline.Rescorer
	Housekeeping pipeline.Housekeeper
	Snoozes      pipeline.SnoozeWaker
	Now          func() time.Time // the clock snoozes are read against
	Logger       *slog.Logger
	Metrics      Metrics // nil: none
}

// Metrics records what the jobs measure; package metrics implements it.
// Digest workers call ObserveDigest with the time one digest took.
type Metrics interface {
	ObserveRescore(d time.Duration)
	ObserveDigest(d time.Duration)
	ObserveJob(kind, outcome string, run time.Duration)
}

// noMetrics records nothing.
type noMetrics struct{}

func (noMetrics) ObserveRescore(time.Duration)             {}
func (noMetrics) ObserveDigest(time.Duration)              {}
func (noMetrics) ObserveJob(string, string, time.Duration) {}

// Config lists the workers and periodic jobs to run.
type Config struct {
	Logger   *slog.Logger
	Workers  *river.Workers
	Periodic []*river.PeriodicJob
	TestOnly bool // faster leader election, for tests
}

// NewClient returns a River client working the default queue, four jobs at
// a time, on the database behind driver (riverpgxv5 in cmd/goodmoney).
func NewClient[TTx any](driver riverdriver.Driver[TTx], cfg Config) (*river.Client[TTx], error) {
	client, err := river.NewClient(driver, &river.Config{
		Logger:       cfg.Logger,
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:      cfg.Workers,
		PeriodicJobs: cfg.Periodic,
		TestOnly:     cfg.TestOnly,
	})
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return client, nil
}

// Stop lets running jobs finish, then stops the client.
func Stop[TTx any](ctx context.Context, c *river.Client[TTx]) error {
	if err := c.Stop(ctx); err != nil {
		return fmt.Errorf("stop jobs: %w", err)
	}
	return nil
}

// Register adds every worker to the bundle. rescoreEvery is the period of the
// periodic rescore, within which its per-org jobs are unique.
func Register(workers *river.Workers, s Services, rescoreEvery time.Duration) error {
	if s.Metrics == nil {
		s.Metrics = noMetrics{}
	}
	if err := river.AddWorkerSafely(workers, &PruneWorker{Housekeeping: s.Housekeeping}); err != nil {
		return fmt.Errorf("register prune: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &RescoreAllWorker{Scores: s.Scores, Logger: s.Logger, Metrics: s.Metrics}); err != nil {
		return fmt.Errorf("register rescore: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &RescoreScheduleWorker{Scores: s.Scores, Interval: rescoreEvery}); err != nil {
		return fmt.Errorf("register rescore schedule: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &SnoozeWorker{Flags: s.Snoozes, Now: s.Now, Logger: s.Logger}); err != nil {
		return fmt.Errorf("register snooze: %w", err)
	}
	return nil
}

// Report records every finished job run (completed, failed, cancelled or
// snoozed) in m until the client stops. Call it after Start.
func Report[TTx any](c *river.Client[TTx], m Metrics) {
	events, cancel := c.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobCancelled, river.EventKindJobSnoozed)
	stopped := c.Stopped()
	go func() {
		defer cancel()
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					return
				}
				var run time.Duration
				if ev.JobStats != nil {
					run = ev.JobStats.RunDuration
				}
				m.ObserveJob(ev.Job.Kind, strings.TrimPrefix(string(ev.Kind), "job_"), run)
			case <-stopped:
				return
			}
		}
	}()
}

// Periodic lists the periodic jobs; River runs them on the elected leader
// only. Every open deal is rescored every rescoreEvery; snoozed flags are
// checked every SnoozeEvery.
func Periodic(rescoreEvery time.Duration) []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return PruneArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		rescorePeriodic(rescoreEvery),
		snoozePeriodic(),
	}
}
