package postgres_test

import (
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"goodmoney/internal/outcomes"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
	"goodmoney/internal/scoring"
)

// history is a constructed past: closed deals inserted with the dates,
// numbers and touches the test names, so every figure can be worked out
// by hand.
type history struct {
	*fixture
	closedAt time.Time
}

// closed inserts a closed deal created daysOld days before h.closedAt.
// A cost above the amount is a loss, which flags a deal on its own (45
// points); half the amount is a healthy margin. Amounts are large so that
// a few touches never look like too much effort.
func (h *history) closed(title, stage string, daysOld int, loss, cameBack bool) int64 {
	h.t.Helper()
	cost := int64(5_000_000)
	if loss {
		cost = 12_000_000
	}
	var cameBackAt *time.Time
	if cameBack {
		at := h.closedAt.Add(time.Hour)
		cameBackAt = &at
	}
	var id int64
	err := h.db.Pool.QueryRow(h.ctx, `INSERT INTO deals (org_id, prospect_id, owner_id, title, stage, amount, cost,
			created_at, stage_changed_at, came_back_at, close_reasons)
		VALUES ($1, $2, $3, $4, $5, 10000000, $6, $7, $8, $9, '{testing}') RETURNING id`,
		h.orgID, h.prospectID, h.rep.UserID, title, stage, cost, h.closedAt.AddDate(0, 0, -daysOld), h.closedAt, cameBackAt).Scan(&id)
	if err != nil {
		h.t.Fatalf("insert %s: %v", title, err)
	}
	return id
}

// touchAt inserts a touch on deal at a moment.
func (h *history) touchAt(dealID int64, kind string, at time.Time) {
	h.t.Helper()
	_, err := h.db.Pool.Exec(h.ctx, `INSERT INTO touches (org_id, deal_id, prospect_id, rep_id, kind, direction, occurred_at)
		VALUES ($1, $2, $3, $4, $5, 'outbound', $6)`, h.orgID, dealID, h.prospectID, h.rep.UserID, kind, at)
	if err != nil {
		h.t.Fatalf("insert touch: %v", err)
	}
}

func newHistory(t *testing.T) *history {
	return &history{fixture: newFixture(t), closedAt: testNow.AddDate(0, 0, -10)}
}

func (h *history) report(days string) ([]outcomes.Row, outcomes.Summary) {
	h.t.Helper()
	q, errs := outcomes.ParseQuery(outcomes.Values{DaysBefore: days}, testNow, time.UTC)
	if errs != nil {
		h.t.Fatalf("query: %v", errs)
	}
	rep, err := postgres.NewOutcomeService(h.db, h.scores).Outcomes(h.ctx, h.admin, q)
	if err != nil {
		h.t.Fatal(err)
	}
	return rep.Rows, outcomes.Summarize(rep.Rows)
}

