package pipeline

import (
	"context"
	"time"

	"goodmoney/internal/outcomes"
	"goodmoney/internal/scoring"
)

// RulesVersion is the set of scoring rules in force for an org, with who
// saved it and when. Version 0 is the defaults, which nobody saved.
type RulesVersion struct {
	Rules   scoring.Rules
	SavedBy string    // "" for the defaults or a user since removed
	SavedAt time.Time // zero for the defaults
}

// SavedRules is the answer to ScoringSettings.SaveRules.
type SavedRules struct {
	Version int
	// Queued is true when a full rescore was put on the job queue. When
	// false the rescore ran before SaveRules returned: Rescored holds its
	// figures, or RescoreErr why it failed (the rules are saved either way,
	// and the periodic rescore will apply them).
	Queued     bool
	Rescored   RescoreStats
	RescoreErr error
}

// PreviewExamples is how many deals of each kind a preview names.
const PreviewExamples = 10

// RulesPreview is what proposed rules would do to the org's open deals,
// compared with the rules in force evaluated at the same moment (so that
// only the change of rules shows, not time passing since the last rescore).
type RulesPreview struct {
	Open       int // open deals evaluated
	Flagged    int // not good money under the proposed rules
	FlaggedNow int // not good money under the rules in force
	More       int // flagged under the proposed rules only
	Fewer      int // flagged under the rules in force only
	// Up to PreviewExamples deals of each kind, among those the actor may
	// see, highest points first.
	NewlyFlagged []PreviewDeal
	Unflagged    []PreviewDeal
	// BackTest is both rule sets back-tested over the closed deals the
	// actor may see, for BackTestQuery (the outcomes report's default
	// period): the same figures the report shows for each.
	BackTest      *outcomes.Comparison
	BackTestQuery outcomes.Query
}

// Count adds one deal to the totals and reports whether its flag changes.
func (p *RulesPreview) Count(flaggedNow, flagged bool) bool {
	p.Open++
	if flaggedNow {
		p.FlaggedNow++
	}
	if flagged {
		p.Flagged++
	}
	switch {
	case flagged && !flaggedNow:
		p.More++
	case flaggedNow && !flagged:
		p.Fewer++
	default:
		return false
	}
	return true
}

// PreviewDeal is a deal whose flag a change of rules would raise or lower.
type PreviewDeal struct {
	ID                int64
	Title, Prospect   string
	PointsNow, Points int  // under the rules in force and the proposed ones
	Flagged           bool // flagged under the proposed rules (else under those in force)
}

// RescoreStats sums up a full rescore of an org's open deals.
type RescoreStats struct {
	Deals     int // open deals scored
	Flagged   int // of them, in the not-good-money band
	Written   int // scores that changed and were stored
	Opened    int // flags opened
	Resolved  int // flags that resolved by themselves
	Revisited int // deals a rep changed during the run, scored again at the end
	Duration  time.Duration
}

// ScoringSettings keeps an org's scoring rules (/settings/scoring). Each
// method refuses actors who are not managers or admins (EFORBIDDEN).
type ScoringSettings interface {
	// CurrentRules returns the rules in force for the actor's org with who
	// saved them.
	CurrentRules(ctx context.Context, a Actor) (*RulesVersion, error)
	// PreviewRules evaluates every open deal with the rules in force and with
	// the proposed ones and counts what changes; it writes nothing. EINVALID
	// with a message per field when the rules fail scoring.Rules.Validate.
	PreviewRules(ctx context.Context, a Actor, proposed scoring.Rules) (*RulesPreview, error)
	// SaveRules stores the next rules version and has every open deal
	// rescored with it. EINVALID as PreviewRules; ECONFLICT when someone
	// saved at the same moment.
	SaveRules(ctx context.Context, a Actor, r scoring.Rules) (*SavedRules, error)
}

// Rescorer rescores every open deal of an org, for the periodic job, the
// job that follows a change of rules and the `score` command.
type Rescorer interface {
	// RescoreAll scores every open deal of the org with the rules in force,
	// opening and resolving flags accordingly.
	RescoreAll(ctx context.Context, orgID int64) (RescoreStats, error)
	// OrgIDs lists every org, for the periodic rescore that visits them all.
	OrgIDs(ctx context.Context) ([]int64, error)
}

// ScoreService keeps what scoring needs and produces: the rules, the stored
// scores and the flags.
type ScoreService interface {
	ScoringSettings
	Rescorer
}

// Housekeeper deletes rows whose use has passed.
type Housekeeper interface {
	// PruneLoginFailures deletes the failed sign-in counters whose window
	// started more than a day ago.
	PruneLoginFailures(ctx context.Context) error
	// PruneIdempotencyKeys deletes the create forms' idempotency keys older
	// than a week: no one resubmits a form that old.
	PruneIdempotencyKeys(ctx context.Context) error
}

// FlagCounter counts, across every org, the flags that ask for attention
// (open or snoozed) by status and the deal's current band, for the
// operator's metrics.
type FlagCounter interface {
	OpenFlagsByBand(ctx context.Context) ([]FlagCount, error)
}

// FlagCount is the number of flags in one status and score band.
type FlagCount struct {
	Status, Band string
	Count        int64
}
