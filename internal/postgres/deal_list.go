package postgres

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
)

// sortKey is one column of a deal list's order: a non-null SQL expression
// over deals d (and deal_scores s, users o where the order needs them) and
// the type its cursor value is checked against and cast to.
type sortKey struct {
	expr, typ string
}

// dealOrders gives each order of pipeline.DealSorts its keys; d.id is the
// last key of every order, so rows never tie and the keyset is exact.
// Closed deals have no band or points here, as on the page (openScore).
var dealOrders = map[string][]sortKey{
	pipeline.SortNewest: nil,
	pipeline.SortRisk: {
		{`CASE WHEN d.stage IN ` + openStagesSQL + ` THEN CASE s.band WHEN 'not_good_money' THEN 2 WHEN 'watch' THEN 1 ELSE 0 END ELSE 0 END`, "int"},
		{`CASE WHEN d.stage IN ` + openStagesSQL + ` THEN coalesce(s.points, 0) ELSE 0 END`, "int"},
		{`d.amount`, "bigint"},
	},
	pipeline.SortTitle:  {{`lower(d.title)`, "text"}},
	pipeline.SortOwner:  {{`lower(o.name)`, "text"}},
	pipeline.SortStage:  {{stageRankSQL(), "int"}},
	pipeline.SortAmount: {{`d.amount`, "bigint"}},
	// Margin in hundredths of a percent; a deal without cost (no margin)
	// sorts after every margin, as the least known.
	pipeline.SortMargin: {{`CASE WHEN d.cost IS NULL OR d.amount <= 0 THEN 1000000 ELSE (d.amount - d.cost) * 10000 / d.amount END`, "bigint"}},
	// No due date sorts after every date.
	pipeline.SortNextDue: {{`coalesce(d.next_step_due, DATE '9999-12-31')`, "date"}},
}

// stageRankSQL is a stage's place in pipeline.Stages.
func stageRankSQL() string {
	var b strings.Builder
	b.WriteString("CASE d.stage")
	for i, st := range pipeline.Stages {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", st, i)
	}
	b.WriteString(" ELSE 99 END")
	return b.String()
}

