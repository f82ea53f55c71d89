package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"goodmoney/internal/money"
	"goodmoney/internal/pgtest"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
	"goodmoney/internal/scoring"
	"goodmoney/internal/seed"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// testNow is the fixed clock of these tests, so that scores computed at
// different moments of a test agree with Evaluate run afterwards.
var testNow = time.Date(2026, 3, 16, 15, 0, 0, 0, time.UTC)

// fixture is an org with an admin, a manager and a rep, and a prospect.
type fixture struct {
	t                   *testing.T
	ctx                 context.Context
	db                  *postgres.DB
	deals               *postgres.DealService
	scores              *postgres.ScoreService
	orgID, prospectID   int64
	admin, manager, rep pipeline.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := postgres.NewDB(pgtest.NewDB(t))
	db.Now = func() time.Time { return testNow }
	org, err := postgres.NewOrgService(db).CreateOrg(ctx, pipeline.Org{Name: "Test Co", Timezone: "America/New_York"})
	if err != nil {
		t.Fatal(err)
	}
	scores := postgres.NewScoreService(db)
	f := &fixture{t: t, ctx: ctx, db: db, deals: postgres.NewDealService(db, scores), scores: scores, orgID: org.ID}
	users := postgres.NewUserService(db)
	sys := pipeline.Actor{OrgID: org.ID, Role: pipeline.RoleAdmin}
	for _, u := range []struct {
		role string
		dst  *pipeline.Actor
	}{{pipeline.RoleAdmin, &f.admin}, {pipeline.RoleManager, &f.manager}, {pipeline.RoleRep, &f.rep}} {
		created, err := users.CreateUser(ctx, sys, pipeline.NewUser{Email: u.role + "@test.example", Name: "Test " + u.role,
			Role: u.role, Timezone: "America/New_York", Password: "goodmoney"})
		if err != nil {
			t.Fatal(err)
		}
		*u.dst = created.Actor()
	}
	p, err := postgres.NewProspectService(db).CreateProspect(ctx, f.rep, pipeline.ProspectInput{Name: "Prospect"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.prospectID = p.ID
	return f
}

// usd returns whole dollars as cents.
func usd(dollars float64) *money.Cents {
	c := money.Cents(dollars * 100)
	return &c
}

// deal opens a deal owned by the rep.
func (f *fixture) deal(in pipeline.DealInput) *pipeline.Deal {
	f.t.Helper()
	in.ProspectID = f.prospectID
	if in.Title == "" {
		in.Title = "Deal"
	}
	if in.Stage == "" {
		in.Stage = pipeline.StageProposal
	}
	d, err := f.deals.CreateDeal(f.ctx, f.rep, in)
	if err != nil {
		f.t.Fatalf("create deal: %v", err)
	}
	return d
}

// touch logs a touch on a deal as the rep.
func (f *fixture) touch(dealID int64, in pipeline.TouchInput) {
	f.t.Helper()
	if _, err := f.deals.LogTouch(f.ctx, f.rep, dealID, in); err != nil {
		f.t.Fatalf("log touch: %v", err)
	}
}

func email(daysAgo int) pipeline.TouchInput {
	return pipeline.TouchInput{Kind: "email", Direction: "outbound", OccurredAt: testNow.AddDate(0, 0, -daysAgo)}
}

func reply(daysAgo int, notes string) pipeline.TouchInput {
	return pipeline.TouchInput{Kind: "email", Direction: "inbound", OccurredAt: testNow.AddDate(0, 0, -daysAgo), Notes: notes}
}

func quote(daysAgo int, dollars float64) pipeline.TouchInput {
	return pipeline.TouchInput{Kind: "quote", Direction: "outbound", OccurredAt: testNow.AddDate(0, 0, -daysAgo), QuoteAmount: usd(dollars)}
}

// stored is a deal's stored score.
type stored struct {
	points  int
	band    string
	version int
}

func (f *fixture) stored(dealID int64) stored {
	f.t.Helper()
	var s stored
	err := f.db.Pool.QueryRow(f.ctx, `SELECT points, band, rules_version FROM deal_scores WHERE deal_id = $1`, dealID).
		Scan(&s.points, &s.band, &s.version)
	if err != nil {
		f.t.Fatalf("stored score of deal %d: %v", dealID, err)
	}
	return s
}

// evaluate loads a deal's inputs with plain SQL, independent of the store's
// loader, and scores them with the org's rules at testNow.
func (f *fixture) evaluate(dealID int64) scoring.Score {
	f.t.Helper()
	var d scoring.Deal
	err := f.db.Pool.QueryRow(f.ctx, `SELECT id, stage, amount, list_price, cost, currency, future_promise, created_at
		FROM deals WHERE id = $1`, dealID).
		Scan(&d.ID, &d.Stage, &d.Amount, &d.ListPrice, &d.Cost, &d.Currency, &d.FuturePromise, &d.CreatedAt)
	if err != nil {
		f.t.Fatal(err)
	}
	rows, err := f.db.Pool.Query(f.ctx, `SELECT id, kind, direction, occurred_at, outcome, quote_amount, word_count
		FROM touches WHERE deal_id = $1`, dealID)
	if err != nil {
		f.t.Fatal(err)
	}
	var touches []scoring.Touch
	for rows.Next() {
		var t scoring.Touch
		if err := rows.Scan(&t.ID, &t.Kind, &t.Direction, &t.OccurredAt, &t.Outcome, &t.QuoteAmount, &t.WordCount); err != nil {
			f.t.Fatal(err)
		}
		touches = append(touches, t)
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	rules, err := f.scores.Rules(f.ctx, f.orgID)
	if err != nil {
		f.t.Fatal(err)
	}
	return scoring.Evaluate(d, touches, rules, testNow)
}

// lowMarginChased is the deal of the product's name: a 13.9 % margin, five
// unanswered emails and three quotes at the same price.
func (f *fixture) lowMarginChased() *pipeline.Deal {
	f.t.Helper()
	d := f.deal(pipeline.DealInput{Amount: *usd(18000), Cost: usd(15500)})
	for i, days := range []int{60, 54, 48, 42, 36} {
		f.touch(d.ID, email(days))
		if i < 3 {
			f.touch(d.ID, quote(days-1, 18000))
		}
	}
	return d
}

func TestRescoreDeal_ScoresInTheWriteTransaction(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.deal(pipeline.DealInput{Amount: *usd(18000), Cost: usd(15500)})
	if got := f.stored(d.ID); got.band != "ok" || got.points != 9 || got.version != 0 {
		t.Errorf("new deal stored as %+v, want 9 points (thin margin), ok, version 0", got)
	}
	d = f.lowMarginChased()
	want := f.evaluate(d.ID)
	if got := f.stored(d.ID); got.points != want.Points || got.band != string(want.Band) || want.Band != scoring.BandNotGoodMoney {
		t.Errorf("stored %+v, Evaluate says %d %s (want not_good_money)", got, want.Points, want.Band)
	}
	detail, err := f.deals.DealDetail(f.ctx, f.rep, d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := detail.Score
	if s == nil || s.Points != want.Points || s.Band != want.Band || len(s.Signals) != len(want.Signals) || len(s.Hints) != len(want.Hints) {
		t.Fatalf("deal page score %+v, want %+v", s, want)
	}
	for i := range s.Signals {
		if s.Signals[i].Code != want.Signals[i].Code || s.Signals[i].Evidence != want.Signals[i].Evidence ||
			len(s.Signals[i].TouchIDs) != len(want.Signals[i].TouchIDs) {
			t.Errorf("signal %d: stored %+v, want %+v", i, s.Signals[i], want.Signals[i])
		}
	}
	if !s.AsOf.Equal(testNow) {
		t.Errorf("score as of %s, want the time it was computed, %s", s.AsOf, testNow)
	}
}

func TestRescoreAll_WritesOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.lowMarginChased()
	f.deal(pipeline.DealInput{Amount: *usd(9000), Cost: usd(4000)})
	closed := f.deal(pipeline.DealInput{Amount: *usd(5000), Stage: pipeline.StageWon})
	if _, err := f.db.Pool.Exec(f.ctx, `DELETE FROM deal_scores WHERE deal_id = $1`, closed.ID); err != nil {
		t.Fatal(err)
	}
	st, err := f.scores.RescoreAll(f.ctx, f.orgID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Deals != 2 || st.Flagged != 1 || st.Written != 0 || st.Opened != 0 {
		t.Errorf("rescore of scored deals: %+v, want 2 deals, 1 flagged, nothing written or opened", st)
	}
	var n int
	pgtest.Scan(t, f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM deal_scores WHERE deal_id = $1`, closed.ID), &n)
	if n != 0 {
		t.Error("RescoreAll scored a closed deal")
	}
	if _, err := f.db.Pool.Exec(f.ctx, `UPDATE deal_scores SET fingerprint = 0`); err != nil {
		t.Fatal(err)
	}
	if st, err = f.scores.RescoreAll(f.ctx, f.orgID); err != nil || st.Written != 2 {
		t.Errorf("after the fingerprints changed: %+v, %v; want both scores written", st, err)
	}
}

func TestRescoreAll_EffortPercentile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		won  int
	}{{"TooFewWonDeals", scoring.MinWonDeals - 1}, {"EnoughWonDeals", scoring.MinWonDeals + 5}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			var rates []float64
			for i := range tc.won {
				amount := float64(5000 + 1000*i)
				d := f.deal(pipeline.DealInput{Amount: *usd(amount)})
				var ts []scoring.Touch
				for j := range 2 + i%7 {
					f.touch(d.ID, email(90-j))
					ts = append(ts, scoring.Touch{Kind: "email", OccurredAt: testNow.AddDate(0, 0, -90+j)})
				}
				f.touch(d.ID, pipeline.TouchInput{Kind: "note", Direction: "outbound", OccurredAt: testNow.AddDate(0, 0, -1), Notes: "memo"})
				if _, err := f.deals.CloseDeal(f.ctx, f.rep, d.ID, pipeline.CloseInput{Outcome: pipeline.OutcomeWon, Reasons: []string{"right fit"}}); err != nil {
					t.Fatal(err)
				}
				rate, _ := scoring.EffortRate(scoring.Deal{Amount: *usd(amount)}, ts, testNow)
				rates = append(rates, rate)
			}
			if _, err := f.scores.RescoreAll(f.ctx, f.orgID); err != nil {
				t.Fatal(err)
			}
			rules, err := f.scores.Rules(f.ctx, f.orgID)
			if err != nil {
				t.Fatal(err)
			}
			want := 0.0
			if tc.won >= scoring.MinWonDeals {
				want = scoring.P90(rates)
			}
			if rules.EffortP90 != want || (tc.won >= scoring.MinWonDeals && want == 0) {
				t.Errorf("EffortP90 = %v, want %v (scoring.P90 of %d won deals)", rules.EffortP90, want, tc.won)
			}
		})
	}
}

// TestRescoreAll_ConcurrentTouches runs full rescores while 20 reps keep
// logging touches and checks that no score is lost or stale: every open
// deal's stored score equals Evaluate on its final inputs and rules. No
// quiet rescore runs after the reps stop, which would hide a stale write.
func TestRescoreAll_ConcurrentTouches(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.scores.BatchSize = 7 // many small batches, so touches land on locked and unlocked deals alike
	var ids []int64
	for i := range 60 {
		d := f.deal(pipeline.DealInput{Title: fmt.Sprintf("Deal %d", i), Amount: *usd(float64(10000 + 500*i)), Cost: usd(float64(7000 + 450*i))})
		ids = append(ids, d.ID)
	}
	stop := make(chan struct{})
	logged := f.logTouchesUntil(stop, ids)
	time.Sleep(30 * time.Millisecond)
	revisited := 0
	for run := 1; run <= 6; run++ {
		// A new rules version before each run, as if a manager kept tuning
		// them: every score must be rewritten, so the run's writes meet the
		// reps' head on.
		_, err := f.db.Pool.Exec(f.ctx, `INSERT INTO scoring_rules (org_id, version, rules)
			VALUES ($1, $2, jsonb_build_object('margin_weight', 30 + $2 % 2))`, f.orgID, run)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.scores.RescoreAll(f.ctx, f.orgID)
		if err != nil {
			t.Fatalf("rescore: %v", err)
		}
		revisited += st.Revisited
	}
	close(stop)
	n := logged()
	t.Logf("6 full rescores ran while %d touches were logged; %d deals were busy and revisited", n, revisited)
	for _, id := range ids {
		want := f.evaluate(id)
		if got := f.stored(id); got.points != want.Points || got.band != string(want.Band) || got.version != want.RulesVersion {
			t.Errorf("deal %d: stored %+v, Evaluate on its final inputs says %d %s with rules version %d",
				id, got, want.Points, want.Band, want.RulesVersion)
		}
	}
	f.checkFlagsFollowBands()
}

// logTouchesUntil has 20 reps log touches on random deals until stop is
// closed; the function it returns waits for them and counts the touches.
func (f *fixture) logTouchesUntil(stop <-chan struct{}, ids []int64) func() int {
	kinds := []pipeline.TouchInput{email(0), reply(0, "ok"), quote(0, 12000),
		{Kind: "meeting", Direction: "outbound", Outcome: "no_show"}, {Kind: "call", Direction: "inbound"}}
	var wg sync.WaitGroup
	counts := make([]int, 20)
	for g := range counts {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Duration(r.IntN(5)) * time.Millisecond):
				}
				in := kinds[r.IntN(len(kinds))]
				in.OccurredAt = testNow.Add(-time.Duration(r.IntN(60*24)) * time.Hour)
				if _, err := f.deals.LogTouch(f.ctx, f.rep, ids[r.IntN(len(ids))], in); err != nil {
					f.t.Errorf("log touch: %v", err)
					return
				}
				counts[g]++
			}
		})
	}
	return func() int {
		wg.Wait()
		n := 0
		for _, c := range counts {
			n += c
		}
		return n
	}
}

// TestRescoreAll_WriterInFlight pins down the race the locks are for: a
// touch is being logged (its transaction holds the deal's lock, has inserted
// the touch, updated the deal and rescored it, but not committed) while a
// full rescore runs. The rescore must neither store the score it computed
// from the inputs it could see nor overwrite the writer's: it passes over
// the deal, then comes back and waits for the writer.
func TestRescoreAll_WriterInFlight(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.deal(pipeline.DealInput{Amount: *usd(18000), Cost: usd(15500)})
	for _, days := range []int{20, 14, 8} {
		f.touch(d.ID, email(days))
	}
	before := f.stored(d.ID)
	// As after a change of rules, the stored score differs from what the
	// rescore will compute, so it has to write this deal.
	if _, err := f.db.Pool.Exec(f.ctx, `UPDATE deal_scores SET fingerprint = 0 WHERE deal_id = $1`, d.ID); err != nil {
		t.Fatal(err)
	}
	tx, err := f.db.Pool.Begin(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(f.ctx)
	if _, err := tx.Exec(f.ctx, `SELECT id FROM deals WHERE id = $1 FOR UPDATE`, d.ID); err != nil {
		t.Fatal(err)
	}
	_, err = tx.Exec(f.ctx, `INSERT INTO touches (org_id, deal_id, prospect_id, rep_id, kind, direction, occurred_at)
		VALUES ($1, $2, $3, $4, 'email', 'inbound', $5)`, f.orgID, d.ID, f.prospectID, f.rep.UserID, testNow.AddDate(0, 0, -1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(f.ctx, `UPDATE deals SET last_touch_at = $2 WHERE id = $1`, d.ID, testNow.AddDate(0, 0, -1)); err != nil {
		t.Fatal(err)
	}
	if err := f.scores.RescoreDeal(f.ctx, tx, f.orgID, d.ID); err != nil {
		t.Fatal(err)
	}
	done := make(chan rescoreResult, 1)
	go func() {
		st, err := f.scores.RescoreAll(f.ctx, f.orgID)
		done <- rescoreResult{st, err}
	}()
	f.waitForLockWait(done)
	if err := tx.Commit(f.ctx); err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res.err != nil || res.st.Revisited != 1 {
		t.Fatalf("rescore: %+v, %v; want the busy deal revisited", res.st, res.err)
	}
	want := f.evaluate(d.ID)
	if got := f.stored(d.ID); got.points != want.Points || got.band != string(want.Band) || want.Points == before.points {
		t.Errorf("stored %+v, Evaluate on the final inputs says %d %s (and %d before the reply)", got, want.Points, want.Band, before.points)
	}
}

type rescoreResult struct {
	st  pipeline.RescoreStats
	err error
}

// waitForLockWait waits until some session waits for a row lock, which is
// where a full rescore stops for a writer in flight.
func (f *fixture) waitForLockWait(done <-chan rescoreResult) {
	f.t.Helper()
	for range 500 {
		var waiting bool
		// This test's database only: the cluster is shared with the other
		// tests of the package, whose lock waits must not count.
		err := f.db.Pool.QueryRow(f.ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock')`).Scan(&waiting)
		if err != nil {
			f.t.Fatal(err)
		}
		if waiting {
			return
		}
		select {
		case r := <-done:
			f.t.Fatalf("the rescore finished without waiting for the writer: %+v, %v", r.st, r.err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	f.t.Fatal("the rescore never waited for the writer's lock")
}

// checkFlagsFollowBands checks the flag invariant: an open deal in the
// not-good-money band has exactly one open flag, any other none.
func (f *fixture) checkFlagsFollowBands() {
	f.t.Helper()
	rows, err := f.db.Pool.Query(f.ctx, `
		SELECT d.id, s.band, (SELECT count(*) FROM flags WHERE deal_id = d.id AND status = 'open')
		FROM deals d JOIN deal_scores s ON s.deal_id = d.id WHERE d.org_id = $1`, f.orgID)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var band string
		var open int
		if err := rows.Scan(&id, &band, &open); err != nil {
			f.t.Fatal(err)
		}
		if want := map[bool]int{true: 1, false: 0}[band == "not_good_money"]; open != want {
			f.t.Errorf("deal %d in band %s has %d open flags, want %d", id, band, open, want)
		}
	}
}

// BenchmarkRescoreAll rescores the demo org's open deals. The figure that
// matters at scale comes from BenchmarkRescoreAll_Large.
func BenchmarkRescoreAll(b *testing.B) {
	ctx := context.Background()
	db := postgres.NewDB(pgtest.NewDB(b))
	if _, err := seed.Demo(ctx, db); err != nil {
		b.Fatal(err)
	}
	scores := postgres.NewScoreService(db)
	var orgID int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM orgs`).Scan(&orgID); err != nil {
		b.Fatal(err)
	}
	var st pipeline.RescoreStats
	for b.Loop() {
		var err error
		if st, err = scores.RescoreAll(ctx, orgID); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*max(st.Deals, 1)), "ns/deal")
}

// BenchmarkRescoreAll_Large rescores the open deals of the benchmark org of
// `goodmoney seed --size large` (5M touches, 60,000 open deals) and reports
// the time against the yardstick, a bare `SELECT deal_id, count(*) FROM
// touches GROUP BY deal_id`, timed before every run (scan-x): the machine's
// load moves both alike. "unchanged" is the daily run, where few scores
// change; "rewrite" the run after a change of rules, where every score is
// written. Loading the org takes minutes, so it runs only with
// GOODMONEY_BENCH_LARGE=1.
func BenchmarkRescoreAll_Large(b *testing.B) {
	if os.Getenv("GOODMONEY_BENCH_LARGE") == "" {
		b.Skip("set GOODMONEY_BENCH_LARGE=1 to load 5M touches")
	}
	ctx := context.Background()
	db := postgres.NewDB(pgtest.NewDB(b))
	opts := seed.LargeOptions{}
	if testing.Verbose() {
		opts.Progress = os.Stderr
	}
	loaded, err := seed.Large(ctx, db, opts)
	if err != nil {
		b.Fatal(err)
	}
	scores := postgres.NewScoreService(db)
	first, err := scores.RescoreAll(ctx, loaded.OrgID)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("first rescore (every score new): %+v", first)
	if _, err := db.Pool.Exec(ctx, `VACUUM ANALYZE deal_scores`); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"unchanged", "rewrite"} {
		b.Run(mode, func(b *testing.B) {
			var st pipeline.RescoreStats
			var scan time.Duration
			for b.Loop() {
				b.StopTimer()
				if mode == "rewrite" {
					if _, err := db.Pool.Exec(ctx, `UPDATE deal_scores SET fingerprint = 0`); err != nil {
						b.Fatal(err)
					}
				}
				scan += bareScan(b, db)
				b.StartTimer()
				if st, err = scores.RescoreAll(ctx, loaded.OrgID); err != nil {
					b.Fatal(err)
				}
			}
			per := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(per/float64(max(st.Deals, 1)), "ns/deal")
			b.ReportMetric(float64(b.Elapsed())/float64(scan), "scan-x")
			b.Logf("%s: %+v; yardstick scan %s a run", mode, st, scan/time.Duration(b.N))
		})
	}
}

// bareScan times the yardstick once.
func bareScan(b *testing.B, db *postgres.DB) time.Duration {
	b.Helper()
	start := time.Now()
	rows, err := db.Pool.Query(context.Background(), `SELECT deal_id, count(*) FROM touches GROUP BY deal_id`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}
