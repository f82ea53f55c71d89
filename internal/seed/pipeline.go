package seed

import (
	"context"
	"fmt"
	"slices"
	"time"

	"goodmoney/internal/money"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
)

// touchSpec is one touch of a demo deal, placed relative to now: days ago at
// an hour of the org's day.
type touchSpec struct {
	daysAgo   int
	hour, min int
	kind, dir string
	outcome   string
	notes     string
	quote     float64 // major units, quotes only
	duration  int
}

// dealSpec is a demo deal with its prospect, numbers and history.
type dealSpec struct {
	owner                    string
	prospect, website, indus string
	contact, email, title    string
	deal                     string
	stage                    string
	amount, list, cost       float64 // major units; 0 list/cost = not entered
	nextStep                 string
	nextDueDays              int // days from today; 0 = none
	closeDays                int // expected close, days from today
	promise                  bool
	touches                  []touchSpec
	cameBack                 bool     // disqualified, then the prospect wrote again
	reasons                  []string // why a closed deal closed
}

func out(days, hour int, kind string, outcome string) touchSpec {
	return touchSpec{daysAgo: days, hour: hour, kind: kind, dir: "outbound", outcome: outcome}
}

func in(days, hour int, kind, outcome, notes string) touchSpec {
	return touchSpec{daysAgo: days, hour: hour, kind: kind, dir: "inbound", outcome: outcome, notes: notes}
}

func quote(days int, amount float64) touchSpec {
	return touchSpec{daysAgo: days, hour: 10, kind: "quote", dir: "outbound", quote: amount, notes: "Quote sent"}
}

func meeting(days, hour int, outcome string) touchSpec {
	return touchSpec{daysAgo: days, hour: hour, kind: "meeting", dir: "outbound", outcome: outcome, duration: 30}
}

