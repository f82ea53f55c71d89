package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/money"
	"goodmoney/internal/pipeline"
)

// The digest's facts are read for many users at once: the requested users
// and their report windows (which differ by timezone) go in as arrays, and
// each fact is one statement over all of them, so the digests of a whole
// org take a dozen statements, not a dozen per user. Touches are counted
// through touches_rep_idx, reading only the two weeks counted.

// digestUsers is the CTE of the requested users: $1 is the org, $2…$7 the
// columns, $8 the moment the facts are read.
const digestUsers = `WITH u AS (
	SELECT *, $8::timestamptz AS now_at FROM unnest($2::bigint[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::date[])
		AS u(id, kind, before_at, from_at, to_at, today)
), m AS (
	-- The people whose work a manager (their teams) or an admin (the org)
	-- reads about, and the row of the activity table each one counts in.
	SELECT u.id AS uid, tu.id AS member, tu.name AS grp, u.from_at, u.to_at
	FROM u JOIN teams tt ON tt.org_id = $1 AND tt.manager_id = u.id
	JOIN users tu ON tu.org_id = $1 AND tu.team_id = tt.id
	WHERE u.kind = 'manager'
	UNION ALL
	-- An admin's table has a row per team; a manager counts in the team
	-- they manage when they are on none.
	SELECT u.id, tu.id, coalesce(tt.name, 'No team'), u.from_at, u.to_at
	FROM u JOIN users tu ON tu.org_id = $1 AND tu.role <> 'admin'
	LEFT JOIN teams tt ON tt.org_id = tu.org_id AND tt.id = coalesce(tu.team_id,
		(SELECT mt.id FROM teams mt WHERE mt.org_id = $1 AND mt.manager_id = tu.id ORDER BY mt.id LIMIT 1))
	WHERE u.kind = 'admin'
) `

// digestDealColumns are read by digestDealDest; the query joins deals d,
// prospects p and users o (the owner).
const digestDealColumns = `d.id, d.title, p.name, o.name, d.stage, d.amount, d.currency, d.next_step_due,
	d.next_step, d.last_touch_at`

const digestDealJoins = ` JOIN prospects p ON p.org_id = d.org_id AND p.id = d.prospect_id JOIN users o ON o.org_id = d.org_id AND o.id = d.owner_id `

func digestDealDest(d *pipeline.DigestDeal) []any {
	return []any{&d.ID, &d.Title, &d.Prospect, &d.Owner, &d.Stage, &d.Amount, &d.Currency, &d.Due, &d.NextStep, &d.LastTouch}
}

// capped keeps the first DigestListLimit rows of each user's list, with the
// list's full length in total.
func capped(order, from string) string {
	return `SELECT * FROM (SELECT u.id AS uid, count(*) OVER (PARTITION BY u.id) AS total,
		row_number() OVER (PARTITION BY u.id ORDER BY ` + order + `) AS rn, ` + digestDealColumns + `
		` + from + `) x WHERE rn <= ` + strconv.Itoa(pipeline.DigestListLimit) + ` ORDER BY uid, rn`
}

