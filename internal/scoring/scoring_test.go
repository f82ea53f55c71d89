package scoring_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"goodmoney/internal/money"
	"goodmoney/internal/scoring"
)

// day0 is Thursday 1 Oct 2026, 10:00 UTC. Tests place touches in days from it.
var day0 = time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)

func day(n float64) time.Time { return day0.Add(time.Duration(n * float64(24*time.Hour))) }

func usd(units int64) *money.Cents { c := money.Cents(units * 100); return &c }

func words(n int) *int { return &n }

// deal18k is an $18,000 deal with nothing else entered.
func deal18k() scoring.Deal {
	return scoring.Deal{ID: 1, Stage: "proposal", Amount: 1_800_000, Currency: "USD", CreatedAt: day0}
}

func touch(id int64, kind, dir string, at time.Time) scoring.Touch {
	return scoring.Touch{ID: id, Kind: kind, Direction: dir, OccurredAt: at}
}

func withOutcome(t scoring.Touch, outcome string) scoring.Touch { t.Outcome = outcome; return t }

func quote(id int64, at time.Time, units int64) scoring.Touch {
	t := touch(id, "quote", "outbound", at)
	if units > 0 {
		t.QuoteAmount = usd(units)
	}
	return t
}

func reply(id int64, at time.Time, n int) scoring.Touch {
	t := touch(id, "email", "inbound", at)
	t.WordCount = words(n)
	return t
}

// signalCase is one evaluation checked for a single signal code.
type signalCase struct {
	name    string
	deal    scoring.Deal
	touches []scoring.Touch
	asOf    time.Time // zero: day 60
	rules   func(*scoring.Rules)
	want    *scoring.Signal // nil: must not fire
	hint    string          // expected hint for the code, if any
}

func runSignalCases(t *testing.T, code string, cases []signalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := scoring.DefaultRules()
			if tc.rules != nil {
				tc.rules(&r)
			}
			asOf := tc.asOf
			if asOf.IsZero() {
				asOf = day(60)
			}
			d := tc.deal
			if d.Currency == "" {
				d = deal18k()
			}
			score := scoring.Evaluate(d, tc.touches, r, asOf)
			got, fired := findSignal(score, code)
			checkSignal(t, code, tc.want, got, fired)
			hint := ""
			for _, h := range score.Hints {
				if h.Code == code {
					hint = h.Text
				}
			}
			if hint != tc.hint {
				t.Errorf("hint = %q, want %q", hint, tc.hint)
			}
		})
	}
}

func findSignal(s scoring.Score, code string) (scoring.Signal, bool) {
	for _, sig := range s.Signals {
		if sig.Code == code {
			return sig, true
		}
	}
	return scoring.Signal{}, false
}

func checkSignal(t *testing.T, code string, want *scoring.Signal, got scoring.Signal, fired bool) {
	t.Helper()
	if want == nil {
		if fired {
			t.Fatalf("%s fired, want silent: %+v", code, got)
		}
		return
	}
	if !fired {
		t.Fatalf("%s did not fire, want %+v", code, *want)
	}
	if got.Code != code || got.Label == "" {
		t.Errorf("code, label = %q, %q", got.Code, got.Label)
	}
	if got.Severity != want.Severity {
		t.Errorf("severity = %v, want %v", got.Severity, want.Severity)
	}
	if got.Points != want.Points {
		t.Errorf("points = %v, want %v", got.Points, want.Points)
	}
	if got.Evidence != want.Evidence {
		t.Errorf("evidence\n got %q\nwant %q", got.Evidence, want.Evidence)
	}
	if !slices.Equal(got.TouchIDs, want.TouchIDs) {
		t.Errorf("touch IDs = %v, want %v", got.TouchIDs, want.TouchIDs)
	}
}

func withCost(cost, list *money.Cents) scoring.Deal {
	d := deal18k()
	d.Cost, d.ListPrice = cost, list
	return d
}

