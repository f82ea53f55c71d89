package postgres

import (
	"context"
	"fmt"

	"goodmoney/internal/pipeline"
)

// Stats counts records for the operator's metrics; it implements
// pipeline.FlagCounter.
type Stats struct{ db *DB }

// NewStats returns a Stats on db.
func NewStats(db *DB) *Stats { return &Stats{db: db} }

var _ pipeline.FlagCounter = (*Stats)(nil)

// OpenFlagsByBand counts the open and snoozed flags of every org by the
// deal's current band. Every (status, band) pair is returned, zero or not,
// so that a series does not vanish when its last flag is decided.
func (s *Stats) OpenFlagsByBand(ctx context.Context) ([]pipeline.FlagCount, error) {
	rows, err := s.db.Pool.Query(ctx, `
		SELECT st.status, b.band, count(x.deal_id)
		FROM unnest(ARRAY['open', 'snoozed']) AS st (status)
		CROSS JOIN unnest(ARRAY['ok', 'watch', 'not_good_money']) AS b (band)
		LEFT JOIN (
			SELECT f.status, ds.band, f.deal_id
			FROM flags f
			JOIN deal_scores ds ON ds.org_id = f.org_id AND ds.deal_id = f.deal_id
			WHERE f.status IN ('open', 'snoozed')
		) x ON x.status = st.status AND x.band = b.band
		GROUP BY st.status, b.band
		ORDER BY st.status, b.band`)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("count open flags: %w", err))
	}
	defer rows.Close()
	var out []pipeline.FlagCount
	for rows.Next() {
		var c pipeline.FlagCount
		if err := rows.Scan(&c.Status, &c.Band, &c.Count); err != nil {
			return nil, fmt.Errorf("count open flags: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapConn(fmt.Errorf("count open flags: %w", err))
	}
	return out, nil
}
