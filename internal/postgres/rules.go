package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/outcomes"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/scoring"
)

// ScoreService keeps what scoring needs and produces: an org's scoring rules,
// each deal's stored score and the flags raised on not-good-money deals. It
// loads a deal's inputs, runs scoring.Evaluate and stores the result, either
// for one deal inside the transaction of the write that changed it
// (RescoreDeal) or for all open deals of an org in batches (RescoreAll).
type ScoreService struct {
	db *DB

	// Queue, when set, puts a full rescore of the org on the job queue
	// inside the transaction that saves new rules, so that a crash between
	// the two cannot lose it. When nil (tests, the CLI), SaveRules rescores
	// the org itself right after the commit.
	Queue RescoreQueue

	// BatchSize is how many deals RescoreAll and PreviewRules load per query;
	// 0 means DefaultBatchSize.
	BatchSize int

	zones sync.Map // timezone name → *time.Location, so no touch reads tzdata
}

// NewScoreService returns a ScoreService on db.
func NewScoreService(db *DB) *ScoreService { return &ScoreService{db: db} }

var (
	_ pipeline.ScoreService = (*ScoreService)(nil)
	_ DealRescorer          = (*ScoreService)(nil)
)

// RescoreQueue puts a full rescore of an org on the job queue inside tx, so
// that the job exists exactly when the change that called for it is
// committed. cmd/goodmoney adapts the River client to it.
type RescoreQueue interface {
	EnqueueRescore(ctx context.Context, tx pgx.Tx, orgID int64) error
}

// RescoreQueueFunc is a function that is a RescoreQueue.
type RescoreQueueFunc func(ctx context.Context, tx pgx.Tx, orgID int64) error

// EnqueueRescore calls f.
func (f RescoreQueueFunc) EnqueueRescore(ctx context.Context, tx pgx.Tx, orgID int64) error {
	return f(ctx, tx, orgID)
}

// rulesSQL reads everything Rules needs in one query: the latest saved rules
// (none means the defaults) and the org's timezone, business hours and
// cached effort percentile.
const rulesSQL = `
	SELECT o.timezone, o.business_start, o.business_end, o.effort_p90,
		coalesce(r.version, 0), r.rules, coalesce(u.name, ''), r.created_at
	FROM orgs o
	LEFT JOIN LATERAL (
		SELECT version, rules, created_by, created_at FROM scoring_rules
		WHERE org_id = o.id ORDER BY version DESC LIMIT 1) r ON true
	LEFT JOIN users u ON u.id = r.created_by AND u.org_id = o.id
	WHERE o.id = $1`

// Rules returns the scoring rules in force for an org: its latest saved
// version decoded onto scoring.DefaultRules (so a field added since falls
// back to its default), with the org's timezone, business hours and effort
// percentile filled in. An org that never saved rules gets version 0, the
// defaults. ENOTFOUND when the org does not exist.
func (s *ScoreService) Rules(ctx context.Context, orgID int64) (scoring.Rules, error) {
	v, err := s.rulesVersion(ctx, s.db.Pool, orgID)
	if err != nil {
		return scoring.Rules{}, err
	}
	return v.Rules, nil
}

// CurrentRules returns the rules in force for the actor's org with who saved
// them, for the settings page. EFORBIDDEN unless the actor is a manager or
// an admin.
func (s *ScoreService) CurrentRules(ctx context.Context, a pipeline.Actor) (*pipeline.RulesVersion, error) {
	if !a.CanReview() {
		return nil, forbiddenRules()
	}
	return s.rulesVersion(ctx, s.db.Pool, a.OrgID)
}

