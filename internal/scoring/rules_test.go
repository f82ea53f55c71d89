package scoring_test

import (
	"encoding/json"
	"math"
	"slices"
	"testing"

	"goodmoney/internal/scoring"
)

func TestDefaultRulesAreValid(t *testing.T) {
	if errs := scoring.DefaultRules().Validate(); errs != nil {
		t.Fatalf("DefaultRules().Validate() = %v", errs)
	}
}

func TestRulesValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*scoring.Rules)
		field  string
		msg    string
	}{
		{"start hour", func(r *scoring.Rules) { r.BusinessStartHour = -1 }, "business_start_hour", "Enter an hour from 0 to 23."},
		{"end hour", func(r *scoring.Rules) { r.BusinessEndHour = 25 }, "business_end_hour", "Enter an hour from 1 to 24."},
		{"end before start", func(r *scoring.Rules) { r.BusinessStartHour, r.BusinessEndHour = 18, 9 }, "business_end_hour", "Business hours must end after they start."},
		{"empty day", func(r *scoring.Rules) { r.BusinessStartHour, r.BusinessEndHour = 9, 9 }, "business_end_hour", "Business hours must end after they start."},
		{"flag line", func(r *scoring.Rules) { r.FlagFrom = 101 }, "flag_from", "Enter points from 1 to 100."},
		{"flag line zero", func(r *scoring.Rules) { r.FlagFrom, r.WatchFrom = 0, 0 }, "flag_from", "Enter points from 1 to 100."},
		{"watch above flag", func(r *scoring.Rules) { r.WatchFrom = 50 }, "watch_from", "Watch must start at or below the flag line."},
		{"negative weight", func(r *scoring.Rules) { r.MarginWeight = -1 }, "margin_weight", "Enter a weight from 0 to 100."},
		{"weight over 100", func(r *scoring.Rules) { r.FuturePromiseWeight = 100.5 }, "future_promise_weight", "Enter a weight from 0 to 100."},
		{"NaN weight", func(r *scoring.Rules) { r.OffHoursWeight = math.NaN() }, "off_hours_weight", "Enter a weight from 0 to 100."},
		{"floor over 1", func(r *scoring.Rules) { r.MarginFloor = 20 }, "margin_floor", "Enter a percentage from 0 to 100, like 25."},
		{"discount full below from", func(r *scoring.Rules) { r.DiscountFull = 0.2 }, "discount_full", "Full strength must be a deeper discount than the threshold."},
		{"off-hours share zero", func(r *scoring.Rules) { r.OffHoursShare = 0 }, "off_hours_share", "Enter a share above 0, or set the weight to 0 to switch this off."},
		{"triad minimum", func(r *scoring.Rules) { r.TriadMinSeverity = 1.2 }, "triad_min_severity", "Enter a percentage from 0 to 100, like 25."},
		{"requotes from zero", func(r *scoring.Rules) { r.RequotesFrom = 0 }, "requotes_from", "Enter a whole number from 1 to 3650."},
		{"requotes full below from", func(r *scoring.Rules) { r.RequotesFull = 2 }, "requotes_full", "Full strength must be at or above the threshold."},
		{"unresponsive full below from", func(r *scoring.Rules) { r.UnresponsiveFull = 1 }, "unresponsive_full", "Full strength must be at or above the threshold."},
		{"silence full below silence", func(r *scoring.Rules) { r.SilenceFullDays = 7 }, "silence_full_days", "Full strength must be at or above the threshold."},
		{"wont commit from", func(r *scoring.Rules) { r.WontCommitFrom = 0 }, "wont_commit_from", "Enter a whole number from 1 to 3650."},
		{"reply window", func(r *scoring.Rules) { r.ReplyWindowDays = 0 }, "reply_window_days", "Enter a whole number from 1 to 3650."},
		{"reply window huge", func(r *scoring.Rules) { r.ReplyWindowDays = 1 << 40 }, "reply_window_days", "Enter a whole number from 1 to 3650."},
		{"terse replies", func(r *scoring.Rules) { r.TerseMinReplies = 0 }, "terse_min_replies", "Enter a whole number from 1 to 3650."},
		{"terse words", func(r *scoring.Rules) { r.TerseMaxMedianWords = 0 }, "terse_max_median_words", "Enter a whole number from 1 to 3650."},
		{"off-hours minimum", func(r *scoring.Rules) { r.OffHoursMinInbound = 0 }, "off_hours_min_inbound", "Enter a whole number from 1 to 3650."},
		{"effort minimum", func(r *scoring.Rules) { r.EffortMinTouches = 0 }, "effort_min_touches", "Enter a whole number from 1 to 3650."},
		{"effort fallback", func(r *scoring.Rules) { r.EffortFallback = 0 }, "effort_fallback", "Enter touches per 1,000 above 0, for example 3."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := scoring.DefaultRules()
			tc.change(&r)
			errs := r.Validate()
			if got := errs[tc.field]; got != tc.msg {
				t.Errorf("Validate()[%q] = %q, want %q (all: %v)", tc.field, got, tc.msg, errs)
			}
			if len(errs) != 1 {
				t.Errorf("Validate() = %v, want only %q", errs, tc.field)
			}
		})
	}
}

func TestRulesJSON(t *testing.T) {
	b, err := json.Marshal(scoring.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{
		"discount_from", "discount_full", "discount_weight", "effort_fallback", "effort_min_touches", "effort_weight",
		"flag_from", "future_promise_weight", "margin_floor", "margin_weight", "off_hours_min_inbound", "off_hours_share",
		"off_hours_weight", "reply_window_days", "requotes_from", "requotes_full", "requotes_weight", "silence_days",
		"silence_full_days", "terse_max_median_words", "terse_min_replies", "terse_weight", "triad_min_severity",
		"unresponsive_from", "unresponsive_full", "unresponsive_weight", "watch_from", "wont_commit_from",
		"wont_commit_full", "wont_commit_weight",
	}
	if !slices.Equal(keys, want) {
		t.Errorf("JSON keys\n got %v\nwant %v", keys, want)
	}

	// Rules saved before a field existed keep that field's default.
	r := scoring.DefaultRules()
	if err := json.Unmarshal([]byte(`{"margin_floor": 0.3, "flag_from": 50}`), &r); err != nil {
		t.Fatal(err)
	}
	want2 := scoring.DefaultRules()
	want2.MarginFloor, want2.FlagFrom = 0.3, 50
	if r != want2 {
		t.Errorf("decoded onto defaults = %+v, want %+v", r, want2)
	}
}
