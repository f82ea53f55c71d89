package outcomes

import (
	"cmp"
	"slices"
	"strconv"
	"time"
)

// FunnelStages are the steps of the funnel, in order.
var FunnelStages = []string{"lead", "qualified", "proposal", "negotiation", "won"}

// Step is one stage of the funnel: the closed deals that reached it, and
// the share of the previous step's deals that did.
type Step struct {
	Stage      string
	Deals      int
	Conversion float64 // 1 for the first step; 0 when the previous had none
}

// Funnel counts the closed deals that reached each stage. A won deal
// reached every stage, whichever it skipped.
func Funnel(rows []Row) []Step {
	steps := make([]Step, len(FunnelStages))
	for i, st := range FunnelStages {
		steps[i].Stage = st
	}
	for i := range rows {
		r := &rows[i]
		top := slices.Index(FunnelStages, r.Reached)
		if r.Stage == "won" {
			top = len(FunnelStages) - 1
		}
		for j := 0; j <= top; j++ {
			steps[j].Deals++
		}
	}
	for i := range steps {
		switch {
		case i == 0:
			steps[i].Conversion = 1
		case steps[i-1].Deals > 0:
			steps[i].Conversion = float64(steps[i].Deals) / float64(steps[i-1].Deals)
		}
	}
	if steps[0].Deals == 0 {
		steps[0].Conversion = 0
	}
	return steps
}

// Week is the flags first raised in one week (Monday first), by how the
// flagged deals ended, indexed as Classes.
type Week struct {
	Start   time.Time
	ByClass [5]int
}

// Total is the week's flags.
func (w Week) Total() int {
	n := 0
	for _, c := range w.ByClass {
		n += c
	}
	return n
}

// FlagWeeks counts the flagged deals by the week of their first flag, every
// week from the first to the last present (empty weeks included so the
// time axis is true).
func FlagWeeks(rows []Row, loc *time.Location) []Week {
	byWeek := map[time.Time]*Week{}
	var first, last time.Time
	for i := range rows {
		r := &rows[i]
		if !r.Flagged() {
			continue
		}
		at := r.FirstFlag
		if at.IsZero() {
			at = r.Cut
		}
		ws := weekStart(at, loc)
		w := byWeek[ws]
		if w == nil {
			w = &Week{Start: ws}
			byWeek[ws] = w
		}
		w.ByClass[ClassIndex(r.Class)]++
		if first.IsZero() || ws.Before(first) {
			first = ws
		}
		if ws.After(last) {
			last = ws
		}
	}
	var out []Week
	for ws := first; !first.IsZero() && !ws.After(last); ws = ws.AddDate(0, 0, 7) {
		if w := byWeek[ws]; w != nil {
			out = append(out, *w)
		} else {
			out = append(out, Week{Start: ws})
		}
	}
	return out
}

// Month is a month's walk-aways and the hours they freed.
type Month struct {
	Start     time.Time
	WalkAways int
	Hours     float64
	// Estimated is how many of the walk-aways had no recorded time and
	// were estimated from their touches (see Row.Freed).
	Estimated int
}

// Freed is the time walking away from the deal freed, in minutes: what the
// walk-away recorded (the time the deal had taken by then), or for a deal
// walked away from before that was recorded, the same sum estimated from
// its touches before the close. recorded says which; a deal not walked
// away from freed nothing.
func (r *Row) Freed() (minutes int, recorded bool) {
	if r.Stage != "disqualified" {
		return 0, false
	}
	if r.FreedMinutes != nil {
		return *r.FreedMinutes, true
	}
	return r.Minutes, false
}

// HoursFreed sums, per month of closing, the time the walk-aways had taken
// when the rep let them go (Row.Freed): the hours that go to other deals
// instead, as the deal page and the digest count them. Every month from
// the first walk-away to the last is present.
func HoursFreed(rows []Row, loc *time.Location) []Month {
	byMonth := map[time.Time]*Month{}
	var first, last time.Time
	for i := range rows {
		r := &rows[i]
		if r.Stage != "disqualified" {
			continue
		}
		ms := monthStart(r.ClosedAt, loc)
		m := byMonth[ms]
		if m == nil {
			m = &Month{Start: ms}
			byMonth[ms] = m
		}
		minutes, recorded := r.Freed()
		m.WalkAways++
		m.Hours += float64(minutes) / 60
		if !recorded {
			m.Estimated++
		}
		if first.IsZero() || ms.Before(first) {
			first = ms
		}
		if ms.After(last) {
			last = ms
		}
	}
	var out []Month
	for ms := first; !first.IsZero() && !ms.After(last); ms = ms.AddDate(0, 1, 0) {
		if m := byMonth[ms]; m != nil {
			out = append(out, *m)
		} else {
			out = append(out, Month{Start: ms})
		}
	}
	return out
}

