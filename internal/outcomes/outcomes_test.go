package outcomes

import (
	"math"
	"testing"
	"time"

	"goodmoney/internal/money"
	"goodmoney/internal/scoring"
)

func cents(n int64) *money.Cents { c := money.Cents(n); return &c }

func TestClassify(t *testing.T) {
	t.Parallel()
	rules := scoring.DefaultRules()
	for _, tc := range []struct {
		name     string
		stage    string
		cost     *money.Cents
		cameBack bool
		want     Class
	}{
		{"won at the floor", "won", cents(80), false, GoodMoney},
		{"won below the floor", "won", cents(81), false, ThinWin},
		{"won at a loss", "won", cents(120), false, ThinWin},
		{"won, cost unknown", "won", nil, false, GoodMoney},
		{"lost", "lost", cents(10), false, Lost},
		{"walked away", "disqualified", nil, false, Disqualified},
		{"walked away, came back", "disqualified", nil, true, CameBack},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Classify(scoring.Deal{Stage: tc.stage, Amount: 100, Cost: tc.cost}, tc.cameBack, rules)
			if got != tc.want {
				t.Errorf("Classify = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{100, 20, 60, 40}, 50}} {
		if got := Median(tc.xs); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.xs, got, tc.want)
		}
	}
}

func TestParseQuery(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		in     Values
		errKey string
		from   string
		to     string
		mode   Mode
	}{
		{"defaults", Values{}, "", "2025-12-01", "2026-11-30", Mode{DaysBefore: 14}},
		{"first flag", Values{DaysBefore: "first"}, "", "2025-12-01", "2026-11-30", Mode{AtFirstFlag: true}},
		{"a quarter", Values{From: "2026-07-01", To: "2026-09-30", DaysBefore: "30"}, "", "2026-07-01", "2026-09-30", Mode{DaysBefore: 30}},
		{"to alone moves the year", Values{To: "2026-06-30"}, "", "2025-07-01", "2026-06-30", Mode{DaysBefore: 14}},
		{"future end", Values{To: "2027-01-31"}, "to", "", "", Mode{}},
		{"future start", Values{From: "2027-01-01"}, "from", "", "", Mode{}},
		{"ten years", Values{From: "2016-01-01"}, "from", "", "", Mode{}},
		{"start after end", Values{From: "2026-10-01", To: "2026-09-01"}, "from", "", "", Mode{}},
		{"not a date", Values{From: "yesterday"}, "from", "", "", Mode{}},
		{"negative days", Values{DaysBefore: "-3"}, "days_before", "", "", Mode{}},
		{"too many days", Values{DaysBefore: "400"}, "days_before", "", "", Mode{}},
		{"words", Values{DaysBefore: "two weeks"}, "days_before", "", "", Mode{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, errs := ParseQuery(tc.in, now, time.UTC)
			if tc.errKey != "" {
				if errs[tc.errKey] == "" {
					t.Fatalf("errors %v, want one for %s", errs, tc.errKey)
				}
				return
			}
			if errs != nil {
				t.Fatalf("errors %v", errs)
			}
			v := q.Values()
			if v.From != tc.from || v.To != tc.to || q.Mode != tc.mode {
				t.Errorf("got %s–%s %+v, want %s–%s %+v", v.From, v.To, q.Mode, tc.from, tc.to, tc.mode)
			}
		})
	}
}

// TestSummarize_Degenerate: no deals, no flags, every deal flagged: the
// figures say they are undefined instead of dividing by zero.
func TestSummarize_Degenerate(t *testing.T) {
	t.Parallel()
	if s := Summarize(nil); s.Precise || s.Recalled || s.LeadDays != 0 || s.Deals != 0 {
		t.Errorf("no deals: %+v", s)
	}
	good := Row{Assessment: Assessment{Class: GoodMoney, Scored: true, Band: scoring.BandOK}}
	if s := Summarize([]Row{good}); s.Precise || s.Recalled {
		t.Errorf("nothing flagged, nothing bad: precision %v recall %v, want both undefined", s.Precise, s.Recalled)
	}
	flagged := Row{Assessment: Assessment{Class: GoodMoney, Scored: true, Band: scoring.BandNotGoodMoney}}
	if s := Summarize([]Row{flagged}); !s.Precise || s.Precision != 0 || s.Recalled {
		t.Errorf("one wrong flag: precision %v (%v), recall defined %v", s.Precision, s.Precise, s.Recalled)
	}
	young := Row{Assessment: Assessment{Class: Lost}}
	if s := Summarize([]Row{young}); s.Unscored != 1 || s.Scored != 0 || s.Recalled {
		t.Errorf("a deal younger than the cut counted: %+v", s)
	}
}

