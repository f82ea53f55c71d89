package pipeline

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Close outcomes (POST /deals/{id}/close).
const (
	OutcomeWon  = "won"
	OutcomeLost = "lost"
)

// Reasons offered when a deal closes. Any other reason may be typed.
var (
	WonReasons  = []string{"right fit", "price", "relationship", "timing", "referral"}
	LostReasons = []string{"unresponsive prospect", "margin too low", "price", "timing", "competitor", "no decision"}
)

// signalReasons says in a walk-away reason what each signal found.
var signalReasons = map[string]string{
	"margin_hit":      "margin too low",
	"discount_depth":  "discount too deep",
	"requotes":        "quoted again and again",
	"unresponsive":    "unresponsive prospect",
	"terse_replies":   "little engagement in replies",
	"wont_commit":     "will not commit to a meeting",
	"off_hours":       "only reachable out of hours",
	"effort_vs_value": "effort out of proportion to the value",
	"future_promise":  "rests on promised future business",
}

// DisqualifyReasons lists the reasons a walk-away may give: one per signal,
// in a fixed order.
var DisqualifyReasons = []string{"margin too low", "discount too deep", "quoted again and again", "unresponsive prospect",
	"little engagement in replies", "will not commit to a meeting", "only reachable out of hours",
	"effort out of proportion to the value", "rests on promised future business"}

