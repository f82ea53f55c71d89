package seed

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"goodmoney/internal/password"
	"goodmoney/internal/postgres"
)

// This file builds the benchmark org: a mid-size sales floor after a year of
// work, generated from a seed number and loaded with COPY. Everything about
// an entity (a prospect, a deal, a deal's touches) is drawn from a random
// stream keyed by the seed and the entity's number, so the data does not
// depend on the order in which the loader asks for it, and the same seed
// always gives the same rows.

// BenchOrgName names the benchmark org; Large refuses to run when it exists.
const BenchOrgName = "Bench Corp"

// Benchmark logins; every one has the DemoPassword.
const (
	BenchAdminEmail = "admin@bench.example"
	BenchTimezone   = "America/New_York"
)

// BenchRepEmail returns the login of rep n, from 1.
func BenchRepEmail(n int) string { return fmt.Sprintf("rep%d@bench.example", n) }

// BenchManagerEmail returns the login of the manager of team n, from 1.
func BenchManagerEmail(n int) string { return fmt.Sprintf("manager%d@bench.example", n) }

// ErrBenchOrgExists is returned by Large when the database already holds the benchmark org.
var ErrBenchOrgExists = errors.New("the benchmark org " + BenchOrgName + " exists already")

// LargeOptions sizes the benchmark org. A zero size takes its default: the
// full sizes of LargeDefaults when every size is zero, else one derived from
// the sizes given (2.5 contacts per prospect, 24 % of deals open).
type LargeOptions struct {
	Seed      uint64
	Reps      int // spread evenly over Teams; every team has its own manager
	Teams     int
	Prospects int
	Contacts  int
	Deals     int
	OpenDeals int
	Touches   int
	Days      int       // length of the history
	Now       time.Time // end of the history; zero means the current hour
	// Progress receives a line per phase and a progress line every few
	// seconds; nil discards them.
	Progress io.Writer
	// Rescore scores the org's open deals once the data is in; nil leaves
	// the deals unscored.
	Rescore func(ctx context.Context, orgID int64) error
}

// LargeDefaults are the sizes of `goodmoney seed --size large`.
var LargeDefaults = LargeOptions{
	Reps: 500, Teams: 50, Prospects: 100_000, Contacts: 250_000,
	Deals: 250_000, OpenDeals: 60_000, Touches: 5_000_000, Days: 365,
}

func (o LargeOptions) withDefaults() LargeOptions {
	if o.Reps == 0 && o.Teams == 0 && o.Prospects == 0 && o.Deals == 0 && o.Touches == 0 {
		d := LargeDefaults
		o.Reps, o.Teams, o.Prospects, o.Contacts = d.Reps, d.Teams, d.Prospects, d.Contacts
		o.Deals, o.OpenDeals, o.Touches = d.Deals, d.OpenDeals, d.Touches
	}
	o.Teams = max(o.Teams, 1)
	o.Reps = max(o.Reps, o.Teams)
	o.Prospects = max(o.Prospects, 1)
	o.Deals = max(o.Deals, 1)
	if o.Contacts < o.Prospects {
		o.Contacts = o.Prospects * 5 / 2
	}
	if o.OpenDeals == 0 || o.OpenDeals > o.Deals {
		o.OpenDeals = o.Deals * 6 / 25
	}
	if o.Touches < 2*o.Deals {
		o.Touches = 20 * o.Deals
	}
	if o.Days < 60 {
		o.Days = 365
	}
	if o.Now.IsZero() {
		o.Now = time.Now().Truncate(time.Hour)
	}
	return o
}

// LargeStats reports what Large loaded and how long each part took.
type LargeStats struct {
	OrgID                                       int64
	Users, Teams, Prospects, Contacts           int
	Deals, OpenDeals, StageChanges, Touches     int
	Generate, Load, Check, Vacuum, Score, Total time.Duration
}