// TestAssess_FirstFlag: the deal is flagged at the touch that tips it,
// and the hours after the flag count only the touches after it.
func TestAssess_FirstFlag(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	closed := created.AddDate(0, 2, 0)
	d := Deal{Deal: scoring.Deal{ID: 1, Stage: "lost", Amount: 10_000_000, Cost: cents(5_000_000), Currency: "USD", CreatedAt: created},
		ClosedAt: closed}
	var touches []scoring.Touch
	for i := range 6 { // six unanswered quotes, a week apart, from the first week
		touches = append(touches, scoring.Touch{ID: int64(i + 1), Kind: "quote", Direction: "outbound",
			OccurredAt: created.AddDate(0, 0, 7*(i+1))})
	}
	a := Assess(d, touches, scoring.DefaultRules(), Mode{AtFirstFlag: true})
	if !a.Scored || a.Band != scoring.BandNotGoodMoney || a.FirstFlag.IsZero() {
		t.Fatalf("at the first flag: %+v, want flagged", a)
	}
	want := scoring.Evaluate(d.Deal, touches, scoring.DefaultRules(), a.FirstFlag)
	before := scoring.Evaluate(d.Deal, touches, scoring.DefaultRules(), a.FirstFlag.Add(-time.Second))
	if want.Band != scoring.BandNotGoodMoney || before.Band == scoring.BandNotGoodMoney {
		t.Errorf("first flag at %v is not the first moment in the band (at: %s, a second before: %s)", a.FirstFlag, want.Band, before.Band)
	}
	quote := scoring.TouchMinutes("quote", nil)
	after := 0
	for _, tc := range touches {
		if tc.OccurredAt.After(a.FirstFlag) {
			after += quote
		}
	}
	if a.MinutesAfterFlag != after || a.Minutes != 6*quote {
		t.Errorf("minutes %d after the flag %d, want %d and %d", a.Minutes, a.MinutesAfterFlag, 6*quote, after)
	}
	if a.Cut != a.FirstFlag {
		t.Errorf("cut %v, want the first flag %v", a.Cut, a.FirstFlag)
	}
}

func TestFunnel(t *testing.T) {
	t.Parallel()
	rows := []Row{{Stage: "won", Reached: "proposal"}, {Stage: "lost", Reached: "negotiation"}, {Stage: "lost", Reached: "qualified"}, {Stage: "disqualified", Reached: "lead"}}
	want := []int{4, 3, 2, 2, 1}
	for i, st := range Funnel(rows) {
		if st.Deals != want[i] {
			t.Errorf("%s: %d deals, want %d", st.Stage, st.Deals, want[i])
		}
	}
	if f := Funnel(nil); f[0].Conversion != 0 || f[1].Conversion != 0 {
		t.Errorf("empty funnel conversions %v", f)
	}
}

// TestHoursFreed: a walk-away counts the time it recorded; one from before
// that was recorded counts its touches before the close by the same rule
// (the walk-away message at the close is not effort spent on the deal);
// won and lost deals free nothing; empty months between stay on the axis.
func TestHoursFreed(t *testing.T) {
	t.Parallel()
	jan := time.Date(2026, 1, 20, 15, 0, 0, 0, time.UTC)
	mar := time.Date(2026, 3, 3, 15, 0, 0, 0, time.UTC)
	touches := []scoring.Touch{
		{Kind: "call", OccurredAt: mar.AddDate(0, 0, -20)},
		{Kind: "meeting", OccurredAt: mar.AddDate(0, 0, -10)},
		{Kind: "quote", OccurredAt: mar.AddDate(0, 0, -5)},
		{Kind: "email", Direction: "outbound", OccurredAt: mar}, // the walk-away message
	}
	legacy := Row{Stage: "disqualified", ClosedAt: mar,
		Assessment: Assess(Deal{Deal: scoring.Deal{Stage: "disqualified", Amount: 100_000, CreatedAt: jan}, ClosedAt: mar}, touches,
			scoring.DefaultRules(), Mode{DaysBefore: 14})}
	wantLegacy := scoring.TouchMinutes("call", nil) + scoring.TouchMinutes("meeting", nil) + scoring.TouchMinutes("quote", nil)
	if m, recorded := legacy.Freed(); m != wantLegacy || recorded {
		t.Fatalf("walk-away without a record freed %d (recorded %v), want %d estimated", m, recorded, wantLegacy)
	}
	ninety, hundred := 90, 100
	rows := []Row{
		{Stage: "disqualified", ClosedAt: jan, FreedMinutes: &ninety, Assessment: Assessment{Minutes: 999}},
		{Stage: "lost", ClosedAt: jan, FreedMinutes: &hundred, Assessment: Assessment{Minutes: 500}},
		{Stage: "won", ClosedAt: mar, Assessment: Assessment{Minutes: 700}},
		{Stage: "disqualified", ClosedAt: mar, FreedMinutes: &hundred, CameBack: true},
		legacy,
	}
	got := HoursFreed(rows, time.UTC)
	want := []Month{
		{Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), WalkAways: 1, Hours: 1.5},
		{Start: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)},
		{Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), WalkAways: 2, Hours: float64(100+wantLegacy) / 60, Estimated: 1},
	}
	same := len(got) == len(want)
	for i := 0; same && i < len(got); i++ {
		g, w := got[i], want[i]
		same = g.Start.Equal(w.Start) && g.WalkAways == w.WalkAways && g.Estimated == w.Estimated && math.Abs(g.Hours-w.Hours) < 1e-9
	}
	if !same {
		t.Errorf("hours freed\n got %+v\nwant %+v", got, want)
	}
	if got := HoursFreed(rows[1:3], time.UTC); got != nil {
		t.Errorf("no walk-aways freed %+v", got)
	}
}

