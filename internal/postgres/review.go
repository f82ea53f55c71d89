package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/money"
	"goodmoney/internal/pipeline"
)

// ReviewService implements pipeline.ReviewService.
type ReviewService struct {
	db    *DB
	deals *DealService // walks away from deals disqualified in review
}

// NewReviewService returns a ReviewService on db; a disqualify decision
// walks away through deals.
func NewReviewService(db *DB, deals *DealService) *ReviewService {
	return &ReviewService{db: db, deals: deals}
}

var _ pipeline.ReviewService = (*ReviewService)(nil)

// reviewerOnly refuses reps: they have no queue, and forbidden is not found.
func reviewerOnly(a pipeline.Actor) error {
	if !a.CanReview() {
		return notFound("page")
	}
	return nil
}

// queueRowColumns are read by scanQueueRow.
var queueRowColumns = `f.id, f.deal_id, f.status, f.points, f.signals, f.opened_at, '', f.decided_at,
	f.note, f.snooze_until, coalesce(f.resolved_by_touch, 0), f.reopened_at, ` + dealColumns + `,
	coalesce(s.signals->0->>'label', ''), coalesce(s.signals->1->>'label', '')`

// parseQueueCursor reads ReviewQueue.Next: the amount and flag id of the
// last row of the page before. A malformed cursor is no cursor.
func parseQueueCursor(c string) (amount, flagID int64, ok bool) {
	a, f, found := strings.Cut(c, ".")
	if !found {
		return 0, 0, false
	}
	amount, err1 := strconv.ParseInt(a, 10, 64)
	flagID, err2 := strconv.ParseInt(f, 10, 64)
	return amount, flagID, err1 == nil && err2 == nil
}

func scanQueueRow(r pgx.CollectableRow, extra ...any) (pipeline.ReviewRow, error) {
	var row pipeline.ReviewRow
	var d pipeline.Deal
	var r1, r2 string
	dest := append(append(flagDest(&row.Flag), dealDest(&d)...), &r1, &r2)
	err := r.Scan(append(dest, extra...)...)
	row.Deal = &d
	for _, label := range []string{r1, r2} {
		if label != "" {
			row.Reasons = append(row.Reasons, label)
		}
	}
	return row, err
}

// flagQueueSQL selects one page of the open flags the actor reviews (open
// deals in the not-good-money band, narrowed by filters over deals d),
// with the queue's count and money at risk and how many flags come before
// the page (by the conditions before and after over the queue's amount,
// opened_at and flag_id; "true"/"false" for the first page). The team's
// flagged deals come from deals_owner_band_idx, one short range per rep,
// each with its open flag (flags_one_open_per_deal, probed per deal); only
// the page's rows are joined to their prospect, owner and score.
func flagQueueSQL(a pipeline.Actor, qa *args, filters []string, after, before string, order []string, limit int) string {
	where := append([]string{dealScope(a, qa), "d.open_band = 'not_good_money'"}, filters...)
	outer := make([]string, len(order))
	for i, o := range order {
		outer[i] = "page." + o
	}
	org := qa.add(a.OrgID)
	return `WITH queue AS (
			SELECT d.id, d.amount, f.id AS flag_id, f.opened_at FROM deals d
			CROSS JOIN LATERAL (SELECT f.id, f.opened_at FROM flags f
				WHERE f.org_id = d.org_id AND f.deal_id = d.id AND f.status = 'open' LIMIT 1) f
			WHERE ` + strings.Join(where, " AND ") + `
		), page AS (
			SELECT id, flag_id, amount, opened_at FROM queue WHERE ` + after + `
			ORDER BY ` + strings.Join(order, ", ") + ` LIMIT ` + qa.add(limit) + `
		)
		SELECT ` + queueRowColumns + `, (SELECT count(*) FROM queue), (SELECT coalesce(sum(amount), 0) FROM queue),
			(SELECT count(*) FROM queue WHERE ` + before + `)
		FROM page
		JOIN flags f ON f.org_id = ` + org + ` AND f.id = page.flag_id
		JOIN deals d ON d.org_id = ` + org + ` AND d.id = page.id
		JOIN prospects p ON p.org_id = d.org_id AND p.id = d.prospect_id
		JOIN users o ON o.org_id = d.org_id AND o.id = d.owner_id
		LEFT JOIN deal_scores s ON s.org_id = d.org_id AND s.deal_id = d.id
		ORDER BY ` + strings.Join(outer, ", ")
}