func (s *ScoreService) rulesVersion(ctx context.Context, q querier, orgID int64) (*pipeline.RulesVersion, error) {
	v, err := s.scanRules(q.QueryRow(ctx, rulesSQL, orgID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("organisation")
	} else if err != nil {
		return nil, wrapConn(fmt.Errorf("scoring rules of org %d: %w", orgID, err))
	}
	return v, nil
}

// scanRules reads a row of rulesSQL.
func (s *ScoreService) scanRules(row pgx.Row) (*pipeline.RulesVersion, error) {
	v := &pipeline.RulesVersion{Rules: scoring.DefaultRules()}
	r := &v.Rules
	var tz string
	var raw []byte
	var savedAt *time.Time
	err := row.Scan(&tz, &r.BusinessStartHour, &r.BusinessEndHour, &r.EffortP90, &r.Version, &raw, &v.SavedBy, &savedAt)
	if err != nil {
		return nil, err
	}
	if raw != nil {
		if err := json.Unmarshal(raw, r); err != nil {
			return nil, fmt.Errorf("decode rules version %d: %w", r.Version, err)
		}
	}
	if savedAt != nil {
		v.SavedAt = *savedAt
	}
	r.Location = s.zone(tz)
	return v, nil
}

// zone returns the named timezone, UTC when the name is unknown (orgs are
// validated when saved, so that only happens if tzdata lost a zone).
func (s *ScoreService) zone(name string) *time.Location {
	if loc, ok := s.zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	s.zones.Store(name, loc)
	return loc
}

// SaveRules stores r as the org's next rules version and has every open
// deal rescored with it: the rescore job is enqueued in the same transaction
// when Queue is set, otherwise it runs right after the commit. Only the
// weights and thresholds are taken from r; timezone and business hours stay
// the org's. EFORBIDDEN unless the actor is an admin (managers only preview); EINVALID
// with a message per field (keyed by JSON name) when r fails Validate;
// ECONFLICT when someone saved at the same moment.
func (s *ScoreService) SaveRules(ctx context.Context, a pipeline.Actor, r scoring.Rules) (*pipeline.SavedRules, error) {
	if !a.IsAdmin() { // managers read and preview the rules; admins set them
		return nil, pipeline.Errorf(pipeline.EFORBIDDEN, "Only admins can change the scoring rules.")
	}
	saved := &pipeline.SavedRules{}
	err := s.db.Transact(ctx, func(tx pgx.Tx) error {
		before, err := s.rulesVersion(ctx, tx, a.OrgID)
		if err != nil {
			return err
		}
		r = withOrgFields(r, before.Rules)
		if errs := r.Validate(); errs != nil {
			return pipeline.Invalid(errs)
		}
		if saved.Version, err = insertRules(ctx, tx, a, r, s.db.Now()); err != nil {
			return err
		}
		err = audit(ctx, tx, a, "update", "scoring_rules", a.OrgID,
			rulesAudit(before.Rules), rulesAudit(withVersion(r, saved.Version)))
		if err != nil || s.Queue == nil {
			return err
		}
		saved.Queued = true
		if err := s.Queue.EnqueueRescore(ctx, tx, a.OrgID); err != nil {
			return fmt.Errorf("enqueue rescore of org %d: %w", a.OrgID, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !saved.Queued {
		saved.Rescored, saved.RescoreErr = s.RescoreAll(ctx, a.OrgID)
	}
	return saved, nil
}

// insertRules stores the next version of the org's rules.
func insertRules(ctx context.Context, tx pgx.Tx, a pipeline.Actor, r scoring.Rules, now time.Time) (int, error) {
	raw, err := json.Marshal(r)
	if err != nil {
		return 0, fmt.Errorf("encode rules: %w", err)
	}
	var version int
	err = tx.QueryRow(ctx, `
		INSERT INTO scoring_rules (org_id, version, rules, created_by, created_at)
		SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4 FROM scoring_rules WHERE org_id = $1
		RETURNING version`, a.OrgID, raw, nullID(a.UserID), now).Scan(&version)
	if isUniqueViolation(err) {
		return 0, pipeline.Errorf(pipeline.ECONFLICT, "Someone else saved the scoring rules at the same moment. Check the values below and save again.")
	} else if err != nil {
		return 0, wrapConn(fmt.Errorf("insert rules of org %d: %w", a.OrgID, err))
	}
	return version, nil
}

// withOrgFields copies the fields that are not part of the saved rules (the
// org's timezone and hours, the effort percentile) from the rules in force.
func withOrgFields(r, current scoring.Rules) scoring.Rules {
	r.Location = current.Location
	r.BusinessStartHour, r.BusinessEndHour = current.BusinessStartHour, current.BusinessEndHour
	r.EffortP90 = current.EffortP90
	r.Version = current.Version
	return r
}

func withVersion(r scoring.Rules, v int) scoring.Rules {
	r.Version = v
	return r
}

// rulesAudit is what an audit event keeps of a rules version.
func rulesAudit(r scoring.Rules) map[string]any {
	return map[string]any{"version": r.Version, "rules": r}
}

func forbiddenRules() error {
	return pipeline.Errorf(pipeline.EFORBIDDEN, "Only managers and admins can change the scoring rules.")
}

// PreviewRules evaluates every open deal of the actor's org with the rules
// in force and with proposed, in memory, and counts the deals each would
// flag. It writes nothing. EFORBIDDEN unless the actor is a manager or an
// admin; EINVALID with a message per field when proposed fails Validate.
func (s *ScoreService) PreviewRules(ctx context.Context, a pipeline.Actor, proposed scoring.Rules) (*pipeline.RulesPreview, error) {
	current, err := s.CurrentRules(ctx, a)
	if err != nil {
		return nil, err
	}
	proposed = withOrgFields(proposed, current.Rules)
	if errs := proposed.Validate(); errs != nil {
		return nil, pipeline.Invalid(errs)
	}
	p := &pipeline.RulesPreview{}
	var changed []pipeline.PreviewDeal
	now := s.db.Now()
	err = s.eachOpenDeal(ctx, a.OrgID, func(in *scoreInput) error {
		before := scoring.Evaluate(in.deal, in.touches, current.Rules, now)
		after := scoring.Evaluate(in.deal, in.touches, proposed, now)
		if p.Count(before.Band == scoring.BandNotGoodMoney, after.Band == scoring.BandNotGoodMoney) {
			changed = append(changed, pipeline.PreviewDeal{ID: in.deal.ID, PointsNow: before.Points, Points: after.Points,
				Flagged: after.Band == scoring.BandNotGoodMoney})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.nameExamples(ctx, a, p, changed); err != nil {
		return nil, err
	}
	p.BackTestQuery = outcomes.DefaultQuery(now, actorLoc(a))
	if p.BackTest, err = s.BackTestRules(ctx, a, p.BackTestQuery, current.Rules, proposed); err != nil {
		return nil, err
	}
	return p, nil
}

// nameExamples fills the preview's example lists with the changed deals the
// actor may see, with their titles.
func (s *ScoreService) nameExamples(ctx context.Context, a pipeline.Actor, p *pipeline.RulesPreview, changed []pipeline.PreviewDeal) error {
	if len(changed) == 0 {
		return nil
	}
	byID := make(map[int64]*pipeline.PreviewDeal, len(changed))
	ids := make([]int64, len(changed))
	for i := range changed {
		byID[changed[i].ID], ids[i] = &changed[i], changed[i].ID
	}
	var qa args
	sql := `SELECT d.id, d.title, p.name FROM deals d JOIN prospects p ON p.org_id = d.org_id AND p.id = d.prospect_id
		WHERE d.id = ANY(` + qa.add(ids) + `) AND ` + dealScope(a, &qa)
	rows, err := s.db.Pool.Query(ctx, sql, qa...)
	if err != nil {
		return wrapConn(fmt.Errorf("preview deals: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var title, prospect string
		if err := rows.Scan(&id, &title, &prospect); err != nil {
			return fmt.Errorf("preview deals: %w", err)
		}
		d := byID[id]
		d.Title, d.Prospect = title, prospect
		if d.Flagged {
			p.NewlyFlagged = append(p.NewlyFlagged, *d)
		} else {
			p.Unflagged = append(p.Unflagged, *d)
		}
	}
	if err := rows.Err(); err != nil {
		return wrapConn(fmt.Errorf("preview deals: %w", err))
	}
	p.NewlyFlagged = topExamples(p.NewlyFlagged, func(d pipeline.PreviewDeal) int { return d.Points })
	p.Unflagged = topExamples(p.Unflagged, func(d pipeline.PreviewDeal) int { return d.PointsNow })
	return nil
}

// topExamples keeps the pipeline.PreviewExamples deals with the most points.
func topExamples(deals []pipeline.PreviewDeal, points func(pipeline.PreviewDeal) int) []pipeline.PreviewDeal {
	slices.SortFunc(deals, func(x, y pipeline.PreviewDeal) int {
		if c := cmp.Compare(points(y), points(x)); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	return deals[:min(len(deals), pipeline.PreviewExamples)]
}

// actorLoc is the actor's timezone, UTC when it is unknown.
func actorLoc(a pipeline.Actor) *time.Location {
	if loc, err := pipeline.LoadLocation(a.TZ); err == nil {
		return loc
	}
	return time.UTC
}
