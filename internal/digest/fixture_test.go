package digest_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"goodmoney/internal/digest"
	"goodmoney/internal/pgtest"
	"goodmoney/internal/postgres"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// monday is Monday 30 November 2026, 07:00 UTC: the digests of ISO week
// 2026-W49 report on 23–29 November.
var monday = time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)

// day returns a moment of November 2026 at noon UTC.
func day(d int) time.Time { return time.Date(2026, 11, d, 12, 0, 0, 0, time.UTC) }

// world is a constructed org: the records a digest reads, written with SQL
// so every date is exactly the one a test needs.
type world struct {
	t     *testing.T
	ctx   context.Context
	db    *postgres.DB
	org   int64
	users map[string]int64 // by email
	teams map[string]int64
	deals map[string]int64 // by title
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), users: map[string]int64{}, teams: map[string]int64{}, deals: map[string]int64{}}
	w.db = postgres.NewDB(pgtest.NewDB(t))
	w.db.Now = func() time.Time { return monday }
	w.org = w.id(`INSERT INTO orgs (name, timezone) VALUES ('Test Org', 'UTC') RETURNING id`)
	return w
}

// id runs an INSERT … RETURNING id.
func (w *world) id(sql string, args ...any) int64 {
	w.t.Helper()
	var id int64
	if err := w.db.Pool.QueryRow(w.ctx, sql, args...).Scan(&id); err != nil {
		w.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

func (w *world) exec(sql string, args ...any) {
	w.t.Helper()
	if _, err := w.db.Pool.Exec(w.ctx, sql, args...); err != nil {
		w.t.Fatalf("%s: %v", sql, err)
	}
}

// user adds a user in the timezone, on the team ("" for none).
func (w *world) user(email, name, role, tz, team string) int64 {
	w.t.Helper()
	var teamID *int64
	if team != "" {
		id := w.teams[team]
		teamID = &id
	}
	id := w.id(`INSERT INTO users (org_id, email, name, password_hash, role, team_id, timezone)
		VALUES ($1, $2, $3, 'x', $4, $5, $6) RETURNING id`, w.org, email, name, role, teamID, tz)
	w.users[email] = id
	return id
}

// team adds a team managed by the user.
func (w *world) team(name, manager string) {
	w.t.Helper()
	w.teams[name] = w.id(`INSERT INTO teams (org_id, name, manager_id) VALUES ($1, $2, $3) RETURNING id`,
		w.org, name, w.users[manager])
}

// deal adds an open deal (stage proposal) owned by the user, touched on 28
// November, created on 1 November.
type dealSpec struct {
	title, owner string
	amount       int64 // dollars
	stage        string
	due          *time.Time
	lastTouch    *time.Time
	changedAt    time.Time
}

func (w *world) deal(s dealSpec) int64 {
	w.t.Helper()
	if s.stage == "" {
		s.stage = "proposal"
	}
	if s.lastTouch == nil {
		lt := day(28)
		s.lastTouch = &lt
	}
	if s.changedAt.IsZero() {
		s.changedAt = day(1)
	}
	p := w.id(`INSERT INTO prospects (org_id, name, owner_id) VALUES ($1, $2, $3) RETURNING id`,
		w.org, s.title+" Inc", w.users[s.owner])
	id := w.id(`INSERT INTO deals (org_id, prospect_id, owner_id, title, stage, amount, next_step, next_step_due,
			last_touch_at, stage_changed_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, 'Call back', $7, $8, $9, $10) RETURNING id`,
		w.org, p, w.users[s.owner], s.title, s.stage, s.amount*100, s.due, s.lastTouch, s.changedAt, day(1))
	w.deals[s.title] = id
	return id
}

// flag opens a flag on the deal on that day.
func (w *world) flag(title, status string, opened time.Time, signals ...string) int64 {
	w.t.Helper()
	return w.id(`INSERT INTO flags (org_id, deal_id, status, points, signals, opened_at)
		VALUES ($1, $2, $3, 52, $4, $5) RETURNING id`, w.org, w.deals[title], status, signals, opened)
}

// decide records a manager's decision on a flag.
func (w *world) decide(flagID int64, status, by string, at time.Time, note string) {
	w.t.Helper()
	w.exec(`UPDATE flags SET status = $2, decided_by = $3, decided_at = $4, note = $5 WHERE id = $1`,
		flagID, status, w.users[by], at, note)
}

// touches logs n outbound emails by the deal's owner on that moment.
func (w *world) touches(title string, n int, at time.Time) {
	w.t.Helper()
	w.exec(`INSERT INTO touches (org_id, deal_id, prospect_id, rep_id, kind, direction, occurred_at)
		SELECT d.org_id, d.id, d.prospect_id, d.owner_id, 'email', 'outbound', $2
		FROM deals d, generate_series(1, $3) WHERE d.id = $1`, w.deals[title], at, n)
}

func ptr(t time.Time) *time.Time { return &t }

// service returns the digest service on the world's database, sending with m
// (nil: outbox only).
func (w *world) service(m digest.Mailer) *digest.Service {
	return &digest.Service{Store: postgres.NewDigestStore(w.db), Mailer: m, BaseURL: "https://gm.example.com", Now: w.db.Now}
}

// teamWorld is two teams and an admin:
//
//	East (Mia, manager): Rita and Raj      West (Max, manager): Rosa
//
// with flags, overdue next steps, closes and touches placed in and around
// the reported week (23–29 November).
func teamWorld(t *testing.T) *world {
	w := newWorld(t)
	w.user("admin@t.example", "Ada Admin", "admin", "UTC", "")
	w.user("mia@t.example", "Mia Manager", "manager", "UTC", "")
	w.user("max@t.example", "Max Manager", "manager", "UTC", "")
	w.team("East", "mia@t.example")
	w.team("West", "max@t.example")
	w.user("rita@t.example", "Rita Rep", "rep", "UTC", "East")
	w.user("raj@t.example", "Raj Rep", "rep", "UTC", "East")
	w.user("rosa@t.example", "Rosa Rep", "rep", "UTC", "West")

	// Rita: a new flag, an old flag, an overdue next step, an untouched
	// deal, a win, and touches both weeks.
	w.deal(dealSpec{title: "Rita new flag", owner: "rita@t.example", amount: 10000})
	w.flag("Rita new flag", "open", day(25), "margin_hit", "requotes")
	w.deal(dealSpec{title: "Rita old flag", owner: "rita@t.example", amount: 4000})
	w.flag("Rita old flag", "open", day(10), "unresponsive")
	w.deal(dealSpec{title: "Rita overdue", owner: "rita@t.example", amount: 3000, due: ptr(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))})
	w.deal(dealSpec{title: "Rita due today", owner: "rita@t.example", amount: 3000, due: ptr(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))})
	w.deal(dealSpec{title: "Rita forgotten", owner: "rita@t.example", amount: 2000, lastTouch: ptr(day(2))})
	w.deal(dealSpec{title: "Rita won", owner: "rita@t.example", amount: 7000, stage: "won", changedAt: day(26)})
	w.deal(dealSpec{title: "Rita won before", owner: "rita@t.example", amount: 7000, stage: "won", changedAt: day(20)})
	w.touches("Rita new flag", 3, day(24))
	w.touches("Rita overdue", 2, day(17))
	w.touches("Rita overdue", 4, day(30)) // this week: counted next Monday

	// Raj: a new flag that resolved on its own (not news), one still open,
	// an overdue next step, a kept flag decided last week by Mia.
	w.deal(dealSpec{title: "Raj resolved", owner: "raj@t.example", amount: 5000})
	w.flag("Raj resolved", "resolved", day(24), "unresponsive")
	w.deal(dealSpec{title: "Raj new flag", owner: "raj@t.example", amount: 6000})
	w.flag("Raj new flag", "open", day(24), "unresponsive")
	w.deal(dealSpec{title: "Raj overdue", owner: "raj@t.example", amount: 1000, due: ptr(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))})
	w.deal(dealSpec{title: "Raj kept", owner: "raj@t.example", amount: 9000})
	kept := w.flag("Raj kept", "open", day(12), "discount_depth")
	w.decide(kept, "kept", "mia@t.example", day(26), "Strategic logo, worth the discount")
	w.touches("Raj new flag", 1, day(23))

	// Rosa (West): the same kinds of facts, none of which East may see.
	w.deal(dealSpec{title: "Rosa new flag", owner: "rosa@t.example", amount: 20000})
	w.flag("Rosa new flag", "open", day(25), "requotes")
	w.deal(dealSpec{title: "Rosa overdue", owner: "rosa@t.example", amount: 1000, due: ptr(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))})
	w.touches("Rosa new flag", 5, day(26))
	return w
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