func TestMarginHit(t *testing.T) {
	zero := deal18k()
	zero.Amount = 0
	zero.Cost = usd(100)
	runSignalCases(t, scoring.CodeMarginHit, []signalCase{
		{name: "no cost gives a hint", deal: withCost(nil, nil), hint: "Enter the deal's cost to check its margin."},
		{name: "zero amount gives a hint", deal: zero, hint: "Enter the deal's amount to check its margin."},
		{name: "exactly at the floor", deal: withCost(usd(14_400), nil)},
		{name: "zero cost", deal: withCost(usd(0), nil)},
		{name: "just below the floor", deal: withCost(usd(14_418), nil), want: &scoring.Signal{
			Severity: 0.005, Points: 0.2, Evidence: "margin 19.9% (cost $14,418 on $18,000), floor 20%"}},
		{name: "12 percent", deal: withCost(usd(15_840), nil), want: &scoring.Signal{
			Severity: 0.4, Points: 12, Evidence: "margin 12% (cost $15,840 on $18,000), floor 20%"}},
		{name: "break-even", deal: withCost(usd(18_000), nil), want: &scoring.Signal{
			Severity: 1, Points: 30, Evidence: "margin 0% (cost $18,000 on $18,000), floor 20%"}},
		{name: "selling at a loss", deal: withCost(usd(20_160), nil), want: &scoring.Signal{
			Severity: 1.5, Points: 45, Evidence: "selling at a loss: margin -12% (cost $20,160 on $18,000)"}},
		{name: "weight zero switches it off", deal: withCost(usd(20_160), nil), rules: func(r *scoring.Rules) { r.MarginWeight = 0 }},
	})
}

func TestMarginLossFlagsOnItsOwn(t *testing.T) {
	s := scoring.Evaluate(withCost(usd(18_001), usd(18_000)), nil, scoring.DefaultRules(), day(1))
	if s.Points != 45 || s.Band != scoring.BandNotGoodMoney {
		t.Fatalf("points, band = %d, %s; want 45, not_good_money", s.Points, s.Band)
	}
}

func TestDiscountDepth(t *testing.T) {
	zero := withCost(nil, usd(20_000))
	zero.Amount = 0
	runSignalCases(t, scoring.CodeDiscountDepth, []signalCase{
		{name: "no list price gives a hint", deal: withCost(nil, nil), hint: "Enter the list price to check the discount."},
		{name: "zero list price gives a hint", deal: withCost(nil, usd(0)), hint: "Enter a list price above zero to check the discount."},
		{name: "zero amount gives a hint", deal: zero, hint: "Enter the deal's amount to check its discount."},
		{name: "premium over list", deal: withCost(nil, usd(15_000))},
		{name: "exactly at the limit", deal: withCost(nil, usd(24_000))},
		{name: "just above the limit", deal: withCost(nil, usd(24_100)), want: &scoring.Signal{
			Severity: 0.012, Points: 0.2, Evidence: "25.3% off the list price of $24,100 (amount $18,000), limit 25%"}},
		{name: "40 percent off", deal: withCost(nil, usd(30_000)), want: &scoring.Signal{
			Severity: 0.6, Points: 9, Evidence: "40% off the list price of $30,000 (amount $18,000), limit 25%"}},
		{name: "60 percent off is full strength", deal: withCost(nil, usd(45_000)), want: &scoring.Signal{
			Severity: 1, Points: 15, Evidence: "60% off the list price of $45,000 (amount $18,000), limit 25%"}},
	})
}

func TestFuturePromise(t *testing.T) {
	d := deal18k()
	d.FuturePromise = true
	runSignalCases(t, scoring.CodeFuturePromise, []signalCase{
		{name: "not marked", deal: deal18k()},
		{name: "marked", deal: d, want: &scoring.Signal{Severity: 1, Points: 5,
			Evidence: "marked as bringing more business later; that promise is rarely kept, so judge this deal on its own terms"}},
	})
}

