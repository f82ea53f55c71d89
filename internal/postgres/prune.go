package postgres

import (
	"context"
	"fmt"
	"time"

	"goodmoney/internal/pipeline"
)

// Housekeeping deletes rows whose use has passed; it implements
// pipeline.Housekeeper for the hourly prune job.
type Housekeeping struct{ db *DB }

// NewHousekeeping returns a Housekeeping on db.
func NewHousekeeping(db *DB) *Housekeeping { return &Housekeeping{db: db} }

var _ pipeline.Housekeeper = (*Housekeeping)(nil)

// PruneLoginFailures deletes the failed sign-in counters whose window
// started more than a day ago: no throttle window is that long.
func (h *Housekeeping) PruneLoginFailures(ctx context.Context) error {
	_, err := h.db.Pool.Exec(ctx, `DELETE FROM login_failures WHERE window_start < $1`, h.db.Now().Add(-24*time.Hour))
	if err != nil {
		return wrapConn(fmt.Errorf("prune login failures: %w", err))
	}
	return nil
}

// PruneIdempotencyKeys deletes the idempotency keys of create forms sent
// more than a week ago.
func (h *Housekeeping) PruneIdempotencyKeys(ctx context.Context) error {
	_, err := h.db.Pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, h.db.Now().Add(-7*24*time.Hour))
	if err != nil {
		return wrapConn(fmt.Errorf("prune idempotency keys: %w", err))
	}
	return nil
}