// Queue lists the open flags the actor reviews, by amount, largest first.
func (s *ReviewService) Queue(ctx context.Context, a pipeline.Actor, f pipeline.ReviewFilter) (*pipeline.ReviewQueue, error) {
	if err := reviewerOnly(a); err != nil {
		return nil, err
	}
	var qa args
	var filters []string
	if f.OwnerID != 0 {
		filters = append(filters, "d.owner_id = "+qa.add(f.OwnerID))
	}
	if f.Signal != "" {
		filters = append(filters, `EXISTS (SELECT 1 FROM deal_scores s WHERE s.org_id = d.org_id AND s.deal_id = d.id
			AND s.signals @> jsonb_build_array(jsonb_build_object('code', `+qa.add(f.Signal)+`::text)))`)
	}
	// A manager of the benchmark org has about 140 open flags: listing them
	// all made a 130 KB page (BENCHMARKS.md finding 10), so the queue is
	// paged by its order, largest amount first.
	after, before := "true", "false"
	if amount, flagID, ok := parseQueueCursor(f.After); ok {
		am, fl := qa.add(amount), qa.add(flagID)
		after = "(amount < " + am + " OR (amount = " + am + " AND flag_id > " + fl + "))"
		before = "(amount > " + am + " OR (amount = " + am + " AND flag_id <= " + fl + "))"
	}
	sql := flagQueueSQL(a, &qa, filters, after, before, []string{"amount DESC", "flag_id"}, pipeline.ReviewPageSize+1)
	var b pgx.Batch
	b.Queue(sql, qa...)
	var sa args
	b.Queue(`SELECT count(*) FROM flags f JOIN deals d ON d.org_id = f.org_id AND d.id = f.deal_id
		WHERE f.status = 'snoozed' AND f.org_id = `+sa.add(a.OrgID)+` AND `+dealScope(a, &sa), sa...)
	var oa args
	b.Queue(ownersSQL(a, &oa), oa...)
	res := s.db.Pool.SendBatch(ctx, &b)
	defer res.Close()
	rows, err := res.Query()
	if err != nil {
		return nil, wrapConn(fmt.Errorf("review queue: %w", err))
	}
	q := &pipeline.ReviewQueue{}
	var count, skipped int
	var total int64
	q.Rows, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (pipeline.ReviewRow, error) {
		return scanQueueRow(r, &count, &total, &skipped)
	})
	if err != nil {
		return nil, wrapConn(fmt.Errorf("review queue: %w", err))
	}
	if len(q.Rows) == 0 && f.After != "" {
		// Past the end (the flags after the cursor were decided since):
		// the largest flags again.
		res.Close()
		f.After = ""
		return s.Queue(ctx, a, f)
	}
	if len(q.Rows) > pipeline.ReviewPageSize {
		q.Rows = q.Rows[:pipeline.ReviewPageSize]
		last := q.Rows[len(q.Rows)-1]
		q.Next = fmt.Sprintf("%d.%d", last.Deal.Amount, last.Flag.ID)
	}
	q.First = skipped + 1
	q.Count, q.AtRisk = count, money.Cents(total)
	if err := res.QueryRow().Scan(&q.Snoozed); err != nil {
		return nil, wrapConn(fmt.Errorf("review queue snoozed: %w", err))
	}
	if rows, err = res.Query(); err != nil {
		return nil, wrapConn(fmt.Errorf("review queue owners: %w", err))
	}
	if q.Owners, err = collectOwners(rows); err != nil {
		return nil, wrapConn(fmt.Errorf("review queue owners: %w", err))
	}
	return q, nil
}

