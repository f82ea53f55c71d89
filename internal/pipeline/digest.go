package pipeline

import (
	"context"
	"fmt"
	"time"

	"goodmoney/internal/money"
)

// Digest kinds: what a user's Monday digest covers follows their role.
const (
	DigestRep     = "rep"     // the user's own deals
	DigestManager = "manager" // their own deals and their team's
	DigestAdmin   = "admin"   // their own deals and the whole org's
)

// Outbox statuses of a digest.
const (
	DigestPending = "pending" // recorded, not sent yet (or no SMTP configured)
	DigestSent    = "sent"
	DigestSkipped = "skipped" // nothing to say this week
	DigestFailed  = "failed"  // every attempt failed; LastError says why
)

// DigestSendHour is the local hour on Monday from which a user's digest is due.
const DigestSendHour = 7

// DigestKindFor is the kind of digest a user of this role gets.
func DigestKindFor(role string) string {
	switch role {
	case RoleManager:
		return DigestManager
	case RoleAdmin:
		return DigestAdmin
	}
	return DigestRep
}

// Week is one ISO week in one user's timezone: it starts on Monday 00:00
// local time. A digest for week W reports on the week before it.
type Week struct {
	Label  string    // ISO week, like "2026-W48"
	Monday time.Time // 00:00 local on the week's Monday
}

// WeekOf returns the ISO week that contains t in loc.
func WeekOf(t time.Time, loc *time.Location) Week {
	lt := t.In(loc)
	y, w := lt.ISOWeek()
	back := (int(lt.Weekday()) + 6) % 7 // days since Monday
	d := lt.AddDate(0, 0, -back)
	return Week{Label: fmt.Sprintf("%04d-W%02d", y, w), Monday: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)}
}

// ParseWeek reads an ISO week like "2026-W48" in loc.
func ParseWeek(s string, loc *time.Location) (Week, error) {
	var y, w int
	if n, err := fmt.Sscanf(s, "%4d-W%2d", &y, &w); err != nil || n != 2 || w < 1 || w > 53 || len(s) != 8 {
		return Week{}, Errorf(EINVALID, "Write the week like 2026-W48.")
	}
	// 4 January is always in week 1.
	wk := WeekOf(time.Date(y, 1, 4, 12, 0, 0, 0, loc).AddDate(0, 0, 7*(w-1)), loc)
	if wk.Label != s {
		return Week{}, Errorf(EINVALID, "%s has no week %d.", s[:4], w)
	}
	return wk, nil
}

// Due is the moment the week's digest may go out: Monday 07:00 local.
func (w Week) Due() time.Time { return w.Monday.Add(DigestSendHour * time.Hour) }

// Report is the period the week's digest reports on: the week before, Monday
// to Monday local time (DST changes make it 167 or 169 hours long).
func (w Week) Report() (from, to time.Time) { return w.Monday.AddDate(0, 0, -7), w.Monday }

// Before is the week before the reported one, for comparisons.
func (w Week) Before() (from, to time.Time) {
	return w.Monday.AddDate(0, 0, -14), w.Monday.AddDate(0, 0, -7)
}

// Recipient is a user who may get a digest.
type Recipient struct {
	UserID   int64
	OrgID    int64
	Email    string
	Name     string
	Role     string
	Timezone string // the user's, or the org's when the user's is not a valid zone
	OptOut   bool
	Disabled bool
	Currency string // the org's
}