// TestAssess_LaterTouchesLeftOut: Assess passes Evaluate only the touches
// up to the moment it scores at. It must score as Evaluate does with all
// of them, and find the first flag a replay with all of them finds.
func TestAssess_LaterTouchesLeftOut(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	closed := created.AddDate(0, 3, 0)
	d := Deal{Deal: scoring.Deal{ID: 1, Stage: "lost", Amount: 10_000_000, Cost: cents(5_000_000), Currency: "USD", CreatedAt: created},
		ClosedAt: closed}
	var touches []scoring.Touch
	for i := range 12 { // unanswered quotes and calls a week apart, each pair at one moment, the last after the cut
		at := created.AddDate(0, 0, 7*(i+1))
		touches = append(touches, scoring.Touch{ID: int64(2*i + 1), Kind: "quote", Direction: "outbound", OccurredAt: at},
			scoring.Touch{ID: int64(2*i + 2), Kind: "call", Direction: "outbound", Outcome: "no_answer", OccurredAt: at})
	}
	rules := scoring.DefaultRules()
	for _, mode := range []Mode{{DaysBefore: 14}, {DaysBefore: 0}, {AtFirstFlag: true}} {
		a := Assess(d, touches, rules, mode)
		if sc := scoring.Evaluate(d.Deal, touches, rules, a.Cut); a.Points != sc.Points || a.Band != sc.Band {
			t.Errorf("%+v: %d points (%s), Evaluate with every touch gives %d (%s)", mode, a.Points, a.Band, sc.Points, sc.Band)
		}
		var first time.Time
		for _, at := range append([]time.Time{created}, touchTimes(touches)...) {
			if sc := scoring.Evaluate(d.Deal, touches, rules, at); sc.Band == scoring.BandNotGoodMoney {
				first = at
				break
			}
		}
		if first.IsZero() || !a.FirstFlag.Equal(first) {
			t.Errorf("%+v: first flag %v, a replay with every touch finds %v", mode, a.FirstFlag, first)
		}
	}
}

func touchTimes(touches []scoring.Touch) []time.Time {
	at := make([]time.Time, len(touches))
	for i := range touches {
		at[i] = touches[i].OccurredAt
	}
	return at
}

// TestAnalyzeWinLoss_StageDaysAndCameBack: a stage's median is over the
// deals that spent time in it, not the ones that never got there; a
// walk-away that came back and was won since still counts as a walk-away.
func TestAnalyzeWinLoss_StageDaysAndCameBack(t *testing.T) {
	t.Parallel()
	lost := func(negotiation float64) Row {
		return Row{Stage: "lost", StageDays: [4]float64{3, 0, 5, negotiation}, Assessment: Assessment{Class: Lost}}
	}
	rows := []Row{lost(0), lost(0), lost(4),
		{Stage: "won", CameBack: true, Assessment: Assessment{Class: GoodMoney}},
		{Stage: "disqualified", Assessment: Assessment{Class: Disqualified}}}
	w := AnalyzeWinLoss(rows)
	if w.LostStageDays[3] != 4 || w.LostStageDeals[3] != 1 || w.LostStageDeals[1] != 0 || w.LostStageDeals[0] != 3 {
		t.Errorf("lost deals' negotiation median %v over %d (qualified over %d, lead over %d); want 4 over 1, 0, 3",
			w.LostStageDays[3], w.LostStageDeals[3], w.LostStageDeals[1], w.LostStageDeals[0])
	}
	if w.WalkAways != 2 || w.CameBackDeals != 1 || w.CameBackRate() != 0.5 {
		t.Errorf("walk-aways %d, came back %d (rate %v); want 2, 1, 0.5", w.WalkAways, w.CameBackDeals, w.CameBackRate())
	}
}
