package outcomes

import (
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
	after := 0
	for _, tc := range touches {
		if tc.OccurredAt.After(a.FirstFlag) {
			after += TouchMinutes["quote"]
		}
	}
	if a.MinutesAfterFlag != after || a.Minutes != 6*TouchMinutes["quote"] {
		t.Errorf("minutes %d after the flag %d, want %d and %d", a.Minutes, a.MinutesAfterFlag, 6*TouchMinutes["quote"], after)
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
