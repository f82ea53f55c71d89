package seed

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"goodmoney/internal/money"
	"goodmoney/internal/pgtest"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
	"goodmoney/internal/scoring"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// benchNow is a fixed end of history, so runs compare.
var benchNow = time.Date(2026, 3, 16, 15, 0, 0, 0, time.UTC)

// tinyOptions is the benchmark org at test size.
func tinyOptions(seed uint64) LargeOptions {
	return LargeOptions{Seed: seed, Reps: 10, Teams: 2, Prospects: 200, Deals: 500, Touches: 10_000, Now: benchNow}
}

// planned returns the generator with its plan drawn, without a database.
func planned(t *testing.T, o LargeOptions) *largeGen {
	t.Helper()
	o = o.withDefaults()
	loc, err := time.LoadLocation(BenchTimezone)
	if err != nil {
		t.Fatal(err)
	}
	g := &largeGen{opts: o, loc: loc, now: o.Now.In(loc)}
	g.plan()
	return g
}

// evaluate scores the planned open deals as RescoreAll would: default rules
// in the org's timezone, the effort percentile taken from the won deals.
func evaluate(g *largeGen) map[int]scoring.Score {
	rules := scoring.DefaultRules()
	rules.Location = g.loc
	inputs := func(d *dealPlan) (scoring.Deal, []scoring.Touch) {
		sd := scoring.Deal{ID: d.id, Amount: money.Cents(d.amount), Currency: "USD", FuturePromise: d.promise, CreatedAt: d.created}
		if d.list != 0 {
			l, c := money.Cents(d.list), money.Cents(d.cost)
			sd.ListPrice, sd.Cost = &l, &c
		}
		var ts []scoring.Touch
		for i, t := range g.dealTouches(d) {
			st := scoring.Touch{ID: int64(i), Kind: t.kind, Direction: t.dir, OccurredAt: t.at, Outcome: t.outcome}
			if t.quote != 0 {
				q := money.Cents(t.quote)
				st.QuoteAmount = &q
			}
			if t.words != 0 {
				n := len(strings.Fields(t.notes))
				st.WordCount = &n
			}
			ts = append(ts, st)
		}
		return sd, ts
	}
	var rates []float64
	for i := range g.deals {
		if d := &g.deals[i]; d.stage == stageWon {
			sd, ts := inputs(d)
			if r, ok := scoring.EffortRate(sd, ts, g.now); ok {
				rates = append(rates, r)
			}
		}
	}
	if len(rates) >= scoring.MinWonDeals {
		rules.EffortP90 = scoring.P90(rates)
	}
	scores := map[int]scoring.Score{}
	for i := range g.deals {
		if d := &g.deals[i]; d.stage < stageWon {
			sd, ts := inputs(d)
			scores[i] = scoring.Evaluate(sd, ts, rules, g.now)
		}
	}
	return scores
}

// TestLargePersonas holds the generator to its stories: every flag persona
// flags, healthy deals almost never do, and about one open deal in ten ends
// up not good money.
func TestLargePersonas(t *testing.T) {
	t.Parallel()
	g := planned(t, LargeOptions{Seed: 7, Reps: 50, Teams: 5, Prospects: 4000, Deals: 10_000, Touches: 200_000, Now: benchNow})
	scores := evaluate(g)
	type tally struct{ n, flagged int }
	by := map[persona]*tally{}
	flagged := 0
	for i, sc := range scores {
		p := g.deals[i].persona
		if by[p] == nil {
			by[p] = &tally{}
		}
		by[p].n++
		if sc.Band == scoring.BandNotGoodMoney {
			by[p].flagged++
			flagged++
		}
	}
	for p := range personaCount {
		tl := by[p]
		if tl == nil {
			t.Errorf("persona %d: no open deals", p)
			continue
		}
		share := float64(tl.flagged) / float64(tl.n)
		t.Logf("persona %2d: %5d open deals, %5.1f%% flagged", p, tl.n, 100*share)
		if p.flags() && share < 0.97 {
			t.Errorf("flag persona %d: only %.1f%% of %d deals flag", p, 100*share, tl.n)
		}
		if !p.flags() && share > 0.02 {
			t.Errorf("persona %d: %.1f%% of %d deals flag", p, 100*share, tl.n)
		}
	}
	share := float64(flagged) / float64(len(scores))
	t.Logf("open deals flagged: %d of %d (%.1f%%)", flagged, len(scores), 100*share)
	if share < 0.08 || share > 0.12 {
		t.Errorf("%.1f%% of open deals flag, want about 10%%", 100*share)
	}
}