// Location is the recipient's timezone, UTC when it cannot be loaded.
func (r *Recipient) Location() *time.Location {
	if loc, err := LoadLocation(r.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

// DigestRequest asks for one recipient's digest facts for a week.
type DigestRequest struct {
	Recipient Recipient
	Week      Week
}

// Digest is what a user's Monday digest says: the facts, before rendering.
type Digest struct {
	Recipient Recipient
	Kind      string
	Week      Week
	From, To  time.Time // the reported week
	AsOf      time.Time // when the facts were read

	// About the user's own deals.
	NewFlags          []DigestFlag // flags raised last week, still asking for attention
	Coaching          []DigestNote // coaching notes from the manager
	Overdue           DigestDeals  // open deals whose next step is past due
	Untouched         DigestDeals  // open deals without a touch for UntouchedDays
	CameBack          []DigestDeal // disqualified deals whose prospect wrote last week
	Closed            []DigestDeal // won, lost or disqualified last week
	FreedMinutes      int          // time the disqualified ones had taken
	Touches, TouchesB int          // touches logged last week and the week before

	// Team is the team's (manager) or org's (admin) part; nil for reps.
	Team *TeamDigest
}

// UntouchedDays is how long an open deal may go without a touch before the
// home page and the digest list it.
const UntouchedDays = 14

// DigestListLimit caps each list of a digest; the counts stay exact.
const DigestListLimit = 10

// DigestDeals is a list of deals capped at DigestListLimit, and how many there are.
type DigestDeals struct {
	Deals []DigestDeal
	Total int
}

// DigestDeal is a deal as a digest mentions it.
type DigestDeal struct {
	ID        int64
	Title     string
	Prospect  string
	Owner     string
	Stage     string
	Amount    money.Cents
	Currency  string
	Due       *time.Time // next step due date (a date: midnight UTC)
	NextStep  string
	LastTouch *time.Time
	At        time.Time // when it came back or closed
	Reasons   []string  // close reasons
	// FreedMinutes is the time a disqualified deal had taken, freed by
	// walking away.
	FreedMinutes int
}

// DigestFlag is a flag as a digest mentions it.
type DigestFlag struct {
	FlagID    int64
	Deal      DigestDeal
	Points    int
	TopReason string // signal code
	OpenedAt  time.Time
}

// DigestNote is a coaching note.
type DigestNote struct {
	Deal   DigestDeal
	Author string
	Note   string
	At     time.Time
}

// DigestDecision is a manager's decision on a flag.
type DigestDecision struct {
	Deal     DigestDeal
	Decision string // kept, snoozed, disqualified, coached
	By       string
	Note     string
	At       time.Time
}

// TeamDigest is the manager's (their team) or admin's (the org) part.
type TeamDigest struct {
	Scope        string // "team" or "org"
	Awaiting     []DigestFlag
	AwaitingN    int         // flags awaiting review
	AtRisk       money.Cents // their deals' total amount
	Currency     string
	Decisions    []DigestDecision
	DecisionsN   int
	FreedMinutes int // by deals disqualified last week
	Rows         []ActivityRow
}

// ActivityRow is one rep's (manager) or team's (admin) week in numbers.
type ActivityRow struct {
	Name     string
	Touches  int
	NewFlags int
	Decided  int
	Closed   int
}

// Empty reports whether the digest has nothing to tell: it is then
// recorded as skipped and not sent.
func (d *Digest) Empty() bool {
	mine := len(d.NewFlags) == 0 && len(d.Coaching) == 0 && d.Overdue.Total == 0 && d.Untouched.Total == 0 &&
		len(d.CameBack) == 0 && len(d.Closed) == 0 && d.Touches == 0 && d.TouchesB == 0
	if d.Team == nil {
		return mine
	}
	active := false
	for _, r := range d.Team.Rows {
		active = active || r.Touches > 0 || r.NewFlags > 0 || r.Decided > 0 || r.Closed > 0
	}
	return mine && !active && d.Team.AwaitingN == 0 && d.Team.DecisionsN == 0
}

// OutboxEntry is a recorded digest: the outbox row.
type OutboxEntry struct {
	ID        int64
	OrgID     int64
	UserID    int64
	Email     string
	Name      string
	Week      string
	Kind      string
	Status    string
	Subject   string
	HTML      string
	Text      string
	Attempts  int
	LastError string
	MessageID string
	CreatedAt time.Time
	SentAt    *time.Time
}

// OutboxFilter narrows the outbox list.
type OutboxFilter struct {
	Week   string // "" for every week
	Status string // "" for every status
	Limit  int
}

// DigestJob names one due digest for the dispatcher to enqueue.
type DigestJob struct {
	UserID int64
	OrgID  int64
	Week   string
}

// RenderedDigest is a digest as it is (or would be) sent.
type RenderedDigest struct {
	Digest  *Digest
	Subject string
	HTML    string
	Text    string
}

// DigestService is what the web layer, the jobs and the CLI ask of digests.
type DigestService interface {
	// Preview renders the actor's digest for the current week, as it would
	// be sent, without recording it.
	Preview(ctx context.Context, a Actor) (*RenderedDigest, error)
	// Outbox lists recorded digests of the actor's org, newest first (admins
	// only; ENOTFOUND for others).
	Outbox(ctx context.Context, a Actor, f OutboxFilter) ([]*OutboxEntry, error)
	// OutboxEntry returns one recorded digest of the actor's org (admins only).
	OutboxEntry(ctx context.Context, a Actor, id int64) (*OutboxEntry, error)
	// UnsubscribeEmail checks an unsubscribe token and returns the address it
	// is for; EINVALID when it is tampered with or expired.
	UnsubscribeEmail(ctx context.Context, token string) (string, error)
	// Unsubscribe checks the token and turns the user's digest off.
	Unsubscribe(ctx context.Context, token string) (string, error)
	// Due lists the digests due at now that have no outbox row yet.
	Due(ctx context.Context, now time.Time) ([]DigestJob, error)
	// Deliver builds and records the user's digest for the week when it is
	// not recorded yet, and sends it unless it was sent, skipped or failed.
	// final says this is the last attempt: a failure then marks it failed.
	Deliver(ctx context.Context, userID int64, week string, final bool) error
}

// DigestStore keeps digests: the facts they report and the outbox.
type DigestStore interface {
	// Recipients returns the users with these ids (every org), or every
	// enabled user who has not opted out when ids is nil.
	Recipients(ctx context.Context, ids []int64) ([]Recipient, error)
	// RecipientByEmail returns the user with this email, or ENOTFOUND.
	RecipientByEmail(ctx context.Context, email string) (*Recipient, error)
	// Facts reads the digests of the requested users of one org, all at
	// once, with set-based queries.
	Facts(ctx context.Context, orgID int64, reqs []DigestRequest, now time.Time) ([]*Digest, error)
	// Recorded returns which of these (user, week) pairs have an outbox row.
	Recorded(ctx context.Context, jobs []DigestJob) (map[DigestJob]bool, error)
	// Record inserts outbox rows, leaving rows that exist alone; it returns
	// how many it inserted.
	Record(ctx context.Context, entries []*OutboxEntry) (int, error)
	// Entry returns the outbox row of a user's week.
	Entry(ctx context.Context, userID int64, week string) (*OutboxEntry, error)
	// Replace writes a rebuilt digest over the week's row, pending again
	// (a forced resend); ECONFLICT while a worker is sending it.
	Replace(ctx context.Context, e *OutboxEntry) error
	// Claim marks a pending row as being sent, once: false when it is not
	// pending or another worker holds it. stale is how old a claim must be
	// to count as abandoned; an abandoned claim is marked failed.
	Claim(ctx context.Context, id int64, now time.Time, stale time.Duration) (bool, error)
	// Sent records a delivery; Failed records an attempt's error, and marks
	// the row failed when final.
	Sent(ctx context.Context, id int64, messageID string, at time.Time) error
	Failed(ctx context.Context, id int64, msg string, final bool, at time.Time) error
	// Outbox and OutboxEntry read an org's outbox for an admin.
	Outbox(ctx context.Context, a Actor, f OutboxFilter) ([]*OutboxEntry, error)
	OutboxEntry(ctx context.Context, a Actor, id int64) (*OutboxEntry, error)
	// SetOptOut turns a user's digest off (or on).
	SetOptOut(ctx context.Context, userID int64, optOut bool) error
	// Secret returns the named server secret, creating it on first use.
	Secret(ctx context.Context, name string) ([]byte, error)
}
