package web

import "time"

// NavOutcomes is the navigation key of the outcomes report.
const NavOutcomes = "outcomes"

// OutcomesView is /reports/outcomes: the back-test of the scoring rules
// against the closed deals of a period, win/loss and charts.
type OutcomesView struct {
	From, To, DaysBefore string // the filters as typed
	Errors               map[string]string
	Progress             *OutcomeProgress // a long run still going: shown instead of figures
	Scope                string           // whose deals: "your team's", "the organisation's", "your"
	Mode                 string           // "14 days before they closed"
	Period               string           // "1 Dec 2025 – 30 Nov 2026"
	RulesVersion         int
	ComputedAt           time.Time
	Loc                  *time.Location

	Deals, Scored int
	Unscored      Link // deals younger than the cut, left out
	// Precision and Recall are fractions rounded to two places, for the
	// data attributes; their texts are what the page says.
	Precision, Recall         float64
	HasPrecision, HasRecall   bool
	PrecisionText, RecallText string
	Figures                   []Figure
	Table                     OutcomeTable
	Notes                     []string // what the figures cannot say, or say about the rules
	Selection                 *OutcomeSelection
	CSV                       string
	Charts                    []Chart
	WinLoss                   *WinLossView
}

// OutcomeProgress is how far a long back-test is.
type OutcomeProgress struct {
	Done, Total int
}

// Link is a figure with the list of deals behind it.
type Link struct {
	Text, Href string
}

// Figure is one headline number of the report.
type Figure struct {
	Key, Label string
	Value      Link
	Note       string
}

// OutcomeTable is the confusion table: a row per band, a column per outcome.
type OutcomeTable struct {
	Classes []string
	Rows    []OutcomeTableRow
	Totals  []Link // per outcome
	All     Link   // every scored deal
}

// OutcomeTableRow is one band's row.
type OutcomeTableRow struct {
	Band, Label string
	Cells       []Link
	Total       Link
}

// OutcomeSelection is the list of deals behind the figure the viewer chose.
type OutcomeSelection struct {
	Title string
	Deals []OutcomeDeal
	More  int // rows left off the page (the CSV has them all)
	Clear string
	CSV   string
}

// OutcomeDeal is one closed deal in a selection.
type OutcomeDeal struct {
	ID                        int64
	Title, Prospect, Owner    string
	Outcome, Band             string
	Points                    int
	Amount, Closed, FirstFlag string
	Scored                    bool
}

// WinLossView is why and where deals were won, lost or walked away from.
type WinLossView struct {
	Reasons, Reps, Reached []TallyRow
	StageDays              []StageDaysRow
	CameBack               string // "2 of 9 walk-aways (22 %) came back"
	Became                 []TallyRow
}

// TallyRow is a group of closed deals by how they ended.
type TallyRow struct {
	Name                     string
	Won, Lost, Walked, Total Link
}

// StageDaysRow is the median time in one stage for won and lost deals.
type StageDaysRow struct {
	Stage, Won, Lost string
}

// HomeOutcomes is the manager's home card: were the team's flags right?
type HomeOutcomes struct {
	Headline string // "75 % of last year's flags were right; 43 % of bad endings flagged in advance."
	Chart    Chart
	Report   string
}
