package web

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"goodmoney/internal/pipeline"
)

// DealActions are the deal page's forms that close, walk away from, reopen
// and review a deal, kept with their values when one is refused.
type DealActions struct {
	ViewerID  int64
	CanReview bool // the viewer is the deal's manager or an admin
	Close     CloseForm
	WalkAway  WalkAwayForm
	Decision  DecisionForm
	Errors    map[string]string // reopen and acknowledge: FormErrorKey
}

// CloseForm holds the close form (keys of Errors: outcome, reasons).
type CloseForm struct {
	Outcome string
	Reasons []string
	Other   string
	Note    string
	Errors  map[string]string
	Open    bool // show it unfolded (after a refusal, or asked for from the board)
}

// WalkAwayForm holds the walk-away form (keys of Errors: reasons, message).
type WalkAwayForm struct {
	Reasons []string
	Other   string
	Message string
	Errors  map[string]string
	Open    bool
}

// DecisionForm holds a review decision, for one flag (the deal page) or
// several (the queue). Keys of Errors: flag_id, decision, note, until.
type DecisionForm struct {
	Selected []int64
	Decision string
	Note     string
	Until    string
	Errors   map[string]string
}

// ReviewView is GET /review.
type ReviewView struct {
	Queue    *pipeline.ReviewQueue
	OwnerID  int64
	Signal   string
	Owners   []Option
	Form     DecisionForm
	NextURL  string // the next page of the queue; "": none
	FirstURL string // the largest flags, same filters
	Currency string
	Now      time.Time
	Loc      *time.Location
}

// WalkawaySettingsView is /settings/walkaway.
type WalkawaySettingsView struct {
	Template string
	Error    string
	Preview  string // the template filled for PreviewDeal
	Deal     *pipeline.Deal
}

// AuditView is GET /audit.
type AuditView struct {
	Page    *pipeline.AuditPage
	Users   []Option
	UserID  int64
	Action  string
	From    string
	To      string
	NextURL string
	Loc     *time.Location
	Errors  map[string]string // keys: user, from, to
}

// signalOptions are the signals the queue filters by.
var signalOptions = []Option{
	{"margin_hit", "Killed the margin"}, {"discount_depth", "Deep discount"}, {"requotes", "Quoted again and again"},
	{"unresponsive", "Does not answer"}, {"terse_replies", "One-word replies"}, {"wont_commit", "Will not commit"},
	{"off_hours", "Out-of-hours calls"}, {"effort_vs_value", "Effort over value"}, {"future_promise", "Promised future business"},
}

// decisionOptions are the decisions a reviewer takes.
var decisionOptions = []Option{
	{pipeline.DecisionKeep, "Keep (note required)"},
	{pipeline.DecisionSnooze, "Snooze until a date"},
	{pipeline.DecisionCoach, "Coach the rep (note required)"},
	{pipeline.DecisionDisqualify, "Disqualify: walk away for the rep"},
}

// selected reports whether a flag is ticked in the form.
func (f DecisionForm) selected(id int64) bool { return slices.Contains(f.Selected, id) }

// has reports whether a reason is ticked.
func has(list []string, s string) bool { return slices.Contains(list, s) }

// flagAge says how long a flag has waited: "3 days".
func flagAge(opened, now time.Time) string {
	days := int(now.Sub(opened).Hours() / 24)
	if days < 1 {
		return "today"
	}
	return countLabel(days, "day", "days")
}

// marginText is a deal's margin, or a dash.
func marginText(d *pipeline.Deal) string {
	m, ok := d.MarginPct()
	return fmtPct(m, ok)
}

// hoursText shows minutes as hours to a tenth: "6.5 hours".
func hoursText(min int) string {
	h := strconv.FormatFloat(math.Round(float64(min)/6)/10, 'f', -1, 64)
	if h == "1" {
		return "1 hour"
	}
	return h + " hours"
}

// flagStatusLabel words a flag's status for its history.
func flagStatusLabel(f pipeline.Flag) string {
	switch f.Status {
	case pipeline.FlagOpen:
		if f.ReopenedAt != nil {
			return "Back from snooze, awaiting review"
		}
		return "Awaiting review"
	case pipeline.FlagKept:
		return "Kept"
	case pipeline.FlagSnoozed:
		return "Snoozed"
	case pipeline.FlagDisqualified:
		return "Disqualified"
	case pipeline.FlagCoached:
		return "Sent to coaching"
	}
	return "Resolved"
}

// signalLabels words a flag's signal codes.
func signalLabels(codes []string) string {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		for _, o := range signalOptions {
			if o.Value == c {
				out = append(out, strings.ToLower(o.Label))
			}
		}
	}
	return strings.Join(out, ", ")
}

// evidenceLabel reads a cited touch as the timeline does: "email to them · 3 Nov".
func evidenceLabel(t *pipeline.Touch, loc *time.Location) string {
	if t == nil {
		return "a touch"
	}
	dir := " to them"
	if t.Direction == "inbound" {
		dir = " from them"
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.Kind + dir + " · " + t.OccurredAt.In(loc).Format("2 Jan")
}

// otherReasons are the reasons not among the listed ones: what was typed.
func otherReasons(reasons, listed []string) string {
	var out []string
	for _, r := range reasons {
		if !slices.Contains(listed, r) {
			out = append(out, r)
		}
	}
	return strings.Join(out, ", ")
}

// openFlag returns the deal's flag awaiting a decision, if any.
func openFlag(flags []pipeline.Flag) *pipeline.Flag {
	for i := range flags {
		if flags[i].Status == pipeline.FlagOpen {
			return &flags[i]
		}
	}
	return nil
}

// joinReasons lists close reasons: "price, timing".
func joinReasons(r []string) string { return strings.Join(r, ", ") }

// decisionWord is the verb of a decided flag.
func decisionWord(f pipeline.Flag) string {
	switch f.Status {
	case pipeline.FlagKept:
		return "Kept"
	case pipeline.FlagDisqualified:
		return "Disqualified"
	case pipeline.FlagCoached:
		return "Coached"
	case pipeline.FlagSnoozed, pipeline.FlagOpen:
		return "Snoozed"
	}
	return "Decided"
}

// rowsCurrency is the currency of the queue's deals (an org has one).
func rowsCurrency(rows []pipeline.ReviewRow) string {
	if len(rows) > 0 {
		return rows[0].Deal.Currency
	}
	return "USD"
}

// flagEventKind marks a timeline flag event: opened, or its outcome.
func flagEventKind(f *pipeline.FlagEvent) string {
	if !f.Decided {
		return "opened"
	}
	return f.Status
}

// decisionPast words a decided flag's status: "kept", "snoozed".
func decisionPast(status string) string {
	switch status {
	case pipeline.FlagCoached:
		return "sent to coaching"
	case pipeline.FlagOpen:
		return "snoozed, now back"
	}
	return status
}