// demoDeals tell the stories a sales manager recognises: healthy deals, the
// three-way not-good-money deal, a loss-maker, a re-quote spiral, a prospect
// who answers in two words at dinner time, deals won and lost, one that came back.
var demoDeals = []dealSpec{
	{owner: "rep@example.com", prospect: "Acme Logistics", website: "acmelogistics.example", indus: "Logistics",
		contact: "Dana Whitfield", email: "dana@acmelogistics.example", title: "Procurement lead",
		deal: "Acme Logistics — 40 seats", stage: pipeline.StageNegotiation, amount: 18000, list: 21000, cost: 15840,
		nextStep: "Chase signature", nextDueDays: -3, closeDays: 10,
		touches: []touchSpec{
			out(62, 10, "call", "connected"), meeting(58, 14, "held"), quote(50, 18000),
			in(47, 11, "email", "replied", "Thanks, we will review the numbers with finance next week"),
			quote(36, 18000), out(33, 9, "email", ""), out(27, 9, "email", ""), quote(22, 18000),
			out(17, 10, "email", ""), out(12, 15, "voicemail", "left_voicemail"), out(6, 9, "email", ""), out(2, 11, "email", ""),
		}},
	{owner: "rep@example.com", prospect: "Harbor Foods", website: "harborfoods.example", indus: "Food distribution",
		contact: "Priya Raman", email: "priya@harborfoods.example", title: "Operations director",
		deal: "Harbor Foods — annual renewal", stage: pipeline.StageProposal, amount: 42000, list: 45000, cost: 23000,
		nextStep: "Review proposal with Priya", nextDueDays: 4, closeDays: 30,
		touches: []touchSpec{
			out(40, 10, "call", "connected"),
			in(39, 11, "email", "replied", "Great call yesterday. Sending the usage numbers for the three depots so you can size the renewal properly."),
			meeting(30, 15, "held"), quote(21, 42000),
			in(20, 9, "email", "replied", "Received, thank you. The team likes the depot reporting; we will confirm the rollout dates by Friday."),
			out(9, 14, "call", "connected"),
			in(3, 10, "email", "replied", "Finance approved the budget line. Can we walk through the contract terms on Thursday afternoon?"),
		}},
	{owner: "rep@example.com", prospect: "Pinecrest Dental", website: "pinecrestdental.example", indus: "Healthcare",
		contact: "Dr. Alan Pierce", email: "alan@pinecrestdental.example", title: "Owner",
		deal: "Pinecrest Dental — starter bundle", stage: pipeline.StageProposal, amount: 6000, list: 9500, cost: 6600,
		nextStep: "Send revised terms", nextDueDays: 2, closeDays: 20,
		touches: []touchSpec{
			out(25, 10, "call", "connected"), quote(20, 7500),
			in(18, 12, "call", "connected", "Asked for a bigger discount; says a competitor is cheaper"),
			quote(12, 6000), in(10, 13, "email", "replied", "That works better for us, let me check with my partner"),
		}},
	{owner: "rep@example.com", prospect: "Bluewater Marine", website: "bluewatermarine.example", indus: "Marine services",
		contact: "Marco Bellini", email: "marco@bluewatermarine.example", title: "Fleet manager",
		deal: "Bluewater Marine — fleet tracking", stage: pipeline.StageNegotiation, amount: 26000, list: 40000, cost: 17000,
		nextStep: "Another pricing call", nextDueDays: 1, closeDays: 14,
		touches: []touchSpec{
			meeting(70, 11, "held"), quote(60, 34000),
			in(57, 16, "email", "replied", "Too high for us this year, can you sharpen the pencil"),
			quote(48, 31000), in(45, 17, "call", "connected", "Wants another round"),
			quote(35, 29000), in(31, 12, "email", "replied", "Closer. Need one more pass before I can take it upstairs"),
			quote(24, 27500), quote(13, 26000), out(8, 10, "email", ""), out(3, 15, "call", "no_answer"),
		}},
	{owner: "rep@example.com", prospect: "Summit Realty", website: "summitrealty.example", indus: "Real estate",
		contact: "Kelly Vance", email: "kelly@summitrealty.example", title: "Office manager",
		deal: "Summit Realty — 12 seats", stage: pipeline.StageQualified, amount: 9000, list: 9000, cost: 4500,
		nextStep: "Book a demo that sticks", nextDueDays: -6, closeDays: 45,
		touches: []touchSpec{
			out(30, 10, "email", ""), in(29, 20, "text", "replied", "ok"),
			meeting(25, 15, "no_show"), out(24, 10, "text", ""), in(24, 21, "text", "replied", "sorry busy"),
			meeting(18, 11, "rescheduled"), out(15, 10, "email", ""), in(14, 19, "text", "replied", "maybe later"),
			meeting(8, 14, "no_show"),
		}},
	{owner: "rep2@example.com", prospect: "Orchard Bakery Group", website: "orchardbakery.example", indus: "Food & beverage",
		contact: "Lena Fischer", email: "lena@orchardbakery.example", title: "Founder",
		deal: "Orchard Bakery — 5 stores", stage: pipeline.StageProposal, amount: 15000, list: 17000, cost: 9000,
		nextStep: "Confirm store count", nextDueDays: 3, closeDays: 25, promise: true,
		touches: []touchSpec{
			out(28, 10, "call", "no_answer"), in(27, 19, "call", "connected", "Called back from home after the kids' dinner"),
			quote(22, 15000), in(21, 20, "voicemail", "left_voicemail", "Left a message at 8 pm about the quote"),
			in(15, 21, "text", "replied", "Can we talk tonight? Also we plan 10 more stores next year so please help us on price"),
			out(14, 10, "call", "connected"), in(7, 19, "call", "connected", "Evening call again; wants the multi-store price now"),
		}},
	{owner: "rep2@example.com", prospect: "Granite Construction", website: "graniteco.example", indus: "Construction",
		contact: "Tom Okafor", email: "tom@graniteco.example", title: "Project director",
		deal: "Granite Construction — site tablets", stage: pipeline.StageProposal, amount: 32000, list: 34000, cost: 21000,
		nextStep: "Get a reply on the proposal", nextDueDays: -10, closeDays: 5,
		touches: []touchSpec{
			meeting(45, 10, "held"), in(44, 9, "email", "replied", "Good meeting. Please send a proposal for the three sites we discussed."),
			quote(40, 32000), out(31, 10, "email", ""), out(24, 11, "call", "no_answer"), out(16, 10, "email", ""), out(4, 15, "call", "no_answer"),
		}},
	{owner: "rep2@example.com", prospect: "Lumen Architects", website: "lumenarch.example", indus: "Architecture",
		contact: "Sofia Marquez", email: "sofia@lumenarch.example", title: "Partner",
		deal: "Lumen Architects — design suite", stage: pipeline.StageLead, amount: 12000, list: 12000,
		nextStep: "Discovery call", nextDueDays: 5, closeDays: 60,
		touches: []touchSpec{out(5, 10, "email", ""), in(4, 11, "email", "replied", "Happy to talk next week; Tuesday morning suits me.")},
	},
	{owner: "rep@example.com", prospect: "Northgate Clinics", website: "northgateclinics.example", indus: "Healthcare",
		contact: "Irene Cho", email: "irene@northgateclinics.example", title: "COO",
		deal: "Northgate Clinics — 3 sites", stage: pipeline.StageWon, amount: 38000, list: 40000, cost: 20000,
		reasons: []string{"right fit", "relationship"},
		touches: []touchSpec{
			out(85, 10, "call", "connected"), meeting(80, 14, "held"), quote(74, 38000),
			in(72, 10, "email", "replied", "Board approved. Please send the contract and onboarding plan."), out(70, 9, "email", ""),
		}},
	{owner: "rep2@example.com", prospect: "Cedar Schools Trust", website: "cedarschools.example", indus: "Education",
		contact: "Hannah Boyd", email: "hannah@cedarschools.example", title: "IT lead",
		deal: "Cedar Schools — pilot", stage: pipeline.StageWon, amount: 14000, list: 15000, cost: 7000,
		reasons: []string{"timing"},
		touches: []touchSpec{
			out(88, 10, "email", ""), in(87, 10, "email", "replied", "Yes please, the pilot timing works for the spring term."),
			meeting(80, 13, "held"), quote(78, 14000), in(76, 9, "email", "replied", "Signed copy attached. Looking forward to starting."),
		}},
	{owner: "rep@example.com", prospect: "Vista Hotels", website: "vistahotels.example", indus: "Hospitality",
		contact: "Raj Patel", email: "raj@vistahotels.example", title: "Regional GM",
		deal: "Vista Hotels — front desk", stage: pipeline.StageLost, amount: 22000, list: 22000, cost: 12000,
		reasons: []string{"competitor"},
		touches: []touchSpec{out(75, 10, "call", "connected"), quote(66, 22000), in(60, 15, "email", "declined", "We went with our incumbent vendor this year.")},
	},
	{owner: "rep@example.com", prospect: "Redline Couriers", website: "redline.example", indus: "Logistics",
		contact: "Gus Farrell", email: "gus@redline.example", title: "Owner",
		deal: "Redline Couriers — dispatch", stage: pipeline.StageDisqualified, amount: 7000, list: 11000, cost: 6500,
		cameBack: true, reasons: []string{"quoted again and again", "unresponsive prospect", "margin too low"},
		touches: []touchSpec{
			quote(55, 8000), quote(48, 7500), out(44, 10, "email", ""), out(38, 10, "email", ""), quote(33, 7000), out(29, 10, "email", ""),
		}},
	{owner: "rep3@example.com", prospect: "Keystone Manufacturing", website: "keystonemfg.example", indus: "Manufacturing",
		contact: "Beth Holloway", email: "beth@keystonemfg.example", title: "Plant manager",
		deal: "Keystone — shop floor tablets", stage: pipeline.StageNegotiation, amount: 54000, list: 60000, cost: 30000,
		nextStep: "Legal review", nextDueDays: 6, closeDays: 21,
		touches: []touchSpec{
			meeting(50, 10, "held"), quote(40, 54000), in(38, 14, "email", "replied", "Numbers look right. Our legal team will review the terms this month."),
			out(20, 10, "call", "connected"), in(11, 10, "email", "replied", "Legal has two small comments; sending them over tomorrow morning."),
		}},
	{owner: "rep3@example.com", prospect: "Brightside Pharmacies", website: "brightside.example", indus: "Retail health",
		contact: "Omar Haddad", email: "omar@brightside.example", title: "Purchasing",
		deal: "Brightside — 20 stores", stage: pipeline.StageProposal, amount: 30000, list: 30000, cost: 27000,
		nextStep: "Follow up on quote", nextDueDays: -2, closeDays: 15,
		touches: []touchSpec{
			quote(34, 30000), out(30, 10, "email", ""), quote(25, 30000), out(20, 10, "email", ""), out(14, 9, "call", "no_answer"), quote(9, 30000), out(3, 10, "email", ""),
		}},
	{owner: "rep4@example.com", prospect: "Evergreen Landscaping", website: "evergreenland.example", indus: "Services",
		contact: "Nina Costa", email: "nina@evergreenland.example", title: "Owner",
		deal: "Evergreen — crew scheduling", stage: pipeline.StageQualified, amount: 8000, list: 8500, cost: 3500,
		nextStep: "Demo for crew leads", nextDueDays: 7, closeDays: 40,
		touches: []touchSpec{out(20, 10, "call", "connected"), in(18, 11, "email", "replied", "Thanks for the overview. The crew leads can join a demo on the 3rd.")},
	},
	{owner: "rep4@example.com", prospect: "Copperleaf Cafe", website: "copperleafcafe.example", indus: "Hospitality",
		contact: "Jamie Lund", email: "jamie@copperleafcafe.example", title: "Owner",
		deal: "Copperleaf Cafe — till add-on", stage: pipeline.StageProposal, amount: 1800, list: 1800, cost: 700,
		nextStep: "Yet another walkthrough", nextDueDays: 2, closeDays: 14,
		touches: []touchSpec{
			out(34, 10, "call", "connected"), in(33, 14, "call", "connected", "Wants to see how it handles split bills"),
			meeting(30, 11, "rescheduled"), meeting(27, 11, "held"),
			in(26, 9, "email", "replied", "Thanks for the demo. Could you show my two shift leads as well? They were off on Tuesday."),
			meeting(22, 15, "no_show"), out(21, 10, "call", "connected"), meeting(17, 15, "held"),
			in(15, 13, "call", "connected", "Another question about the tip report"), quote(13, 1800),
			out(9, 10, "call", "connected"), in(6, 16, "email", "replied", "Before we sign, can you walk our new manager through it too?"),
		}},
	{owner: "rep4@example.com", prospect: "Atlas Freight", website: "atlasfreight.example", indus: "Logistics",
		contact: "Victor Hale", email: "victor@atlasfreight.example", title: "VP Operations",
		deal: "Atlas Freight — telematics", stage: pipeline.StageLead, amount: 45000, list: 45000,
		nextStep: "First meeting", nextDueDays: -20, closeDays: 90,
		touches: []touchSpec{out(40, 10, "email", ""), in(38, 16, "email", "replied", "Interested, but not before next quarter. Check back in a few weeks.")},
	},
}