func TestRequotes(t *testing.T) {
	inbound := quote(9, day(3), 18_000)
	inbound.Direction = "inbound"
	runSignalCases(t, scoring.CodeRequotes, []signalCase{
		{name: "two quotes", touches: []scoring.Touch{quote(1, day(4), 18_000), quote(2, day(8), 18_000)}},
		{name: "an inbound quote is not ours", touches: []scoring.Touch{quote(1, day(4), 18_000), quote(2, day(8), 18_000), inbound}},
		{name: "third quote, rising", touches: []scoring.Touch{quote(1, day(4), 16_000), quote(2, day(8), 17_000), quote(3, day(12), 18_000)},
			want: &scoring.Signal{Severity: 0.5, Points: 10, TouchIDs: []int64{1, 2, 3},
				Evidence: "3 quotes since 5 Oct, amount up from $16,000 to $18,000"}},
		{name: "third quote, unchanged, counts one further", touches: []scoring.Touch{quote(3, day(12), 18_000), quote(1, day(4), 18_000), quote(2, day(8), 18_000)},
			want: &scoring.Signal{Severity: 0.75, Points: 15, TouchIDs: []int64{1, 2, 3},
				Evidence: "3 quotes since 5 Oct, amount unchanged at $18,000"}},
		{name: "fourth quote, falling", touches: []scoring.Touch{quote(1, day(4), 20_000), quote(2, day(8), 19_000), quote(3, day(12), 19_000), quote(4, day(16), 18_000)},
			want: &scoring.Signal{Severity: 1, Points: 20, TouchIDs: []int64{1, 2, 3, 4},
				Evidence: "4 quotes since 5 Oct, amount down from $20,000 to $18,000"}},
		{name: "fourth quote, up and down", touches: []scoring.Touch{quote(1, day(4), 18_000), quote(2, day(8), 20_000), quote(3, day(12), 17_000), quote(4, day(16), 19_000)},
			want: &scoring.Signal{Severity: 0.75, Points: 15, TouchIDs: []int64{1, 2, 3, 4},
				Evidence: "4 quotes since 5 Oct, amount between $17,000 and $20,000, last $19,000"}},
		{name: "fifth quote, rising", touches: []scoring.Touch{quote(1, day(4), 14_000), quote(2, day(8), 15_000), quote(3, day(12), 16_000), quote(4, day(16), 17_000), quote(5, day(20), 18_000)},
			want: &scoring.Signal{Severity: 1, Points: 20, TouchIDs: []int64{1, 2, 3, 4, 5},
				Evidence: "5 quotes since 5 Oct, amount up from $14,000 to $18,000"}},
		{name: "no amounts", touches: []scoring.Touch{quote(1, day(4), 0), quote(2, day(8), 0), quote(3, day(12), 0)},
			want: &scoring.Signal{Severity: 0.5, Points: 10, TouchIDs: []int64{1, 2, 3}, Evidence: "3 quotes since 5 Oct"}},
		{name: "one amount", touches: []scoring.Touch{quote(1, day(4), 0), quote(2, day(8), 18_000), quote(3, day(12), 0)},
			want: &scoring.Signal{Severity: 0.5, Points: 10, TouchIDs: []int64{1, 2, 3}, Evidence: "3 quotes since 5 Oct, quoted at $18,000"}},
		{name: "quotes after asOf are ignored", asOf: day(10),
			touches: []scoring.Touch{quote(1, day(4), 18_000), quote(2, day(8), 18_000), quote(3, day(12), 18_000)}},
		{name: "date carries the year when not asOf's", asOf: day(100),
			touches: []scoring.Touch{quote(1, day(-300), 0), quote(2, day(8), 0), quote(3, day(12), 0)},
			want:    &scoring.Signal{Severity: 0.5, Points: 10, TouchIDs: []int64{1, 2, 3}, Evidence: "3 quotes since 5 Dec 2025"}},
	})
}

func email(id int64, at time.Time) scoring.Touch { return touch(id, "email", "outbound", at) }