// digestQueries are the statements of Facts, in the order read.
var digestQueries = []string{
	// New flags on the user's deals, still asking for attention.
	`SELECT u.id, f.id, f.points, coalesce(f.signals[1], ''), f.opened_at, ` + digestDealColumns + `
	FROM u JOIN deals d ON d.org_id = $1 AND d.owner_id = u.id
	JOIN flags f ON f.deal_id = d.id AND f.org_id = $1` + digestDealJoins + `
	WHERE f.opened_at >= u.from_at AND f.opened_at < u.to_at AND f.status IN ('open', 'snoozed', 'kept')
	ORDER BY u.id, d.amount DESC, f.id`,
	// Overdue next steps.
	capped(`d.next_step_due, d.id`, `FROM u JOIN deals d ON d.org_id = $1 AND d.owner_id = u.id`+digestDealJoins+`
		WHERE d.stage IN `+openStagesSQL+` AND d.next_step_due < u.today`),
	// Untouched for UntouchedDays.
	capped(`coalesce(d.last_touch_at, d.created_at), d.id`, `FROM u JOIN deals d ON d.org_id = $1 AND d.owner_id = u.id`+digestDealJoins+`
		WHERE d.stage IN `+openStagesSQL+` AND coalesce(d.last_touch_at, d.created_at) < u.now_at - interval '`+
		strconv.Itoa(pipeline.UntouchedDays)+` days'`),
	// Came back last week.
	`SELECT u.id, d.came_back_at, ` + digestDealColumns + `
	FROM u JOIN deals d ON d.org_id = $1 AND d.owner_id = u.id` + digestDealJoins + `
	WHERE d.stage = 'disqualified' AND d.came_back_at >= u.from_at AND d.came_back_at < u.to_at
	ORDER BY u.id, d.came_back_at`,
	// Closed last week, with the time a walk-away freed.
	`SELECT u.id, d.stage_changed_at, d.close_reasons, coalesce(d.freed_minutes, 0), ` + digestDealColumns + `
	FROM u JOIN deals d ON d.org_id = $1 AND d.owner_id = u.id` + digestDealJoins + `
	WHERE d.stage IN ('won', 'lost', 'disqualified') AND d.stage_changed_at >= u.from_at AND d.stage_changed_at < u.to_at
	ORDER BY u.id, d.stage_changed_at`,
	// Coaching notes: those not acknowledged yet, and last week's.
	`SELECT u.id, coalesce(au.name, ''), c.note, c.created_at, ` + digestDealColumns + `
	FROM u JOIN coaching_notes c ON c.org_id = $1 AND c.rep_id = u.id AND c.created_at < u.to_at
		AND (c.acknowledged_at IS NULL OR c.created_at >= u.from_at)
	JOIN deals d ON d.id = c.deal_id JOIN users au ON au.org_id = c.org_id AND au.id = c.author_id` + digestDealJoins + `
	ORDER BY u.id, c.created_at, c.id`,
	// Touches last week and the week before: two index-only ranges of
	// touches_rep_idx per user. A touch's rep is of the touch's org (the
	// foreign key says so), so the rep ids scope the touches to the org.
	`SELECT u.id, t.last, t.before FROM u CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE t.occurred_at >= u.from_at) AS last,
			count(*) FILTER (WHERE t.occurred_at < u.from_at) AS before
		FROM touches t WHERE t.rep_id = u.id AND t.occurred_at >= u.before_at AND t.occurred_at < u.to_at) t`,
	// The team's flags awaiting review, oldest first, with the count and the money at risk.
	`SELECT * FROM (
		SELECT m.uid, count(*) OVER w, (sum(d.amount) OVER w)::bigint, row_number() OVER (w ORDER BY f.opened_at, f.id) AS rn,
			f.id, f.points, coalesce(f.signals[1], ''), f.opened_at, ` + digestDealColumns + `
		FROM m JOIN deals d ON d.org_id = $1 AND d.owner_id = m.member
		JOIN flags f ON f.deal_id = d.id AND f.org_id = $1 AND f.status = 'open'` + digestDealJoins + `
		WINDOW w AS (PARTITION BY m.uid)) x
	WHERE rn <= ` + strconv.Itoa(pipeline.DigestListLimit) + ` ORDER BY 1, rn`,
	// The team's flags decided last week.
	`SELECT * FROM (
		SELECT m.uid, count(*) OVER (PARTITION BY m.uid), row_number() OVER (PARTITION BY m.uid ORDER BY f.decided_at, f.id) AS rn,
			f.status, coalesce(dm.name, ''), f.note, f.decided_at, ` + digestDealColumns + `
		FROM m JOIN deals d ON d.org_id = $1 AND d.owner_id = m.member
		JOIN flags f ON f.deal_id = d.id AND f.org_id = $1 AND f.decided_by IS NOT NULL
			AND f.decided_at >= m.from_at AND f.decided_at < m.to_at
		LEFT JOIN users dm ON dm.org_id = f.org_id AND dm.id = f.decided_by` + digestDealJoins + `) x
	WHERE rn <= ` + strconv.Itoa(pipeline.DigestListLimit) + ` ORDER BY 1, rn`,
	// The activity table: a row per rep (manager) or team (admin). The
	// flags and closes of the reported weeks are read once for everyone
	// (fl, cl), then counted per member; touches per member as above.
	`, fl AS (
		SELECT d.owner_id, f.opened_at, f.decided_at, f.decided_by IS NOT NULL AS decided
		FROM flags f JOIN deals d ON d.id = f.deal_id AND d.org_id = $1
		WHERE f.org_id = $1 AND (f.opened_at >= (SELECT min(from_at) FROM u) OR f.decided_at >= (SELECT min(from_at) FROM u))
	), cl AS (
		SELECT d.owner_id, d.stage_changed_at AS at, d.stage, d.freed_minutes FROM deals d
		WHERE d.org_id = $1 AND d.stage IN ('won', 'lost', 'disqualified') AND d.stage_changed_at >= (SELECT min(from_at) FROM u)
	), mf AS (
		SELECT m.uid, m.member,
			count(*) FILTER (WHERE fl.opened_at >= m.from_at AND fl.opened_at < m.to_at) AS opened,
			count(*) FILTER (WHERE fl.decided AND fl.decided_at >= m.from_at AND fl.decided_at < m.to_at) AS decided
		FROM m JOIN fl ON fl.owner_id = m.member GROUP BY m.uid, m.member
	), mc AS (
		SELECT m.uid, m.member, count(*) AS n,
			coalesce(sum(cl.freed_minutes) FILTER (WHERE cl.stage = 'disqualified'), 0) AS freed
		FROM m JOIN cl ON cl.owner_id = m.member AND cl.at >= m.from_at AND cl.at < m.to_at GROUP BY m.uid, m.member
	)
	SELECT m.uid, m.grp, sum(t.n)::int, coalesce(sum(mf.opened), 0)::int, coalesce(sum(mf.decided), 0)::int,
		coalesce(sum(mc.n), 0)::int, coalesce(sum(mc.freed), 0)::int
	FROM m
	CROSS JOIN LATERAL (SELECT count(*) AS n FROM touches t
		WHERE t.rep_id = m.member AND t.occurred_at >= m.from_at AND t.occurred_at < m.to_at) t
	LEFT JOIN mf ON mf.uid = m.uid AND mf.member = m.member
	LEFT JOIN mc ON mc.uid = m.uid AND mc.member = m.member
	GROUP BY m.uid, m.grp ORDER BY m.uid, lower(m.grp)`,
}

