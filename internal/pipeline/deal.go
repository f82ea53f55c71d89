package pipeline

import (
	"context"
	"slices"
	"strings"
	"time"

	"goodmoney/internal/money"
	"goodmoney/internal/scoring"
)

// Deal stages, in pipeline order.
const (
	StageLead         = "lead"
	StageQualified    = "qualified"
	StageProposal     = "proposal"
	StageNegotiation  = "negotiation"
	StageWon          = "won"
	StageLost         = "lost"
	StageDisqualified = "disqualified"
)

// Stages lists every stage in order; OpenStages those still being worked.
var (
	Stages     = []string{StageLead, StageQualified, StageProposal, StageNegotiation, StageWon, StageLost, StageDisqualified}
	OpenStages = []string{StageLead, StageQualified, StageProposal, StageNegotiation}
)

// ValidStage reports whether s names a stage.
func ValidStage(s string) bool { return slices.Contains(Stages, s) }

// IsOpenStage reports whether a deal in stage s is still being worked.
func IsOpenStage(s string) bool { return slices.Contains(OpenStages, s) }

// Deal is an opportunity to sell to a prospect, owned by one rep.
type Deal struct {
	ID             int64
	OrgID          int64
	ProspectID     int64
	ProspectName   string
	OwnerID        int64
	OwnerName      string
	Title          string
	Stage          string
	Amount         money.Cents
	ListPrice      *money.Cents
	Cost           *money.Cents
	Currency       string
	ExpectedClose  *time.Time // a date: midnight UTC
	NextStep       string
	NextStepDue    *time.Time // a date: midnight UTC
	FuturePromise  bool
	CloseReasons   []string
	CameBackAt     *time.Time
	StageChangedAt time.Time
	LastTouchAt    *time.Time
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// The stored score, when the deal has been scored.
	Points int
	Band   string
}

// MarginPct returns (amount − cost) / amount in percent, when both are known.
func (d *Deal) MarginPct() (float64, bool) {
	m, ok := scoring.Margin(d.Amount, d.Cost)
	return m * 100, ok
}

// DiscountPct returns (list − amount) / list in percent, when the list price is known.
func (d *Deal) DiscountPct() (float64, bool) {
	off, ok := scoring.Discount(d.Amount, d.ListPrice)
	return off * 100, ok
}

// IsOpen reports whether the deal is still being worked.
func (d *Deal) IsOpen() bool { return IsOpenStage(d.Stage) }

// CameBack reports whether touch t brings the deal's prospect back after a
// walk-away: an inbound touch on a disqualified deal, dated after the deal
// was disqualified (an older reply logged late does not count), when the
// prospect has not already come back. Touches are logged to the minute, so
// a reply in the minute of the walk-away counts as after it.
func (d *Deal) CameBack(t *Touch) bool {
	return t.Direction == "inbound" && d.Stage == StageDisqualified && d.CameBackAt == nil &&
		!t.OccurredAt.Before(d.StageChangedAt.Truncate(time.Minute))
}

// ForgetsCameBack reports whether moving a deal to stage clears the record
// that its prospect came back: disqualifying it again starts a new walk-away.
func ForgetsCameBack(stage string) bool { return stage == StageDisqualified }

// NextStepOverdue reports whether the next step's due date has passed (in loc).
func (d *Deal) NextStepOverdue(now time.Time, loc *time.Location) bool {
	if d.NextStepDue == nil || !d.IsOpen() {
		return false
	}
	y, m, day := now.In(loc).Date()
	today := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	return d.NextStepDue.Before(today)
}

// NeedsNextStep reports whether an open deal has no next step, or one whose
// due date has passed (in loc): the deals a rep should plan before anything
// else. The deals list's "next=needed" filter asks the same in SQL.
func (d *Deal) NeedsNextStep(now time.Time, loc *time.Location) bool {
	return d.IsOpen() && (strings.TrimSpace(d.NextStep) == "" || d.NextStepOverdue(now, loc))
}

