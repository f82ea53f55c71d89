package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
	"goodmoney/internal/scoring"
)

// This file holds the full rescore of an org's open deals: it reads them
// all in one pass (see eachOpenDeal), evaluates each, and writes only the
// scores that changed, in batches, on a second connection while the read
// goes on.
//
// Writes are safe against reps logging touches meanwhile. A batch locks its
// deals (FOR UPDATE SKIP LOCKED) and writes a score only if the deal row is
// still the version the read saw (its xmin): every write that changes a
// deal's scoring inputs locks and updates the deal row, as DealService does,
// so an unchanged row means unchanged inputs. A deal that is locked or has
// changed was rescored by its writer, or is being; it is scored once more at
// the end, waiting for its lock, so that no stale score survives the run.

// RescoreAll scores every open deal of the org with the rules in force, and
// opens and resolves flags accordingly. It first refreshes the org's effort
// percentile from its won deals. It is safe to run while deals are being
// written (see above) and while another full rescore runs.
func (s *ScoreService) RescoreAll(ctx context.Context, orgID int64) (pipeline.RescoreStats, error) {
	started := time.Now()
	var st pipeline.RescoreStats
	if err := s.refreshEffort(ctx, orgID); err != nil {
		return st, err
	}
	rules, err := s.Rules(ctx, orgID)
	if err != nil {
		return st, err
	}
	now := s.db.Now()
	readCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := s.startBulkWriter(ctx, orgID, rules.Version, now, cancel)
	err = s.eachOpenDeal(readCtx, orgID, func(in *scoreInput) error {
		sc := scoring.Evaluate(in.deal, in.touches, rules, now)
		st.Deals++
		if sc.Band == scoring.BandNotGoodMoney {
			st.Flagged++
		}
		w.add(in, &sc)
		return nil
	})
	res, busy, werr := w.finish()
	if werr != nil {
		err = werr // the read was cancelled because of it
	}
	if err != nil {
		return st, err
	}
	st.Written, st.Opened, st.Resolved = res.written, res.opened, res.resolved
	err = s.revisit(ctx, orgID, rules, busy, &st)
	st.Duration = time.Since(started)
	return st, err
}

// pending is a deal whose evaluation needs a write: a new score or a flag
// transition. The score holds no reference to the read buffers.
type pending struct {
	in    scoreInput // without touches
	score scoring.Score
	fp    int64
}

// bulkWriter writes a full rescore's changes in batches, in transactions of
// its own on a second connection, while the reader goes on.
type bulkWriter struct {
	s       *ScoreService
	orgID   int64
	version int
	now     time.Time
	batch   []pending
	queue   chan []pending
	done    chan struct{}
	res     batchResult
	busy    []int64
	err     error
}

// startBulkWriter starts the writer; on a failed write it calls stop, which
// cancels the read, and drops the batches still to come.
func (s *ScoreService) startBulkWriter(ctx context.Context, orgID int64, version int, now time.Time, stop func()) *bulkWriter {
	w := &bulkWriter{s: s, orgID: orgID, version: version, now: now, queue: make(chan []pending, 2), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for batch := range w.queue {
			if w.err == nil {
				if w.err = w.write(ctx, batch); w.err != nil {
					stop()
				}
			}
		}
	}()
	return w
}

// add queues the deal when its score changed or its flag needs a transition.
func (w *bulkWriter) add(in *scoreInput, sc *scoring.Score) {
	fp := fingerprint(sc)
	ngm := sc.Band == scoring.BandNotGoodMoney
	flagToOpen, flagToResolve := ngm && !in.flagWaiting, !ngm && in.flagOpen
	if !in.changed(sc, fp) && !flagToOpen && !flagToResolve {
		return
	}
	p := pending{in: *in, score: *sc, fp: fp}
	p.in.touches = nil
	w.batch = append(w.batch, p)
	if len(w.batch) >= min(w.s.batchSize(), WriteBatchSize) {
		w.queue <- w.batch
		w.batch = nil
	}
}

// finish writes the last batch and waits for the writer. It returns what
// was written and the deals that were locked or changed under the run.
func (w *bulkWriter) finish() (batchResult, []int64, error) {
	if len(w.batch) > 0 {
		w.queue <- w.batch
	}
	close(w.queue)
	<-w.done
	return w.res, w.busy, w.err
}

