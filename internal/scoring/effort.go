package scoring

import (
	"math"
	"slices"
	"time"

	"goodmoney/internal/money"
)

// perThousand is 1,000 major units in cents: effort is measured in touches
// per 1,000 of deal value, whatever the currency.
const perThousand = 1000 * 100

// MinWonDeals is how many won deals an org needs before their 90th
// percentile of effort (P90 of EffortRate) replaces EffortFallback: below
// that, one odd deal would set the bar for everyone. EffortSample is how
// many of the latest won deals the percentile is taken over, which bounds
// its cost and follows how the team sells now.
const (
	MinWonDeals  = 20
	EffortSample = 2000
)

// EffortRate is the measure behind effort_vs_value: touches with the prospect
// (every kind but notes, both directions, up to asOf) per 1,000 of the deal's
// amount in its currency's major units. ok is false when the amount is not
// positive. The loader uses it on the org's won deals to compute
// Rules.EffortP90 with P90, so that the threshold and the deal are measured
// the same way.
func EffortRate(d Deal, touches []Touch, asOf time.Time) (rate float64, ok bool) {
	n := 0
	for i := range touches {
		if isContact(&touches[i]) && !touches[i].OccurredAt.After(asOf) {
			n++
		}
	}
	return effortRate(n, d.Amount)
}

func effortRate(n int, amount money.Cents) (float64, bool) {
	if amount <= 0 {
		return 0, false
	}
	return float64(n) * perThousand / float64(amount), true
}

// P90 returns the 90th percentile of rates by the nearest-rank method (the
// smallest value at or above which 90 % of the rates lie), or 0 for no rates,
// which makes effortVsValue use the fallback. rates is not modified.
func P90(rates []float64) float64 {
	if len(rates) == 0 {
		return 0
	}
	sorted := slices.Clone(rates)
	slices.Sort(sorted)
	rank := int(math.Ceil(0.9*float64(len(sorted)))) - 1
	return sorted[max(rank, 0)]
}

// effortVsValue fires when the deal takes more touches per 1,000 of value
// than the org's won deals usually needed: above Rules.EffortP90, or above
// EffortFallback when the org has too little history to know. Severity grows
// linearly from 0 at that threshold to 1 at twice it. At least
// EffortMinTouches touches are needed, because on a small deal two calls can
// already exceed the rate without anyone having lost sleep.
func effortVsValue(d Deal, tl timeline, r Rules, st style) finding {
	n := 0
	for _, t := range tl {
		if isContact(t) {
			n++
		}
	}
	rate, ok := effortRate(n, d.Amount)
	if !ok {
		return finding{hint: "Enter the deal's amount to weigh the effort against its value."}
	}
	limit, fromHistory := r.EffortP90, true
	if !(limit > 0) {
		limit, fromHistory = r.EffortFallback, false
	}
	if n < r.EffortMinTouches {
		return finding{}
	}
	sev := linearRamp(rate, limit, 2*limit)
	if sev == 0 {
		return finding{}
	}
	evidence := itoa(n) + " touches on " + st.money(d.Amount) + ": " + num(rate) + " per " + st.money(perThousand)
	if fromHistory {
		evidence += ", above the " + num(limit) + " that 9 in 10 won deals stayed within"
	} else {
		evidence += ", above the limit of " + num(limit)
	}
	return finding{
		severity: sev,
		evidence: evidence,
		touchIDs: touchIDs(tl, n, func(_ int, t *Touch) bool { return isContact(t) }),
	}
}

// TouchMinutes is the time one touch is reckoned to have cost: a call's or
// a meeting's own duration when one was logged, else a set time for its
// kind. It is the one rule for effort in hours: the walk-away records the
// sum over the deal's touches as the time it freed, and the outcomes report
// estimates with it the time deals took (where it has no durations to read,
// it passes nil).
func TouchMinutes(kind string, durationMin *int) int {
	if durationMin != nil && (kind == "call" || kind == "meeting") {
		return *durationMin
	}
	switch kind {
	case "meeting":
		return 45
	case "quote":
		return 30
	case "call":
		return 10
	case "email":
		return 10
	case "text", "voicemail":
		return 3
	default:
		return 2
	}
}