// pipelineData creates the demo prospects, deals and their touch histories
// through the same services the app uses, so every deal is scored as it would be.
func (d *demo) pipelineData(ctx context.Context, deals *postgres.DealService) error {
	prospects := postgres.NewProspectService(d.db)
	loc, err := time.LoadLocation(d.org.Timezone)
	if err != nil {
		return err
	}
	now := d.db.Now().In(loc)
	day := func(daysAgo, hour, min int) time.Time { return workday(now, daysAgo, hour, min) }
	date := func(days int) *time.Time {
		if days == 0 {
			return nil
		}
		t := now.AddDate(0, 0, days)
		u := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		return &u
	}
	for _, spec := range demoDeals {
		owner := d.users[spec.owner]
		a := owner.Actor()
		p, err := prospects.CreateProspect(ctx, a,
			pipeline.ProspectInput{Name: spec.prospect, Website: spec.website, Industry: spec.indus},
			&pipeline.ContactInput{Name: spec.contact, Email: spec.email, Title: spec.title, Phone: "+1 555 0100"})
		if err != nil {
			return fmt.Errorf("demo prospect %s: %w", spec.prospect, err)
		}
		stage := spec.stage
		if !pipeline.IsOpenStage(stage) {
			stage = pipeline.StageProposal // worked first, closed after the history
		}
		deal, err := deals.CreateDeal(ctx, a, pipeline.DealInput{
			ProspectID: p.ID, Title: spec.deal, Stage: stage, Amount: cents(spec.amount),
			ListPrice: optCents(spec.list), Cost: optCents(spec.cost), NextStep: spec.nextStep,
			NextStepDue: date(spec.nextDueDays), ExpectedClose: date(spec.closeDays), FuturePromise: spec.promise,
		})
		if err != nil {
			return fmt.Errorf("demo deal %s: %w", spec.deal, err)
		}
		var last time.Time
		for _, t := range spec.touches {
			at := day(t.daysAgo, t.hour, t.min)
			if !at.After(last) { // moving off a weekend must not reorder the story
				at = last.Add(time.Hour)
			}
			last = at
			dur := optInt(t.duration)
			in := pipeline.TouchInput{Kind: t.kind, Direction: t.dir, OccurredAt: at,
				Outcome: t.outcome, Notes: t.notes, QuoteAmount: optCents(t.quote), DurationMin: dur, ContactID: p.Contacts[0].ID}
			if _, err := deals.LogTouch(ctx, a, deal.ID, in); err != nil {
				return fmt.Errorf("demo touch on %s: %w", spec.deal, err)
			}
		}
		if spec.stage != stage {
			if err := closeDemoDeal(ctx, deals, a, deal, spec, p.Contacts[0].Name); err != nil {
				return fmt.Errorf("close demo deal %s: %w", spec.deal, err)
			}
		}
		first := day(spec.touches[0].daysAgo, 9, 0).AddDate(0, 0, -1)
		if err := d.backdate(ctx, deal.ID, spec.stage, first, last); err != nil {
			return fmt.Errorf("demo deal %s history: %w", spec.deal, err)
		}
		if spec.cameBack {
			in := pipeline.TouchInput{Kind: "email", Direction: "inbound", OccurredAt: day(3, 9, 30), Outcome: "replied",
				Notes: "We reconsidered and would like to talk again at your standard price.", ContactID: p.Contacts[0].ID}
			if _, err := deals.LogTouch(ctx, a, deal.ID, in); err != nil {
				return fmt.Errorf("demo came-back touch: %w", err)
			}
		}
	}
	return nil
}

