package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
)

// UntouchedAfter is how long an open deal may go without a touch before the
// home page (and the digest) lists it.
const UntouchedAfter = pipeline.UntouchedDays * 24 * time.Hour

// Home returns the actor's own deals that need attention, in one round trip.
func (s *DealService) Home(ctx context.Context, a pipeline.Actor, now time.Time) (*pipeline.Home, error) {
	loc, err := pipeline.LoadLocation(a.TZ)
	if err != nil {
		loc = time.UTC
	}
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	const mine = `FROM ` + dealJoins + ` WHERE d.org_id = $1 AND d.owner_id = $2`
	open := ` AND d.stage IN ` + openStagesSQL
	var b pgx.Batch
	b.Queue(`SELECT `+dealColumns+` `+mine+open+` AND s.band = 'not_good_money' ORDER BY s.points DESC, d.amount DESC LIMIT 20`, a.OrgID, a.UserID)
	b.Queue(`SELECT `+dealColumns+` `+mine+open+` AND d.next_step_due < $3 ORDER BY d.next_step_due, d.id LIMIT 20`, a.OrgID, a.UserID, today)
	b.Queue(`SELECT `+dealColumns+` `+mine+open+` AND coalesce(d.last_touch_at, d.created_at) < $3
		ORDER BY coalesce(d.last_touch_at, d.created_at), d.id LIMIT 20`, a.OrgID, a.UserID, now.Add(-UntouchedAfter))
	b.Queue(`SELECT `+dealColumns+` `+mine+` AND d.stage = '`+pipeline.StageDisqualified+`' AND d.came_back_at IS NOT NULL
		ORDER BY d.came_back_at DESC LIMIT 20`, a.OrgID, a.UserID)
	b.Queue(`SELECT `+dealColumns+` `+mine+open+` ORDER BY coalesce(d.last_touch_at, d.created_at) DESC, d.id DESC LIMIT 100`, a.OrgID, a.UserID)
	res := s.db.Pool.SendBatch(ctx, &b)
	defer res.Close()
	var h pipeline.Home
	for _, dst := range []*[]*pipeline.Deal{&h.Flagged, &h.Overdue, &h.Untouched, &h.CameBack, &h.Recent} {
		rows, err := res.Query()
		if err != nil {
			return nil, wrapConn(fmt.Errorf("home: %w", err))
		}
		if *dst, err = collectDeals(rows); err != nil {
			return nil, wrapConn(fmt.Errorf("home: %w", err))
		}
	}
	return &h, nil
}
