package pipeline

import (
	"slices"
	"strings"
	"time"

	"goodmoney/internal/money"
)

// Touch kinds, directions and outcomes.
var (
	TouchKinds = []string{"call", "email", "text", "voicemail", "meeting", "quote", "note"}
	Directions = []string{"outbound", "inbound"}
	Outcomes   = []string{"connected", "no_answer", "left_voicemail", "replied", "no_show", "rescheduled", "declined", "held"}
)

// Touch is one contact with a prospect: a call, an email, a quote...
type Touch struct {
	ID          int64
	DealID      int64
	DealTitle   string
	ProspectID  int64
	ContactID   int64
	ContactName string
	RepID       int64
	RepName     string
	Kind        string
	Direction   string
	OccurredAt  time.Time
	Outcome     string
	DurationMin *int
	QuoteAmount *money.Cents
	WordCount   *int
	Notes       string
	CreatedAt   time.Time
}

// TouchInput is a touch as logged on the form, parsed into types.
type TouchInput struct {
	// Key is the log form's idempotency key: sending the same form again
	// returns the touch the first send logged (LogTouch only). Optional.
	Key         string `json:"-"`
	Kind        string
	Direction   string
	OccurredAt  time.Time
	Outcome     string
	Notes       string
	QuoteAmount *money.Cents
	DurationMin *int
	ContactID   int64
}

// Validate checks the input against the clock (no touches from the future).
func (in *TouchInput) Validate(now time.Time) map[string]string {
	in.Notes = strings.TrimSpace(in.Notes)
	errs := map[string]string{}
	if !slices.Contains(TouchKinds, in.Kind) {
		errs["kind"] = "Choose what kind of touch this was."
	}
	if !slices.Contains(Directions, in.Direction) {
		errs["direction"] = "Choose outbound (you reached out) or inbound (they did)."
	}
	if in.Outcome != "" && !slices.Contains(Outcomes, in.Outcome) {
		errs["outcome"] = "Choose an outcome from the list."
	}
	if in.OccurredAt.IsZero() {
		errs["occurred_at"] = "Enter when it happened."
	} else if in.OccurredAt.After(now.Add(5 * time.Minute)) {
		errs["occurred_at"] = "That is in the future; log touches once they happened."
	} else if in.OccurredAt.Before(now.AddDate(-5, 0, 0)) {
		errs["occurred_at"] = "That is more than five years ago; check the date."
	}
	if in.Kind == "quote" && in.QuoteAmount == nil {
		errs["quote_amount"] = "Enter the amount you quoted."
	}
	if in.Kind != "quote" {
		in.QuoteAmount = nil
	}
	if in.DurationMin != nil && (*in.DurationMin < 0 || *in.DurationMin > 24*60) {
		errs["duration_min"] = "Enter minutes between 0 and 1440."
	}
	if len(in.Notes) > 10000 {
		errs["notes"] = "Keep notes under 10,000 characters."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// WordCount counts the words of an inbound written reply (email or text),
// which the scoring reads for one-word answers; other touches have none.
func (in *TouchInput) WordCount() *int {
	if in.Direction != "inbound" || (in.Kind != "email" && in.Kind != "text") || in.Notes == "" {
		return nil
	}
	n := len(strings.Fields(in.Notes))
	return &n
}
