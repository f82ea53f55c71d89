package scoring_test

import (
	"slices"
	"testing"
	"time"

	"goodmoney/internal/scoring"
)

// realisticDeal is a $24,000 deal at a 15 % margin, 20 % off list.
func realisticDeal() scoring.Deal {
	d := deal18k()
	d.Amount = 2_400_000
	d.Cost, d.ListPrice = usd(20_400), usd(30_000)
	return d
}

// realisticTouches is about six weeks of selling, 42 touches: a week of
// emails and calls a day with replies that get shorter and later, four
// quotes at the same price, a missed meeting, and a last stretch of chasing.
func realisticTouches() []scoring.Touch {
	var ts []scoring.Touch
	id := int64(0)
	add := func(t scoring.Touch) {
		id++
		t.ID = id
		ts = append(ts, t)
	}
	for d := range 30 {
		at := day(float64(d))
		switch d % 5 {
		case 0:
			add(touch(0, "email", "outbound", at))
			add(reply(0, at.Add(9*time.Hour+30*time.Minute), 2+d%3))
		case 1:
			add(withOutcome(touch(0, "call", "outbound", at), "left_voicemail"))
			add(touch(0, "call", "inbound", at.Add(8*time.Hour)))
		case 2:
			add(quote(0, at, 24_000))
		case 3:
			add(touch(0, "note", "outbound", at))
			add(touch(0, "text", "outbound", at.Add(time.Hour)))
		case 4:
			outcome := "held"
			if d == 9 || d == 24 {
				outcome = "no_show"
			}
			add(meeting(0, at, outcome))
		}
	}
	for d := 31; d < 36; d++ {
		add(email(0, day(float64(d))))
	}
	return ts
}

func BenchmarkEvaluate(b *testing.B) {
	d, ts, r := realisticDeal(), realisticTouches(), scoring.DefaultRules()
	var err error
	if r.Location, err = time.LoadLocation("America/New_York"); err != nil {
		b.Fatal(err)
	}
	b.Run("sorted", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			scoring.Evaluate(d, ts, r, day(42))
		}
	})
	b.Run("reversed", func(b *testing.B) {
		rev := slices.Clone(ts)
		slices.Reverse(rev)
		b.ReportAllocs()
		for b.Loop() {
			scoring.Evaluate(d, rev, r, day(42))
		}
	})
}

func TestRealisticDeal(t *testing.T) {
	s := scoring.Evaluate(realisticDeal(), realisticTouches(), scoring.DefaultRules(), day(42))
	if len(realisticTouches()) < 40 {
		t.Fatalf("only %d touches", len(realisticTouches()))
	}
	for _, sig := range s.Signals {
		t.Logf("%-16s %5.1f  %s  %v", sig.Code, sig.Points, sig.Evidence, sig.TouchIDs)
	}
	t.Logf("points %d band %s hints %v", s.Points, s.Band, s.Hints)
	if s.Band != scoring.BandNotGoodMoney {
		t.Errorf("band = %s, want not_good_money", s.Band)
	}
}
