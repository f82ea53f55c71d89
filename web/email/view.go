// Package email renders the Monday digest as mail: an HTML part built for
// mail clients (inline styles, tables for layout, no scripts, no images
// from elsewhere) and a plain-text part. Both are written from one View, so
// they carry the same facts by construction.
package email

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"goodmoney/internal/money"
	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// View is a digest ready to render.
type View struct {
	Subject   string
	Preheader string // the line mail clients show after the subject
	Greeting  string
	Period    string // "23–29 Nov 2026"
	Intro     string
	Stats     []Stat // a few numbers with bars
	Sections  []Section
	Table     *Table // the team's or org's activity
	AppURL    string
	PrefsURL  string
	UnsubURL  string
}

// Stat is a number shown with a bar, beside the one it compares with.
type Stat struct {
	Label string
	Value int
	Bar   int // width in percent of the largest value in the group
}

// Section is a heading, a summary line and a list of items.
type Section struct {
	Key     string // stable marker for tests: data-section
	Heading string
	Summary string
	Items   []Item
	More    string // "and 4 more in the app"
	MoreURL string
}

// Item is one line of a section, usually a deal.
type Item struct {
	DealID int64
	Title  string // "Renewal 2027 · Acme Corp"
	Detail string // "$12,000 · thin margin · 52 points"
	Note   string // a quoted note, when there is one
	URL    string
}

// Table is the activity table.
type Table struct {
	Heading string
	Key     string
	Columns []string
	Rows    []TableRow
}

// TableRow is one row: a name, its numbers and a bar for its touches.
type TableRow struct {
	Name   string
	Values []int
	Bar    int
}

// Links are the absolute addresses a digest points to.
type Links struct {
	Base  string // BASE_URL
	Unsub string // the signed one-click unsubscribe address
}

func (l Links) url(path string) string { return strings.TrimRight(l.Base, "/") + path }

func (l Links) deal(id int64) string { return l.url("/deals/" + strconv.FormatInt(id, 10)) }

// NewView turns a digest's facts into what the mail says.
func NewView(d *pipeline.Digest, l Links) View {
	loc := d.Recipient.Location()
	v := View{
		Subject:  Subject(d),
		Greeting: "Hi " + firstName(d.Recipient.Name) + ",",
		Period:   period(d.From, d.To, loc),
		AppURL:   l.url("/"),
		PrefsURL: l.url("/profile"),
		UnsubURL: l.Unsub,
	}
	v.Intro = "Here is what needs you this week, and how last week went (" + v.Period + ")."
	v.Preheader = v.Subject
	v.Stats = touchStats(d)
	add := func(s Section) {
		if len(s.Items) > 0 || s.Summary != "" {
			v.Sections = append(v.Sections, s)
		}
	}
	add(newFlagsSection(d, l))
	add(coachingSection(d, l, loc))
	add(dealList("overdue", "Next steps past due", d.Overdue, l, "/deals", func(x pipeline.DigestDeal) string {
		return "due " + fmtDate(x.Due) + nextStep(x.NextStep)
	}))
	add(dealList("untouched", "No touch for "+strconv.Itoa(pipeline.UntouchedDays)+" days or more", d.Untouched, l, "/deals", func(x pipeline.DigestDeal) string {
		if x.LastTouch == nil {
			return "never touched · " + money.Format(x.Amount, x.Currency)
		}
		return "last touch " + x.LastTouch.In(loc).Format("2 Jan") + " · " + money.Format(x.Amount, x.Currency)
	}))
	add(cameBackSection(d, l, loc))
	add(closedSection(d, l, loc))
	if d.Team != nil {
		add(awaitingSection(d, l))
		add(decisionsSection(d, l, loc))
		v.Table = activityTable(d.Team)
	}
	return v
}

// Subject says what the week holds in numbers; it carries no names or
// titles, so nothing a user typed can reach a mail header through it.
func Subject(d *pipeline.Digest) string {
	var parts []string
	if d.Team != nil && d.Team.AwaitingN > 0 {
		parts = append(parts, count(d.Team.AwaitingN, "flag", "flags")+" awaiting review")
	}
	if n := len(d.NewFlags); n > 0 {
		parts = append(parts, count(n, "new flag", "new flags"))
	}
	if n := d.Overdue.Total; n > 0 {
		parts = append(parts, count(n, "overdue next step", "overdue next steps"))
	}
	if n := len(d.CameBack); n > 0 {
		parts = append(parts, count(n, "deal came back", "deals came back"))
	}
	if len(parts) == 0 {
		return "Your week in goodmoney"
	}
	if len(parts) > 2 {
		parts = parts[:2]
	}
	return "Your week: " + strings.Join(parts, ", ")
}

