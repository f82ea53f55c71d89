package postgres

import (
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
)

// flagColumns are read by scanFlag, from flags f and the deciding users u.
const flagColumns = `f.id, f.deal_id, f.status, f.points, f.signals, f.opened_at, coalesce(u.name, ''), f.decided_at,
	f.note, f.snooze_until, coalesce(f.resolved_by_touch, 0), f.reopened_at`

func flagDest(f *pipeline.Flag) []any {
	return []any{&f.ID, &f.DealID, &f.Status, &f.Points, &f.Signals, &f.OpenedAt, &f.DecidedByName, &f.DecidedAt,
		&f.Note, &f.SnoozeUntil, &f.ResolvedByTouch, &f.ReopenedAt}
}

// resolvingTouch reads the kind, direction and date of the touch that
// resolved a flag (touches rt, left-joined on f.resolved_by_touch).
const resolvingTouchColumns = `coalesce(rt.kind, ''), coalesce(rt.direction, ''), rt.occurred_at`

// coachingColumns are read by coachingDest, from coaching_notes c, deals d
// and the authors u.
const coachingColumns = `c.id, c.deal_id, d.title, u.name, c.note, c.created_at, c.acknowledged_at`

func coachingDest(c *pipeline.CoachingNote) []any {
	return []any{&c.ID, &c.DealID, &c.DealTitle, &c.AuthorName, &c.Note, &c.CreatedAt, &c.AcknowledgedAt}
}

// queueDealReview adds to the deal page's batch the deal's flags, its
// coaching notes and the touches its score card cites. Like the timeline
// they are read by the deal's id within the org, behind the page's gate.
func queueDealReview(b *pgx.Batch, dealID, orgID int64) {
	b.Queue(`SELECT `+flagColumns+`, `+resolvingTouchColumns+` FROM flags f LEFT JOIN users u ON u.org_id = f.org_id AND u.id = f.decided_by
		LEFT JOIN touches rt ON rt.id = f.resolved_by_touch AND rt.org_id = f.org_id
		WHERE f.deal_id = $1 AND f.org_id = $2 ORDER BY f.opened_at DESC, f.id DESC LIMIT 20`, dealID, orgID)
	b.Queue(`SELECT `+coachingColumns+` FROM coaching_notes c JOIN deals d ON d.org_id = c.org_id AND d.id = c.deal_id JOIN users u ON u.org_id = c.org_id AND u.id = c.author_id
		WHERE c.deal_id = $1 AND c.org_id = $2 ORDER BY c.created_at DESC, c.id DESC LIMIT 20`, dealID, orgID)
	b.Queue(`SELECT t.id, t.kind, t.direction, t.occurred_at FROM touches t
		WHERE t.deal_id = $1 AND t.org_id = $2 AND t.id IN (
			SELECT jsonb_array_elements_text(x->'touch_ids')::bigint
			FROM deal_scores s, jsonb_array_elements(s.signals) x WHERE s.org_id = $2 AND s.deal_id = $1)`, dealID, orgID)
}

// scanDealReview reads the results of queueDealReview.
func scanDealReview(res pgx.BatchResults, rv *pipeline.DealReview) error {
	rows, err := res.Query()
	if err != nil {
		return err
	}
	rv.Flags, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (pipeline.Flag, error) {
		var f pipeline.Flag
		var t pipeline.Touch
		var at *time.Time
		err := r.Scan(append(flagDest(&f), &t.Kind, &t.Direction, &at)...)
		if at != nil {
			t.ID, t.OccurredAt = f.ResolvedByTouch, *at
			f.ResolvedBy = &t
		}
		return f, err
	})
	if err != nil {
		return fmt.Errorf("flags: %w", err)
	}
	if rows, err = res.Query(); err != nil {
		return err
	}
	rv.Coaching, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*pipeline.CoachingNote, error) {
		var c pipeline.CoachingNote
		return &c, r.Scan(coachingDest(&c)...)
	})
	if err != nil {
		return fmt.Errorf("coaching: %w", err)
	}
	if rows, err = res.Query(); err != nil {
		return err
	}
	rv.Evidence = map[int64]*pipeline.Touch{}
	var t pipeline.Touch
	_, err = pgx.ForEachRow(rows, []any{&t.ID, &t.Kind, &t.Direction, &t.OccurredAt}, func() error {
		c := t
		rv.Evidence[t.ID] = &c
		return nil
	})
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	return nil
}
