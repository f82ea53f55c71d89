package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
	"goodmoney/internal/scoring"
)

// TimelinePageSize is how many timeline items the deal page shows at once:
// the recent story of a deal; older pages are a click away.
const TimelinePageSize = 20

// DealDetail returns everything the deal page shows. Its three queries go to
// the server in one batch: one round trip for the whole page.
//
// The first query is the gate: it reads the deal within the actor's scope
// (dealScope), with its stored score and its stage walk. The contacts and
// the timeline are read by the deal's id within the actor's org, and are
// only returned when the gate found the deal; repeating the team scope in
// them cost a third of the page's database time (two more evaluations of
// the team's members) and protected nothing more.
func (s *DealService) DealDetail(ctx context.Context, a pipeline.Actor, id int64, offset int) (*pipeline.DealDetail, error) {
	if offset < 0 {
		offset = 0
	}
	var b pgx.Batch
	var dealArgs args
	b.Queue(`SELECT `+dealColumns+`, s.points, s.band, s.signals, s.hints, s.rules_version, s.computed_at,
			ARRAY(SELECT sc.to_stage FROM deal_stage_changes sc WHERE sc.deal_id = d.id ORDER BY sc.at, sc.id),
			ARRAY(SELECT sc.at FROM deal_stage_changes sc WHERE sc.deal_id = d.id ORDER BY sc.at, sc.id),
			d.close_note, d.closed_points, d.freed_minutes, (SELECT walkaway_template FROM orgs WHERE id = d.org_id)
		FROM `+dealJoins+` WHERE d.id = `+dealArgs.add(id)+` AND `+dealScope(a, &dealArgs), dealArgs...)

	b.Queue(`SELECT c.id, c.prospect_id, c.name, c.email, c.phone, c.title FROM contacts c
		WHERE c.org_id = $2 AND c.prospect_id = (SELECT prospect_id FROM deals WHERE id = $1 AND org_id = $2)
		ORDER BY lower(c.name), c.id`, id, a.OrgID)

	// Touches name their contact by id; the names come from the contacts
	// above (a touch's contact is one of the deal's prospect's).
	b.Queue(`SELECT at, id, touch, kind, direction, outcome, duration_min, quote_amount, word_count, notes,
			contact_id, by_name, from_stage, to_stage, reasons
		FROM (
			SELECT t.occurred_at AS at, t.id, true AS touch, t.kind, t.direction, t.outcome, t.duration_min,
				t.quote_amount, t.word_count, t.notes, t.contact_id, r.name AS by_name,
				NULL::text AS from_stage, NULL::text AS to_stage, NULL::text[] AS reasons
			FROM touches t JOIN users r ON r.org_id = t.org_id AND r.id = t.rep_id
			WHERE t.deal_id = $1 AND t.org_id = $2
			UNION ALL
			SELECT sc.at, sc.id, false, '', '', '', NULL, NULL, NULL, sc.note, NULL,
				coalesce(u.name, ''), sc.from_stage, sc.to_stage, sc.reasons
			FROM deal_stage_changes sc LEFT JOIN users u ON u.org_id = sc.org_id AND u.id = sc.by_user
			WHERE sc.deal_id = $1 AND sc.org_id = $2
			UNION ALL
			SELECT f.opened_at, f.id, false, 'flag', '', f.status, NULL, NULL, f.points, '', NULL,
				'', NULL, NULL, f.signals
			FROM flags f WHERE f.deal_id = $1 AND f.org_id = $2
			UNION ALL
			SELECT f.decided_at, f.id, false, 'flag_decided', '', f.status, NULL, NULL, f.points, f.note, NULL,
				coalesce(u.name, ''), NULL, NULL, NULL
			FROM flags f LEFT JOIN users u ON u.org_id = f.org_id AND u.id = f.decided_by
			WHERE f.deal_id = $1 AND f.org_id = $2 AND f.decided_at IS NOT NULL
		) x ORDER BY at DESC, id DESC LIMIT $3 OFFSET $4`, id, a.OrgID, TimelinePageSize+1, offset)

	queueDealReview(&b, id, a.OrgID)

	res := s.db.Pool.SendBatch(ctx, &b)
	defer res.Close()
	detail, err := scanDealDetail(res.QueryRow(), s.db.Now())
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("deal")
	} else if err != nil {
		return nil, wrapConn(fmt.Errorf("deal %d: %w", id, err))
	}
	if detail.Contacts, err = scanContacts(res); err != nil {
		return nil, fmt.Errorf("deal %d contacts: %w", id, err)
	}
	if detail.Timeline, err = scanTimeline(res, detail.Contacts); err != nil {
		return nil, fmt.Errorf("deal %d timeline: %w", id, err)
	}
	if err := scanDealReview(res, &detail.Review); err != nil {
		return nil, fmt.Errorf("deal %d review: %w", id, err)
	}
	detail.TimelineAt, detail.TimelinePrev = offset, max(offset-TimelinePageSize, 0)
	if len(detail.Timeline) > TimelinePageSize {
		detail.Timeline = detail.Timeline[:TimelinePageSize]
		detail.TimelineNext = offset + TimelinePageSize
	}
	return detail, nil
}

