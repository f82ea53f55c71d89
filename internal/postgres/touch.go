package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
	"goodmoney/internal/scoring"
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
		id, replay, err := claimKey(ctx, tx, a, "touch", in.Key)
		if err != nil {
			return err
		} else if replay {
			t.ID = id
			return nil
		}
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
		cameBack := d.CameBack(t)
		_, err = tx.Exec(ctx, `
			UPDATE deals SET last_touch_at = greatest(last_touch_at, $2),
				came_back_at = CASE WHEN $3 THEN $2 ELSE came_back_at END
			WHERE org_id = $4 AND id = $1`, dealID, t.OccurredAt, cameBack, a.OrgID)
		if err != nil {
			return fmt.Errorf("touch deal %d: %w", dealID, err)
		}
		before := s.db.Now()
		if err := s.rescore(ctx, tx, a.OrgID, dealID); err != nil {
			return err
		}
		if d.Band == string(scoring.BandNotGoodMoney) { // only a flagged deal can be resolved by it
			if err := noteResolvingTouch(ctx, tx, a.OrgID, dealID, t.ID, before); err != nil {
				return err
			}
		}
		if err := keyRecord(ctx, tx, a, in.Key, t.ID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "create", "touch", t.ID, nil, touchAudit(t))
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// noteResolvingTouch records on the flag that the rescore after this touch
// resolved (the deal left the band) which touch did it, for the flag history.
func noteResolvingTouch(ctx context.Context, tx pgx.Tx, orgID, dealID, touchID int64, since time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE flags SET resolved_by_touch = $1
		WHERE deal_id = $2 AND org_id = $3 AND status = 'resolved' AND resolved_by_touch IS NULL AND decided_at >= $4`,
		touchID, dealID, orgID, since)
	if err != nil {
		return fmt.Errorf("flag resolved by touch %d: %w", touchID, err)
	}
	return nil
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
		before, err := scanTouch(tx.QueryRow(ctx, `DELETE FROM touches t WHERE t.id = $1 AND t.deal_id = $2 AND t.org_id = $3
			RETURNING `+touchColumns, touchID, dealID, a.OrgID))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("touch")
		} else if err != nil {
			return fmt.Errorf("delete touch %d: %w", touchID, err)
		}
		if err := s.touchesChanged(ctx, tx, a.OrgID, dealID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "delete", "touch", touchID, touchAudit(before), nil)
	})
}

// touchColumns are read by scanTouch, from touches t.
const touchColumns = `t.id, t.deal_id, t.prospect_id, coalesce(t.contact_id, 0), t.rep_id, t.kind, t.direction,
	t.occurred_at, t.outcome, t.duration_min, t.quote_amount, t.word_count, t.notes, t.created_at`

func scanTouch(row pgx.Row) (*pipeline.Touch, error) {
	var t pipeline.Touch
	err := row.Scan(&t.ID, &t.DealID, &t.ProspectID, &t.ContactID, &t.RepID, &t.Kind, &t.Direction,
		&t.OccurredAt, &t.Outcome, &t.DurationMin, &t.QuoteAmount, &t.WordCount, &t.Notes, &t.CreatedAt)
	return &t, err
}

// Touch returns a touch of a deal the actor may read.
func (s *DealService) Touch(ctx context.Context, a pipeline.Actor, dealID, touchID int64) (*pipeline.Touch, error) {
	var t *pipeline.Touch
	err := s.db.Transact(ctx, func(tx pgx.Tx) error {
		d, err := getDeal(ctx, tx, a, dealID, false)
		if err != nil {
			return err
		}
		t, err = scanTouch(tx.QueryRow(ctx, `SELECT `+touchColumns+` FROM touches t WHERE t.id = $1 AND t.deal_id = $2 AND t.org_id = $3`,
			touchID, dealID, a.OrgID))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("touch")
		} else if err != nil {
			return fmt.Errorf("touch %d: %w", touchID, err)
		}
		t.DealTitle = d.Title
		return nil
	})
	return t, err
}

// UpdateTouch corrects a touch of a deal the actor may write: what it was,
// when, with whom and what came of it. Who logged it stays. The deal's last
// touch and its score are brought up to date in the same transaction, and
// the change is audited with the values before and after.
func (s *DealService) UpdateTouch(ctx context.Context, a pipeline.Actor, dealID, touchID int64, in pipeline.TouchInput) (*pipeline.Touch, error) {
	if errs := in.Validate(s.db.Now()); errs != nil {
		return nil, pipeline.Invalid(errs)
	}
	var t *pipeline.Touch
	err := s.db.Transact(ctx, func(tx pgx.Tx) error {
		d, err := getDeal(ctx, tx, a, dealID, true)
		if err != nil {
			return err
		}
		if in.ContactID != 0 {
			if err := checkContact(ctx, tx, a.OrgID, d.ProspectID, in.ContactID); err != nil {
				return err
			}
		}
		before, err := scanTouch(tx.QueryRow(ctx, `SELECT `+touchColumns+` FROM touches t
			WHERE t.id = $1 AND t.deal_id = $2 AND t.org_id = $3 FOR UPDATE`, touchID, dealID, a.OrgID))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("touch")
		} else if err != nil {
			return fmt.Errorf("touch %d: %w", touchID, err)
		}
		t, err = scanTouch(tx.QueryRow(ctx, `
			UPDATE touches t SET kind = $2, direction = $3, occurred_at = $4, outcome = $5, duration_min = $6,
				quote_amount = $7, word_count = $8, notes = $9, contact_id = $10
			WHERE t.org_id = $11 AND t.id = $1 RETURNING `+touchColumns,
			touchID, in.Kind, in.Direction, in.OccurredAt, in.Outcome, in.DurationMin, in.QuoteAmount,
			in.WordCount(), in.Notes, nullID(in.ContactID), a.OrgID))
		if err != nil {
			return fmt.Errorf("update touch %d: %w", touchID, err)
		}
		if err := s.touchesChanged(ctx, tx, a.OrgID, dealID); err != nil {
			return err
		}
		t.DealTitle = d.Title
		return audit(ctx, tx, a, "update", "touch", touchID, touchAudit(before), touchAudit(t))
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// touchesChanged brings a deal up to date after a touch was corrected or
// removed: its last touch, and its score. Updating the deal row also tells
// a full rescore running meanwhile that the deal changed (see score_all.go).
func (s *DealService) touchesChanged(ctx context.Context, tx pgx.Tx, orgID, dealID int64) error {
	_, err := tx.Exec(ctx, `UPDATE deals SET last_touch_at = (SELECT max(occurred_at) FROM touches WHERE deal_id = $1 AND org_id = $2)
		WHERE org_id = $2 AND id = $1`, dealID, orgID)
	if err != nil {
		return fmt.Errorf("touch deal %d: %w", dealID, err)
	}
	return s.rescore(ctx, tx, orgID, dealID)
}

// touchAudit is the part of a touch kept in audit events.
func touchAudit(t *pipeline.Touch) map[string]any {
	return map[string]any{"deal_id": t.DealID, "kind": t.Kind, "direction": t.Direction, "occurred_at": t.OccurredAt,
		"outcome": t.Outcome, "contact_id": t.ContactID, "quote_amount": t.QuoteAmount, "duration_min": t.DurationMin, "notes": t.Notes}
}
