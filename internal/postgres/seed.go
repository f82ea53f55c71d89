package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/money"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/scoring"
)

// Store-side code only the demo seed uses.

// RewriteStageHistory replaces a deal's stage changes with the walk given
// (stages[i] entered at at[i], by the deal's owner) and sets the deal's
// creation and stage times to match; a closing stage keeps the reasons the
// close gave, and touches the close logged (a walk-away message) are dated
// at it. The demo seed replays its stories
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
		end := at[len(at)-1]
		closed := !pipeline.IsOpenStage(stages[len(stages)-1])
		for i, s := range stages {
			closing := closed && i == len(stages)-1 // keeps the reasons the close gave
			if _, err := tx.Exec(ctx, `INSERT INTO deal_stage_changes (org_id, deal_id, from_stage, to_stage, by_user, at, reasons)
				VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7 THEN (SELECT close_reasons FROM deals WHERE org_id = $1 AND id = $2) ELSE '{}' END)`,
				org, dealID, from, s, owner, at[i], closing); err != nil {
				return fmt.Errorf("stage change of deal %d: %w", dealID, err)
			}
			from = &stages[i]
		}
		if closed {
			// A walk-away message goes out when the deal closes, not when it was seeded.
			if _, err := tx.Exec(ctx, `UPDATE touches SET occurred_at = $3 WHERE deal_id = $1 AND org_id = $2 AND occurred_at > $3`,
				dealID, org, end); err != nil {
				return fmt.Errorf("touches of deal %d: %w", dealID, err)
			}
		}
		_, err := tx.Exec(ctx, `UPDATE deals SET created_at = $3, stage_changed_at = $4,
				last_touch_at = (SELECT max(occurred_at) FROM touches WHERE deal_id = $1 AND org_id = $2)
			WHERE id = $1 AND org_id = $2`,
			dealID, org, at[0], end)
		return err
	})
}

// ClosedDeal is a finished deal the demo seed writes whole, as a year of
// work would have left it: its prospect, its touches and its stage walk.
type ClosedDeal struct {
	OwnerID                 int64
	Prospect, Website       string
	Title, Stage            string
	Amount, ListPrice, Cost money.Cents
	FuturePromise           bool
	CloseReasons            []string
	CameBackAt              *time.Time
	CreatedAt, ClosedAt     time.Time
	Touches                 []ClosedTouch
	Walk                    []StageStep // from the opening stage to the closing one
}

// ClosedTouch is one touch of a ClosedDeal.
type ClosedTouch struct {
	Kind, Direction, Outcome string
	At                       time.Time
	Quote                    *money.Cents
	Words                    *int
}

// StageStep is a stage entered at a time.
type StageStep struct {
	Stage string
	At    time.Time
}

// InsertClosedDeals writes the org's closed deals in one transaction.
func (db *DB) InsertClosedDeals(ctx context.Context, orgID int64, deals []ClosedDeal) error {
	return db.Transact(ctx, func(tx pgx.Tx) error {
		for _, d := range deals {
			if err := insertClosed(ctx, tx, orgID, &d); err != nil {
				return fmt.Errorf("closed deal %s: %w", d.Title, err)
			}
		}
		return nil
	})
}

func insertClosed(ctx context.Context, tx pgx.Tx, orgID int64, d *ClosedDeal) error {
	var prospectID int64
	err := tx.QueryRow(ctx, `INSERT INTO prospects (org_id, name, website, owner_id, search) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		orgID, d.Prospect, d.Website, d.OwnerID, strings.ToLower(d.Prospect)).Scan(&prospectID)
	if err != nil {
		return err
	}
	// A walk-away records the time the deal had taken, as Disqualify does.
	var freed *int
	if d.Stage == pipeline.StageDisqualified {
		n := 0
		for _, t := range d.Touches {
			if t.At.Before(d.ClosedAt) {
				n += scoring.TouchMinutes(t.Kind, nil)
			}
		}
		freed = &n
	}
	var dealID int64
	err = tx.QueryRow(ctx, `INSERT INTO deals (org_id, prospect_id, owner_id, title, stage, amount, list_price, cost, currency,
			future_promise, close_reasons, came_back_at, created_at, stage_changed_at, updated_at, last_touch_at, freed_minutes)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'USD', $9, $10, $11, $12, $13, $13, $13, $14) RETURNING id`,
		orgID, prospectID, d.OwnerID, d.Title, d.Stage, d.Amount, d.ListPrice, d.Cost, d.FuturePromise, d.CloseReasons,
		d.CameBackAt, d.CreatedAt, d.ClosedAt, freed).Scan(&dealID)
	if err != nil {
		return err
	}
	rows := make([][]any, len(d.Touches))
	for n, t := range d.Touches {
		rows[n] = []any{orgID, dealID, prospectID, d.OwnerID, t.Kind, t.Direction, t.At, t.Outcome, t.Quote, t.Words}
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"touches"},
		[]string{"org_id", "deal_id", "prospect_id", "rep_id", "kind", "direction", "occurred_at", "outcome", "quote_amount", "word_count"},
		pgx.CopyFromRows(rows))
	if err != nil {
		return err
	}
	var from *string
	for n, st := range d.Walk {
		reasons := []string{}
		if n == len(d.Walk)-1 && !pipeline.IsOpenStage(st.Stage) {
			reasons = d.CloseReasons // the close records why, as CloseDeal does
		}
		if _, err := tx.Exec(ctx, `INSERT INTO deal_stage_changes (org_id, deal_id, from_stage, to_stage, by_user, at, reasons)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, orgID, dealID, from, st.Stage, d.OwnerID, st.At, reasons); err != nil {
			return err
		}
		from = &d.Walk[n].Stage
	}
	return nil
}
