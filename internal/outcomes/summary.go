package outcomes

import (
	"math"
	"slices"
	"time"

	"goodmoney/internal/money"
	"goodmoney/internal/scoring"
)

// Cell is a count of deals and their money.
type Cell struct {
	Deals int
	Money money.Cents
}

func (c *Cell) add(r *Row) {
	c.Deals++
	c.Money += r.Amount
}

// Summary is the back-test's figures over a set of rows.
type Summary struct {
	Deals    int // closed deals in the period
	Unscored int // of them, younger than the cut: left out of every figure below
	Scored   int

	// Table is the confusion table: band at the cut × outcome, indexed as
	// Bands and Classes.
	Table    [3][5]Cell
	ByBand   [3]Cell
	ByClass  [5]Cell
	Flagged  int // scored deals in the not-good-money band at the cut
	Bad      int // scored deals that ended other than good money
	Caught   int // flagged and bad: the flags that were right
	Missed   int // bad but not flagged
	Wrong    int // flagged but good money
	Precise  bool
	Recalled bool
	// Precision is Caught / Flagged, Recall Caught / Bad; each is valid
	// only when its Precise or Recalled is true (a denominator above zero).
	Precision, Recall float64

	// LeadDays is the median days from the first flag to the close over
	// the flagged deals; LeadDeals how many it is taken over.
	LeadDays  float64
	LeadDeals int
	// HoursIgnored is the estimated time spent after the first flag on
	// flagged deals that ended badly: what ignoring the flag cost.
	HoursIgnored float64
	// WonFlagged is the money won on flagged deals (and how many): what
	// walking away at the flag would have cost.
	WonFlagged Cell
	// GoodFlagged is the part of WonFlagged that was good money.
	GoodFlagged Cell
}

// BandIndex and ClassIndex place a band and a class in Summary.Table.
func BandIndex(b scoring.Band) int { return max(0, slices.Index(Bands, b)) }

// ClassIndex places a class in Summary.Table.
func ClassIndex(c Class) int { return max(0, slices.Index(Classes, c)) }

// Summarize counts the figures of rows.
func Summarize(rows []Row) Summary {
	var s Summary
	var lead []float64
	for i := range rows {
		r := &rows[i]
		s.Deals++
		if !r.Scored {
			s.Unscored++
			continue
		}
		s.Scored++
		b, c := BandIndex(r.Band), ClassIndex(r.Class)
		s.Table[b][c].add(r)
		s.ByBand[b].add(r)
		s.ByClass[c].add(r)
		flagged, bad := r.Flagged(), r.Class.Bad()
		switch {
		case flagged && bad:
			s.Caught++
			s.HoursIgnored += float64(r.MinutesAfterFlag) / 60
		case flagged:
			s.Wrong++
		case bad:
			s.Missed++
		}
		if flagged {
			s.Flagged++
			if !r.FirstFlag.IsZero() {
				lead = append(lead, r.ClosedAt.Sub(r.FirstFlag).Hours()/24)
			}
			if r.Class.Won() {
				s.WonFlagged.add(r)
			}
			if r.Class == GoodMoney {
				s.GoodFlagged.add(r)
			}
		}
		if bad {
			s.Bad++
		}
	}
	if s.Flagged > 0 {
		s.Precise, s.Precision = true, float64(s.Caught)/float64(s.Flagged)
	}
	if s.Bad > 0 {
		s.Recalled, s.Recall = true, float64(s.Caught)/float64(s.Bad)
	}
	s.LeadDeals = len(lead)
	s.LeadDays = Median(lead)
	return s
}

// Median is the middle value of xs (the mean of the two middle ones for an
// even count), 0 for none. xs is sorted in place.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// Set names a set of rows behind one figure of the report, so every number
// links to its deals.
type Set struct {
	Band  scoring.Band // with Class: one cell of the table; alone: a band's row
	Class Class        // alone: an outcome's column
	// Kind selects the rows behind a figure: flagged, bad, caught, missed,
	// wrong, won_flagged, good_flagged, unscored.
	Kind string
	// Reason, OwnerID and Reached select the win/loss groups: a close
	// reason (NoReason for none), a rep, the furthest stage reached. They
	// count every closed deal, scored or not, and take Kind won, lost or
	// walked (disqualified or came back) for a column of the tally.
	Reason  string
	OwnerID int64
	Reached string
}

// SetKinds lists the figures a Set.Kind may name.
var SetKinds = []string{"flagged", "bad", "caught", "missed", "wrong", "won_flagged", "good_flagged", "unscored"}

// IsZero reports whether the set names nothing.
func (s Set) IsZero() bool { return s == Set{} }

// Has reports whether r belongs to the set.
func (s Set) Has(r *Row) bool {
	if s.Reason != "" || s.OwnerID != 0 || s.Reached != "" {
		return s.hasGroup(r)
	}
	if s.Kind == "unscored" {
		return !r.Scored
	}
	if !r.Scored {
		return false
	}
	if s.Band != "" && r.Band != s.Band || s.Class != "" && r.Class != s.Class {
		return false
	}
	flagged, bad := r.Flagged(), r.Class.Bad()
	switch s.Kind {
	case "flagged":
		return flagged
	case "bad":
		return bad
	case "caught":
		return flagged && bad
	case "missed":
		return bad && !flagged
	case "wrong":
		return flagged && !bad
	case "won_flagged":
		return flagged && r.Class.Won()
	case "good_flagged":
		return flagged && r.Class == GoodMoney
	}
	return true
}

func (s Set) hasGroup(r *Row) bool {
	if s.OwnerID != 0 && r.OwnerID != s.OwnerID || s.Reached != "" && r.Reached != s.Reached {
		return false
	}
	if s.Class != "" && r.Class != s.Class {
		return false
	}
	switch s.Kind {
	case "won":
		if !r.Class.Won() {
			return false
		}
	case "lost":
		if r.Class != Lost {
			return false
		}
	case "walked":
		if r.Class != Disqualified && r.Class != CameBack {
			return false
		}
	}
	switch {
	case s.Reason == NoReason:
		return len(r.Reasons) == 0
	case s.Reason != "":
		return slices.Contains(r.Reasons, s.Reason)
	}
	return true
}

// Select returns the rows of the set, in the order given.
func Select(rows []Row, s Set) []Row {
	var out []Row
	for i := range rows {
		if s.Has(&rows[i]) {
			out = append(out, rows[i])
		}
	}
	return out
}

// Comparison is the back-test of proposed rules next to the rules in
// force, over the same deals: the settings preview shows it.
type Comparison struct {
	Current, Proposed Summary
	// Changed is how many scored deals would be in another band at their
	// cut; NewlyFlagged and Unflagged split the flag changes.
	Changed, NewlyFlagged, Unflagged int
}

// Compare sums up two back-tests of the same deals (in the same order).
func Compare(current, proposed []Row) Comparison {
	c := Comparison{Current: Summarize(current), Proposed: Summarize(proposed)}
	for i := range min(len(current), len(proposed)) {
		a, b := &current[i], &proposed[i]
		if a.Band != b.Band {
			c.Changed++
		}
		switch {
		case b.Flagged() && !a.Flagged():
			c.NewlyFlagged++
		case a.Flagged() && !b.Flagged():
			c.Unflagged++
		}
	}
	return c
}

// Round2 rounds a fraction to two places, as data-precision and
// data-recall show it.
func Round2(x float64) float64 { return math.Round(x*100) / 100 }

// weekStart is the Monday 00:00 of t's week in loc.
func weekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	d := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, loc)
}

func monthStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
}
