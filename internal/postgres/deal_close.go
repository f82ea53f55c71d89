package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
	"goodmoney/internal/scoring"
)

var _ pipeline.DealCloser = (*DealService)(nil)

// errAlreadyClosed answers a close of a deal that is not open.
func errAlreadyClosed(field string) error {
	return pipeline.Invalid(map[string]string{field: "This deal is already closed. Reopen it first if it is live again."})
}

// CloseDeal closes an open deal as won or lost with its reasons, records the
// score it had, and audits the close.
func (s *DealService) CloseDeal(ctx context.Context, a pipeline.Actor, id int64, in pipeline.CloseInput) (*pipeline.Deal, error) {
	var d *pipeline.Deal
	err := s.db.Transact(ctx, func(tx pgx.Tx) error {
		before, err := getDeal(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		if errs := in.Validate(); errs != nil { // after the scope check: a deal not yours is 404 whatever you sent
			return pipeline.Invalid(errs)
		}
		if !before.IsOpen() {
			return errAlreadyClosed("outcome")
		}
		if err := s.closeAs(ctx, tx, a, before, in.Outcome, in.Reasons, in.Note, nil); err != nil {
			return err
		}
		if d, err = getDeal(ctx, tx, a, id, false); err != nil {
			return err
		}
		return audit(ctx, tx, a, "close", "deal", id, map[string]any{"stage": before.Stage},
			map[string]any{"stage": d.Stage, "reasons": in.Reasons, "note": in.Note})
	})
	return d, err
}

// closeAs moves a locked open deal to a closed stage with its reasons, keeps
// its score of the moment, and rescores it (which resolves an open flag).
func (s *DealService) closeAs(ctx context.Context, tx pgx.Tx, a pipeline.Actor, d *pipeline.Deal, stage string, reasons []string, note string, freed *int) error {
	now := s.db.Now()
	_, err := tx.Exec(ctx, `
		UPDATE deals SET close_reasons = $2, close_note = $3, freed_minutes = $4,
			closed_points = (SELECT s.points FROM deal_scores s WHERE s.org_id = $5 AND s.deal_id = $1)
		WHERE org_id = $5 AND id = $1`, d.ID, reasons, note, freed, d.OrgID)
	if err != nil {
		return fmt.Errorf("close deal %d: %w", d.ID, err)
	}
	if err := changeStage(ctx, tx, a, d, stage, now); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE deal_stage_changes SET reasons = $2, note = $3
		WHERE org_id = $4 AND id = (SELECT max(id) FROM deal_stage_changes WHERE deal_id = $1 AND org_id = $4)`, d.ID, reasons, note, d.OrgID)
	if err != nil {
		return fmt.Errorf("close deal %d: reasons: %w", d.ID, err)
	}
	return s.rescore(ctx, tx, a.OrgID, d.ID)
}

// Disqualify walks away from an open deal the actor may write (see
// pipeline.DealCloser).
func (s *DealService) Disqualify(ctx context.Context, a pipeline.Actor, id int64, in pipeline.WalkAwayInput) (*pipeline.Deal, error) {
	var d *pipeline.Deal
	err := s.db.Transact(ctx, func(tx pgx.Tx) error {
		before, err := getDeal(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		if errs := in.Validate(); errs != nil {
			return pipeline.Invalid(errs)
		}
		if !before.IsOpen() {
			return errAlreadyClosed("reasons")
		}
		if err := s.walkAway(ctx, tx, a, before, in); err != nil {
			return err
		}
		d, err = getDeal(ctx, tx, a, id, false)
		return err
	})
	return d, err
}

// walkAway disqualifies a locked open deal: the message goes on the timeline
// as an outbound email to the deal's first contact, the time the deal took
// is recorded as freed, the flag asking about it closes as disqualified
// with the note, and the deal closes with its reasons. Audited.
func (s *DealService) walkAway(ctx context.Context, tx pgx.Tx, a pipeline.Actor, d *pipeline.Deal, in pipeline.WalkAwayInput) error {
	now := s.db.Now()
	freed, err := effortMinutes(ctx, tx, a.OrgID, d.ID)
	if err != nil {
		return err
	}
	var touchID int64
	err = tx.QueryRow(ctx, `
		INSERT INTO touches (org_id, deal_id, prospect_id, contact_id, rep_id, kind, direction, occurred_at, notes)
		VALUES ($1, $2, $3, (SELECT min(id) FROM contacts WHERE prospect_id = $3 AND org_id = $1), $4, 'email', 'outbound', $5, $6)
		RETURNING id`, a.OrgID, d.ID, d.ProspectID, a.UserID, now, in.Message).Scan(&touchID)
	if err != nil {
		return fmt.Errorf("walk-away touch on deal %d: %w", d.ID, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE deals SET last_touch_at = greatest(last_touch_at, $2) WHERE org_id = $3 AND id = $1`, d.ID, now, d.OrgID); err != nil {
		return fmt.Errorf("walk-away touch on deal %d: %w", d.ID, err)
	}
	note := in.Note
	if note == "" {
		note = "Walked away."
	}
	var flagID *int64
	err = tx.QueryRow(ctx, `UPDATE flags SET status = 'disqualified', decided_by = $3, decided_at = $4, note = $5
		WHERE deal_id = $1 AND org_id = $2 AND status IN ('open', 'snoozed') RETURNING id`,
		d.ID, a.OrgID, nullID(a.UserID), now, note).Scan(&flagID)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("close flag of deal %d: %w", d.ID, err)
	}
	if err := s.closeAs(ctx, tx, a, d, pipeline.StageDisqualified, in.Reasons, in.Note, &freed); err != nil {
		return err
	}
	return audit(ctx, tx, a, "disqualify", "deal", d.ID, map[string]any{"stage": d.Stage},
		map[string]any{"stage": pipeline.StageDisqualified, "reasons": in.Reasons, "note": in.Note, "message_touch_id": touchID,
			"flag_id": flagID, "freed_minutes": freed})
}