// CloseQuestion returns why an expected close date deserves a second look,
// or "" when it is plausible: a date before today (the deal should have
// closed already) or more than two years after it (likely a typo, 2099 for
// 2029). The person may confirm it; it is a question, not a rule.
func CloseQuestion(close *time.Time, today time.Time) string {
	if close == nil {
		return ""
	}
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case close.Before(day):
		return "That date has passed. Keep it, or set when you now expect the deal to close."
	case close.After(day.AddDate(2, 0, 0)):
		return "That is more than two years away. Keep it, or check the year."
	}
	return ""
}

// DealInput is a deal as entered on the form, already parsed into types.
type DealInput struct {
	// Key is the create form's idempotency key: sending the same form
	// again returns the deal the first send made (CreateDeal only). Optional.
	Key           string `json:"-"`
	ProspectID    int64
	Title         string
	Amount        money.Cents
	ListPrice     *money.Cents
	Cost          *money.Cents
	Stage         string
	ExpectedClose *time.Time
	NextStep      string
	NextStepDue   *time.Time
	FuturePromise bool
	Version       int // the version the edit started from; ignored on create
}

// Validate returns per-field messages for what the parsers cannot see.
func (in *DealInput) Validate() map[string]string {
	in.Title = strings.TrimSpace(in.Title)
	in.NextStep = strings.TrimSpace(in.NextStep)
	errs := map[string]string{}
	if in.ProspectID <= 0 {
		errs["prospect_id"] = "Choose the prospect this deal is with."
	}
	if in.Title == "" {
		errs["title"] = "Give the deal a title, like “200 seats, annual”."
	} else if len(in.Title) > 200 {
		errs["title"] = "Keep the title under 200 characters."
	}
	if !ValidStage(in.Stage) {
		errs["stage"] = "Choose a stage from the list."
	}
	if len(in.NextStep) > 500 {
		errs["next_step"] = "Keep the next step under 500 characters."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// DealFilter narrows and orders a deal list. Stage is a stage, "open",
// "closed" or "" for every stage. NextStepNeeded keeps the open deals with no
// next step or one due before Today (the viewer's date). Sort names one of
// DealSorts; Desc reverses it. After is the keyset cursor the previous page
// gave as its Next, opaque to callers.
type DealFilter struct {
	Stage          string
	OwnerID        int64
	Band           string
	Q              string
	NextStepNeeded bool
	Today          time.Time
	Sort           string
	Desc           bool
	After          string
	Limit          int
}

// The orders of the deals list. SortRisk puts the deals most in need of
// attention first: band (not good money, watch, ok), then points, then amount.
const (
	SortRisk    = "risk"
	SortNewest  = "newest"
	SortTitle   = "title"
	SortOwner   = "owner"
	SortStage   = "stage"
	SortAmount  = "amount"
	SortMargin  = "margin"
	SortNextDue = "due"
)

// DealSorts lists the orders of the deals list, each with the direction it
// starts in: true for descending (largest, newest or riskiest first).
var DealSorts = map[string]bool{
	SortRisk: true, SortNewest: true, SortTitle: false, SortOwner: false,
	SortStage: false, SortAmount: true, SortMargin: false, SortNextDue: false,
}

// DealPage is one page of a deal list.
type DealPage struct {
	Deals []*Deal
	Next  string // cursor for the next page; "" when this is the last
}

// StageColumn is one column of the board.
type StageColumn struct {
	Stage string
	Count int
	Total money.Cents
	Deals []*Deal
}

// StageChange records a deal moving between stages.
type StageChange struct {
	From    string
	To      string
	ByName  string
	At      time.Time
	Reasons []string // why it closed, for a close
	Note    string
}

// StageTime is how long a deal spent (or has spent so far) in one stage.
type StageTime struct {
	Stage    string
	Duration time.Duration
	Current  bool
}

// DealDetail is everything the deal page shows.
type DealDetail struct {
	Deal         *Deal
	Contacts     []*Contact
	Timeline     []TimelineItem
	TimelineNext int // offset of the next (older) timeline page; 0 when none
	TimelineAt   int // offset of this timeline page
	TimelinePrev int // offset of the newer page, when TimelineAt > 0
	StageTimes   []StageTime
	Score        *scoring.Score // the stored score; nil until the deal is scored
	Review       DealReview
}

// TimelineItem is a touch, a stage change or a flag event on the deal's timeline.
type TimelineItem struct {
	At          time.Time
	Touch       *Touch
	StageChange *StageChange
	Flag        *FlagEvent
}

// FlagEvent is a flag opening, or the decision or resolution that closed it.
type FlagEvent struct {
	FlagID  int64
	Decided bool     // false: the flag opened
	Status  string   // the flag's status now (a decision's outcome)
	Points  int      // the score when it opened (or when it was kept)
	Signals []string // the signal codes then
	ByName  string   // who decided; "" when it resolved by itself
	Note    string
}

// DealService keeps deals and their touches. Every method applies the access
// policy: reps see their own deals, managers their team's, admins the org's.
// A deal the actor may not see is ENOTFOUND, never EFORBIDDEN.
type DealService interface {
	CreateDeal(ctx context.Context, a Actor, in DealInput) (*Deal, error)
	// Deal returns one deal with its current points and band, without its
	// timeline: what a page needs before a change (the score it had).
	Deal(ctx context.Context, a Actor, id int64) (*Deal, error)
	DealDetail(ctx context.Context, a Actor, id int64, timelineOffset int) (*DealDetail, error)
	// UpdateDeal saves an edit made from in.Version; a newer stored version is
	// ECONFLICT and the error is a *ConflictError carrying the stored deal.
	UpdateDeal(ctx context.Context, a Actor, id int64, in DealInput) (*Deal, error)
	MoveDeal(ctx context.Context, a Actor, id int64, stage string) (*Deal, error)
	ListDeals(ctx context.Context, a Actor, f DealFilter) (*DealPage, error)
	Board(ctx context.Context, a Actor, perColumn int) ([]StageColumn, error)
	LogTouch(ctx context.Context, a Actor, dealID int64, in TouchInput) (*Touch, error)
	// Touch returns a touch of the deal; a touch of another deal is ENOTFOUND.
	Touch(ctx context.Context, a Actor, dealID, touchID int64) (*Touch, error)
	// UpdateTouch corrects a touch of the deal and rescores the deal.
	UpdateTouch(ctx context.Context, a Actor, dealID, touchID int64, in TouchInput) (*Touch, error)
	// DeleteTouch removes a touch of the deal; a touch of another deal is ENOTFOUND.
	DeleteTouch(ctx context.Context, a Actor, dealID, touchID int64) error
	Home(ctx context.Context, a Actor, now time.Time) (*Home, error)
	// SearchDeals finds the actor's open deals by title or prospect name (quick log).
	SearchDeals(ctx context.Context, a Actor, q string, limit int) ([]*Deal, error)
	Owners(ctx context.Context, a Actor) ([]*User, error)
}

// Home is the rep's start page.
type Home struct {
	Flagged   []*Deal // open deals in the not_good_money band
	Overdue   []*Deal // open deals whose next step is past due
	Untouched []*Deal // open deals with no touch for 14+ days
	CameBack  []*Deal // disqualified deals whose prospect came back
	Recent    []*Deal // the actor's most recently touched open deals, for quick log
}

// ConflictError is the ECONFLICT answer to a stale edit: the stored deal as
// the other person left it.
type ConflictError struct {
	Err     *Error
	Current *Deal
}

func (e *ConflictError) Error() string { return e.Err.Error() }
func (e *ConflictError) Unwrap() error { return e.Err }