// TeamReview returns the flags waiting longest and the coaching notes the
// team has not acknowledged, for a manager's home.
func (s *ReviewService) TeamReview(ctx context.Context, a pipeline.Actor) (*pipeline.TeamReview, error) {
	if err := reviewerOnly(a); err != nil {
		return nil, err
	}
	var qa args
	var b pgx.Batch
	b.Queue(flagQueueSQL(a, &qa, nil, "true", "false", []string{"opened_at", "flag_id"}, 5), qa...)
	var ca args
	b.Queue(`SELECT `+coachingColumns+` FROM coaching_notes c JOIN deals d ON d.org_id = c.org_id AND d.id = c.deal_id JOIN users u ON u.org_id = c.org_id AND u.id = c.author_id
		WHERE c.acknowledged_at IS NULL AND c.org_id = `+ca.add(a.OrgID)+` AND `+dealScope(a, &ca)+`
		ORDER BY c.created_at, c.id LIMIT 20`, ca...)
	res := s.db.Pool.SendBatch(ctx, &b)
	defer res.Close()
	rows, err := res.Query()
	if err != nil {
		return nil, wrapConn(fmt.Errorf("team review: %w", err))
	}
	t := &pipeline.TeamReview{}
	var count int
	var total int64
	t.Oldest, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (pipeline.ReviewRow, error) {
		var first int // always 0: the home lists the oldest five
		return scanQueueRow(r, &count, &total, &first)
	})
	if err != nil {
		return nil, wrapConn(fmt.Errorf("team review: %w", err))
	}
	t.Waiting, t.AtRisk = count, money.Cents(total)
	if rows, err = res.Query(); err != nil {
		return nil, wrapConn(fmt.Errorf("team coaching: %w", err))
	}
	t.Coaching, err = collectCoaching(rows)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("team coaching: %w", err))
	}
	return t, nil
}

func collectCoaching(rows pgx.Rows) ([]*pipeline.CoachingNote, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*pipeline.CoachingNote, error) {
		var c pipeline.CoachingNote
		return &c, r.Scan(coachingDest(&c)...)
	})
}

// MyCoaching lists the unacknowledged coaching notes on the actor's own deals.
func (s *ReviewService) MyCoaching(ctx context.Context, a pipeline.Actor) ([]*pipeline.CoachingNote, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT `+coachingColumns+` FROM coaching_notes c
		JOIN deals d ON d.org_id = c.org_id AND d.id = c.deal_id JOIN users u ON u.org_id = c.org_id AND u.id = c.author_id
		WHERE c.org_id = $1 AND c.rep_id = $2 AND c.acknowledged_at IS NULL ORDER BY c.created_at DESC, c.id DESC LIMIT 20`,
		a.OrgID, a.UserID)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("my coaching: %w", err))
	}
	notes, err := collectCoaching(rows)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("my coaching: %w", err))
	}
	return notes, nil
}

// AcknowledgeCoaching marks a coaching note read. Only the rep it was
// written to may; anyone else gets ENOTFOUND.
func (s *ReviewService) AcknowledgeCoaching(ctx context.Context, a pipeline.Actor, noteID int64) (int64, error) {
	var dealID int64
	err := s.db.Transact(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE coaching_notes SET acknowledged_at = coalesce(acknowledged_at, $4)
			WHERE id = $1 AND org_id = $2 AND rep_id = $3 RETURNING deal_id`, noteID, a.OrgID, a.UserID, s.db.Now()).Scan(&dealID)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("coaching note")
		} else if err != nil {
			return fmt.Errorf("acknowledge coaching %d: %w", noteID, err)
		}
		return audit(ctx, tx, a, "acknowledge", "coaching_note", noteID, nil, map[string]any{"deal_id": dealID})
	})
	return dealID, err
}

// decidable is a flag locked for a decision, with its deal.
type decidable struct {
	flag pipeline.Flag
	deal *pipeline.Deal
}

