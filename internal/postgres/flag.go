package postgres

import (
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/scoring"
)

// Flags follow the score. A flag opens when an open deal is in the
// not-good-money band and has no flag asking for attention (open or
// snoozed). It resolves by itself when the deal leaves the band, or closes,
// before anyone reviewed it. A manager who keeps a deal (status kept, with
// the points and signal codes of that moment) is not asked again until the
// score rises KeepMargin points above the kept score or a signal fires that
// was not in the kept set; then a new flag opens.
//
// The statements below work on a whole batch of deals at once: the full
// rescore applies them to a thousand deals with one statement each, and a
// single-deal rescore uses the same ones with one row.

// KeepMargin is how many points above a kept score a deal must rise before
// it is flagged again.
const KeepMargin = 15

// Notes written on flags that close without a review.
const (
	noteLeftBand = "Left the not-good-money band on its own before anyone reviewed it."
	noteClosed   = "The deal was closed before anyone reviewed the flag."
)

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

// openFlagsSQL opens a flag on each deal unless one is open or snoozed, or
// the deal's latest flag is a keep that still holds. The partial unique
// index makes a concurrent opener a no-op rather than a second flag.
const openFlagsSQL = `
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
		WHERE last.status = 'kept' AND u.points < last.points + $6
			AND string_to_array(u.codes, ',') <@ last.signals)
	ON CONFLICT (deal_id) WHERE status IN ('open', 'snoozed') DO NOTHING`

func (f *flagRows) queue(b *pgx.Batch, orgID int64, now time.Time) {
	b.Queue(openFlagsSQL, orgID, now, f.ids, f.points, f.codes, KeepMargin)
}

// resolveFlagsSQL closes the deals' open flags, never the reviewed ones.
const resolveFlagsSQL = `
	UPDATE flags SET status = 'resolved', decided_at = $2, note = $3
	WHERE org_id = $1 AND deal_id = ANY($4) AND status = 'open'`

func queueResolve(b *pgx.Batch, orgID int64, now time.Time, dealIDs []int64, note string) {
	b.Queue(resolveFlagsSQL, orgID, now, note, dealIDs)
}