// TestLargeHistory checks the shape of the generated history: exact sizes,
// touches inside each deal's life and in time order, the inbound share and
// the business-hours pattern.
func TestLargeHistory(t *testing.T) {
	t.Parallel()
	o := LargeOptions{Seed: 3, Reps: 20, Teams: 2, Prospects: 1000, Deals: 2500, Touches: 50_000, Now: benchNow}
	g := planned(t, o)
	if g.touchTotal != o.Touches || g.contactTotal != 2500 {
		t.Errorf("touches %d, contacts %d; want %d and 2500", g.touchTotal, g.contactTotal, o.Touches)
	}
	open, inbound, evening, total := 0, 0, 0, 0
	kinds := map[string]int{}
	for i := range g.deals {
		d := &g.deals[i]
		if d.stage < stageWon {
			open++
		}
		ts := g.dealTouches(d)
		if len(ts) != d.touches {
			t.Fatalf("deal %d: %d touches, planned %d", i, len(ts), d.touches)
		}
		for k, tc := range ts {
			if tc.at.Before(d.created) || tc.at.After(d.end) || tc.at.After(benchNow) {
				t.Fatalf("deal %d: touch at %s outside %s – %s", i, tc.at, d.created, d.end)
			}
			if k > 0 && tc.at.Before(ts[k-1].at) {
				t.Fatalf("deal %d: touches out of order", i)
			}
			total++
			kinds[tc.kind]++
			if tc.dir == "inbound" {
				inbound++
				if h := tc.at.In(g.loc).Hour(); h >= 18 || h < 9 {
					evening++
				}
			}
		}
	}
	if open != 600 {
		t.Errorf("%d open deals, want 600", open)
	}
	in := float64(inbound) / float64(total)
	t.Logf("inbound %.1f%%, of which %.1f%% outside business hours; kinds %v", 100*in, 100*float64(evening)/float64(inbound), kinds)
	if in < 0.25 || in > 0.35 {
		t.Errorf("inbound share %.1f%%, want 25–35%%", 100*in)
	}
	for _, k := range []string{"call", "email", "text", "voicemail", "meeting", "quote", "note"} {
		if kinds[k] < total/100 {
			t.Errorf("only %d %s touches of %d", kinds[k], k, total)
		}
	}
}