func TestUnresponsive(t *testing.T) {
	// The prospect wrote on day 0; chases follow. With asOf at day 13.5 the
	// silence since day 0 is 13 days, under its threshold, so only the
	// streak can fire.
	enquiry := touch(100, "email", "inbound", day(0))
	chases := func(days ...float64) []scoring.Touch {
		ts := []scoring.Touch{enquiry}
		for i, d := range days {
			ts = append(ts, email(int64(i+1), day(d)))
		}
		return ts
	}
	streak := func(n int, sev, points float64, ids ...int64) *scoring.Signal {
		return &scoring.Signal{Severity: sev, Points: points, TouchIDs: ids,
			Evidence: fmt.Sprintf("%d outbound touches in a row since 7 Oct got no reply within 5 days", n)}
	}
	inside := append(chases(6, 7, 8), touch(101, "call", "inbound", day(13)))
	outside := append(chases(6, 7, 8), touch(101, "call", "inbound", day(13).Add(time.Second)))
	connected := append(chases(6, 7, 8), withOutcome(touch(50, "call", "outbound", day(9)), "connected"), email(4, day(10)), email(5, day(11)))
	note := append(chases(6, 7), touch(60, "note", "outbound", day(7.5)), touch(61, "note", "inbound", day(7.6)))
	runSignalCases(t, scoring.CodeUnresponsive, []signalCase{
		{name: "two unanswered", touches: chases(6, 7), asOf: day(13.5)},
		{name: "three unanswered", touches: chases(6, 7, 8), asOf: day(13.5), want: streak(3, 0.5, 12.5, 1, 2, 3)},
		{name: "four unanswered", touches: chases(6, 7, 7.5, 8), asOf: day(13.5), want: streak(4, 0.75, 18.8, 1, 2, 3, 4)},
		{name: "five unanswered", touches: chases(6, 6.5, 7, 7.5, 8), asOf: day(13.5), want: streak(5, 1, 25, 1, 2, 3, 4, 5)},
		{name: "reply at the end of the window answers", touches: inside, asOf: day(13.5)},
		{name: "reply just after the window does not", touches: outside, asOf: day(13.5), want: streak(3, 0.5, 12.5, 1, 2, 3)},
		{name: "notes neither count nor answer", touches: note, asOf: day(13.5)},
		{name: "an outbound call that got through ends the streak", touches: connected, asOf: day(16.5)},
		{name: "a chase still inside its window is pending",
			touches: []scoring.Touch{touch(100, "email", "inbound", day(5)), email(1, day(6)), email(2, day(7)), email(3, day(12))},
			asOf:    day(16.9)},
		{name: "the pending chase counts once its window has passed",
			touches: []scoring.Touch{touch(100, "email", "inbound", day(5)), email(1, day(6)), email(2, day(7)), email(3, day(12))},
			asOf:    day(17), want: streak(3, 0.5, 12.5, 1, 2, 3)},
		{name: "silence of 13 days is not yet silence", touches: chases(10), asOf: day(13.99)},
		{name: "silence of 14 days", touches: chases(10), asOf: day(14), want: &scoring.Signal{
			Severity: 0.5, Points: 12.5, TouchIDs: []int64{1},
			Evidence: "no reply for 14 days since 1 Oct while 1 outbound touch went out"}},
		{name: "silence of 30 days", touches: chases(10, 20), asOf: day(30), want: &scoring.Signal{
			Severity: 1, Points: 25, TouchIDs: []int64{1, 2},
			Evidence: "no reply for 30 days since 1 Oct while 2 outbound touches went out"}},
		{name: "silence needs outbound touches since the last reply",
			touches: []scoring.Touch{email(1, day(1)), touch(100, "email", "inbound", day(2))}, asOf: day(40)},
		{name: "never any reply counts from the first chase",
			touches: []scoring.Touch{email(1, day(3)), email(2, day(0))}, asOf: day(14), want: &scoring.Signal{
				Severity: 0.5, Points: 12.5, TouchIDs: []int64{2, 1},
				Evidence: "no reply at all in 14 days since the first outbound touch on 1 Oct"}},
		{name: "streak and silence together", touches: chases(10, 11, 12, 13, 14), asOf: day(20), want: &scoring.Signal{
			Severity: 1, Points: 25, TouchIDs: []int64{1, 2, 3, 4, 5},
			Evidence: "5 outbound touches in a row since 11 Oct got no reply within 5 days; no reply for 20 days since 1 Oct while 5 outbound touches went out"}},
		{name: "a reply after asOf is ignored", touches: append(chases(10), touch(101, "call", "inbound", day(21))), asOf: day(20),
			want: &scoring.Signal{Severity: 0.714, Points: 17.9, TouchIDs: []int64{1},
				Evidence: "no reply for 20 days since 1 Oct while 1 outbound touch went out"}},
		{name: "the same reply once it happened", touches: append(chases(10), touch(101, "call", "inbound", day(21))), asOf: day(22)},
	})
}

