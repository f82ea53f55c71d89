package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/outcomes"
	"goodmoney/internal/scoring"
)

// This file loads the closed deals of a period for the back-test, from one
// snapshot and with one query per kind of input, whatever the number of
// deals. Two connections work at once. The first reads the deals' edits
// from the audit trail, then streams the touches of the closed deals in
// deal order, from the index-only scan of touches_deal_idx the rescore
// uses. The second reads the deals themselves in id order and hands them
// over in chunks as it goes, then reads their stage walks. The touch
// stream is merged with the deals as they arrive, and each deal is
// assessed on the other cores as soon as its last touch is in, with every
// rule set given, so the settings preview compares two sets in one pass.
// Nothing waits for all the deals before the touches start.

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

// closedTouchesSQL reads the touches of the same deals with the columns
// and in the order of touchesSQL, so decodeTouch reads them. Joined to the
// deals rather than given their ids, it needs nothing from the deals
// query and starts at once: for a whole org PostgreSQL merges the deals
// with one pass over touches_deal_idx, for a team it looks up each deal's
// run of the index.
const closedTouchesSQL = `SELECT t.deal_id, t.id, t.kind, t.direction, t.occurred_at, t.outcome, t.quote_amount, t.word_count
	FROM touches t JOIN deals d ON d.org_id = t.org_id AND d.id = t.deal_id
	WHERE %s
	ORDER BY t.deal_id, t.occurred_at DESC, t.id DESC`

// closedWhere is the condition on deals d of the closed deals of the
// scope where that closed in [start, end).
func closedWhere(where string, qa *args, q outcomes.Query) string {
	return where + ` AND d.stage IN ` + closedStagesSQL +
		` AND d.stage_changed_at >= ` + qa.add(q.Start()) + ` AND d.stage_changed_at < ` + qa.add(q.End())
}

// stageWalksSQL reads the stage changes of the closed deals in the order
// of deal_stage_changes_deal_idx: by deal and time. Changes at the same
// moment are put in id order by readWalks: asked of PostgreSQL, that order
// costs an incremental sort of every deal's changes (a third of the query).
const stageWalksSQL = `SELECT sc.deal_id, sc.id, sc.to_stage, sc.at FROM deal_stage_changes sc
	JOIN deals d ON d.id = sc.deal_id AND d.org_id = sc.org_id
	WHERE %s ORDER BY sc.deal_id, sc.at`

// dealEditsSQL reads the creations and edits of the closed deals from the
// audit trail, with the numbers scoring reads before and after each.
const dealEditsSQL = `SELECT a.entity_id, a.action, a.at,
		a.before->'amount', a.before->'list_price', a.before->'cost', a.before->'future_promise',
		a.after->'amount', a.after->'list_price', a.after->'cost', a.after->'future_promise'
	FROM audit_events a
	JOIN deals d ON d.id = a.entity_id AND d.org_id = a.org_id
	WHERE a.entity = 'deal' AND a.action IN ('create', 'update') AND %s
	ORDER BY a.entity_id, a.at, a.id`

// snapshotTx is the back-test's transaction: read-only, one snapshot.
var snapshotTx = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}

