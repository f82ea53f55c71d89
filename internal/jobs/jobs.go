// Package jobs runs goodmoney's background work on River, the Postgres-backed
// job queue: the periodic rescoring of open deals and, later, digests.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"goodmoney/internal/postgres"
)

// Client is the River client type goodmoney uses.
type Client = river.Client[pgx.Tx]

// Config lists the workers and periodic jobs to run.
type Config struct {
	Logger   *slog.Logger
	Workers  *river.Workers
	Periodic []*river.PeriodicJob
	TestOnly bool // faster leader election, for tests
}

// NewClient returns a River client working the default queue.
func NewClient(pool *pgxpool.Pool, cfg Config) (*Client, error) {
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
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
func Stop(ctx context.Context, c *Client) error {
	if err := c.Stop(ctx); err != nil {
		return fmt.Errorf("stop jobs: %w", err)
	}
	return nil
}

// Register adds every worker to the bundle. rescoreEvery is the period of the
// periodic rescore, within which its per-org jobs are unique.
func Register(workers *river.Workers, db *postgres.DB, logger *slog.Logger, rescoreEvery time.Duration) error {
	scores := postgres.NewScoreService(db)
	if err := river.AddWorkerSafely(workers, &PruneWorker{DB: db}); err != nil {
		return fmt.Errorf("register prune: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &RescoreAllWorker{Scores: scores, Logger: logger}); err != nil {
		return fmt.Errorf("register rescore: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &RescoreScheduleWorker{Scores: scores, Interval: rescoreEvery}); err != nil {
		return fmt.Errorf("register rescore schedule: %w", err)
	}
	return nil
}

// Periodic lists the periodic jobs; River runs them on the elected leader
// only. Every open deal is rescored every rescoreEvery.
func Periodic(rescoreEvery time.Duration) []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return PruneArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		rescorePeriodic(rescoreEvery),
	}
}
