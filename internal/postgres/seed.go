package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Store-side code only the demo seed uses.

// RewriteStageHistory replaces a deal's stage changes with the walk given
// (stages[i] entered at at[i], by the deal's owner) and sets the deal's
// creation and stage times to match. The demo seed replays its stories
// through the services, which stamp both with the time of seeding.
func (db *DB) RewriteStageHistory(ctx context.Context, dealID int64, stages []string, at []time.Time) error {
	if len(stages) == 0 || len(stages) != len(at) {
		return fmt.Errorf("stage history of deal %d: %d stages for %d times", dealID, len(stages), len(at))
	}
	return db.Transact(ctx, func(tx pgx.Tx) error {
		var owner, org int64
		if err := tx.QueryRow(ctx, `SELECT owner_id, org_id FROM deals WHERE id = $1`, dealID).Scan(&owner, &org); err != nil {
			return fmt.Errorf("deal %d: %w", dealID, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM deal_stage_changes WHERE deal_id = $1 AND org_id = $2`, dealID, org); err != nil {
			return err
		}
		var from *string
		for i, s := range stages {
			if _, err := tx.Exec(ctx, `INSERT INTO deal_stage_changes (org_id, deal_id, from_stage, to_stage, by_user, at)
				VALUES ($1, $2, $3, $4, $5, $6)`, org, dealID, from, s, owner, at[i]); err != nil {
				return fmt.Errorf("stage change of deal %d: %w", dealID, err)
			}
			from = &stages[i]
		}
		_, err := tx.Exec(ctx, `UPDATE deals SET created_at = $3, stage_changed_at = $4 WHERE id = $1 AND org_id = $2`,
			dealID, org, at[0], at[len(at)-1])
		return err
	})
}