// closeDemoDeal closes a demo deal the way a rep would: won or lost with
// its reasons, or walked away from with the org's default message.
func closeDemoDeal(ctx context.Context, deals *postgres.DealService, a pipeline.Actor, d *pipeline.Deal, spec dealSpec, contact string) error {
	if spec.stage == pipeline.StageDisqualified {
		msg := pipeline.FillTemplate("", pipeline.WalkAwayFields{ContactName: contact, RepName: a.Name, DealTitle: d.Title, Company: spec.prospect})
		_, err := deals.Disqualify(ctx, a, d.ID, pipeline.WalkAwayInput{Reasons: spec.reasons, Message: msg})
		return err
	}
	_, err := deals.CloseDeal(ctx, a, d.ID, pipeline.CloseInput{Outcome: spec.stage, Reasons: spec.reasons})
	return err
}

// workday is daysAgo days before now at hour:min in now's location, moved
// off weekends (Saturday to Friday, Sunday to Monday unless that is today):
// the demo's off-hours stories are weekday evenings, and a reply that lands
// on a Saturday only because of the day the demo was seeded would read as one.
func workday(now time.Time, daysAgo, hour, min int) time.Time {
	t := now.AddDate(0, 0, -daysAgo)
	switch t.Weekday() {
	case time.Saturday:
		t = t.AddDate(0, 0, -1)
	case time.Sunday:
		if daysAgo > 1 {
			t = t.AddDate(0, 0, 1)
		} else {
			t = t.AddDate(0, 0, -2)
		}
	}
	return time.Date(t.Year(), t.Month(), t.Day(), hour, min, 0, 0, now.Location())
}

