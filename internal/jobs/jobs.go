// Package jobs runs goodmoney's background work on River, the Postgres-backed
// job queue: the periodic rescoring of open deals and, later, digests.
package jobs

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
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