// Tally is deals split by how they ended: won (either class), lost, and
// walked away from (disqualified or came back).
type Tally struct {
	Won, Lost, WalkedAway Cell
}

func (t *Tally) add(r *Row) {
	switch {
	case r.Class.Won():
		t.Won.add(r)
	case r.Class == Lost:
		t.Lost.add(r)
	default:
		t.WalkedAway.add(r)
	}
}

// Total is every deal of the tally.
func (t Tally) Total() Cell {
	return Cell{Deals: t.Won.Deals + t.Lost.Deals + t.WalkedAway.Deals, Money: t.Won.Money + t.Lost.Money + t.WalkedAway.Money}
}

// Group is a tally under a name: a close reason, a rep or a stage.
type Group struct {
	Key, Name string
	Tally
}

// WinLoss is why and where deals were won, lost or walked away from.
type WinLoss struct {
	Reasons []Group // by close reason, most deals first
	Reps    []Group // by owner, most deals first
	Reached []Group // by furthest open stage reached, in pipeline order
	// StageDays is the median days spent in each open stage by the won and
	// by the lost deals that were in it (indexed as the four open stages);
	// StageDeals how many deals each median is over.
	WonStageDays, LostStageDays   [4]float64
	WonStageDeals, LostStageDeals [4]int
	// WalkAways is the deals walked away from (still disqualified, or come
	// back and reopened since); CameBackDeals how many of them the prospect
	// came back on, and Became what those deals are now.
	WalkAways, CameBackDeals int
	Became                   []Group
}

// CameBackRate is the share of walk-aways that came back; 0 without any.
func (w WinLoss) CameBackRate() float64 {
	if w.WalkAways == 0 {
		return 0
	}
	return float64(w.CameBackDeals) / float64(w.WalkAways)
}

// OpenStages are the stages a deal passes before it closes.
var OpenStages = []string{"lead", "qualified", "proposal", "negotiation"}

// NoReason is the group of deals closed without a reason.
const NoReason = "(no reason given)"

// AnalyzeWinLoss groups the rows. Came-back deals that were reopened and
// closed again are counted by their final stage; Became lists them.
func AnalyzeWinLoss(rows []Row) WinLoss {
	var w WinLoss
	reasons, reps, reached, became := groups{}, groups{}, groups{}, groups{}
	var wonDays, lostDays [4][]float64
	for i := range rows {
		r := &rows[i]
		if len(r.Reasons) == 0 {
			reasons.get(NoReason, NoReason).add(r)
		}
		for _, reason := range r.Reasons {
			reasons.get(reason, reason).add(r)
		}
		reps.get(strconv.FormatInt(r.OwnerID, 10), r.Owner).add(r)
		reached.get(r.Reached, r.Reached).add(r)
		for s := range r.StageDays {
			if r.StageDays[s] <= 0 {
				continue // never in that stage (or passed straight through)
			}
			switch {
			case r.Class.Won():
				wonDays[s] = append(wonDays[s], r.StageDays[s])
			case r.Class == Lost:
				lostDays[s] = append(lostDays[s], r.StageDays[s])
			}
		}
		if r.Class == Disqualified || r.CameBack { // a walk-away, even if reopened since
			w.WalkAways++
		}
		if r.CameBack {
			w.CameBackDeals++
			became.get(string(r.Class), r.Class.Label()).add(r)
		}
	}
	for s := range wonDays {
		w.WonStageDays[s], w.LostStageDays[s] = Median(wonDays[s]), Median(lostDays[s])
		w.WonStageDeals[s], w.LostStageDeals[s] = len(wonDays[s]), len(lostDays[s])
	}
	w.Reasons, w.Reps, w.Became = reasons.byDeals(), reps.byDeals(), became.byDeals()
	for _, st := range OpenStages {
		if g := reached[st]; g != nil {
			w.Reached = append(w.Reached, *g)
		}
	}
	return w
}

type groups map[string]*Group

func (g groups) get(key, name string) *Tally {
	if x := g[key]; x != nil {
		return &x.Tally
	}
	x := &Group{Key: key, Name: name}
	g[key] = x
	return &x.Tally
}

func (g groups) byDeals() []Group {
	out := make([]Group, 0, len(g))
	for _, x := range g {
		out = append(out, *x)
	}
	slices.SortFunc(out, func(a, b Group) int {
		if c := cmp.Compare(b.Total().Deals, a.Total().Deals); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out
}
