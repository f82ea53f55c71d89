package pipeline

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDecisionInput_Validate(t *testing.T) {
	now := time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC) // already 1 Dec in Tokyo
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	date := func(s string) *time.Time { d, _ := ParseDate(s); return &d }
	for _, tc := range []struct {
		name  string
		in    DecisionInput
		loc   *time.Location
		field string // "" when valid
	}{
		{"KeepWithNote", DecisionInput{FlagIDs: []int64{1}, Decision: DecisionKeep, Note: "strategic"}, time.UTC, ""},
		{"KeepWithoutNote", DecisionInput{FlagIDs: []int64{1}, Decision: DecisionKeep, Note: "  "}, time.UTC, "note"},
		{"CoachWithoutNote", DecisionInput{FlagIDs: []int64{1}, Decision: DecisionCoach}, time.UTC, "note"},
		{"DisqualifyNoNote", DecisionInput{FlagIDs: []int64{1}, Decision: DecisionDisqualify}, time.UTC, ""},
		{"NothingSelected", DecisionInput{Decision: DecisionDisqualify}, time.UTC, "flag_id"},
		{"UnknownDecision", DecisionInput{FlagIDs: []int64{1}, Decision: "delete"}, time.UTC, "decision"},
		{"SnoozeNoDate", DecisionInput{FlagIDs: []int64{1}, Decision: DecisionSnooze}, time.UTC, "until"},
		{"SnoozeToday", DecisionInput{FlagIDs: []int64{1}, Decision: DecisionSnooze, Until: date("2026-11-30")}, time.UTC, "until"},
		{"SnoozeTomorrow", DecisionInput{FlagIDs: []int64{1}, Decision: DecisionSnooze, Until: date("2026-12-01")}, time.UTC, ""},
		{"SnoozeTomorrowIsTodayInTokyo", DecisionInput{FlagIDs: []int64{1}, Decision: DecisionSnooze, Until: date("2026-12-01")}, tokyo, "until"},
		{"SnoozePast", DecisionInput{FlagIDs: []int64{1}, Decision: DecisionSnooze, Until: date("2026-01-01")}, time.UTC, "until"},
		{"SnoozeTooFar", DecisionInput{FlagIDs: []int64{1}, Decision: DecisionSnooze, Until: date("2028-01-01")}, time.UTC, "until"},
		{"NoteTooLong", DecisionInput{FlagIDs: []int64{1}, Decision: DecisionKeep, Note: strings.Repeat("x", MaxNote+1)}, time.UTC, "note"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.in.Validate(now, tc.loc)
			if tc.field == "" && errs != nil {
				t.Fatalf("valid input refused: %v", errs)
			}
			if tc.field != "" && errs[tc.field] == "" {
				t.Fatalf("errors %v, want one at %s", errs, tc.field)
			}
		})
	}
}

func TestCloseInput_Validate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    CloseInput
		field string
	}{
		{"Lost", CloseInput{Outcome: OutcomeLost, Reasons: []string{"price", " ", "price"}}, ""},
		{"NoReason", CloseInput{Outcome: OutcomeWon, Reasons: []string{"", "  "}}, "reasons"},
		{"BadOutcome", CloseInput{Outcome: "disqualified", Reasons: []string{"price"}}, "outcome"},
		{"ReasonTooLong", CloseInput{Outcome: OutcomeLost, Reasons: []string{strings.Repeat("x", 201)}}, "reasons"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.in.Validate()
			if (tc.field == "") != (errs == nil) || (tc.field != "" && errs[tc.field] == "") {
				t.Fatalf("errors %v, want field %q", errs, tc.field)
			}
		})
	}
	in := CloseInput{Outcome: OutcomeLost, Reasons: []string{" price ", "", "price", "timing"}}
	in.Validate()
	if !slices.Equal(in.Reasons, []string{"price", "timing"}) {
		t.Errorf("reasons normalized to %q", in.Reasons)
	}
}

func TestWalkAwayInput_Validate(t *testing.T) {
	ok := WalkAwayInput{Reasons: []string{"margin too low"}, Message: "Hi, stepping back."}
	if errs := ok.Validate(); errs != nil {
		t.Fatalf("valid walk-away refused: %v", errs)
	}
	bad := WalkAwayInput{Message: "  "}
	errs := bad.Validate()
	if errs["reasons"] == "" || errs["message"] == "" {
		t.Errorf("errors %v, want reasons and message", errs)
	}
}

func TestReasonsFromSignals(t *testing.T) {
	got := ReasonsFromSignals([]string{"unresponsive", "triad", "margin_hit", "requotes"})
	want := []string{"margin too low", "quoted again and again", "unresponsive prospect"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := ReasonsFromSignals(nil); got != nil {
		t.Errorf("no signals gave %q", got)
	}
}

func TestTemplate(t *testing.T) {
	for _, tc := range []struct {
		tmpl, msg string
	}{
		{DefaultWalkawayTemplate, ""},
		{"Hi {first_name}, {rep_name} on {deal_title} at {company}", ""},
		{"Hi {firstname}", "not a placeholder we know"},
		{"Hi {first_name} {}", "not a placeholder we know"},
		{"   ", "Write the message"},
		{strings.Repeat("a", MaxTemplate+1), "under 2,000"},
		{"Braces in prose { like this } are fine", ""},
	} {
		if got := ValidateTemplate(tc.tmpl); (tc.msg == "") != (got == "") || !strings.Contains(got, tc.msg) {
			t.Errorf("ValidateTemplate(%.30q) = %q, want %q", tc.tmpl, got, tc.msg)
		}
	}
	f := WalkAwayFields{ContactName: "Dr. Alan Pierce", RepName: "Riley Rep", DealTitle: "Starter bundle", Company: "Pinecrest"}
	if got := FillTemplate("Hi {first_name}, {rep_name}: {deal_title} / {company}", f); got != "Hi Alan, Riley Rep: Starter bundle / Pinecrest" {
		t.Errorf("filled %q", got)
	}
	if got := FillTemplate("Hi {first_name}", WalkAwayFields{}); got != "Hi there" {
		t.Errorf("no contact: %q", got)
	}
	if got := FillTemplate("", f); !strings.HasPrefix(got, "Hi Alan,") || !strings.HasSuffix(got, "Riley Rep") {
		t.Errorf("the default template filled %q", got)
	}
}
