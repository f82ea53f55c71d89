package postgres

import (
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
	"goodmoney/internal/scoring"
)

// The flag rules are pipeline's (NextFlagStep, KeepHolds). The statements
// below apply them to a whole batch of deals at once: the full rescore to a
// thousand deals with one statement each, a single-deal rescore to one row.

// flagRows are the deals to flag, column by column.
type flagRows struct {
	ids    []int64
	points []int32
	codes  []string // the signal codes fired, comma-separated
}

func (f *flagRows) add(dealID int64, sc *scoring.Score) {
	codes := make([]string, len(sc.Signals))
	for i, s := range sc.Signals {
		codes[i] = s.Code
	}
	f.ids = append(f.ids, dealID)
	f.points = append(f.points, int32(sc.Points))
	f.codes = append(f.codes, strings.Join(codes, ","))
}

// keepHoldsSQL is pipeline.KeepHolds in SQL, for the new score u (points,
// codes comma-separated) against the deal's latest flag last (points,
// signals). A test holds the two to the same answers.
var keepHoldsSQL = `u.points < last.points + ` + strconv.Itoa(pipeline.KeepMargin) + `
			AND string_to_array(u.codes, ',') <@ last.signals`

// openFlagsSQL opens a flag on each deal unless one is open or snoozed, or
// the deal's latest flag is a keep that still holds. The partial unique
// index makes a concurrent opener a no-op rather than a second flag.
var openFlagsSQL = `
	INSERT INTO flags (org_id, deal_id, status, points, signals, opened_at)
	SELECT $1, u.deal_id, 'open', u.points, string_to_array(u.codes, ','), $2
	FROM unnest($3::bigint[], $4::int[], $5::text[]) AS u(deal_id, points, codes)
	WHERE NOT EXISTS (
		SELECT 1 FROM flags f
		WHERE f.deal_id = u.deal_id AND f.org_id = $1 AND f.status IN ('open', 'snoozed'))
	AND NOT EXISTS (
		SELECT 1 FROM (
			SELECT f.status, f.points, f.signals FROM flags f
			WHERE f.deal_id = u.deal_id AND f.org_id = $1
			ORDER BY f.opened_at DESC, f.id DESC LIMIT 1) last
		WHERE last.status IN ('kept', 'coached') AND ` + keepHoldsSQL + `)
	ON CONFLICT (org_id, deal_id) WHERE status IN ('open', 'snoozed') DO NOTHING`

func (f *flagRows) queue(b *pgx.Batch, orgID int64, now time.Time) {
	b.Queue(openFlagsSQL, orgID, now, f.ids, f.points, f.codes)
}

// resolveFlagsSQL closes the deals' open flags, never the reviewed ones.
const resolveFlagsSQL = `
	UPDATE flags SET status = 'resolved', decided_at = $2, note = $3
	WHERE org_id = $1 AND deal_id = ANY($4) AND status = 'open'`

func queueResolve(b *pgx.Batch, orgID int64, now time.Time, dealIDs []int64, note string) {
	b.Queue(resolveFlagsSQL, orgID, now, note, dealIDs)
}
