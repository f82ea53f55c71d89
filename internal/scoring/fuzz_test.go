package scoring_test

import (
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // the fuzz target needs America/New_York on any machine

	"goodmoney/internal/money"
	"goodmoney/internal/scoring"
)

var (
	fuzzKinds    = []string{"call", "email", "text", "voicemail", "meeting", "quote", "note"}
	fuzzOutcomes = []string{"", "connected", "no_answer", "left_voicemail", "replied", "no_show", "rescheduled", "declined", "held"}
	// unanswered outcomes for the appended chase: none of them is a response.
	fuzzChaseOutcomes = []string{"", "no_answer", "left_voicemail", "no_show", "rescheduled", "declined"}
)

// fuzzTouches decodes five bytes per touch: kind, direction and outcome,
// two bytes of minutes after day0 (about 45 days), and a byte for the quote
// amount or word count. IDs are unique so that the order is total.
func fuzzTouches(data []byte) []scoring.Touch {
	var ts []scoring.Touch
	for i := 0; i+5 <= len(data) && len(ts) < 200; i += 5 {
		b := data[i : i+5]
		t := scoring.Touch{
			ID:         int64(len(ts) + 1),
			Kind:       fuzzKinds[int(b[0])%len(fuzzKinds)],
			Direction:  "outbound",
			OccurredAt: day0.Add(time.Duration(uint16(b[2])<<8|uint16(b[3])) * time.Minute),
			Outcome:    fuzzOutcomes[int(b[1]>>1)%len(fuzzOutcomes)],
		}
		if b[1]&1 == 1 {
			t.Direction = "inbound"
		}
		switch {
		case t.Kind == "quote" && b[4]&1 == 1:
			c := money.Cents(b[4]>>1) * 100_000
			t.QuoteAmount = &c
		case t.Direction == "inbound" && (t.Kind == "email" || t.Kind == "text") && b[4]&1 == 1:
			t.WordCount = words(int(b[4] >> 1))
		}
		ts = append(ts, t)
	}
	return ts
}

func severityOf(s scoring.Score, code string) float64 {
	sig, _ := findSignal(s, code)
	return sig.Severity
}

// FuzzEvaluate checks that Evaluate never panics, that points and band agree,
// that signals are well formed, and that one more unanswered chase, later
// than every other touch, never lowers the unresponsive severity.
func FuzzEvaluate(f *testing.F) {
	f.Add(uint32(1_800_000), uint32(1_620_000), uint32(2_000_000), byte(3), uint16(300), byte(1), []byte{
		1, 1, 0, 0, 40, 5, 0, 34, 0, 0, 5, 0, 35, 0, 0, 5, 0, 36, 0, 0, 4, 10, 40, 0, 0,
	})
	f.Add(uint32(0), uint32(0), uint32(0), byte(4), uint16(0), byte(0), []byte{})
	f.Add(uint32(100_000), uint32(200_000), uint32(50_000), byte(0xff), uint16(1000), byte(200), []byte{
		1, 3, 0, 1, 3, 2, 3, 0, 200, 5, 2, 3, 1, 0, 9, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	})
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, amount, cost, list uint32, flags byte, asOfHours uint16, extra byte, data []byte) {
		d := scoring.Deal{ID: 1, Amount: money.Cents(amount), Currency: "USD", CreatedAt: day0}
		if flags&1 != 0 {
			c := money.Cents(cost)
			d.Cost = &c
		}
		if flags&2 != 0 {
			l := money.Cents(list)
			d.ListPrice = &l
		}
		d.FuturePromise = flags&4 != 0
		r := scoring.DefaultRules()
		if flags&8 != 0 {
			r.Location = ny
		}
		if flags&16 != 0 {
			r.EffortP90 = float64(flags>>5) / 2
		}
		touches := fuzzTouches(data)
		asOf := day0.Add(time.Duration(asOfHours%2000) * time.Hour)

		s := scoring.Evaluate(d, touches, r, asOf)
		checkScore(t, s, r, touches, asOf)

		// One more unanswered chase after every other touch.
		latest := day0
		for _, tc := range touches {
			if tc.OccurredAt.After(latest) {
				latest = tc.OccurredAt
			}
		}
		chase := scoring.Touch{
			ID:         int64(len(touches) + 1),
			Kind:       fuzzKinds[int(extra)%6],
			Direction:  "outbound",
			OccurredAt: latest.Add(time.Duration(extra)*37*time.Minute + time.Second),
			Outcome:    fuzzChaseOutcomes[int(extra>>3)%len(fuzzChaseOutcomes)],
		}
		more := append(slices.Clone(touches), chase)
		s2 := scoring.Evaluate(d, more, r, asOf)
		checkScore(t, s2, r, more, asOf)
		if before, after := severityOf(s, scoring.CodeUnresponsive), severityOf(s2, scoring.CodeUnresponsive); after < before {
			t.Fatalf("adding chase %+v lowered unresponsive from %v to %v", chase, before, after)
		}
	})
}

func checkScore(t *testing.T, s scoring.Score, r scoring.Rules, touches []scoring.Touch, asOf time.Time) {
	t.Helper()
	if s.Points < 0 || s.Points > 100 {
		t.Fatalf("points %d out of range", s.Points)
	}
	want := scoring.BandOK
	switch {
	case float64(s.Points) >= r.FlagFrom:
		want = scoring.BandNotGoodMoney
	case float64(s.Points) >= r.WatchFrom:
		want = scoring.BandWatch
	}
	if s.Band != want {
		t.Fatalf("band %s with %d points, want %s", s.Band, s.Points, want)
	}
	if _, ok := findSignal(s, scoring.CodeTriad); ok && s.Band != scoring.BandNotGoodMoney {
		t.Fatalf("triad fired but band is %s", s.Band)
	}
	visible := map[int64]bool{}
	for _, tc := range touches {
		if !tc.OccurredAt.After(asOf) {
			visible[tc.ID] = true
		}
	}
	sum := 0.0
	for i, sig := range s.Signals {
		if i > 0 && sig.Points > s.Signals[i-1].Points {
			t.Fatalf("signals not sorted by points: %+v", s.Signals)
		}
		if sig.Code != scoring.CodeTriad && (!(sig.Points > 0) || !(sig.Severity > 0) || sig.Severity > 1.5) {
			t.Fatalf("bad signal %+v", sig)
		}
		if sig.Evidence == "" || sig.Label == "" {
			t.Fatalf("signal without evidence or label: %+v", sig)
		}
		for _, id := range sig.TouchIDs {
			if !visible[id] {
				t.Fatalf("signal %s cites touch %d, not visible at asOf", sig.Code, id)
			}
		}
		sum += sig.Points
	}
	if got := min(100, int(sum+0.5)); got != s.Points {
		t.Fatalf("points %d, signals sum to %v", s.Points, sum)
	}
}
