// Package scoring decides whether a deal is good money.
//
// Evaluate reads a deal's numbers and its touches and returns a Score: points
// from 0 to 100, a band, and the signals that fired, each with one line of
// evidence and the touches that prove it. It is a pure function of its
// arguments (no clock, no I/O, no database types), so the same inputs always
// give the same score, tests drive it directly, and a deal can be scored as it
// stood on any past date to check the rules against how deals really ended.
//
// Every signal is a small function that returns a severity between 0 and 1
// (1.5 for selling at a loss); its points are the org's weight for it times
// that severity. Two shapes of severity are used on purpose:
//
//   - measures on a continuous scale (margin, discount, effort per value)
//     start at 0 right at their threshold and grow linearly, so a deal a hair
//     over the line earns a hair of points;
//   - counts (quotes, unanswered chases, failed meetings) and the share of
//     off-hours replies start at 0.5 at their threshold, because reaching the
//     threshold is itself the evidence, and reach 1 at a "full" value.
//
// Stage is deliberately ignored: won, lost and disqualified deals are scored
// exactly like open ones so that back-testing compares like with like; the
// caller decides which deals to score.
package scoring

import (
	"cmp"
	"math"
	"slices"
	"time"

	"goodmoney/internal/money"
)

// Band is the verdict on a deal, derived from its points.
type Band string

// The bands, from good to bad.
const (
	BandOK           Band = "ok"
	BandWatch        Band = "watch"
	BandNotGoodMoney Band = "not_good_money"
)

// Signal codes. They are stored with scores and flags and appear in the page
// markup (data-signal), so they never change once released.
const (
	CodeMarginHit     = "margin_hit"
	CodeDiscountDepth = "discount_depth"
	CodeRequotes      = "requotes"
	CodeUnresponsive  = "unresponsive"
	CodeTerseReplies  = "terse_replies"
	CodeWontCommit    = "wont_commit"
	CodeOffHours      = "off_hours"
	CodeEffortVsValue = "effort_vs_value"
	CodeFuturePromise = "future_promise"
	CodeTriad         = "triad"
)

// Deal is what scoring needs to know about a deal. ListPrice and Cost are nil
// when nobody entered them, which is different from zero.
type Deal struct {
	ID            int64
	Stage         string // lead, qualified, proposal, negotiation, won, lost, disqualified
	Amount        money.Cents
	ListPrice     *money.Cents
	Cost          *money.Cents
	Currency      string
	FuturePromise bool
	CreatedAt     time.Time
}

// Touch is one logged contact with the prospect.
type Touch struct {
	ID          int64
	Kind        string // call, email, text, voicemail, meeting, quote, note
	Direction   string // outbound, inbound
	OccurredAt  time.Time
	Outcome     string       // "", connected, no_answer, left_voicemail, replied, no_show, rescheduled, declined, held
	QuoteAmount *money.Cents // quotes only
	WordCount   *int         // inbound written replies (email, text)
}

// Signal is one reason a deal is not good money.
type Signal struct {
	Code     string  `json:"code"`
	Label    string  `json:"label"`
	Severity float64 `json:"severity"` // 0..1.5
	Points   float64 `json:"points"`   // weight × severity, rounded to 0.1
	Evidence string  `json:"evidence"` // one line with the numbers that prove it
	TouchIDs []int64 `json:"touch_ids,omitempty"`
}

// Hint names a signal that could not be checked and what would let it be,
// so that a clean score is never mistaken for a checked one.
type Hint struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// Score is the result of Evaluate.
type Score struct {
	Points       int       `json:"points"` // 0..100
	Band         Band      `json:"band"`
	Signals      []Signal  `json:"signals"` // fired only, highest points first
	Hints        []Hint    `json:"hints,omitempty"`
	RulesVersion int       `json:"rules_version"`
	AsOf         time.Time `json:"as_of"`
}