// Large creates the benchmark org described by opts (see LargeOptions) in
// one go: people, prospects and contacts, deals with their stage history and
// touches, then scores the open deals and refreshes the planner statistics.
// It returns ErrBenchOrgExists when the org is there already.
//
// Rows are streamed to COPY on two connections at once; the touches of each
// connection come in time order, as a year of logging would have written
// them. When the database role may do so, the loading sessions skip the
// row-by-row foreign-key triggers and the same constraints are then checked
// set-wise by one query per table (see checkReferences): the result is the
// same guarantee for a fraction of the time.
func Large(ctx context.Context, db *postgres.DB, opts LargeOptions) (*LargeStats, error) {
	start := time.Now()
	opts = opts.withDefaults()
	out := opts.Progress
	if out == nil {
		out = io.Discard
	}
	var exists bool
	if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM orgs WHERE name = $1)`, BenchOrgName).Scan(&exists); err != nil {
		return nil, fmt.Errorf("look for the benchmark org: %w", err)
	}
	if exists {
		return nil, ErrBenchOrgExists
	}
	loc, err := time.LoadLocation(BenchTimezone)
	if err != nil {
		return nil, err
	}
	g := &largeGen{opts: opts, loc: loc, now: opts.Now.In(loc)}
	if g.hash, err = password.Hash(DemoPassword); err != nil {
		return nil, err
	}
	g.plan()
	stats := &LargeStats{
		Users: 1 + opts.Teams + opts.Reps, Teams: opts.Teams, Prospects: opts.Prospects, Contacts: g.contactTotal,
		Deals: opts.Deals, OpenDeals: opts.OpenDeals, StageChanges: g.stageChanges, Touches: g.touchTotal,
		Generate: time.Since(start),
	}
	fmt.Fprintf(out, "seed: planned %d reps, %d prospects, %d deals (%d open), %d touches in %s\n",
		opts.Reps, opts.Prospects, opts.Deals, opts.OpenDeals, g.touchTotal, round(stats.Generate))

	phase := time.Now()
	if err := g.load(ctx, db.Pool, out); err != nil {
		return nil, err
	}
	stats.OrgID = g.orgID
	stats.Load = time.Since(phase)
	fmt.Fprintf(out, "seed: loaded in %s\n", round(stats.Load))

	// VACUUM sets hint bits and the visibility map as autovacuum soon would,
	// so that the first readers do not pay for writing them, and ANALYZE
	// gives the planner the statistics the checks and the scoring need.
	phase = time.Now()
	vacuum := func(tables ...string) func() error {
		return func() error {
			for _, t := range tables {
				if _, err := db.Pool.Exec(ctx, "VACUUM (ANALYZE) "+t); err != nil {
					return fmt.Errorf("vacuum %s: %w", t, err)
				}
			}
			return nil
		}
	}
	if err := twoAtATime(vacuum("touches"), vacuum("users", "teams", "prospects", "contacts", "deals", "deal_stage_changes")); err != nil {
		return nil, err
	}
	stats.Vacuum = time.Since(phase)
	fmt.Fprintf(out, "seed: vacuumed and analyzed in %s\n", round(stats.Vacuum))

	// After ANALYZE: without statistics the planner took the check's joins
	// for small ones and ran them as nested loops (33 s once, 9 s with them).
	if g.skippedTriggers {
		phase = time.Now()
		if err := g.checkReferences(ctx, db.Pool); err != nil {
			return nil, err
		}
		stats.Check = time.Since(phase)
		fmt.Fprintf(out, "seed: references checked in %s\n", round(stats.Check))
	}

	if opts.Rescore != nil {
		phase = time.Now()
		if err := opts.Rescore(ctx, g.orgID); err != nil {
			return nil, fmt.Errorf("score the benchmark org: %w", err)
		}
		for _, t := range []string{"deal_scores", "flags"} {
			if _, err := db.Pool.Exec(ctx, "ANALYZE "+t); err != nil {
				return nil, fmt.Errorf("analyze %s: %w", t, err)
			}
		}
		stats.Score = time.Since(phase)
		fmt.Fprintf(out, "seed: scored open deals in %s\n", round(stats.Score))
	}
	stats.Total = time.Since(start)
	fmt.Fprintf(out, "seed: %s done in %s\n", BenchOrgName, round(stats.Total))
	return stats, nil
}

func round(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }

// Random streams: every entity draws from its own stream, keyed by kind and number.
const (
	streamProspect uint64 = iota + 1
	streamDeal
	streamTouches
	streamStages
	streamPeople
)

func newRand(seed, stream uint64, n int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream<<40|uint64(n)))
}

// Stages by index, in pipeline order; the first four are open.
var stageNames = [...]string{"lead", "qualified", "proposal", "negotiation", "won", "lost", "disqualified"}

const (
	stageNegotiation = 3
	stageWon         = 4
	stageLost        = 5
	stageDisq        = 6
)

// A persona is the story of a deal. Healthy deals are answered, quoted once
// or twice and priced with margin; watch personas carry one weak signal;
// the flag personas are the patterns the product exists to catch, each
// strong enough on its own to reach the not-good-money band.
type persona uint8

const (
	healthy persona = iota
	watchMargin
	watchQuotes
	watchNoShow
	watchEvening
	watchDiscount
	flagTriad    // thin margin + unanswered chases + the same quote again
	flagLoss     // selling below cost
	flagSpiral   // quote after falling quote, deep discount, then silence
	flagEvening  // replies at dinner in one word, meetings missed, promises
	flagSilent   // very thin margin and a prospect gone quiet
	personaCount // not a persona
)

// flags reports whether the persona is one of the not-good-money stories.
func (p persona) flags() bool { return p >= flagTriad }

// minTouches is the least history a persona needs to tell its story.
var minTouches = [personaCount]int{2, 2, 6, 4, 6, 2, 9, 2, 15, 15, 9}

// dealPlan is a deal's header: enough to write its row and to regenerate
// its touches and stage history from their random streams.
type dealPlan struct {
	id         int64 // position in creation order; the row's id is dealBase + id
	plan       int   // number of the deal's random streams
	prospect   int32
	owner      int32 // rep number, from 0
	stage      uint8
	top        uint8 // furthest open stage reached
	persona    persona
	promise    bool
	created    time.Time
	end        time.Time // close, or the present for open deals
	amount     int64
	list, cost int64 // 0 when not entered
	touches    int
	lastTouch  time.Time
	stageRows  int
}

// prospectPlan is what deals need to know about their prospect.
type prospectPlan struct {
	name     string
	owner    int32
	contact0 int64 // position of its first contact; the row's id is contactBase + contact0
	contacts int32
}

// largeGen generates and loads the benchmark org. Ids are positions until
// load reserves the blocks of ids they are added to (the *Base fields).
type largeGen struct {
	opts LargeOptions
	loc  *time.Location
	now  time.Time
	hash string

	prospects    []prospectPlan
	deals        []dealPlan // in order of creation, which is id order
	stageChanges int
	contactTotal int // what the allocations gave: the sizes asked for unless
	touchTotal   int // the per-item minimums needed more

	orgID                                         int64
	userBase, teamBase, prospectBase, contactBase int64
	dealBase, stageBase, touchBase                int64
	skippedTriggers                               bool
	// Rows sent so far, for the progress line: prospects, contacts, deals,
	// stage changes, and the touches of each of the two streams.
	counts [6]atomic.Int64
}

func (g *largeGen) repID(rep int32) int64    { return g.userBase + 1 + int64(g.opts.Teams) + int64(rep) }
func (g *largeGen) managerID(team int) int64 { return g.userBase + 1 + int64(team) }

// plan draws every prospect and deal header. Ids are relative until load
// reserves them (it adds the bases).
func (g *largeGen) plan() {
	o := g.opts
	contactCounts := allocate(o.Contacts, o.Prospects, func(i int) (float64, int) {
		return 0.5 + newRand(o.Seed, streamProspect, i).Float64(), 1
	})
	g.prospects = make([]prospectPlan, o.Prospects)
	var c int64
	for i := range g.prospects {
		r := newRand(o.Seed, streamProspect, i)
		r.Float64() // the draw allocate used
		g.prospects[i] = prospectPlan{name: companyName(r), owner: int32(r.IntN(o.Reps)), contact0: c, contacts: int32(contactCounts[i])}
		c += int64(contactCounts[i])
	}
	g.contactTotal = int(c)

	g.deals = make([]dealPlan, o.Deals)
	for j := range g.deals {
		g.deals[j] = g.dealHeader(j)
	}
	counts := allocate(o.Touches, o.Deals, func(j int) (float64, int) {
		d := &g.deals[j]
		w := d.end.Sub(d.created).Hours() / 24 * (0.6 + 0.8*newRand(o.Seed, streamDeal, j|1<<30).Float64())
		if d.persona.flags() {
			w *= 1.4 // bad deals eat more effort: that is the point
		}
		return w, minTouches[d.persona]
	})
	for j := range g.deals {
		g.deals[j].touches = counts[j]
		g.touchTotal += counts[j]
	}
	slices.SortStableFunc(g.deals, func(a, b dealPlan) int { return a.created.Compare(b.created) })
	// Every deal's last touch, for its row and its stage history; the
	// touches themselves are drawn again when they are written.
	var wg sync.WaitGroup
	for part := range 2 {
		wg.Go(func() {
			for j := part; j < len(g.deals); j += 2 {
				d := &g.deals[j]
				ts := g.dealTouches(d)
				d.lastTouch = ts[len(ts)-1].at
				d.stageRows = len(g.stagePath(d))
			}
		})
	}
	wg.Wait()
	for j := range g.deals {
		g.deals[j].id = int64(j)
		g.stageChanges += g.deals[j].stageRows
	}
}

// allocate splits total among n items in proportion to their weights, each
// getting at least its minimum; the parts add up to total exactly when the
// minimums allow it.
func allocate(total, n int, weight func(i int) (w float64, min int)) []int {
	ws := make([]float64, n)
	parts := make([]int, n)
	sum, rest := 0.0, total
	for i := range n {
		w, m := weight(i)
		ws[i], parts[i] = max(w, 0.01), m
		sum += ws[i]
		rest -= m
	}
	rest = max(rest, 0)
	cum := 0.0
	given := 0
	for i := range n {
		cum += ws[i]
		upTo := int(math.Round(float64(rest) * cum / sum))
		if i == n-1 {
			upTo = rest
		}
		parts[i] += upTo - given
		given = upTo
	}
	return parts
}

// dealHeader draws deal number j. The first OpenDeals numbers are open.
func (g *largeGen) dealHeader(j int) dealPlan {
	o, r := g.opts, newRand(g.opts.Seed, streamDeal, j)
	d := dealPlan{plan: j, prospect: int32(r.IntN(o.Prospects))}
	d.owner = g.prospects[d.prospect].owner
	if r.IntN(100) < 15 {
		d.owner = int32(r.IntN(o.Reps))
	}
	day := 24 * time.Hour
	if j < o.OpenDeals {
		// Open deals are younger, most of them started in the last quarter.
		age := 3 + 147*math.Pow(r.Float64(), 1.5)
		d.created = g.now.Add(-time.Duration(age * float64(day)))
		d.end = g.now.Add(-time.Duration(60+r.IntN(35*60)) * time.Minute) // touched up to a day and a half ago
		d.stage = uint8(pick(r, 20, 25, 30, 25))
		d.top = d.stage
	} else {
		span := float64(o.Days - 20)
		d.created = g.now.Add(-time.Duration((20 + span*r.Float64()) * float64(day)))
		d.end = d.created.Add(time.Duration((14 + 106*r.Float64()) * float64(day)))
		d.end = minTime(d.end, g.now.Add(-day))
		d.stage = uint8(stageWon + pick(r, 40, 44, 16))
		d.top = uint8(pick(r, 15, 25, 30, 30))
		if d.stage == stageWon {
			d.top = stageNegotiation
		}
	}
	d.persona = g.dealPersona(r, &d)
	g.price(r, &d)
	return d
}

// dealPersona picks a deal's story. Flag stories need a month of history;
// won deals seldom carry one.
func (g *largeGen) dealPersona(r *rand.Rand, d *dealPlan) persona {
	long := d.end.Sub(d.created) >= 30*24*time.Hour
	flagShare := 145 // per 1000
	switch d.stage {
	case stageWon:
		flagShare = 25
	case stageLost, stageDisq:
		flagShare = 200
	}
	if long && r.IntN(1000) < flagShare {
		return flagTriad + persona(pick(r, 30, 15, 15, 20, 20))
	}
	if r.IntN(100) < 22 {
		return watchMargin + persona(r.IntN(5))
	}
	return healthy
}

// price sets amount, list price and cost to fit the persona.
func (g *largeGen) price(r *rand.Rand, d *dealPlan) {
	amount := math.Exp(math.Log(3000) + (math.Log(150000)-math.Log(3000))*r.Float64())
	d.amount = int64(amount) / 50 * 5000 // whole 50s, in cents
	discount := 0.2 * r.Float64() * r.Float64()
	margin := 0.25 + 0.4*r.Float64()
	entered := r.IntN(100) < 85
	switch d.persona {
	case watchMargin:
		margin = 0.12 + 0.07*r.Float64()
	case watchDiscount:
		discount = 0.28 + 0.1*r.Float64()
	case flagTriad:
		margin = 0.06 + 0.08*r.Float64()
	case flagLoss:
		margin = -0.04 - 0.2*r.Float64()
	case flagSpiral:
		discount = 0.42 + 0.12*r.Float64()
	case flagSilent:
		margin = 0.015 + 0.045*r.Float64()
	}
	if d.persona.flags() || d.persona == watchMargin || d.persona == watchDiscount {
		entered = true
	}
	d.promise = d.persona == flagEvening || (d.persona == watchDiscount && r.IntN(2) == 0) || r.IntN(100) < 2
	if entered {
		d.list = int64(float64(d.amount)/(1-discount)) / 100 * 100
		d.cost = int64(float64(d.amount)*(1-margin)) / 100 * 100
	}
}

// pick returns an index drawn with the given weights.
func pick(r *rand.Rand, weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// touch is one generated touch; kind, direction and outcome hold constants.
type touch struct {
	at                 time.Time
	kind, dir, outcome string
	notes              string
	duration, words    int32 // 0 = none
	quote              int64 // cents; 0 = none
	contact            int64 // relative contact id
}

// dealTouches writes the deal's history: exchanges that get answered, then,
// for the flag personas, the tail that tells their story. The tail ends nine
// days before d.end, so that for an open deal the prospect's reply window
// has closed on every chase. The result is in time order and has exactly
// d.touches touches, all between d.created and d.end.
func (g *largeGen) dealTouches(d *dealPlan) []touch {
	r := newRand(g.opts.Seed, streamTouches, d.plan)
	w := &writer{g: g, d: d, r: r, out: make([]touch, 0, d.touches)}
	const day = 24 * time.Hour
	tail := w.tailPlan()
	prefixEnd := d.end.Add(-2 * day)
	var tailStart time.Time
	var step time.Duration
	if steps := tail.steps(); steps > 0 {
		tailEnd := d.end.Add(-9 * day)
		span := min(time.Duration(steps)*84*time.Hour, d.end.Sub(d.created)*2/5)
		tailStart = tailEnd.Add(-span)
		if tail.missed+tail.replies > 0 {
			span -= silenceGap
		}
		step = span / time.Duration(steps)
		// The prospect's last answer before the tail lands well before it.
		prefixEnd = tailStart.Add(-6 * day)
	}
	w.exchanges(d.touches-tail.len(), d.created, prefixEnd)
	w.tail(tail, tailStart, step)
	out := w.out
	slices.SortStableFunc(out, func(a, b touch) int { return a.at.Compare(b.at) })
	for i := range out {
		if out[i].at.After(d.end) {
			out[i].at = d.end
		}
	}
	return out
}

// silenceGap separates a flag persona's last answers from the chases that
// follow them, wider than the reply window.
const silenceGap = 6 * 24 * time.Hour

// writer appends one deal's touches.
type writer struct {
	g      *largeGen
	d      *dealPlan
	r      *rand.Rand
	out    []touch
	quotes int
	missed int // meetings that fell through
}

func (w *writer) contact() int64 {
	p := &w.g.prospects[w.d.prospect]
	return p.contact0 + int64(w.r.IntN(int(p.contacts)))
}

func (w *writer) add(t touch) {
	t.contact = w.contact()
	w.out = append(w.out, t)
}

// workTime is t moved into the org's business hours (weekdays 9:00–17:45),
// never earlier than t.
func (w *writer) workTime(t time.Time) time.Time {
	l := t.In(w.g.loc)
	y, m, day := l.Date()
	h := l.Hour()
	switch {
	case l.Weekday() == time.Saturday:
		return w.workStart(y, m, day+2)
	case l.Weekday() == time.Sunday:
		return w.workStart(y, m, day+1)
	case h < 9:
		return w.workStart(y, m, day)
	case h >= 18 || (h == 17 && l.Minute() > 45):
		if l.Weekday() == time.Friday {
			return w.workStart(y, m, day+3)
		}
		return w.workStart(y, m, day+1)
	}
	return t
}

func (w *writer) workStart(y int, m time.Month, day int) time.Time {
	return time.Date(y, m, day, 9, w.r.IntN(150), 0, 0, w.g.loc)
}

// evening is a time between 18:30 and 21:59 on t's day (or the next day when
// t is later than that).
func (w *writer) evening(t time.Time) time.Time {
	l := t.In(w.g.loc)
	y, m, day := l.Date()
	e := time.Date(y, m, day, 18, 30+w.r.IntN(210), 0, 0, w.g.loc)
	if e.Before(t) {
		e = e.AddDate(0, 0, 1)
	}
	return e
}

// inboundTime is when a prospect answers something sent at t: within a few
// hours to three days, mostly in business hours (evenings and weekends for
// the evening personas).
func (w *writer) inboundTime(t time.Time) time.Time {
	at := t.Add(time.Duration(40+w.r.IntN(3*24*60)) * time.Minute)
	switch {
	case w.d.persona == flagEvening:
		return w.evening(at)
	case w.d.persona == watchEvening && w.r.IntN(100) < 45:
		return w.evening(at)
	case w.r.IntN(100) < 6:
		return w.evening(at)
	}
	return w.workTime(at)
}

func (w *writer) hours(t time.Time, lo, hi int) time.Time {
	return t.Add(time.Duration(lo*60+w.r.IntN((hi-lo)*60+1)) * time.Minute)
}

// exchanges writes about n touches between from and to: rounds of the rep
// reaching out and the prospect answering within the reply window.
func (w *writer) exchanges(n int, from, to time.Time) {
	if n <= 0 {
		return
	}
	if !to.After(from) {
		to = from.Add(time.Hour)
	}
	start := len(w.out)
	rounds := max(1, n*10/19)
	step := to.Sub(from) / time.Duration(rounds)
	for k := 0; len(w.out)-start < n; k++ {
		at := from.Add(step*time.Duration(k) + time.Duration(w.r.Int64N(int64(step)+1)))
		if k >= rounds { // short rounds left touches over: fit them in anywhere
			at = from.Add(time.Duration(w.r.Int64N(int64(to.Sub(from)) + 1)))
		}
		w.exchange(w.workTime(at), len(w.out)-start == 0)
	}
	w.out = w.out[:start+n]
}

// exchange writes one round starting at t.
func (w *writer) exchange(t time.Time, first bool) {
	r := w.r
	switch k := pick(r, 30, 25, 13, 9, 7, 6, 9, 6); {
	case first || k == 0: // email answered
		w.add(touch{at: t, kind: "email", dir: "outbound", notes: outboundNote(r)})
		last := t
		if r.IntN(100) < 60 {
			last = w.workTime(w.hours(t, 20, 30))
			w.add(touch{at: last, kind: pickStr(r, "text", "voicemail"), dir: "outbound", outcome: "", notes: "Following up"})
		}
		w.reply(w.inboundTime(last))
	case k == 1: // call that got through
		w.add(touch{at: t, kind: "call", dir: "outbound", outcome: "connected", duration: int32(3 + r.IntN(25)), notes: callNote(r)})
	case k == 2: // missed call, called back
		if r.IntN(2) == 0 {
			w.add(touch{at: t, kind: "call", dir: "outbound", outcome: "no_answer"})
		} else {
			w.add(touch{at: t, kind: "voicemail", dir: "outbound", outcome: "left_voicemail"})
		}
		w.add(touch{at: w.inboundTime(t), kind: "call", dir: "inbound", outcome: "connected", duration: int32(4 + r.IntN(20)), notes: callNote(r)})
	case k == 3: // meeting
		outcome := "held"
		if w.d.persona == watchNoShow && w.missed < 2 || w.missed == 0 && r.IntN(100) < 8 {
			outcome = pickStr(r, "no_show", "rescheduled")
			w.missed++
		}
		w.add(touch{at: t, kind: "meeting", dir: "outbound", outcome: outcome, duration: int32(30 + 15*r.IntN(3)), notes: "Meeting with the buying team"})
		if outcome != "held" {
			w.add(touch{at: w.hours(t, 1, 6), kind: "call", dir: "outbound", outcome: "connected", duration: 5, notes: "Rebooked the meeting"})
		}
	case k == 4: // the prospect writes first
		in := w.inboundTime(t)
		w.add(touch{at: in, kind: "email", dir: "inbound", outcome: "replied", notes: w.replyText(), words: -1})
		w.add(touch{at: w.workTime(w.hours(in, 1, 20)), kind: "call", dir: "outbound", outcome: "connected", duration: int32(5 + r.IntN(20)), notes: callNote(r)})
	case k == 5: // a quote, answered
		limit := 2
		switch w.d.persona {
		case watchQuotes:
			limit = 3
		case flagTriad, flagSpiral: // their quotes are in the tail
			limit = 0
		}
		if w.quotes >= limit {
			w.exchange(t, true)
			return
		}
		w.quotes++
		amount := w.d.amount
		if w.quotes < limit && w.d.persona != watchQuotes {
			amount = amount * int64(90+r.IntN(10)) / 100 // scope grew since: the later quote is higher
		} else if w.d.persona == watchQuotes {
			amount = amount * int64(85+5*w.quotes) / 100
		}
		w.add(touch{at: t, kind: "quote", dir: "outbound", quote: amount, notes: "Quote sent"})
		w.reply(w.inboundTime(t))
	case k == 6: // a note to self
		w.add(touch{at: t, kind: "note", dir: "outbound", notes: pickStr(r, "Budget confirmed for next quarter", "Champion is the ops director", "Legal review expected")})
	default: // texts
		w.add(touch{at: t, kind: "text", dir: "outbound", notes: "Quick question about the rollout"})
		w.reply(w.inboundTime(t))
	}
}

// reply writes the prospect's written answer at t.
func (w *writer) reply(t time.Time) {
	kind := "email"
	if w.r.IntN(100) < 25 {
		kind = "text"
	}
	w.add(touch{at: t, kind: kind, dir: "inbound", outcome: "replied", notes: w.replyText(), words: -1})
}

func (w *writer) replyText() string {
	if w.d.persona == flagEvening {
		return terseReplies[w.r.IntN(len(terseReplies))]
	}
	return fullReplies[w.r.IntN(len(fullReplies))]
}

// tailSpec is the closing pattern of a flag persona.
type tailSpec struct {
	missed  int   // meetings that fell through, each answered by a terse text
	replies int   // emails answered by terse evening replies
	quotes  int   // quotes nobody answers, the same or falling
	chases  int   // plain chases nobody answers after them
	falling bool  // each quote lower than the last, from start down to the amount
	start   int64 // first quote, cents
}

func (s tailSpec) len() int   { return 2*s.missed + 2*s.replies + s.quotes + s.chases }
func (s tailSpec) steps() int { return s.missed + s.replies + s.quotes + s.chases }

func (w *writer) tailPlan() tailSpec {
	r, d := w.r, w.d
	switch d.persona {
	case flagTriad:
		return tailSpec{quotes: 3 + r.IntN(2), chases: 1 + r.IntN(2), start: d.amount}
	case flagSpiral:
		return tailSpec{quotes: 5 + r.IntN(2), chases: 4 + r.IntN(2), falling: true, start: max(d.list, d.amount)}
	case flagEvening:
		return tailSpec{missed: 3, replies: 2, chases: 3}
	case flagSilent:
		return tailSpec{chases: 5 + r.IntN(2)}
	}
	return tailSpec{}
}

// tail writes the flag persona's closing pattern from start on, one step
// apart: terse evening answers and missed meetings, then (after a silence
// longer than the reply window) quotes and chases nobody answers.
func (w *writer) tail(s tailSpec, start time.Time, step time.Duration) {
	r := w.r
	k := 0
	next := func() time.Time {
		t := start.Add(step*time.Duration(k) + time.Duration(r.Int64N(int64(step)/2+1)))
		k++
		return w.workTime(t)
	}
	for range s.missed {
		m := next()
		w.add(touch{at: m, kind: pickStr(r, "meeting", "call"), dir: "outbound", outcome: pickStr(r, "no_show", "rescheduled", "declined"), duration: 30})
		w.add(touch{at: w.evening(m), kind: "text", dir: "inbound", outcome: "replied", notes: w.replyText(), words: -1})
	}
	for range s.replies {
		o := next()
		w.add(touch{at: o, kind: "email", dir: "outbound", notes: outboundNote(r)})
		w.add(touch{at: w.evening(o), kind: pickStr(r, "text", "email"), dir: "inbound", outcome: "replied", notes: w.replyText(), words: -1})
	}
	if s.missed+s.replies > 0 {
		start = start.Add(silenceGap)
	}
	amount := s.start
	for q := range s.quotes {
		if s.falling && q > 0 {
			amount -= (s.start - w.d.amount) / int64(s.quotes-1)
		}
		if s.falling && q == s.quotes-1 {
			amount = w.d.amount
		}
		w.add(touch{at: next(), kind: "quote", dir: "outbound", quote: amount, notes: "Revised quote sent"})
	}
	for range s.chases {
		at := next()
		switch pick(r, 50, 20, 20, 10) {
		case 0:
			w.add(touch{at: at, kind: "email", dir: "outbound", notes: "Checking in on the quote"})
		case 1:
			w.add(touch{at: at, kind: "voicemail", dir: "outbound", outcome: "left_voicemail"})
		case 2:
			w.add(touch{at: at, kind: "call", dir: "outbound", outcome: "no_answer"})
		default:
			w.add(touch{at: at, kind: "text", dir: "outbound", notes: "Any news?"})
		}
	}
}

// stageChange is one row of a deal's stage history.
type stageChange struct {
	from, to uint8 // from 255 = none
	at       time.Time
}

// stagePath is the deal's walk through the stages: from lead up to the
// furthest open stage it reached, then to its closing stage if it closed.
func (g *largeGen) stagePath(d *dealPlan) []stageChange {
	r := newRand(g.opts.Seed, streamStages, d.plan)
	closed := d.stage >= stageWon
	steps := int(d.top) + 1
	if closed {
		steps++
	}
	path := make([]stageChange, 0, steps)
	span := d.end.Sub(d.created)
	if !closed {
		span = d.lastTouch.Sub(d.created)
	}
	prev := uint8(255)
	for s := uint8(0); s <= d.top; s++ {
		at := d.created
		if s > 0 {
			frac := (float64(s) + 0.8*r.Float64() - 0.4) / float64(steps)
			at = d.created.Add(time.Duration(frac * float64(span)))
		}
		path = append(path, stageChange{from: prev, to: s, at: at})
		prev = s
	}
	if closed {
		path = append(path, stageChange{from: prev, to: d.stage, at: d.end})
	}
	return path
}

// Word banks for names and notes.
var (
	nameFirst  = strings.Fields("Acme Apex Atlas Beacon Blue Bright Cedar Clear Coastal Copper Crest Delta Eagle Echo Evergreen First Forge Frontier Golden Granite Green Harbor Highland Horizon Iron Keystone Lake Liberty Lumen Maple Meridian Metro Midwest Monarch North Northgate Oak Orchard Pacific Peak Pine Pioneer Prairie Prime Quarry Redline Ridge River Rock Sage Silver Sterling Stone Summit Sun Tidewater Trinity Union Valley Vista West Willow")
	nameTrade  = strings.Fields("Analytics Bakery Builders Clinics Construction Couriers Dental Design Distribution Electric Energy Engineering Farms Fitness Foods Freight Health Holdings Hotels Imaging Insurance Labs Landscaping Legal Logistics Machining Manufacturing Marine Media Medical Metals Motors Networks Outfitters Packaging Pharmacies Plastics Plumbing Printing Properties Realty Recycling Restaurants Retail Roofing Schools Security Software Solar Staffing Storage Supply Systems Textiles Tools Transport Travel Utilities Vineyards Wellness")
	nameSuffix = []string{"", "", "", "Inc", "LLC", "Group", "Co", "Partners", "& Sons", "Corp"}
	cities     = strings.Fields("Austin Boston Denver Fresno Omaha Portland Raleigh Reno Salem Tampa Toledo Tulsa")
	industries = []string{"Logistics", "Healthcare", "Manufacturing", "Retail", "Construction", "Education", "Food & beverage", "Hospitality", "Real estate", "Professional services", "Energy", "Technology"}
	firstNames = strings.Fields("Aaliyah Adrian Alan Alex Amara Ana Ben Beth Carla Carlos Chen Chloe Dana Daniel Diego Elena Emma Ethan Fatima Gus Hannah Hiro Irene Isaac Jamal Jana Jorge Kai Kelly Lena Leo Lina Lucas Maria Marco Maya Mei Nina Noah Olga Omar Priya Raj Rosa Ryan Sam Sara Sofia Tom Uma Victor Wei Yara Zoe")
	lastNames  = strings.Fields("Adams Baker Bellini Boyd Brooks Castro Cho Costa Diaz Evans Farrell Fischer Garcia Haddad Hale Holloway Ivanova Jensen Kim Kowalski Lee Lopez Marquez Miller Nakamura Nguyen Novak Okafor Olsen Ortiz Patel Pierce Quinn Raman Reyes Rossi Schmidt Silva Singh Smith Sullivan Tanaka Vance Walker Wang Whitfield Wright Young Zhang")
	titles     = []string{"Procurement lead", "Operations director", "Owner", "COO", "IT lead", "Office manager", "Finance manager", "Purchasing", "VP Operations", "Plant manager"}
	products   = []string{"annual renewal", "starter bundle", "pilot", "site licences", "fleet tracking", "support plan", "expansion", "multi-site rollout", "onboarding package"}

	fullReplies = []string{
		"Thanks, we will review the numbers with finance next week",
		"Great call yesterday, sending the usage figures so you can size it",
		"Received, the team likes it and we will confirm dates by Friday",
		"Can we walk through the contract terms on Thursday afternoon?",
		"Happy to talk next week, Tuesday morning suits me best",
		"Looks good overall, two small questions on the onboarding plan",
		"Finance approved the budget line, please send the paperwork",
		"We need the security questionnaire answered before we sign",
		"Could you include training for the second site in the proposal?",
		"Sorry for the delay, we were at a trade show all week",
	}
	terseReplies = []string{"ok", "busy", "not now", "send again", "maybe later", "call me", "k", "fine"}
	outNotes     = []string{"", "", "Sent the proposal", "Followed up on pricing", "Checking in on next steps", "Shared the case study", "Asked for a time to talk"}
	callNotes    = []string{"", "Walked through the rollout plan", "Discussed budget timing", "Answered questions on support", "Agreed next steps"}
)

func pickStr(r *rand.Rand, s ...string) string { return s[r.IntN(len(s))] }
func outboundNote(r *rand.Rand) string         { return outNotes[r.IntN(len(outNotes))] }
func callNote(r *rand.Rand) string             { return callNotes[r.IntN(len(callNotes))] }

func companyName(r *rand.Rand) string {
	name := pickStr(r, nameFirst...) + " " + pickStr(r, nameTrade...)
	if s := pickStr(r, nameSuffix...); s != "" {
		name += " " + s
	}
	if r.IntN(100) < 35 {
		name += " of " + pickStr(r, cities...)
	}
	return name
}

func slug(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// contactRow is one generated contact.
type contactRow struct{ name, email, phone, title string }

// prospectDetail draws the rest of prospect i's row and its contacts.
func (g *largeGen) prospectDetail(i int) (website, industry string, created time.Time, contacts []contactRow) {
	p := &g.prospects[i]
	r := newRand(g.opts.Seed, streamProspect, i|1<<30)
	website = slug(p.name) + fmt.Sprintf("%d.example", i)
	industry = pickStr(r, industries...)
	// Imported from the previous CRM before the year of history began.
	created = g.now.AddDate(0, 0, -g.opts.Days-r.IntN(90))
	contacts = make([]contactRow, p.contacts)
	for k := range contacts {
		first, last := pickStr(r, firstNames...), pickStr(r, lastNames...)
		contacts[k] = contactRow{
			name:  first + " " + last,
			email: strings.ToLower(first+"."+last) + "@" + website,
			phone: fmt.Sprintf("+1 555 %04d", r.IntN(10000)),
			title: pickStr(r, titles...),
		}
	}
	return website, industry, created, contacts
}

// searchText is what the store's refreshSearch would write for the prospect.
func searchText(name, website string, contacts []contactRow) string {
	parts := []string{name, website}
	for _, c := range contacts {
		parts = append(parts, c.name+" "+c.email)
	}
	return strings.ToLower(strings.Join(parts, " "))
}

// load reserves ids, writes the org and its people, then streams the rest
// on two connections.
func (g *largeGen) load(ctx context.Context, pool *pgxpool.Pool, out io.Writer) error {
	if err := g.people(ctx, pool); err != nil {
		return err
	}
	conns := make([]*pgxpool.Conn, 2)
	for i := range conns {
		c, err := pool.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("connect: %w", err)
		}
		defer c.Release()
		conns[i] = c
		// A lost seed is simply run again: no need to wait for each commit
		// to reach the disk.
		if _, err := c.Exec(ctx, "SET synchronous_commit = off"); err != nil {
			return err
		}
	}
	g.skippedTriggers = true
	for _, c := range conns {
		if _, err := c.Exec(ctx, "SET session_replication_role = replica"); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "42501" { // not a superuser: keep the triggers
				g.skippedTriggers = false
				break
			}
			return err
		}
	}
	if !g.skippedTriggers {
		for _, c := range conns {
			if _, err := c.Exec(ctx, "RESET session_replication_role"); err != nil {
				return err
			}
		}
	}
	if err := g.reserve(ctx, conns[0].Conn()); err != nil {
		return err
	}

	stop := g.progress(out)
	defer stop()
	half := g.splitTouches()
	var errA, errB error
	var wg sync.WaitGroup
	wg.Go(func() {
		errA = g.copyAll(ctx, conns[0].Conn(), rebuilding("prospects_search_trgm", g.copyProspects), g.copyContacts, func(ctx context.Context, c *pgx.Conn) error {
			return g.copyTouches(ctx, c, 0, half)
		})
	})
	wg.Go(func() {
		errB = g.copyAll(ctx, conns[1].Conn(), rebuilding("deals_title_trgm", g.copyDeals), g.copyStages, func(ctx context.Context, c *pgx.Conn) error {
			return g.copyTouches(ctx, c, 1, half)
		})
	})
	wg.Wait()
	if err := errors.Join(errA, errB); err != nil {
		return err
	}
	return nil
}

// rebuilding runs a COPY with a trigram index dropped, then builds the index
// again from its own definition, all in one transaction: the index is never
// missing for anyone else, and a failed load leaves it as it was.
//
// The trigram indexes are created with fastupdate off (see the migrations),
// right for rows that arrive one at a time but ruinous for a bulk load: every
// row writes each of its trigrams into the index tree. Measured on 20,000
// prospects: 9 s and 950 MB of WAL, against 0.7 s and 15 MB to build the
// index after the rows.
func rebuilding(index string, load func(context.Context, *pgx.Conn) error) func(context.Context, *pgx.Conn) error {
	return func(ctx context.Context, c *pgx.Conn) error {
		return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			var def string
			if err := tx.QueryRow(ctx, `SELECT pg_get_indexdef($1::regclass)`, index).Scan(&def); err != nil {
				return fmt.Errorf("definition of %s: %w", index, err)
			}
			if _, err := tx.Exec(ctx, `DROP INDEX `+pgx.Identifier{index}.Sanitize()); err != nil {
				return fmt.Errorf("drop %s for the load: %w", index, err)
			}
			if err := load(ctx, tx.Conn()); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, def); err != nil {
				return fmt.Errorf("build %s: %w", index, err)
			}
			return nil
		})
	}
}

func (g *largeGen) copyAll(ctx context.Context, c *pgx.Conn, steps ...func(context.Context, *pgx.Conn) error) error {
	for _, step := range steps {
		if err := step(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// progress prints the rows sent so far every five seconds until stopped.
func (g *largeGen) progress(out io.Writer) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				touches := g.counts[4].Load() + g.counts[5].Load()
				fmt.Fprintf(out, "seed: %3.0fs prospects %d · contacts %d · deals %d · stage changes %d · touches %d/%d (%.0f%%)\n",
					time.Since(start).Seconds(), g.counts[0].Load(), g.counts[1].Load(), g.counts[2].Load(), g.counts[3].Load(),
					touches, g.touchTotal, 100*float64(touches)/float64(g.touchTotal))
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// reserve takes a block of ids from each table's identity sequence, so the
// generated rows can reference each other before they are written. COPY
// writes identity columns as given.
func (g *largeGen) reserve(ctx context.Context, c *pgx.Conn) error {
	for _, b := range []struct {
		table string
		n     int
		base  *int64
	}{
		{"prospects", g.opts.Prospects, &g.prospectBase},
		{"contacts", g.contactTotal, &g.contactBase},
		{"deals", g.opts.Deals, &g.dealBase},
		{"deal_stage_changes", g.stageChanges, &g.stageBase},
		{"touches", g.touchTotal, &g.touchBase},
	} {
		var err error
		if *b.base, err = reserveIDs(ctx, c, b.table, b.n); err != nil {
			return err
		}
	}
	return nil
}

func reserveIDs(ctx context.Context, c *pgx.Conn, table string, n int) (int64, error) {
	var first int64
	err := c.QueryRow(ctx, `
		WITH s AS (SELECT pg_get_serial_sequence($1, 'id') AS seq),
		f AS (SELECT nextval(seq) AS first, seq FROM s)
		SELECT first, setval(seq, first + $2 - 1) FROM f`, table, max(n, 1)).Scan(&first, new(int64))
	if err != nil {
		return 0, fmt.Errorf("reserve %d %s ids: %w", n, table, err)
	}
	return first, nil
}

// people writes the org, its admin, managers, reps and teams.
func (g *largeGen) people(ctx context.Context, pool *pgxpool.Pool) error {
	o := g.opts
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO orgs (name, timezone, currency, business_start, business_end, walkaway_template)
			VALUES ($1, $2, 'USD', 9, 18, $3) RETURNING id`, BenchOrgName, BenchTimezone,
			"Thank you for your time. We cannot make this work on these terms, so we are stepping back for now; the door stays open.").Scan(&g.orgID)
		if err != nil {
			return fmt.Errorf("create the benchmark org: %w", err)
		}
		n := 1 + o.Teams + o.Reps
		if g.userBase, err = reserveIDs(ctx, tx.Conn(), "users", n); err != nil {
			return err
		}
		if g.teamBase, err = reserveIDs(ctx, tx.Conn(), "teams", o.Teams); err != nil {
			return err
		}
		created := g.now.AddDate(0, 0, -o.Days-100)
		r := newRand(o.Seed, streamPeople, 0)
		user := func(i int) []any {
			id := g.userBase + int64(i)
			switch {
			case i == 0:
				return []any{id, g.orgID, BenchAdminEmail, "Avery Admin", g.hash, "admin", created}
			case i <= o.Teams:
				return []any{id, g.orgID, BenchManagerEmail(i), pickStr(r, firstNames...) + " " + pickStr(r, lastNames...), g.hash, "manager", created}
			}
			return []any{id, g.orgID, BenchRepEmail(i - o.Teams), pickStr(r, firstNames...) + " " + pickStr(r, lastNames...), g.hash, "rep", created}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "org_id", "email", "name", "password_hash", "role", "created_at"},
			pgx.CopyFromSlice(n, func(i int) ([]any, error) { return user(i), nil })); err != nil {
			return fmt.Errorf("copy users: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"teams"}, []string{"id", "org_id", "name", "manager_id", "created_at"},
			pgx.CopyFromSlice(o.Teams, func(i int) ([]any, error) {
				return []any{g.teamBase + int64(i), g.orgID, fmt.Sprintf("Team %02d", i+1), g.managerID(i), created}, nil
			})); err != nil {
			return fmt.Errorf("copy teams: %w", err)
		}
		// Reps fill the teams in order; each manager belongs to their own team.
		_, err = tx.Exec(ctx, `
			UPDATE users SET timezone = $2, team_id = $4 + CASE
				WHEN id - $3 <= $5 THEN id - $3 - 1
				ELSE (id - $3 - 1 - $5) * $5 / $6 END
			WHERE org_id = $1 AND id > $3`,
			g.orgID, BenchTimezone, g.userBase, g.teamBase, o.Teams, o.Reps)
		if err != nil {
			return fmt.Errorf("place users in teams: %w", err)
		}
		_, err = tx.Exec(ctx, `UPDATE users SET timezone = $2 WHERE id = $1`, g.userBase, BenchTimezone)
		return err
	})
}

