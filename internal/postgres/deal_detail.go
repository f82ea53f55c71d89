package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
)

// TimelinePageSize is how many timeline items the deal page shows at once:
// the recent story of a deal; older pages are a click away.
const TimelinePageSize = 20

// DealDetail returns everything the deal page shows. Its queries go to the
// server in one batch: one round trip for the whole page.
func (s *DealService) DealDetail(ctx context.Context, a pipeline.Actor, id int64, offset int) (*pipeline.DealDetail, error) {
	if offset < 0 {
		offset = 0
	}
	var b pgx.Batch
	var dealArgs args
	b.Queue(`SELECT `+dealColumns+` FROM `+dealJoins+` WHERE d.id = `+dealArgs.add(id)+` AND `+dealScope(a, &dealArgs), dealArgs...)

	var contactArgs args
	b.Queue(`SELECT c.id, c.prospect_id, c.name, c.email, c.phone, c.title
		FROM contacts c JOIN deals d ON d.prospect_id = c.prospect_id
		WHERE d.id = `+contactArgs.add(id)+` AND `+dealScope(a, &contactArgs)+` ORDER BY lower(c.name), c.id`, contactArgs...)

	var tlArgs args
	dealID := tlArgs.add(id)
	b.Queue(`SELECT at, id, touch, kind, direction, outcome, duration_min, quote_amount, word_count, notes,
			contact_id, contact_name, by_name, from_stage, to_stage
		FROM (
			SELECT t.occurred_at AS at, t.id, true AS touch, t.kind, t.direction, t.outcome, t.duration_min,
				t.quote_amount, t.word_count, t.notes, t.contact_id, coalesce(c.name, '') AS contact_name,
				r.name AS by_name, NULL::text AS from_stage, NULL::text AS to_stage
			FROM touches t JOIN deals d ON d.id = t.deal_id
			JOIN users r ON r.id = t.rep_id LEFT JOIN contacts c ON c.id = t.contact_id
			WHERE t.deal_id = `+dealID+` AND `+dealScope(a, &tlArgs)+`
			UNION ALL
			SELECT sc.at, sc.id, false, '', '', '', NULL, NULL, NULL, '', NULL, '',
				coalesce(u.name, ''), sc.from_stage, sc.to_stage
			FROM deal_stage_changes sc LEFT JOIN users u ON u.id = sc.by_user
			WHERE sc.deal_id = `+dealID+`
		) x ORDER BY at DESC, id DESC LIMIT `+tlArgs.add(TimelinePageSize+1)+` OFFSET `+tlArgs.add(offset), tlArgs...)

	b.Queue(`SELECT to_stage, at FROM deal_stage_changes WHERE deal_id = $1 ORDER BY at, id`, id)
	b.Queue(storedScoreSQL, id, a.OrgID)

	res := s.db.Pool.SendBatch(ctx, &b)
	defer res.Close()
	deal, err := scanDeal(res.QueryRow())
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("deal")
	} else if err != nil {
		return nil, wrapConn(fmt.Errorf("deal %d: %w", id, err))
	}
	detail := &pipeline.DealDetail{Deal: deal}
	if detail.Contacts, err = scanContacts(res); err != nil {
		return nil, fmt.Errorf("deal %d contacts: %w", id, err)
	}
	if detail.Timeline, err = scanTimeline(res); err != nil {
		return nil, fmt.Errorf("deal %d timeline: %w", id, err)
	}
	detail.TimelineAt, detail.TimelinePrev = offset, max(offset-TimelinePageSize, 0)
	if len(detail.Timeline) > TimelinePageSize {
		detail.Timeline = detail.Timeline[:TimelinePageSize]
		detail.TimelineNext = offset + TimelinePageSize
	}
	if detail.StageTimes, err = scanStageTimes(res, s.db.Now()); err != nil {
		return nil, fmt.Errorf("deal %d stage times: %w", id, err)
	}
	if detail.Score, err = scanScore(res.QueryRow()); err != nil {
		return nil, fmt.Errorf("deal %d score: %w", id, err)
	}
	return detail, nil
}

func scanContacts(res pgx.BatchResults) ([]*pipeline.Contact, error) {
	rows, err := res.Query()
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*pipeline.Contact, error) {
		var c pipeline.Contact
		return &c, r.Scan(&c.ID, &c.ProspectID, &c.Name, &c.Email, &c.Phone, &c.Title)
	})
}

func scanTimeline(res pgx.BatchResults) ([]pipeline.TimelineItem, error) {
	rows, err := res.Query()
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (pipeline.TimelineItem, error) {
		var item pipeline.TimelineItem
		var t pipeline.Touch
		var isTouch bool
		var contactID *int64
		var from, to *string
		var byName string
		err := r.Scan(&item.At, &t.ID, &isTouch, &t.Kind, &t.Direction, &t.Outcome, &t.DurationMin,
			&t.QuoteAmount, &t.WordCount, &t.Notes, &contactID, &t.ContactName, &byName, &from, &to)
		if isTouch {
			t.OccurredAt, t.ContactID, t.RepName = item.At, idOrZero(contactID), byName
			item.Touch = &t
		} else {
			sc := &pipeline.StageChange{To: deref(to), From: deref(from), ByName: byName, At: item.At}
			item.StageChange = sc
		}
		return item, err
	})
}

// scanStageTimes turns the ordered stage changes into time spent per stage.
func scanStageTimes(res pgx.BatchResults, now time.Time) ([]pipeline.StageTime, error) {
	rows, err := res.Query()
	if err != nil {
		return nil, err
	}
	type change struct {
		stage string
		at    time.Time
	}
	changes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (change, error) {
		var c change
		return c, r.Scan(&c.stage, &c.at)
	})
	if err != nil {
		return nil, err
	}
	var times []pipeline.StageTime
	for i, c := range changes {
		end, current := now, i == len(changes)-1
		if !current {
			end = changes[i+1].at
		}
		times = append(times, pipeline.StageTime{Stage: c.stage, Duration: end.Sub(c.at), Current: current})
	}
	return times, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
