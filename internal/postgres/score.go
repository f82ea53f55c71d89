package postgres

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
	"goodmoney/internal/scoring"
)

// DefaultBatchSize is how many deals the full rescore and the rules preview
// read per round trip: enough that per-query costs vanish.
const DefaultBatchSize = 1000

// WriteBatchSize is how many changed scores the full rescore writes per
// transaction. The transaction locks those deals, and a rep logging a touch
// on one of them waits for it, so it is kept to a few tens of milliseconds.
const WriteBatchSize = 500

// openStagesSQL lists the stages still being worked, pipeline.OpenStages,
// as an SQL list: ('lead', 'qualified', …).
var openStagesSQL = "('" + strings.Join(pipeline.OpenStages, "', '") + "')"

// scoreInput is one deal as Evaluate needs it, with what is stored for it now.
type scoreInput struct {
	deal    scoring.Deal
	open    bool
	stored  storedScore
	touches []scoring.Touch

	// Known to the full rescore only: the deal row's version (xmin), and
	// whether the deal has a flag open, or open or snoozed.
	xmin                  int64
	flagOpen, flagWaiting bool
}

// storedScore is the part of a deal's stored score that tells whether a new
// evaluation changed anything.
type storedScore struct {
	ok          bool
	points      int
	band        scoring.Band
	version     int
	fingerprint int64
}

// dealInputColumns are read by scanDealInput.
const dealInputColumns = `d.id, d.stage, d.amount, d.list_price, d.cost, d.currency, d.future_promise, d.created_at`

func scanDealInput(row pgx.Row) (scoreInput, error) {
	var in scoreInput
	d := &in.deal
	err := row.Scan(&d.ID, &d.Stage, &d.Amount, &d.ListPrice, &d.Cost, &d.Currency, &d.FuturePromise, &d.CreatedAt)
	in.open = pipeline.IsOpenStage(d.Stage)
	return in, err
}

// storedScoresSQL and touchesSQL load the rest of the inputs of a set of
// deals. Touches come from an index-only scan of touches_deal_idx, in its
// order (newest first within a deal, so PostgreSQL does not sort), and are
// decoded by decodeTouch; their readers turn each deal's run around.
const (
	storedScoresSQL = `SELECT deal_id, points, band, rules_version, fingerprint
		FROM deal_scores WHERE org_id = $1 AND deal_id = ANY($2)`
	touchesSQL = `SELECT deal_id, id, kind, direction, occurred_at, outcome, quote_amount, word_count
		FROM touches WHERE org_id = $1 AND deal_id = ANY($2)
		ORDER BY deal_id, occurred_at DESC, id DESC`
)

// queueInputs adds the stored-score and touch queries for inputs to b.
func queueInputs(b *pgx.Batch, orgID int64, inputs []scoreInput) {
	ids := make([]int64, len(inputs))
	for i := range inputs {
		ids[i] = inputs[i].deal.ID
	}
	b.Queue(storedScoresSQL, orgID, ids)
	b.Queue(touchesSQL, orgID, ids)
}

// loadInputs reads the stored scores and touches of inputs in one round trip.
func loadInputs(ctx context.Context, q interface {
	SendBatch(context.Context, *pgx.Batch) pgx.BatchResults
}, orgID int64, inputs []scoreInput) error {
	var b pgx.Batch
	queueInputs(&b, orgID, inputs)
	res := q.SendBatch(ctx, &b)
	err := readInputs(res, inputs)
	if cerr := res.Close(); err == nil {
		err = cerr
	}
	return err
}

// readInputs reads the results of queueInputs into inputs, which are
// ordered by deal id.
func readInputs(res pgx.BatchResults, inputs []scoreInput) error {
	if err := readStored(res, inputs); err != nil {
		return fmt.Errorf("stored scores: %w", err)
	}
	rows, err := res.Query()
	if err != nil {
		return fmt.Errorf("touches: %w", err)
	}
	if err := attachTouches(rows, inputs); err != nil {
		return fmt.Errorf("touches: %w", err)
	}
	return nil
}

func readStored(res pgx.BatchResults, inputs []scoreInput) error {
	rows, err := res.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var st storedScore
		if err := rows.Scan(&id, &st.points, &st.band, &st.version, &st.fingerprint); err != nil {
			return err
		}
		if in := findInput(inputs, id); in != nil {
			st.ok = true
			in.stored = st
		}
	}
	return rows.Err()
}

// findInput returns the input of deal id; inputs are ordered by deal id.
func findInput(inputs []scoreInput, id int64) *scoreInput {
	i := sort.Search(len(inputs), func(i int) bool { return inputs[i].deal.ID >= id })
	if i == len(inputs) || inputs[i].deal.ID != id {
		return nil
	}
	return &inputs[i]
}