// source is a pgx.CopyFromSource over n generated rows.
type source struct {
	n, i  int
	row   []any
	fill  func(i int, row []any) error
	count *atomic.Int64
	err   error
}

func (s *source) Next() bool {
	if s.i >= s.n || s.err != nil {
		return false
	}
	s.err = s.fill(s.i, s.row)
	s.i++
	if s.i%1024 == 0 {
		s.count.Add(1024)
	}
	return s.err == nil
}
func (s *source) Values() ([]any, error) { return s.row, nil }
func (s *source) Err() error             { return s.err }

func (g *largeGen) copyRows(ctx context.Context, c *pgx.Conn, table string, cols []string, n int, counter int, fill func(i int, row []any) error) error {
	src := &source{n: n, row: make([]any, len(cols)), fill: fill, count: &g.counts[counter]}
	if _, err := c.CopyFrom(ctx, pgx.Identifier{table}, cols, src); err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	g.counts[counter].Store(int64(n))
	return nil
}

func (g *largeGen) copyProspects(ctx context.Context, c *pgx.Conn) error {
	cols := []string{"id", "org_id", "name", "website", "industry", "owner_id", "search", "created_at", "updated_at"}
	return g.copyRows(ctx, c, "prospects", cols, len(g.prospects), 0, func(i int, row []any) error {
		p := &g.prospects[i]
		website, industry, created, contacts := g.prospectDetail(i)
		row[0], row[1], row[2], row[3], row[4] = g.prospectBase+int64(i), g.orgID, p.name, website, industry
		row[5], row[6], row[7], row[8] = g.repID(p.owner), searchText(p.name, website, contacts), created, created
		return nil
	})
}

