package web

import (
	"net/url"
	"time"

	"goodmoney/internal/pipeline"
	"goodmoney/internal/scoring"
)

// DealForm holds the deal form's values as typed (strings, so a bad amount
// comes back exactly as entered) and its per-field messages. Keys of Errors
// are the form field names: prospect_id, title, amount, list_price, cost,
// stage, expected_close, next_step, next_step_due, plus FormErrorKey.
type DealForm struct {
	ID                                    int64  // 0 for a new deal
	Key                                   string // idempotency key of the create form
	ProspectID                            string
	Title, Amount, ListPrice, Cost, Stage string
	ExpectedClose, NextStep, NextStepDue  string // dates as yyyy-mm-dd
	FuturePromise                         bool
	Version                               string
	// ConfirmClose is the expected close date the person confirmed after
	// being asked (see pipeline.CloseQuestion); AskClose shows the question.
	ConfirmClose string
	AskClose     bool
	Errors       map[string]string
}

// TouchForm holds the log-a-touch form. OccurredAt is a datetime-local value
// (yyyy-mm-ddThh:mm) in the user's timezone. Keys of Errors: kind, direction,
// occurred_at, outcome, notes, quote_amount, duration_min, contact_id, deal,
// plus FormErrorKey.
type TouchForm struct {
	Key                                         string // idempotency key of the log form
	Kind, Direction, OccurredAt, Outcome, Notes string
	QuoteAmount, DurationMin, ContactID         string
	Deal                                        string // quick log only: the deal picked by name
	Errors                                      map[string]string
}

// TouchEditView is the edit-touch page.
type TouchEditView struct {
	DealID, TouchID int64
	DealTitle       string
	Contacts        []*pipeline.Contact
	Form            TouchForm
}

// ContactForm holds the add-contact form. Keys of Errors: contact_name,
// contact_email, contact_phone, contact_title.
type ContactForm struct {
	Key                       string // idempotency key of the add-contact form
	Name, Email, Phone, Title string
	Errors                    map[string]string
}

// ProspectForm holds the new-prospect form with its optional first contact.
// Keys of Errors: name, website, industry, notes and the contact_* keys.
type ProspectForm struct {
	Key                            string // idempotency key of the create form
	Name, Website, Industry, Notes string
	Contact                        ContactForm
	Errors                         map[string]string
}

// DealPageView is the deal page: numbers, score card, log-a-touch form,
// timeline and the edit form.
type DealPageView struct {
	Detail   *pipeline.DealDetail
	Score    *scoring.Score // nil until the deal is scored
	Edit     DealForm
	Touch    TouchForm
	Conflict *pipeline.Deal // the stored values when an edit was refused as stale
	// Result says what the touch just logged, changed or removed did, right
	// above the timeline; nil on a plain visit.
	Result *TouchResult
	// NextStep is the next-step form at the top of the page.
	NextStep NextStepForm
	Loc      *time.Location // the viewer's timezone, for dates and times
	Now      time.Time
	Actions  DealActions // close, walk away, reopen, decide, coaching
}

// TouchResult is what a touch change did to the deal: which touch, and the
// deal's score before and after. Undo holds a removed touch's fields, so the
// rep can log it back.
type TouchResult struct {
	DealID  int64
	Verb    string // logged, updated, removed, restored
	TouchID int64  // the touch logged, updated or restored; 0 after a removal
	Before  ScoreMark
	After   ScoreMark
	Undo    *TouchForm `json:",omitempty"`
}

// ScoreMark is a deal's score at one moment; Band is "" while unscored or closed.
type ScoreMark struct {
	Points int
	Band   string
}

// NextStepForm is the next-step form at the top of the deal page. Keys of
// Errors: next_step, next_step_due, FormErrorKey.
type NextStepForm struct {
	NextStep, NextStepDue, Version string
	Open                           bool // shown open: after a refusal, or when there is no next step
	Errors                         map[string]string
}

// TimelineView is the timeline fragment, swapped in by htmx after a touch.
// Highlight marks the touch just logged or changed.
type TimelineView struct {
	DealID    int64
	Highlight int64
	Items     []pipeline.TimelineItem
	NextPage  int // timeline offset of the next (older) page, 0 when none
	Offset    int // timeline offset of this page
	PrevPage  int // timeline offset of the newer page, when Offset > 0
	Currency  string
	Loc       *time.Location
}

// DealListView is /deals with its filters and order. Query holds the
// filters as the URL carries them, for the sort links.
type DealListView struct {
	Deals   []*pipeline.Deal
	Filter  pipeline.DealFilter
	Query   url.Values
	Owners  []Option
	NextURL string // "" on the last page
	Now     time.Time
	Loc     *time.Location
}

// BoardView is /deals/board.
type BoardView struct {
	Columns  []pipeline.StageColumn
	Currency string
}

// DealNewView is /deals/new: pick a prospect first (search), then the form.
type DealNewView struct {
	Prospect *pipeline.Prospect   // nil until a prospect is chosen
	Q        string               // the prospect search typed
	Matches  []*pipeline.Prospect // prospects matching Q
	Form     DealForm
}

// ProspectListView is /prospects.
type ProspectListView struct {
	Prospects []*pipeline.Prospect
	Q         string
	NextURL   string
}

// ProspectPageView is /prospects/{id}.
type ProspectPageView struct {
	Prospect *pipeline.Prospect
	Deals    []*pipeline.Deal
	Touches  []*pipeline.Touch
	Contact  ContactForm
	Loc      *time.Location
}

// ProspectNewView is /prospects/new.
type ProspectNewView struct {
	Form ProspectForm
}

// HomeView is the home page.
type HomeView struct {
	Name string
	Home *pipeline.Home
	// NeedsStep lists open deals with no next step or an overdue one;
	// MoreNeedStep says the list was cut short.
	NeedsStep    []*pipeline.Deal
	MoreNeedStep bool
	Quick        TouchForm
	Loc          *time.Location
	Now          time.Time
	Coaching     []*pipeline.CoachingNote // on the viewer's deals, not yet acknowledged
	Team         *pipeline.TeamReview     // managers and admins: flags awaiting review
	Currency     string
	// Outcomes is the manager's small chart of flags against how the
	// deals ended; nil for others, or while it is being computed.
	Outcomes *HomeOutcomes
}
