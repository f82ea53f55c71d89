package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/money"
	"goodmoney/internal/outcomes"
	"goodmoney/internal/scoring"
)

// This file loads the closed deals of a period for the back-test, in one
// snapshot and in batches of BatchSize deals: the deals in one query, then
// per batch one round trip for their touches (from the index-only scan the
// rescore uses), their stage changes and the numbers they had at the cut
// (from the audit trail). Each deal is assessed with every rule set given,
// so the settings preview compares two sets in one pass.

// closedStagesSQL lists the stages a deal ends in.
const closedStagesSQL = `('won', 'lost', 'disqualified')`

// closedDealsSQL reads the closed deals of the scope (its condition comes
// first, see dealScope) that closed in [$n, $n+1).
const closedDealsSQL = `
	SELECT d.id, d.title, p.name, d.owner_id, u.name, d.stage, d.amount, d.list_price, d.cost, d.currency,
		d.future_promise, d.created_at, d.stage_changed_at, d.close_reasons, d.came_back_at IS NOT NULL
	FROM deals d
	JOIN prospects p ON p.id = d.prospect_id
	JOIN users u ON u.id = d.owner_id
	WHERE %s AND d.stage IN ` + closedStagesSQL + ` AND d.stage_changed_at >= %s AND d.stage_changed_at < %s
	ORDER BY d.id`

// stageChangesSQL reads the stage walks of a batch of deals.
const stageChangesSQL = `SELECT deal_id, to_stage, at FROM deal_stage_changes
	WHERE org_id = $1 AND deal_id = ANY($2) ORDER BY deal_id, at, id`

// numbersAtSQL reads, for each deal $2 with its cut $3, the numbers it had
// then from the audit trail: those written by the last create or edit at or
// before the cut, else those an edit after the cut replaced. A deal with
// neither has had its numbers since before the trail began.
const numbersAtSQL = `
	SELECT c.id, coalesce(
		(SELECT a.after FROM audit_events a WHERE a.org_id = $1 AND a.entity = 'deal' AND a.entity_id = c.id
			AND a.action IN ('create', 'update') AND a.at <= c.cut ORDER BY a.at DESC, a.id DESC LIMIT 1),
		(SELECT a.before FROM audit_events a WHERE a.org_id = $1 AND a.entity = 'deal' AND a.entity_id = c.id
			AND a.action = 'update' AND a.at > c.cut ORDER BY a.at, a.id LIMIT 1))
	FROM unnest($2::bigint[], $3::timestamptz[]) AS c(id, cut)`

// closedDeal is one closed deal being back-tested.
type closedDeal struct {
	row   outcomes.Row
	input outcomes.Deal
}

