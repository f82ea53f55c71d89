package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"goodmoney/internal/money"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
)

// lossDeal opens a deal of the rep selling below cost: flagged at once.
func (f *fixture) lossDeal(title string) *pipeline.Deal {
	f.t.Helper()
	cost := money.Cents(12_000_00)
	return f.deal(pipeline.DealInput{Title: title, Amount: 10_000_00, Cost: &cost})
}

// flagOf reads the status and note of the deal's newest flag.
func (f *fixture) flagOf(dealID int64) (id int64, status, note string) {
	f.t.Helper()
	err := f.db.Pool.QueryRow(context.Background(), `SELECT id, status, note FROM flags
		WHERE org_id = $1 AND deal_id = $2 ORDER BY opened_at DESC, id DESC LIMIT 1`, f.orgID, dealID).Scan(&id, &status, &note)
	if err != nil {
		f.t.Fatalf("flag of deal %d: %v", dealID, err)
	}
	return id, status, note
}

// TestDealService_CloseAndReopen: a close needs a reason, happens once,
// only on deals the actor may write, and a reopen restores the last open
// stage and clears the close.
func TestDealService_CloseAndReopen(t *testing.T) {
	t.Parallel()
	s := newScopeFixture(t)
	d := s.deal(pipeline.DealInput{Title: "Lost one", Amount: 5_000_00, Stage: pipeline.StageNegotiation})

	_, err := s.deals.CloseDeal(s.ctx, s.rep, d.ID, pipeline.CloseInput{Outcome: pipeline.StageLost})
	wantCode(t, err, pipeline.EINVALID)
	for _, who := range []pipeline.Actor{s.outsider, s.stranger} {
		_, err = s.deals.CloseDeal(s.ctx, who, d.ID, pipeline.CloseInput{Outcome: pipeline.StageLost, Reasons: []string{"price"}})
		wantCode(t, err, pipeline.ENOTFOUND)
	}
	closed, err := s.deals.CloseDeal(s.ctx, s.manager, d.ID, pipeline.CloseInput{Outcome: pipeline.StageLost,
		Reasons: []string{" price ", "competitor", "price"}, Note: "Went with the cheaper offer"})
	if err != nil {
		t.Fatal(err)
	}
	if closed.Stage != pipeline.StageLost || !slices.Equal(closed.CloseReasons, []string{"price", "competitor"}) {
		t.Errorf("closed: stage %s, reasons %q", closed.Stage, closed.CloseReasons)
	}
	_, err = s.deals.CloseDeal(s.ctx, s.rep, d.ID, pipeline.CloseInput{Outcome: pipeline.StageWon, Reasons: []string{"price"}})
	wantCode(t, err, pipeline.EINVALID)

	_, err = s.deals.ReopenDeal(s.ctx, s.outsider, d.ID)
	wantCode(t, err, pipeline.ENOTFOUND)
	open, err := s.deals.ReopenDeal(s.ctx, s.rep, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if open.Stage != pipeline.StageNegotiation || len(open.CloseReasons) != 0 {
		t.Errorf("reopened: stage %s, reasons %q; want negotiation and no reasons", open.Stage, open.CloseReasons)
	}
	_, err = s.deals.ReopenDeal(s.ctx, s.rep, d.ID)
	wantCode(t, err, pipeline.EINVALID)
}

// TestDealService_WalkAway: disqualifying logs the message as an outbound
// email, closes the deal with its reasons and its flag as disqualified, and
// records the time the deal took.
func TestDealService_WalkAway(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.lossDeal("Below cost")
	if _, status, _ := f.flagOf(d.ID); status != pipeline.FlagOpen {
		t.Fatalf("flag %s, want open", status)
	}
	minutes := 25
	if _, err := f.deals.LogTouch(f.ctx, f.rep, d.ID, pipeline.TouchInput{Kind: "call", Direction: "outbound",
		OccurredAt: testNow.Add(-time.Hour), Outcome: "connected", DurationMin: &minutes}); err != nil {
		t.Fatal(err)
	}
	_, err := f.deals.Disqualify(f.ctx, f.rep, d.ID, pipeline.WalkAwayInput{Reasons: []string{"margin too low"}})
	wantCode(t, err, pipeline.EINVALID) // no message
	got, err := f.deals.Disqualify(f.ctx, f.rep, d.ID, pipeline.WalkAwayInput{Reasons: []string{"margin too low"},
		Message: "We cannot go below cost; the door stays open."})
	if err != nil {
		t.Fatal(err)
	}
	if got.Stage != pipeline.StageDisqualified || !slices.Equal(got.CloseReasons, []string{"margin too low"}) {
		t.Errorf("walked away: stage %s, reasons %q", got.Stage, got.CloseReasons)
	}
	if _, status, _ := f.flagOf(d.ID); status != pipeline.FlagDisqualified {
		t.Errorf("flag %s, want disqualified", status)
	}
	var kind, direction, notes string
	var freed *int
	err = f.db.Pool.QueryRow(f.ctx, `SELECT t.kind, t.direction, t.notes, d.freed_minutes FROM touches t
		JOIN deals d ON d.org_id = t.org_id AND d.id = t.deal_id
		WHERE t.org_id = $1 AND t.deal_id = $2 ORDER BY t.occurred_at DESC, t.id DESC LIMIT 1`, f.orgID, d.ID).
		Scan(&kind, &direction, &notes, &freed)
	if err != nil {
		t.Fatal(err)
	}
	if kind != "email" || direction != "outbound" || notes != "We cannot go below cost; the door stays open." {
		t.Errorf("walk-away touch: %s %s %q", kind, direction, notes)
	}
	// The 25-minute call counts its minutes; the walk-away email is not effort spent.
	if freed == nil || *freed != 25 {
		t.Errorf("freed minutes %v, want 25", freed)
	}
}

// TestReviewService_Decide: each decision's bad input is refused whole,
// and a decided flag takes no second decision.
func TestReviewService_Decide(t *testing.T) {
	t.Parallel()
	s := newScopeFixture(t)
	review := postgres.NewReviewService(s.db, s.deals)
	keep, snooze, coach := s.lossDeal("Keep"), s.lossDeal("Snooze"), s.lossDeal("Coach")
	flag := func(d *pipeline.Deal) int64 { id, _, _ := s.flagOf(d.ID); return id }
	decide := func(a pipeline.Actor, in pipeline.DecisionInput) error { return review.Decide(s.ctx, a, in) }

	wantCode(t, decide(s.manager, pipeline.DecisionInput{FlagIDs: []int64{flag(keep)}, Decision: pipeline.DecisionKeep}), pipeline.EINVALID)
	yesterday := testNow.Add(-24 * time.Hour)
	wantCode(t, decide(s.manager, pipeline.DecisionInput{FlagIDs: []int64{flag(snooze)}, Decision: pipeline.DecisionSnooze, Until: &yesterday}), pipeline.EINVALID)
	wantCode(t, decide(s.rep, pipeline.DecisionInput{FlagIDs: []int64{flag(keep)}, Decision: pipeline.DecisionKeep, Note: "Mine"}), pipeline.ENOTFOUND)
	wantCode(t, decide(s.stranger, pipeline.DecisionInput{FlagIDs: []int64{flag(keep)}, Decision: pipeline.DecisionKeep, Note: "Not mine"}), pipeline.ENOTFOUND)
	// A set with one bad flag applies to none.
	err := decide(s.manager, pipeline.DecisionInput{FlagIDs: []int64{flag(keep), flag(coach) + 1_000_000}, Decision: pipeline.DecisionKeep, Note: "Worth it"})
	wantCode(t, err, pipeline.ENOTFOUND)
	if _, status, _ := s.flagOf(keep.ID); status != pipeline.FlagOpen {
		t.Fatalf("after a refused bulk decision the flag is %s, want open", status)
	}

	if err := decide(s.manager, pipeline.DecisionInput{FlagIDs: []int64{flag(keep)}, Decision: pipeline.DecisionKeep, Note: "Strategic logo"}); err != nil {
		t.Fatal(err)
	}
	week := testNow.Add(7 * 24 * time.Hour)
	if err := decide(s.manager, pipeline.DecisionInput{FlagIDs: []int64{flag(snooze)}, Decision: pipeline.DecisionSnooze, Until: &week}); err != nil {
		t.Fatal(err)
	}
	if err := decide(s.admin, pipeline.DecisionInput{FlagIDs: []int64{flag(coach)}, Decision: pipeline.DecisionCoach, Note: "Ask for the budget owner"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		d            *pipeline.Deal
		status, note string
	}{{keep, pipeline.FlagKept, "Strategic logo"}, {snooze, pipeline.FlagSnoozed, ""}, {coach, pipeline.FlagCoached, "Ask for the budget owner"}} {
		if _, status, note := s.flagOf(c.d.ID); status != c.status || note != c.note {
			t.Errorf("%s: flag %s %q, want %s %q", c.d.Title, status, note, c.status, c.note)
		}
	}
	notes, err := review.MyCoaching(s.ctx, s.rep)
	if err != nil || len(notes) != 1 || notes[0].Note != "Ask for the budget owner" {
		t.Errorf("the rep's coaching: %+v, %v", notes, err)
	}
	err = decide(s.manager, pipeline.DecisionInput{FlagIDs: []int64{flag(keep)}, Decision: pipeline.DecisionCoach, Note: "Again"})
	wantCode(t, err, pipeline.EINVALID)

	// The snooze ends on its date: the flag opens again while the deal is still flagged.
	if n, err := review.WakeSnoozed(s.ctx, week.Add(-time.Minute)); err != nil || n != 0 {
		t.Errorf("wake before the date: %d, %v", n, err)
	}
	if n, err := review.WakeSnoozed(s.ctx, week); err != nil || n != 1 {
		t.Errorf("wake on the date: %d, %v", n, err)
	}
	if _, status, _ := s.flagOf(snooze.ID); status != pipeline.FlagOpen {
		t.Errorf("snoozed flag after its date: %s, want open", status)
	}
}
