package pipeline

import (
	"context"
	"strings"
	"time"

	"goodmoney/internal/money"
)

// Flag statuses. A flag is open until someone decides on it or the deal
// leaves the not-good-money band (resolved); snoozed comes back by itself.
const (
	FlagOpen         = "open"
	FlagResolved     = "resolved"
	FlagKept         = "kept"
	FlagSnoozed      = "snoozed"
	FlagDisqualified = "disqualified"
	FlagCoached      = "coached"
)

// Decisions a reviewer takes on a flag (POST /review/{flag_id}).
const (
	DecisionKeep       = "keep"
	DecisionSnooze     = "snooze"
	DecisionDisqualify = "disqualify"
	DecisionCoach      = "coach"
)

// Decisions lists every decision, in the order the form offers them.
var Decisions = []string{DecisionKeep, DecisionSnooze, DecisionCoach, DecisionDisqualify}

// MaxNote is the longest decision or coaching note accepted.
const MaxNote = 2000

// Flag is one time a deal was flagged as not good money, and what came of it.
type Flag struct {
	ID              int64
	DealID          int64
	Status          string
	Points          int      // the score when the flag opened
	Signals         []string // the signal codes fired then
	OpenedAt        time.Time
	DecidedByName   string // "" when nobody decided (resolved by itself)
	DecidedAt       *time.Time
	Note            string
	SnoozeUntil     *time.Time
	ResolvedByTouch int64  // the touch whose logging took the deal out of the band
	ResolvedBy      *Touch // its kind, direction and date, when there is one
	ReopenedAt      *time.Time
}

// Waiting reports whether the flag still asks for a decision.
func (f *Flag) Waiting() bool { return f.Status == FlagOpen }

// ReviewRow is one open flag of the review queue with its deal.
type ReviewRow struct {
	Flag    Flag
	Deal    *Deal
	Reasons []string // the labels of the two strongest signals now
}

// ReviewPageSize is how many flags one page of the review queue lists.
const ReviewPageSize = 25

// ReviewFilter narrows the review queue and picks its page.
type ReviewFilter struct {
	OwnerID int64  // 0: everyone the actor reviews
	Signal  string // a signal code; "": any
	After   string // ReviewQueue.Next of the page before; "": the largest flags
}

// ReviewQueue is one page of GET /review: the open flags the actor reviews,
// largest amount first, with their count and the money they put at risk
// (both over every page).
type ReviewQueue struct {
	Rows    []ReviewRow
	Count   int
	AtRisk  money.Cents
	Snoozed int     // flags snoozed now, not listed
	Owners  []*User // the reps whose flags the actor reviews, to filter by (id and name)
	First   int     // the place of Rows[0] in the whole queue, from 1
	Next    string  // the cursor of the next page; "": this is the last
}

// DecisionInput is one decision taken on one or more flags at once.
type DecisionInput struct {
	FlagIDs  []int64
	Decision string
	Note     string
	Until    *time.Time // snooze: the date (midnight UTC) the flag comes back
}

// Validate checks the decision against the actor's today (in loc).
func (in *DecisionInput) Validate(now time.Time, loc *time.Location) map[string]string {
	in.Note = strings.TrimSpace(in.Note)
	errs := map[string]string{}
	if len(in.FlagIDs) == 0 {
		errs["flag_id"] = "Select at least one flag."
	}
	switch in.Decision {
	case DecisionKeep:
		if in.Note == "" {
			errs["note"] = "Say why the deal is worth keeping: the rep and the next reviewer will read it."
		}
	case DecisionCoach:
		if in.Note == "" {
			errs["note"] = "Write the coaching note for the rep."
		}
	case DecisionSnooze:
		y, m, d := now.In(loc).Date()
		today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		if in.Until == nil {
			errs["until"] = "Choose the date the flag should come back."
		} else if !in.Until.After(today) {
			errs["until"] = "Choose a date after today."
		} else if in.Until.After(today.AddDate(1, 0, 0)) {
			errs["until"] = "Snooze for a year at most."
		}
	case DecisionDisqualify:
	default:
		errs["decision"] = "Choose keep, snooze, coach or disqualify."
	}
	if len(in.Note) > MaxNote {
		errs["note"] = "Keep the note under 2,000 characters."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// CoachingNote is a manager's note to a rep about a deal.
type CoachingNote struct {
	ID             int64
	DealID         int64
	DealTitle      string
	AuthorName     string
	Note           string
	CreatedAt      time.Time
	AcknowledgedAt *time.Time
}

// TeamReview is what a manager's home shows about the team.
type TeamReview struct {
	Waiting  int
	AtRisk   money.Cents
	Oldest   []ReviewRow     // the flags waiting longest, oldest first
	Coaching []*CoachingNote // notes the reps have not acknowledged yet
}

// ReviewService is the manager's review of flagged deals. Managers review
// their team's flags, admins the org's; reps have no queue (ENOTFOUND).
// Decisions apply to every selected flag or to none.
type ReviewService interface {
	Queue(ctx context.Context, a Actor, f ReviewFilter) (*ReviewQueue, error)
	// Decide applies one decision to every flag of in. A flag the actor
	// does not review is ENOTFOUND; one already decided or resolved is
	// EINVALID; either way nothing is written.
	Decide(ctx context.Context, a Actor, in DecisionInput) error
	TeamReview(ctx context.Context, a Actor) (*TeamReview, error)
	// MyCoaching lists the coaching notes on the actor's deals not yet acknowledged.
	MyCoaching(ctx context.Context, a Actor) ([]*CoachingNote, error)
	// AcknowledgeCoaching marks a note read; only the deal's rep may.
	AcknowledgeCoaching(ctx context.Context, a Actor, noteID int64) (dealID int64, err error)
	SnoozeWaker
}

// SnoozeWaker brings snoozed flags back; the snooze job calls it.
type SnoozeWaker interface {
	// WakeSnoozed opens again every snoozed flag whose date has come by now
	// (one whose deal closed or left the band meanwhile resolves instead),
	// in every org, and reports how many it changed.
	WakeSnoozed(ctx context.Context, now time.Time) (int, error)
}

// DealReview is what the deal page shows about reviews and closes: the
// deal's flags, its coaching notes, the walk-away template and the record of
// its last close.
type DealReview struct {
	Flags            []Flag // newest first
	Coaching         []*CoachingNote
	WalkawayTemplate string // the org's; "" means the default
	CloseNote        string
	ClosedPoints     *int // the score when it last closed
	FreedMinutes     *int // the time it had consumed when the rep walked away
	// Evidence holds the touches the score card's signals cite, by id.
	Evidence map[int64]*Touch
}
