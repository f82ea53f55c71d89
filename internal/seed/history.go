package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
)

// The demo's closed history: a year of deals won, lost and walked away
// from, so the outcomes report has something true to say on `make run`.
// Each story is a pattern of touches before the close that a sales manager
// recognises; the flags catch most of the bad endings, miss a few (a loss
// to a competitor looks healthy until the end) and raise a few that turn
// out fine (a demanding customer who still pays well). Fewer than 20 deals
// are won, so the org keeps the fallback effort bar the open demo deals
// are written for (see postgres.MinWonDeals).

// story is one kind of closed deal.
type story struct {
	name       string
	stage      string   // won, lost or disqualified
	reasons    []string // close reasons, worded as the close and walk-away forms offer them
	margin     float64  // (amount − cost) / amount
	discount   float64  // (list − amount) / list
	promise    bool
	reached    string // furthest open stage
	touches    []storyTouch
	cameBackOf int // every n-th walk-away of this story came back; 0 never
}

// storyTouch is a touch days before the deal closed, at an hour of the day.
type storyTouch struct {
	days, hour     int
	kind, dir, out string
	words          int     // inbound written replies
	quote          float64 // share of the amount quoted, quotes only
}

func o(days, hour int, kind, outcome string) storyTouch {
	return storyTouch{days: days, hour: hour, kind: kind, dir: "outbound", out: outcome}
}

func i(days, hour int, kind string, words int) storyTouch {
	return storyTouch{days: days, hour: hour, kind: kind, dir: "inbound", out: "replied", words: words}
}

func q(days int, share float64) storyTouch {
	return storyTouch{days: days, hour: 10, kind: "quote", dir: "outbound", quote: share}
}

var stories = []story{
	{name: "clean win", stage: "won", reasons: []string{"right fit", "timing"}, margin: 0.45, discount: 0.05, reached: "negotiation",
		touches: []storyTouch{o(60, 10, "call", "connected"), i(58, 11, "email", 40), o(50, 14, "meeting", "held"), q(42, 1),
			i(40, 10, "email", 35), o(30, 15, "call", "connected"), i(20, 11, "email", 28), o(8, 10, "email", "")}},
	{name: "thin, re-quoted win", stage: "won", reasons: []string{"price"}, margin: 0.08, discount: 0.32, reached: "negotiation",
		touches: []storyTouch{o(70, 10, "call", "connected"), q(62, 1.2), i(60, 16, "email", 9), q(52, 1.12), o(49, 10, "email", ""),
			q(41, 1.06), o(37, 10, "email", ""), o(33, 10, "email", ""), q(26, 1), i(16, 11, "email", 6)}},
	{name: "went silent", stage: "lost", reasons: []string{"unresponsive prospect"}, margin: 0.16, discount: 0.1, reached: "proposal",
		touches: []storyTouch{o(75, 10, "call", "connected"), i(72, 12, "email", 22), q(60, 1), o(55, 10, "email", ""), q(50, 1),
			o(45, 10, "email", ""), o(40, 14, "call", "no_answer"), q(34, 1), o(28, 10, "email", ""), o(21, 11, "voicemail", "left_voicemail")}},
	{name: "loss-maker walked away", stage: "disqualified", reasons: []string{"margin too low", "discount too deep"}, margin: -0.08, discount: 0.4,
		reached: "proposal", cameBackOf: 2,
		touches: []storyTouch{o(50, 10, "call", "connected"), q(44, 1.1), i(42, 19, "call", 0), q(35, 1), o(30, 10, "email", "")}},
	{name: "lost to a competitor", stage: "lost", reasons: []string{"competitor", "price"}, margin: 0.4, discount: 0.05, reached: "negotiation",
		touches: []storyTouch{o(55, 10, "call", "connected"), i(53, 11, "email", 30), o(45, 14, "meeting", "held"), q(38, 1),
			i(36, 10, "email", 25), o(25, 15, "call", "connected"), i(17, 11, "email", 20), i(2, 10, "email", 12)}},
	{name: "demanding but worth it", stage: "won", reasons: []string{"right fit"}, margin: 0.38, discount: 0.28, promise: true,
		reached: "negotiation",
		touches: []storyTouch{o(65, 10, "email", ""), i(64, 20, "text", 2), o(60, 15, "meeting", "no_show"), q(55, 1.1),
			i(54, 21, "text", 2), o(50, 11, "meeting", "rescheduled"), q(45, 1.05), o(42, 10, "email", ""), o(38, 10, "email", ""),
			i(36, 20, "text", 3), q(30, 1), o(25, 14, "meeting", "held")}},
	{name: "no budget this year", stage: "disqualified", reasons: []string{"no budget this year"}, margin: 0.35, discount: 0.1, reached: "qualified",
		touches: []storyTouch{o(40, 10, "call", "connected"), i(38, 12, "email", 30), o(30, 14, "meeting", "held"), i(22, 10, "email", 18)}},
}