func touchStats(d *pipeline.Digest) []Stat {
	top := max(d.Touches, d.TouchesB, 1)
	return []Stat{
		{Label: "Touches you logged last week", Value: d.Touches, Bar: pct(d.Touches, top)},
		{Label: "The week before", Value: d.TouchesB, Bar: pct(d.TouchesB, top)},
	}
}

func newFlagsSection(d *pipeline.Digest, l Links) Section {
	s := Section{Key: "new-flags", Heading: "New flags on your deals"}
	var risk money.Cents
	currency := d.Recipient.Currency
	for _, f := range d.NewFlags {
		risk += f.Deal.Amount
		currency = f.Deal.Currency
		s.Items = append(s.Items, flagItem(f, l))
	}
	if len(d.NewFlags) > 0 {
		s.Summary = count(len(d.NewFlags), "deal was", "deals were") + " flagged as not good money last week: " +
			money.Format(risk, currency) + " at risk. Walk away early, or tell your manager why it is worth it."
	}
	return s
}

func flagItem(f pipeline.DigestFlag, l Links) Item {
	detail := money.Format(f.Deal.Amount, f.Deal.Currency) + " at risk · " + strconv.Itoa(f.Points) + " points"
	if r := web.SignalTitle(f.TopReason); r != "" {
		detail = money.Format(f.Deal.Amount, f.Deal.Currency) + " at risk · " + strings.ToLower(r) + " · " + strconv.Itoa(f.Points) + " points"
	}
	return Item{DealID: f.Deal.ID, Title: dealTitle(f.Deal), Detail: detail, URL: l.deal(f.Deal.ID)}
}

func coachingSection(d *pipeline.Digest, l Links, loc *time.Location) Section {
	s := Section{Key: "coaching", Heading: "Coaching notes"}
	for _, n := range d.Coaching {
		s.Items = append(s.Items, Item{DealID: n.Deal.ID, Title: dealTitle(n.Deal),
			Detail: "from " + n.Author + " · " + n.At.In(loc).Format("Mon 2 Jan"), Note: n.Note, URL: l.deal(n.Deal.ID)})
	}
	return s
}

func dealList(key, heading string, list pipeline.DigestDeals, l Links, morePath string, detail func(pipeline.DigestDeal) string) Section {
	s := Section{Key: key, Heading: heading}
	for _, x := range list.Deals {
		s.Items = append(s.Items, Item{DealID: x.ID, Title: dealTitle(x), Detail: detail(x), URL: l.deal(x.ID)})
	}
	if more := list.Total - len(list.Deals); more > 0 {
		s.More, s.MoreURL = "and "+strconv.Itoa(more)+" more in the app", l.url(morePath)
	}
	return s
}

func cameBackSection(d *pipeline.Digest, l Links, loc *time.Location) Section {
	s := Section{Key: "came-back", Heading: "Came back"}
	for _, x := range d.CameBack {
		s.Items = append(s.Items, Item{DealID: x.ID, Title: dealTitle(x),
			Detail: "wrote on " + x.At.In(loc).Format("Mon 2 Jan") + " after you walked away · reopen it if it is good money now",
			URL:    l.deal(x.ID)})
	}
	return s
}

func closedSection(d *pipeline.Digest, l Links, loc *time.Location) Section {
	s := Section{Key: "closed", Heading: "Closed last week"}
	var won, lost, disq int
	for _, x := range d.Closed {
		switch x.Stage {
		case pipeline.StageWon:
			won++
		case pipeline.StageLost:
			lost++
		default:
			disq++
		}
		detail := web.StageLabel(x.Stage) + " · " + money.Format(x.Amount, x.Currency) + " · " + x.At.In(loc).Format("Mon 2 Jan")
		if len(x.Reasons) > 0 {
			detail += " · " + strings.Join(x.Reasons, ", ")
		}
		if x.FreedMinutes > 0 {
			detail += " · freed " + hours(x.FreedMinutes)
		}
		s.Items = append(s.Items, Item{DealID: x.ID, Title: dealTitle(x), Detail: detail, URL: l.deal(x.ID)})
	}
	if len(d.Closed) > 0 {
		s.Summary = fmt.Sprintf("%d won, %d lost, %d disqualified.", won, lost, disq)
		if d.FreedMinutes > 0 {
			s.Summary += " Walking away freed about " + hours(d.FreedMinutes) + "."
		}
	}
	return s
}