// scanDealDetail reads the gate row of DealDetail: the deal, its stored
// score (nil when never scored) and the time it spent in each stage.
func scanDealDetail(row pgx.Row, now time.Time) (*pipeline.DealDetail, error) {
	var d pipeline.Deal
	var points *int
	var band *string
	var sc scoring.Score
	var rulesVersion *int
	var computedAt *time.Time
	var stages []string
	var at []time.Time
	var rv pipeline.DealReview
	err := row.Scan(append(dealDest(&d), &points, &band, &sc.Signals, &sc.Hints, &rulesVersion, &computedAt, &stages, &at,
		&rv.CloseNote, &rv.ClosedPoints, &rv.FreedMinutes, &rv.WalkawayTemplate)...)
	if err != nil {
		return nil, err
	}
	detail := &pipeline.DealDetail{Deal: &d, StageTimes: stageTimes(stages, at, now), Review: rv}
	if points != nil {
		sc.Points, sc.Band, sc.RulesVersion, sc.AsOf = *points, scoring.Band(*band), *rulesVersion, *computedAt
		detail.Score = &sc
	}
	return detail, nil
}

// stageTimes turns a deal's stage walk into the time spent in each stage.
func stageTimes(stages []string, at []time.Time, now time.Time) []pipeline.StageTime {
	times := make([]pipeline.StageTime, 0, len(stages))
	for i, stage := range stages {
		end, current := now, i == len(stages)-1
		if !current {
			end = at[i+1]
		}
		times = append(times, pipeline.StageTime{Stage: stage, Duration: end.Sub(at[i]), Current: current})
	}
	return times
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

func scanTimeline(res pgx.BatchResults, contacts []*pipeline.Contact) ([]pipeline.TimelineItem, error) {
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
		var reasons []string
		err := r.Scan(&item.At, &t.ID, &isTouch, &t.Kind, &t.Direction, &t.Outcome, &t.DurationMin,
			&t.QuoteAmount, &t.WordCount, &t.Notes, &contactID, &byName, &from, &to, &reasons)
		if !isTouch && strings.HasPrefix(t.Kind, "flag") {
			item.Flag = &pipeline.FlagEvent{FlagID: t.ID, Decided: t.Kind == "flag_decided", Status: t.Outcome,
				Signals: reasons, ByName: byName, Note: t.Notes}
			if t.WordCount != nil {
				item.Flag.Points = *t.WordCount
			}
			return item, err
		}
		if isTouch {
			t.OccurredAt, t.ContactID, t.RepName = item.At, idOrZero(contactID), byName
			t.ContactName = contactName(contacts, t.ContactID)
			item.Touch = &t
		} else {
			sc := &pipeline.StageChange{To: deref(to), From: deref(from), ByName: byName, At: item.At, Reasons: reasons, Note: t.Notes}
			item.StageChange = sc
		}
		return item, err
	})
}

// contactName finds a contact's name among a prospect's few contacts.
func contactName(contacts []*pipeline.Contact, id int64) string {
	for _, c := range contacts {
		if c.ID == id {
			return c.Name
		}
	}
	return ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