func (g *largeGen) copyContacts(ctx context.Context, c *pgx.Conn) error {
	cols := []string{"id", "org_id", "prospect_id", "name", "email", "phone", "title", "created_at"}
	var (
		p        = -1
		contacts []contactRow
		created  time.Time
	)
	return g.copyRows(ctx, c, "contacts", cols, g.contactTotal, 1, func(i int, row []any) error {
		for p+1 < len(g.prospects) && int64(i) >= g.prospects[p+1].contact0 {
			p++
			_, _, created, contacts = g.prospectDetail(p)
		}
		k := contacts[int64(i)-g.prospects[p].contact0]
		row[0], row[1], row[2], row[3] = g.contactBase+int64(i), g.orgID, g.prospectBase+int64(p), k.name
		row[4], row[5], row[6], row[7] = k.email, k.phone, k.title, created
		return nil
	})
}

var closeReasons = map[uint8][][]string{
	stageLost: {{"price"}, {"went with a competitor"}, {"no budget"}, {"no decision"}},
	stageDisq: {{"margin too thin"}, {"does not answer"}, {"not a fit"}, {"margin too thin", "re-quoted too often"}},
}

func (g *largeGen) copyDeals(ctx context.Context, c *pgx.Conn) error {
	cols := []string{"id", "org_id", "prospect_id", "owner_id", "title", "stage", "amount", "list_price", "cost", "currency",
		"expected_close", "next_step", "next_step_due", "future_promise", "close_reasons", "stage_changed_at",
		"last_touch_at", "created_at", "updated_at"}
	return g.copyRows(ctx, c, "deals", cols, len(g.deals), 2, func(i int, row []any) error {
		d := &g.deals[i]
		r := newRand(g.opts.Seed, streamDeal, d.plan|1<<31)
		path := g.stagePath(d)
		title := g.prospects[d.prospect].name + " — " + pickStr(r, products...)
		if r.IntN(3) == 0 {
			title = fmt.Sprintf("%s — %d seats", g.prospects[d.prospect].name, 5*(1+r.IntN(40)))
		}
		expected := dateOf(d.created.AddDate(0, 0, 30+r.IntN(90)))
		var nextStep string
		var nextDue any
		reasons := []string{}
		if d.stage < stageWon {
			nextStep = pickStr(r, "Follow up on the proposal", "Book a demo", "Send revised terms", "Confirm budget", "Chase signature")
			nextDue = dateOf(g.now.AddDate(0, 0, r.IntN(29)-14))
			if expected.Before(g.now) {
				expected = dateOf(g.now.AddDate(0, 0, 7+r.IntN(60)))
			}
		} else if rs := closeReasons[d.stage]; rs != nil {
			reasons = rs[r.IntN(len(rs))]
		}
		updated := d.lastTouch
		if d.stage >= stageWon {
			updated = d.end
		}
		row[0], row[1], row[2], row[3] = g.dealBase+d.id, g.orgID, g.prospectBase+int64(d.prospect), g.repID(d.owner)
		row[4], row[5], row[6], row[7], row[8] = title, stageNames[d.stage], d.amount, nullInt(d.list), nullInt(d.cost)
		row[9], row[10], row[11], row[12], row[13] = "USD", expected, nextStep, nextDue, d.promise
		row[14], row[15], row[16], row[17], row[18] = reasons, path[len(path)-1].at, d.lastTouch, d.created, updated
		return nil
	})
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func (g *largeGen) copyStages(ctx context.Context, c *pgx.Conn) error {
	cols := []string{"id", "org_id", "deal_id", "from_stage", "to_stage", "by_user", "at"}
	deal, k := -1, 0
	var path []stageChange
	return g.copyRows(ctx, c, "deal_stage_changes", cols, g.stageChanges, 3, func(i int, row []any) error {
		for k >= len(path) {
			deal++
			path, k = g.stagePath(&g.deals[deal]), 0
		}
		sc, d := path[k], &g.deals[deal]
		k++
		var from any
		if sc.from != 255 {
			from = stageNames[sc.from]
		}
		row[0], row[1], row[2], row[3] = g.stageBase+int64(i), g.orgID, g.dealBase+d.id, from
		row[4], row[5], row[6] = stageNames[sc.to], g.repID(d.owner), sc.at
		return nil
	})
}

// splitTouches returns how many touches the first stream (deals at even
// positions) writes; the second writes the rest.
func (g *largeGen) splitTouches() int {
	n := 0
	for j := 0; j < len(g.deals); j += 2 {
		n += g.deals[j].touches
	}
	return n
}

// copyTouches streams the touches of every other deal (part 0: even
// positions, 1: odd) in time order, merging the deals' histories as the
// year goes by.
func (g *largeGen) copyTouches(ctx context.Context, c *pgx.Conn, part, firstPart int) error {
	n, base := firstPart, g.touchBase
	if part == 1 {
		n, base = g.touchTotal-firstPart, g.touchBase+int64(firstPart)
	}
	m := &touchMerge{g: g, next: part}
	cols := []string{"id", "org_id", "deal_id", "prospect_id", "contact_id", "rep_id", "kind", "direction",
		"occurred_at", "outcome", "duration_min", "quote_amount", "word_count", "notes", "created_at"}
	return g.copyRows(ctx, c, "touches", cols, n, 4+part, func(i int, row []any) error {
		d, t := m.pop()
		if t == nil {
			return fmt.Errorf("touch stream %d ran out after %d of %d touches", part, i, n)
		}
		row[0], row[1], row[2], row[3] = base+int64(i), g.orgID, g.dealBase+d.id, g.prospectBase+int64(d.prospect)
		row[4], row[5], row[6], row[7] = g.contactBase+t.contact, g.repID(d.owner), t.kind, t.dir
		row[8], row[9], row[10], row[11] = t.at, t.outcome, nullInt32(t.duration), nullInt(t.quote)
		row[12], row[13], row[14] = nil, t.notes, t.at.Add(time.Duration(2+i%50)*time.Minute)
		if t.words != 0 {
			row[12] = int32(len(strings.Fields(t.notes)))
		}
		return nil
	})
}

func nullInt32(v int32) any {
	if v == 0 {
		return nil
	}
	return v
}

// touchMerge yields the touches of every other deal in time order. A deal's
// history is generated when the merge reaches the deal's start and dropped
// once written, so only the deals open at one moment are held in memory.
type touchMerge struct {
	g      *largeGen
	next   int // position of the next deal to activate
	active activeHeap
}

type activeDeal struct {
	d       *dealPlan
	touches []touch
	pos     int
}

type activeHeap []*activeDeal

func (h activeHeap) Len() int { return len(h) }
func (h activeHeap) Less(i, j int) bool {
	a, b := h[i].touches[h[i].pos].at, h[j].touches[h[j].pos].at
	if a.Equal(b) {
		return h[i].d.id < h[j].d.id
	}
	return a.Before(b)
}
func (h activeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *activeHeap) Push(x any)   { *h = append(*h, x.(*activeDeal)) }
func (h *activeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (m *touchMerge) pop() (*dealPlan, *touch) {
	for m.next < len(m.g.deals) && (len(m.active) == 0 || !m.g.deals[m.next].created.After(m.active[0].touches[m.active[0].pos].at)) {
		d := &m.g.deals[m.next]
		heap.Push(&m.active, &activeDeal{d: d, touches: m.g.dealTouches(d)})
		m.next += 2
	}
	if len(m.active) == 0 {
		return nil, nil
	}
	a := m.active[0]
	t := &a.touches[a.pos]
	a.pos++
	if a.pos == len(a.touches) {
		heap.Pop(&m.active)
	} else {
		heap.Fix(&m.active, 0)
	}
	return a.d, t
}

// checkReferences checks, set-wise, the foreign keys whose triggers the
// loading sessions skipped: one anti-join per table, the touches split in
// two halves, two queries at a time.
func (g *largeGen) checkReferences(ctx context.Context, pool *pgxpool.Pool) error {
	touches := `SELECT count(*) FROM touches t
		LEFT JOIN deals d ON d.org_id = t.org_id AND d.id = t.deal_id
		LEFT JOIN prospects p ON p.org_id = t.org_id AND p.id = t.prospect_id
		LEFT JOIN contacts c ON c.org_id = t.org_id AND c.id = t.contact_id
		LEFT JOIN users u ON u.org_id = t.org_id AND u.id = t.rep_id
		WHERE t.org_id = $1 AND t.id BETWEEN $2 AND $3 AND (d.id IS NULL OR p.id IS NULL OR c.id IS NULL OR u.id IS NULL)`
	mid := g.touchBase + int64(g.touchTotal)/2
	checks := []struct {
		what, sql string
		args      []any
	}{
		{"touches", touches, []any{g.orgID, g.touchBase, mid - 1}},
		{"touches", touches, []any{g.orgID, mid, g.touchBase + int64(g.touchTotal) - 1}},
		{"prospects", `SELECT count(*) FROM prospects p LEFT JOIN users u ON u.org_id = p.org_id AND u.id = p.owner_id
			WHERE p.org_id = $1 AND u.id IS NULL`, []any{g.orgID}},
		{"contacts", `SELECT count(*) FROM contacts c LEFT JOIN prospects p ON p.org_id = c.org_id AND p.id = c.prospect_id
			WHERE c.org_id = $1 AND p.id IS NULL`, []any{g.orgID}},
		{"deals", `SELECT count(*) FROM deals d LEFT JOIN prospects p ON p.org_id = d.org_id AND p.id = d.prospect_id
			LEFT JOIN users u ON u.org_id = d.org_id AND u.id = d.owner_id
			WHERE d.org_id = $1 AND (p.id IS NULL OR u.id IS NULL)`, []any{g.orgID}},
		{"deal_stage_changes", `SELECT count(*) FROM deal_stage_changes s LEFT JOIN deals d ON d.id = s.deal_id
			WHERE s.org_id = $1 AND d.id IS NULL`, []any{g.orgID}},
	}
	var steps []func() error
	for _, c := range checks {
		steps = append(steps, func() error {
			var bad int64
			if err := pool.QueryRow(ctx, c.sql, c.args...).Scan(&bad); err != nil {
				return fmt.Errorf("check references of %s: %w", c.what, err)
			} else if bad > 0 {
				return fmt.Errorf("check references of %s: %d rows point at nothing", c.what, bad)
			}
			return nil
		})
	}
	return twoAtATime(steps...)
}

// twoAtATime runs steps two at a time, one per core of the machine the
// benchmark was sized for, and returns their errors.
func twoAtATime(steps ...func() error) error {
	errs := make([]error, len(steps))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i, step := range steps {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = step()
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