// historyPlan is how many deals of each story the year holds.
var historyPlan = []struct{ story, n int }{{0, 10}, {1, 4}, {2, 6}, {3, 5}, {4, 6}, {5, 3}, {6, 3}}

var (
	historyFirst = []string{"Alder", "Beacon", "Cobalt", "Delta", "Ember", "Fairway", "Glacier", "Harvest", "Iron", "Juniper",
		"Kestrel", "Linden", "Meridian", "Northstar", "Oakridge", "Prairie", "Quarry", "Riverbend", "Sterling", "Tidewater"}
	historySecond = []string{"Foods", "Clinics", "Freight", "Builders", "Hotels", "Labs", "Dental", "Logistics", "Schools", "Retail"}
	historyWhat   = []string{"annual licence", "rollout", "pilot", "renewal", "expansion", "starter bundle"}
)

// closedHistory inserts the closed deals of the past year for the demo reps.
func (d *demo) closedHistory(ctx context.Context) error {
	loc, err := time.LoadLocation(d.org.Timezone)
	if err != nil {
		return err
	}
	now := d.db.Now().In(loc)
	reps := []string{"rep@example.com", "rep2@example.com", "rep3@example.com", "rep4@example.com"}
	rnd := rand.New(rand.NewPCG(14, 2026))
	var order []int
	for _, p := range historyPlan {
		for range p.n {
			order = append(order, p.story)
		}
	}
	rnd.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
	walkAways := map[int]int{}
	deals := make([]postgres.ClosedDeal, 0, len(order))
	for n, si := range order {
		s := &stories[si]
		owner := d.users[reps[n%len(reps)]]
		closeDaysAgo := 12 + n*330/len(order)
		name := historyFirst[n%len(historyFirst)] + " " + historySecond[(n*7)%len(historySecond)]
		title := name + " — " + historyWhat[n%len(historyWhat)]
		amount := float64(8+rnd.IntN(40)) * 1000
		cameBack := false
		if s.stage == pipeline.StageDisqualified {
			walkAways[si]++
			cameBack = s.cameBackOf > 0 && walkAways[si]%s.cameBackOf == 0
		}
		deals = append(deals, closedDeal(owner.ID, name, title, s, amount, closeDaysAgo, cameBack, now))
	}
	if err := d.db.InsertClosedDeals(ctx, d.org.ID, deals); err != nil {
		return fmt.Errorf("demo history: %w", err)
	}
	return nil
}

// closedDeal is one closed deal of a story, with its prospect, touches and
// stage walk.
func closedDeal(ownerID int64, name, title string, s *story, amount float64, closeDaysAgo int, cameBack bool, now time.Time) postgres.ClosedDeal {
	first := s.touches[0].days + 3
	d := postgres.ClosedDeal{
		OwnerID: ownerID, Prospect: name, Website: strings.ToLower(strings.ReplaceAll(name, " ", "")) + ".example",
		Title: title, Stage: s.stage, Amount: cents(amount), ListPrice: cents(amount / (1 - s.discount)),
		Cost: cents(amount * (1 - s.margin)), FuturePromise: s.promise, CloseReasons: s.reasons,
		CreatedAt: workday(now, closeDaysAgo+first, 9, 0), ClosedAt: workday(now, closeDaysAgo, 16, 30),
	}
	if cameBack {
		at := workday(now, max(1, closeDaysAgo-20), 10, 15)
		d.CameBackAt = &at
	}
	for _, t := range s.touches {
		ct := postgres.ClosedTouch{Kind: t.kind, Direction: t.dir, Outcome: t.out, At: workday(now, closeDaysAgo+t.days, t.hour, 5)}
		if t.kind == "quote" {
			ct.Quote = optCents(amount * t.quote)
		}
		if t.dir == "inbound" && (t.kind == "email" || t.kind == "text") {
			ct.Words = &t.words
		}
		d.Touches = append(d.Touches, ct)
	}
	if d.CameBackAt != nil {
		words := 14
		d.Touches = append(d.Touches, postgres.ClosedTouch{Kind: "email", Direction: "inbound", Outcome: "replied", At: *d.CameBackAt, Words: &words})
	}
	d.Walk = walk(s, d.CreatedAt, d.ClosedAt)
	return d
}

// walk is the deal's stage walk: opened as a lead, through the open stages
// up to the one the story reached at even steps, then closed.
func walk(s *story, created, closed time.Time) []postgres.StageStep {
	var stages []string
	for _, st := range pipeline.OpenStages {
		stages = append(stages, st)
		if st == s.reached {
			break
		}
	}
	stages = append(stages, s.stage)
	steps := make([]postgres.StageStep, len(stages))
	for n, st := range stages {
		at := created.Add(closed.Sub(created) * time.Duration(n) / time.Duration(len(stages)-1))
		at = workday(at, 0, 16, 30)
		if n == 0 {
			at = created
		}
		if n == len(stages)-1 {
			at = closed
		}
		steps[n] = postgres.StageStep{Stage: st, At: at}
	}
	return steps
}