// ReasonsFromSignals turns the codes of fired signals into walk-away reasons,
// in DisqualifyReasons order; signals without a reason of their own add none.
func ReasonsFromSignals(codes []string) []string {
	var out []string
	for _, r := range DisqualifyReasons {
		for _, c := range codes {
			if signalReasons[c] == r {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// CloseInput closes a deal as won or lost, saying why.
type CloseInput struct {
	Outcome string
	Reasons []string // picked from the lists or typed
	Note    string   // anything else worth keeping
}

// normalizeReasons trims, drops empties and duplicates.
func normalizeReasons(in []string) []string {
	out := make([]string, 0, len(in))
	for _, r := range in {
		r = strings.TrimSpace(r)
		if r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// checkReasons returns the message for a bad set of reasons, or "".
func checkReasons(reasons []string, note string) string {
	if len(reasons) == 0 {
		return "Give at least one reason: it is what the team learns from."
	}
	if len(reasons) > 12 {
		return "Pick at most 12 reasons."
	}
	for _, r := range reasons {
		if len(r) > 200 {
			return "Keep each reason under 200 characters."
		}
	}
	if len(note) > MaxNote {
		return "Keep the note under 2,000 characters."
	}
	return ""
}

// Validate trims the input and returns per-field messages.
func (in *CloseInput) Validate() map[string]string {
	in.Reasons = normalizeReasons(in.Reasons)
	in.Note = strings.TrimSpace(in.Note)
	errs := map[string]string{}
	if in.Outcome != OutcomeWon && in.Outcome != OutcomeLost {
		errs["outcome"] = "Choose won or lost."
	}
	if msg := checkReasons(in.Reasons, in.Note); msg != "" {
		errs["reasons"] = msg
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// WalkAwayInput disqualifies a deal: why, and the message sent to the prospect.
type WalkAwayInput struct {
	Reasons []string
	Message string
	Note    string // a reviewer's note when a manager walks away on the rep's behalf
}

// Validate trims the input and returns per-field messages.
func (in *WalkAwayInput) Validate() map[string]string {
	in.Reasons = normalizeReasons(in.Reasons)
	in.Message = strings.TrimSpace(in.Message)
	in.Note = strings.TrimSpace(in.Note)
	errs := map[string]string{}
	if msg := checkReasons(in.Reasons, in.Note); msg != "" {
		errs["reasons"] = msg
	}
	if in.Message == "" {
		errs["message"] = "Write the message to the prospect: a walk-away leaves the door open."
	} else if len(in.Message) > 5000 {
		errs["message"] = "Keep the message under 5,000 characters."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// The walk-away template's placeholders.
const (
	PlaceFirstName = "{first_name}"
	PlaceRepName   = "{rep_name}"
	PlaceDealTitle = "{deal_title}"
	PlaceCompany   = "{company}"
)

// Placeholders lists what a walk-away template may use.
var Placeholders = []string{PlaceFirstName, PlaceRepName, PlaceDealTitle, PlaceCompany}

// MaxTemplate is the longest walk-away template accepted.
const MaxTemplate = 2000

// DefaultWalkawayTemplate is used until an admin writes the org's own.
const DefaultWalkawayTemplate = `Hi {first_name},

Thank you for the time you have put into {deal_title} with us. From where things stand, I don't think we are the right fit for you at the moment, so I will stop following up for now.

If your plans change, a reply to this email is all it takes and I will gladly pick it up again.

Best regards,
{rep_name}`

var placeholderRE = regexp.MustCompile(`\{[^{}\s]*\}`)

// ValidateTemplate returns the message for a template that is too long or
// names a placeholder we do not know, or "".
func ValidateTemplate(t string) string {
	if strings.TrimSpace(t) == "" {
		return "Write the message, or keep the suggested one."
	}
	if len(t) > MaxTemplate {
		return "Keep the template under 2,000 characters."
	}
	for _, p := range placeholderRE.FindAllString(t, -1) {
		if !slices.Contains(Placeholders, p) {
			return "“" + p + "” is not a placeholder we know. Use " + strings.Join(Placeholders, ", ") + "."
		}
	}
	return ""
}

// WalkAwayFields are the values a template's placeholders take.
type WalkAwayFields struct {
	ContactName, RepName, DealTitle, Company string
}

// FillTemplate writes a walk-away message from the org's template ("" means
// the default one).
func FillTemplate(tmpl string, f WalkAwayFields) string {
	if strings.TrimSpace(tmpl) == "" {
		tmpl = DefaultWalkawayTemplate
	}
	first := "there"
	words := strings.Fields(f.ContactName)
	for len(words) > 1 && slices.Contains([]string{"Dr.", "Dr", "Mr.", "Ms.", "Mrs.", "Mx."}, words[0]) {
		words = words[1:]
	}
	if len(words) > 0 {
		first = words[0]
	}
	return strings.NewReplacer(PlaceFirstName, first, PlaceRepName, f.RepName,
		PlaceDealTitle, f.DealTitle, PlaceCompany, f.Company).Replace(tmpl)
}

// DealCloser closes and reopens deals. The rep closes their own deals, a
// manager the team's, an admin the org's; any other deal is ENOTFOUND.
type DealCloser interface {
	// CloseDeal closes an open deal as won or lost with its reasons.
	CloseDeal(ctx context.Context, a Actor, dealID int64, in CloseInput) (*Deal, error)
	// Disqualify walks away from an open deal: the message is logged as an
	// outbound email, the deal closes as disqualified, its flag closes as
	// disqualified, and the time it consumed is recorded as freed.
	Disqualify(ctx context.Context, a Actor, dealID int64, in WalkAwayInput) (*Deal, error)
	// ReopenDeal moves a closed deal back to the last open stage it had.
	ReopenDeal(ctx context.Context, a Actor, dealID int64) (*Deal, error)
}

// OrgSettings keeps what admins set for the whole org.
type OrgSettings interface {
	WalkawayTemplate(ctx context.Context, a Actor) (string, error)
	// SaveWalkawayTemplate stores the template (admins only) and audits it.
	SaveWalkawayTemplate(ctx context.Context, a Actor, tmpl string) error
	// PreviewDeal returns a real deal of the org to preview the template on,
	// with its first contact's name; nil when the org has none.
	PreviewDeal(ctx context.Context, a Actor) (*Deal, string, error)
}

// AuditEvent is one recorded action.
type AuditEvent struct {
	ID        int64
	ActorName string
	Action    string
	Entity    string
	EntityID  int64
	Before    string // JSON, "" when none
	After     string
	At        time.Time
}

// AuditFilter narrows GET /audit. After is the keyset cursor (an event id).
type AuditFilter struct {
	UserID   int64
	Action   string
	From, To *time.Time // dates, inclusive
	After    int64
	Limit    int
}

// AuditPage is one page of audit events, newest first.
type AuditPage struct {
	Events  []*AuditEvent
	Next    int64
	Actions []string // the actions the org has recorded, for the filter
}

// AuditService reads the org's audit trail (admins only).
type AuditService interface {
	ListAudit(ctx context.Context, a Actor, f AuditFilter) (*AuditPage, error)
}
