// Package outcomes checks the scoring rules against how deals really ended.
//
// Each closed deal is scored as it stood some days before it closed (or at
// the first moment it would have been flagged) with scoring.Evaluate, the
// same function that scores open deals, and its outcome is classed from its
// final stage and margin. Summarize then counts the confusion table of band
// at that time × outcome, the flags' precision and recall, their lead time
// and what ignoring or following them cost. Everything here is pure: the
// store loads the deals and touches and calls Assess once per deal.
package outcomes

import (
	"slices"
	"time"

	"goodmoney/internal/money"
	"goodmoney/internal/scoring"
)

// Class is how a closed deal ended.
type Class string

// The outcome classes, best first. Every class but GoodMoney is a deal the
// flags should have warned about.
const (
	GoodMoney    Class = "good_money"   // won at or above the margin floor
	ThinWin      Class = "thin_win"     // won below the margin floor
	Lost         Class = "lost"         // lost
	Disqualified Class = "disqualified" // walked away from
	CameBack     Class = "came_back"    // walked away from, then the prospect wrote again
)

// Classes lists every class in the order the report shows them.
var Classes = []Class{GoodMoney, ThinWin, Lost, Disqualified, CameBack}

// Bands lists the bands in the order the report shows them.
var Bands = []scoring.Band{scoring.BandOK, scoring.BandWatch, scoring.BandNotGoodMoney}

// Label is the class's name on the page.
func (c Class) Label() string {
	switch c {
	case GoodMoney:
		return "Good money"
	case ThinWin:
		return "Thin win"
	case Lost:
		return "Lost"
	case Disqualified:
		return "Disqualified"
	case CameBack:
		return "Came back"
	}
	return string(c)
}

// Bad reports whether the deal ended as something other than good money.
func (c Class) Bad() bool { return c != GoodMoney }

// Won reports whether the deal was won, whatever its margin.
func (c Class) Won() bool { return c == GoodMoney || c == ThinWin }

// Classify classes a closed deal. A won deal whose margin cannot be known
// (no cost entered) counts as good money: the report cannot call it thin.
// A disqualified deal whose prospect wrote after the walk-away came back.
func Classify(d scoring.Deal, cameBack bool, rules scoring.Rules) Class {
	switch d.Stage {
	case "won":
		if m, ok := scoring.Margin(d.Amount, d.Cost); ok && m < rules.MarginFloor {
			return ThinWin
		}
		return GoodMoney
	case "lost":
		return Lost
	}
	if cameBack {
		return CameBack
	}
	return Disqualified
}

// Mode is when a deal is scored: DaysBefore days before it closed, or, with
// AtFirstFlag, at the first moment before its close that it would have been
// flagged (at its close when it never would).
type Mode struct {
	DaysBefore  int
	AtFirstFlag bool
}

// Deal is a closed deal with what Assess needs beyond scoring's inputs.
// The embedded deal holds its final numbers, which class the outcome;
// AtCut, when known, the numbers it had when it is scored.
type Deal struct {
	scoring.Deal
	ClosedAt time.Time
	CameBack bool
	AtCut    *Numbers
}

// Numbers are the deal fields scoring reads that people edit.
type Numbers struct {
	Amount        money.Cents
	ListPrice     *money.Cents
	Cost          *money.Cents
	FuturePromise bool
}

// asOfCut is the deal as scoring sees it at the cut.
func (d *Deal) asOfCut() scoring.Deal {
	sd := d.Deal
	if n := d.AtCut; n != nil {
		sd.Amount, sd.ListPrice, sd.Cost, sd.FuturePromise = n.Amount, n.ListPrice, n.Cost, n.FuturePromise
	}
	return sd
}

// Assessment is the back-test of one closed deal.
type Assessment struct {
	Class Class
	// Scored is false when the deal did not exist yet at the cut (N is
	// longer than its life): it has no band and stays out of the figures.
	Scored bool
	Cut    time.Time // the moment it was scored as of
	Points int
	Band   scoring.Band
	// FirstFlag is the first touch (or the deal's creation) at which it
	// would have been flagged, up to the cut; zero when it was not flagged
	// by then.
	FirstFlag time.Time
	// Minutes is the estimated time spent on the deal before it closed,
	// MinutesAfterFlag the part of it after FirstFlag (see minutesUntil).
	Minutes, MinutesAfterFlag int
	Signals                   []string // codes fired at the cut
}

// Flagged reports whether the deal was in the not-good-money band at the cut.
func (a *Assessment) Flagged() bool { return a.Scored && a.Band == scoring.BandNotGoodMoney }

