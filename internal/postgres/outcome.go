package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/outcomes"
	"goodmoney/internal/scoring"
)

// This file loads the closed deals of a period for the back-test, in one
// snapshot and with one query per kind of input, whatever the number of
// deals: the deals, the numbers they had at the cut (from the audit trail),
// their stage walks, then their touches, streamed in index order from the
// index-only scan the rescore uses and assessed deal by deal as they
// arrive, on the other cores, while the stream goes on. Each deal is
// assessed with every rule set given, so the settings preview compares two
// sets in one pass.

// closedStagesSQL lists the stages a deal ends in.
const closedStagesSQL = `('won', 'lost', 'disqualified')`

// closedDealsSQL reads the closed deals of the scope (its condition comes
// first, see dealScope) that closed in [$n, $n+1).
const closedDealsSQL = `
	SELECT d.id, d.title, p.name, d.owner_id, u.name, d.stage, d.amount, d.list_price, d.cost, d.currency,
		d.future_promise, d.created_at, d.stage_changed_at, d.close_reasons, d.came_back_at IS NOT NULL,
		d.freed_minutes
	FROM deals d
	JOIN prospects p ON p.org_id = d.org_id AND p.id = d.prospect_id
	JOIN users u ON u.org_id = d.org_id AND u.id = d.owner_id
	WHERE %s
	ORDER BY d.id`

// closedWhere is the condition on deals d of the closed deals of the
// scope where that closed in [start, end).
func closedWhere(where string, qa *args, q outcomes.Query) string {
	return where + ` AND d.stage IN ` + closedStagesSQL +
		` AND d.stage_changed_at >= ` + qa.add(q.Start()) + ` AND d.stage_changed_at < ` + qa.add(q.End())
}

// stageWalksSQL reads the stage changes of the closed deals, oldest first.
const stageWalksSQL = `SELECT sc.deal_id, sc.to_stage, sc.at FROM deal_stage_changes sc
	JOIN deals d ON d.id = sc.deal_id AND d.org_id = sc.org_id
	WHERE %s ORDER BY sc.deal_id, sc.at, sc.id`

// dealEditsSQL reads the creations and edits of the closed deals from the
// audit trail, with the numbers scoring reads before and after each.
const dealEditsSQL = `SELECT a.entity_id, a.action, a.at,
		a.before->'amount', a.before->'list_price', a.before->'cost', a.before->'future_promise',
		a.after->'amount', a.after->'list_price', a.after->'cost', a.after->'future_promise'
	FROM audit_events a
	JOIN deals d ON d.id = a.entity_id AND d.org_id = a.org_id
	WHERE a.entity = 'deal' AND a.action IN ('create', 'update') AND %s
	ORDER BY a.entity_id, a.at, a.id`

// closedDeal is one closed deal being back-tested.
type closedDeal struct {
	row          outcomes.Row
	input        outcomes.Deal
	editAfterCut bool // the first edit after the cut has been seen
}

// backTest assesses every closed deal the condition where (on deals d)
// selects that closed in q's period, once per rule set, and returns the
// rows per rule set in deal id order. progress, when not nil, is told how
// many deals are done every thousand deals.
func (s *ScoreService) backTest(ctx context.Context, orgID int64, where string, qa args, q outcomes.Query,
	sets []scoring.Rules, progress func(done, total int)) ([][]outcomes.Row, error) {
	qa = slices.Clone(qa) // the caller may add to its own copy
	where = closedWhere(where, &qa, q)
	var out [][]outcomes.Row
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err := pgx.BeginTxFunc(ctx, s.db.Pool, opts, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, fmt.Sprintf(closedDealsSQL, where), qa...)
		if err != nil {
			return fmt.Errorf("closed deals: %w", err)
		}
		deals, err := pgx.CollectRows(rows, scanClosedDeal)
		if err != nil {
			return fmt.Errorf("closed deals: %w", err)
		}
		if len(deals) == 0 {
			out = make([][]outcomes.Row, len(sets))
			return nil
		}
		if err := readEdits(ctx, tx, where, qa, q.Mode, deals); err != nil {
			return fmt.Errorf("deal edits: %w", err)
		}
		// The stage walks are read on a second connection, from the same
		// snapshot, while this one streams the touches.
		var snapshot string
		if err := tx.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
			return fmt.Errorf("export snapshot: %w", err)
		}
		walks := make([]walk, len(deals))
		walked := make(chan error, 1)
		go func() { walked <- s.readWalks(ctx, snapshot, where, qa, deals, walks) }()
		out, err = assessAll(ctx, tx, orgID, q.Mode, sets, deals, progress)
		if werr := <-walked; err == nil && werr != nil {
			err = fmt.Errorf("stage changes: %w", werr)
		} else if err != nil {
			err = fmt.Errorf("touches: %w", err)
		}
		if err != nil {
			return err
		}
		for k := range out {
			for i := range out[k] {
				out[k][i].Reached, out[k][i].StageDays = walks[i].reached, walks[i].days
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapConn(fmt.Errorf("back-test of org %d: %w", orgID, err))
	}
	return out, nil
}