// TestOutcomes_ConstructedHistory checks the confusion table, precision,
// recall, lead time and costs against figures worked out by hand.
func TestOutcomes_ConstructedHistory(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	thin := h.closed("thin win, flagged", "won", 100, true, false)         // caught
	lost := h.closed("lost, flagged", "lost", 60, true, false)             // caught
	h.closed("good money", "won", 50, false, false)                        // right to stay quiet
	h.closed("lost, missed", "lost", 50, false, false)                     // missed
	fixed := h.closed("good money, flagged then", "won", 40, false, false) // wrong
	h.closed("came back, flagged", "disqualified", 20, true, true)         // caught
	h.closed("walked away, missed", "disqualified", 30, false, false)      // missed
	h.closed("too young", "lost", 5, true, false)                          // created after the cut: not scored

	// Outside the figures: an open deal and a deal closed before the period.
	h.deal(pipeline.DealInput{Title: "still open", Amount: 10000000, Cost: usd(120000)})
	old := h.closedAt
	h.closedAt = testNow.AddDate(-2, 0, 0)
	h.closed("closed long ago", "lost", 30, true, false)
	h.closedAt = old

	// The good-money deal was a loss 14 days before its close; its cost was
	// corrected five days before the close, as the audit trail shows.
	if _, err := h.db.Pool.Exec(h.ctx, `INSERT INTO audit_events (org_id, action, entity, entity_id, before, after, at)
		VALUES ($1, 'update', 'deal', $2, '{"amount": 10000000, "cost": 12000000}', '{"amount": 10000000, "cost": 5000000}', $3)`,
		h.orgID, fixed, h.closedAt.AddDate(0, 0, -5)); err != nil {
		t.Fatal(err)
	}
	// Two calls after the lost deal was flagged (at its creation) and one
	// after the thin win was: 30 minutes (10 a call without a logged
	// duration, scoring.TouchMinutes) that ignoring the flag cost, since a
	// thin win is not good money either.
	h.touchAt(lost, "call", h.closedAt.AddDate(0, 0, -30))
	h.touchAt(lost, "call", h.closedAt.AddDate(0, 0, -20))
	h.touchAt(thin, "call", h.closedAt.AddDate(0, 0, -90))

	rows, s := h.report("")
	if s.Deals != 8 || s.Unscored != 1 || s.Scored != 7 {
		t.Fatalf("deals %d, unscored %d, scored %d; want 8, 1, 7", s.Deals, s.Unscored, s.Scored)
	}
	ok, ngm := outcomes.BandIndex(scoring.BandOK), outcomes.BandIndex(scoring.BandNotGoodMoney)
	want := map[[2]int]int{
		{ngm, outcomes.ClassIndex(outcomes.ThinWin)}:     1,
		{ngm, outcomes.ClassIndex(outcomes.Lost)}:        1,
		{ngm, outcomes.ClassIndex(outcomes.GoodMoney)}:   1,
		{ngm, outcomes.ClassIndex(outcomes.CameBack)}:    1,
		{ok, outcomes.ClassIndex(outcomes.GoodMoney)}:    1,
		{ok, outcomes.ClassIndex(outcomes.Lost)}:         1,
		{ok, outcomes.ClassIndex(outcomes.Disqualified)}: 1,
	}
	for b := range outcomes.Bands {
		for c := range outcomes.Classes {
			if got := s.Table[b][c].Deals; got != want[[2]int{b, c}] {
				t.Errorf("table[%s][%s] = %d, want %d", outcomes.Bands[b], outcomes.Classes[c], got, want[[2]int{b, c}])
			}
		}
	}
	// Flagged 4, of which 3 ended badly; 5 ended badly, of which 3 flagged.
	if !s.Precise || s.Precision != 0.75 || !s.Recalled || s.Recall != 0.6 {
		t.Errorf("precision %v (%v), recall %v (%v); want 0.75 and 0.6", s.Precision, s.Precise, s.Recall, s.Recalled)
	}
	// Flagged at creation, 100, 60, 40 and 20 days before close: median 50.
	if s.LeadDeals != 4 || s.LeadDays != 50 {
		t.Errorf("lead time %v days over %d deals, want 50 over 4", s.LeadDays, s.LeadDeals)
	}
	if s.HoursIgnored != 0.5 {
		t.Errorf("hours after the flag on bad deals %v, want 0.5", s.HoursIgnored)
	}
	if s.WonFlagged.Deals != 2 || s.WonFlagged.Money != 20_000_000 || s.GoodFlagged.Deals != 1 {
		t.Errorf("won on flagged deals %+v (good money %+v), want 2 deals of 100,000 each, one good money", s.WonFlagged, s.GoodFlagged)
	}
	for _, r := range rows {
		if r.DealID == fixed && (r.Band != scoring.BandNotGoodMoney || r.Class != outcomes.GoodMoney) {
			t.Errorf("corrected deal: band %s class %s, want not_good_money (its numbers at the cut) and good_money (its final ones)", r.Band, r.Class)
		}
		if r.DealID == thin && !r.FirstFlag.Equal(r.CreatedAt) {
			t.Errorf("thin win first flagged %v, want at its creation %v", r.FirstFlag, r.CreatedAt)
		}
	}
}