// Facts reads the digests of the requested users of one org.
func (s *DigestStore) Facts(ctx context.Context, orgID int64, reqs []pipeline.DigestRequest, now time.Time) ([]*pipeline.Digest, error) {
	n := len(reqs)
	ids, kinds := make([]int64, n), make([]string, n)
	before, from, to, today := make([]time.Time, n), make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
	byUser := make(map[int64]*pipeline.Digest, n)
	out := make([]*pipeline.Digest, n)
	for i, r := range reqs {
		d := &pipeline.Digest{Recipient: r.Recipient, Kind: pipeline.DigestKindFor(r.Recipient.Role), Week: r.Week, AsOf: now}
		d.From, d.To = r.Week.Report()
		if d.Kind != pipeline.DigestRep {
			scope := "team"
			if d.Kind == pipeline.DigestAdmin {
				scope = "org"
			}
			d.Team = &pipeline.TeamDigest{Scope: scope, Currency: r.Recipient.Currency}
		}
		out[i], byUser[r.Recipient.UserID] = d, d
		ids[i], kinds[i] = r.Recipient.UserID, d.Kind
		before[i], _ = r.Week.Before()
		from[i], to[i] = d.From, d.To
		y, mo, dd := now.In(r.Recipient.Location()).Date()
		today[i] = time.Date(y, mo, dd, 0, 0, 0, 0, time.UTC)
	}
	if n == 0 {
		return out, nil
	}
	var b pgx.Batch
	for _, q := range digestQueries {
		b.Queue(digestUsers+q, orgID, ids, kinds, before, from, to, today, now)
	}
	res := s.db.Pool.SendBatch(ctx, &b)
	defer res.Close()
	for i, read := range []func(pgx.Rows, map[int64]*pipeline.Digest) error{
		readNewFlags, readOverdue, readUntouched, readCameBack, readClosed, readCoaching, readTouches,
		readAwaiting, readDecisions, readActivity,
	} {
		rows, err := res.Query()
		if err == nil {
			err = read(rows, byUser)
			rows.Close()
		}
		if err != nil {
			return nil, wrapConn(fmt.Errorf("digest facts (statement %d): %w", i+1, err))
		}
	}
	return out, nil
}

func readNewFlags(rows pgx.Rows, by map[int64]*pipeline.Digest) error {
	var uid int64
	var f pipeline.DigestFlag
	_, err := pgx.ForEachRow(rows, append([]any{&uid, &f.FlagID, &f.Points, &f.TopReason, &f.OpenedAt}, digestDealDest(&f.Deal)...), func() error {
		by[uid].NewFlags = append(by[uid].NewFlags, f)
		return nil
	})
	return err
}