func TestTerseReplies(t *testing.T) {
	out := email(9, day(1))
	out.WordCount = words(1)
	runSignalCases(t, scoring.CodeTerseReplies, []signalCase{
		{name: "two replies are too few", touches: []scoring.Touch{reply(1, day(1), 1), reply(2, day(2), 1)}},
		{name: "outbound and unsized touches do not count",
			touches: []scoring.Touch{reply(1, day(1), 1), reply(2, day(2), 1), out, touch(3, "email", "inbound", day(3))}},
		{name: "median 3.5 is above the limit",
			touches: []scoring.Touch{reply(1, day(1), 2), reply(2, day(2), 3), reply(3, day(3), 4), reply(4, day(4), 50)}},
		{name: "median 3 is at the limit",
			touches: []scoring.Touch{reply(1, day(1), 1), reply(2, day(2), 3), reply(3, day(3), 3), reply(4, day(4), 50)},
			want: &scoring.Signal{Severity: 1, Points: 10, TouchIDs: []int64{1, 2, 3},
				Evidence: "median reply 3 words across 4 written replies; 3 of them 3 words or fewer"}},
		{name: "texts count and one long email does not hide the habit",
			touches: []scoring.Touch{reply(1, day(1), 40), func() scoring.Touch { t := reply(2, day(2), 1); t.Kind = "text"; return t }(), reply(3, day(3), 2)},
			want: &scoring.Signal{Severity: 1, Points: 10, TouchIDs: []int64{2, 3},
				Evidence: "median reply 2 words across 3 written replies; 2 of them 3 words or fewer"}},
	})
}

func meeting(id int64, at time.Time, outcome string) scoring.Touch {
	return withOutcome(touch(id, "meeting", "outbound", at), outcome)
}

func TestWontCommit(t *testing.T) {
	runSignalCases(t, scoring.CodeWontCommit, []signalCase{
		{name: "one no-show", touches: []scoring.Touch{meeting(1, day(2), "no_show"), meeting(2, day(5), "held")}},
		{name: "two", touches: []scoring.Touch{meeting(1, day(2), "no_show"), meeting(2, day(5), "held"), meeting(3, day(9), "rescheduled")},
			want: &scoring.Signal{Severity: 0.5, Points: 7.5, TouchIDs: []int64{1, 3},
				Evidence: "2 meetings fell through since 3 Oct (1 no-show, 1 rescheduled)"}},
		{name: "three with a call",
			touches: []scoring.Touch{meeting(1, day(2), "no_show"), withOutcome(touch(2, "call", "outbound", day(4)), "declined"), meeting(3, day(9), "rescheduled")},
			want: &scoring.Signal{Severity: 1, Points: 15, TouchIDs: []int64{1, 2, 3},
				Evidence: "3 meetings and calls fell through since 3 Oct (1 no-show, 1 rescheduled, 1 declined)"}},
		{name: "two booked calls", touches: []scoring.Touch{withOutcome(touch(1, "call", "outbound", day(2)), "no_show"), withOutcome(touch(2, "call", "outbound", day(4)), "no_show")},
			want: &scoring.Signal{Severity: 0.5, Points: 7.5, TouchIDs: []int64{1, 2},
				Evidence: "2 booked calls fell through since 3 Oct (2 no-shows)"}},
	})
}