// attachTouches reads touchesSQL rows into one slice shared by the batch and
// gives each input its part, oldest first.
func attachTouches(rows pgx.Rows, inputs []scoreInput) error {
	defer rows.Close()
	if err := checkBinary(rows.FieldDescriptions()); err != nil {
		return err
	}
	all := make([]scoring.Touch, 0, 16*len(inputs))
	owners := make([]int64, 0, cap(all))
	for rows.Next() {
		var t scoring.Touch
		dealID, err := decodeTouch(rows.RawValues(), &t)
		if err != nil {
			return err
		}
		all = append(all, t)
		owners = append(owners, dealID)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for start := 0; start < len(all); {
		end := start + 1
		for end < len(all) && owners[end] == owners[start] {
			end++
		}
		if in := findInput(inputs, owners[start]); in != nil {
			in.touches = all[start:end:end]
			slices.Reverse(in.touches)
		}
		start = end
	}
	return nil
}

// RescoreDeal scores one deal inside tx, the transaction of a write that
// changed its inputs (a touch, its numbers, its stage), which must already
// hold the deal's row lock. It stores the score when it changed and opens or
// resolves the deal's flag. Inputs and rules are read in one round trip and
// the writes go in a second.
func (s *ScoreService) RescoreDeal(ctx context.Context, tx pgx.Tx, orgID, dealID int64) error {
	var b pgx.Batch
	b.Queue(rulesSQL, orgID)
	b.Queue(`SELECT `+dealInputColumns+` FROM deals d WHERE d.org_id = $1 AND d.id = $2`, orgID, dealID)
	inputs := []scoreInput{{deal: scoring.Deal{ID: dealID}}}
	queueInputs(&b, orgID, inputs)
	res := tx.SendBatch(ctx, &b)
	v, err := s.scanRules(res.QueryRow())
	if err != nil {
		res.Close()
		return wrapConn(fmt.Errorf("rescore deal %d: rules: %w", dealID, err))
	}
	if inputs[0], err = scanDealInput(res.QueryRow()); err != nil {
		res.Close()
		return wrapConn(fmt.Errorf("rescore deal %d: %w", dealID, err))
	}
	err = readInputs(res, inputs)
	if cerr := res.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return wrapConn(fmt.Errorf("rescore deal %d: %w", dealID, err))
	}
	if _, err := storeScores(ctx, tx, orgID, v.Rules, s.db.Now(), inputs); err != nil {
		return fmt.Errorf("rescore deal %d: %w", dealID, err)
	}
	return nil
}

// batchResult counts what storing a batch of scores did.
type batchResult struct {
	scored, flagged, written, opened, resolved int
}

// storeScores evaluates inputs at now and stores the result (see writeScores).
func storeScores(ctx context.Context, tx pgx.Tx, orgID int64, rules scoring.Rules, now time.Time, inputs []scoreInput) (batchResult, error) {
	var w scoreWrites
	res := batchResult{scored: len(inputs)}
	for i := range inputs {
		sc := scoring.Evaluate(inputs[i].deal, inputs[i].touches, rules, now)
		if inputs[i].open && sc.Band == scoring.BandNotGoodMoney {
			res.flagged++
		}
		if err := w.add(&inputs[i], &sc, fingerprint(&sc)); err != nil {
			return res, err
		}
	}
	err := w.write(ctx, tx, orgID, rules.Version, now, &res)
	return res, err
}

// write sends the collected scores (one statement) and flag transitions (at
// most three more) in one round trip, adding what they changed to res.
func (w *scoreWrites) write(ctx context.Context, tx pgx.Tx, orgID int64, version int, now time.Time, res *batchResult) error {
	var b pgx.Batch
	w.queue(&b, orgID, version, now)
	if b.Len() == 0 {
		return nil
	}
	br := tx.SendBatch(ctx, &b)
	defer br.Close()
	counts := []*int{&res.written, &res.opened, &res.resolved, &res.resolved}
	for i, on := range w.queued() {
		if !on {
			continue
		}
		tag, err := br.Exec()
		if err != nil {
			return wrapConn(fmt.Errorf("store scores: %w", err))
		}
		*counts[i] += int(tag.RowsAffected())
	}
	return br.Close()
}

// scoreWrites collects, column by column, the scores to write and the flag
// transitions of a batch.
type scoreWrites struct {
	ids, fingerprints []int64
	points            []int32
	bands             []string
	signals, hints    []string // JSON arrays

	flag     flagRows // open and not good money: open a flag unless one is open or kept
	leftBand []int64  // open, were not good money and no longer are: resolve an open flag
	closed   []int64  // no longer open: resolve an open flag
}

// changed reports whether sc, whose fingerprint is fp, differs from what
// is stored for the deal.
func (in *scoreInput) changed(sc *scoring.Score, fp int64) bool {
	st := in.stored
	return !st.ok || st.points != sc.Points || st.band != sc.Band || st.version != sc.RulesVersion || st.fingerprint != fp
}