// Assess scores d as of its cut with rules, from its touches (oldest first).
// The outcome is classed from the deal's final numbers, the score from
// those it had at the cut (AtCut); touches after the cut are never read by
// scoring, and the flag is searched only up to the cut.
func Assess(d Deal, touches []scoring.Touch, rules scoring.Rules, mode Mode) Assessment {
	a := Assessment{Class: Classify(d.Deal, d.CameBack, rules)}
	sd := d.asOfCut()
	a.Minutes = minutesUntil(touches, time.Time{}, d.ClosedAt)
	if mode.AtFirstFlag {
		a.Cut = d.ClosedAt
	} else {
		a.Cut = d.ClosedAt.AddDate(0, 0, -mode.DaysBefore)
	}
	if a.Cut.Before(d.CreatedAt) {
		return a
	}
	a.Scored = true
	// Evaluate ignores the touches after the moment it scores at, so they
	// are not even passed: that spares the replay of firstFlag a pass over
	// the deal's later touches at every step.
	sc := scoring.Evaluate(sd, upTo(touches, a.Cut), rules, a.Cut)
	a.Points, a.Band = sc.Points, sc.Band
	if sc.Band == scoring.BandNotGoodMoney || mode.AtFirstFlag {
		if at, first, ok := firstFlag(sd, touches, rules, a.Cut); ok {
			a.FirstFlag = at
			if mode.AtFirstFlag {
				sc = first
				a.Cut, a.Points, a.Band = at, sc.Points, sc.Band
			}
		}
	}
	a.Signals = make([]string, len(sc.Signals))
	for i, s := range sc.Signals {
		a.Signals[i] = s.Code
	}
	if !a.FirstFlag.IsZero() {
		a.MinutesAfterFlag = minutesUntil(touches, a.FirstFlag, d.ClosedAt)
	}
	return a
}

// firstFlag replays the deal from its creation, scoring it as of each touch
// up to cut and at cut itself, and returns the first moment it was in the
// not-good-money band with its score there. touches are oldest first.
func firstFlag(d scoring.Deal, touches []scoring.Touch, rules scoring.Rules, cut time.Time) (time.Time, scoring.Score, bool) {
	check := func(at time.Time) (scoring.Score, bool) {
		sc := scoring.Evaluate(d, upTo(touches, at), rules, at)
		return sc, sc.Band == scoring.BandNotGoodMoney
	}
	if sc, ok := check(d.CreatedAt); ok {
		return d.CreatedAt, sc, true
	}
	for i := range touches {
		at := touches[i].OccurredAt
		if at.After(cut) {
			break
		}
		if i+1 < len(touches) && touches[i+1].OccurredAt.Equal(at) {
			continue // score once after every touch of the same moment
		}
		if at.Before(d.CreatedAt) {
			continue
		}
		if sc, ok := check(at); ok {
			return at, sc, true
		}
	}
	if sc, ok := check(cut); ok {
		return cut, sc, true
	}
	return time.Time{}, scoring.Score{}, false
}

// upTo returns the touches (oldest first) at or before at.
func upTo(touches []scoring.Touch, at time.Time) []scoring.Touch {
	n, _ := slices.BinarySearchFunc(touches, at, func(t scoring.Touch, at time.Time) int {
		if t.OccurredAt.After(at) {
			return 1
		}
		return -1
	})
	return touches[:n]
}

// minutesUntil sums the time of the touches after from (exclusive; zero
// for all) and before to (exclusive: a touch at the close, such as the
// walk-away message, is the closing itself), by scoring.TouchMinutes, the
// rule the walk-away records its freed time with. The back-test's touches
// come from the scoring index and carry no logged durations, so calls and
// meetings count at their kind's set time.
func minutesUntil(touches []scoring.Touch, from, to time.Time) int {
	n := 0
	for i := range touches {
		t := &touches[i]
		if !t.OccurredAt.Before(to) || (!from.IsZero() && !t.OccurredAt.After(from)) {
			continue
		}
		n += scoring.TouchMinutes(t.Kind, nil)
	}
	return n
}

// Row is one closed deal in the report: who, what it was worth, how it
// ended and how the rules saw it.
type Row struct {
	DealID    int64
	Title     string
	Prospect  string
	OwnerID   int64
	Owner     string
	Stage     string
	Amount    money.Cents
	Currency  string
	CreatedAt time.Time
	ClosedAt  time.Time
	Reasons   []string // the reasons its last close gave
	// FreedMinutes is the time a walk-away recorded as freed (what the
	// deal had taken when the rep let it go); nil for deals closed
	// otherwise, or walked away from before it was recorded.
	FreedMinutes *int
	Reached      string // the furthest open stage the deal reached
	// StageDays is the time spent in each open stage, by pipeline order
	// (lead, qualified, proposal, negotiation).
	StageDays [4]float64
	CameBack  bool
	Assessment
}

// Walk records one stage change of the deal, from the stage it was in
// since the previous change (or its creation) to the stage it entered at:
// the time spent in an open stage, and the furthest open stage reached.
func (r *Row) Walk(from string, since time.Time, to string, at time.Time) {
	if i := slices.Index(OpenStages, from); i >= 0 && at.After(since) {
		r.StageDays[i] += at.Sub(since).Hours() / 24
	}
	if i := slices.Index(OpenStages, to); i > slices.Index(OpenStages, r.Reached) {
		r.Reached = to
	}
}