func awaitingSection(d *pipeline.Digest, l Links) Section {
	t := d.Team
	s := Section{Key: "awaiting", Heading: "Flags awaiting your review"}
	if t.Scope == "org" {
		s.Heading = "Flags awaiting review across the org"
	}
	for _, f := range t.Awaiting {
		it := flagItem(f, l)
		it.Detail = f.Deal.Owner + " · " + it.Detail + " · flagged " + f.OpenedAt.Format("2 Jan")
		s.Items = append(s.Items, it)
	}
	if t.AwaitingN > 0 {
		s.Summary = count(t.AwaitingN, "flag waits", "flags wait") + " for a decision, " +
			money.Format(t.AtRisk, t.Currency) + " at risk. Oldest first:"
	}
	if more := t.AwaitingN - len(t.Awaiting); more > 0 {
		s.More, s.MoreURL = "and "+strconv.Itoa(more)+" more in the review queue", l.url("/review")
	}
	return s
}

func decisionsSection(d *pipeline.Digest, l Links, loc *time.Location) Section {
	t := d.Team
	s := Section{Key: "decisions", Heading: "Decisions taken last week"}
	for _, x := range t.Decisions {
		s.Items = append(s.Items, Item{DealID: x.Deal.ID, Title: dealTitle(x.Deal),
			Detail: decisionLabel(x.Decision) + " by " + x.By + " · " + x.At.In(loc).Format("Mon 2 Jan"), Note: x.Note, URL: l.deal(x.Deal.ID)})
	}
	if t.DecisionsN > 0 || t.FreedMinutes > 0 {
		s.Summary = count(t.DecisionsN, "decision", "decisions") + " on flags."
		if t.FreedMinutes > 0 {
			s.Summary += " Disqualified deals freed about " + hours(t.FreedMinutes) + "."
		}
	}
	if more := t.DecisionsN - len(t.Decisions); more > 0 {
		s.More, s.MoreURL = "and "+strconv.Itoa(more)+" more", l.url("/review")
	}
	return s
}

func activityTable(t *pipeline.TeamDigest) *Table {
	tb := &Table{Key: "activity", Heading: "Your team last week", Columns: []string{"Rep", "Touches", "New flags", "Flags decided", "Deals closed"}}
	if t.Scope == "org" {
		tb.Heading, tb.Columns[0] = "The org last week, by team", "Team"
	}
	top := 1
	for _, r := range t.Rows {
		top = max(top, r.Touches)
	}
	for _, r := range t.Rows {
		tb.Rows = append(tb.Rows, TableRow{Name: r.Name, Values: []int{r.Touches, r.NewFlags, r.Decided, r.Closed}, Bar: pct(r.Touches, top)})
	}
	if len(tb.Rows) == 0 {
		return nil
	}
	return tb
}

func decisionLabel(status string) string {
	switch status {
	case "kept":
		return "Kept"
	case "snoozed":
		return "Snoozed"
	case "disqualified":
		return "Disqualified"
	case "coached":
		return "Coached"
	}
	return status
}

// dealTitle names a deal and its prospect, once when the title already
// starts with the prospect's name.
func dealTitle(d pipeline.DigestDeal) string {
	if strings.HasPrefix(strings.ToLower(d.Title), strings.ToLower(d.Prospect)) {
		return d.Title
	}
	return d.Title + " · " + d.Prospect
}

func nextStep(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return ""
	}
	return " · " + s
}

func fmtDate(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.Format("Mon 2 Jan")
}

// period shows the reported week: Monday to Sunday, local dates.
func period(from, to time.Time, loc *time.Location) string {
	a, b := from.In(loc), to.In(loc).AddDate(0, 0, -1)
	if a.Month() == b.Month() {
		return fmt.Sprintf("%d–%d %s %d", a.Day(), b.Day(), b.Format("Jan"), b.Year())
	}
	return a.Format("2 Jan") + " – " + b.Format("2 Jan 2006")
}

func hours(minutes int) string {
	h := float64(minutes) / 60
	if h < 10 {
		return strconv.FormatFloat(h, 'f', 1, 64) + " hours"
	}
	return strconv.Itoa(int(h+0.5)) + " hours"
}

func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return "there"
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func pct(v, top int) int {
	if top <= 0 {
		return 0
	}
	return v * 100 / top
}