// write locks the batch's deals that nobody else holds, keeps those whose
// row is still the version that was read, and stores their scores and flags.
func (w *bulkWriter) write(ctx context.Context, batch []pending) error {
	ids := make([]int64, len(batch))
	for i := range batch {
		ids[i] = batch[i].in.deal.ID
	}
	err := w.s.db.Transact(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, xmin::text::bigint FROM deals
			WHERE org_id = $1 AND id = ANY($2) AND stage IN `+openStagesSQL+` ORDER BY id FOR UPDATE SKIP LOCKED`, w.orgID, ids)
		if err != nil {
			return fmt.Errorf("lock deals: %w", err)
		}
		current := map[int64]int64{}
		var id, xmin int64
		_, err = pgx.ForEachRow(rows, []any{&id, &xmin}, func() error { current[id] = xmin; return nil })
		if err != nil {
			return fmt.Errorf("lock deals: %w", err)
		}
		var sw scoreWrites
		for i := range batch {
			p := &batch[i]
			if x, ok := current[p.in.deal.ID]; !ok || x != p.in.xmin {
				w.busy = append(w.busy, p.in.deal.ID)
				continue
			}
			if err := sw.add(&p.in, &p.score, p.fp); err != nil {
				return err
			}
		}
		return sw.write(ctx, tx, w.orgID, w.version, w.now, &w.res)
	})
	if err != nil {
		return wrapConn(fmt.Errorf("rescore org %d: %w", w.orgID, err))
	}
	return nil
}

func (s *ScoreService) batchSize() int {
	if s.BatchSize > 0 {
		return s.BatchSize
	}
	return DefaultBatchSize
}

// revisit scores the deals that were busy during the run, waiting for their
// locks and reading their inputs afresh. Deals closed meanwhile drop out.
func (s *ScoreService) revisit(ctx context.Context, orgID int64, rules scoring.Rules, ids []int64, st *pipeline.RescoreStats) error {
	for len(ids) > 0 {
		n := min(len(ids), s.batchSize())
		var res batchResult
		err := s.db.Transact(ctx, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT `+dealInputColumns+` FROM deals d
				WHERE d.org_id = $1 AND d.id = ANY($2) AND d.stage IN `+openStagesSQL+` ORDER BY d.id FOR UPDATE`, orgID, ids[:n])
			if err != nil {
				return fmt.Errorf("lock deals: %w", err)
			}
			inputs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (scoreInput, error) { return scanDealInput(r) })
			if err != nil || len(inputs) == 0 {
				return err
			}
			if err := loadInputs(ctx, tx, orgID, inputs); err != nil {
				return err
			}
			res, err = storeScores(ctx, tx, orgID, rules, s.db.Now(), inputs)
			return err
		})
		if err != nil {
			return wrapConn(fmt.Errorf("rescore org %d: %w", orgID, err))
		}
		st.Revisited += res.scored
		st.Written += res.written
		st.Opened += res.opened
		st.Resolved += res.resolved
		ids = ids[n:]
	}
	return nil
}

// effortSQL computes the org's effort percentile the way scoring.EffortRate
// and scoring.P90 do: touches other than notes per 1,000 of value (100,000
// cents), nearest rank (percentile_disc). It stores 0, the fallback, when
// the org has fewer than scoring.MinWonDeals won deals, over its latest
// scoring.EffortSample.
const effortSQL = `
	WITH won AS (
		SELECT (SELECT count(*) FROM touches t
				WHERE t.deal_id = d.id AND t.org_id = d.org_id AND t.kind <> 'note' AND t.occurred_at <= $2
			)::float8 * 100000 / d.amount::float8 AS rate
		FROM deals d WHERE d.org_id = $1 AND d.stage = '` + pipeline.StageWon + `' AND d.amount > 0
		ORDER BY d.id DESC LIMIT $4),
	p AS (
		SELECT CASE WHEN count(*) >= $3 THEN percentile_disc(0.9) WITHIN GROUP (ORDER BY rate) ELSE 0 END AS p90
		FROM won)
	UPDATE orgs o SET effort_p90 = p.p90 FROM p
	WHERE o.id = $1 AND o.effort_p90 IS DISTINCT FROM p.p90`

// refreshEffort recomputes the org's effort percentile.
func (s *ScoreService) refreshEffort(ctx context.Context, orgID int64) error {
	if _, err := s.db.Pool.Exec(ctx, effortSQL, orgID, s.db.Now(), scoring.MinWonDeals, scoring.EffortSample); err != nil {
		return wrapConn(fmt.Errorf("effort percentile of org %d: %w", orgID, err))
	}
	return nil
}

// OrgIDs lists every org, for the periodic rescore that visits them all.
func (s *ScoreService) OrgIDs(ctx context.Context) ([]int64, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT id FROM orgs ORDER BY id`)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("orgs: %w", err))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, wrapConn(fmt.Errorf("orgs: %w", err))
	}
	return ids, nil
}