func scanClosedDeal(r pgx.CollectableRow) (closedDeal, error) {
	var c closedDeal
	row, d := &c.row, &c.input
	err := r.Scan(&d.ID, &row.Title, &row.Prospect, &row.OwnerID, &row.Owner, &d.Stage, &d.Amount, &d.ListPrice, &d.Cost,
		&d.Currency, &d.FuturePromise, &d.CreatedAt, &d.ClosedAt, &row.Reasons, &d.CameBack, &row.FreedMinutes)
	row.DealID, row.Stage, row.Amount, row.Currency = d.ID, d.Stage, d.Amount, d.Currency
	row.CreatedAt, row.ClosedAt, row.CameBack = d.CreatedAt, d.ClosedAt, d.CameBack
	row.Reached = "lead"
	return c, err
}

// indexClosed returns the index of deal id in deals (ordered by id), -1
// when absent.
func indexClosed(deals []closedDeal, id int64) int {
	i, ok := slices.BinarySearchFunc(deals, id, func(c closedDeal, id int64) int { return cmp.Compare(c.input.ID, id) })
	if !ok {
		return -1
	}
	return i
}

// findClosed returns the deal id of deals, nil when absent.
func findClosed(deals []closedDeal, id int64) *closedDeal {
	if i := indexClosed(deals, id); i >= 0 {
		return &deals[i]
	}
	return nil
}

// assessAll streams the touches of deals (one index-only scan, in index
// order) and has workers assess each deal with every rule set as soon as
// its touches are in. It returns the rows per rule set in deal order.
func assessAll(ctx context.Context, tx pgx.Tx, orgID int64, mode outcomes.Mode, sets []scoring.Rules,
	deals []closedDeal, progress func(done, total int)) ([][]outcomes.Row, error) {
	ids := make([]int64, len(deals))
	for i := range deals {
		ids[i] = deals[i].input.ID
	}
	results := make([][]outcomes.Row, len(sets))
	for k := range results {
		results[k] = make([]outcomes.Row, len(deals))
	}
	type job struct {
		index   int
		touches *[]scoring.Touch
	}
	// Touch buffers go round between the reader and the workers rather
	// than a new one per deal: millions of touches would be garbage.
	bufs := sync.Pool{New: func() any { b := make([]scoring.Touch, 0, 64); return &b }}
	jobs := make(chan job, 256)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				c := &deals[j.index]
				for k, rules := range sets {
					row := c.row
					row.Assessment = outcomes.Assess(c.input, *j.touches, rules, mode)
					results[k][j.index] = row
				}
				bufs.Put(j.touches)
			}
		}()
	}
	r := dealReader{orgID: orgID, buf: make([]scoring.Touch, 0, 256)}
	done := 0
	r.fn = func(in *scoreInput) error {
		// The reader reuses its buffer: the worker gets a copy.
		b := bufs.Get().(*[]scoring.Touch)
		*b = append((*b)[:0], in.touches...)
		jobs <- job{index: done, touches: b}
		done++
		if progress != nil && done%1000 == 0 {
			progress(done, len(deals))
		}
		return nil
	}
	inputs := make([]scoreInput, len(deals))
	for i := range deals {
		inputs[i].deal.ID = deals[i].input.ID
	}
	rows, err := tx.Query(ctx, touchesSQL, orgID, ids)
	if err == nil {
		err = r.stream(rows, inputs)
	}
	close(jobs)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if progress != nil {
		progress(len(deals), len(deals))
	}
	return results, ctx.Err()
}

