package pipeline

import (
	"context"
	"time"

	"goodmoney/internal/outcomes"
)

// OutcomeReport is the back-test of the rules in force over the closed
// deals an actor may see, for /reports/outcomes.
type OutcomeReport struct {
	Query        outcomes.Query
	RulesVersion int
	Rows         []outcomes.Row // by deal id; nil while Progress is set
	ComputedAt   time.Time
	// Progress is set while a long run goes on in the background: the page
	// shows it and asks again.
	Progress *OutcomeProgress
}

// OutcomeProgress is how far a background run is.
type OutcomeProgress struct {
	Done, Total int
}

// OutcomeReports answers the outcomes report.
type OutcomeReports interface {
	// Outcomes back-tests the rules in force over the closed deals of the
	// actor's scope (an admin's org, a manager's team, a rep's own deals)
	// that closed in q's period.
	Outcomes(ctx context.Context, a Actor, q outcomes.Query) (*OutcomeReport, error)
}