// Evaluate scores deal as it stood at asOf: touches after asOf are ignored,
// so a past asOf replays history. Touches may come in any order. Evaluate
// never panics, even on rules that fail Validate; such rules simply make the
// affected signals fire fully or not at all.
//
// Score.Points is the rounded sum of the fired signals' points, capped at
// 100, and the band follows from it (see Rules.WatchFrom and FlagFrom). The
// triad rule (see triad) adds the points needed to reach FlagFrom when a thin
// margin, an unresponsive prospect and repeated quotes come together, so the
// band always agrees with the points shown.
func Evaluate(deal Deal, touches []Touch, rules Rules, asOf time.Time) Score {
	var buf [64]*Touch
	tl := newTimeline(touches, asOf, buf[:0])
	st := style{currency: deal.Currency, loc: rules.location(), asOf: asOf}

	c := card{signals: make([]Signal, 0, 6)}
	c.add(CodeMarginHit, rules.MarginWeight, marginHit(deal, rules, st))
	c.add(CodeDiscountDepth, rules.DiscountWeight, discountDepth(deal, rules, st))
	c.add(CodeRequotes, rules.RequotesWeight, requotes(tl, rules, st))
	c.add(CodeUnresponsive, rules.UnresponsiveWeight, unresponsive(tl, rules, st))
	c.add(CodeTerseReplies, rules.TerseWeight, terseReplies(tl, rules))
	c.add(CodeWontCommit, rules.WontCommitWeight, wontCommit(tl, rules, st))
	c.add(CodeOffHours, rules.OffHoursWeight, offHours(tl, rules, st))
	c.add(CodeEffortVsValue, rules.EffortWeight, effortVsValue(deal, tl, rules, st))
	c.add(CodeFuturePromise, rules.FuturePromiseWeight, futurePromise(deal))
	if t, ok := triad(c.signals, rules); ok {
		c.signals = append(c.signals, t)
	}

	// Stable sort keeps the fixed order above for equal points, so the card
	// reads the same on every evaluation.
	slices.SortStableFunc(c.signals, func(a, b Signal) int { return cmp.Compare(b.Points, a.Points) })
	points := totalPoints(c.signals)
	return Score{
		Points:       points,
		Band:         rules.band(points),
		Signals:      c.signals,
		Hints:        c.hints,
		RulesVersion: rules.Version,
		AsOf:         asOf,
	}
}

// finding is what a signal function returns: a severity of 0 means the
// signal did not fire; a hint means it could not be checked at all.
type finding struct {
	severity float64
	evidence string
	touchIDs []int64
	hint     string
}

// card collects fired signals and hints in the fixed order of Evaluate.
type card struct {
	signals []Signal
	hints   []Hint
}

// add records f under code. A signal whose points round to zero is left off:
// it would add a line to the card that changes nothing, and a weight of 0 is
// how an org switches a signal off.
func (c *card) add(code string, weight float64, f finding) {
	if f.hint != "" {
		c.hints = append(c.hints, Hint{Code: code, Text: f.hint})
		return
	}
	points := round1(weight * f.severity)
	if !(f.severity > 0) || !(points > 0) || math.IsInf(points, 0) {
		return
	}
	c.signals = append(c.signals, Signal{
		Code:     code,
		Label:    label(code),
		Severity: round3(f.severity),
		Points:   points,
		Evidence: f.evidence,
		TouchIDs: f.touchIDs,
	})
}

// totalPoints is min(100, round(Σ points)).
func totalPoints(signals []Signal) int {
	sum := 0.0
	for _, s := range signals {
		sum += s.Points
	}
	return int(math.Min(100, math.Round(sum)))
}

// label is the short name of a signal on the score card.
func label(code string) string {
	switch code {
	case CodeMarginHit:
		return "Thin margin"
	case CodeDiscountDepth:
		return "Deep discount"
	case CodeRequotes:
		return "Quoted again and again"
	case CodeUnresponsive:
		return "Prospect does not answer"
	case CodeTerseReplies:
		return "One-word replies"
	case CodeWontCommit:
		return "Won't commit to a time"
	case CodeOffHours:
		return "Replies after hours"
	case CodeEffortVsValue:
		return "Effort out of proportion"
	case CodeFuturePromise:
		return "Promised future business"
	case CodeTriad:
		return "Thin, silent and re-quoted"
	}
	return code
}

// countRamp is the severity of a count signal: 0 below from, 0.5 at from,
// rising linearly to 1 at full.
func countRamp(n, from, full int) float64 {
	switch {
	case n < from || n <= 0:
		return 0
	case n >= full:
		return 1
	}
	return 0.5 + 0.5*float64(n-from)/float64(full-from)
}

// linearRamp is the severity of a continuous measure x that fires above
// from: 0 at from, rising linearly to 1 at full, 1 beyond.
func linearRamp(x, from, full float64) float64 {
	switch {
	case !(x > from):
		return 0
	case !(full > from) || x >= full:
		return 1
	}
	return (x - from) / (full - from)
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
