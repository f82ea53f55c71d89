package seed

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"goodmoney/internal/pipeline"
)

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

// Stages by index into pipeline.Stages, in pipeline order: the open stages
// come first, so a deal is open when its stage is below stageWon.
var stageNames = pipeline.Stages

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