// effortMinutes is the time a deal's touches have taken (scoring.TouchMinutes).
func effortMinutes(ctx context.Context, tx pgx.Tx, orgID, dealID int64) (int, error) {
	rows, err := tx.Query(ctx, `SELECT kind, duration_min FROM touches WHERE deal_id = $1 AND org_id = $2`, dealID, orgID)
	if err != nil {
		return 0, fmt.Errorf("effort of deal %d: %w", dealID, err)
	}
	total := 0
	var kind string
	var dur *int
	_, err = pgx.ForEachRow(rows, []any{&kind, &dur}, func() error {
		total += scoring.TouchMinutes(kind, dur)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("effort of deal %d: %w", dealID, err)
	}
	return total, nil
}

// ReopenDeal moves a closed deal the actor may write back to the last open
// stage it was in, rescores it and audits the reopening.
func (s *DealService) ReopenDeal(ctx context.Context, a pipeline.Actor, id int64) (*pipeline.Deal, error) {
	var d *pipeline.Deal
	err := s.db.Transact(ctx, func(tx pgx.Tx) error {
		before, err := getDeal(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		if before.IsOpen() {
			return pipeline.Invalid(map[string]string{"form": "This deal is open already."})
		}
		stage := pipeline.StageLead
		err = tx.QueryRow(ctx, `SELECT to_stage FROM deal_stage_changes WHERE deal_id = $1 AND org_id = $2
			AND to_stage IN `+openStagesSQL+` ORDER BY at DESC, id DESC LIMIT 1`, id, a.OrgID).Scan(&stage)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("last open stage of deal %d: %w", id, err)
		}
		if err := changeStage(ctx, tx, a, before, stage, s.db.Now()); err != nil {
			return err
		}
		// An open deal has no close: the reasons and note stay on the stage
		// change that recorded them, the freed time in the audit trail, and
		// the next close writes its own. The score it closed with stays,
		// for the page's "it was N when the deal last closed".
		if _, err := tx.Exec(ctx, `UPDATE deals SET close_reasons = '{}', close_note = '', freed_minutes = NULL
			WHERE id = $1 AND org_id = $2`, id, a.OrgID); err != nil {
			return fmt.Errorf("reopen deal %d: %w", id, err)
		}
		if err := s.rescore(ctx, tx, a.OrgID, id); err != nil {
			return err
		}
		if d, err = getDeal(ctx, tx, a, id, false); err != nil {
			return err
		}
		return audit(ctx, tx, a, "reopen", "deal", id, map[string]any{"stage": before.Stage, "came_back_at": before.CameBackAt},
			map[string]any{"stage": d.Stage, "points": d.Points})
	})
	return d, err
}