// readCapped reads a capped deal list into the list pick returns.
func readCapped(rows pgx.Rows, by map[int64]*pipeline.Digest, pick func(*pipeline.Digest) *pipeline.DigestDeals) error {
	var uid, total, rn int64
	var d pipeline.DigestDeal
	_, err := pgx.ForEachRow(rows, append([]any{&uid, &total, &rn}, digestDealDest(&d)...), func() error {
		l := pick(by[uid])
		l.Total = int(total)
		l.Deals = append(l.Deals, d)
		return nil
	})
	return err
}

func readOverdue(rows pgx.Rows, by map[int64]*pipeline.Digest) error {
	return readCapped(rows, by, func(d *pipeline.Digest) *pipeline.DigestDeals { return &d.Overdue })
}

func readUntouched(rows pgx.Rows, by map[int64]*pipeline.Digest) error {
	return readCapped(rows, by, func(d *pipeline.Digest) *pipeline.DigestDeals { return &d.Untouched })
}

func readCameBack(rows pgx.Rows, by map[int64]*pipeline.Digest) error {
	var uid int64
	var d pipeline.DigestDeal
	_, err := pgx.ForEachRow(rows, append([]any{&uid, &d.At}, digestDealDest(&d)...), func() error {
		by[uid].CameBack = append(by[uid].CameBack, d)
		return nil
	})
	return err
}

func readClosed(rows pgx.Rows, by map[int64]*pipeline.Digest) error {
	var uid int64
	var d pipeline.DigestDeal
	_, err := pgx.ForEachRow(rows, append([]any{&uid, &d.At, &d.Reasons, &d.FreedMinutes}, digestDealDest(&d)...), func() error {
		by[uid].Closed = append(by[uid].Closed, d)
		by[uid].FreedMinutes += d.FreedMinutes
		return nil
	})
	return err
}

func readCoaching(rows pgx.Rows, by map[int64]*pipeline.Digest) error {
	var uid int64
	var n pipeline.DigestNote
	_, err := pgx.ForEachRow(rows, append([]any{&uid, &n.Author, &n.Note, &n.At}, digestDealDest(&n.Deal)...), func() error {
		by[uid].Coaching = append(by[uid].Coaching, n)
		return nil
	})
	return err
}

func readTouches(rows pgx.Rows, by map[int64]*pipeline.Digest) error {
	var uid int64
	var last, before int
	_, err := pgx.ForEachRow(rows, []any{&uid, &last, &before}, func() error {
		by[uid].Touches, by[uid].TouchesB = last, before
		return nil
	})
	return err
}

func readAwaiting(rows pgx.Rows, by map[int64]*pipeline.Digest) error {
	var uid, total, rn int64
	var atRisk int64
	var f pipeline.DigestFlag
	_, err := pgx.ForEachRow(rows, append([]any{&uid, &total, &atRisk, &rn, &f.FlagID, &f.Points, &f.TopReason, &f.OpenedAt},
		digestDealDest(&f.Deal)...), func() error {
		t := by[uid].Team
		t.AwaitingN, t.AtRisk = int(total), money.Cents(atRisk)
		t.Awaiting = append(t.Awaiting, f)
		return nil
	})
	return err
}

func readDecisions(rows pgx.Rows, by map[int64]*pipeline.Digest) error {
	var uid, total, rn int64
	var dec pipeline.DigestDecision
	_, err := pgx.ForEachRow(rows, append([]any{&uid, &total, &rn, &dec.Decision, &dec.By, &dec.Note, &dec.At},
		digestDealDest(&dec.Deal)...), func() error {
		t := by[uid].Team
		t.DecisionsN = int(total)
		t.Decisions = append(t.Decisions, dec)
		return nil
	})
	return err
}

func readActivity(rows pgx.Rows, by map[int64]*pipeline.Digest) error {
	var uid int64
	var r pipeline.ActivityRow
	var freed int
	_, err := pgx.ForEachRow(rows, []any{&uid, &r.Name, &r.Touches, &r.NewFlags, &r.Decided, &r.Closed, &freed}, func() error {
		t := by[uid].Team
		t.FreedMinutes += freed
		t.Rows = append(t.Rows, r)
		return nil
	})
	return err
}