// TestOutcomes_AsOfCut: touches logged after the cut never reach the
// back-test's score. The same deal scored at its close has points from them.
func TestOutcomes_AsOfCut(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	id := h.closed("chased after the cut", "lost", 60, false, false)
	// Seven quotes in the last two weeks, none answered.
	for i := range 7 {
		h.touchAt(id, "quote", h.closedAt.AddDate(0, 0, -13+2*i))
	}
	rows, s := h.report("14")
	if len(rows) != 1 || !rows[0].Scored || rows[0].Band != scoring.BandOK || rows[0].Points != 0 || len(rows[0].Signals) != 0 {
		t.Fatalf("as of 14 days before: %+v, want ok with no points", rows)
	}
	if s.Flagged != 0 || s.Precise {
		t.Errorf("flagged %d deals, want none (and no precision to show)", s.Flagged)
	}
	rows, _ = h.report("0")
	if len(rows) != 1 || rows[0].Points == 0 {
		t.Fatalf("as of the close: %+v, want points from the quotes", rows)
	}
}

// TestOutcomes_ReopenedThenClosed: a deal walked away from, come back,
// reopened and closed again counts by its last close only (its stage, its
// reasons, and no freed time from the walk-away that was undone), while a
// walk-away that stands counts the time it recorded. The reopened deal
// carries no close reasons while it is open.
func TestOutcomes_ReopenedThenClosed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	twenty := 20
	walkAway := func(d *pipeline.Deal, reason string) *pipeline.Deal {
		t.Helper()
		f.touch(d.ID, pipeline.TouchInput{Kind: "call", Direction: "outbound", OccurredAt: testNow.AddDate(0, 0, -20), DurationMin: &twenty})
		f.touch(d.ID, quote(10, 20000))
		walked, err := f.deals.Disqualify(f.ctx, f.rep, d.ID, pipeline.WalkAwayInput{Reasons: []string{reason}, Message: "Thank you; another time."})
		if err != nil {
			t.Fatalf("walk away from %s: %v", d.Title, err)
		}
		return walked
	}
	back := walkAway(f.deal(pipeline.DealInput{Title: "Came back", Amount: 2_000_000, Cost: usd(5000)}), "No budget this year")
	stays := walkAway(f.deal(pipeline.DealInput{Title: "Stays away", Amount: 2_000_000, Cost: usd(5000)}), "Could only be won at a loss")
	f.touch(back.ID, reply(0, "We found the budget after all."))
	reopened, err := f.deals.ReopenDeal(f.ctx, f.rep, back.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reopened.IsOpen() || len(reopened.CloseReasons) != 0 {
		t.Fatalf("reopened deal: stage %s, close reasons %q, want open without reasons", reopened.Stage, reopened.CloseReasons)
	}
	var note string
	var freed *int
	if err := f.db.Pool.QueryRow(f.ctx, `SELECT close_note, freed_minutes FROM deals WHERE id = $1 AND org_id = $2`,
		back.ID, f.orgID).Scan(&note, &freed); err != nil {
		t.Fatal(err)
	}
	if note != "" || freed != nil {
		t.Errorf("reopened deal keeps close note %q and freed minutes %v", note, freed)
	}
	if _, err := f.deals.CloseDeal(f.ctx, f.rep, back.ID, pipeline.CloseInput{Outcome: pipeline.OutcomeWon, Reasons: []string{"Budget approved"}}); err != nil {
		t.Fatal(err)
	}

	q, errs := outcomes.ParseQuery(outcomes.Values{DaysBefore: "0"}, testNow, time.UTC)
	if errs != nil {
		t.Fatalf("query: %v", errs)
	}
	rep, err := postgres.NewOutcomeService(f.db, f.scores).Outcomes(f.ctx, f.admin, q)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[int64]outcomes.Row{}
	for _, r := range rep.Rows {
		rows[r.DealID] = r
	}
	if len(rows) != 2 {
		t.Fatalf("%d closed deals in the report, want 2: %+v", len(rows), rep.Rows)
	}
	won := rows[back.ID]
	if won.Stage != pipeline.StageWon || !won.Class.Won() || !won.CameBack || !slices.Equal(won.Reasons, []string{"Budget approved"}) || won.FreedMinutes != nil {
		t.Errorf("came back, then won: stage %s class %s came back %v reasons %q freed %v; want won with its last reasons only",
			won.Stage, won.Class, won.CameBack, won.Reasons, won.FreedMinutes)
	}
	if m, _ := won.Freed(); m != 0 {
		t.Errorf("the won deal freed %d minutes", m)
	}
	wantFreed := twenty + scoring.TouchMinutes("quote", nil)
	gone := rows[stays.ID]
	if m, recorded := gone.Freed(); m != wantFreed || !recorded || !slices.Equal(gone.Reasons, []string{"Could only be won at a loss"}) {
		t.Errorf("walk-away that stands: freed %d (recorded %v), reasons %q; want %d recorded", m, recorded, gone.Reasons, wantFreed)
	}
	reasons := map[string]outcomes.Tally{}
	for _, g := range outcomes.AnalyzeWinLoss(rep.Rows).Reasons {
		reasons[g.Name] = g.Tally
	}
	if len(reasons) != 2 || reasons["Budget approved"].Won.Deals != 1 || reasons["Could only be won at a loss"].WalkedAway.Deals != 1 {
		t.Errorf("win/loss reasons %+v, want the won deal's last reason and the walk-away's", reasons)
	}
	months := outcomes.HoursFreed(rep.Rows, time.UTC)
	if len(months) != 1 || months[0].WalkAways != 1 || months[0].Estimated != 0 || months[0].Hours != float64(wantFreed)/60 {
		t.Errorf("hours freed %+v, want one walk-away of %d recorded minutes", months, wantFreed)
	}
}

