package postgres_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"goodmoney/internal/pgtest"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
	"goodmoney/internal/scoring"
)

// flagRow is a flag as stored.
type flagRow struct {
	status  string
	points  int
	signals []string
	note    string
	decided bool
}

// flags returns a deal's flags, oldest first.
func (f *fixture) flags(dealID int64) []flagRow {
	f.t.Helper()
	rows, err := f.db.Pool.Query(f.ctx, `SELECT status, points, signals, note, decided_at IS NOT NULL
		FROM flags WHERE deal_id = $1 ORDER BY id`, dealID)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []flagRow
	for rows.Next() {
		var r flagRow
		if err := rows.Scan(&r.status, &r.points, &r.signals, &r.note, &r.decided); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func statuses(rows []flagRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.status
	}
	return out
}

// setCost edits the deal's cost as the rep, which rescores it.
func (f *fixture) setCost(d *pipeline.Deal, cost float64) *pipeline.Deal {
	f.t.Helper()
	in := pipeline.DealInput{ProspectID: d.ProspectID, Title: d.Title, Amount: d.Amount, ListPrice: d.ListPrice, Cost: usd(cost),
		Stage: d.Stage, FuturePromise: d.FuturePromise, Version: d.Version}
	d, err := f.deals.UpdateDeal(f.ctx, f.rep, d.ID, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

func TestFlags_FollowTheBand(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.lowMarginChased()
	got := f.flags(d.ID)
	if len(got) != 1 || got[0].status != "open" || got[0].points != f.stored(d.ID).points ||
		!slices.Equal(got[0].signals, []string{"unresponsive", "requotes", "margin_hit", "triad"}) {
		t.Fatalf("after entering the band: %+v, want one open flag with the score's points and signals", got)
	}

	// Another touch while in the band opens nothing more.
	f.touch(d.ID, email(30))
	if got := f.flags(d.ID); len(got) != 1 {
		t.Fatalf("a second write in the band: %d flags, want 1", len(got))
	}

	// A healthy cost takes it out of the band: the unreviewed flag resolves.
	d = f.setCost(d, 9000)
	got = f.flags(d.ID)
	if f.stored(d.ID).band == "not_good_money" || len(got) != 1 || got[0].status != "resolved" || !got[0].decided ||
		got[0].note == "" {
		t.Fatalf("after leaving the band: score %+v, flags %+v; want one resolved flag with a note", f.stored(d.ID), got)
	}

	// Back into the band: a new flag, the old one stays resolved.
	d = f.setCost(d, 15500)
	if got := statuses(f.flags(d.ID)); !slices.Equal(got, []string{"resolved", "open"}) {
		t.Fatalf("after re-entering the band: %v, want resolved then open", got)
	}

	// A snoozed flag was reviewed: leaving the band does not touch it.
	if _, err := f.db.Pool.Exec(f.ctx, `UPDATE flags SET status = 'snoozed', snooze_until = $2 WHERE deal_id = $1 AND status = 'open'`,
		d.ID, testNow.Add(7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	d = f.setCost(d, 9000)
	if got := statuses(f.flags(d.ID)); !slices.Equal(got, []string{"resolved", "snoozed"}) {
		t.Fatalf("a snoozed flag after leaving the band: %v, want it still snoozed", got)
	}
}

func TestFlags_ClosedDeals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.lowMarginChased()
	if _, err := f.deals.CloseDeal(f.ctx, f.rep, d.ID, pipeline.CloseInput{Outcome: pipeline.OutcomeLost, Reasons: []string{"price"}}); err != nil {
		t.Fatal(err)
	}
	got := f.flags(d.ID)
	if len(got) != 1 || got[0].status != "resolved" || got[0].note != "The deal was closed before anyone reviewed the flag." {
		t.Fatalf("flag of a deal closed as lost: %+v, want resolved with a note", got)
	}
	if f.stored(d.ID).band != "not_good_money" {
		t.Error("a closed deal keeps its score")
	}
	f.touch(d.ID, email(1))
	if _, err := f.scores.RescoreAll(f.ctx, f.orgID); err != nil {
		t.Fatal(err)
	}
	if got := f.flags(d.ID); len(got) != 1 {
		t.Errorf("a closed deal was flagged again: %+v", got)
	}
}

// TestFlags_KeepSuppression drives a deal's points exactly: with an amount
// equal to its cost the margin is 0 %, so thin margin fires at full strength
// and the deal's points are the margin weight. A manager kept the deal at 50
// points with that one signal.
func TestFlags_KeepSuppression(t *testing.T) {
	t.Parallel()
	const kept = 50
	for _, tc := range []struct {
		name    string
		weight  float64 // margin weight: the deal's new points
		promise bool    // mark the deal as promising future business: a new signal (+5)
		reflag  bool
	}{
		{"SameScore", kept, false, false},
		{"TenAbove", kept + 10, false, false},
		{"FourteenAbove", kept + 14, false, false},
		{"FifteenAbove", kept + 15, false, true},
		{"SixteenAbove", kept + 16, false, true},
		{"Lower", kept - 5, false, false},
		{"NewSignal", kept, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.saveRules(func(r *scoring.Rules) { r.MarginWeight = kept; r.FlagFrom = 40; r.WatchFrom = 20 })
			d := f.deal(pipeline.DealInput{Amount: *usd(1000), Cost: usd(1000)})
			if got := f.stored(d.ID); got.points != kept || got.band != "not_good_money" {
				t.Fatalf("setup: stored %+v, want %d points, flagged", got, kept)
			}
			_, err := f.db.Pool.Exec(f.ctx, `UPDATE flags SET status = 'kept', decided_by = $2, decided_at = $3, note = 'Strategic account'
				WHERE deal_id = $1 AND status = 'open'`, d.ID, f.manager.UserID, testNow)
			if err != nil {
				t.Fatal(err)
			}

			if tc.promise {
				in := pipeline.DealInput{ProspectID: d.ProspectID, Title: d.Title, Amount: d.Amount, Cost: d.Cost, Stage: d.Stage,
					FuturePromise: true, Version: d.Version}
				if _, err := f.deals.UpdateDeal(f.ctx, f.rep, d.ID, in); err != nil {
					t.Fatal(err)
				}
			} else {
				f.saveRules(func(r *scoring.Rules) { r.MarginWeight = tc.weight; r.FlagFrom = 40; r.WatchFrom = 20 })
			}
			got := f.flags(d.ID)
			want := []string{"kept"}
			if tc.reflag {
				want = append(want, "open")
			}
			if !slices.Equal(statuses(got), want) {
				t.Fatalf("at %d points: flags %v, want %v", f.stored(d.ID).points, statuses(got), want)
			}
			if tc.reflag && got[1].points != f.stored(d.ID).points {
				t.Errorf("new flag at %d points, the score is %d", got[1].points, f.stored(d.ID).points)
			}
		})
	}
}

// saveRules saves the defaults changed by edit as the admin; without a job
// queue the org is rescored before SaveRules returns.
func (f *fixture) saveRules(edit func(*scoring.Rules)) *pipeline.SavedRules {
	f.t.Helper()
	r := scoring.DefaultRules()
	edit(&r)
	saved, err := f.scores.SaveRules(f.ctx, f.admin, r)
	if err != nil {
		f.t.Fatalf("save rules: %v", err)
	}
	if saved.Queued || saved.RescoreErr != nil {
		f.t.Fatalf("save rules: %+v, want rescored in place", saved)
	}
	return saved
}

// TestKeepHolds_SQLMatchesGo holds the set-based keep check that opens
// flags to pipeline.KeepHolds: the same cases, the same answers.
func TestKeepHolds_SQLMatchesGo(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewDB(t)
	ctx := context.Background()
	keptCodes := []string{"margin_hit", "unresponsive"}
	for _, tc := range []struct {
		points int
		codes  []string
	}{
		{40, nil},
		{40, []string{"margin_hit"}},
		{40 + pipeline.KeepMargin - 1, []string{"margin_hit", "unresponsive"}},
		{40 + pipeline.KeepMargin, []string{"margin_hit"}},
		{40 + pipeline.KeepMargin + 10, nil},
		{30, []string{"requotes"}},
		{30, []string{"unresponsive", "requotes"}},
	} {
		want := pipeline.KeepHolds(tc.points, tc.codes, 40, keptCodes)
		var got bool
		err := pool.QueryRow(ctx, `SELECT `+postgres.KeepHoldsSQL+`
			FROM (SELECT $1::int AS points, $2::text AS codes) u, (SELECT $3::int AS points, $4::text[] AS signals) last`,
			tc.points, strings.Join(tc.codes, ","), 40, keptCodes).Scan(&got)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("points %d, codes %v against a keep at 40 %v: SQL says %v, pipeline.KeepHolds %v", tc.points, tc.codes, keptCodes, got, want)
		}
	}
}