// walk is a deal's furthest open stage and days in each open stage.
type walk struct {
	reached string
	days    [4]float64
}

// readWalks reads the stage changes of deals (oldest first) in a read-only
// transaction on the snapshot, into walks (by deal index). A deal without
// recorded changes spent its life in its first stage, which is unknown, so
// it counts as a lead.
func (s *ScoreService) readWalks(ctx context.Context, snapshot, where string, qa args, deals []closedDeal, walks []walk) error {
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	return pgx.BeginTxFunc(ctx, s.db.Pool, opts, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET TRANSACTION SNAPSHOT '`+strings.ReplaceAll(snapshot, "'", "")+`'`); err != nil {
			return fmt.Errorf("import snapshot: %w", err)
		}
		rows, err := tx.Query(ctx, fmt.Sprintf(stageWalksSQL, where), qa...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var (
			dealID int64
			stage  string
			at     time.Time
			cur    = -1
			r      outcomes.Row
			from   string
			since  time.Time
		)
		flush := func() {
			if cur >= 0 {
				walks[cur] = walk{reached: r.Reached, days: r.StageDays}
			}
		}
		for i := range walks {
			walks[i].reached = "lead"
		}
		for rows.Next() {
			if err := rows.Scan(&dealID, &stage, &at); err != nil {
				return err
			}
			if cur < 0 || deals[cur].input.ID != dealID {
				flush()
				if cur = indexClosed(deals, dealID); cur < 0 {
					continue
				}
				r = outcomes.Row{Reached: "lead"}
				from, since = "", deals[cur].input.CreatedAt
			}
			r.Walk(from, since, stage, at)
			from, since = stage, at
		}
		flush()
		return rows.Err()
	})
}

// readEdits gives each deal the numbers it had at its cut: those written
// by its last creation or edit at or before the cut, else those the first
// edit after the cut replaced. A deal with neither has had its numbers
// since before the trail began, and keeps them.
func readEdits(ctx context.Context, tx pgx.Tx, where string, qa args, mode outcomes.Mode, deals []closedDeal) error {
	rows, err := tx.Query(ctx, fmt.Sprintf(dealEditsSQL, where), qa...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		dealID        int64
		action        string
		at            time.Time
		before, after editNumbers
	)
	for rows.Next() {
		if err := rows.Scan(&dealID, &action, &at, &before.amount, &before.list, &before.cost, &before.promise,
			&after.amount, &after.list, &after.cost, &after.promise); err != nil {
			return err
		}
		c := findClosed(deals, dealID)
		if c == nil {
			continue
		}
		d := &c.input
		cut := d.ClosedAt.AddDate(0, 0, -mode.DaysBefore)
		switch {
		case !at.After(cut):
			d.AtCut = after.numbers(d) // a later edit before the cut replaces it
		case action == "update" && !c.editAfterCut:
			if d.AtCut == nil {
				d.AtCut = before.numbers(d)
			}
			c.editAfterCut = true
		}
	}
	return rows.Err()
}

// editNumbers are the numbers an audit event recorded, as JSON values.
type editNumbers struct {
	amount, list, cost, promise []byte
}

// numbers decodes them; a field the event lacks keeps the deal's value.
func (e editNumbers) numbers(d *outcomes.Deal) *outcomes.Numbers {
	n := &outcomes.Numbers{Amount: d.Amount, ListPrice: d.ListPrice, Cost: d.Cost, FuturePromise: d.FuturePromise}
	if e.amount != nil {
		_ = json.Unmarshal(e.amount, &n.Amount)
	}
	if e.list != nil {
		n.ListPrice = nil
		_ = json.Unmarshal(e.list, &n.ListPrice)
	}
	if e.cost != nil {
		n.Cost = nil
		_ = json.Unmarshal(e.cost, &n.Cost)
	}
	if e.promise != nil {
		_ = json.Unmarshal(e.promise, &n.FuturePromise)
	}
	return n
}
