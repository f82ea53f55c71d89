package postgres

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/outcomes"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/scoring"
)

// OutcomeService answers the outcomes report: the back-test of the org's
// rules against its closed deals, kept in outcome_runs per viewer scope,
// period and mode, and recomputed when the rules or the deals change.
type OutcomeService struct {
	db     *DB
	scores *ScoreService

	// BackgroundFrom is how many closed deals make a run long enough to go
	// on in the background while the page shows its progress; 0 means
	// DefaultBackgroundFrom.
	BackgroundFrom int

	mu      sync.Mutex
	running map[string]*pipeline.OutcomeProgress // by cache key
	failed  map[string]error                     // a background run's error, until a view reports it
	runs    sync.WaitGroup                       // the background runs
	recent  []keptRun                            // the last runs read or made, newest last
}

// keptRun is a run held in memory as well, so a page view that finds the
// stamp unchanged skips reading and decoding the kept rows.
type keptRun struct {
	key        string
	rows       []outcomes.Row
	computedAt time.Time
}

// recentRuns is how many runs a process holds in memory.
const recentRuns = 16

// DefaultBackgroundFrom is about a second of back-testing.
const DefaultBackgroundFrom = 50000

// NewOutcomeService returns an OutcomeService on db that reads the rules
// through scores.
func NewOutcomeService(db *DB, scores *ScoreService) *OutcomeService {
	return &OutcomeService{db: db, scores: scores, running: map[string]*pipeline.OutcomeProgress{}, failed: map[string]error{}}
}

var _ pipeline.OutcomeReports = (*OutcomeService)(nil)

// scopeKey names the deals an actor may see, as the cache keys them.
func scopeKey(a pipeline.Actor) string {
	switch a.Role {
	case pipeline.RoleAdmin:
		return "org"
	case pipeline.RoleManager:
		return "team:" + strconv.FormatInt(a.UserID, 10)
	}
	return "rep:" + strconv.FormatInt(a.UserID, 10)
}

// rowsFormat names what a kept run's rows hold; a change to outcomes.Row
// (a new field such as FreedMinutes) bumps it, so runs kept before are
// recomputed instead of read without it.
const rowsFormat = "r2"

// rulesKey identifies what the rules decide: their version and the org's
// effort percentile, which the daily rescore refreshes; and the rows' format.
func rulesKey(r scoring.Rules) string {
	return rowsFormat + "/" + strconv.Itoa(r.Version) + "/" + strconv.FormatFloat(r.EffortP90, 'g', -1, 64)
}

// Outcomes returns the back-test of the actor's closed deals (an admin's
// org, a manager's team, a rep's own) for q with the rules in force. A
// kept result is used while the rules and the deals are unchanged; a run
// over many deals goes on in the background and the report says how far
// it is (Progress).
func (o *OutcomeService) Outcomes(ctx context.Context, a pipeline.Actor, q outcomes.Query) (*pipeline.OutcomeReport, error) {
	rules, err := o.scores.Rules(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	rep := &pipeline.OutcomeReport{Query: q, RulesVersion: rules.Version}
	var qa args
	where := dealScope(a, &qa)
	stamp, deals, err := o.stamp(ctx, where, qa, q)
	if err != nil {
		return nil, err
	}
	scope, rk := scopeKey(a), rulesKey(rules)
	key := strconv.FormatInt(a.OrgID, 10) + "|" + scope + "|" + q.Key() + "|" + rk + "|" + stamp
	if kr, ok := o.recall(key); ok {
		rep.Rows, rep.ComputedAt = kr.rows, kr.computedAt
		return rep, nil
	}
	var raw []byte
	err = o.db.Pool.QueryRow(ctx, `SELECT rows, computed_at FROM outcome_runs
		WHERE org_id = $1 AND scope = $2 AND query = $3 AND rules_key = $4 AND stamp = $5`,
		a.OrgID, scope, q.Key(), rk, stamp).Scan(&raw, &rep.ComputedAt)
	switch {
	case err == nil:
		if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&rep.Rows); err != nil {
			return nil, fmt.Errorf("decode outcome rows: %w", err)
		}
		o.remember(keptRun{key: key, rows: rep.Rows, computedAt: rep.ComputedAt})
		return rep, nil
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, wrapConn(fmt.Errorf("outcome run: %w", err))
	}
	run := func(ctx context.Context, progress func(done, total int)) ([]outcomes.Row, error) {
		sets, err := o.scores.backTest(ctx, a.OrgID, where, qa, q, []scoring.Rules{rules}, progress)
		if err != nil {
			return nil, err
		}
		o.remember(keptRun{key: key, rows: sets[0], computedAt: o.db.Now()})
		return sets[0], o.keep(ctx, a.OrgID, scope, q, rk, stamp, sets[0])
	}
	if deals < o.backgroundFrom() {
		rep.Rows, err = run(ctx, nil)
		rep.ComputedAt = o.db.Now()
		return rep, err
	}
	if err := o.failure(key); err != nil {
		// Said once: the next view starts the run again, rather than
		// showing a progress page that never ends.
		return nil, fmt.Errorf("back-test in the background: %w", err)
	}
	rep.Progress = o.inBackground(a.OrgID, key, deals, run)
	return rep, nil
}

