package scoring

import "goodmoney/internal/money"

// requotes fires when the rep has sent RequotesFrom quotes or more: 0.5 at
// the third quote by default, 0.75 at the fourth, 1 from the fifth.
//
// Only outbound quotes count: a quote is something we send, and an inbound
// "quote" is more likely a competitor's figure the prospect forwarded.
//
// When the quoted amount never went up (it stayed the same or fell, judged on
// the quotes that carry an amount, at least two of them), the prospect is
// either not reading the quotes or grinding the price down, so the severity
// is taken one quote further along the ramp: three unchanged quotes score
// like four. A rising amount means the scope grew, which is normal selling.
func requotes(tl timeline, r Rules, st style) finding {
	var q quoteTrend
	for _, t := range tl {
		if isQuote(t) {
			q.add(t)
		}
	}
	if q.n < r.RequotesFrom || q.n == 0 {
		return finding{}
	}
	n := q.n
	if q.neverRose() {
		n++
	}
	evidence := plural(q.n, "quote", "quotes") + " since " + st.date(q.earliest.OccurredAt)
	if trend := q.describe(st); trend != "" {
		evidence += ", " + trend
	}
	return finding{
		severity: countRamp(n, r.RequotesFrom, r.RequotesFull),
		evidence: evidence,
		touchIDs: touchIDs(tl, q.n, func(_ int, t *Touch) bool { return isQuote(t) }),
	}
}

func isQuote(t *Touch) bool { return t.Kind == kindQuote && t.Direction == outbound }

// quoteTrend follows the amounts of successive quotes.
type quoteTrend struct {
	n           int
	earliest    *Touch
	priced      int // quotes with an amount
	first, last money.Cents
	low, high   money.Cents
	rose, fell  bool
}

func (q *quoteTrend) add(t *Touch) {
	q.n++
	if q.earliest == nil {
		q.earliest = t
	}
	if t.QuoteAmount == nil {
		return
	}
	a := *t.QuoteAmount
	if q.priced == 0 {
		q.first, q.low, q.high = a, a, a
	} else {
		q.rose = q.rose || a > q.last
		q.fell = q.fell || a < q.last
		q.low, q.high = min(q.low, a), max(q.high, a)
	}
	q.last = a
	q.priced++
}

func (q *quoteTrend) neverRose() bool { return q.priced >= 2 && !q.rose }

// describe writes the amount trend: "amount unchanged at $18,000", "amount
// down from $20,000 to $18,000", "amount up from …", or the range when it
// went both ways.
func (q *quoteTrend) describe(st style) string {
	switch {
	case q.priced == 0:
		return ""
	case q.priced == 1:
		return "quoted at " + st.money(q.last)
	case !q.rose && !q.fell:
		return "amount unchanged at " + st.money(q.last)
	case !q.rose:
		return "amount down from " + st.money(q.first) + " to " + st.money(q.last)
	case !q.fell:
		return "amount up from " + st.money(q.first) + " to " + st.money(q.last)
	}
	return "amount between " + st.money(q.low) + " and " + st.money(q.high) + ", last " + st.money(q.last)
}