// closedDeal is one closed deal being back-tested.
type closedDeal struct {
	row   outcomes.Row
	input outcomes.Deal
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
	err := pgx.BeginTxFunc(ctx, s.db.Pool, snapshotTx, func(tx pgx.Tx) error {
		var snapshot string
		var n int
		err := tx.QueryRow(ctx, `SELECT pg_export_snapshot(), (SELECT count(*) FROM deals d WHERE `+where+`)`, qa.planned()...).
			Scan(&snapshot, &n)
		if err != nil {
			return fmt.Errorf("count closed deals: %w", err)
		}
		out = make([][]outcomes.Row, len(sets))
		if n == 0 {
			return nil
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		// The deals and their walks come on a second connection, from the
		// same snapshot, while this one reads the edits and the touches.
		chunks := make(chan []closedDeal, 4)
		var walks []walk
		loaded := make(chan error, 1)
		go func() { loaded <- s.readDeals(ctx, snapshot, where, qa, s.batchSize(), chunks, &walks) }()

		a := newAssessor(sets, q.Mode, n, progress)
		err = a.merge(ctx, tx, where, qa, chunks)
		a.wait()
		if err != nil {
			cancel() // the deals reader may be waiting to hand a chunk over
		}
		if lerr := <-loaded; lerr != nil && (err == nil || errors.Is(err, context.Canceled)) {
			err = lerr
		}
		if err != nil {
			return err
		}
		if a.done != n || len(walks) != n {
			return fmt.Errorf("read %d deals and %d walks of %d", a.done, len(walks), n)
		}
		for k := range a.results {
			for i := range a.results[k] {
				a.results[k][i].Reached, a.results[k][i].StageDays = walks[i].reached, walks[i].days
			}
		}
		out = a.results
		return nil
	})
	if err != nil {
		return nil, wrapConn(fmt.Errorf("back-test of org %d: %w", orgID, err))
	}
	return out, nil
}

// readDeals reads the deals in id order in a read-only transaction on the
// snapshot, handing them to chunks size at a time (and closing it, even on
// failure), then reads their walks.
func (s *ScoreService) readDeals(ctx context.Context, snapshot, where string, qa args, size int,
	chunks chan<- []closedDeal, walks *[]walk) error {
	sent := false
	defer func() {
		if !sent {
			close(chunks)
		}
	}()
	return pgx.BeginTxFunc(ctx, s.db.Pool, snapshotTx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET TRANSACTION SNAPSHOT '`+strings.ReplaceAll(snapshot, "'", "")+`'`); err != nil {
			return fmt.Errorf("import snapshot: %w", err)
		}
		// The deals are sorted by id in memory rather than on disk (35 MB
		// for the benchmark org, past the default 4 MB).
		if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '64MB'`); err != nil {
			return err
		}
		starts, err := sendDeals(ctx, tx, where, qa, size, chunks)
		sent = true
		if err != nil {
			return fmt.Errorf("closed deals: %w", err)
		}
		*walks = make([]walk, len(starts))
		if err := readWalks(ctx, tx, where, qa, starts, *walks); err != nil {
			return fmt.Errorf("stage changes: %w", err)
		}
		return nil
	})
}

// walkStart is where a deal's stage walk begins.
type walkStart struct {
	id      int64
	created time.Time
}

// sendDeals reads the deals into chunks of size, sends each when full and
// closes chunks. It returns where each deal's walk begins, in order.
func sendDeals(ctx context.Context, tx pgx.Tx, where string, qa args, size int, chunks chan<- []closedDeal) ([]walkStart, error) {
	defer close(chunks)
	rows, err := tx.Query(ctx, fmt.Sprintf(closedDealsSQL, where), qa.planned()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var starts []walkStart
	chunk := make([]closedDeal, 0, size)
	send := func() error {
		select {
		case chunks <- chunk:
			chunk = make([]closedDeal, 0, size)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for rows.Next() {
		chunk = append(chunk, closedDeal{})
		c := &chunk[len(chunk)-1]
		if err := scanClosedDeal(rows, c); err != nil {
			return nil, err
		}
		starts = append(starts, walkStart{id: c.input.ID, created: c.input.CreatedAt})
		if len(chunk) == size {
			if err := send(); err != nil {
				return nil, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(chunk) > 0 {
		if err := send(); err != nil {
			return nil, err
		}
	}
	return starts, nil
}

func scanClosedDeal(r pgx.Rows, c *closedDeal) error {
	row, d := &c.row, &c.input
	err := r.Scan(&d.ID, &row.Title, &row.Prospect, &row.OwnerID, &row.Owner, &d.Stage, &d.Amount, &d.ListPrice, &d.Cost,
		&d.Currency, &d.FuturePromise, &d.CreatedAt, &d.ClosedAt, &row.Reasons, &d.CameBack, &row.FreedMinutes)
	row.DealID, row.Stage, row.Amount, row.Currency = d.ID, d.Stage, d.Amount, d.Currency
	row.CreatedAt, row.ClosedAt, row.CameBack = d.CreatedAt, d.ClosedAt, d.CameBack
	row.Reached = "lead"
	return err
}

// assessor assesses deals on every core with every rule set, writing each
// deal's rows at its index.
type assessor struct {
	sets     []scoring.Rules
	mode     outcomes.Mode
	results  [][]outcomes.Row // by rule set, then deal index
	progress func(done, total int)
	done     int // deals handed over

	jobs chan assessJob
	bufs sync.Pool // of *[]scoring.Touch
	wg   sync.WaitGroup
}

type assessJob struct {
	index   int
	deal    *closedDeal
	touches *[]scoring.Touch
}

// newAssessor starts the workers for n deals.
func newAssessor(sets []scoring.Rules, mode outcomes.Mode, n int, progress func(done, total int)) *assessor {
	a := &assessor{sets: sets, mode: mode, results: make([][]outcomes.Row, len(sets)), progress: progress,
		jobs: make(chan assessJob, 256)}
	for k := range a.results {
		a.results[k] = make([]outcomes.Row, n)
	}
	// Touch buffers go round between the reader and the workers rather
	// than a new one per deal: millions of touches would be garbage.
	a.bufs.New = func() any { b := make([]scoring.Touch, 0, 64); return &b }
	for range max(1, runtime.GOMAXPROCS(0)) {
		a.wg.Add(1)
		go a.work()
	}
	return a
}

func (a *assessor) work() {
	defer a.wg.Done()
	for j := range a.jobs {
		c := j.deal
		for k, rules := range a.sets {
			row := &a.results[k][j.index]
			*row = c.row
			row.Assessment = outcomes.Assess(c.input, *j.touches, rules, a.mode)
		}
		a.bufs.Put(j.touches)
	}
}

// wait stops the workers once they are done.
func (a *assessor) wait() {
	close(a.jobs)
	a.wg.Wait()
}

// send hands deal c over with its touches, given newest first; the worker
// gets them oldest first, in a buffer of its own.
func (a *assessor) send(c *closedDeal, newestFirst []scoring.Touch) error {
	if a.done == len(a.results[0]) {
		return errors.New("more closed deals than counted")
	}
	b := a.bufs.Get().(*[]scoring.Touch)
	*b = (*b)[:0]
	for i := len(newestFirst) - 1; i >= 0; i-- {
		*b = append(*b, newestFirst[i])
	}
	a.jobs <- assessJob{index: a.done, deal: c, touches: b}
	a.done++
	if a.progress != nil && (a.done%1000 == 0 || a.done == len(a.results[0])) {
		a.progress(a.done, len(a.results[0]))
	}
	return nil
}

// merge reads the deals' edits, then streams their touches and hands each
// deal over, with its numbers at the cut, as soon as its touches are in.
func (a *assessor) merge(ctx context.Context, tx pgx.Tx, where string, qa args, chunks <-chan []closedDeal) error {
	edits, err := readEdits(ctx, tx, where, qa)
	if err != nil {
		return fmt.Errorf("deal edits: %w", err)
	}
	rows, err := tx.Query(ctx, fmt.Sprintf(closedTouchesSQL, where), qa.planned()...)
	if err != nil {
		return fmt.Errorf("touches: %w", err)
	}
	defer rows.Close()
	if err := checkBinary(rows.FieldDescriptions()); err != nil {
		return err
	}
	deals := dealCursor{ctx: ctx, chunks: chunks}
	var (
		cur int64 = -1
		buf       = make([]scoring.Touch, 0, 256) // the touches of deal cur, newest first
		t   scoring.Touch
	)
	// handOver sends the deals with ids below before; the deal cur gets buf.
	handOver := func(before int64) error {
		for {
			c, err := deals.peek()
			if err != nil || c == nil || c.input.ID >= before {
				return err
			}
			var touches []scoring.Touch
			if c.input.ID == cur {
				touches = buf
			}
			edits = edits.apply(c, a.mode)
			if err := a.send(c, touches); err != nil {
				return err
			}
			deals.pop()
		}
	}
	for rows.Next() {
		dealID, err := decodeTouch(rows.RawValues(), &t)
		if err != nil {
			return err
		}
		if dealID != cur {
			if err := handOver(dealID); err != nil {
				return err
			}
			cur, buf = dealID, buf[:0]
		}
		buf = append(buf, t)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("touches: %w", err)
	}
	return handOver(math.MaxInt64)
}

// dealCursor walks the deals as the reader hands them over.
type dealCursor struct {
	ctx    context.Context
	chunks <-chan []closedDeal
	chunk  []closedDeal
}

// peek returns the next deal not handed over yet, nil when none is left.
func (c *dealCursor) peek() (*closedDeal, error) {
	for len(c.chunk) == 0 {
		select {
		case ch, ok := <-c.chunks:
			if !ok {
				return nil, nil
			}
			c.chunk = ch
		case <-c.ctx.Done():
			return nil, c.ctx.Err()
		}
	}
	return &c.chunk[0], nil
}

func (c *dealCursor) pop() { c.chunk = c.chunk[1:] }

// walk is a deal's furthest open stage and days in each open stage.
type walk struct {
	reached string
	days    [4]float64
}

// readWalks reads the stage changes of the deals that start (ordered by
// id) into walks, by deal index, oldest change first. A deal without
// recorded changes spent its life in its first stage, which is unknown, so
// it counts as a lead.
func readWalks(ctx context.Context, tx pgx.Tx, where string, qa args, starts []walkStart, walks []walk) error {
	rows, err := tx.Query(ctx, fmt.Sprintf(stageWalksSQL, where), qa.planned()...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		c       stageChange
		cur     = -1 // index of the deal whose changes are being read
		next    = 0  // the deals before next have been met
		changes []stageChange
	)
	flush := func() {
		if cur >= 0 {
			walks[cur] = walkOf(starts[cur].created, changes)
		}
	}
	for i := range walks {
		walks[i].reached = "lead"
	}
	for rows.Next() {
		if err := rows.Scan(&c.dealID, &c.id, &c.to, &c.at); err != nil {
			return err
		}
		if cur < 0 || starts[cur].id != c.dealID {
			flush()
			for next < len(starts) && starts[next].id < c.dealID {
				next++
			}
			cur, changes = -1, changes[:0]
			if next == len(starts) || starts[next].id != c.dealID {
				continue
			}
			cur = next
		}
		changes = append(changes, c)
	}
	flush()
	return rows.Err()
}

// stageChange is a row of stageWalksSQL.
type stageChange struct {
	dealID, id int64
	to         string
	at         time.Time
}

// walkOf walks a deal created at created through its changes (by time,
// which it puts in id order within a moment).
func walkOf(created time.Time, changes []stageChange) walk {
	byTime := func(a, b stageChange) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	}
	if !slices.IsSortedFunc(changes, byTime) {
		slices.SortFunc(changes, byTime)
	}
	r := outcomes.Row{Reached: "lead"}
	from, since := "", created
	for _, c := range changes {
		r.Walk(from, since, c.to, c.at)
		from, since = c.to, c.at
	}
	return walk{reached: r.Reached, days: r.StageDays}
}

// dealEdit is one creation or edit of a deal in the audit trail.
type dealEdit struct {
	dealID        int64
	action        string
	at            time.Time
	before, after editNumbers
}

// dealEdits are the edits of the closed deals, by deal and time.
type dealEdits []dealEdit

// readEdits reads the creations and edits of the closed deals.
func readEdits(ctx context.Context, tx pgx.Tx, where string, qa args) (dealEdits, error) {
	rows, err := tx.Query(ctx, fmt.Sprintf(dealEditsSQL, where), qa.planned()...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (dealEdit, error) {
		var e dealEdit
		err := r.Scan(&e.dealID, &e.action, &e.at, &e.before.amount, &e.before.list, &e.before.cost, &e.before.promise,
			&e.after.amount, &e.after.list, &e.after.cost, &e.after.promise)
		return e, err
	})
}

// apply gives deal c the numbers it had at its cut from the edits (which
// must begin at or after its own, deals coming in id order): those written
// by its last creation or edit at or before the cut, else those the first
// edit after the cut replaced. A deal with neither has had its numbers
// since before the trail began, and keeps them. It returns the edits of
// the later deals.
func (es dealEdits) apply(c *closedDeal, mode outcomes.Mode) dealEdits {
	for len(es) > 0 && es[0].dealID < c.input.ID {
		es = es[1:]
	}
	d := &c.input
	cut := d.ClosedAt.AddDate(0, 0, -mode.DaysBefore)
	afterCut := false // the first edit after the cut has been seen
	for ; len(es) > 0 && es[0].dealID == d.ID; es = es[1:] {
		e := &es[0]
		switch {
		case !e.at.After(cut):
			d.AtCut = e.after.numbers(d) // a later edit before the cut replaces it
		case e.action == "update" && !afterCut:
			if d.AtCut == nil {
				d.AtCut = e.before.numbers(d)
			}
			afterCut = true
		}
	}
	return es
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