func TestOffHours(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	inNY := func(r *scoring.Rules) { r.Location = ny }
	local := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, ny) }
	in := func(id int64, at time.Time) scoring.Touch { return touch(id, "call", "inbound", at) }
	// Weekdays 5 to 9 Oct 2026; 10 Oct is a Saturday.
	office := func(n int) []scoring.Touch {
		var ts []scoring.Touch
		for i := range n {
			ts = append(ts, in(int64(100+i), local(2026, 10, 5+i%5, 10, 0)))
		}
		return ts
	}
	evening := []scoring.Touch{in(1, local(2026, 10, 5, 19, 0)), in(2, local(2026, 10, 6, 19, 0)), in(3, local(2026, 10, 7, 19, 40))}

	runSignalCases(t, scoring.CodeOffHours, []signalCase{
		{name: "two inbound are too few", rules: inNY, touches: evening[:2]},
		{name: "evening burst", rules: inNY, touches: append(office(3), evening...),
			want: &scoring.Signal{Severity: 0.833, Points: 8.3, TouchIDs: []int64{1, 2, 3},
				Evidence: "3 of 6 inbound touches came outside business hours (all after 19:00)"}},
		{name: "exactly the threshold share", rules: inNY, touches: append(office(7), evening...),
			want: &scoring.Signal{Severity: 0.5, Points: 5, TouchIDs: []int64{1, 2, 3},
				Evidence: "3 of 10 inbound touches came outside business hours (all after 19:00)"}},
		{name: "just under the threshold share", rules: inNY, touches: append(office(8), evening...)},
		{name: "17:59 is in, 18:00 is out", rules: inNY,
			touches: []scoring.Touch{in(1, local(2026, 10, 5, 17, 59)), in(2, local(2026, 10, 6, 18, 0)), in(3, local(2026, 10, 7, 12, 0))},
			want: &scoring.Signal{Severity: 0.556, Points: 5.6, TouchIDs: []int64{2},
				Evidence: "1 of 3 inbound touches came outside business hours (all after 18:00)"}},
		{name: "weekends and early mornings", rules: inNY,
			touches: []scoring.Touch{in(1, local(2026, 10, 10, 12, 0)), in(2, local(2026, 10, 11, 9, 30)), in(3, local(2026, 10, 6, 7, 15)), in(4, local(2026, 10, 7, 11, 0))},
			want: &scoring.Signal{Severity: 1, Points: 10, TouchIDs: []int64{3, 1, 2},
				Evidence: "3 of 4 inbound touches came outside business hours (mostly at weekends)"}},
		// Clocks went forward on Sunday 8 March 2026. On Monday 9 March,
		// 08:59 local is 12:59 UTC and 09:00 local is 13:00 UTC; the
		// Friday before, 08:59 local was 13:59 UTC.
		{name: "DST: 08:59 on the Monday after the change is early", rules: inNY,
			touches: []scoring.Touch{
				in(1, time.Date(2026, 3, 9, 12, 59, 0, 0, time.UTC)),
				in(2, time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC)),
				in(3, time.Date(2026, 3, 6, 14, 0, 0, 0, time.UTC)),
			},
			asOf: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC),
			want: &scoring.Signal{Severity: 0.556, Points: 5.6, TouchIDs: []int64{1},
				Evidence: "1 of 3 inbound touches came outside business hours (all before 09:00)"}},
		{name: "DST: 09:00 on that Monday and the Friday before are in hours", rules: inNY,
			touches: []scoring.Touch{
				in(2, time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC)),
				in(3, time.Date(2026, 3, 6, 14, 0, 0, 0, time.UTC)),
				in(4, time.Date(2026, 3, 5, 14, 30, 0, 0, time.UTC)),
			},
			asOf: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)},
		{name: "DST: 08:59 on the Friday before is early", rules: inNY,
			touches: []scoring.Touch{
				in(1, time.Date(2026, 3, 6, 13, 59, 0, 0, time.UTC)),
				in(2, time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC)),
				in(3, time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC)),
			},
			asOf: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC),
			want: &scoring.Signal{Severity: 0.556, Points: 5.6, TouchIDs: []int64{1},
				Evidence: "1 of 3 inbound touches came outside business hours (all before 09:00)"}},
	})
}

// effortTouches returns n alternating outbound and inbound calls, one a day.
func effortTouches(n int) []scoring.Touch {
	ts := make([]scoring.Touch, n)
	for i := range ts {
		dir := "outbound"
		if i%2 == 1 {
			dir = "inbound"
		}
		ts[i] = withOutcome(touch(int64(i+1), "call", dir, day(float64(i)/2)), "connected")
	}
	return ts
}