// Decide applies one decision to every selected flag in one transaction.
func (s *ReviewService) Decide(ctx context.Context, a pipeline.Actor, in pipeline.DecisionInput) error {
	if err := reviewerOnly(a); err != nil {
		return err
	}
	loc, err := pipeline.LoadLocation(a.TZ)
	if err != nil {
		loc = time.UTC
	}
	now := s.db.Now()
	ids := slices.Clone(in.FlagIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return s.db.Transact(ctx, func(tx pgx.Tx) error {
		// The scope first: a flag not yours to review is 404 whatever was sent.
		flags, err := lockFlags(ctx, tx, a, ids)
		if err != nil {
			return err
		}
		if errs := in.Validate(now, loc); errs != nil {
			return pipeline.Invalid(errs)
		}
		for _, f := range flags {
			if f.flag.Status != pipeline.FlagOpen {
				return pipeline.Invalid(map[string]string{"flag_id": "“" + f.deal.Title + "” was already " + decidedAs(f.flag.Status) +
					". Reload the queue: nothing was changed."})
			}
		}
		for _, f := range flags {
			if err := s.decideOne(ctx, tx, a, f, in, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// decidedAs words a flag status for a refusal.
func decidedAs(status string) string {
	switch status {
	case pipeline.FlagKept:
		return "kept"
	case pipeline.FlagSnoozed:
		return "snoozed"
	case pipeline.FlagDisqualified:
		return "disqualified"
	case pipeline.FlagCoached:
		return "sent to coaching"
	}
	return "resolved"
}

// lockFlags locks the flags and their deals, all of which the actor must
// review: one that is missing or out of scope makes the whole set ENOTFOUND.
func lockFlags(ctx context.Context, tx pgx.Tx, a pipeline.Actor, ids []int64) ([]decidable, error) {
	var qa args
	rows, err := tx.Query(ctx, `SELECT `+flagColumns+`, `+dealColumns+`
		FROM flags f LEFT JOIN users u ON u.org_id = f.org_id AND u.id = f.decided_by JOIN `+dealJoins+` ON d.id = f.deal_id
		WHERE f.id = ANY(`+qa.add(ids)+`) AND f.org_id = d.org_id AND `+dealScope(a, &qa)+`
		ORDER BY f.id FOR UPDATE OF f, d`, qa...)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("lock flags: %w", err))
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (decidable, error) {
		var x decidable
		var d pipeline.Deal
		err := r.Scan(append(flagDest(&x.flag), dealDest(&d)...)...)
		x.deal = &d
		return x, err
	})
	if err != nil {
		return nil, wrapConn(fmt.Errorf("lock flags: %w", err))
	}
	if len(ids) == 0 {
		return nil, nil // Validate says to select some
	}
	if len(list) != len(ids) {
		return nil, pipeline.Errorf(pipeline.ENOTFOUND, "One of the selected flags does not exist or is not yours to review. Nothing was changed.")
	}
	return list, nil
}

// decideOne applies the decision to one locked open flag and audits it.
func (s *ReviewService) decideOne(ctx context.Context, tx pgx.Tx, a pipeline.Actor, f decidable, in pipeline.DecisionInput, now time.Time) error {
	after := map[string]any{"deal_id": f.deal.ID, "decision": in.Decision, "note": in.Note}
	switch in.Decision {
	case pipeline.DecisionKeep, pipeline.DecisionCoach:
		status := pipeline.FlagKept
		if in.Decision == pipeline.DecisionCoach {
			status = pipeline.FlagCoached
		}
		// The score and signals of this moment are what a later re-flag is
		// measured against (see flag.go).
		_, err := tx.Exec(ctx, `UPDATE flags f SET status = $2, decided_by = $3, decided_at = $4, note = $5,
				points = coalesce((SELECT s.points FROM deal_scores s WHERE s.org_id = f.org_id AND s.deal_id = f.deal_id), f.points),
				signals = coalesce((SELECT ARRAY(SELECT x->>'code' FROM jsonb_array_elements(s.signals) x)
					FROM deal_scores s WHERE s.org_id = f.org_id AND s.deal_id = f.deal_id), f.signals)
			WHERE f.org_id = $6 AND f.id = $1`, f.flag.ID, status, nullID(a.UserID), now, in.Note, a.OrgID)
		if err != nil {
			return fmt.Errorf("decide flag %d: %w", f.flag.ID, err)
		}
		if in.Decision == pipeline.DecisionCoach {
			_, err := tx.Exec(ctx, `INSERT INTO coaching_notes (org_id, deal_id, flag_id, author_id, rep_id, note, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.OrgID, f.deal.ID, f.flag.ID, a.UserID, f.deal.OwnerID, in.Note, now)
			if err != nil {
				return fmt.Errorf("coaching note on deal %d: %w", f.deal.ID, err)
			}
		}
	case pipeline.DecisionSnooze:
		_, err := tx.Exec(ctx, `UPDATE flags SET status = 'snoozed', decided_by = $2, decided_at = $3, note = $4, snooze_until = $5
			WHERE org_id = $6 AND id = $1`, f.flag.ID, nullID(a.UserID), now, in.Note, in.Until, a.OrgID)
		if err != nil {
			return fmt.Errorf("snooze flag %d: %w", f.flag.ID, err)
		}
		after["until"] = in.Until
	case pipeline.DecisionDisqualify:
		if err := s.walkAwayFor(ctx, tx, a, f, in.Note); err != nil {
			return err
		}
	}
	return audit(ctx, tx, a, "decide", "flag", f.flag.ID, map[string]any{"status": f.flag.Status}, after)
}

// walkAwayFor disqualifies a flagged deal on its rep's behalf: the reasons
// its signals give and the org's walk-away message to its first contact.
func (s *ReviewService) walkAwayFor(ctx context.Context, tx pgx.Tx, a pipeline.Actor, f decidable, note string) error {
	var tmpl, contact string
	var codes []string
	err := tx.QueryRow(ctx, `SELECT o.walkaway_template,
			coalesce((SELECT c.name FROM contacts c WHERE c.prospect_id = $2 AND c.org_id = $1 ORDER BY c.id LIMIT 1), ''),
			coalesce((SELECT ARRAY(SELECT x->>'code' FROM jsonb_array_elements(s.signals) x) FROM deal_scores s WHERE s.org_id = $1 AND s.deal_id = $3), '{}')
		FROM orgs o WHERE o.id = $1`, a.OrgID, f.deal.ProspectID, f.deal.ID).Scan(&tmpl, &contact, &codes)
	if err != nil {
		return fmt.Errorf("walk-away draft for deal %d: %w", f.deal.ID, err)
	}
	reasons := pipeline.ReasonsFromSignals(codes)
	if len(reasons) == 0 {
		reasons = []string{"not good money"}
	}
	in := pipeline.WalkAwayInput{Reasons: reasons, Note: note, Message: pipeline.FillTemplate(tmpl, pipeline.WalkAwayFields{
		ContactName: contact, RepName: f.deal.OwnerName, DealTitle: f.deal.Title, Company: f.deal.ProspectName})}
	if errs := in.Validate(); errs != nil {
		return pipeline.Invalid(errs)
	}
	return s.deals.walkAway(ctx, tx, a, f.deal, in)
}

// WakeSnoozed opens again the snoozed flags whose date has come. A flag
// whose deal closed or left the band meanwhile resolves instead.
func (s *ReviewService) WakeSnoozed(ctx context.Context, now time.Time) (int, error) {
	tag, err := s.db.Pool.Exec(ctx, `
		UPDATE flags f SET reopened_at = $1,
			status = CASE WHEN d.open_band = 'not_good_money' THEN 'open' ELSE 'resolved' END
		FROM deals d
		WHERE d.org_id = f.org_id AND d.id = f.deal_id AND f.status = 'snoozed' AND f.snooze_until <= $1`, now)
	if err != nil {
		return 0, wrapConn(fmt.Errorf("wake snoozed flags: %w", err))
	}
	return int(tag.RowsAffected()), nil
}
