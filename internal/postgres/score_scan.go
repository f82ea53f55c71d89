package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"goodmoney/internal/money"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/scoring"
)

// This file reads every open deal of an org with its touches, for the full
// rescore and the rules preview, in batches of BatchSize deals by id, all
// from one snapshot: one round trip per batch for the deals and their
// touches.
//
// Touches are logged over months in time order, so one deal's touches are
// spread across the whole table, and fetching them from the table deal by
// deal costs a random page read per touch. touches_deal_idx therefore
// carries every column scoring reads (migration 00004), so a batch's
// touches come from an index-only scan: a thousand short runs of adjacent
// index entries, already ordered by deal and time. Rows are decoded from
// PostgreSQL's binary format by hand, without allocating for the kind,
// direction or outcome.

// openDealsSQL reads the open deals $2 with their row version, stored score
// and whether a flag asks for attention.
var openDealsSQL = `
		SELECT ` + dealInputColumns + `, d.xmin::text::bigint,
			s.points, s.band, s.rules_version, s.fingerprint, f.status
		FROM deals d
		LEFT JOIN deal_scores s ON s.org_id = d.org_id AND s.deal_id = d.id
		LEFT JOIN flags f ON f.deal_id = d.id AND f.org_id = d.org_id AND f.status IN ('open', 'snoozed')
		WHERE d.org_id = $1 AND d.id = ANY($2) AND d.stage IN ` + openStagesSQL + `
		ORDER BY d.id`

// eachOpenDeal hands every open deal of the org, with its stored score and
// touches (oldest first), to fn in id order. The deal and its touches are
// only valid during the call.
func (s *ScoreService) eachOpenDeal(ctx context.Context, orgID int64, fn func(*scoreInput) error) error {
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err := pgx.BeginTxFunc(ctx, s.db.Pool, opts, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM deals WHERE org_id = $1 AND stage IN `+openStagesSQL+` ORDER BY id`, orgID)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		r := dealReader{orgID: orgID, fn: fn, buf: make([]scoring.Touch, 0, 256)}
		for len(ids) > 0 {
			n := min(len(ids), s.batchSize())
			if err := r.batch(ctx, tx, ids[:n]); err != nil {
				return err
			}
			ids = ids[n:]
		}
		return nil
	})
	if err != nil {
		return wrapConn(fmt.Errorf("open deals of org %d: %w", orgID, err))
	}
	return nil
}

func scanOpenDeal(r pgx.CollectableRow) (scoreInput, error) {
	in := scoreInput{open: true}
	d := &in.deal
	var points, version *int
	var band *scoring.Band
	var fp *int64
	var flag *string
	err := r.Scan(&d.ID, &d.Stage, &d.Amount, &d.ListPrice, &d.Cost, &d.Currency, &d.FuturePromise, &d.CreatedAt,
		&in.xmin, &points, &band, &version, &fp, &flag)
	if points != nil {
		in.stored = storedScore{ok: true, points: *points, band: *band, version: *version, fingerprint: *fp}
	}
	in.flagWaiting = flag != nil
	in.flagOpen = flag != nil && *flag == "open"
	return in, err
}

// dealReader reads a batch of deals and streams their touches, handing
// each deal over once its last touch has been read.
type dealReader struct {
	orgID int64
	fn    func(*scoreInput) error
	buf   []scoring.Touch // touches of the deal cur, newest first
	cur   int64
	next  int // the batch's deals before next have been handed over
}

// batch reads the deals ids and their touches in one round trip.
func (r *dealReader) batch(ctx context.Context, tx pgx.Tx, ids []int64) error {
	var b pgx.Batch
	b.Queue(openDealsSQL, r.orgID, ids)
	b.Queue(touchesSQL, r.orgID, ids)
	res := tx.SendBatch(ctx, &b)
	defer res.Close()
	rows, err := res.Query()
	if err != nil {
		return err
	}
	deals, err := pgx.AppendRows(make([]scoreInput, 0, len(ids)), rows, scanOpenDeal)
	if err != nil {
		return err
	}
	if rows, err = res.Query(); err != nil {
		return err
	}
	if err := r.stream(rows, deals); err != nil {
		return err
	}
	return res.Close()
}

// stream reads the touch rows of deals, in index order.
func (r *dealReader) stream(rows pgx.Rows, deals []scoreInput) error {
	defer rows.Close()
	if err := checkBinary(rows.FieldDescriptions()); err != nil {
		return err
	}
	r.cur, r.next, r.buf = -1, 0, r.buf[:0]
	var t scoring.Touch
	for rows.Next() {
		dealID, err := decodeTouch(rows.RawValues(), &t)
		if err != nil {
			return err
		}
		if dealID != r.cur {
			if err := r.handOver(deals, dealID); err != nil {
				return err
			}
			r.cur, r.buf = dealID, r.buf[:0]
		}
		r.buf = append(r.buf, t)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return r.handOver(deals, math.MaxInt64)
}

// handOver gives fn the batch's deals with ids below before; the deal cur
// gets the touches collected for it.
func (r *dealReader) handOver(batch []scoreInput, before int64) error {
	for ; r.next < len(batch) && batch[r.next].deal.ID < before; r.next++ {
		in := &batch[r.next]
		if in.deal.ID == r.cur {
			slices.Reverse(r.buf)
			in.touches = r.buf
		}
		err := r.fn(in)
		in.touches = nil
		if err != nil {
			return err
		}
	}
	return nil
}

// checkBinary makes sure the numbers and times of touchesSQL came in
// binary, as pgx asks for these types; decodeTouch reads nothing else.
func checkBinary(fields []pgconn.FieldDescription) error {
	if len(fields) != 8 {
		return errors.New("decode touch: unexpected columns")
	}
	for _, i := range []int{0, 1, 4, 6, 7} {
		if fields[i].Format != pgx.BinaryFormatCode {
			return fmt.Errorf("decode touch: column %s is not in binary format", fields[i].Name)
		}
	}
	return nil
}

// pgEpoch is where PostgreSQL's binary timestamps count from.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// decodeTouch decodes a binary row of touchesSQL into t and returns its
// deal id. Kinds, directions and outcomes come back as pipeline's constants,
// so a row costs no allocation beyond a quote or a word count.
func decodeTouch(vals [][]byte, t *scoring.Touch) (dealID int64, err error) {
	if len(vals) != 8 || len(vals[0]) != 8 || len(vals[1]) != 8 || len(vals[4]) != 8 {
		return 0, errors.New("decode touch: unexpected row")
	}
	t.ID = int64(binary.BigEndian.Uint64(vals[1]))
	t.Kind = intern(vals[2], pipeline.TouchKinds)
	t.Direction = intern(vals[3], pipeline.Directions)
	t.OccurredAt = pgEpoch.Add(time.Duration(int64(binary.BigEndian.Uint64(vals[4]))) * time.Microsecond)
	t.Outcome = intern(vals[5], pipeline.Outcomes)
	t.QuoteAmount, t.WordCount = nil, nil
	if v := vals[6]; len(v) == 8 {
		c := money.Cents(binary.BigEndian.Uint64(v))
		t.QuoteAmount = &c
	}
	if v := vals[7]; len(v) == 4 {
		n := int(int32(binary.BigEndian.Uint32(v)))
		t.WordCount = &n
	}
	return int64(binary.BigEndian.Uint64(vals[0])), nil
}

// intern returns the element of known equal to b, or b as a new string.
func intern(b []byte, known []string) string {
	for _, k := range known {
		if string(b) == k {
			return k
		}
	}
	return string(b)
}
