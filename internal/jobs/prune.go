package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"goodmoney/internal/pipeline"
)

// PruneArgs asks for expired housekeeping rows to be deleted.
type PruneArgs struct{}

// Kind names the job in River's tables.
func (PruneArgs) Kind() string { return "prune" }

// PruneWorker deletes login-failure counters whose window has long passed
// and idempotency keys older than a week.
type PruneWorker struct {
	river.WorkerDefaults[PruneArgs]
	Housekeeping pipeline.Housekeeper
}

// Work deletes the stale rows.
func (w *PruneWorker) Work(ctx context.Context, job *river.Job[PruneArgs]) error {
	if err := w.Housekeeping.PruneLoginFailures(ctx); err != nil {
		return err
	}
	return w.Housekeeping.PruneIdempotencyKeys(ctx)
}