// stageChange inserts a stage change of deal at a moment.
func (h *history) stageChange(dealID int64, to string, at time.Time) {
	h.t.Helper()
	_, err := h.db.Pool.Exec(h.ctx, `INSERT INTO deal_stage_changes (org_id, deal_id, to_stage, at) VALUES ($1, $2, $3, $4)`,
		h.orgID, dealID, to, at)
	if err != nil {
		h.t.Fatalf("insert stage change: %v", err)
	}
}

// TestOutcomes_Loader: the back-test merges the streams of deals, touches,
// edits and stage walks deal by deal. With chunks of two deals, deals
// without touches between deals with them, and an edit and walks on deals
// in different chunks, every row must get its own deal's inputs.
func TestOutcomes_Loader(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	h.scores.BatchSize = 2
	var ids []int64
	calls := map[int64]int{}
	for i := range 7 {
		id := h.closed("deal "+strconv.Itoa(i), "lost", 60, false, false)
		ids = append(ids, id)
		if i%3 != 1 { // deals 1 and 4 have no touches
			for c := range i + 1 {
				h.touchAt(id, "call", h.closedAt.AddDate(0, 0, -50+c))
			}
			calls[id] = i + 1
		}
	}
	// Deal 5 was a loss 14 days before its close (corrected five days
	// before it); deal 2 went lead → qualified → proposal → lost.
	if _, err := h.db.Pool.Exec(h.ctx, `INSERT INTO audit_events (org_id, action, entity, entity_id, before, after, at)
		VALUES ($1, 'update', 'deal', $2, '{"cost": 12000000}', '{"cost": 5000000}', $3)`,
		h.orgID, ids[5], h.closedAt.AddDate(0, 0, -5)); err != nil {
		t.Fatal(err)
	}
	created := h.closedAt.AddDate(0, 0, -60)
	h.stageChange(ids[2], "qualified", created.AddDate(0, 0, 10))
	h.stageChange(ids[2], "proposal", created.AddDate(0, 0, 30))
	h.stageChange(ids[2], "lost", h.closedAt)
	// Deal 6 went to proposal and on to negotiation in one moment: the
	// later change is stored first, under a higher id, so only the ids
	// tell the order.
	h.stageChange(ids[6], "qualified", created.AddDate(0, 0, 10))
	for _, c := range []struct {
		id int64
		to string
	}{{1_000_002, "negotiation"}, {1_000_001, "proposal"}} {
		if _, err := h.db.Pool.Exec(h.ctx, `INSERT INTO deal_stage_changes (id, org_id, deal_id, to_stage, at)
			OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5)`, c.id, h.orgID, ids[6], c.to, created.AddDate(0, 0, 30)); err != nil {
			t.Fatal(err)
		}
	}
	h.stageChange(ids[6], "lost", h.closedAt)

	rows, _ := h.report("")
	if len(rows) != len(ids) {
		t.Fatalf("%d rows, want %d", len(rows), len(ids))
	}
	for i, r := range rows {
		if r.DealID != ids[i] {
			t.Fatalf("row %d is deal %d, want %d (deal order)", i, r.DealID, ids[i])
		}
		if want := calls[r.DealID] * scoring.TouchMinutes("call", nil); r.Minutes != want {
			t.Errorf("deal %d: %d minutes, want %d (its own calls)", i, r.Minutes, want)
		}
		flagged := i == 5 // a loss at the cut
		if r.Flagged() != flagged {
			t.Errorf("deal %d: flagged %v, want %v", i, r.Flagged(), flagged)
		}
		reached, days := "lead", [4]float64{}
		switch i {
		case 2:
			reached, days = "proposal", [4]float64{0, 20, 30, 0} // its first stage is not recorded
		case 6:
			reached, days = "negotiation", [4]float64{0, 20, 0, 30}
		}
		if r.Reached != reached || r.StageDays != days {
			t.Errorf("deal %d: reached %s after %v days, want %s after %v", i, r.Reached, r.StageDays, reached, days)
		}
	}
}