// add records the score of in when it differs from the stored one (fp is
// its fingerprint), and the flag check it calls for.
func (w *scoreWrites) add(in *scoreInput, sc *scoring.Score, fp int64) error {
	if in.changed(sc, fp) {
		signals, err := jsonArray(sc.Signals, len(sc.Signals))
		if err != nil {
			return err
		}
		hints, err := jsonArray(sc.Hints, len(sc.Hints))
		if err != nil {
			return err
		}
		w.ids = append(w.ids, in.deal.ID)
		w.points = append(w.points, int32(sc.Points))
		w.bands = append(w.bands, string(sc.Band))
		w.signals, w.hints = append(w.signals, signals), append(w.hints, hints)
		w.fingerprints = append(w.fingerprints, fp)
	}
	switch pipeline.NextFlagStep(in.open, sc.Band, in.stored.band, in.flagOpen) {
	case pipeline.FlagResolveClosed:
		w.closed = append(w.closed, in.deal.ID)
	case pipeline.FlagRaise:
		w.flag.add(in.deal.ID, sc)
	case pipeline.FlagResolveLeftBand:
		w.leftBand = append(w.leftBand, in.deal.ID)
	}
	return nil
}

// queued reports which of the four statements queue adds: scores, flags to
// open, flags resolved because the band was left, because the deal closed.
func (w *scoreWrites) queued() [4]bool {
	return [4]bool{len(w.ids) > 0, len(w.flag.ids) > 0, len(w.leftBand) > 0, len(w.closed) > 0}
}

// upsertScoresSQL stores the scores and keeps each open deal's band on the
// deal row (deals.open_band), where the review queue and the band filter
// find a rep's flagged deals in one index range.
var upsertScoresSQL = `
	WITH u AS (
		SELECT * FROM unnest($4::bigint[], $5::int[], $6::text[], $7::text[], $8::text[], $9::bigint[])
			AS u(deal_id, points, band, signals, hints, fingerprint)
	), bands AS (
		UPDATE deals d SET open_band = u.band FROM u
		WHERE d.id = u.deal_id AND d.org_id = $1 AND d.stage IN ` + openStagesSQL + `
			AND d.open_band IS DISTINCT FROM u.band
	)
	INSERT INTO deal_scores AS s (deal_id, org_id, points, band, signals, hints, fingerprint, rules_version, computed_at)
	SELECT u.deal_id, $1, u.points, u.band, u.signals::jsonb, u.hints::jsonb, u.fingerprint, $2, $3
	FROM u
	ON CONFLICT (org_id, deal_id) DO UPDATE SET points = excluded.points, band = excluded.band,
		signals = excluded.signals, hints = excluded.hints, fingerprint = excluded.fingerprint,
		rules_version = excluded.rules_version, computed_at = excluded.computed_at
	-- A slow full rescore with older rules never overwrites a newer score.
	WHERE s.rules_version <= excluded.rules_version`

// queue adds the batch's statements to b, in the order queued reports.
func (w *scoreWrites) queue(b *pgx.Batch, orgID int64, version int, now time.Time) {
	on := w.queued()
	if on[0] {
		b.Queue(upsertScoresSQL, orgID, version, now, w.ids, w.points, w.bands, w.signals, w.hints, w.fingerprints)
	}
	if on[1] {
		w.flag.queue(b, orgID, now)
	}
	if on[2] {
		queueResolve(b, orgID, now, w.leftBand, pipeline.FlagResolveLeftBand.ResolveNote())
	}
	if on[3] {
		queueResolve(b, orgID, now, w.closed, pipeline.FlagResolveClosed.ResolveNote())
	}
}

// jsonArray encodes a slice as a JSON array, [] when empty.
func jsonArray(v any, n int) (string, error) {
	if n == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode score: %w", err)
	}
	return string(b), nil
}

// fingerprint hashes (FNV-1a, 64 bits) what the score card shows beyond
// points and band, so a rescore can tell an unchanged score without encoding
// it. It never needs to match anything but itself (nor the fingerprints
// already stored, which it does: strings end with a zero byte, numbers are
// 8 bytes little-endian). The bytes go through a buffer on the stack.
func fingerprint(sc *scoring.Score) int64 {
	var buf [1024]byte
	b := buf[:0]
	str := func(s string) { b = append(append(b, s...), 0) }
	u64 := func(v uint64) { b = binary.LittleEndian.AppendUint64(b, v) }
	for _, s := range sc.Signals {
		str(s.Code)
		str(s.Label)
		str(s.Evidence)
		u64(math.Float64bits(s.Severity))
		u64(math.Float64bits(s.Points))
		u64(uint64(len(s.TouchIDs)))
		for _, id := range s.TouchIDs {
			u64(uint64(id))
		}
	}
	u64(uint64(len(sc.Hints)))
	for _, x := range sc.Hints {
		str(x.Code)
		str(x.Text)
	}
	h := fnv.New64a()
	h.Write(b)
	return int64(h.Sum64())
}