// TestLargeTiny loads the tiny benchmark org twice from the same seed and
// once from another: counts, references, search text, scores, determinism.
func TestLargeTiny(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	load := func(seed uint64) (*postgres.DB, *LargeStats) {
		db := postgres.NewDB(pgtest.NewDB(t))
		db.Now = func() time.Time { return benchNow }
		o := tinyOptions(seed)
		o.Rescore = func(ctx context.Context, orgID int64) error {
			_, err := postgres.NewScoreService(db).RescoreAll(ctx, orgID)
			return err
		}
		st, err := Large(ctx, db, o)
		if err != nil {
			t.Fatalf("Large: %v", err)
		}
		return db, st
	}
	db, st := load(42)

	counts := map[string]int{}
	for _, table := range []string{"users", "teams", "prospects", "contacts", "deals", "deal_stage_changes", "touches", "deal_scores"} {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM `+table+` WHERE org_id = $1`, st.OrgID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	want := map[string]int{"users": 13, "teams": 2, "prospects": 200, "contacts": 500, "deals": 500,
		"deal_stage_changes": st.StageChanges, "touches": 10_000, "deal_scores": st.OpenDeals}
	for table, n := range want {
		if counts[table] != n {
			t.Errorf("%s: %d rows, want %d", table, counts[table], n)
		}
	}

	var badSearch, badLastTouch, openDeals int
	err := db.Pool.QueryRow(ctx, `
		SELECT
			(SELECT count(*) FROM prospects p WHERE p.org_id = $1 AND p.search <> lower(concat_ws(' ', p.name, p.website,
				(SELECT string_agg(concat_ws(' ', c.name, c.email), ' ' ORDER BY c.id) FROM contacts c WHERE c.prospect_id = p.id)))),
			(SELECT count(*) FROM deals d WHERE d.org_id = $1 AND d.last_touch_at IS DISTINCT FROM
				(SELECT max(occurred_at) FROM touches t WHERE t.deal_id = d.id)),
			(SELECT count(*) FROM deals WHERE org_id = $1 AND stage IN ('lead', 'qualified', 'proposal', 'negotiation'))`,
		st.OrgID).Scan(&badSearch, &badLastTouch, &openDeals)
	if err != nil {
		t.Fatal(err)
	}
	if badSearch != 0 || badLastTouch != 0 || openDeals != 120 {
		t.Errorf("%d prospects with stale search text, %d deals with a wrong last touch, %d open deals (want 0, 0, 120)",
			badSearch, badLastTouch, openDeals)
	}

	var flagged, openFlags int
	err = db.Pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM deal_scores WHERE org_id = $1 AND band = 'not_good_money'),
			(SELECT count(*) FROM flags WHERE org_id = $1 AND status = 'open')`, st.OrgID).Scan(&flagged, &openFlags)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("flagged %d of %d open deals; %d open flags; loaded in %s", flagged, openDeals, openFlags, st.Load)
	if share := float64(flagged) / float64(openDeals); share < 0.05 || share > 0.2 || openFlags != flagged {
		t.Errorf("%d of %d open deals flagged with %d open flags, want about 10%% and one flag each", flagged, openDeals, openFlags)
	}

	if _, err := Large(ctx, db, tinyOptions(42)); err != ErrBenchOrgExists {
		t.Errorf("second Large on the same database: %v, want ErrBenchOrgExists", err)
	}

	again, st2 := load(42)
	other, st3 := load(43)
	sum := checksum(t, db, st.OrgID)
	if got := checksum(t, again, st2.OrgID); got != sum {
		t.Errorf("same seed, different data: %s vs %s", got, sum)
	}
	if got := checksum(t, other, st3.OrgID); got == sum {
		t.Errorf("seeds 42 and 43 gave the same data")
	}
}

// checksum hashes the org's deals and touches with ids made relative to the
// org's first ones, so databases with different sequences compare.
func checksum(t *testing.T, db *postgres.DB, orgID int64) string {
	t.Helper()
	var sum string
	err := db.Pool.QueryRow(context.Background(), `
		WITH base AS (SELECT min(id) AS deal, (SELECT min(id) FROM prospects WHERE org_id = $1) AS prospect
			FROM deals WHERE org_id = $1)
		SELECT md5(
			(SELECT string_agg(concat_ws(',', d.id - b.deal, d.prospect_id - b.prospect, d.title, d.stage, d.amount, d.cost,
				d.list_price, d.created_at, d.last_touch_at), ';' ORDER BY d.id) FROM deals d, base b WHERE d.org_id = $1) ||
			(SELECT string_agg(concat_ws(',', t.deal_id - b.deal, t.kind, t.direction, t.occurred_at, t.outcome, t.quote_amount,
				t.word_count, t.notes), ';' ORDER BY t.deal_id, t.occurred_at, t.id) FROM touches t, base b WHERE t.org_id = $1))`,
		orgID).Scan(&sum)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestStageIndexes: the generator's stage numbers name the domain's stages,
// and the stages below stageWon are exactly the open ones.
func TestStageIndexes(t *testing.T) {
	for i, want := range map[int]string{stageNegotiation: pipeline.StageNegotiation, stageWon: pipeline.StageWon,
		stageLost: pipeline.StageLost, stageDisq: pipeline.StageDisqualified} {
		if stageNames[i] != want {
			t.Errorf("stage %d is %q, want %q", i, stageNames[i], want)
		}
	}
	for i, s := range stageNames {
		if open := i < stageWon; open != pipeline.IsOpenStage(s) {
			t.Errorf("stage %q: open %v by index, %v by the domain", s, open, pipeline.IsOpenStage(s))
		}
	}
}