// ListDeals returns one page of the deals the actor may see in the filter's
// order (newest first when it names none), paged by keyset: the page's last
// row's keys become the cursor of the next.
func (s *DealService) ListDeals(ctx context.Context, a pipeline.Actor, f pipeline.DealFilter) (*pipeline.DealPage, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	keys, ok := dealOrders[f.Sort]
	if !ok {
		keys, f.Desc = nil, true
	}
	var qa args
	where := []string{dealScope(a, &qa)}
	switch f.Stage {
	case "":
	case "open":
		where = append(where, "d.stage IN "+openStagesSQL)
	case "closed":
		where = append(where, "d.stage NOT IN "+openStagesSQL)
	default:
		where = append(where, "d.stage = "+qa.add(f.Stage))
	}
	if f.OwnerID != 0 {
		where = append(where, "d.owner_id = "+qa.add(f.OwnerID))
	}
	if f.NextStepNeeded {
		where = append(where, "d.stage IN "+openStagesSQL,
			"(d.next_step = '' OR d.next_step_due < "+qa.add(pipeline.DateInput(f.Today))+"::date)")
	}
	from := "deals d"
	if f.Band != "" {
		// The open band kept on the deal row: deals_owner_band_idx hands
		// out a team's deals in the band, one short range per rep, and
		// deal_scores is read for those rows only (for the risk order).
		// Joined on deal_scores' band instead, the risk order read every
		// deal of the band in the org (BENCHMARKS.md finding 11).
		where = append(where, "d.open_band = "+qa.add(f.Band))
		if f.Sort == pipeline.SortRisk {
			from += " LEFT JOIN deal_scores s ON s.org_id = d.org_id AND s.deal_id = d.id"
		}
	} else if f.Sort == pipeline.SortRisk {
		from += " LEFT JOIN deal_scores s ON s.org_id = d.org_id AND s.deal_id = d.id"
	}
	if f.Sort == pipeline.SortOwner {
		from += " JOIN users o ON o.org_id = d.org_id AND o.id = d.owner_id"
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		from += " JOIN prospects p ON p.org_id = d.org_id AND p.id = d.prospect_id"
		pat := qa.add("%" + escapeLike(q) + "%")
		where = append(where, "(d.title ILIKE "+pat+" OR p.name ILIKE "+pat+")")
	}

	// The order's keys, the id last, all in one direction so that a row
	// comparison picks up after the cursor.
	exprs := make([]string, 0, len(keys)+1)
	for _, k := range keys {
		exprs = append(exprs, k.expr)
	}
	exprs = append(exprs, "d.id")
	dir, cmp := " ASC", ">"
	if f.Desc {
		dir, cmp = " DESC", "<"
	}
	if after, ok := decodeCursor(f.After, keys); ok {
		marks := make([]string, len(after))
		for i, v := range after {
			marks[i] = qa.add(v)
			if i < len(keys) {
				marks[i] += "::" + keys[i].typ
			} else {
				marks[i] += "::bigint"
			}
		}
		where = append(where, "("+strings.Join(exprs, ", ")+") "+cmp+" ("+strings.Join(marks, ", ")+")")
	}
	pageKeys := make([]string, len(exprs))
	order := make([]string, len(exprs))
	for i, e := range exprs {
		pageKeys[i] = e + " AS k" + strconv.Itoa(i)
		order[i] = "k" + strconv.Itoa(i) + dir
	}

	// The page's ids and keys are picked first, from indexes alone where
	// they allow (deals_owner_idx, deal_scores_band_deal_idx for the newest
	// order); the display columns are joined for those rows only.
	sql := `SELECT ` + dealColumns + `, array[` + textKeys(len(exprs)) + `]
		FROM ` + dealJoins + `
		JOIN (SELECT ` + strings.Join(pageKeys, ", ") + ` FROM ` + from + ` WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY ` + strings.Join(order, ", ") + ` LIMIT ` + qa.add(f.Limit+1) + `) page ON page.k` + strconv.Itoa(len(exprs)-1) + ` = d.id
		WHERE d.org_id = ` + qa.add(a.OrgID) + `
		ORDER BY ` + strings.Join(order, ", ")
	rows, err := s.db.Pool.Query(ctx, sql, qa...)
	if err != nil {
		return nil, wrapConn(fmt.Errorf("list deals: %w", err))
	}
	var cursors [][]string
	deals, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*pipeline.Deal, error) {
		var d pipeline.Deal
		var cur []string
		err := r.Scan(append(dealDest(&d), &cur)...)
		cursors = append(cursors, cur)
		return &d, err
	})
	if err != nil {
		return nil, wrapConn(fmt.Errorf("list deals: %w", err))
	}
	page := &pipeline.DealPage{Deals: deals}
	if len(deals) > f.Limit {
		page.Deals = deals[:f.Limit]
		page.Next = encodeCursor(cursors[f.Limit-1])
	}
	return page, nil
}

// textKeys lists the page's keys k0…kn as text, for the cursor.
func textKeys(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = "page.k" + strconv.Itoa(i) + "::text"
	}
	return strings.Join(out, ", ")
}

// encodeCursor makes a page's last keys into a URL-safe token.
func encodeCursor(keys []string) string {
	b, _ := json.Marshal(keys)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor for an order's keys (and the id after them).
// A cursor from another order, or one edited by hand, does not match and
// the list starts at its first page rather than failing.
func decodeCursor(token string, keys []sortKey) ([]string, bool) {
	if token == "" {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	var vals []string
	if err != nil || json.Unmarshal(b, &vals) != nil || len(vals) != len(keys)+1 {
		return nil, false
	}
	for i, v := range vals {
		typ := "bigint"
		if i < len(keys) {
			typ = keys[i].typ
		}
		switch typ {
		case "int", "bigint":
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return nil, false
			}
		case "date":
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				return nil, false
			}
		}
	}
	return vals, true
}