// backTest assesses every closed deal the condition where (on deals d)
// selects that closed in [start, end), once per rule set, and returns the
// rows per rule set in deal id order. progress, when not nil, is told how
// many deals are done after every batch.
func (s *ScoreService) backTest(ctx context.Context, orgID int64, where string, qa args, q outcomes.Query,
	sets []scoring.Rules, progress func(done, total int)) ([][]outcomes.Row, error) {
	out := make([][]outcomes.Row, len(sets))
	qa = slices.Clone(qa) // the caller may add to its own copy
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err := pgx.BeginTxFunc(ctx, s.db.Pool, opts, func(tx pgx.Tx) error {
		sql := fmt.Sprintf(closedDealsSQL, where, qa.add(q.Start()), qa.add(q.End()))
		rows, err := tx.Query(ctx, sql, qa...)
		if err != nil {
			return err
		}
		deals, err := pgx.CollectRows(rows, scanClosedDeal)
		if err != nil {
			return err
		}
		for i := range out {
			out[i] = make([]outcomes.Row, 0, len(deals))
		}
		for start := 0; start < len(deals); start += s.batchSize() {
			batch := deals[start:min(len(deals), start+s.batchSize())]
			if err := s.assessBatch(ctx, tx, orgID, q, sets, batch, out); err != nil {
				return err
			}
			if progress != nil {
				progress(start+len(batch), len(deals))
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
		&d.Currency, &d.FuturePromise, &d.CreatedAt, &d.ClosedAt, &row.Reasons, &d.CameBack)
	row.DealID, row.Stage, row.Amount, row.Currency = d.ID, d.Stage, d.Amount, d.Currency
	row.CreatedAt, row.ClosedAt, row.CameBack = d.CreatedAt, d.ClosedAt, d.CameBack
	return c, err
}

// assessBatch loads the inputs of batch in one round trip and appends each
// deal's row per rule set to out.
func (s *ScoreService) assessBatch(ctx context.Context, tx pgx.Tx, orgID int64, q outcomes.Query, sets []scoring.Rules,
	batch []closedDeal, out [][]outcomes.Row) error {
	ids := make([]int64, len(batch))
	cuts := make([]time.Time, len(batch))
	inputs := make([]scoreInput, len(batch))
	for i := range batch {
		ids[i], inputs[i].deal.ID = batch[i].input.ID, batch[i].input.ID
		cuts[i] = batch[i].input.ClosedAt.AddDate(0, 0, -q.Mode.DaysBefore)
	}
	var b pgx.Batch
	b.Queue(touchesSQL, orgID, ids)
	b.Queue(stageChangesSQL, orgID, ids)
	b.Queue(numbersAtSQL, orgID, ids, cuts)
	res := tx.SendBatch(ctx, &b)
	defer res.Close()
	rows, err := res.Query()
	if err != nil {
		return fmt.Errorf("touches: %w", err)
	}
	if err := attachTouches(rows, inputs); err != nil {
		return fmt.Errorf("touches: %w", err)
	}
	if err := readStageWalks(res, batch); err != nil {
		return fmt.Errorf("stage changes: %w", err)
	}
	if err := readNumbersAt(res, batch); err != nil {
		return fmt.Errorf("numbers at the cut: %w", err)
	}
	for i := range batch {
		c := &batch[i]
		for k, rules := range sets {
			row := c.row
			row.Assessment = outcomes.Assess(c.input, inputs[i].touches, rules, q.Mode)
			out[k] = append(out[k], row)
		}
	}
	return res.Close()
}

// readStageWalks sets each deal's furthest open stage and the days it
// spent in each, from its stage changes (oldest first). A deal without
// recorded changes spent its life in its first stage, which is unknown, so
// it counts as a lead.
func readStageWalks(res pgx.BatchResults, batch []closedDeal) error {
	rows, err := res.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	byID := make(map[int64]*closedDeal, len(batch))
	for i := range batch {
		byID[batch[i].input.ID] = &batch[i]
		batch[i].row.Reached = "lead"
	}
	var (
		dealID int64
		stage  string
		at     time.Time
		cur    *closedDeal
		from   string
		since  time.Time
	)
	for rows.Next() {
		if err := rows.Scan(&dealID, &stage, &at); err != nil {
			return err
		}
		c := byID[dealID]
		if c == nil {
			continue
		}
		if c != cur {
			cur, from, since = c, "", c.input.CreatedAt
		}
		c.row.Walk(from, since, stage, at)
		from, since = stage, at
	}
	return rows.Err()
}

// readNumbersAt puts the numbers each deal had at its cut in its input.
func readNumbersAt(res pgx.BatchResults, batch []closedDeal) error {
	rows, err := res.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		dealID int64
		raw    []byte
	)
	byID := make(map[int64]*outcomes.Deal, len(batch))
	for i := range batch {
		byID[batch[i].input.ID] = &batch[i].input
	}
	for rows.Next() {
		if err := rows.Scan(&dealID, &raw); err != nil {
			return err
		}
		d := byID[dealID]
		if d == nil || raw == nil {
			continue
		}
		at := &outcomes.Numbers{Amount: d.Amount, ListPrice: d.ListPrice, Cost: d.Cost, FuturePromise: d.FuturePromise}
		var n struct {
			Amount        *money.Cents `json:"amount"`
			ListPrice     *money.Cents `json:"list_price"`
			Cost          *money.Cents `json:"cost"`
			FuturePromise *bool        `json:"future_promise"`
		}
		if err := json.Unmarshal(raw, &n); err != nil {
			return fmt.Errorf("deal %d: %w", dealID, err)
		}
		if n.Amount != nil {
			at.Amount = *n.Amount
		}
		at.ListPrice, at.Cost = n.ListPrice, n.Cost
		if n.FuturePromise != nil {
			at.FuturePromise = *n.FuturePromise
		}
		d.AtCut = at
	}
	return rows.Err()
}
