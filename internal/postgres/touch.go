package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
)

// LogTouch records a touch on a deal the actor may write, and rescores the
// deal in the same transaction. An inbound touch on a disqualified deal marks
// it as come back.
func (s *DealService) LogTouch(ctx context.Context, a pipeline.Actor, dealID int64, in pipeline.TouchInput) (*pipeline.Touch, error) {
	if errs := in.Validate(s.db.Now()); errs != nil {
		return nil, pipeline.Invalid(errs)
	}
	t := &pipeline.Touch{DealID: dealID, RepID: a.UserID, Kind: in.Kind, Direction: in.Direction, OccurredAt: in.OccurredAt,
		Outcome: in.Outcome, DurationMin: in.DurationMin, QuoteAmount: in.QuoteAmount, WordCount: in.WordCount(),
		Notes: in.Notes, ContactID: in.ContactID}
	err := s.db.Transact(ctx, func(tx pgx.Tx) error {
		d, err := getDeal(ctx, tx, a, dealID, true)
		if err != nil {
			return err
		}
		t.ProspectID = d.ProspectID
		if in.ContactID != 0 {
			if err := checkContact(ctx, tx, a.OrgID, d.ProspectID, in.ContactID); err != nil {
				return err
			}
		}
		err = tx.QueryRow(ctx, `
			INSERT INTO touches (org_id, deal_id, prospect_id, contact_id, rep_id, kind, direction, occurred_at,
				outcome, duration_min, quote_amount, word_count, notes)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id, created_at`,
			a.OrgID, dealID, d.ProspectID, nullID(in.ContactID), a.UserID, t.Kind, t.Direction, t.OccurredAt,
			t.Outcome, t.DurationMin, t.QuoteAmount, t.WordCount, t.Notes).Scan(&t.ID, &t.CreatedAt)
		if err != nil {
			return fmt.Errorf("insert touch: %w", err)
		}
		// The prospect came back when they wrote after the walk-away; an
		// older reply logged late does not count.
		cameBack := t.Direction == "inbound" && d.Stage == pipeline.StageDisqualified && d.CameBackAt == nil &&
			t.OccurredAt.After(d.StageChangedAt)
		_, err = tx.Exec(ctx, `
			UPDATE deals SET last_touch_at = greatest(last_touch_at, $2),
				came_back_at = CASE WHEN $3 THEN $2 ELSE came_back_at END
			WHERE id = $1`, dealID, t.OccurredAt, cameBack)
		if err != nil {
			return fmt.Errorf("touch deal %d: %w", dealID, err)
		}
		if err := s.rescore(ctx, tx, a.OrgID, dealID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "create", "touch", t.ID, nil, map[string]any{
			"deal_id": dealID, "kind": t.Kind, "direction": t.Direction, "occurred_at": t.OccurredAt, "quote_amount": t.QuoteAmount})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// checkContact refuses a contact that is not at the deal's prospect.
func checkContact(ctx context.Context, q querier, orgID, prospectID, contactID int64) error {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM contacts WHERE id = $1 AND org_id = $2 AND prospect_id = $3)`,
		contactID, orgID, prospectID).Scan(&ok)
	if err != nil {
		return fmt.Errorf("check contact %d: %w", contactID, err)
	}
	if !ok {
		return pipeline.Invalid(map[string]string{"contact_id": "Choose one of this prospect's contacts."})
	}
	return nil
}

// DeleteTouch removes a touch from a deal the actor may write and rescores it.
func (s *DealService) DeleteTouch(ctx context.Context, a pipeline.Actor, dealID, touchID int64) error {
	return s.db.Transact(ctx, func(tx pgx.Tx) error {
		if _, err := getDeal(ctx, tx, a, dealID, true); err != nil {
			return err
		}
		var before map[string]any
		err := tx.QueryRow(ctx, `DELETE FROM touches WHERE id = $1 AND deal_id = $2 AND org_id = $3
			RETURNING jsonb_build_object('kind', kind, 'direction', direction, 'occurred_at', occurred_at, 'notes', notes)`,
			touchID, dealID, a.OrgID).Scan(&before)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("touch")
		} else if err != nil {
			return fmt.Errorf("delete touch %d: %w", touchID, err)
		}
		_, err = tx.Exec(ctx, `UPDATE deals SET last_touch_at = (SELECT max(occurred_at) FROM touches WHERE deal_id = $1) WHERE id = $1`, dealID)
		if err != nil {
			return fmt.Errorf("touch deal %d: %w", dealID, err)
		}
		if err := s.rescore(ctx, tx, a.OrgID, dealID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "delete", "touch", touchID, before, nil)
	})
}
