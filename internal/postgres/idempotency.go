package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
)

// claimKey reserves an idempotency key for a create of kind by the actor,
// inside the create's transaction. If the key was claimed before, it
// returns the id of the record made then (replay true) and the caller
// returns that record instead of making another. A second claim of a key
// whose first transaction is still open waits for it (the primary key's
// lock), so two sends at once also make one record. An empty key claims
// nothing.
func claimKey(ctx context.Context, tx pgx.Tx, a pipeline.Actor, kind, key string) (id int64, replay bool, err error) {
	if key == "" {
		return 0, false, nil
	}
	tag, err := tx.Exec(ctx, `
		INSERT INTO idempotency_keys (user_id, key, org_id, kind) VALUES ($1, $2, $3, $4)
		ON CONFLICT (org_id, user_id, key) DO NOTHING`, a.UserID, key, a.OrgID, kind)
	if err != nil {
		return 0, false, fmt.Errorf("claim idempotency key: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return 0, false, nil
	}
	var claimed string
	var recordID *int64
	err = tx.QueryRow(ctx, `SELECT kind, record_id FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND org_id = $3`,
		a.UserID, key, a.OrgID).Scan(&claimed, &recordID)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (claimed != kind || recordID == nil)) {
		return 0, false, pipeline.Errorf(pipeline.ECONFLICT, "This form was already sent. Reload the page and try again.")
	} else if err != nil {
		return 0, false, fmt.Errorf("read idempotency key: %w", err)
	}
	return *recordID, true, nil
}

// keyRecord ties a claimed key to the record the create made.
func keyRecord(ctx context.Context, tx pgx.Tx, a pipeline.Actor, key string, id int64) error {
	if key == "" {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE idempotency_keys SET record_id = $3 WHERE user_id = $1 AND key = $2 AND org_id = $4`, a.UserID, key, id, a.OrgID); err != nil {
		return fmt.Errorf("record idempotency key: %w", err)
	}
	return nil
}