// TestOutcomes_Background: a run over BackgroundFrom closed deals or more
// goes on in the background while the report says how far it is; the
// next view after it shows the result it kept, the same rows a run in
// the request gives.
func TestOutcomes_Background(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	for i := range 5 {
		id := h.closed("deal "+strconv.Itoa(i), "lost", 60, i%2 == 0, false)
		h.touchAt(id, "call", h.closedAt.AddDate(0, 0, -30))
	}
	q, errs := outcomes.ParseQuery(outcomes.Values{}, testNow, time.UTC)
	if errs != nil {
		t.Fatalf("query: %v", errs)
	}
	svc := postgres.NewOutcomeService(h.db, h.scores)
	svc.BackgroundFrom = 5
	rep, err := svc.Outcomes(h.ctx, h.admin, q)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Progress == nil || rep.Progress.Total != 5 || rep.Progress.Done > 5 || rep.Rows != nil {
		t.Fatalf("first view: progress %+v, %d rows; want the progress of a run over 5 deals and no rows yet", rep.Progress, len(rep.Rows))
	}
	svc.WaitBackground()
	rep, err = svc.Outcomes(h.ctx, h.admin, q)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := h.report("")
	if rep.Progress != nil || !reflect.DeepEqual(rep.Rows, want) {
		t.Fatalf("after the run: progress %+v, rows %+v; want no progress and %+v", rep.Progress, rep.Rows, want)
	}
}

// TestOutcomes_BackgroundFailure: a background run that fails is reported
// by the next view of the report (not a progress page that never ends),
// and the view after that tries again.
func TestOutcomes_BackgroundFailure(t *testing.T) {
	t.Parallel()
	h := newHistory(t)
	for i := range 3 {
		id := h.closed("deal "+strconv.Itoa(i), "lost", 60, false, false)
		h.touchAt(id, "call", h.closedAt.AddDate(0, 0, -30))
	}
	q, errs := outcomes.ParseQuery(outcomes.Values{}, testNow, time.UTC)
	if errs != nil {
		t.Fatalf("query: %v", errs)
	}
	svc := postgres.NewOutcomeService(h.db, h.scores)
	svc.BackgroundFrom = 1
	// The run reads the touches; the view's own check does not.
	if _, err := h.db.Pool.Exec(h.ctx, `ALTER TABLE touches RENAME TO touches_away`); err != nil {
		t.Fatal(err)
	}
	rep, err := svc.Outcomes(h.ctx, h.admin, q)
	if err != nil || rep.Progress == nil {
		t.Fatalf("first view: %+v, %v; want the progress of a run", rep, err)
	}
	svc.WaitBackground()
	if _, err := h.db.Pool.Exec(h.ctx, `ALTER TABLE touches_away RENAME TO touches`); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Outcomes(h.ctx, h.admin, q); err == nil {
		t.Fatal("the view after a failed run: no error")
	}
	if rep, err = svc.Outcomes(h.ctx, h.admin, q); err != nil || rep.Progress == nil {
		t.Fatalf("the view after that: %+v, %v; want a new run's progress", rep, err)
	}
	svc.WaitBackground()
	if rep, err = svc.Outcomes(h.ctx, h.admin, q); err != nil || rep.Progress != nil || len(rep.Rows) != 3 {
		t.Fatalf("after the new run: %+v, %v; want its 3 rows", rep, err)
	}
}
