package seed

import (
	"container/heap"
	"fmt"
	"strings"
	"time"

	"goodmoney/internal/postgres"
)

// The rows of each table the benchmark org loads, drawn from the plans as
// postgres.Loader asks for them.

// rows is a table of n rows filled by fill, counted in g.counts[counter]
// for the progress line.
func (g *largeGen) rows(table string, cols []string, n, counter int, fill func(i int, row []any) error) postgres.BulkTable {
	return postgres.BulkTable{Table: table, Columns: cols, Rows: n, Fill: fill, Sent: &g.counts[counter]}
}

// people are the org, its admin, managers, reps and teams. Reps fill the
// teams in order; each manager belongs to their own team.
func (g *largeGen) people() postgres.BulkPeople {
	o := g.opts
	created := g.now.AddDate(0, 0, -o.Days-100)
	r := newRand(o.Seed, streamPeople, 0)
	name := func() string { return pickStr(r, firstNames...) + " " + pickStr(r, lastNames...) }
	return postgres.BulkPeople{
		Org: postgres.BulkOrg{Name: BenchOrgName, Timezone: BenchTimezone, Currency: "USD", BusinessStart: 9, BusinessEnd: 18,
			WalkawayTemplate: "Thank you for your time. We cannot make this work on these terms, so we are stepping back for now; the door stays open."},
		Reserved: func(orgID, userBase, teamBase int64) { g.orgID, g.userBase, g.teamBase = orgID, userBase, teamBase },
		Users: postgres.BulkTable{Table: "users", Rows: 1 + o.Teams + o.Reps,
			Columns: []string{"id", "org_id", "email", "name", "password_hash", "role", "timezone", "created_at"},
			Fill: func(i int, row []any) error {
				row[0], row[1], row[4], row[6], row[7] = g.userBase+int64(i), g.orgID, g.hash, BenchTimezone, created
				switch {
				case i == 0:
					row[2], row[3], row[5] = BenchAdminEmail, "Avery Admin", "admin"
				case i <= o.Teams:
					row[2], row[3], row[5] = BenchManagerEmail(i), name(), "manager"
				default:
					row[2], row[3], row[5] = BenchRepEmail(i-o.Teams), name(), "rep"
				}
				return nil
			}},
		Teams: postgres.BulkTable{Table: "teams", Rows: o.Teams,
			Columns: []string{"id", "org_id", "name", "manager_id", "created_at"},
			Fill: func(i int, row []any) error {
				row[0], row[1], row[2], row[3], row[4] = g.teamBase+int64(i), g.orgID, fmt.Sprintf("Team %02d", i+1), g.managerID(i), created
				return nil
			}},
		TeamOf: func(i int) int64 {
			switch {
			case i == 0:
				return 0 // the admin
			case i <= o.Teams:
				return g.teamBase + int64(i-1)
			}
			return g.teamBase + int64((i-1-o.Teams)*o.Teams/o.Reps)
		},
	}
}

// prospectRows are the prospects, their trigram index built after them.
func (g *largeGen) prospectRows() postgres.BulkTable {
	cols := []string{"id", "org_id", "name", "website", "industry", "owner_id", "search", "created_at", "updated_at"}
	t := g.rows("prospects", cols, len(g.prospects), 0, func(i int, row []any) error {
		p := &g.prospects[i]
		website, industry, created, contacts := g.prospectDetail(i)
		row[0], row[1], row[2], row[3], row[4] = g.prospectBase+int64(i), g.orgID, p.name, website, industry
		row[5], row[6], row[7], row[8] = g.repID(p.owner), searchText(p.name, website, contacts), created, created
		return nil
	})
	t.RebuildIndex = "prospects_search_trgm" // built after the rows: see postgres.BulkTable
	return t
}

// contactRows are the prospects' contacts, in prospect order.
func (g *largeGen) contactRows() postgres.BulkTable {
	cols := []string{"id", "org_id", "prospect_id", "name", "email", "phone", "title", "created_at"}
	var (
		p        = -1
		contacts []contactRow
		created  time.Time
	)
	return g.rows("contacts", cols, g.contactTotal, 1, func(i int, row []any) error {
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

// dealRows are the deals, their trigram index built after them.
func (g *largeGen) dealRows() postgres.BulkTable {
	cols := []string{"id", "org_id", "prospect_id", "owner_id", "title", "stage", "amount", "list_price", "cost", "currency",
		"expected_close", "next_step", "next_step_due", "future_promise", "close_reasons", "stage_changed_at",
		"last_touch_at", "created_at", "updated_at"}
	t := g.rows("deals", cols, len(g.deals), 2, func(i int, row []any) error {
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
	t.RebuildIndex = "deals_title_trgm"
	return t
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

// stageRows are every deal's stage changes, in deal order.
func (g *largeGen) stageRows() postgres.BulkTable {
	cols := []string{"id", "org_id", "deal_id", "from_stage", "to_stage", "by_user", "at"}
	deal, k := -1, 0
	var path []stageChange
	return g.rows("deal_stage_changes", cols, g.stageChanges, 3, func(i int, row []any) error {
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

// touchRows are the touches of every other deal (part 0: even positions,
// 1: odd) in time order, merging the deals' histories as the year goes by.
func (g *largeGen) touchRows(part, firstPart int) postgres.BulkTable {
	n, base := firstPart, g.touchBase
	if part == 1 {
		n, base = g.touchTotal-firstPart, g.touchBase+int64(firstPart)
	}
	m := &touchMerge{g: g, next: part}
	cols := []string{"id", "org_id", "deal_id", "prospect_id", "contact_id", "rep_id", "kind", "direction",
		"occurred_at", "outcome", "duration_min", "quote_amount", "word_count", "notes", "created_at"}
	return g.rows("touches", cols, n, 4+part, func(i int, row []any) error {
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