func ids(from, to int64) []int64 {
	var out []int64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func TestEffortVsValue(t *testing.T) {
	tenK := deal18k()
	tenK.Amount = 1_000_000
	oneK := deal18k()
	oneK.Amount = 100_000
	zero := deal18k()
	zero.Amount = 0
	withNotes := append(effortTouches(30), touch(99, "note", "outbound", day(1)))
	runSignalCases(t, scoring.CodeEffortVsValue, []signalCase{
		{name: "zero amount gives a hint", deal: zero, touches: effortTouches(3),
			hint: "Enter the deal's amount to weigh the effort against its value."},
		{name: "at the limit", deal: tenK, touches: withNotes},
		{name: "just above the limit", deal: tenK, touches: effortTouches(31),
			want: &scoring.Signal{Severity: 0.033, Points: 0.5, TouchIDs: ids(1, 31),
				Evidence: "31 touches on $10,000: 3.1 per $1,000, above the limit of 3"}},
		{name: "one and a half times the limit", deal: tenK, touches: effortTouches(45),
			want: &scoring.Signal{Severity: 0.5, Points: 7.5, TouchIDs: ids(1, 45),
				Evidence: "45 touches on $10,000: 4.5 per $1,000, above the limit of 3"}},
		{name: "twice the limit", deal: tenK, touches: effortTouches(60),
			want: &scoring.Signal{Severity: 1, Points: 15, TouchIDs: ids(1, 60),
				Evidence: "60 touches on $10,000: 6 per $1,000, above the limit of 3"}},
		{name: "too few touches to judge", deal: oneK, touches: effortTouches(4)},
		{name: "enough touches on a small deal", deal: oneK, touches: effortTouches(5),
			want: &scoring.Signal{Severity: 0.667, Points: 10, TouchIDs: ids(1, 5),
				Evidence: "5 touches on $1,000: 5 per $1,000, above the limit of 3"}},
		{name: "org percentile replaces the fallback", deal: tenK, touches: effortTouches(30),
			rules: func(r *scoring.Rules) { r.EffortP90 = 2 },
			want: &scoring.Signal{Severity: 0.5, Points: 7.5, TouchIDs: ids(1, 30),
				Evidence: "30 touches on $10,000: 3 per $1,000, above the 2 that 9 in 10 won deals stayed within"}},
	})
}

func TestEffortRateAndP90(t *testing.T) {
	d := deal18k()
	d.Amount = 1_000_000
	ts := append(effortTouches(30), touch(99, "note", "outbound", day(1)), touch(98, "call", "outbound", day(90)))
	if rate, ok := scoring.EffortRate(d, ts, day(60)); !ok || rate != 3 {
		t.Errorf("EffortRate = %v, %v; want 3, true", rate, ok)
	}
	d.Amount = 0
	if _, ok := scoring.EffortRate(d, ts, day(60)); ok {
		t.Error("EffortRate with zero amount: ok")
	}
	rates := []float64{5, 1, 2, 3, 4, 6, 7, 8, 9, 10}
	if got := scoring.P90(rates); got != 9 {
		t.Errorf("P90 = %v, want 9", got)
	}
	if rates[0] != 5 {
		t.Error("P90 modified its argument")
	}
	if got := scoring.P90(nil); got != 0 {
		t.Errorf("P90(nil) = %v, want 0", got)
	}
}

// triadTouches: the prospect enquired on day 0, then three rising quotes
// went out on days 6 to 8 with no reply. With asOf at day 13.5 they make
// requotes 0.5 and unresponsive 0.5, and nothing else fires.
func triadTouches() []scoring.Touch {
	return []scoring.Touch{
		touch(100, "email", "inbound", day(0)),
		quote(1, day(6), 16_000), quote(2, day(7), 17_000), quote(3, day(8), 18_000),
	}
}

func TestTriad(t *testing.T) {
	check := func(t *testing.T, s scoring.Score, points int, band scoring.Band, codes ...string) {
		t.Helper()
		var got []string
		for _, sig := range s.Signals {
			got = append(got, sig.Code)
		}
		if s.Points != points || s.Band != band || !slices.Equal(got, codes) {
			t.Fatalf("score = %d %s %v, want %d %s %v", s.Points, s.Band, got, points, band, codes)
		}
	}
	r := scoring.DefaultRules()

	t.Run("moderate strength flags", func(t *testing.T) {
		s := scoring.Evaluate(withCost(usd(16_200), nil), triadTouches(), r, day(13.5))
		check(t, s, 45, scoring.BandNotGoodMoney, "margin_hit", "unresponsive", "requotes", "triad")
		tr, _ := findSignal(s, scoring.CodeTriad)
		checkSignal(t, scoring.CodeTriad, &scoring.Signal{Severity: 1, Points: 7.5,
			Evidence: "a thin margin, a prospect who does not answer and repeated quotes came together, which flags a deal whatever its total: adds 7.5 points to reach the flag line of 45"},
			tr, true)
	})
	t.Run("margin too weak to count", func(t *testing.T) {
		// 16 % margin: severity 0.2, under the 0.25 minimum.
		s := scoring.Evaluate(withCost(usd(15_120), nil), triadTouches(), r, day(13.5))
		check(t, s, 29, scoring.BandWatch, "unresponsive", "requotes", "margin_hit")
	})
	t.Run("margin at the minimum", func(t *testing.T) {
		// 15 % margin: severity 0.25.
		s := scoring.Evaluate(withCost(usd(15_300), nil), triadTouches(), r, day(13.5))
		check(t, s, 45, scoring.BandNotGoodMoney, "triad", "unresponsive", "requotes", "margin_hit")
	})
	t.Run("without the unresponsive prospect", func(t *testing.T) {
		ts := append(triadTouches(), touch(101, "email", "inbound", day(9)))
		s := scoring.Evaluate(withCost(usd(16_200), nil), ts, r, day(13.5))
		check(t, s, 25, scoring.BandWatch, "margin_hit", "requotes")
	})
	t.Run("already past the line", func(t *testing.T) {
		s := scoring.Evaluate(withCost(usd(20_000), nil), triadTouches(), r, day(13.5))
		check(t, s, 68, scoring.BandNotGoodMoney, "margin_hit", "unresponsive", "requotes", "triad")
		tr, _ := findSignal(s, scoring.CodeTriad)
		if tr.Points != 0 || tr.Evidence != "a thin margin, a prospect who does not answer and repeated quotes came together, which flags a deal whatever its total; this one is already past the flag line of 45" {
			t.Errorf("triad = %+v", tr)
		}
	})
	t.Run("fractional flag line", func(t *testing.T) {
		r := scoring.DefaultRules()
		r.FlagFrom = 44.4
		s := scoring.Evaluate(withCost(usd(16_200), nil), triadTouches(), r, day(13.5))
		check(t, s, 45, scoring.BandNotGoodMoney, "margin_hit", "unresponsive", "requotes", "triad")
	})
}

func TestEvaluateScore(t *testing.T) {
	t.Run("bands follow rounded points", func(t *testing.T) {
		d := deal18k()
		d.FuturePromise = true
		for _, tc := range []struct {
			weight float64
			points int
			band   scoring.Band
		}{{19.4, 19, scoring.BandOK}, {19.5, 20, scoring.BandWatch}, {44.5, 45, scoring.BandNotGoodMoney}, {44.4, 44, scoring.BandWatch}} {
			r := scoring.DefaultRules()
			r.FuturePromiseWeight = tc.weight
			s := scoring.Evaluate(d, nil, r, day(1))
			if s.Points != tc.points || s.Band != tc.band {
				t.Errorf("weight %v: %d %s, want %d %s", tc.weight, s.Points, s.Band, tc.points, tc.band)
			}
		}
	})
	t.Run("points are capped at 100", func(t *testing.T) {
		d := withCost(usd(20_000), usd(40_000))
		d.FuturePromise = true
		ts := append(triadTouches(), quote(4, day(9), 18_000), quote(5, day(10), 18_000))
		s := scoring.Evaluate(d, ts, scoring.DefaultRules(), day(30))
		if s.Points != 100 || s.Band != scoring.BandNotGoodMoney {
			t.Errorf("points, band = %d, %s", s.Points, s.Band)
		}
	})
	t.Run("clean deal", func(t *testing.T) {
		d := withCost(usd(9_000), usd(20_000))
		ts := []scoring.Touch{email(1, day(1)), reply(2, day(1.5), 40), meeting(3, day(3), "held"), quote(4, day(4), 18_000)}
		r := scoring.DefaultRules()
		r.Version = 7
		s := scoring.Evaluate(d, ts, r, day(5))
		want := scoring.Score{Points: 0, Band: scoring.BandOK, RulesVersion: 7, AsOf: day(5)}
		if s.Points != want.Points || s.Band != want.Band || len(s.Signals) != 0 || len(s.Hints) != 0 ||
			s.RulesVersion != want.RulesVersion || !s.AsOf.Equal(want.AsOf) {
			t.Errorf("score = %+v, want %+v", s, want)
		}
	})
	t.Run("hints for missing numbers", func(t *testing.T) {
		d := deal18k()
		d.Amount = 0
		s := scoring.Evaluate(d, nil, scoring.DefaultRules(), day(1))
		want := []scoring.Hint{
			{Code: "margin_hit", Text: "Enter the deal's amount to check its margin."},
			{Code: "discount_depth", Text: "Enter the list price to check the discount."},
			{Code: "effort_vs_value", Text: "Enter the deal's amount to weigh the effort against its value."},
		}
		if !slices.Equal(s.Hints, want) {
			t.Errorf("hints = %v, want %v", s.Hints, want)
		}
	})
	t.Run("touch order does not matter", func(t *testing.T) {
		ts := realisticTouches()
		want := scoring.Evaluate(realisticDeal(), ts, scoring.DefaultRules(), day(40))
		rng := rand.New(rand.NewPCG(1, 2))
		for range 20 {
			shuffled := slices.Clone(ts)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			got := scoring.Evaluate(realisticDeal(), shuffled, scoring.DefaultRules(), day(40))
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("shuffled input changed the score:\n got %+v\nwant %+v", got, want)
			}
		}
		if len(want.Signals) < 3 {
			t.Fatalf("realistic deal fires too little to be a useful check: %+v", want)
		}
	})
}