// backdate gives a demo deal the history its touches tell: created the day
// before its first touch, then walked through the open stages up to its own
// at even steps, a closed deal closing the day after its last touch. The
// services stamp both with the time of seeding, which would show every demo
// deal as zero days in its stage.
func (d *demo) backdate(ctx context.Context, dealID int64, stage string, first, last time.Time) error {
	walk := pipeline.OpenStages
	closed := !pipeline.IsOpenStage(stage)
	switch {
	case stage == pipeline.StageWon:
		walk = append(walk[:len(walk):len(walk)], stage)
	case closed: // lost and disqualified deals go from a proposal
		walk = append(walk[:3:3], stage)
	default:
		walk = walk[:slices.Index(walk, stage)+1]
	}
	end := last
	if closed {
		end = last.AddDate(0, 0, 1)
	}
	at := make([]time.Time, len(walk))
	for i := range walk {
		at[i] = first.Add(end.Sub(first) * time.Duration(i) / time.Duration(len(walk)))
	}
	if closed {
		at[len(at)-1] = end
	}
	// Stage changes happen in working hours: the opening at 9:00, the
	// moves late in the afternoon, on weekdays, in order.
	for i, t := range at {
		hour, min := 16, 30
		if i == 0 {
			hour, min = 9, 0
		}
		at[i] = workday(t, 0, hour, min)
		if i > 0 && at[i].Before(at[i-1]) {
			at[i] = at[i-1]
		}
	}
	return d.db.RewriteStageHistory(ctx, dealID, walk, at)
}

func cents(major float64) money.Cents { return money.Cents(major * 100) }

func optCents(major float64) *money.Cents {
	if major == 0 {
		return nil
	}
	c := cents(major)
	return &c
}

func optInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}
