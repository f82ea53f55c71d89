package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"goodmoney/internal/postgres"
)

// PruneArgs asks for expired housekeeping rows to be deleted.
type PruneArgs struct{}

// Kind names the job in River's tables.
func (PruneArgs) Kind() string { return "prune" }

// PruneWorker deletes login-failure counters whose window has long passed.
type PruneWorker struct {
	river.WorkerDefaults[PruneArgs]
	DB *postgres.DB
}

// Work deletes the stale rows.
func (w *PruneWorker) Work(ctx context.Context, job *river.Job[PruneArgs]) error {
	_, err := w.DB.Pool.Exec(ctx, `DELETE FROM login_failures WHERE window_start < $1`, w.DB.Now().Add(-24*time.Hour))
	if err != nil {
		return fmt.Errorf("prune login failures: %w", err)
	}
	return nil
}