// recall returns the run kept in memory under key. Its rows are shared:
// readers must not change them.
func (o *OutcomeService) recall(key string) (keptRun, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, kr := range o.recent {
		if kr.key == key {
			return kr, true
		}
	}
	return keptRun{}, false
}

// remember holds a run in memory, forgetting the oldest beyond recentRuns.
func (o *OutcomeService) remember(kr keptRun) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.recent = append(o.recent, kr)
	if len(o.recent) > recentRuns {
		o.recent = o.recent[1:]
	}
}

func (o *OutcomeService) backgroundFrom() int {
	if o.BackgroundFrom > 0 {
		return o.BackgroundFrom
	}
	return DefaultBackgroundFrom
}

// failure returns, and forgets, the error of the last background run under key.
func (o *OutcomeService) failure(key string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	err := o.failed[key]
	delete(o.failed, key)
	return err
}

// inBackground starts run unless it is already going, and returns its
// progress. A failed run's error is kept for the next view of the same
// report, which reports it (the server logs it) instead of the progress.
func (o *OutcomeService) inBackground(orgID int64, key string, deals int,
	run func(context.Context, func(done, total int)) ([]outcomes.Row, error)) *pipeline.OutcomeProgress {
	o.mu.Lock()
	defer o.mu.Unlock()
	if p := o.running[key]; p != nil {
		cp := *p
		return &cp
	}
	p := &pipeline.OutcomeProgress{Total: deals}
	o.running[key] = p
	o.runs.Add(1)
	go func() {
		defer o.runs.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		_, err := run(ctx, func(done, total int) {
			o.mu.Lock()
			p.Done, p.Total = done, total
			o.mu.Unlock()
		})
		o.mu.Lock()
		delete(o.running, key)
		if err != nil {
			o.failed[key] = err
		}
		o.mu.Unlock()
	}()
	cp := *p
	return &cp
}

// stamp sums up the closed deals of the scope and period: their count and
// row versions. Every write to a deal (an edit, a stage change, a touch
// logged, corrected or removed) writes its row, so an unchanged stamp means
// unchanged inputs.
func (o *OutcomeService) stamp(ctx context.Context, where string, qa args, q outcomes.Query) (string, int, error) {
	sql := `SELECT count(*), coalesce(sum(d.xmin::text::bigint), 0), coalesce(max(d.updated_at), 'epoch')
		FROM deals d WHERE ` + where + ` AND d.stage IN ` + closedStagesSQL +
		` AND d.stage_changed_at >= ` + qa.add(q.Start()) + ` AND d.stage_changed_at < ` + qa.add(q.End())
	var n int
	var sum int64
	var last time.Time
	if err := o.db.Pool.QueryRow(ctx, sql, qa.planned()...).Scan(&n, &sum, &last); err != nil {
		return "", 0, wrapConn(fmt.Errorf("outcome stamp: %w", err))
	}
	return strconv.Itoa(n) + "/" + strconv.FormatInt(sum, 10) + "/" + strconv.FormatInt(last.UnixMicro(), 10), n, nil
}

// keep stores a run's rows for the next view.
func (o *OutcomeService) keep(ctx context.Context, orgID int64, scope string, q outcomes.Query, rk, stamp string, rows []outcomes.Row) error {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(rows); err != nil {
		return fmt.Errorf("encode outcome rows: %w", err)
	}
	_, err := o.db.Pool.Exec(ctx, `
		INSERT INTO outcome_runs (org_id, scope, query, rules_key, stamp, rows, deals, computed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (org_id, scope, query) DO UPDATE SET rules_key = excluded.rules_key, stamp = excluded.stamp,
			rows = excluded.rows, deals = excluded.deals, computed_at = excluded.computed_at`,
		orgID, scope, q.Key(), rk, stamp, buf.Bytes(), len(rows), o.db.Now())
	if err != nil {
		return wrapConn(fmt.Errorf("keep outcome run: %w", err))
	}
	return nil
}

// BackTestRules back-tests the rules in force and proposed over the
// actor's closed deals of q, in one pass, for the settings preview. It
// keeps nothing.
func (s *ScoreService) BackTestRules(ctx context.Context, a pipeline.Actor, q outcomes.Query, current, proposed scoring.Rules) (*outcomes.Comparison, error) {
	var qa args
	where := dealScope(a, &qa)
	sets, err := s.backTest(ctx, a.OrgID, where, qa, q, []scoring.Rules{current, proposed}, nil)
	if err != nil {
		return nil, err
	}
	c := outcomes.Compare(sets[0], sets[1])
	return &c, nil
}

// BackTest back-tests rules over the actor's closed deals of q and keeps
// nothing: the benchmark's measure of a full run.
func (s *ScoreService) BackTest(ctx context.Context, a pipeline.Actor, q outcomes.Query, rules scoring.Rules) ([]outcomes.Row, error) {
	var qa args
	sets, err := s.backTest(ctx, a.OrgID, dealScope(a, &qa), qa, q, []scoring.Rules{rules}, nil)
	if err != nil {
		return nil, err
	}
	return sets[0], nil
}
